"""``crispcall flicker``: temporal stability over whole test clips."""

from __future__ import annotations

import argparse

from crispcall.cli.options import (
    CliError,
    add_command,
    add_data_option,
    add_method_options,
    bounded,
    methods,
    test_data,
    write_results,
)


def register(sub) -> None:
    parser = add_command(
        sub,
        "flicker",
        "temporal stability over whole test clips, every frame in order",
        "Send the first --frames frames of every test clip through a preset as one H.264 stream and restore all "
        "of them in order with each method (stateful ones, such as student+temporal, start fresh per clip); "
        "print flicker (BENCHMARK.md), PSNR and, with --vmaf, VMAF and VMAF-NEG.",
        ["crispcall flicker --preset call --method input student student+temporal --json f.json"],
    )
    parser.add_argument("--preset", default="call", help="degradation preset (default: %(default)s)")
    parser.add_argument("--frames", type=bounded(int, 2), default=90, help="frames per clip (default: %(default)s)")
    add_data_option(parser)
    add_method_options(parser, ["input", "student", "student+temporal"])
    parser.add_argument("--vmaf", action="store_true", help="also VMAF and VMAF-NEG per clip (the vmaf extra)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.evaluation.temporal import stability_table, stream_stability

    data = test_data(args.data)
    chosen = methods(args)
    if any(m.low_input for m in chosen):
        raise CliError("flicker runs same-size methods (our networks, input, unsharp)")
    document = stream_stability(data, chosen, args.preset, args.frames, vmaf=args.vmaf)
    print(stability_table(document))
    write_results(document, args.json)
