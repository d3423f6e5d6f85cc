"""What the command modules share: argparse types, option groups, and small helpers that turn
arguments into library objects."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from crispcall.files import check_writable, write_json
from crispcall.runtime.backends import BACKENDS


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


def split_list(values: Sequence[str]) -> list[str]:
    """Accept both ``--x a b`` and ``--x a,b``."""
    return [v for value in values for v in value.split(",") if v]


def existing_dir(text: str) -> Path:
    """An argparse type (its errors become usage errors, exit status 2) also used directly."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such folder: {path}")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {path}")
    return path


def bounded(kind: type[int] | type[float], low: float, high: float | None = None, above: bool = False):
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


def output(folder: bool = False):
    """An argparse type for a file (or ``folder``) to write: refused before any work when it
    cannot be written (:func:`crispcall.files.check_writable`)."""

    def parse(text: str) -> Path:
        try:
            return check_writable(text, folder)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


@contextmanager
def needs_extra(extra: str) -> Iterator[None]:
    """Turn a missing optional dependency into a one-line error naming the extra to install."""
    try:
        yield
    except ImportError as error:
        raise CliError(f"this command needs the {extra} extra: pip install 'crispcall[{extra}]' ({error})") from error


def add_command(sub, name: str, summary: str, description: str = "", examples: Sequence[str] = ()):
    """A subcommand with its one-line ``summary``, a ``description`` for its --help, and the
    ``examples`` listed below the options."""
    return sub.add_parser(
        name,
        help=summary,
        description=description or summary,
        epilog="examples:\n" + "\n".join(f"  {example}" for example in examples) if examples else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_group(sub, name: str, summary: str, metavar: str = "ACTION"):
    """A command made of actions of its own (``crispcall data cache``); returns their subparsers."""
    group = sub.add_parser(name, help=summary)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar=metavar)


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """``--data``, read by :func:`test_data`."""
    parser.add_argument(
        "--data", type=Path, help="test data folder (default: $CRISPCALL_DATA, then ../shared/data/test)"
    )


def test_data(given: Path | None) -> Path:
    """The test data folder: ``--data``, else ``$CRISPCALL_DATA`` or ../shared/data/test."""
    from crispcall.paths import test_data_dir

    data = given or test_data_dir()
    if data is None:
        raise CliError("no test data: pass --data DIR or set CRISPCALL_DATA")
    return existing_dir(str(data))


def add_threads(parser: argparse.ArgumentParser, what: str = "inference threads") -> None:
    parser.add_argument("--threads", type=bounded(int, 1), default=2, help=f"{what} (default: %(default)s)")


def add_server_options(parser: argparse.ArgumentParser, port: int, host_help: str) -> None:
    """``--port`` and ``--host`` of a local server."""
    parser.add_argument(
        "--port", type=bounded(int, 0, 65535), default=port, help="port (default: %(default)s; 0 picks a free one)"
    )
    parser.add_argument("--host", default="127.0.0.1", help=f"address to listen on (default: %(default)s, {host_help})")


def add_method_options(parser: argparse.ArgumentParser, default_methods: list[str]) -> None:
    """The options eval, flicker and bench share: which methods, where peers live, threads,
    backend, JSON out."""
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
    add_threads(parser, "threads per method")
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="runtime for our networks and model files (default: ONNX Runtime; NAME@BACKEND sets one method's)",
    )
    parser.add_argument("--json", type=output(), help="write the results as JSON here")


def method_names(names: Sequence[str], peers: Path | None, backend: str | None = None) -> list[str]:
    """Registry names from the command line: ``all`` expanded, ``--backend`` applied."""
    from crispcall.methods.registry import resolve_names

    return resolve_names(split_list(names), peers, backend)


def methods(args: argparse.Namespace) -> list:
    """The methods of :func:`add_method_options`, created."""
    from crispcall.methods.registry import create_method

    return [
        create_method(name, args.peers, args.threads) for name in method_names(args.method, args.peers, args.backend)
    ]


def write_results(document: dict, path: Path | None) -> None:
    """Write a result document where ``--json`` says, and say so."""
    if path:
        write_json(path, document)
        print(f"wrote {path}")


def add_model_options(parser: argparse.ArgumentParser, temporal: bool) -> None:
    """The restorer of video, image and live: ``--model``, ``--backend``, ``--threads`` and, for
    streams (the blend needs the previous frame), ``--temporal``."""
    parser.add_argument(
        "--model",
        help="registry name (student-int8, student, student-lite, teacher, unsharp, ...) or an exported "
        ".onnx/.tflite file (default: student-int8, the dense student's INT8 file, or its lighter cut "
        "student-int8-avx2 where ONNX Runtime's INT8 kernels have AVX2 but no VNNI or AMX)",
    )
    parser.add_argument("--backend", choices=BACKENDS, help="runtime for our networks")
    add_threads(parser)
    if temporal:
        parser.add_argument(
            "--temporal", action="store_true", help="blend with the previous output where the picture is still"
        )


def frame_method(args: argparse.Namespace):
    """The restorer :func:`add_model_options` names: a same-size method."""
    from crispcall.methods.models import default_model
    from crispcall.methods.registry import create_method

    model = args.model or default_model(args.backend)
    name = model if args.backend is None else f"{model}@{args.backend}"
    if getattr(args, "temporal", False):
        name += "+temporal"
    method = create_method(name, threads=args.threads)
    if method.low_input:
        raise CliError(f"{model} is a super-resolution peer; give a same-size model")
    return method


def serve_until_stopped(make: Callable, args: argparse.Namespace, what: str) -> None:
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
