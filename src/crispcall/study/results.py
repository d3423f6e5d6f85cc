"""``crispcall study results``: MOS with 95% confidence intervals, rater screening, CSV and plot.

Screening follows ITU-T P.910 (10/2023), which takes the correlation test of P.913 (clause
11.4): for each rater, r1 is the Pearson correlation between their scores and the mean scores
of all raters over the stimuli they rated, and r2 the same over the conditions (their mean per
condition against everyone's). A rater is dropped when r1 < 0.75 and r2 < 0.8. A rater whose
scores never vary correlates with nothing and is dropped too. MOS and intervals are computed
from the kept raters; the interval is Student's t over the individual scores.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import stats

from crispcall.errors import InputError
from crispcall.files import pyplot, save_figure, write_json, written_whole
from crispcall.study.clips import load_manifest
from crispcall.study.store import all_answers

R1_MIN, R2_MIN = 0.75, 0.8


def _pearson(a: list[float], b: list[float]) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def screen_raters(scores: list[dict]) -> list[dict]:
    """r1, r2 and the verdict for each session, from ACR rows with session, stimulus, condition, score."""
    per_stimulus: dict[str, list[float]] = defaultdict(list)
    per_condition: dict[str, list[float]] = defaultdict(list)
    for row in scores:
        per_stimulus[row["stimulus"]].append(row["score"])
        per_condition[row["condition"]].append(row["score"])
    mean_stimulus = {k: float(np.mean(v)) for k, v in per_stimulus.items()}
    mean_condition = {k: float(np.mean(v)) for k, v in per_condition.items()}
    verdicts = []
    for session in sorted({row["session"] for row in scores}):
        own = [row for row in scores if row["session"] == session]
        r1 = _pearson([r["score"] for r in own], [mean_stimulus[r["stimulus"]] for r in own])
        by_condition: dict[str, list[float]] = defaultdict(list)
        for r in own:
            by_condition[r["condition"]].append(r["score"])
        conditions = sorted(by_condition)
        r2 = _pearson([float(np.mean(by_condition[c])) for c in conditions], [mean_condition[c] for c in conditions])
        unreliable = (np.isnan(r1) or r1 < R1_MIN) and (np.isnan(r2) or r2 < R2_MIN)
        verdicts.append(
            {
                "session": session,
                "rater": own[0]["rater"],
                "ratings": len(own),
                "r1": r1,
                "r2": r2,
                "kept": not unreliable,
            }
        )
    return verdicts


def mos_table(scores: list[dict]) -> list[dict]:
    """MOS, standard deviation, 95% interval and count per condition, per content type and
    over all content ("all")."""
    cells: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in scores:
        cells[(row["condition"], row["content"])].append(row["score"])
        cells[(row["condition"], "all")].append(row["score"])
    table = []
    for (condition, content), values in sorted(cells.items()):
        n = len(values)
        std = float(np.std(values, ddof=1)) if n > 1 else float("nan")
        half = float(stats.t.ppf(0.975, n - 1) * std / np.sqrt(n)) if n > 1 else float("nan")
        table.append(
            {
                "condition": condition,
                "content": content,
                "n": n,
                "mos": float(np.mean(values)),
                "std": std,
                "ci95": half,
            }
        )
    return table


def pair_table(choices: list[dict]) -> list[dict]:
    """For each pair of conditions: how often each side was preferred, with the Wilson 95%
    interval of the first condition's share among the decided answers."""
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"first_wins": 0, "second_wins": 0, "same": 0})
    for row in choices:
        first, second = sorted((row["left_condition"], row["right_condition"]))
        if row["value"] == "same":
            cells[(first, second)]["same"] += 1
        else:
            chosen = row["left_condition"] if row["value"] == "left" else row["right_condition"]
            cells[(first, second)]["first_wins" if chosen == first else "second_wins"] += 1
    table = []
    for (first, second), counts in sorted(cells.items()):
        decided = counts["first_wins"] + counts["second_wins"]
        share = counts["first_wins"] / decided if decided else float("nan")
        if decided:
            z = 1.959964
            centre = (share + z * z / (2 * decided)) / (1 + z * z / decided)
            half = z * np.sqrt(share * (1 - share) / decided + z * z / (4 * decided * decided)) / (1 + z * z / decided)
            low, high = centre - half, centre + half
        else:
            low = high = float("nan")
        table.append({"first": first, "second": second, **counts, "first_share": share, "ci_low": low, "ci_high": high})
    return table


def _write_csv(path: Path, rows: list[dict]) -> bool:
    """Write ``rows`` as CSV; nothing (False) when there are none."""
    if not rows:
        return False
    with written_whole(path) as partial, open(partial, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return True


def plot_mos(table: list[dict], conditions: list[str], path: Path) -> None:
    """Grouped bars: MOS per content type (groups) and condition (bars), 95% intervals."""
    plt = pyplot()
    contents = [*sorted({r["content"] for r in table} - {"all"}), "all"]
    present = [c for c in conditions if any(r["condition"] == c for r in table)]
    width = 0.8 / max(1, len(present))
    figure, axes = plt.subplots(figsize=(2 + 1.6 * len(contents), 4.2))
    for i, condition in enumerate(present):
        rows = {r["content"]: r for r in table if r["condition"] == condition}
        xs = [j + (i - (len(present) - 1) / 2) * width for j in range(len(contents))]
        means = [rows[c]["mos"] if c in rows else np.nan for c in contents]
        errors = [0.0 if c not in rows or np.isnan(rows[c]["ci95"]) else rows[c]["ci95"] for c in contents]
        axes.bar(xs, means, width, yerr=errors, capsize=3, label=condition)
    axes.set_xticks(range(len(contents)), contents)
    axes.set_ylim(1, 5)
    axes.set_ylabel("MOS (1 bad - 5 excellent)")
    axes.set_title("Mean opinion score, 95% confidence intervals")
    axes.legend(ncol=len(present), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    figure.tight_layout()
    save_figure(figure, path, dpi=120)


def study_results(db: Path, clips: Path, out: Path) -> dict:
    """Compute everything from the database and the manifest; write ``mos.csv``,
    ``raters.csv``, ``pairs.csv`` (when pair answers exist), ``mos.png`` and ``results.json``
    into ``out``, each only when it has rows (no rater kept: no ``mos.csv`` or ``mos.png``).
    Returns the JSON document; its ``files`` names what was written."""
    if not db.is_file():
        raise FileNotFoundError(f"no such database: {db}")
    manifest = load_manifest(clips)
    by_id = {s["id"]: s for s in manifest["stimuli"]}
    answers = all_answers(db)
    scores = [
        {
            "session": a["session"],
            "rater": a["rater"],
            "stimulus": a["item"],
            "score": float(a["value"]),
            **{k: by_id[a["item"]][k] for k in ("condition", "content", "preset", "source")},
        }
        for a in answers
        if a["mode"] == "acr"
    ]
    choices = []
    for a in answers:
        if a["mode"] == "pair":
            left, right = a["item"].split("|")
            choices.append(
                {
                    "value": a["value"],
                    "left_condition": by_id[left]["condition"],
                    "right_condition": by_id[right]["condition"],
                }
            )
    if not scores and not choices:
        raise InputError(f"{db} holds no answers yet")
    raters = screen_raters(scores) if scores else []
    kept = {r["session"] for r in raters if r["kept"]}
    table = mos_table([s for s in scores if s["session"] in kept])
    pairs = pair_table(choices)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"mos.csv": table, "raters.csv": raters, "pairs.csv": pairs}
    for name in (*tables, "mos.png"):  # none left from an earlier run
        (out / name).unlink(missing_ok=True)
    files = [name for name, rows in tables.items() if _write_csv(out / name, rows)]
    if table:
        plot_mos(table, manifest["conditions"], out / "mos.png")
        files.append("mos.png")
    files.append("results.json")
    document = {"raters": raters, "mos": table, "pairs": pairs, "conditions": manifest["conditions"], "files": files}
    write_json(out / "results.json", document)
    return document
