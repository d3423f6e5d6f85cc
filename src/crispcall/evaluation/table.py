"""The reference table of BENCHMARK.md as Markdown, from ``crispcall eval`` JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from crispcall.errors import InputError


def format_value(value: float | None, digits: int = 2) -> str:
    """A figure for a table cell; "–" where there is none."""
    return "–" if value is None else f"{value:.{digits}f}"


def _psnr_ssim_table(methods: list[str], headers: list[str], lookup: Callable[[str, int], dict]) -> list[str]:
    """Rows of "PSNR / SSIM" cells: ``lookup(method, column)`` gives the result row of a cell."""
    lines = ["| method | " + " | ".join(headers) + " |", "|---" * (len(headers) + 1) + "|"]
    for m in methods:
        cells = [
            f"{format_value(r['psnr'], 2)} / {format_value(r['ssim'], 4)}"
            for r in (lookup(m, i) for i in range(len(headers)))
        ]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


# Keys of a result row that name it; every other key is a metric.
_ROW_NAMES = ("method", "suite", "set", "preset", "n_images")


def suite_mean(per_set: list[dict], method: str, suite: str, preset: str) -> dict:
    """The ``mean`` row of a method's ``per_set`` rows at a preset: each metric averaged over the
    sets that have it (BENCHMARK.md: a suite's score is the mean of its sets'), their images summed."""
    metrics = dict.fromkeys(k for r in per_set for k in r if k not in _ROW_NAMES)
    row: dict = {"method": method, "suite": suite, "set": "mean", "preset": preset}
    for metric in metrics:
        values = [r[metric] for r in per_set if r.get(metric) is not None]
        row[metric] = float(np.mean(values)) if values else None
    row["n_images"] = sum(r["n_images"] for r in per_set)
    return row


def merge_documents(documents: list[dict]) -> dict:
    """One document from several ``crispcall eval`` runs on the same data and limit: the
    suites and presets they all scored, every method (a method scored twice keeps its first run).
    A method whose sets were scored in different runs (``--sets``) gets its mean over them all."""
    first = documents[0]["meta"]
    for other in documents[1:]:
        if any(other["meta"][k] != first[k] for k in ("data", "limit")):
            raise InputError("eval results on different data or --limit cannot be merged")
    suites = [s for s in first["suites"] if all(s in d["meta"]["suites"] for d in documents)]
    presets = [p for p in first["presets"] if all(p in d["meta"]["presets"] for d in documents)]
    if not (suites and presets):
        raise InputError("the eval results share no suite and preset")
    methods = list(dict.fromkeys(m for d in documents for m in d["meta"]["methods"]))
    results: dict[tuple, dict] = {}
    sets: dict[tuple, list[tuple[int, dict]]] = {}  # (method, suite, preset): its set rows and their runs
    for i, document in enumerate(documents):
        for row in document["results"]:
            key = (row["method"], row["suite"], row["set"], row["preset"])
            if row["suite"] in suites and row["preset"] in presets and key not in results:
                results[key] = row
                if row["set"] != "mean":
                    sets.setdefault((row["method"], row["suite"], row["preset"]), []).append((i, row))
    for (method, suite, preset), rows in sets.items():
        if len({i for i, _ in rows}) > 1:
            results[(method, suite, "mean", preset)] = suite_mean([r for _, r in rows], method, suite, preset)
    meta = {**first, "suites": suites, "presets": presets, "methods": methods}
    return {"meta": meta, "results": list(results.values())}


def difference_table(document: dict, baseline: str, sets: Sequence[str] = ("mean",)) -> str:
    """PSNR of every method with its difference to ``baseline`` in dB, on the suite mean and
    the other ``sets`` named (a column each, after the mean's of each suite and preset)."""
    meta = document["meta"]
    if baseline not in meta["methods"]:
        raise InputError(f"--against {baseline!r} is not among the methods: {', '.join(meta['methods'])}")
    index = {(r["method"], r["suite"], r["set"], r["preset"]): r for r in document["results"]}
    columns = [(s, st, p) for s in meta["suites"] for p in meta["presets"] for st in sets]
    missing = [st for st in sets if not any(k[2] == st for k in index)]
    if missing:
        raise InputError(f"no set {', '.join(missing)} in these results")
    lines = [
        "| method | "
        + " | ".join(f"{s} {'' if st == 'mean' else st + ' '}{p} PSNR (dB vs {baseline})" for s, st, p in columns)
        + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for m in meta["methods"]:
        cells = []
        for s, st, p in columns:
            value, base = index[(m, s, st, p)]["psnr"], index[(baseline, s, st, p)]["psnr"]
            cells.append(f"{format_value(value, 2)} ({value - base:+.2f})")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown_tables(document: dict) -> str:
    """Suite means (PSNR / SSIM), then per-set detail, then edges, OCR and flicker."""
    rows = document["results"]
    meta = document["meta"]
    methods, suites, presets = meta["methods"], meta["suites"], meta["presets"]
    index = {(r["method"], r["suite"], r["set"], r["preset"]): r for r in rows}
    out = []

    columns = [(s, p) for s in suites for p in presets]
    out += _psnr_ssim_table(
        methods,
        [f"{s} {p} PSNR / SSIM" for s, p in columns],
        lambda m, i: index[(m, columns[i][0], "mean", columns[i][1])],
    )

    sets = list(dict.fromkeys(r["set"] for r in rows if r["set"] != "mean"))
    first_suite = {st: next(r["suite"] for r in rows if r["set"] == st) for st in sets}
    out += ["", "Per set, PSNR / SSIM:", ""]
    columns = [(st, p) for st in sets for p in presets]
    out += _psnr_ssim_table(
        methods,
        [f"{st} {p}" for st, p in columns],
        lambda m, i: index[(m, first_suite[columns[i][0]], columns[i][0], columns[i][1])],
    )

    # Results written before the level error was scored have none: their tables stay as they were.
    level = any(r.get("level_error") is not None for r in rows)
    words = any(r.get("ocr_word_error") is not None for r in rows)  # likewise, before session 55
    out.append("")
    out.append(
        "Edge ratio over the input (ground truth's own ratio in the header), "
        + ("level error (mean Y error in levels of 255, best at 0), " if level else "")
        + "OCR CER on screens"
        + (" and its order-free word error" if words else "")
        + ", flicker on video (lower is better):"
    )
    out.append("")
    suite = suites[0]
    header = []
    for p in presets:
        gt = index[(methods[0], suite, "mean", p)]["gt_edge_ratio"] if methods else None
        header += [
            f"{p} edge (gt {format_value(gt, 2)})",
            *([f"{p} level"] if level else []),
            f"{p} CER",
            *([f"{p} words"] if words else []),
            f"{p} flicker",
        ]
    out.append(f"| method ({suite} suite) | " + " | ".join(header) + " |")
    out.append("|---" * (len(header) + 1) + "|")
    for m in methods:
        cells = []
        for p in presets:
            r = index[(m, suite, "mean", p)]
            cells += [format_value(r["edge_ratio"], 2), *([format_value(r.get("level_error"), 2)] if level else [])]
            cells += [format_value(r["ocr_cer"], 3), *([format_value(r.get("ocr_word_error"), 3)] if words else [])]
            cells.append(format_value(r["flicker"], 3))
        out.append(f"| {m} | " + " | ".join(cells) + " |")
    if any(r.get("vmaf") is not None for r in rows):
        out += ["", f"VMAF / VMAF-NEG ({suite} suite, mean over clips):", ""]
        out.append("| method | " + " | ".join(f"{p} VMAF / NEG" for p in presets) + " |")
        out.append("|---" * (len(presets) + 1) + "|")
        for m in methods:
            cells = [
                f"{format_value(index[(m, suite, 'mean', p)].get('vmaf'))} / "
                f"{format_value(index[(m, suite, 'mean', p)].get('vmaf_neg'))}"
                for p in presets
            ]
            out.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
