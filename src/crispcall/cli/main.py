"""The ``crispcall`` command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from crispcall import __version__
from crispcall.errors import CheckFailed, InputError, Unavailable
from crispcall.files import check_writable, write_json
from crispcall.runtime.backends import BACKENDS

EXAMPLES = """examples:
  crispcall demo
  crispcall eval --suite call --preset x2,call,poor,lossy --method input unsharp espcn --json eval.json
  crispcall bench --size 1920x1080,1280x720 --threads 2 --method unsharp espcn --json bench.json
  crispcall data screens --out data/screens --count 1300
  crispcall data stats ../shared/data/train data/screens
"""


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


def _split(values: Sequence[str]) -> list[str]:
    """Accept both ``--x a b`` and ``--x a,b``."""
    return [v for value in values for v in value.split(",") if v]


def _existing_dir(text: str) -> Path:
    """An argparse type (its errors become usage errors, exit status 2) also used directly."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such folder: {path}")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {path}")
    return path


def _bounded(kind: type[int] | type[float], low: float, high: float | None = None, above: bool = False):
    """An argparse type: a ``kind`` number at least ``low`` (more than it, with ``above``) and
    at most ``high``; anything else is a usage error naming the range."""
    bounds = f"{'above' if above else 'at least'} {low}" + (f" and at most {high}" if high is not None else "")

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
        if value < low or (above and value == low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: {bounds}")
        return value

    return parse


def _output(folder: bool = False):
    """An argparse type for a file (or ``folder``) to write: refused before any work when it
    cannot be written (:func:`crispcall.files.check_writable`)."""

    def parse(text: str) -> Path:
        try:
            return check_writable(text, folder)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


@contextmanager
def _needs_extra(extra: str):
    """Turn a missing optional dependency into a one-line error naming the extra to install."""
    try:
        yield
    except ImportError as error:
        raise CliError(f"this command needs the {extra} extra: pip install 'crispcall[{extra}]' ({error})") from error


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    """``--data``, read by :func:`_test_data`."""
    parser.add_argument(
        "--data", type=Path, help="test data folder (default: $CRISPCALL_DATA, then ../shared/data/test)"
    )


def _test_data(given: Path | None) -> Path:
    """The test data folder: ``--data``, else ``$CRISPCALL_DATA`` or ../shared/data/test."""
    from crispcall.paths import test_data_dir

    data = given or test_data_dir()
    if data is None:
        raise CliError("no test data: pass --data DIR or set CRISPCALL_DATA")
    return _existing_dir(str(data))


def _method_names(names: Sequence[str], peers: Path | None, backend: str | None = None) -> list[str]:
    """Registry names from the command line: ``all`` expanded, ``--backend`` applied."""
    from crispcall.methods.models import MODEL_FILES
    from crispcall.methods.registry import available_methods

    names = _split(names)
    if "all" in names:
        names = [n for n in names if n != "all"] + available_methods(peers)
    if backend is not None:  # our networks and model files run on it; the rest is unchanged
        names = [
            f"{n}@{backend}" if (n in MODEL_FILES or n.endswith((".onnx", ".tflite"))) and "@" not in n else n
            for n in names
        ]
    return list(dict.fromkeys(names))


def _methods(names: Sequence[str], peers: Path | None, threads: int, backend: str | None = None):
    from crispcall.methods.registry import create_method

    return [create_method(name, peers, threads) for name in _method_names(names, peers, backend)]


def cmd_demo(args: argparse.Namespace) -> None:
    from crispcall.evaluation.demo import run_demo

    report = run_demo(args.out)
    print(report.read_text())
    print(f"wrote {args.out}/: report.md, side_by_side.png, degraded.mp4, sharpened.mp4, side_by_side.mp4")


def _frame_method(args: argparse.Namespace):
    """The restorer video, image and live use: a registry name or a model file, on --backend."""
    from crispcall.methods.registry import create_method

    name = args.model if args.backend is None else f"{args.model}@{args.backend}"
    if getattr(args, "temporal", False):
        name += "+temporal"
    method = create_method(name, threads=args.threads)
    if method.low_input:
        raise CliError(f"{args.model} is a super-resolution peer; give a same-size model")
    return method


def cmd_video(args: argparse.Namespace) -> None:
    from crispcall.runtime.video import sharpen_video

    method = _frame_method(args)
    report = sharpen_video(
        args.input, args.output, method.run, args.side_by_side, args.reference, args.crf, progress=not args.quiet
    )
    print(
        f"wrote {args.output}: {report.frames} frames in {report.seconds:.1f} s ({report.fps:.1f} fps, {method.name})"
    )
    if report.copied_packets:
        print(f"audio and subtitles: {report.copied_packets} packets copied")
    for note in report.notes:
        print(f"warning: {note}", file=sys.stderr)
    if report.psnr is not None:
        print(f"against {args.reference}: PSNR {report.psnr:.2f} dB, SSIM {report.ssim:.4f}", end="")
        if report.flicker is not None:
            print(f", flicker {report.flicker:.3f} (input {report.input_flicker:.3f})", end="")
        print()


def cmd_image(args: argparse.Namespace) -> None:
    from crispcall.runtime.images import image_jobs, sharpen_images

    jobs = image_jobs(args.inputs, args.out)
    method = _frame_method(args)
    failures = sharpen_images(jobs, method.run, progress=not args.quiet)
    print(f"wrote {len(jobs) - len(failures)} of {len(jobs)} images to {args.out} ({method.name})")
    for path, reason in failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    if failures:
        raise CliError(f"{len(failures)} image(s) failed")


def cmd_live(args: argparse.Namespace) -> None:
    from crispcall.runtime.live import parse_source, run_live

    method = _frame_method(args)
    show = False if args.no_window else None
    report = run_live(parse_source(args.source), method.run, args.out, show, args.seconds)
    print(
        f"{report.sharpened} frames sharpened, {report.dropped} dropped of {report.read} read "
        f"({report.fps:.1f} fps, {method.name})"
        + ("; stopped by Ctrl-C" if report.interrupted else "")
        + (f"; wrote {args.out}" if args.out and report.sharpened else "")
    )


def cmd_eval(args: argparse.Namespace) -> None:
    from crispcall.evaluation import evaluate, markdown_tables
    from crispcall.metrics.ocr import tesseract_available

    data = _test_data(args.data)
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be >= 1")
    ocr = not args.no_ocr
    if ocr and not tesseract_available():
        raise CliError("OCR needs tesseract (apt-get install tesseract-ocr), or pass --no-ocr")
    methods = _methods(args.method, args.peers, args.threads, args.backend)
    document = evaluate(data, _split(args.suite), _split(args.preset), methods, args.limit, ocr)
    print(markdown_tables(document))
    if args.json:
        write_json(args.json, document)
        print(f"wrote {args.json}")


def cmd_flicker(args: argparse.Namespace) -> None:
    from crispcall.evaluation.temporal import stability_table, stream_stability

    data = _test_data(args.data)
    methods = _methods(args.method, args.peers, args.threads, args.backend)
    if any(m.low_input for m in methods):
        raise CliError("flicker runs same-size methods (our networks, input, unsharp)")
    document = stream_stability(data, methods, args.preset, args.frames)
    print(stability_table(document))
    if args.json:
        write_json(args.json, document)
        print(f"wrote {args.json}")


def cmd_table(args: argparse.Namespace) -> None:
    from crispcall.evaluation import difference_table, markdown_tables, merge_documents

    documents = []
    for path in args.results:
        if not path.is_file():
            raise CliError(f"no such file: {path}")
        try:
            documents.append(json.loads(path.read_text()))
        except json.JSONDecodeError as error:
            raise CliError(f"{path} is not JSON from crispcall eval ({error})") from error
    document = merge_documents(documents)
    print(markdown_tables(document))
    if args.against:
        print(difference_table(document, args.against))


def cmd_bench(args: argparse.Namespace) -> None:
    from crispcall.bench import benchmark, markdown_table, parse_size
    from crispcall.methods.registry import create_method

    sizes = [parse_size(s) for s in _split(args.size)]
    names = _method_names(args.method, args.peers, args.backend)
    # One model at a time: each is created when its turn comes and released after it.
    methods = (create_method(name, args.peers, args.threads) for name in names)
    document = benchmark(methods, sizes, args.threads, args.warmup, args.frames)
    if args.browser:
        import tempfile

        from crispcall.web.browser import bench_browser

        with tempfile.TemporaryDirectory(prefix="crispcall-bench-") as workdir:
            threads = [int(t) for t in _split(args.browser_threads)] if args.browser_threads else [None]
            browser = bench_browser(
                Path(workdir), sizes, _split(args.browser), args.frames, args.warmup, threads=threads
            )
        document["meta"]["browser"] = {"chromium": browser["chromium"]}
        document["results"] += [
            {**row, "x_bilinear": row["median_ms"] / floor["median_ms"]}
            for row in browser["results"]
            for floor in document["results"]
            if floor["method"] == "bilinear" and floor["size"] == row["size"]
        ]
    print(markdown_table(document))
    if args.json:
        write_json(args.json, document)
        print(f"wrote {args.json}")


def cmd_serve(args: argparse.Namespace) -> None:
    from crispcall.web.server import make_server

    _serve_until_stopped(
        lambda: make_server(args.port, args.host, args.web_root, args.models, verbose=args.verbose),
        args,
        "the crispcall page",
    )


def _serve_until_stopped(make: Callable, args: argparse.Namespace, what: str) -> None:
    """Start the server ``make`` builds on ``args.host:args.port`` and serve until Ctrl-C."""
    try:
        server = make()
    except FileNotFoundError as error:
        raise CliError(str(error)) from error
    except OSError as error:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from error
    print(f"serving {what} at http://{args.host}:{server.server_port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def cmd_study_make_clips(args: argparse.Namespace) -> None:
    with _needs_extra("study"):
        from crispcall.study.clips import make_clips

    data = _test_data(args.data)
    try:
        manifest = make_clips(data, args.out, _split(args.preset), args.per_set, args.seconds, _split(args.sets))
    except FileExistsError as error:  # main() reports ValueError and FileNotFoundError, not other OSErrors
        raise CliError(str(error)) from error
    count = len(json.loads(manifest.read_text())["stimuli"])
    print(f"wrote {count} stimuli and {manifest}")


def cmd_study_serve(args: argparse.Namespace) -> None:
    with _needs_extra("study"):
        from werkzeug.serving import make_server

        from crispcall.study.app import create_app

    _serve_until_stopped(
        lambda: make_server(args.host, args.port, create_app(args.clips, args.db, args.seed, args.mode), threaded=True),
        args,
        f"the study (answers in {args.db})",
    )


def cmd_study_results(args: argparse.Namespace) -> None:
    with _needs_extra("study"):
        from crispcall.study.results import study_results

    document = study_results(args.db, args.clips, args.out)
    kept = sum(r["kept"] for r in document["raters"])
    print(f"{kept} of {len(document['raters'])} raters kept by screening")
    for row in document["mos"]:
        if row["content"] == "all":
            print(f"  {row['condition']:>9}: MOS {row['mos']:.2f} +- {row['ci95']:.2f} ({row['n']} ratings)")
    if not document["mos"]:
        print("no MOS: no rater's ratings were kept")
    print(f"wrote {', '.join(document['files'])} in {args.out}")


def cmd_report(args: argparse.Namespace) -> None:
    with _needs_extra("report"):
        import markdown  # noqa: F401 - checked here so that a missing extra fails before any work

        from crispcall.report import build_report

    if not args.results.is_dir():
        raise CliError(f"no such folder: {args.results}")
    out = build_report(args.results, args.out, args.study)
    print(f"wrote {out} and {out.with_suffix('.html')}")


def cmd_profile(args: argparse.Namespace) -> None:
    from crispcall.bench.profile import profile_graph, profile_table
    from crispcall.bench.runner import parse_size

    if not args.model.is_file():
        raise CliError(f"no such model file: {args.model}")
    width, height = parse_size(args.size)
    print(profile_table(profile_graph(args.model, width, height, args.threads, args.frames)))


def cmd_data_cache(args: argparse.Namespace) -> None:
    from crispcall.data.cache import write_cache
    from crispcall.data.patches import parse_mix
    from crispcall.paths import test_data_dir

    tests = args.test if args.test is not None else [d for d in [test_data_dir()] if d]
    out = write_cache(
        args.train,
        args.out,
        args.count,
        args.patch_size,
        args.seed,
        args.workers,
        tests,
        args.config,
        holdout_every=args.holdout_every,
        mix=parse_mix(args.mix) if args.mix else None,
    )
    print(f"wrote {args.count} pairs of {args.patch_size}x{args.patch_size} to {out}")


def cmd_data_screens(args: argparse.Namespace) -> None:
    from crispcall.data.screens import generate_screens

    written = generate_screens(args.out, args.count, args.seed)
    print(f"wrote {len(written)} screens (PNG + rendered text) to {args.out}")


def cmd_data_stats(args: argparse.Namespace) -> None:
    from crispcall.data.stats import source_stats

    stats = source_stats(args.dirs)
    width = max(len(k) for k in stats)
    for key, count in stats.items():
        print(f"{key:<{width}}  {count}")


def cmd_tune_unsharp(args: argparse.Namespace) -> None:
    from crispcall.data.folders import ImageFolder, check_no_overlap
    from crispcall.degrade.ops import crop_to_multiple
    from crispcall.methods.baselines import tune_unsharp
    from crispcall.paths import test_data_dir

    tests = [d for d in [test_data_dir()] if d]
    check_no_overlap(args.train, tests)
    paths = ImageFolder.scan(args.train).paths
    # An even spread over the folders, not the first N of one of them; only those are read.
    chosen = list(ImageFolder(paths[:: max(1, len(paths) // args.limit)][: args.limit]))
    images = [crop_to_multiple(img) for _p, img in chosen]
    record = tune_unsharp(images, [p.name for p, _img in chosen], args.preset)
    record["command"] = "crispcall " + " ".join(sys.argv[1:])
    record["train"] = [str(t) for t in args.train]
    write_json(args.out, record)
    print(json.dumps(record, indent=1))


def cmd_train(args: argparse.Namespace) -> None:
    with _needs_extra("train"):
        from crispcall.distill.train import train_student
        from crispcall.train.teacher import train_teacher

    run = train_teacher if args.train_command == "teacher" else train_student
    print(f"wrote {run(args.config, args.out, args.steps, args.set)}")


def cmd_train_responses(args: argparse.Namespace) -> None:
    with _needs_extra("train"):
        from crispcall.distill.responses import write_responses

    for path in (args.teacher, args.cache):
        if not path.is_file():
            raise CliError(f"no such file: {path}")
    print(f"wrote {write_responses(args.teacher, args.cache, args.out, args.batch_size)}")


def cmd_train_import_waifu2x(args: argparse.Namespace) -> None:
    with _needs_extra("train"):
        from crispcall.train.teacher import import_waifu2x

    if not args.bin.is_file():
        raise CliError(f"no such file: {args.bin}")
    print(f"wrote {import_waifu2x(args.bin, args.out)}")


def cmd_train_plot(args: argparse.Namespace) -> None:
    from crispcall.train.plot import plot_log

    if not args.log.is_file():
        raise CliError(f"no such file: {args.log}")
    print(f"wrote {plot_log(args.log, args.out)}")


def cmd_export(args: argparse.Namespace) -> None:
    with _needs_extra("train"):
        from crispcall.export.onnx import export_onnx
        from crispcall.models.complexity import conv_macs, parameter_count
        from crispcall.models.io import load_network
        from crispcall.models.student import Student

    if args.out.suffix != f".{args.format}":
        raise CliError(f"--out {args.out} should end in .{args.format} for --format {args.format}")
    model = load_network(args.checkpoint)
    if isinstance(model, Student):
        model.fuse()  # inference runs the collapsed, plain convolutions
    calibration, check = _calibration(args) if args.int8 else ([], [])
    if args.format == "tflite":
        from crispcall.bench.runner import parse_size
        from crispcall.export.tflite import export_tflite

        width, height = parse_size(args.size)
        path, figure = export_tflite(model, args.out, (height, width), calibration)
        checked = f"{figure:.1f} dB PSNR against PyTorch" if args.int8 else f"{figure:.2%} of values within 1/255"
    elif args.int8:
        import tempfile

        from crispcall.quant.ptq import quantize_onnx

        with tempfile.TemporaryDirectory() as scratch:
            fp32 = export_onnx(model, Path(scratch) / "fp32.onnx")
            figure = quantize_onnx(fp32, args.out, calibration, check)
        path, checked = args.out, f"{figure:.1f} dB PSNR against the FP32 graph"
    else:
        path, checked = export_onnx(model, args.out, generic=args.generic_io), "verified against PyTorch"
    print(f"wrote {path} ({Path(path).stat().st_size:,} bytes), {checked}")
    print(f"parameters: {parameter_count(model):,}; MACs per 1920x1080 frame: {conv_macs(model) / 1e9:.1f} G")


def _calibration(args: argparse.Namespace) -> tuple[list, list]:
    """INT8 calibration frames and separate check frames, from training folders only."""
    from crispcall.data.folders import check_no_overlap
    from crispcall.paths import test_data_dir, train_dir
    from crispcall.quant.ptq import calibration_frames

    roots = args.calibration or [_existing_dir(str(train_dir()))]
    check_no_overlap(roots, [d for d in [test_data_dir()] if d])
    return calibration_frames(roots, args.count, seed=0), calibration_frames(roots, 8, seed=1)


def cmd_prune(args: argparse.Namespace) -> None:
    with _needs_extra("train"):
        from crispcall.distill.prune import prune_student, save_pruned
        from crispcall.models.complexity import conv_macs, parameter_count
        from crispcall.models.io import load_network

    model = load_network(args.checkpoint, "student").fuse()
    pruned = prune_student(model, args.keep)
    print(f"wrote {save_pruned(pruned, args.checkpoint, args.out)}")
    for label, net in (("before", model), ("after", pruned)):
        print(
            f"{label}: {net.channels} channels, {parameter_count(net):,} parameters, "
            f"{conv_macs(net) / 1e9:.2f} GMAC/1080p"
        )


def _add_method_options(parser: argparse.ArgumentParser, default_methods: list[str]) -> None:
    """The options eval and bench share: which methods, where peers live, threads, JSON out."""
    parser.add_argument(
        "--method",
        nargs="+",
        default=default_methods,
        help="registry names, .onnx files from crispcall export, or 'all' for every method that can run "
        f"(default: {' '.join(default_methods)})",
    )
    parser.add_argument(
        "--peers", type=Path, help="folder of peer weights (default: $CRISPCALL_PEERS, then ../shared/peers)"
    )
    parser.add_argument("--threads", type=int, default=2, help="threads per method (default: %(default)s)")
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="runtime for our networks and model files (default: ONNX Runtime; NAME@BACKEND sets one method's)",
    )
    parser.add_argument("--json", type=_output(), help="write the results as JSON here")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crispcall",
        description="Sharpen blurry, low-bandwidth video-call frames in real time.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"crispcall {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="a call end to end on an embedded clip: degrade, sharpen, compare",
        description="Build an embedded clip (a generated slide, scikit-image's astronaut and printed text, "
        "a slow pan and zoom), send it through the call preset as a real H.264 stream, sharpen it with the "
        "shipped student, and write the degraded, sharpened and side-by-side clips, a side-by-side PNG with "
        "zoomed insets on the text and the face, and report.md (PSNR, SSIM, edge ratio, flicker, fps). "
        "Needs no network and no data folder.",
        epilog="examples:\n  crispcall demo\n  crispcall demo --out /tmp/demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--out", type=Path, default=Path("crispcall-demo"), help="output folder (default: %(default)s)")
    demo.set_defaults(func=cmd_demo)

    frames_help = {
        "video": (
            "sharpen a video file (audio kept)",
            "Decode with PyAV, sharpen every frame, encode H.264 (the input's frame rate, time stamps and "
            "rotation kept; audio copied untouched). Decoding, inference and encoding overlap. The output "
            "is written to a hidden temporary file and renamed when complete.",
            "examples:\n  crispcall video call.mp4 sharp.mp4\n"
            "  crispcall video call.mp4 compare.mp4 --side-by-side --model student-int8\n"
            "  crispcall video degraded.mp4 sharp.mp4 --reference clean.mp4   # PSNR, SSIM, flicker",
        ),
        "image": (
            "sharpen image files or folders",
            "Sharpen images (PNG, JPEG, WebP, BMP, TIFF; folders searched recursively) into a folder, "
            "keeping each file's format, EXIF, ICC profile and DPI; grey stays grey and alpha is kept. "
            "A file that fails is reported and the rest go on.",
            "examples:\n  crispcall image slide.png photos/ -o sharp/\n"
            "  crispcall image scan.jpg -o out/ --model unsharp",
        ),
        "live": (
            "sharpen a camera, stream or file live",
            "Read frames at real-time pace (a file plays at its frame rate), sharpen the newest, drop the "
            "ones that could not be taken rather than fall behind (and report how many). Shows a window "
            "when a display exists; --out writes the result (each frame at its source time).",
            "examples:\n  crispcall live --source 0\n  crispcall live --source call.mp4 --out live.mp4 --no-window",
        ),
    }

    def frame_parser(name: str) -> argparse.ArgumentParser:
        summary, description, examples = frames_help[name]
        parser_ = sub.add_parser(
            name,
            help=summary,
            description=description,
            epilog=examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser_.add_argument(
            "--model",
            default="student",
            help="registry name (student, student-int8, teacher, unsharp, ...) or an exported .onnx/.tflite "
            "file (default: %(default)s)",
        )
        parser_.add_argument("--backend", choices=BACKENDS, help="runtime for our networks")
        parser_.add_argument(
            "--threads", type=_bounded(int, 1), default=2, help="inference threads (default: %(default)s)"
        )
        if name in ("video", "live"):  # streams: the blend needs the previous frame
            parser_.add_argument(
                "--temporal", action="store_true", help="blend with the previous output where the picture is still"
            )
        return parser_

    video = frame_parser("video")
    video.add_argument("input", type=Path, help="video file to sharpen")
    video.add_argument("output", type=_output(), help="file to write (.mp4, .mkv, .mov)")
    video.add_argument("--side-by-side", action="store_true", help="input left, sharpened right")
    video.add_argument("--reference", type=Path, help="clean clip of the same frames: print PSNR, SSIM, flicker")
    video.add_argument(
        "--crf", type=_bounded(int, 0, 51), default=18, help="H.264 quality, lower is better (default: %(default)s)"
    )
    video.add_argument("--quiet", action="store_true", help="no progress bar")
    video.set_defaults(func=cmd_video)
    image = frame_parser("image")
    image.add_argument("inputs", nargs="+", type=Path, help="image files or folders")
    image.add_argument("-o", "--out", type=_output(folder=True), required=True, help="output folder")
    image.add_argument("--quiet", action="store_true", help="no progress bar")
    image.set_defaults(func=cmd_image)
    live = frame_parser("live")
    live.add_argument("--source", default="0", help="camera index, video file or stream URL (default: %(default)s)")
    live.add_argument("--out", type=_output(), help="write the sharpened frames to this video file")
    live.add_argument("--no-window", action="store_true", help="do not open a window even if a display exists")
    live.add_argument("--seconds", type=_bounded(float, 0, above=True), help="stop after this many seconds")
    live.set_defaults(func=cmd_live)

    ev = sub.add_parser(
        "eval",
        help="score methods on the test suites (BENCHMARK.md)",
        description="Print the reference table of BENCHMARK.md and write its JSON.",
        epilog="example: crispcall eval --suite call --preset call --method input unsharp espcn --limit 5",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_data_option(ev)
    ev.add_argument("--suite", nargs="+", default=["call"], help="call, natural, classic (default: call)")
    ev.add_argument(
        "--preset", nargs="+", default=["x2", "call", "poor", "lossy"], help="x2, call, poor, lossy (default: all four)"
    )
    _add_method_options(ev, ["input", "unsharp"])
    ev.add_argument("--limit", type=int, help="score at most N files per set (clips for the video set)")
    ev.add_argument("--no-ocr", action="store_true", help="skip the OCR character error rate")
    ev.set_defaults(func=cmd_eval)

    flick = sub.add_parser(
        "flicker",
        help="temporal stability over whole test clips, every frame in order",
        description="Send the first --frames frames of every test clip through a preset as one H.264 stream "
        "and restore all of them in order with each method (stateful ones, such as student+temporal, start "
        "fresh per clip); print flicker (BENCHMARK.md) and PSNR.",
        epilog="example: crispcall flicker --preset call --method input student student+temporal --json f.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    flick.add_argument("--preset", default="call", help="degradation preset (default: %(default)s)")
    flick.add_argument("--frames", type=int, default=90, help="frames per clip (default: %(default)s)")
    _add_data_option(flick)
    _add_method_options(flick, ["input", "student", "student+temporal"])
    flick.set_defaults(func=cmd_flicker)

    table = sub.add_parser(
        "table",
        help="print the Markdown tables of saved eval results, merged",
        description="Merge the JSON of several crispcall eval runs over the same suites, presets and data, "
        "and print their tables; --against adds each method's PSNR difference to one of them.",
        epilog="example: crispcall table docs/results/eval-baselines.json docs/results/eval-teacher-call.json "
        "--against imdn-rte",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    table.add_argument("results", nargs="+", type=Path, metavar="JSON", help="files written by eval --json")
    table.add_argument("--against", metavar="METHOD", help="method to give PSNR differences against")
    table.set_defaults(func=cmd_table)

    bench = sub.add_parser(
        "bench",
        help="time the full frame path (BENCHMARK.md)",
        description="Median ms and fps per method, side by side with bilinear resize.",
        epilog="examples:\n  crispcall bench --size 1920x1080 --method unsharp fsrcnn\n"
        "  crispcall bench --size 1280x720 640x360 --method student --browser student.onnx student-int8.onnx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bench.add_argument(
        "--size", nargs="+", default=["1920x1080", "1280x720"], help="output sizes WxH (default: 1920x1080 1280x720)"
    )
    bench.add_argument("--frames", type=int, default=30, help="timed frames (default: %(default)s)")
    bench.add_argument("--warmup", type=int, default=5, help="untimed warm-up frames (default: %(default)s)")
    _add_method_options(bench, ["unsharp"])
    bench.add_argument(
        "--browser",
        nargs="+",
        metavar="MODEL",
        help="also run these model files (e.g. student.onnx student-int8.onnx) in the browser page, in headless "
        "Chromium, during a 150 kbps VP8 call, at each --size (the height the page sharpens at): the page's "
        "fps and median model ms (needs the web extra, Chromium and web/node_modules)",
    )
    bench.add_argument(
        "--browser-threads",
        nargs="+",
        metavar="N",
        help="WASM model threads to run the page with, each in turn (default: the page's own choice, one core "
        "left to the call)",
    )
    bench.set_defaults(func=cmd_bench)

    serve = sub.add_parser(
        "serve",
        help="serve the browser page: a live WebRTC call sharpened by onnxruntime-web",
        description="Serve web/ (the page), onnxruntime-web and the frame-graph ONNX files of --models on "
        "localhost, with the cross-origin isolation headers (COOP/COEP) that WASM threads need. Open the "
        "printed address in Chromium or Firefox, allow the camera, pick a call preset and press Start call. "
        "URL parameters start it without clicks: ?autostart=1&preset=150k&codec=VP8&model=student-int8.onnx.",
        epilog="examples:\n  crispcall serve\n  crispcall serve --port 8080 --models weights",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--port", type=_bounded(int, 0, 65535), default=8000, help="port (default: %(default)s; 0 picks a free one)"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)"
    )
    serve.add_argument("--models", type=Path, help="folder of ONNX files (default: the shipped weights/)")
    serve.add_argument(
        "--web-root", type=Path, help="the page's folder (default: the checkout's web/, else the installed copy)"
    )
    serve.add_argument("--verbose", action="store_true", help="log every request")
    serve.set_defaults(func=cmd_serve)

    study = sub.add_parser("study", help="a blind viewer study (MOS): stimuli, rating app, results")
    study_sub = study.add_subparsers(dest="study_command", required=True, metavar="ACTION")
    make_clips = study_sub.add_parser(
        "make-clips",
        help="build the stimulus set from the test clips and images",
        description="Degrade test clips (faces) and images (faces, screens, natural) with each preset and write "
        "every condition (original, degraded, unsharp, student, teacher) under random file names, with "
        "manifest.json mapping them, plus the training anchors.",
        epilog="example: crispcall study make-clips --out runs/study/clips --preset call --per-set 2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    make_clips.add_argument("--out", type=Path, required=True, help="new folder for the stimuli")
    _add_data_option(make_clips)
    make_clips.add_argument("--preset", nargs="+", default=["call"], help="presets (default: call)")
    make_clips.add_argument("--per-set", type=int, default=2, help="sources per set (default: %(default)s)")
    make_clips.add_argument("--seconds", type=float, default=3.0, help="clip length (default: %(default)s)")
    make_clips.add_argument(
        "--sets", nargs="+", default=["video", "faces", "screens", "BSD100"], help="test sets to draw from"
    )
    make_clips.set_defaults(func=cmd_study_make_clips)
    study_serve = study_sub.add_parser(
        "serve",
        help="run the rating app",
        description="Serve the P.910 rating app: each rater gets a session, the training anchors, then every "
        "stimulus in a randomised, balanced order with no label naming its condition. Answers are stored at "
        "once in the SQLite database; a restarted server and a reloaded page resume.",
        epilog="examples:\n  crispcall study serve --clips runs/study/clips --db runs/study/study.sqlite\n"
        "  crispcall study serve --clips runs/study/clips --db runs/study/study.sqlite --mode pair --port 8080",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    study_serve.add_argument("--clips", type=Path, required=True, help="folder from make-clips")
    study_serve.add_argument("--db", type=_output(), required=True, help="SQLite file (created when missing)")
    study_serve.add_argument("--port", type=_bounded(int, 0, 65535), default=8010, help="port (default: %(default)s)")
    study_serve.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s; 0.0.0.0 for a lab)")
    study_serve.add_argument("--mode", choices=["acr", "pair"], default="acr", help="method (default: %(default)s)")
    study_serve.add_argument("--seed", type=int, help="fix the study's base order (default: random)")
    study_serve.set_defaults(func=cmd_study_serve)
    results = study_sub.add_parser(
        "results",
        help="MOS with 95%% intervals per condition and content, rater screening, CSV and plot",
        description="Screen raters (P.910 / P.913 correlation test), then compute MOS, standard deviation and "
        "95%% confidence intervals per condition and content type; pair answers give preference shares. "
        "Writes mos.csv, raters.csv, pairs.csv, mos.png and results.json.",
        epilog="example: crispcall study results --db runs/study/study.sqlite --clips runs/study/clips "
        "--out docs/study",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    results.add_argument("--db", type=Path, required=True, help="the study's SQLite file")
    results.add_argument("--clips", type=Path, required=True, help="the stimulus folder (its manifest)")
    results.add_argument("--out", type=Path, required=True, help="folder for the CSV, plot and JSON")
    results.set_defaults(func=cmd_study_results)

    report = sub.add_parser(
        "report",
        help="build docs/REPORT.md (and .html) from the eval, bench, flicker and study results",
        description="Generate the project report from the JSON in --results (crispcall eval, bench, flicker) and "
        "the study's results.json: method, quality per suite and preset, ablations, pruning, INT8, speed beside "
        "the peers, a quality-against-speed plot, per-content results, temporal stability, the study's MOS and "
        "the limits found. Every number comes from those files.",
        epilog="example: crispcall report --study docs/study/results.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument(
        "--results", type=Path, default=Path("docs/results"), help="folder of result JSON (default: %(default)s)"
    )
    report.add_argument("--study", type=Path, help="results.json of crispcall study results")
    report.add_argument(
        "--out",
        type=Path,
        default=Path("docs/REPORT.md"),
        help="report to write (default: %(default)s); the HTML copy goes beside it",
    )
    report.set_defaults(func=cmd_report)

    profile = sub.add_parser(
        "profile",
        help="time an ONNX frame graph per operator type (ONNX Runtime's profiler)",
        description="Run an exported ONNX graph on a synthetic frame and sum ONNX Runtime's kernel times "
        "per operator type over the timed frames: where the frame path's time goes.",
        epilog="example: crispcall profile weights/student-int8.onnx --size 1920x1080 --threads 2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    profile.add_argument("model", type=Path, help="an .onnx file from crispcall export")
    profile.add_argument("--size", default="1920x1080", help="frame size WxH (default: %(default)s)")
    profile.add_argument("--threads", type=int, default=2, help="intra-op threads (default: %(default)s)")
    profile.add_argument("--frames", type=int, default=20, help="timed frames (default: %(default)s)")
    profile.set_defaults(func=cmd_profile)

    data = sub.add_parser("data", help="training data: pair cache, screen content, statistics")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    cache = data_sub.add_parser(
        "cache",
        help="write a fixed cache of degraded/clean patch pairs",
        description="Make patch pairs with the random training degradation "
        "and save them in one .npz. Refuses folders that overlap the test data.",
        epilog="example: crispcall data cache --train ../shared/data/train "
        "data/screens --out data/pairs.npz --count 20000 --workers 2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cache.add_argument("--train", nargs="+", type=_existing_dir, required=True, help="training folders")
    cache.add_argument("--out", type=Path, required=True, help="output .npz file")
    cache.add_argument("--count", type=int, default=20000, help="pairs (default: %(default)s)")
    cache.add_argument("--patch-size", type=int, default=96, help="patch side in px (default: %(default)s)")
    cache.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    cache.add_argument("--workers", type=int, default=2, help="worker processes (default: %(default)s)")
    cache.add_argument(
        "--test",
        nargs="*",
        type=Path,
        help="test folders to keep apart (default: $CRISPCALL_DATA or ../shared/data/test)",
    )
    cache.add_argument(
        "--holdout-every",
        type=int,
        default=50,
        help="keep every N-th training image out of the cache for validation; 0 keeps none (default: %(default)s)",
    )
    cache.add_argument(
        "--mix",
        default="natural:0.45,faces:0.2,text/screens:0.35",
        help="share of pairs per content category; '' samples images uniformly (default: %(default)s)",
    )
    cache.add_argument("--config", help="degradation ranges YAML (default: the packaged train.yaml)")
    cache.set_defaults(func=cmd_data_cache)

    screens = data_sub.add_parser(
        "screens",
        help="generate synthetic screen-share images with their text",
        description="Render slides, documents, code, spreadsheets and chats "
        "at 720p/1080p; each PNG gets a .txt of the text drawn on it.",
        epilog="example: crispcall data screens --out data/screens --count 1300",
    )
    screens.add_argument("--out", type=Path, required=True, help="output folder")
    screens.add_argument("--count", type=int, default=1300, help="images (default: %(default)s)")
    screens.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    screens.set_defaults(func=cmd_data_screens)

    stats = data_sub.add_parser(
        "stats",
        help="count unique source images per category",
        description="Unique images (by content) per category: natural, faces, text/screens.",
        epilog="example: crispcall data stats ../shared/data/train data/screens",
    )
    stats.add_argument("dirs", nargs="+", type=_existing_dir, metavar="DIR")
    stats.set_defaults(func=cmd_data_stats)

    tune = sub.add_parser(
        "tune-unsharp",
        help="tune the unsharp-mask baseline on training images",
        description="Grid-search the unsharp mask's sigma and amount for the best "
        "PSNR under a preset, on training images only, and record the result.",
        epilog="example: crispcall tune-unsharp --train ../shared/data/train --limit 100 --preset call "
        "--out src/crispcall/methods/unsharp.json",
    )
    tune.add_argument("--train", nargs="+", type=_existing_dir, required=True, help="training folders")
    tune.add_argument("--limit", type=int, default=100, help="images, spread over the folders (default: %(default)s)")
    tune.add_argument("--preset", default="call", help="preset to tune for (default: %(default)s)")
    tune.add_argument(
        "--out",
        type=_output(),
        required=True,
        help="where to record the parameters (the shipped ones: src/crispcall/methods/unsharp.json of a checkout)",
    )
    tune.set_defaults(func=cmd_tune_unsharp)
    train = sub.add_parser("train", help="train a network (needs the train extra)")
    train_sub = train.add_subparsers(dest="train_command", required=True, metavar="NETWORK")
    teacher = train_sub.add_parser(
        "teacher",
        help="train the teacher",
        description="Train or fine-tune the teacher (model.kind: upconv7, from waifu2x, or srresnet, from "
        "scratch) on the pair cache named in the config. Reruns resume from OUT/checkpoint.pt. Under torchrun, "
        "one process per GPU (or CPU group).",
        epilog="example: crispcall train teacher --config configs/teacher-upconv7.yaml --out runs/teacher-upconv7",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    student = train_sub.add_parser(
        "student",
        help="train the student by distillation from the teacher",
        description="Train the tiny student on the pair cache named in the config, with the ground-truth "
        "loss plus the distillation terms of its distill section (response, feature, structure; 0 turns a "
        "term off). Reruns resume from OUT/checkpoint.pt.",
        epilog="example: crispcall train student --config configs/student-cpu.yaml --out runs/student",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for network, parser_ in (("teacher", teacher), ("student", student)):
        parser_.add_argument("--config", type=Path, required=True, help=f"YAML config (configs/{network}-*.yaml)")
        parser_.add_argument("--out", type=Path, required=True, help=f"run folder: checkpoint, log.csv, {network}.pt")
        parser_.add_argument("--steps", type=int, help="override train.steps")
        parser_.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="SECTION.KEY=VALUE",
            help="override one config value (repeatable), e.g. --set distill.feature=0",
        )
        parser_.set_defaults(func=cmd_train)
    responses = train_sub.add_parser(
        "responses",
        help="run the teacher once on every pair of a cache, for fast response distillation",
        description="Write the frozen teacher's outputs on every degraded patch of a pair cache (uint8, the "
        "cache's order). A student config that names the file in distill.responses reads its response "
        "targets from it instead of running the teacher at every step (about 4x faster on the CPU).",
        epilog="example: crispcall train responses --teacher weights/teacher.pt --cache data/pairs-call-128.npz "
        "--out data/pairs-call-128-teacher.npz",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    responses.add_argument(
        "--teacher", type=Path, default=Path("weights/teacher.pt"), help="teacher weights (default: %(default)s)"
    )
    responses.add_argument("--cache", type=Path, required=True, help="pair cache (.npz from crispcall data cache)")
    responses.add_argument("--out", type=Path, required=True, help=".npz to write")
    responses.add_argument("--batch-size", type=int, default=32, help="patches per teacher pass (default: %(default)s)")
    responses.set_defaults(func=cmd_train_responses)
    waifu2x = train_sub.add_parser(
        "import-waifu2x",
        help="turn waifu2x's ncnn upconv_7 weights into a teacher to fine-tune",
        description="Read waifu2x's upconv_7 weights (the ncnn .bin of shared/peers/waifu2x, MIT) into the "
        "same-size upconv7 teacher (crispcall.models.upconv7) and write them as a weights file that a "
        "teacher config's train.init can name.",
        epilog="example: crispcall train import-waifu2x --bin ../shared/peers/waifu2x/noise1_scale2.0x_model.bin "
        "--out runs/upconv7-noise1.pt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    waifu2x.add_argument("--bin", type=Path, required=True, help="waifu2x upconv_7 ncnn weights (.bin)")
    waifu2x.add_argument("--out", type=_output(), required=True, help="teacher weights file (.pt) to write")
    waifu2x.set_defaults(func=cmd_train_import_waifu2x)
    plot = train_sub.add_parser(
        "plot",
        help="plot a run's log.csv (loss and validation PSNR) as a PNG",
        epilog="example: crispcall train plot --log runs/student-response/log.csv --out docs/models/student-curve.png",
    )
    plot.add_argument("--log", type=Path, required=True, help="log.csv of a run")
    plot.add_argument("--out", type=Path, required=True, help="PNG to write")
    plot.set_defaults(func=cmd_train_plot)
    export = sub.add_parser(
        "export",
        help="export trained weights to ONNX or TFLite, FP32 or INT8",
        description="Export a trained network (the .pt that crispcall train writes; a student is fused "
        "first) as a graph on RGB uint8 frames (1 x H x W x 3), and check the written file by running it: "
        "FP32 against PyTorch (99% of values within 1/255), INT8 against FP32 (PSNR above 45 dB). "
        "ONNX: opset 17, dynamic height and width, simplified with onnxslim; INT8 is ONNX Runtime's static "
        "QDQ quantization (per-channel int8 weights, uint8 activations) calibrated on degraded training "
        "frames. TFLite (litert-torch; the tflite extra): a fixed frame size (--size; the runtime tiles "
        "other sizes to it); INT8 by litert-torch's PT2E quantizer on the same calibration frames. "
        "A failed export leaves no file.",
        epilog="examples:\n"
        "  crispcall export --checkpoint weights/student.pt --out weights/student.onnx\n"
        "  crispcall export --checkpoint runs/student-qat/student.pt --out weights/student-int8.onnx --int8\n"
        "  crispcall export --checkpoint weights/student.pt --out weights/student.tflite --format tflite",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("--checkpoint", type=Path, required=True, help="weights written by crispcall train")
    export.add_argument("--out", type=Path, required=True, help="file to write (.onnx or .tflite)")
    export.add_argument("--format", choices=["onnx", "tflite"], default="onnx", help="(default: %(default)s)")
    export.add_argument("--int8", action="store_true", help="quantize to INT8 (calibrated on training frames)")
    export.add_argument(
        "--calibration",
        nargs="+",
        type=_existing_dir,
        help="training folders for INT8 calibration (default: $CRISPCALL_TRAIN or ../shared/data/train)",
    )
    export.add_argument("--count", type=int, default=64, help="calibration frames (default: %(default)s)")
    export.add_argument(
        "--generic-io",
        action="store_true",
        help="FP32 ONNX through the plain NCHW wrapper instead of the student's frame graph (to measure it)",
    )
    export.add_argument(
        "--size", default="1920x1080", help="TFLite frame size WxH, multiples of 4 (default: %(default)s)"
    )
    export.set_defaults(func=cmd_export)
    prune = sub.add_parser(
        "prune",
        help="structured channel pruning of a trained student",
        description="Remove the weakest channels of a student's residual stream (ranked by the L2 norm of "
        "every fused weight touching them) and write a plain, narrower student. Fine-tune it by distillation "
        "with train.init pointing at the file.",
        epilog="example: crispcall prune --checkpoint weights/student.pt --keep 24 --out runs/pruned-24.pt\n"
        "  crispcall train student --config configs/student-cpu.yaml --out runs/student-p24 \\\n"
        "    --set model.channels=24 --set model.rep=false --set train.init=runs/pruned-24.pt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prune.add_argument("--checkpoint", type=Path, required=True, help="student weights from crispcall train")
    prune.add_argument("--keep", type=int, required=True, help="channels to keep")
    prune.add_argument("--out", type=Path, required=True, help="pruned weights to write (.pt)")
    prune.set_defaults(func=cmd_prune)
    return parser


def user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a user can cause and fix: crispcall's own (:mod:`crispcall.errors`), the
    file system's, and those of the libraries that read user files (PyAV, SQLite, Pillow's
    decompression-bomb guard, YAML, JSON) when they are loaded. Anything else is a bug."""
    kinds: list[type[BaseException]] = [
        CliError,
        argparse.ArgumentTypeError,
        InputError,
        Unavailable,
        CheckFailed,
        OSError,
        json.JSONDecodeError,
    ]
    optional = {"av": "FFmpegError", "sqlite3": "Error", "PIL.Image": "DecompressionBombError", "yaml": "YAMLError"}
    kinds += [getattr(sys.modules[module], name) for module, name in optional.items() if module in sys.modules]
    return tuple(kinds)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so temporary files are removed and recordings finalised."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        args.func(args)
    except KeyboardInterrupt:
        print("crispcall: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if not isinstance(error, user_errors()):
            raise
        print(f"crispcall: error: {error}", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
