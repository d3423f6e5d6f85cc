"""Build the project report from the JSON that ``crispcall eval``, ``bench``, ``flicker`` and
``study results`` wrote. Nothing in it is typed by hand: the prose around the tables holds
no figure, and every figure is read from those files (or measured from the shipped weights'
sizes), so rerunning the command after new measurements updates the report.

Which file feeds which table is fixed below (the names ``scripts/`` and the docs use), so a
reader can trace every number to the command that wrote the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from crispcall.degrade.presets import PRESETS
from crispcall.evaluation.table import difference_table, format_value, merge_documents
from crispcall.files import pyplot, save_figure, written_whole

# The headline quality table: the full-data eval runs of the shipped methods and the peers.
# Earlier teachers' runs (sessions 12-31) are not read: they are no longer shipped, and the shipped
# ones have no single run over every set and preset (TEACHERS below). Rows at presets with a codec
# from runs before CONVERSION_FIXED are left out.
HEADLINE_EVAL = (
    "eval-baselines.json",
    "eval-classic-x2-all.json",
    "eval-student-dense.json",
    "eval-student-ocr.json",  # student-dense at `call` with OCR (the run above skips it)
    # The dense student shipped in session 18, FP32 and INT8 (with OCR): where a method was scored
    # twice, its newest run counts, so these replace the separable student's rows of the runs above.
    "eval-student-s18.json",
    "eval-student-s18-classic.json",
    "eval-student-s19.json",  # the same weights, their INT8 and luma files re-exported in session 19
    # Session 20's weights (the same body fine-tuned with clean x2 pairs), every file and `classic`.
    "eval-student-s20.json",
    "eval-student-s20-classic.json",
    # Session 24's weights (a hidden layer in the tail, its QAT equalized first); the INT8 file
    # shipped is the second QAT of the session's (fewer clean pairs), scored on its own.
    "eval-student-s24.json",
    "eval-student-s24-classic.json",
    "eval-student-s24-int8.json",
    "eval-student-s24-int8-classic.json",
    # Session 27's weights (session 26's fifth block), FP32 and INT8, every file and `classic`.
    "eval-student-s27.json",
    "eval-student-s27-classic.json",
    # Session 35's weights (half the MACs: mixed blocks, a 1x1 tail), FP32 and INT8, every file and `classic`.
    "eval-student-s35.json",
    "eval-student-s35-classic.json",
    # Session 42's weights (seven mixed blocks on the shipped teacher's targets), FP32 and INT8, every
    # file and `classic` (the latter run in session 43).
    "eval-student-s42.json",
    "eval-student-s42-classic.json",
    # Session 43's weights (the same body on the teacher file's self-ensembled targets on screens, its
    # QAT longer and with screens twice), FP32 and INT8, every file and `classic`.
    "eval-student-s43.json",
    "eval-student-s43-classic.json",
    # Session 54's weights (session 45's body from scratch on the ground truth with more screen pairs,
    # shrunk to four dense blocks and a 1x1 tail, fine-tuned), FP32 and INT8, every file and `classic`.
    "eval-student-s54.json",
    "eval-student-s54-classic.json",
    # The same cut fine-tuned 72,000 steps instead of 24,000 (shipped first in session 55), FP32 and INT8,
    # every file and `classic`.
    "eval-student-s54-72000.json",
    "eval-student-s54-72000-classic.json",
    # Session 55's shipped weights (that fine-tune on the teacher's outputs for the call pairs), FP32 and INT8,
    # every file and `classic`.
    "eval-student-s55.json",
    "eval-student-s55-classic.json",
    # Session 57's shipped weights (that recipe fine-tuned 108,000 steps), FP32 and INT8, every file and `classic`.
    "eval-student-s57.json",
    "eval-student-s57-classic.json",
    # Session 61's default for CPUs with AVX2 alone (session 57's student cut to 1x1 second convolutions,
    # fine-tuned), INT8, every file, run on such a CPU.
    "eval-student-int8-avx2-s61.json",
    # The peers on every file under the fixed conversion (sessions 37, 38 and 47).
    "eval-student-s37-every-x2-call.json",
    "eval-student-s38-every-poor-lossy.json",
    "eval-peers-s47-x2-call.json",
)
# Until this commit (d13e643, session 37) decoded frames went to RGB through PyAV's conversion,
# which darkened them by about 1.2 levels: figures at presets with a codec from older runs are
# not comparable with newer ones.
CONVERSION_FIXED = "2026-12-04T11:18:44+00:00"


class Differences(NamedTuple):
    """A table of every method's difference to ``baseline`` over ``files`` (merged): the methods
    of ``files[rows_from:]`` are its rows, so that a file whose other methods have a table of
    their own above gives only the baseline (``rows_from=1``)."""

    title: str
    files: tuple[str, ...]
    baseline: str
    rows_from: int = 0


# The shipped teachers' own runs beside the peers (title, files, the method compared with): the
# x2 teacher's video set scored apart from its image sets at `call`, `x2` and `lossy` (sessions 48
# to 50; its self-ensemble takes about an hour there on two threads, twice that with flicker).
TEACHERS = (
    Differences(
        "The x2 teacher at `x2` (the shipped file; sessions 40 and 49; every set: its image sets and video set "
        "scored apart)",
        # The peers' every-file runs, the shipped students' (session 57's) before session 37's.
        (
            "eval-teacher-s40-x2.json",
            "eval-teacher-s48-video-x2.json",
            "eval-peers-s47-x2-call.json",
            "eval-student-s57.json",
            "eval-student-s37-every-x2-call.json",
        ),
        "waifu2x-noise1",
    ),
    Differences(
        "The x2 teacher at `call` (the shipped file; session 48; every set: its image sets and video set scored apart)",
        ("eval-peers-s47-x2-call.json", "eval-teacher-s48-images-call.json", "eval-teacher-s48-video-call.json"),
        "waifu2x-noise1",
    ),
    Differences(
        "The x2 teacher at `call` (`teacher-l2-se`, the shipped file, beside session 38's network alone and "
        "self-ensembled; session 40; faces, screens and Set14)",
        ("eval-teacher-s40-se-call.json",),
        "waifu2x-noise1",
    ),
    Differences(
        "The x2 teacher at `lossy` (the shipped file; sessions 40 and 50; every set: its image sets and video set "
        "scored apart)",
        # The shipped students' (session 57's) before session 38's, whose file holds the peers' video set.
        (
            "eval-teacher-s40-lossy.json",
            "eval-teacher-s48-video-lossy.json",
            "eval-student-s57.json",
            "eval-student-s38-every-poor-lossy.json",
        ),
        "waifu2x-noise1",
    ),
    Differences(
        "The x3 teacher at `poor`, self-ensembled (the shipped file; session 46; every set)",
        ("eval-teacher-s46-x3-b8-luma2-every.json",),
        "waifu2x-noise1",
    ),
)
# Ablations: each a table of differences to one arm.
ABLATIONS = (
    Differences("Distillation terms (2,000 steps each)", ("eval-student-ablation.json",), "student-gt"),
    Differences(
        "Distillation on the shipped body (session 27: 8,000 steps from scratch each, first 4 files a set)",
        ("eval-student-distill-b5-limit4.json",),
        "distill-b5-gt",
    ),
    Differences(
        "Distillation with upcycled data (session 31: the teacher's outputs on zoomed crops beside the pairs of the "
        "teacher-only arm above, 8,000 steps, first 4 files a set)",
        ("eval-student-distill-b5-limit4.json", "eval-student-distill-zoom-limit4.json"),
        "distill-b5-gt",
        rows_from=1,
    ),
    Differences(
        "Distillation on the shipped body at 16,000 steps (session 31: the twin and the teacher-only arm, first 4 "
        "files a set)",
        ("eval-student-distill-long-limit4.json",),
        "distill-long-gt",
    ),
    Differences(
        "Distillation on the shipped body at 40,000 steps (session 32: both arms above resumed from 16,000 steps, "
        "first 4 files a set)",
        ("eval-student-distill-long-40000-limit4.json",),
        "distill-long-40000-gt",
    ),
    Differences(
        "Distillation on the shipped body at 64,000 steps (session 32: both arms resumed again from 40,000 steps, "
        "first 4 files a set)",
        ("eval-student-distill-long-64000-limit4.json",),
        "distill-long-64000-gt",
    ),
    Differences(
        "Distillation with a squared-error phase (session 33: both arms at 64,000 steps fine-tuned alike for 8,000 "
        "more on the squared error, the twin against the ground truth, the other against the teacher; first 4 files "
        "a set)",
        ("eval-student-distill-mse-limit4.json",),
        "distill-mse-gt",
    ),
    Differences(
        "Distillation with the teacher's outputs on the clean pairs too (session 33: both arms at 64,000 steps "
        "fine-tuned alike for 8,000 more on their own losses; first 4 files a set)",
        ("eval-student-distill-clean-limit4.json",),
        "distill-clean-gt",
    ),
    Differences(
        "Distillation with the shipped teacher's outputs on the clean pairs (session 33: as above, the same twin; "
        "first 4 files a set)",
        ("eval-student-distill-shipped-limit4.json",),
        "distill-shipped-gt",
    ),
    Differences(
        "Distillation with eight views of every pair (session 34: both arms at 64,000 steps fine-tuned alike for "
        "8,000 more on their own losses, each batch flipped or turned; pairs remade on another machine; first 4 "
        "files a set)",
        ("eval-student-distill-augment-limit4.json",),
        "distill-augment-gt",
    ),
    Differences(
        "Distillation with luma-only losses (session 34: as above, every term on luma instead of the views; first 4 "
        "files a set)",
        ("eval-student-distill-luma-limit4.json",),
        "distill-luma-gt",
    ),
    Differences(
        "Distillation with eight views of every pair, on every file (session 34)",
        ("eval-student-distill-augment-every.json",),
        "distill-augment-gt",
    ),
    Differences(
        "Distillation on every file (session 33: the two arms at 64,000 steps and both after the squared-error phase, "
        "against the twin at 64,000)",
        ("eval-student-distill-every.json",),
        "distill-long-64000-gt",
    ),
    Differences(
        "Distillation from the shipped teacher (session 43: both arms at 64,000 steps fine-tuned alike for 8,000 "
        "more on their own losses, the taught arm's every target from session 40's teacher, self-ensembled on "
        "screens; first 4 files a set)",
        ("eval-student-distill-t40-limit4.json",),
        "distill-t40-gt",
    ),
    Differences(
        "Distillation from the shipped teacher, on every file at `call` (session 43)",
        ("eval-student-distill-t40-every-call.json",),
        "distill-t40-gt",
    ),
    Differences(
        "Feature alignment and the structure term against the shipped teacher (session 44: the taught arm above "
        "again, with feature alignment 0.05 or the structure term 0.1 added, against the same twin; first 4 files a "
        "set)",
        (
            "eval-student-distill-t40-limit4.json",
            "eval-student-distill-t40-feature-limit4.json",
            "eval-student-distill-t40-structure-limit4.json",
        ),
        "distill-t40-gt",
    ),
    Differences(
        "Feature alignment and the structure term against the shipped teacher, on every file at `call` (session 44)",
        (
            "eval-student-distill-t40-every-call.json",
            "eval-student-distill-t40-feature-every-call.json",
            "eval-student-distill-t40-structure-every-call.json",
        ),
        "distill-t40-gt",
    ),
    Differences(
        "Distillation from the shipped teacher from the first step (session 45: both arms from scratch for 72,000 "
        "steps in bfloat16, the taught arm's every target from session 40's teacher, self-ensembled on screens; "
        "first 4 files a set)",
        ("eval-student-distill-t40-scratch-72000-limit4.json",),
        "distill-t40-scratch-72000-gt",
    ),
    Differences(
        "Distillation from the shipped teacher from the first step, on every file at `call` (session 45)",
        ("eval-student-distill-t40-scratch-72000-every-call.json",),
        "distill-t40-scratch-72000-gt",
    ),
    Differences(
        "Distillation against a twin on its own loss (sessions 47 and 52: session 45's body and recipe on L1 alone, "
        "72,000 steps from scratch each; `gt-l1` the twin on the ground truth, `gt` session 45's twin with the SSIM "
        "and edge terms, `only` the taught arm, `mix` both targets, `c48-*` 48 channels instead of 32, "
        "`gt-l1-quarter` / `-double` the twin on a quarter of its pairs / twice as many, `gt-l1-screens` on its pairs "
        "and 8,000 more screen pairs; every file at `call`)",
        (
            "eval-student-distill-t40-scratch-72000-gt-l1-every-call.json",
            "eval-student-distill-t40-scratch-72000-every-call.json",
            "eval-student-distill-t40-scratch-72000-mix-every-call.json",
            "eval-student-distill-t40-scratch-72000-c48-only-every-call.json",
            "eval-student-distill-t40-scratch-72000-c48-gt-every-call.json",
            "eval-student-distill-dense32x5-scratch-72000-gt-l1-double-every-call.json",
            "eval-student-distill-dense32x5-scratch-72000-gt-l1-screens-every-call.json",
        ),
        "distill-t40-scratch-72000-gt-l1",
    ),
    Differences(
        "Distillation on the browser's body (sessions 50 to 52: `student-web`'s body, 30,000 steps from scratch each "
        "on L1, `gt-l1` the twin on the ground truth, `only` the taught arm on the shipped teacher's outputs, "
        "`dipnet` learns the ground truth as the shipped teacher enhances it (DIPNet), `gt-l1-quarter` / `-double` "
        "the twin on a quarter of its pairs / twice as many; every file at `call`)",
        (
            "eval-student-distill-web-30000-every-call.json",
            "eval-student-distill-web-30000-dipnet-every-call.json",
            "eval-student-distill-web-30000-gt-l1-double-every-call.json",
        ),
        "distill-web-30000-gt-l1",
    ),
    Differences(
        "Distillation on the shipped student's fine-tune (session 55: session 54's cut of session 52's arm, 72,000 "
        "steps from the same weights on the same pairs, then the same QAT; `student` / `student-int8` the twin on the "
        "ground truth, shipped when scored, `-teacher` the shipped teacher's outputs as the call pairs' targets, "
        "shipped since; every file at `call`)",
        ("eval-student-s54-call-72000-teacher.json",),
        "student",
    ),
    Differences(
        "Distillation on the shipped student (session 58: its twin `s54-dense32x4-shrunk-108000`, the same cut "
        "fine-tuned 108,000 steps from the same weights on the same pairs on the ground truth alone, then the same "
        "QAT; `student` / `student-int8` the shipped student, whose call pairs learnt the teacher's outputs; every "
        "file at `call`)",
        ("eval-student-s54-call-108000.json",),
        "s54-dense32x4-shrunk-108000-int8",
    ),
    Differences(
        "The teacher's margin over the twin, and what the taught arms keep of it (session 56: `teacher-plain` is "
        "`weights/teacher.pt` without its self-ensemble, the network whose outputs the arms learn; session 55's arms "
        "and twins at 24,000 and 72,000 steps, FP32; every file at `call`)",
        ("eval-student-s56-margin.json",),
        "s54-dense32x4-shrunk-72000",
    ),
    Differences(
        "A teacher fine-tuned on the student's pairs, screens and all (session 57: `teacher-screens-plain`, "
        "`weights/teacher.pt` fine-tuned 3,000 steps on the call, clean and both screen caches, beside it, both "
        "without the self-ensemble; faces, screens and Set14 at `call`)",
        ("eval-teacher-s57-screens-images.json",),
        "teacher-plain",
    ),
    Differences(
        "What its outputs give the taught arm (session 57: session 56's 24,000-step twin beside the same arm on "
        "that teacher's outputs for the call pairs, `-teacher-s57`, and for the screen pairs too, `-screens`, "
        "FP32; the arm on `weights/teacher.pt`'s outputs is in the table above; every file at `call`)",
        (
            "eval-student-s56-margin.json",
            "eval-student-s54-dense32x4-shrunk-24000-teacher-s57-call.json",
            "eval-student-s54-dense32x4-shrunk-24000-teacher-s57-screens-call.json",
        ),
        "s54-dense32x4-shrunk",
        rows_from=1,
    ),
    Differences(
        "Both arms on the squared error of luma, which PSNR scores (session 58: session 55's 72,000-step twin and "
        "taught arm, 8,000 steps more each on that loss against its own targets, and the arm's weights against the "
        "ground truth, `-teacher-gt`; FP32; every file at `call`)",
        ("eval-student-s58-mse-call.json", "eval-student-s58-mse-arm-gt-call.json"),
        "s58-mse-72000",
    ),
    Differences(
        "Architecture variants (2,000 steps each)",
        ("eval-student-ablation.json", "eval-student-variants.json"),
        "student-response",
        rows_from=1,
    ),
    Differences(
        "Pruning", ("eval-student-ablation.json", "eval-student-pruning.json"), "student-response", rows_from=1
    ),
    Differences(
        "INT8: post-training (ptq) and quantization-aware (qat) against FP32", ("eval-student-int8.json",), "student"
    ),
)
SPEED = (
    "bench-runtime-s42-1080p.json",
    "bench-runtime-s42-720p-1thread.json",
    "bench-browser.json",
    "bench-browser-web.json",
)
FLICKER = "flicker-call-vmaf.json"  # the same streams as flicker-call.json, with VMAF
SHIPPED = (
    "student.onnx",
    "student-int8.onnx",
    "student-int8-avx2.onnx",
    "student-lite.onnx",
    "student-web.onnx",
    "student.tflite",
    "student-int8.tflite",
    "student-dense.onnx",
    "teacher.onnx",
    "teacher-x3.onnx",
)
CONTENT_SETS = {
    "faces": "faces",
    "screens": "screens (text)",
    "video": "faces in motion (video)",
    "Set14": "natural",
    "BSD100": "natural",
    "Urban100": "natural (buildings)",
}


@dataclass
class Sources:
    """The result files read, each parsed once, in the order of first use."""

    folder: Path
    loaded: dict[str, dict] = field(default_factory=dict)

    @property
    def used(self) -> list[str]:
        return list(self.loaded)

    def load(self, name: str) -> dict | None:
        if name not in self.loaded:
            path = self.folder / name
            if not path.is_file():
                return None
            self.loaded[name] = json.loads(path.read_text())
        return self.loaded[name]


def comparable(document: dict) -> dict:
    """``document`` without its rows at presets with a codec when it ran before
    :data:`CONVERSION_FIXED` (its frames were darkened there)."""
    if document["meta"]["date"] >= CONVERSION_FIXED:
        return document
    return {**document, "results": [r for r in document["results"] if PRESETS[r["preset"]].crf is None]}


def _merge(documents: list[dict]) -> tuple[list[str], dict[tuple, dict]]:
    """Methods (first-seen order) and rows keyed (method, suite, set, preset) over documents
    scored on every file (no --limit); a method scored twice keeps its newest run."""
    full = sorted((d for d in documents if d["meta"]["limit"] is None), key=lambda d: d["meta"]["date"])
    rows: dict[tuple, dict] = {}
    methods: list[str] = []
    for document in full:
        for row in document["results"]:
            rows[(row["method"], row["suite"], row["set"], row["preset"])] = row
            if row["method"] not in methods:
                methods.append(row["method"])
    return methods, rows


def _quality(sources: Sources) -> tuple[list[str], dict[tuple, dict], list[str]]:
    documents = [comparable(d) for d in (sources.load(n) for n in HEADLINE_EVAL) if d]
    methods, rows = _merge(documents)
    lines = []
    suites = list(dict.fromkeys(k[1] for k in rows))
    for suite in suites:
        presets = [p for p in PRESETS if any(k[1] == suite and k[3] == p for k in rows)]
        lines += [
            f"### `{suite}` suite",
            "",
            "| method | " + " | ".join(f"{p} PSNR / SSIM" for p in presets) + " |",
            "|---" * (len(presets) + 1) + "|",
        ]
        for method in methods:
            cells = [rows.get((method, suite, "mean", p)) for p in presets]
            if any(cells):
                lines.append(
                    f"| {method} | "
                    + " | ".join(
                        f"{format_value(c['psnr'])} / {format_value(c['ssim'], 4)}" if c else "–" for c in cells
                    )
                    + " |"
                )
        lines.append("")
    return methods, rows, lines


def _differences(sources: Sources, sections: tuple[Differences, ...]) -> list[str]:
    """A difference table for each of ``sections`` whose files exist."""
    lines = []
    for title, files, baseline, rows_from in sections:
        loaded = [sources.load(n) for n in files]
        documents = [d for d in loaded if d]
        if not documents:
            continue
        merged = merge_documents(documents)
        if baseline not in merged["meta"]["methods"]:
            continue
        rows = [m for d in loaded[rows_from:] if d for m in d["meta"]["methods"]]
        merged["meta"]["methods"] = [baseline, *dict.fromkeys(m for m in rows if m != baseline)]
        lines += [
            f"### {title}",
            "",
            f"`call` suite, mean PSNR in dB (difference to `{baseline}`); from {', '.join(f'`{n}`' for n in files)}.",
            "",
            difference_table(merged, baseline),
        ]
    return lines


def _speed(sources: Sources) -> tuple[dict[str, float], list[str]]:
    """Speed tables, one per run; returns the 1080p fps per method of the first run too."""
    fps_1080: dict[str, float] = {}
    lines = []
    for name in SPEED:
        document = sources.load(name)
        if document is None:
            continue
        meta = document["meta"]
        page = meta.get("browser", {})
        browser = f", Chromium {page['chromium']}" if page else ""
        browser += f", onnxruntime-web {page['onnxruntime-web']}" if page.get("onnxruntime-web") else ""
        lines += [
            f"`{name}` ({meta['machine']['cpu']}, {meta['machine']['cores']} cores, {meta['threads']} "
            f"threads{browser}, {meta['date'][:10]}):",
            "",
            "| method | output | input | median ms | fps |",
            "|---|---|---|---|---|",
        ]
        for row in document["results"]:
            lines.append(
                f"| {row['method']} | {row['size']} | {row['input_size']} | {row['median_ms']:.1f} | {row['fps']:.1f} |"
            )
            if name == SPEED[0] and row["size"] == "1920x1080":
                fps_1080[row["method"]] = row["fps"]
        lines.append("")
    return fps_1080, lines


# The plot's panels: (suite, preset) whose suite-mean PSNR is set against 1080p speed.
PANELS = (("call", "call"), ("classic", "x2"))


def _plot_quality_speed(panels: dict[tuple[str, str], list[tuple[str, float, float]]], path: Path) -> None:
    plt = pyplot()
    figure, all_axes = plt.subplots(1, len(panels), figsize=(7 * len(panels), 5), squeeze=False)
    for axes, ((suite, preset), points) in zip(all_axes[0], panels.items(), strict=True):
        for name, fps, psnr in points:
            ours = name.startswith(("student", "teacher"))
            axes.scatter(fps, psnr, color="tab:red" if ours else "tab:blue", zorder=3)
            axes.annotate(name, (fps, psnr), textcoords="offset points", xytext=(5, 4), fontsize=8)
        axes.axvline(30, color="grey", linestyle="--", linewidth=1)
        axes.set_xscale("log")
        axes.set_xlabel("fps at 1920x1080, 2 threads (log scale; dashed: 30 fps)")
        axes.set_ylabel(f"PSNR dB, {suite} suite, {preset} preset")
        axes.set_title(f"{suite} suite at {preset} (red: ours)")
        axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    save_figure(figure, path, dpi=110)


def _quality_speed(
    methods: list[str], rows: dict[tuple, dict], fps_1080: dict[str, float], plot: Path, out_dir: Path
) -> list[str]:
    panels = {
        (suite, preset): [
            (m, fps_1080[m], rows[(m, suite, "mean", preset)]["psnr"])
            for m in methods
            if m in fps_1080 and m != "input" and (m, suite, "mean", preset) in rows
        ]
        for suite, preset in PANELS
    }
    panels = {key: points for key, points in panels.items() if points}
    if not panels:
        return ["No method has both a score and a 1080p time."]
    _plot_quality_speed(panels, plot)
    lines = [
        f"![quality against speed]({_relative(plot, out_dir)})",
        "",
        "The received frame itself (`input`, no work) is left out of the plot.",
    ]
    for (suite, preset), points in panels.items():
        plotted = {name for name, _fps, _psnr in points}
        left_out = [m for m in methods if m not in plotted | {"input"} and (m, suite, "mean", preset) in rows]
        lines.append(
            f"- `{suite}` suite at `{preset}`: {len(points)} methods with a score and a 1080p time in "
            f"`{SPEED[0]}`; scored but not timed there: {', '.join(left_out) or 'none'}."
        )
    return lines


def _per_content(methods: list[str], rows: dict[tuple, dict], preset: str = "call") -> list[str]:
    sets = [s for s in CONTENT_SETS if any(k[2] == s and k[3] == preset for k in rows)]
    header = [f"{s}: {CONTENT_SETS[s]}" for s in sets] + ["screens OCR CER", "video flicker", "edge ratio"]
    lines = ["| method | " + " | ".join(header) + " |", "|---" * (len(header) + 1) + "|"]
    for method in methods:
        cells = [
            next((r for k, r in rows.items() if k[0] == method and k[2] == s and k[3] == preset), None) for s in sets
        ]
        if not any(cells):
            continue
        screens = rows.get((method, "call", "screens", preset))
        video = rows.get((method, "call", "video", preset))
        mean = rows.get((method, "call", "mean", preset))
        lines.append(
            f"| {method} | " + " | ".join(format_value(c["psnr"]) if c else "–" for c in cells) + f" | "
            f"{format_value(screens and screens['ocr_cer'], 3)} | {format_value(video and video['flicker'], 3)} | "
            f"{format_value(mean and mean['edge_ratio'])} |"
        )
    return lines


def _flicker(sources: Sources) -> list[str]:
    from crispcall.evaluation.temporal import stability_table

    document = sources.load(FLICKER)
    if document is None:
        return [f"No flicker results (`crispcall flicker --vmaf --json docs/results/{FLICKER}`)."]
    return [
        f"`{FLICKER}`: every frame in order, as one stream (lower flicker is steadier; VMAF and VMAF-NEG "
        "per restored clip, where measured).",
        "",
        stability_table(document),
    ]


def _study(study: Path | None, out_dir: Path) -> list[str]:
    if study is None or not study.is_file():
        return [
            "No viewer study has been run yet. `crispcall study make-clips`, `study serve` and `study results` "
            "produce it; rerun this command with `--study` on its results.json."
        ]
    document = json.loads(study.read_text())
    raters = document["raters"]
    lines = [
        f"From `{study}`: {sum(r['kept'] for r in raters)} of {len(raters)} raters kept by the P.910 "
        "correlation screening. MOS (1 bad to 5 excellent) with the 95% confidence interval and the number "
        "of ratings:",
        "",
    ]
    contents = list(dict.fromkeys(r["content"] for r in document["mos"]))
    lines += ["| condition | " + " | ".join(contents) + " |", "|---" * (len(contents) + 1) + "|"]
    cells = {(r["condition"], r["content"]): r for r in document["mos"]}
    for condition in document["conditions"]:
        row = [cells.get((condition, c)) for c in contents]
        lines.append(
            f"| {condition} | "
            + " | ".join(f"{r['mos']:.2f} ± {format_value(r['ci95'])} ({r['n']})" if r else "–" for r in row)
            + " |"
        )
    plot = study.parent / "mos.png"
    if plot.is_file():
        lines += ["", f"![MOS per condition and content]({_relative(plot, out_dir)})"]
    return lines


def _relative(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path.resolve(), start.resolve())


def _limits(rows: dict[tuple, dict], fps_1080: dict[str, float], sources: Sources) -> list[str]:
    """Each limit is a comparison computed from the results; none is written by hand."""
    lines = []

    def psnr(method: str, preset: str) -> float | None:
        row = rows.get((method, "call", "mean", preset))
        return row["psnr"] if row else None

    for preset in ("call", "poor"):
        student, teacher = psnr("student", preset), psnr("teacher", preset)
        if student is not None and teacher is not None:
            verdict = "within" if teacher - student <= 0.5 else "outside"
            lines.append(
                f"- At `{preset}`, the student is {teacher - student:.2f} dB below the teacher ({verdict} the "
                "0.5 dB target)."
            )
    student = psnr("student", "call")
    peers = {m: psnr(m, "call") for m in {k[0] for k in rows} if not m.startswith(("student", "teacher", "input"))}
    better = sorted(m for m, v in peers.items() if v is not None and student is not None and v > student)
    if better:
        lines.append(
            f"- At `call`, {len(better)} other methods score higher PSNR than the student: {', '.join(better)}."
        )
    fast = sorted(
        (m for m, f in fps_1080.items() if f >= 30 and m not in ("bilinear", "input")), key=lambda m: -fps_1080[m]
    )
    if fast:
        lines.append(
            f"- At 1080p on this CPU, {len(fast)} methods reach 30 fps: "
            + ", ".join(f"{m} ({fps_1080[m]:.1f})" for m in fast)
            + "."
        )
    edge = rows.get(("student", "call", "mean", "call"))
    if edge and edge["edge_ratio"] is not None:
        verdict = "inside" if 1.5 <= edge["edge_ratio"] <= 2.0 else "outside"
        lines.append(
            f"- The student's edge ratio over its input at `call` is {edge['edge_ratio']:.2f}, {verdict} the "
            "1.5-2.0 target band (the ground truth's own ratio is "
            f"{format_value(edge['gt_edge_ratio'])})."
        )
    flicker = sources.load(FLICKER)
    if flicker:
        by = {r["method"]: r["flicker"] for r in flicker["results"]}
        if "student" in by and "input" in by:
            change = 100 * (by["student"] / by["input"] - 1)
            lines.append(
                f"- The student flickers {change:+.1f}% against the received stream "
                f"({by['student']:.3f} against {by['input']:.3f})."
            )
    return lines or ["- No comparison could be computed: the result files are missing."]


def _method_section(weights: Path) -> list[str]:
    lines = [
        "Test degradations (BENCHMARK.md; `crispcall.degrade.presets`):",
        "",
        "| preset | scale | motion blur px | noise sigma | H.264 CRF | block loss |",
        "|---|---|---|---|---|---|",
    ]
    for name, p in PRESETS.items():
        lines.append(
            f"| `{name}` | x{p.scale} | {p.motion_length or '–'} | {p.noise_sigma or '–'} | "
            f"{p.crf if p.crf is not None else '–'} | {p.loss_rate or '–'} |"
        )
    lines += [
        "",
        "- **Teacher**: RLFN (Apache-2.0, see NOTICE), x2 on the received frame as published, fine-tuned on our own "
        "degradation pipeline (resize, blur, noise, JPEG, H.264/VP8 through PyAV, lost blocks concealed as a "
        "decoder would), with a twin for frames that arrive at a third of the display size; both ship "
        "self-ensembled in their ONNX graphs ([models/teacher.md](models/teacher.md)). Their own runs beside the "
        "peers are in the section after the quality tables.",
        "- **Student**: a body at a quarter of the resolution on luma; since session 54 a larger body learnt from "
        "the ground truth (with more screen pairs) and cut down to the speed budget, as it scored above every "
        "student distilled from the x2 teacher's precomputed outputs (response, feature alignment and a SIFT-like "
        "orientation term: the ablations below); its shape and recipe are in [models/student.md](models/student.md). "
        "Where ONNX Runtime's INT8 kernels have AVX2 but no VNNI or AMX the default is `student-int8-avx2`: the same "
        "student cut to 1x1 second convolutions (6.3 GMAC a 1080p frame against 10.6) and fine-tuned (session 61).",
        "- **INT8**: ONNX Runtime static QDQ, per-channel weights; quantization-aware fine-tuning for the shipped "
        "file.",
        "- **Exports**: ONNX (uint8 frames in and out, any size) for ONNX Runtime, OpenVINO and onnxruntime-web, and "
        "TFLite through litert-torch; each export is checked against PyTorch by running it.",
        "",
        "Shipped files (bytes, measured now):",
        "",
        "| file | bytes |",
        "|---|---|",
    ]
    lines += [f"| `weights/{n}` | {(weights / n).stat().st_size:,} |" for n in SHIPPED if (weights / n).is_file()]
    return lines


def build_report(results: Path, out: Path, study: Path | None = None, weights: Path | None = None) -> Path:
    """Write ``out`` (Markdown), its HTML twin beside it and the plots under ``out``'s
    folder/report/; returns ``out``."""
    from crispcall.paths import weights_dir

    sources = Sources(results)
    out_dir = out.parent
    methods, rows, quality = _quality(sources)
    if not rows:
        raise FileNotFoundError(f"no eval results in {results} (expected {', '.join(HEADLINE_EVAL)})")
    fps_1080, speed = _speed(sources)
    plot = out_dir / "report" / "quality-speed.png"
    sections = [
        "# crispcall: project report",
        "",
        "Generated by `crispcall report`; do not edit by hand. Every figure below is read from the result files "
        "listed at the end, written by the commands in [RESULTS.md](RESULTS.md) and `scripts/`.",
        "",
        "## Method",
        "",
        *_method_section(weights or weights_dir()),
        "",
        "## Quality",
        "",
        "Mean over each suite's sets, PSNR (dB) and SSIM on luma, every test file; the newest full run of each "
        f"method. At `call`, `poor` and `lossy` only runs since {CONVERSION_FIXED[:16].replace('T', ' ')} UTC count "
        "(before it decoded frames were darkened by about 1.2 levels); a method not scored since has a dash there.",
        "",
        *quality,
        "## The shipped teachers against the peers",
        "",
        *_differences(sources, TEACHERS),
        "## Ablations",
        "",
        *_differences(sources, ABLATIONS),
        "## Speed",
        "",
        "The full frame path: RGB uint8 in and out, batch 1, median over the timed frames (BENCHMARK.md). Rows "
        "of one table come from one run.",
        "",
        *speed,
        "## Quality against speed",
        "",
        *_quality_speed(methods, rows, fps_1080, plot, out_dir),
        "",
        "## Per content type (`call` preset)",
        "",
        "PSNR per test set (the content it stands for), Tesseract's character error rate on the screens against "
        "its reading of the ground truth, flicker on the video set, and the edge ratio over the input (suite "
        "mean):",
        "",
        *_per_content(methods, rows),
        "",
        "## Temporal stability",
        "",
        *_flicker(sources),
        "",
        "## Viewer study",
        "",
        *_study(study, out_dir),
        "",
        "## Limits found",
        "",
        *_limits(rows, fps_1080, sources),
        "",
        "## Sources",
        "",
        *[f"- `{results / name}`" for name in sources.used],
        *([f"- `{study}`"] if study is not None and study.is_file() else []),
        "",
    ]
    text = "\n".join(sections)
    out_dir.mkdir(parents=True, exist_ok=True)
    with written_whole(out) as partial:
        partial.write_text(text)
    _write_html(text, out.with_suffix(".html"))
    return out


def _write_html(markdown_text: str, path: Path) -> None:
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables"])
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>crispcall report</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:.2rem .4rem}"
        "img{max-width:100%}</style></head><body>" + body + "</body></html>\n"
    )
    with written_whole(path) as partial:
        partial.write_text(page)
