// The frame loop of crispcall.js, in a Worker so the call's page stays free: decoded VideoFrames
// in, the student's I420 graph (crispcall export --i420) in onnxruntime-web, VideoFrames out.
// Nothing passes through a canvas or RGB, and no JavaScript touches a pixel: copyTo() writes the
// frame's planes into one reused buffer, the graph upscales them to the display size and corrects
// Y, and its output buffer becomes the new VideoFrame as it is.

let session = null;
const wanted = []; // ids of snapshot requests, answered with the next frame's input and output

function reply(message) {
  self.postMessage(message);
}

async function load({ model, threads, backend, ortUrl }) {
  const ort = await import(ortUrl);
  ort.env.wasm.wasmPaths = new URL("./", ortUrl).href;
  ort.env.wasm.numThreads = self.crossOriginIsolated ? threads : 1;
  const providers = backend === "webgpu" ? ["webgpu", "wasm"] : ["wasm"];
  let created;
  try {
    created = await ort.InferenceSession.create(model, { executionProviders: providers, graphOptimizationLevel: "all" });
  } catch (error) {
    throw new Error(`cannot load the model ${model}: ${error?.message ?? error}`);
  }
  if (!["y", "u", "v", "size"].every((name) => created.inputNames.includes(name))) {
    throw new Error(`${model} is not an I420 graph (export it with crispcall export --i420)`);
  }
  return { ort, session: created, threads: ort.env.wasm.numThreads };
}

/** The display size for a received frame: its shape at ``height`` lines, sides multiples of 8
 * (every student's unshuffle factor, 2, 4 or 8, divides them). */
function displaySize(width, height, target) {
  const lines = Math.max(8, Math.round(target / 8) * 8);
  return [Math.max(8, Math.round((width * lines) / height / 8) * 8), lines];
}

async function pump(ort, reader, writer, target) {
  // passed: frames shown as they came, either a hardware decoder's NV12 frame or one that arrived
  // at the display height or above (a sender at a good bitrate sends clean full-size frames, which the
  // student, trained to undo upscaling, only degrades; docs/RESULTS.md measures it).
  const stats = { frames: 0, passed: 0, modelMs: [], fps: 0, size: null, received: null, path: "webcodecs-i420" };
  let buffer = null;
  let feeds = null;
  let shape = "";
  let second = performance.now();
  let inSecond = 0;
  const tick = () => {
    inSecond += 1;
    const now = performance.now();
    if (now - second >= 1000) {
      stats.fps = (inSecond * 1000) / (now - second);
      second = now;
      inSecond = 0;
      reply({ type: "stats", stats: { ...stats, modelMs: stats.modelMs.slice() } });
    }
  };
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) break;
    const { width, height } = frame.visibleRect;
    const [outWidth, outHeight] = displaySize(width, height, target);
    if (frame.format !== "I420" || height >= target) {
      stats.passed += 1;
      await writer.write(frame);
      tick();
      continue;
    }
    const key = `${width}x${height}>${outWidth}x${outHeight}`;
    if (key !== shape) {
      buffer = new Uint8Array(frame.allocationSize());
      const luma = width * height;
      const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
      const chromaShape = [1, 1, Math.ceil(height / 2), Math.ceil(width / 2)];
      feeds = {
        y: new ort.Tensor("uint8", buffer.subarray(0, luma), [1, 1, height, width]),
        u: new ort.Tensor("uint8", buffer.subarray(luma, luma + chroma), chromaShape),
        v: new ort.Tensor("uint8", buffer.subarray(luma + chroma, luma + 2 * chroma), chromaShape),
        size: new ort.Tensor("int64", BigInt64Array.from([BigInt(outHeight), BigInt(outWidth)]), [2]),
      };
      shape = key;
      stats.size = [outWidth, outHeight];
      stats.received = [width, height];
    }
    const timestamp = frame.timestamp;
    await frame.copyTo(buffer);
    frame.close();
    const started = performance.now();
    const result = await session.run(feeds);
    const output = result.i420.data;
    stats.modelMs.push(performance.now() - started);
    if (stats.modelMs.length > 300) stats.modelMs.shift();
    for (const id of wanted.splice(0)) {
      const snapshot = { width, height, outWidth, outHeight, input: buffer.slice(), output: output.slice() };
      reply({ type: "snapshot", id, snapshot });
    }
    // The output buffer is handed to the new frame, not copied.
    const init = { format: "I420", codedWidth: outWidth, codedHeight: outHeight, timestamp, transfer: [output.buffer] };
    await writer.write(new VideoFrame(output, init));
    stats.frames += 1;
    tick();
  }
  await writer.close();
  reply({ type: "ended" });
}

self.onmessage = async ({ data }) => {
  if (data.type === "snapshot") {
    wanted.push(data.id);
    return;
  }
  if (data.type !== "start") return;
  try {
    const loaded = await load(data);
    session = loaded.session;
    reply({ type: "ready", threads: loaded.threads, backend: data.backend });
    await pump(loaded.ort, data.readable.getReader(), data.writable.getWriter(), data.height);
  } catch (error) {
    reply({ type: "error", message: String(error?.message ?? error) });
  }
};
