// crispcall in any web call app: sharpen a remote video track in three lines.
//
//   import * as crispcall from "/crispcall.js";
//   const sharp = await crispcall.sharpen(remoteTrack, { model: "/models/student-web-i420.onnx" });
//   video.srcObject = new MediaStream([sharp]);
//
// Frames go MediaStreamTrackProcessor -> a Worker (sharpen-worker.js: the I420 planes through the
// student's I420 graph in onnxruntime-web, upscaled to `height` lines in the graph) ->
// MediaStreamTrackGenerator. The returned track is that generator: stop() also ends the worker,
// and it fires "stats" events (event.detail: fps, modelMs, frames, passed, size, received, path)
// every second (modelMs: the model time of each of the last 300 frames; passed: frames shown as
// they came, those that arrived at the display size or as NV12) and an "error" event if
// the worker fails. The original track is never stopped: when
// anything is missing, sharpen() throws a clear error and the app keeps showing the original.

// The browser's student (its body at an eighth of the display size, 0.3 GMAC a 1080p frame): one
// WebAssembly thread sharpens 720p at 30 fps during a call, where the native default (7.6 GMAC,
// INT8) would take several times as long.
export const DEFAULT_MODEL = "/models/student-web-i420.onnx";

/** Whether this browser has what the worker path needs (WebCodecs' insertable streams). */
export function supported() {
  return (
    typeof MediaStreamTrackProcessor !== "undefined" &&
    typeof MediaStreamTrackGenerator !== "undefined" &&
    typeof VideoFrame !== "undefined" &&
    typeof Worker !== "undefined"
  );
}

/**
 * @param {MediaStreamTrack} track a remote video track
 * @param {{model?: string, threads?: number, backend?: "wasm"|"webgpu", height?: number, ort?: string}} options
 * @returns {Promise<MediaStreamTrack>} the sharpened track
 */
export async function sharpen(track, options = {}) {
  const { model = DEFAULT_MODEL, threads = 1, backend = "wasm", height = 720, ort = "/ort/ort.all.min.mjs" } = options;
  if (!track || track.kind !== "video") throw new Error("crispcall.sharpen needs a video MediaStreamTrack");
  if (track.readyState === "ended") throw new Error("crispcall.sharpen: the track has already ended");
  if (!supported()) {
    throw new Error("this browser lacks MediaStreamTrackProcessor/MediaStreamTrackGenerator: keep the original track");
  }
  const processor = new MediaStreamTrackProcessor({ track, maxBufferSize: 1 }); // late frames are dropped, not queued
  const generator = new MediaStreamTrackGenerator({ kind: "video" });
  const worker = new Worker(new URL("./sharpen-worker.js", import.meta.url), { type: "module" });
  const snapshots = new Map();
  let settle = null;
  const ready = new Promise((resolve, reject) => (settle = { resolve, reject }));
  worker.onmessage = ({ data }) => {
    if (data.type === "ready") settle.resolve(data);
    else if (data.type === "error") {
      settle.reject(new Error(data.message));
      generator.dispatchEvent(new CustomEvent("error", { detail: data.message }));
    } else if (data.type === "stats") generator.dispatchEvent(new CustomEvent("stats", { detail: data.stats }));
    else if (data.type === "snapshot") snapshots.get(data.id)?.(data.snapshot);
  };
  worker.onerror = (event) => settle.reject(new Error(`the sharpening worker failed: ${event.message}`));
  const absolute = (url) => new URL(url, location.href).href;
  worker.postMessage(
    { type: "start", readable: processor.readable, writable: generator.writable, model: absolute(model), threads, backend, height, ortUrl: absolute(ort) },
    [processor.readable, generator.writable],
  );
  let started;
  try {
    started = await ready;
  } catch (error) {
    worker.terminate();
    generator.stop();
    throw error;
  }
  const stop = generator.stop.bind(generator);
  generator.stop = () => {
    worker.terminate();
    stop();
  };
  generator.threads = started.threads;
  generator.backend = started.backend;
  let next = 0;
  /** The next frame the worker sharpens: its received I420 planes and the I420 output. */
  generator.snapshot = () =>
    new Promise((resolve) => {
      const id = next++;
      snapshots.set(id, (shot) => (snapshots.delete(id), resolve(shot)));
      worker.postMessage({ type: "snapshot", id });
    });
  return generator;
}
