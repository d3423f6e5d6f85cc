"""Issue 17: would LiteRT.js run the page's network faster than onnxruntime-web?

The page runs its convolutions in onnxruntime-web's WebAssembly kernels at 3.5 to 7 times native
ONNX Runtime (docs/RESULTS.md, session 44), which holds it at 2.75x native where issue 17 asks
2x. LiteRT.js (@litertjs/core, Apache-2.0) is Google's browser runtime for ``.tflite`` files:
XNNPACK's kernels compiled to WebAssembly with relaxed SIMD (fused multiply-add), the lever
session 44 named. This times the browser student's frame graph (RGB uint8 in and out,
``weights/student-web.pt``) in both runtimes, one thread each, in one headless Chromium page,
beside both runtimes' native builds on the same graphs: ONNX Runtime on ``student-web.onnx``,
the LiteRT interpreter with XNNPACK on the same network exported to TFLite at each size.

The npm tarballs are fetched with ``npm pack`` into the cache and checked against the integrity
hashes pinned here (the registry's), so the probe adds no dependency to the page.

Usage: python scripts/litertjs_probe.py [--sizes 1280x720 640x360] [--frames 30]
           [--json docs/results/probe-litertjs.json]
"""

import argparse
import base64
import hashlib
import json
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path

from crispcall.bench.runner import time_frames
from crispcall.data.scene import synthetic_frame
from crispcall.export.tflite import export_tflite
from crispcall.files import written_whole
from crispcall.models.io import load_network
from crispcall.paths import cache_dir, ort_dir, ort_version, page_dir, weights_dir
from crispcall.runtime.backends import load_backend
from crispcall.sysinfo import run_meta
from crispcall.web.browser import launch_chromium
from crispcall.web.server import serving

PACKAGES = {
    "@litertjs/core@2.5.3": "sha512-PlGmbMOq9WitX7FO0jhbdJw9GthatsyuCQXjTt/wJZo0FLaw48q4tz8IwqgqC"
    "IkviYGr9OFDL1kCnN4nzWoyJQ==",
    "@litertjs/wasm-utils@2.5.3": "sha512-4fJiw6tBQnIs+0jH/OQ16nYOiSl8/+zZnn5h2ul8aTKHi05sVqZW580Tm"
    "k78pC2kT39A9OYBVdFawteZ/sI1kQ==",
}

# Both runtimes on one frame, one thread each, the median of the timed runs as crispcall bench.
PAGE = """<!doctype html><html><body>
<script type="importmap">{"imports": {"@litertjs/wasm-utils": "./wasm-utils/dist/index.js"}}</script>
<script type="module">
import { loadLiteRt, loadAndCompile, Tensor } from "./litert/dist/index.js";
import * as ort from "./ort/ort.all.min.mjs";
const query = new URLSearchParams(location.search);
const [width, height] = query.get("size").split("x").map(Number);
const frames = Number(query.get("frames"));
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
async function timed(run) {
  // V8 compiles WebAssembly twice, a quick tier first and the optimized one in the background:
  // warm up for seconds, not runs, so that every timed run is of the optimized code.
  for (const start = performance.now(); performance.now() - start < 3000; ) await run();
  const times = [];
  for (let i = 0; i < frames; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}
const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 37) & 255);
const results = {};
try {
  await loadLiteRt("./litert/wasm/");
  const model = await loadAndCompile(`./student-web-${width}x${height}.tflite`,
    { accelerator: "wasm", cpuOptions: { numThreads: 1 } });
  const input = new Tensor(rgb, [1, height, width, 3]);
  results.litert = await timed(async () => { for (const out of await model.run([input])) out.delete(); });
  ort.env.wasm.wasmPaths = new URL("./ort/", location.href).href;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create("./student-web.onnx",
    { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const feeds = { [session.inputNames[0]]: new ort.Tensor("uint8", rgb, [1, height, width, 3]) };
  results.onnxruntime = await timed(() => session.run(feeds));
  // which build each runtime fetched (LiteRT.js picks its relaxed-SIMD one where the browser has it)
  results.wasm = performance.getEntriesByType("resource").map((entry) => entry.name.split("/").pop())
    .filter((name) => name.endsWith(".wasm"));
} catch (error) {
  results.error = String(error?.stack ?? error);
}
window.results = results;
document.title = "done";
</script></body></html>
"""


def npm_package(spec: str, integrity: str, cache: Path) -> Path:
    """``spec`` unpacked under ``cache`` (its ``package`` folder), the tarball checked first."""
    folder = cache / spec.replace("/", "-")
    if not (folder / "package" / "package.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        name = subprocess.run(["npm", "pack", "-q", spec], cwd=folder, capture_output=True, text=True, check=True)
        tarball = folder / name.stdout.strip().splitlines()[-1]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != integrity:
            tarball.unlink()
            raise SystemExit(f"{spec}: the tarball does not match the pinned integrity hash")
        with tarfile.open(tarball) as archive:
            archive.extractall(folder, filter="data")
    return folder / "package"


def page_times(root: Path, size: str, frames: int) -> dict:
    """LiteRT.js's and onnxruntime-web's median milliseconds a run in one headless page."""
    from playwright.sync_api import sync_playwright

    with serving(web_root=root, models=root) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto(f"{url}index.html?size={size}&frames={frames}")
        page.wait_for_function("document.title === 'done'", timeout=600_000)
        results = page.evaluate("window.results")
        version = browser.version
        browser.close()
    if "error" in results:
        raise SystemExit(f"the page failed: {results['error']}")
    return {**results, "chromium": version}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1280x720", "640x360"])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--json", type=Path, default=Path("docs/results/probe-litertjs.json"))
    args = parser.parse_args()
    cache = cache_dir() / "litertjs"
    packages = {spec: npm_package(spec, integrity, cache) for spec, integrity in PACKAGES.items()}
    network = load_network(weights_dir() / "student-web.pt", "student").fuse()
    onnx = load_backend(weights_dir() / "student-web.onnx", "onnxruntime", threads=1)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "index.html").write_text(PAGE)
        # The page's server finds onnxruntime-web beside its root and serves it at /ort/.
        (root / "node_modules").mkdir()
        (root / "node_modules" / "onnxruntime-web").symlink_to(ort_dir(page_dir()).parent)
        (root / "litert").symlink_to(packages["@litertjs/core@2.5.3"])
        (root / "wasm-utils").symlink_to(packages["@litertjs/wasm-utils@2.5.3"])
        (root / "student-web.onnx").symlink_to(weights_dir() / "student-web.onnx")
        for size in args.sizes:
            width, height = map(int, size.split("x"))
            tflite, _ = export_tflite(network, root / f"student-web-{size}.tflite", (height, width))
            frame = synthetic_frame(width, height)[None]
            litert = load_backend(tflite, "tflite", threads=1)
            native = {
                "onnxruntime": statistics.median(time_frames(onnx.run, frame, 5, args.frames)),
                "litert": statistics.median(time_frames(litert.run, frame, 5, args.frames)),
            }
            page = page_times(root, size, args.frames)
            rows.append({"size": size, "threads": 1, "native_ms": native, "page_ms": {k: page[k] for k in native},
                         "page_wasm": page["wasm"]})  # fmt: skip
            print(json.dumps(rows[-1]))
    document = {
        "meta": run_meta(
            command=f"python scripts/litertjs_probe.py --sizes {' '.join(args.sizes)} --frames {args.frames}",
            model="student-web",
            chromium=page["chromium"],
            packages=list(PACKAGES),
            **{"onnxruntime-web": ort_version(page_dir())},
        ),
        "results": rows,
    }
    with written_whole(args.json) as partial:
        partial.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
