// The shipped student in onnxruntime-web: RGBA ImageData in, RGBA ImageData out.
//
// The exported frame graph takes what a video frame is (RGB uint8, 1 x H x W x 3) and gives
// the same back, so the page only drops and restores the alpha byte around the model; the
// colour arithmetic happens in the graph, exactly as in the Python runtime.
import * as ort from "/ort/ort.all.min.mjs";

ort.env.wasm.wasmPaths = "/ort/";
// Threads need SharedArrayBuffer, which only a cross-origin isolated page has (crispcall serve
// sends the headers); without isolation the WASM backend runs on one thread. One core is left to
// the call's encoder, decoder and the compositor: on 2 cores one model thread sharpens more
// frames than two (docs/RESULTS.md). ?threads=N overrides.
const requested = Number(new URLSearchParams(self.location?.search).get("threads")) || 0;
const spare = Math.max(1, Math.min((navigator.hardwareConcurrency || 2) - 1, 4));
ort.env.wasm.numThreads = self.crossOriginIsolated ? requested || spare : 1;

export function hasWebGPU() {
  return "gpu" in navigator;
}

export class Sharpener {
  /** @param {ort.InferenceSession} session @param {string} backend @param {number} sizeMultiple */
  constructor(session, backend, sizeMultiple) {
    this.session = session;
    this.backend = backend;
    this.sizeMultiple = sizeMultiple;
    this.threads = backend === "wasm" ? ort.env.wasm.numThreads : null;
    this.input = session.inputNames[0];
    this.output = session.outputNames[0];
    this.rgb = new Uint8Array(0);
  }

  /** Load a model file; backend "webgpu" falls back to WASM for operators WebGPU lacks. */
  static async load(url, backend = "wasm", sizeMultiple = 4) {
    if (backend === "webgpu" && !hasWebGPU()) throw new Error("this browser has no WebGPU");
    const providers = backend === "webgpu" ? ["webgpu", "wasm"] : ["wasm"];
    const session = await ort.InferenceSession.create(url, {
      executionProviders: providers,
      graphOptimizationLevel: "all",
    });
    return new Sharpener(session, backend, sizeMultiple);
  }

  /** Sharpen one RGBA frame; its sides must be multiples of sizeMultiple. */
  async run(image) {
    const { width, height, data } = image;
    if (width % this.sizeMultiple || height % this.sizeMultiple) {
      throw new Error(`frame ${width}x${height}: sides must be multiples of ${this.sizeMultiple}`);
    }
    const pixels = width * height;
    if (this.rgb.length !== pixels * 3) this.rgb = new Uint8Array(pixels * 3);
    const rgb = this.rgb;
    for (let i = 0, j = 0; i < pixels * 4; i += 4, j += 3) {
      rgb[j] = data[i];
      rgb[j + 1] = data[i + 1];
      rgb[j + 2] = data[i + 2];
    }
    const feeds = { [this.input]: new ort.Tensor("uint8", rgb, [1, height, width, 3]) };
    const result = await this.session.run(feeds);
    const out = result[this.output];
    const sharp = await out.getData(); // downloads from the GPU when WebGPU ran it
    out.dispose();
    const rgba = new ImageData(width, height);
    const target = rgba.data;
    for (let i = 0, j = 0; i < pixels * 4; i += 4, j += 3) {
      target[i] = sharp[j];
      target[i + 1] = sharp[j + 1];
      target[i + 2] = sharp[j + 2];
      target[i + 3] = 255;
    }
    return rgba;
  }
}
