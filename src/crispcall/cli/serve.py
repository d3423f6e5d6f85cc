"""``crispcall serve``: the browser page with a live WebRTC call."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command, add_server_options, serve_until_stopped


def register(sub) -> None:
    parser = add_command(
        sub,
        "serve",
        "serve the browser page: a live WebRTC call sharpened by onnxruntime-web",
        "Serve the page, onnxruntime-web and the frame-graph ONNX files of --models on localhost, with the "
        "cross-origin isolation headers (COOP/COEP) that WASM threads need. Open the printed address in Chromium "
        "or Firefox, allow the camera, pick a call preset and press Start call. URL parameters start it without "
        "clicks: ?autostart=1&preset=150k&codec=VP8&model=student-int8.onnx.",
        ["crispcall serve", "crispcall serve --port 8080 --models weights"],
    )
    add_server_options(parser, 8000, "this machine only")
    parser.add_argument("--models", type=Path, help="folder of ONNX files (default: the shipped weights)")
    parser.add_argument(
        "--web-root", type=Path, help="the page's folder (default: the checkout's web/, else the installed copy)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.web.server import make_server

    serve_until_stopped(
        lambda: make_server(args.port, args.host, args.web_root, args.models, verbose=args.verbose),
        args,
        "the crispcall page",
    )
