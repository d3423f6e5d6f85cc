"""``crispcall train``: the teacher, the student, and their helpers (needs the train extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import CliError, add_command, add_group, bounded, needs_extra, output, write_results
from crispcall.sysinfo import run_meta


def register(sub) -> None:
    networks = add_group(sub, "train", "train a network (needs the train extra)", metavar="NETWORK")
    teacher = add_command(
        networks,
        "teacher",
        "train the teacher",
        "Train or fine-tune the teacher (model.kind: upconv7 or upconv7-x2, from waifu2x; rlfn-x2, from RLFN; or "
        "srresnet, from scratch) on the pair "
        "cache named in the config. Reruns resume from OUT/checkpoint.pt. Under torchrun, one process per GPU "
        "(or CPU group).",
        ["crispcall train teacher --config configs/teacher-upconv7.yaml --out runs/teacher-upconv7"],
    )
    student = add_command(
        networks,
        "student",
        "train the student by distillation from the teacher",
        "Train the tiny student on the pair cache named in the config, with the ground-truth loss plus the "
        "distillation terms of its distill section (response, feature, structure; 0 turns a term off). Reruns "
        "resume from OUT/checkpoint.pt.",
        ["crispcall train student --config configs/student-cpu.yaml --out runs/student"],
    )
    repair = add_command(
        networks,
        "repair",
        "train the concealment repair that goes in front of the teacher",
        "Train the concealment repair (crispcall.models.repair) on the received patches of the pair caches named "
        "in the config: each patch loses blocks of its inner block rows (repair.loss_rate) and is concealed as "
        "the lossy preset conceals them; the target is the patch as received. crispcall train add-repair then "
        "puts it in front of a teacher. Reruns resume from OUT/checkpoint.pt.",
        ["crispcall train repair --config configs/repair.yaml --out runs/repair"],
    )
    for network, parser in (("teacher", teacher), ("student", student), ("repair", repair)):
        parser.add_argument(
            "--config",
            type=Path,
            required=True,
            help=f"YAML config (configs/{network}*.yaml; a `base:` key names a config it changes)",
        )
        parser.add_argument(
            "--out", type=output(folder=True), required=True, help=f"run folder: checkpoint, log.csv, {network}.pt"
        )
        parser.add_argument("--steps", type=bounded(int, 1), help="override train.steps")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="SECTION.KEY=VALUE",
            help="override one config value (repeatable), e.g. --set distill.feature=0",
        )
        parser.set_defaults(func=train_network)
    responses = add_command(
        networks,
        "responses",
        "run the teacher once on every pair of a cache, for fast response distillation",
        "Write the frozen teacher's outputs on every degraded patch of a pair cache (float16, the cache's order). A "
        "student config that names the file in distill.responses reads its response targets from it instead of "
        "running the teacher at every step (about 4x faster on the CPU). An x2 teacher (kind upconv7-x2) runs on a "
        "low-resolution cache (crispcall data cache --low-resolution), from which the same-size student then sees "
        "each patch upscaled bilinearly, as a player shows it; a same-size network (a student teaching a cut of "
        "itself) sees that too. The rows done are saved beside --out every minute: "
        "run the same command again after an interruption and it resumes from them.",
        [
            "crispcall train responses --teacher weights/teacher.pt --cache data/pairs-call-128.npz "
            "--out data/pairs-call-128-teacher.npz",
            "crispcall train responses --teacher weights/teacher.pt --cache data/pairs-call-128.npz "
            "--out data/pairs-call-128-teacher-se.npz --self-ensemble",
        ],
    )
    responses.add_argument(
        "--teacher",
        type=Path,
        default=Path("weights/teacher.pt"),
        help="teacher (or student) weights (default: %(default)s)",
    )
    responses.add_argument("--cache", type=Path, required=True, help="pair cache (.npz from crispcall data cache)")
    responses.add_argument("--out", type=output(), required=True, help=".npz to write")
    responses.add_argument(
        "--batch-size", type=bounded(int, 1), default=32, help="patches per teacher pass (default: %(default)s)"
    )
    responses.add_argument(
        "--self-ensemble",
        action="store_true",
        help="average the teacher over the 8 flips and rotations of each patch (8x the time)",
    )
    responses.add_argument(
        "--on-clean",
        action="store_true",
        help="run the teacher on each pair's clean patch instead, an xN teacher's output area-downscaled by N: "
        "the ground truth as the teacher enhances it (DIPNet's targets)",
    )
    responses.set_defaults(func=write_responses)
    validate = add_command(
        networks,
        "validate",
        "score weights files on a config's held-out validation frames",
        "Mean PSNR and SSIM (as eval scores them) of teacher or student weights files on the held-out training "
        "frames of a config's data section, degraded by its validation presets: the figure the training log's "
        "val column gives, for any weights; with --self-ensemble, each file also as its 8-fold self-ensemble.",
        [
            "crispcall train validate --weights weights/teacher.pt --config configs/teacher-upconv7-x2.yaml",
            "crispcall train validate --weights runs/upconv7-x2-noise1.pt weights/teacher.pt "
            "--config configs/teacher-upconv7-x2.yaml --self-ensemble --json docs/results/validate-teacher.json",
        ],
    )
    validate.add_argument(
        "--weights", type=Path, nargs="+", required=True, help="weights files from crispcall train (.pt)"
    )
    validate.add_argument("--config", type=Path, required=True, help="YAML config whose data section to use")
    validate.add_argument(
        "--self-ensemble", action="store_true", help="also score each file averaged over the 8 flips and rotations"
    )
    validate.add_argument(
        "--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one config value"
    )
    validate.add_argument(
        "--pairs",
        type=bounded(int, 1),
        metavar="N",
        help="score on N of the pairs the config learns from (its pair caches, evenly spaced) instead of the "
        "held-out frames: what the weights learnt of the training images that does not carry over",
    )
    validate.add_argument("--json", type=output(), help="write the scores as JSON here")
    validate.set_defaults(func=validate_weights)
    waifu2x = add_command(
        networks,
        "import-waifu2x",
        "turn waifu2x's ncnn upconv_7 weights into a teacher to fine-tune",
        "Read waifu2x's upconv_7 weights (the ncnn .bin of shared/peers/waifu2x, MIT) into an upconv7 teacher "
        "(crispcall.models.upconv7: same-size, or x2 on the received frame with --kind upconv7-x2) and write them "
        "as a weights file that a teacher config's train.init can name.",
        [
            "crispcall train import-waifu2x --bin ../shared/peers/waifu2x/noise1_scale2.0x_model.bin "
            "--out runs/upconv7-noise1.pt"
        ],
    )
    waifu2x.add_argument("--bin", type=Path, required=True, help="waifu2x upconv_7 ncnn weights (.bin)")
    waifu2x.add_argument("--out", type=output(), required=True, help="teacher weights file (.pt) to write")
    waifu2x.add_argument(
        "--kind",
        choices=["upconv7", "upconv7-x2"],
        default="upconv7",
        help="upconv7: same-size (the upscaled frame in); upconv7-x2: x2 on the received frame (default: %(default)s)",
    )
    waifu2x.set_defaults(func=import_waifu2x)
    rlfn = add_command(
        networks,
        "import-rlfn",
        "turn RLFN's published weights into an x2 teacher to fine-tune",
        "Read RLFN's or RLFN-S's published x2 weights (the .pth of shared/peers/rlfn, Apache-2.0) into an x2 "
        "teacher on the received frame (crispcall.models.peers.rlfn.RLFNUpscaler) and write them as a weights "
        "file that a teacher config's train.init can name.",
        ["crispcall train import-rlfn --pth ../shared/peers/rlfn/rlfn_x2.pth --out runs/rlfn-x2.pt"],
    )
    rlfn.add_argument("--pth", type=Path, required=True, help="RLFN's published weights (.pth)")
    rlfn.add_argument("--out", type=output(), required=True, help="teacher weights file (.pt) to write")
    rlfn.add_argument(
        "--kind",
        choices=["rlfn-x2", "rlfn-s-x2"],
        default="rlfn-x2",
        help="rlfn-x2 for rlfn_x2.pth (52 channels), rlfn-s-x2 for rlfn_s_x2.pth (48) (default: %(default)s)",
    )
    rlfn.set_defaults(func=import_rlfn)
    ensemble = add_command(
        networks,
        "ensemble",
        "join teacher weights files into one teacher that averages their outputs",
        "Write one teacher weights file whose output is the mean of the given teachers' outputs (all of one "
        "scale), for crispcall train responses, validate and export.",
        [
            "crispcall train ensemble --weights weights/teacher.pt runs/teacher-rlfn-x2/teacher.pt "
            "--out runs/teacher-ensemble.pt"
        ],
    )
    ensemble.add_argument(
        "--weights", type=Path, nargs="+", required=True, help="two or more teacher weights files (.pt)"
    )
    ensemble.add_argument("--out", type=output(), required=True, help="teacher weights file (.pt) to write")
    ensemble.set_defaults(func=join_teachers)
    repaired = add_command(
        networks,
        "add-repair",
        "put a trained concealment repair in front of a teacher",
        "Write one teacher weights file that runs the concealment repair (crispcall train repair) on the frame "
        "the call delivered and the given x2 teacher on its output, for crispcall export, responses and validate.",
        [
            "crispcall train add-repair --weights weights/teacher.pt --repair runs/repair/repair.pt "
            "--out runs/teacher-repaired.pt"
        ],
    )
    repaired.add_argument(
        "--weights", type=Path, required=True, help="teacher weights file (.pt) on the received frame"
    )
    repaired.add_argument(
        "--repair", type=Path, required=True, help="repair weights file (.pt, crispcall train repair)"
    )
    repaired.add_argument("--out", type=output(), required=True, help="teacher weights file (.pt) to write")
    repaired.set_defaults(func=repair_teacher)
    ema_weights = add_command(
        networks,
        "checkpoint-weights",
        "write the EMA weights a run's checkpoint holds",
        "Write the averaged (EMA) weights of a run's checkpoint.pt, as the run writes them when it ends, to start "
        "a new phase from (a config's train.init) where the checkpoint itself cannot be resumed, or to use a run "
        "stopped early.",
        [
            "crispcall train checkpoint-weights --checkpoint docs/models/student-s32/long-gt-resume/checkpoint.pt "
            "--out runs/student-distill-long/gt/student.pt",
            "crispcall train checkpoint-weights --checkpoint runs/s41/x3-l2/checkpoint.pt "
            "--out runs/s41/x3-l2/teacher.pt --arch teacher",
        ],
    )
    ema_weights.add_argument("--checkpoint", type=Path, required=True, help="a run's checkpoint.pt")
    ema_weights.add_argument("--out", type=output(), required=True, help="weights file (.pt) to write")
    ema_weights.add_argument(
        "--arch",
        choices=("student", "teacher"),
        help="the network's, for checkpoints written before session 41, which do not record it (default: student)",
    )
    ema_weights.set_defaults(func=write_checkpoint_weights)
    rescale = add_command(
        networks,
        "rescale",
        "turn an x2 RLFN teacher into an x3 one to fine-tune",
        "Write the x2 teacher of --weights (kind rlfn-x2) as an x3 teacher (rlfn-x3) with the same body, its "
        "pixel-shuffle head regridded so that each x3 sub-pixel starts as a linear mix of the x2 ones. Fine-tune "
        "it on x3 pairs (crispcall data cache --low-resolution at scale 3) through a config's train.init.",
        ["crispcall train rescale --weights runs/teacher-rlfn-x3/teacher.pt --out runs/teacher-x3-direct-init.pt"],
    )
    rescale.add_argument("--weights", type=Path, required=True, help="x2 teacher weights file (.pt, rlfn-x2)")
    rescale.add_argument("--out", type=output(), required=True, help="teacher weights file (.pt) to write")
    rescale.set_defaults(func=rescale_weights)
    grow = add_command(
        networks,
        "grow",
        "deepen an RLFN teacher with blocks that start as the identity",
        "Write the RLFN teacher of --weights (rlfn-x2, rlfn-s-x2 or rlfn-x3, behind a repair or not) with "
        "--blocks blocks: its trained ones, then new ones that start as the identity, so the deeper network starts "
        "from the trained one's output. Fine-tune it through a config's train.init with model.blocks set alike.",
        ["crispcall train grow --weights weights/teacher-x3.pt --blocks 8 --out runs/teacher-x3-b8-init.pt"],
    )
    grow.add_argument("--weights", type=Path, required=True, help="RLFN teacher weights file (.pt)")
    grow.add_argument("--blocks", type=int, required=True, help="blocks of the deeper network (RLFN has 6)")
    grow.add_argument("--out", type=output(), required=True, help="teacher weights file (.pt) to write")
    grow.set_defaults(func=grow_weights)
    plot = add_command(
        networks,
        "plot",
        "plot a run's log.csv (loss and validation PSNR) as a PNG",
        examples=["crispcall train plot --log runs/student-response/log.csv --out docs/models/student-curve.png"],
    )
    plot.add_argument("--log", type=Path, required=True, help="log.csv of a run")
    plot.add_argument("--out", type=output(), required=True, help="PNG to write")
    plot.set_defaults(func=plot_log)


def _existing_file(path: Path) -> Path:
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    return path


def train_network(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.distill.train import train_student
        from crispcall.train.repair import train_repair
        from crispcall.train.teacher import train_teacher

    run = {"teacher": train_teacher, "student": train_student, "repair": train_repair}[args.train_command]
    print(f"wrote {run(args.config, args.out, args.steps, args.set)}")


def write_responses(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.distill.responses import write_responses as write

    teacher, cache = _existing_file(args.teacher), _existing_file(args.cache)
    out = write(teacher, cache, args.out, args.batch_size, self_ensemble=args.self_ensemble, on_clean=args.on_clean)
    print(f"wrote {out}")


def validate_weights(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.data.cache import cache_paths
        from crispcall.train.config import load_config
        from crispcall.train.loop import validate_weights as score

    config = load_config(_existing_file(args.config), args.set)
    results = score([_existing_file(path) for path in args.weights], config, args.self_ensemble, args.pairs or 0)
    scored = f"{args.pairs} training pairs" if args.pairs else "validation"
    for row in results:
        ensemble = ", self-ensemble" if row["self_ensemble"] else ""
        print(
            f"{row['weights']}{ensemble}: {scored} {row['psnr']:.2f} dB PSNR, SSIM {row['ssim']:.4f}, "
            f"chroma {row['chroma_psnr']:.2f} dB PSNR"
        )
    data = config["data"]
    if args.pairs:
        scope = {"caches": cache_paths(data["cache"]), "pairs": args.pairs}
    else:
        scope = {"presets": data["val_presets"], "images": data["val_images"]}
    meta = run_meta(config=str(args.config), overrides=args.set, **scope)
    write_results({"meta": meta, "results": results}, args.json)


def import_waifu2x(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.teacher import import_waifu2x as read

    print(f"wrote {read(_existing_file(args.bin), args.out, args.kind)}")


def import_rlfn(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.teacher import import_rlfn as read

    print(f"wrote {read(_existing_file(args.pth), args.out, args.kind)}")


def join_teachers(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.teacher import ensemble_teachers

    print(f"wrote {ensemble_teachers([_existing_file(path) for path in args.weights], args.out)}")


def write_checkpoint_weights(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.loop import checkpoint_weights

    print(f"wrote {checkpoint_weights(_existing_file(args.checkpoint), args.out, args.arch)}")


def repair_teacher(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.teacher import add_repair

    print(f"wrote {add_repair(_existing_file(args.weights), _existing_file(args.repair), args.out)}")


def rescale_weights(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.teacher import rescale_teacher

    print(f"wrote {rescale_teacher(_existing_file(args.weights), args.out)}")


def grow_weights(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.train.teacher import grow_teacher

    print(f"wrote {grow_teacher(_existing_file(args.weights), args.blocks, args.out)}")


def plot_log(args: argparse.Namespace) -> None:
    from crispcall.train.plot import plot_log as plot

    print(f"wrote {plot(_existing_file(args.log), args.out)}")
