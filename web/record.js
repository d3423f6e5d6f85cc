// The recorder's page (crispcall record drives it through Playwright): the camera, a loopback
// WebRTC call held to a bitrate ceiling with the sender's own adaptation, and every frame the
// receiver decodes copied out of its VideoFrame as I420, never through a canvas or a re-encode.
//
//   await recorder.start({codec, maxBitrate, width, height, frameRate})  // the call runs
//   recorder.begin()          // keep frames from now on (after the sender has settled)
//   recorder.end()            // stop keeping them
//   recorder.take(count)      // hand over up to count kept frames (base64 planes) and forget them
import { toBase64 } from "./bytes.js";
import { LoopbackCall } from "./call.js";

const status = (text) => (document.getElementById("status").textContent = text);
const state = { phase: "idle", error: null, received: 0, kept: 0, stats: [], format: null };
const kept = [];
let call = null;
let keeping = false;
let statsTimer = null;

function fail(error) {
  state.error = String(error?.message ?? error);
  state.phase = "failed";
  status(`failed: ${state.error}`);
}

/** Copy every decoded frame out as I420 while keeping; close every frame either way. */
async function pump(track) {
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    const receivedMs = performance.now();
    try {
      state.received += 1;
      if (!keeping) continue;
      state.format = frame.format;
      if (frame.format !== "I420") throw new Error(`the decoder gave ${frame.format} frames, not I420`);
      const { width, height } = frame.visibleRect;
      const planes = new Uint8Array(frame.allocationSize());
      await frame.copyTo(planes); // tightly packed Y, U, V of the visible rectangle
      const meta = typeof frame.metadata === "function" ? frame.metadata() : {};
      kept.push({
        width,
        height,
        timestampUs: frame.timestamp,
        receivedMs,
        captureMs: meta.captureTime ?? null,
        rtpTimestamp: meta.rtpTimestamp ?? null,
        planes,
      });
      state.kept += 1;
    } catch (error) {
      fail(error);
      return;
    } finally {
      frame.close();
    }
  }
}

window.recorder = {
  state,

  async start({ codec, maxBitrate, width, height, frameRate }) {
    try {
      if (typeof MediaStreamTrackProcessor === "undefined") throw new Error("this browser has no MediaStreamTrackProcessor");
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { exact: width }, height: { exact: height }, frameRate: { exact: frameRate } },
      });
      call = new LoopbackCall();
      const track = await call.start(stream, { codec, maxBitrate });
      document.getElementById("received").srcObject = new MediaStream([track]);
      pump(track).catch(fail);
      statsTimer = setInterval(async () => {
        const stats = await call.stats();
        if (stats) state.stats.push({ timeMs: performance.now(), keeping, ...stats });
      }, 1000);
      state.phase = "running";
      status(`call running: ${codec} at ${maxBitrate / 1000} kbps`);
    } catch (error) {
      fail(error);
    }
    return { ...state };
  },

  begin() {
    keeping = true;
    state.phase = "recording";
    status("recording");
  },

  end() {
    keeping = false;
    clearInterval(statsTimer);
    call?.close();
    state.phase = "done";
    status(`done: ${state.kept} frames kept`);
    return { ...state };
  },

  take(count) {
    return kept.splice(0, count).map(({ planes, ...frame }) => ({ ...frame, planes: toBase64(planes) }));
  },
};
status("ready");
