"""The ``crispcall`` command line: one module per command, each with ``register(sub)``, which
adds its parser, and the functions it runs, which only parse, call the library and print."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence

from crispcall import __version__
from crispcall.cli import (
    bench,
    data,
    demo,
    eval,
    export,
    flicker,
    image,
    live,
    profile,
    prune,
    record,
    report,
    serve,
    study,
    table,
    train,
    tune_unsharp,
    video,
)
from crispcall.cli.options import CliError
from crispcall.errors import CheckFailed, InputError, Unavailable

COMMANDS = (demo, video, image, live, eval, flicker, table, bench, serve, record, study, report, profile, data)
COMMANDS += (tune_unsharp,)
COMMANDS += (train, export, prune)
EXAMPLES = """examples:
  crispcall demo
  crispcall eval --suite call --preset x2,call,poor,lossy --method input unsharp espcn --json eval.json
  crispcall bench --size 1920x1080,1280x720 --threads 2 --method unsharp espcn --json bench.json
  crispcall data screens --out data/screens --count 1300
  crispcall data stats ../shared/data/train data/screens
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crispcall",
        description="Sharpen blurry, low-bandwidth video-call frames in real time.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"crispcall {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
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
    args = build_parser().parse_args(argv)
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
