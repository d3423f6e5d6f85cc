"""The reference table of BENCHMARK.md as Markdown, from ``crispcall eval`` JSON."""

from __future__ import annotations

from collections.abc import Callable


def _fmt(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _psnr_ssim_table(methods: list[str], headers: list[str], lookup: Callable[[str, int], dict]) -> list[str]:
    """Rows of "PSNR / SSIM" cells: ``lookup(method, column)`` gives the result row of a cell."""
    lines = ["| method | " + " | ".join(headers) + " |", "|---" * (len(headers) + 1) + "|"]
    for m in methods:
        cells = [f"{_fmt(r['psnr'], 2)} / {_fmt(r['ssim'], 4)}" for r in (lookup(m, i) for i in range(len(headers)))]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


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

    out.append("")
    out.append(
        "Edge ratio over the input (ground truth's own ratio in the header), OCR CER on "
        "screens, flicker on video (lower is better):"
    )
    out.append("")
    suite = suites[0]
    header = []
    for p in presets:
        gt = index[(methods[0], suite, "mean", p)]["gt_edge_ratio"] if methods else None
        header += [f"{p} edge (gt {_fmt(gt, 2)})", f"{p} CER", f"{p} flicker"]
    out.append(f"| method ({suite} suite) | " + " | ".join(header) + " |")
    out.append("|---" * (len(header) + 1) + "|")
    for m in methods:
        cells = []
        for p in presets:
            r = index[(m, suite, "mean", p)]
            cells += [_fmt(r["edge_ratio"], 2), _fmt(r["ocr_cer"], 3), _fmt(r["flicker"], 3)]
        out.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
