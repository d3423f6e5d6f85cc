"""``crispcall bench``: the full frame path, timed (BENCHMARK.md)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from crispcall.cli.options import (
    add_command,
    add_method_options,
    bounded,
    method_names,
    split_list,
    write_results,
)


def register(sub) -> None:
    parser = add_command(
        sub,
        "bench",
        "time the full frame path (BENCHMARK.md)",
        "Median ms and fps per method, side by side with bilinear resize.",
        [
            "crispcall bench --size 1920x1080 --method unsharp fsrcnn",
            "crispcall bench --size 1920x1080 --threads 2 --method student student-int8 --planes",
            "crispcall bench --size 1280x720 640x360 --method student --browser student.onnx student-int8.onnx",
            "crispcall bench --size 1280x720 --method student --browser student-i420.onnx --browser-threads 1 "
            "--frames 900",
        ],
    )
    parser.add_argument(
        "--size", nargs="+", default=["1920x1080", "1280x720"], help="output sizes WxH (default: 1920x1080 1280x720)"
    )
    parser.add_argument("--frames", type=bounded(int, 1), default=30, help="timed frames (default: %(default)s)")
    parser.add_argument(
        "--warmup", type=bounded(int, 0), default=5, help="untimed warm-up frames (default: %(default)s)"
    )
    add_method_options(parser, ["unsharp"])
    parser.add_argument(
        "--planes",
        action="store_true",
        help="also time each method that has an I420 twin on the frame's yuv420p planes (crispcall video's path; "
        "no RGB, so outside BENCHMARK.md's protocol)",
    )
    parser.add_argument(
        "--browser",
        nargs="+",
        metavar="MODEL",
        help="also run these model files (e.g. student.onnx student-int8.onnx) in the browser page, in headless "
        "Chromium, during a 150 kbps VP8 call, at each --size (the height the page sharpens at): the page's "
        "fps and median model ms (needs the web extra, Chromium and onnxruntime-web). An I420 graph "
        "(student-web-i420.onnx) runs through crispcall.js during a 300 kbps call whose sender keeps 30 fps "
        "(maintain-framerate), beside the same graph in native "
        "ONNX Runtime; upscalerjs times the browser peer, UpscalerJS's x2 model on TensorFlow.js WASM",
    )
    parser.add_argument(
        "--browser-threads",
        nargs="+",
        metavar="N",
        help="WASM model threads to run the page with, each in turn (default: the page's own choice, one core "
        "left to the call)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.bench import add_browser_rows, benchmark, markdown_table, parse_size
    from crispcall.methods.registry import create_method
    from crispcall.paths import weights_dir

    sizes = [parse_size(s) for s in split_list(args.size)]
    # One model at a time: each is created when its turn comes and released after it.
    chosen = (
        create_method(name, args.peers, args.threads) for name in method_names(args.method, args.peers, args.backend)
    )
    document = benchmark(chosen, sizes, args.threads, args.warmup, args.frames, planes=args.planes)
    if args.browser:
        from crispcall.web.browser import bench_browser

        threads = [int(t) for t in split_list(args.browser_threads)] if args.browser_threads else [None]
        with tempfile.TemporaryDirectory(prefix="crispcall-bench-") as workdir:
            browser = bench_browser(
                Path(workdir), sizes, split_list(args.browser), args.frames, args.warmup, threads=threads
            )
        add_browser_rows(document, browser, weights_dir())
    print(markdown_table(document))
    write_results(document, args.json)
