"""Tables inside hand-written pages, generated from the result JSON: one source for every figure.

A page marks where a table goes, and which result files it shows::

    <!-- table eval docs/results/eval-baselines.json docs/results/eval-teacher-call.json -->
    ...generated...
    <!-- end table -->

Kinds: ``eval`` (the reference tables of merged ``crispcall eval`` runs: suite means, per set,
edges, OCR, flicker), ``diff`` (suite-mean PSNR and the difference to the method named by
``against=METHOD``; ``sets=a,b`` adds those sets' columns), ``bench`` (``crispcall bench``: ms,
fps and the ratio to bilinear), ``flicker`` (``crispcall flicker``), ``profile`` (``crispcall
profile --json``), ``validate`` (``crispcall train validate --json``: the held-out validation
PSNR of weights files) and ``runs`` (when, on what machine and commit each file was made). Add
``methods=a,b,c`` to keep those rows, in that order. Paths are relative to the repository root.
``crispcall report`` rewrites every block of :data:`PAGES`; a test fails while a committed page
differs from what the files give.
"""

from __future__ import annotations

import re
from pathlib import Path

from crispcall.errors import InputError
from crispcall.evaluation.table import format_value
from crispcall.files import read_json, written_whole

PAGES = ("README.md", "docs/RESULTS.md", "docs/models/teacher.md", "docs/models/student.md")
BLOCK = re.compile(r"(<!-- table (?P<spec>[^\n]*?) -->\n)(?P<body>.*?)(<!-- end table -->)", re.DOTALL)


def _require_methods(methods: list[str], rows: list[dict]) -> None:
    """Refuse a table that names a method none of ``rows`` holds."""
    if missing := set(methods) - {row["method"] for row in rows}:
        raise InputError(f"no results for {', '.join(sorted(missing))} in the table's files")


def _keep(document: dict, methods: list[str] | None) -> dict:
    """``document`` with only ``methods``' rows, in that order."""
    if methods is None:
        return document
    _require_methods(methods, document["results"])
    order = {name: index for index, name in enumerate(methods)}
    rows = sorted((r for r in document["results"] if r["method"] in order), key=lambda r: order[r["method"]])
    meta = {**document["meta"], "methods": methods} if "methods" in document["meta"] else document["meta"]
    return {**document, "meta": meta, "results": rows}


def runs_table(files: list[str], documents: list[dict]) -> str:
    """When, on which machine and at which commit each result file was made."""
    lines = ["| run | date (UTC) | commit | CPU | cores | Python | platform |", "|---|---|---|---|---|---|---|"]
    for name, document in zip(files, documents, strict=True):
        meta, machine = document["meta"], document["meta"]["machine"]
        commit = meta.get("commit") or "not recorded"
        commit = commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")
        lines.append(
            f"| `{Path(name).name}` | {meta['date'][:16].replace('T', ' ')} | {commit} | {machine['cpu']} | "
            f"{machine['cores']} | {machine['python']} | {machine['platform']} |"
        )
    return "\n".join(lines)


def validation_table(document: dict) -> str:
    """Each weights file's validation PSNR and SSIM on luma and PSNR on chroma (files written
    before session 46 have none), plain and self-ensembled where scored; on the held-out frames,
    or on pairs the config learns from (``crispcall train validate --pairs``)."""
    meta = document["meta"]
    if "pairs" in meta:
        scored = f"{meta['pairs']:,} training pairs of `{meta['config']}` ({', '.join(meta['caches'])})"
    else:
        scored = f"Held-out validation frames of `{meta['config']}` ({', '.join(meta['presets'])})"
    lines = [
        scored,
        "",
        "| weights | self-ensemble | PSNR (dB) | SSIM | chroma PSNR (dB) |",
        "|---|---|---|---|---|",
    ]
    for row in document["results"]:
        ensemble = "8 flips and rotations" if row["self_ensemble"] else "no"
        chroma = format_value(row.get("chroma_psnr"), 2)
        lines.append(f"| `{row['weights']}` | {ensemble} | {row['psnr']:.2f} | {row['ssim']:.4f} | {chroma} |")
    return "\n".join(lines)


def files_table(document: dict, methods: list[str] | None = None) -> str:
    """Each file a ``crispcall eval --per-file`` document scored (its ``files``, at each preset) as a
    row, each method as a column: PSNR and, where Tesseract read the file, its character error rate."""
    if "files" not in document:
        raise InputError("a files table needs a document written by crispcall eval --per-file")
    rows = document["files"]
    methods = methods or list(dict.fromkeys(row["method"] for row in rows))
    _require_methods(methods, rows)
    cells: dict[tuple[str, str, str, str], str] = {}  # (preset, set, file, method)
    for row in rows:
        cer = row.get("ocr_cer")
        cell = f"{row['psnr']:.2f}" + ("" if cer is None else f" / {cer:.3f}")
        cells[(row["preset"], row["set"], row["file"], row["method"])] = cell
    items = list(dict.fromkeys((row["preset"], row["set"], row["file"]) for row in rows))
    lines = [
        "PSNR (dB) / Tesseract's character error rate, per file",
        "",
        "| preset | set | file | " + " | ".join(methods) + " |",
        "|---|---|---|" + "---|" * len(methods),
    ]
    for item in items:
        values = " | ".join(cells.get((*item, method), "–") for method in methods)
        preset, set_name, file = item
        lines.append(f"| {preset} | {set_name} | `{file}` | {values} |")
    return "\n".join(lines)


def render_table(spec: str, root: Path) -> str:
    """The Markdown a block's ``spec`` (``KIND FILE... [methods=...] [against=...] [sets=...]``) stands for;
    ``ratio FILE... against=METHOD`` puts bench runs side by side as fractions of one method's time."""
    from crispcall.bench.profile import compare_table, profile_table
    from crispcall.bench.runner import markdown_table, ratio_table
    from crispcall.evaluation.table import difference_table, markdown_tables, merge_documents
    from crispcall.evaluation.temporal import stability_table

    words = spec.split()
    if not words:
        raise InputError("an empty table block")
    kind, options = words[0], dict(w.split("=", 1) for w in words[1:] if "=" in w)
    files = [w for w in words[1:] if "=" not in w]
    methods = options["methods"].split(",") if "methods" in options else None
    documents = [read_json(root / name) for name in files]
    if kind in ("eval", "diff"):
        document = _keep(merge_documents(documents), methods)
        if kind == "eval":
            return markdown_tables(document)
        sets = ("mean", *options["sets"].split(",")) if "sets" in options else ("mean",)
        return difference_table(document, options["against"], sets)
    if kind == "files" and len(documents) == 1:
        return files_table(documents[0], methods)
    if kind == "runs":
        return runs_table(files, documents)
    if kind == "ratio":
        return ratio_table(files, documents, options["against"])
    if kind == "video":
        from crispcall.runtime.video import video_table

        return video_table(files, documents)
    if kind == "validate" and len(documents) == 1:
        return validation_table(documents[0])
    if kind == "profile" and len(documents) == 1:
        document = documents[0]  # crispcall profile --browser writes the native and the page profile
        if "browser" in document:
            return compare_table(document["native"], document["browser"])
        return profile_table(document)
    if kind in ("bench", "flicker") and len(documents) == 1:
        document = _keep(documents[0], methods)
        return markdown_table(document) if kind == "bench" else stability_table(document)
    raise InputError(
        f"unknown table block {spec!r}: eval, diff, runs, ratio or video FILES; "
        "bench, files, flicker, profile or validate FILE"
    )


def refresh_page(text: str, root: Path) -> str:
    """``text`` with every table block regenerated from the files it names."""

    def fill(match: re.Match) -> str:
        body = render_table(match["spec"], root).strip("\n")
        return f"{match.group(1)}{body}\n{match.group(4)}"

    return BLOCK.sub(fill, text)


def refresh_pages(root: Path) -> list[Path]:
    """Regenerate the table blocks of every page of :data:`PAGES` under ``root``; returns the
    pages that changed."""
    changed = []
    for name in PAGES:
        path = root / name
        text = path.read_text()
        fresh = refresh_page(text, root)
        if fresh != text:
            with written_whole(path) as partial:
                partial.write_text(fresh)
            changed.append(path)
    return changed
