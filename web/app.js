// The page: source -> loopback WebRTC call -> received track -> student, with live statistics,
// and the sharpened video published as a MediaStream. Two frame paths: crispcall.js's Worker on
// I420 planes (when the browser has MediaStreamTrackProcessor/Generator and the model has an I420
// twin, model-i420.onnx), else the RGB path: the received video drawn to a canvas, the pixels to
// the model, the result back to a canvas. state.path says which one runs.
//
// URL parameters start it without clicks (the browser tests use them):
//   ?autostart=1&preset=150k&codec=VP8&model=student-web.onnx&backend=wasm&size=360&threads=1&path=canvas
// window.crispcall exposes the state, and snapshot() returns the last (input, output) pair.
import { toBase64 } from "./bytes.js";
import { CODECS, LoopbackCall, PRESETS } from "./call.js";
import * as crispcall from "./crispcall.js";
import { Sharpener, hasWebGPU } from "./sharpen.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const state = {
  running: false,
  frames: 0, // sharpened frames
  passed: 0, // frames shown as received: they arrived at the display size (sharpen-worker.js says why)
  dropped: 0, // received frames skipped because the model was still busy
  fps: 0,
  latencyMs: 0, // mean model time over the last second
  modelMs: [], // model time of each of the last 300 sharpened frames
  backend: null,
  threads: null,
  size: null,
  call: null, // bitrate, size, codec from getStats
  path: null, // "webcodecs-i420" (crispcall.js) or "canvas-rgb"
  error: null,
};
let sharpTrack = null; // the I420 path's sharpened track
let call = null;
let sharpener = null;
let stream = null;
let publisher = null;
let lastPair = null;
let statsTimer = null;
const recent = []; // [time, model ms] of the sharpened frames in the last second

function setStatus(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
  if (error) state.error = text;
}

function option(select, value, label, selected = false) {
  const item = new Option(label ?? value, value, selected, selected);
  select.add(item);
}

async function populate() {
  for (const [name, preset] of Object.entries(PRESETS)) option($("preset"), name, preset.label, name === "300k");
  for (const codec of CODECS) option($("codec"), codec);
  option($("backend"), "wasm", `WASM (SIMD, ${self.crossOriginIsolated ? "threads" : "1 thread"})`);
  if (hasWebGPU()) option($("backend"), "webgpu", "WebGPU");
  const response = await fetch("/models/index.json");
  if (!response.ok) throw new Error(`no model list (${response.status}): is this page served by crispcall serve?`);
  for (const model of await response.json()) {
    option($("model"), model.file, `${model.file} (${Math.round(model.bytes / 1024)} KB)`, model.file === "student-web.onnx");
    $("model").options[$("model").length - 1].dataset.multiple = model.size_multiple;
    if (model.i420) $("model").options[$("model").length - 1].dataset.i420 = model.i420;
  }
  for (const name of ["preset", "codec", "model", "backend", "size", "view"]) {
    if (params.has(name)) $(name).value = params.get(name);
  }
}

async function openSource() {
  if ($("source").value === "camera") {
    return navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 }, audio: false });
  }
  const file = $("file").files[0];
  if (!file) throw new Error("choose a video file first");
  const video = $("file-video");
  video.src = URL.createObjectURL(file);
  await video.play();
  return video.captureStream();
}

/** The processing size: the source's shape at the chosen height, sides multiples of the model's. */
function frameSize(width, height, multiple) {
  const target = Math.min(Number($("size").value), height);
  const round = (v) => Math.max(multiple, Math.round(v / multiple) * multiple);
  return [round((width * target) / height), round(target)];
}

async function start() {
  state.error = null;
  const choice = $("model").selectedOptions[0];
  const i420 = (params.get("path") ?? "i420") === "i420" && choice.dataset.i420 && crispcall.supported();
  state.path = i420 ? "webcodecs-i420" : "canvas-rgb";
  $("views").classList.toggle("i420", Boolean(i420));
  if (!i420) {
    setStatus("loading the model…");
    sharpener = await Sharpener.load(`/models/${choice.value}`, $("backend").value, Number(choice.dataset.multiple));
    state.backend = sharpener.backend;
    state.threads = sharpener.threads;
  }
  setStatus("opening the source…");
  stream = await openSource();
  $("local").srcObject = stream;
  await $("local").play();
  call = new LoopbackCall();
  const track = await call.start(stream, { preset: $("preset").value, codec: $("codec").value });
  const remote = $("remote");
  remote.srcObject = new MediaStream([track]);
  await remote.play();
  const settings = stream.getVideoTracks()[0].getSettings();
  const [width, height] = frameSize(settings.width, settings.height, Number(choice.dataset.multiple));
  for (const canvas of [$("received"), $("sharpened")]) Object.assign(canvas, { width, height });
  state.size = [width, height];
  state.running = true;
  $("start").disabled = true;
  $("stop").disabled = false;
  $("publish").disabled = false;
  setStatus(`in call: ${PRESETS[call.preset].label}, ${call.codec}, sharpening at ${width}x${height}`);
  if (i420) await startI420(track, choice.dataset.i420, height);
  else remote.requestVideoFrameCallback(onFrame);
  statsTimer = setInterval(updateStats, 1000);
}

/** The I420 path: crispcall.js sharpens the received track in its Worker. */
async function startI420(track, model, height) {
  sharpTrack = await crispcall.sharpen(track, {
    model: `/models/${model}`,
    height,
    threads: Number(params.get("threads")) || 1,
    backend: $("backend").value,
  });
  state.backend = sharpTrack.backend;
  state.threads = sharpTrack.threads;
  $("received-video").srcObject = new MediaStream([track]);
  $("sharpened-video").srcObject = new MediaStream([sharpTrack]);
  sharpTrack.addEventListener("stats", ({ detail }) => {
    const lastSecond = detail.modelMs.slice(-Math.max(1, Math.round(detail.fps)));
    state.frames = detail.frames;
    state.passed = detail.passed;
    state.modelMs = detail.modelMs;
    state.fps = Math.round(detail.fps);
    state.latencyMs = lastSecond.reduce((sum, ms) => sum + ms, 0) / lastSecond.length;
    state.size = detail.size;
  });
  sharpTrack.addEventListener("error", ({ detail }) => setStatus(`sharpening failed: ${detail}`, true));
}

let busy = false;
let lastPresented = null;
async function onFrame(_now, metadata) {
  if (!state.running) return;
  const remote = $("remote");
  remote.requestVideoFrameCallback(onFrame);
  // Frames the browser presented while the model ran never reach this callback: the newest
  // frame wins, nothing queues. presentedFrames counts them all, so the gap is what was dropped.
  if (lastPresented !== null) state.dropped += Math.max(0, metadata.presentedFrames - lastPresented - 1);
  lastPresented = metadata.presentedFrames;
  if (busy) {
    state.dropped += 1;
    return;
  }
  busy = true;
  try {
    const [width, height] = state.size;
    if (remote.videoWidth === width && remote.videoHeight === height) {
      $("received").getContext("2d").drawImage(remote, 0, 0);
      $("sharpened").getContext("2d").drawImage(remote, 0, 0);
      state.passed += 1;
      return;
    }
    const received = $("received").getContext("2d", { willReadFrequently: true });
    received.drawImage(remote, 0, 0, width, height); // the received frame, scaled back up
    const input = received.getImageData(0, 0, width, height);
    const started = performance.now();
    const output = await sharpener.run(input);
    const elapsed = performance.now() - started;
    $("sharpened").getContext("2d").putImageData(output, 0, 0);
    lastPair = { input, output };
    publisher?.push();
    state.frames += 1;
    recent.push([performance.now(), elapsed]);
    state.modelMs.push(elapsed);
    if (state.modelMs.length > 300) state.modelMs.shift();
  } catch (error) {
    stop();
    setStatus(`sharpening failed: ${error.message}`, true);
  } finally {
    busy = false;
  }
}

async function updateStats() {
  const stats = await call?.stats();
  if (stats) state.call = stats;
  // State and text change together, with no await between: a reader sees both or neither.
  if (state.path === "canvas-rgb") {
    const now = performance.now();
    while (recent.length && recent[0][0] < now - 1000) recent.shift();
    state.fps = recent.length;
    state.latencyMs = recent.length ? recent.reduce((sum, [, ms]) => sum + ms, 0) / recent.length : 0;
  }
  const kbps = state.call?.bitrate != null ? `${Math.round(state.call.bitrate / 1000)} kbps` : "… kbps";
  const threads = state.threads ? `, ${state.threads} thread${state.threads === 1 ? "" : "s"}` : "";
  $("stats").textContent =
    `${state.fps} fps · model ${state.latencyMs.toFixed(1)} ms (${state.backend}${threads}) · ` +
    `call ${kbps}, ${state.call?.width ?? 0}x${state.call?.height ?? 0} ${state.call?.codec ?? ""} · ` +
    `dropped ${state.dropped} · passed ${state.passed} · ${state.path}`;
}

function stop() {
  state.running = false;
  clearInterval(statsTimer);
  sharpTrack?.stop();
  sharpTrack = null;
  call?.close();
  stream?.getTracks().forEach((t) => t.stop());
  publisher?.stop();
  publisher = null;
  $("start").disabled = false;
  $("stop").disabled = true;
  $("publish").disabled = true;
  setStatus("call ended");
}

/** The sharpened canvas as a MediaStream another app can take: a VideoFrame per sharpened
 * frame through MediaStreamTrackGenerator where the browser has it, else a canvas capture. */
function publish() {
  const canvas = $("sharpened");
  if (sharpTrack) {
    publisher = { stream: new MediaStream([sharpTrack]), kind: "VideoFrame", push: () => {}, stop: () => {} };
  } else if ("MediaStreamTrackGenerator" in self) {
    const generator = new MediaStreamTrackGenerator({ kind: "video" });
    const writer = generator.writable.getWriter();
    publisher = {
      stream: new MediaStream([generator]),
      kind: "VideoFrame",
      push: () => writer.write(new VideoFrame(canvas, { timestamp: Math.round(performance.now() * 1000) })),
      stop: () => writer.close(),
    };
  } else {
    const captured = canvas.captureStream();
    publisher = { stream: captured, kind: "canvas", push: () => {}, stop: () => captured.getTracks()[0].stop() };
  }
  $("published").srcObject = publisher.stream;
  $("published").play();
  state.published = publisher.kind;
  $("publish").disabled = true;
}

window.crispcall = {
  state,
  stop,
  publish,
  setPreset: (name) => call.setPreset(name),
  get published() {
    return publisher?.stream ?? null;
  },
  /** The last frame the model saw and what it made of it: RGBA as base64 on the canvas path; on
   * the I420 path, the next frame's received and sharpened I420 planes (a promise). */
  snapshot() {
    if (sharpTrack) {
      return sharpTrack.snapshot().then((s) => ({ ...s, format: "I420", input: toBase64(s.input), output: toBase64(s.output) }));
    }
    if (!lastPair) return null;
    const { input, output } = lastPair;
    return { width: input.width, height: input.height, input: toBase64(input.data), output: toBase64(output.data) };
  },
};

function layout() {
  const split = $("view").value === "split";
  $("views").className = $("view").value;
  $("sharpened").parentElement.style.clipPath = split ? `inset(0 0 0 ${$("split").value}%)` : "";
}
$("view").addEventListener("change", layout);
$("split").addEventListener("input", layout);
$("source").addEventListener("change", () => ($("file").hidden = $("source").value !== "file"));
$("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  start().catch((error) => setStatus(`could not start: ${error.message}`, true));
});
$("stop").addEventListener("click", stop);
$("publish").addEventListener("click", publish);
$("preset").addEventListener("change", () => state.running && call.setPreset($("preset").value));

populate()
  .then(() => {
    layout();
    setStatus("ready: press Start call");
    if (params.has("autostart")) return start();
  })
  .catch((error) => setStatus(`could not start: ${error.message}`, true));
