import json

import pytest

pytest.importorskip("markdown", reason="the HTML copy needs the report extra")

from crispcall.report import build_report
from crispcall.report.build import SPEED, TEACHERS, Differences, Sources, _differences

META = {"crispcall": "0.1.0", "machine": {"cpu": "Test CPU", "cores": 2, "python": "3.11", "platform": "x"}}


def _eval(methods: dict[str, float], date: str) -> dict:
    rows = []
    for method, psnr in methods.items():
        for preset in ("x2", "call"):
            for set_name in ("faces", "screens", "video", "Set14", "mean"):
                rows.append(
                    {
                        "method": method,
                        "suite": "call",
                        "set": set_name,
                        "preset": preset,
                        "psnr": psnr,
                        "ssim": 0.9,
                        "edge_ratio": 1.1,
                        "gt_edge_ratio": 1.4,
                        "n_images": 2,
                        "ocr_cer": 0.4 if set_name in ("screens", "mean") else None,
                        "flicker": 1.2 if set_name in ("video", "mean") else None,
                    }
                )
    meta = {
        **META,
        "date": date,
        "data": "d",
        "suites": ["call"],
        "presets": ["x2", "call"],
        "methods": list(methods),
        "limit": None,
    }
    return {"meta": meta, "results": rows}


@pytest.fixture
def results(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "eval-baselines.json").write_text(json.dumps(_eval({"input": 30.0, "unsharp": 31.0}, "2026-12-05")))
    (folder / "eval-student-s42.json").write_text(json.dumps(_eval({"teacher": 33.0}, "2026-12-06")))
    (folder / "eval-student-s18.json").write_text(
        json.dumps(_eval({"student": 32.25, "student-qat": 32.2}, "2026-12-07"))
    )
    bench = {
        "meta": {**META, "date": "2026-01-04", "threads": 2, "warmup": 1, "frames": 3},
        "results": [
            {
                "method": m,
                "size": "1920x1080",
                "input_size": "1920x1080",
                "threads": 2,
                "median_ms": ms,
                "fps": 1000 / ms,
            }
            for m, ms in (("bilinear", 1.0), ("unsharp", 5.0), ("student", 25.0), ("teacher", 1000.0))
        ],
    }
    (folder / SPEED[0]).write_text(json.dumps(bench))
    page = {"chromium": "156.0", "onnxruntime-web": "1.30.0"}
    (folder / SPEED[-1]).write_text(json.dumps({**bench, "meta": {**bench["meta"], "threads": 1, "browser": page}}))
    flicker = {
        "meta": {**META, "date": "2026-01-05"},
        "results": [
            {"method": m, "preset": "call", "flicker": f, "psnr": 36.0, "clips": 2, "frames_per_clip": 9}
            for m, f in (("input", 1.0), ("student", 1.1))
        ],
    }
    (folder / "flicker-call-vmaf.json").write_text(json.dumps(flicker))
    return folder


def test_every_figure_comes_from_the_result_files(results, tmp_path):
    out = build_report(results, tmp_path / "docs" / "REPORT.md")
    text = out.read_text()
    assert "| student | 32.25 / 0.9000 | 32.25 / 0.9000 |" in text
    assert "| student | 1920x1080 | 1920x1080 | 25.0 | 40.0 |" in text
    assert "1 threads, Chromium 156.0, onnxruntime-web 1.30.0, 2026-01-04" in text  # the page's run and runtime
    assert "the student is 0.75 dB below the teacher (outside the 0.5 dB target)" in text
    assert "flickers +10.0% against the received stream" in text
    assert "student (40.0)" in text and "teacher (1.0)" not in text  # only methods at 30 fps or more
    assert (tmp_path / "docs" / "report" / "quality-speed.png").stat().st_size > 0
    assert "<table>" in out.with_suffix(".html").read_text()
    assert "No viewer study has been run yet" in text
    # A new measurement changes the report: nothing in it is fixed text.
    document = json.loads((results / "eval-student-s18.json").read_text())
    for row in document["results"]:
        row["psnr"] = 32.75 if row["method"] == "student" else row["psnr"]
    (results / "eval-student-s18.json").write_text(json.dumps(document))
    assert "0.25 dB below the teacher (within the 0.5 dB target)" in build_report(results, out).read_text()


def test_codec_presets_count_only_after_the_conversion_fix(results, tmp_path):
    # A run from before the fix keeps only its cells at x2 (no codec there).
    (results / "eval-student-s18-classic.json").write_text(json.dumps(_eval({"espcn": 31.5}, "2026-12-03")))
    text = build_report(results, tmp_path / "REPORT.md").read_text()
    assert "| espcn | 31.50 / 0.9000 | – |" in text
    assert "| unsharp | 31.00 / 0.9000 | 31.00 / 0.9000 |" in text


def test_the_shipped_teachers_runs_have_their_section(results, tmp_path):
    (results / TEACHERS[0][1][0]).write_text(json.dumps(_eval({"waifu2x-noise1": 32.0, "teacher": 32.5}, "2026-12-05")))
    text = build_report(results, tmp_path / "REPORT.md").read_text()
    section = text.split("## The shipped teachers against the peers")[1].split("## Ablations")[0]
    assert TEACHERS[0][0] in section and "| teacher | 32.50 (+0.50) | 32.50 (+0.50) |" in section


def test_study_results_are_included(results, tmp_path):
    study = tmp_path / "study" / "results.json"
    study.parent.mkdir()
    study.write_text(
        json.dumps(
            {
                "conditions": ["degraded", "student"],
                "raters": [{"session": "a", "rater": "a", "ratings": 4, "r1": 0.9, "r2": 0.9, "kept": True}],
                "mos": [
                    {"condition": c, "content": "faces", "n": 2, "mos": m, "std": 0.5, "ci95": 0.3}
                    for c, m in (("degraded", 2.0), ("student", 3.5))
                ],
                "pairs": [],
            }
        )
    )
    text = build_report(results, tmp_path / "REPORT.md", study).read_text()
    assert "1 of 1 raters kept" in text and "| student | 3.50 ± 0.30 (2) |" in text


def test_no_eval_results_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no eval results"):
        build_report(tmp_path, tmp_path / "REPORT.md")


def test_difference_rows_come_from_the_files_named(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(_eval({"other": 31.0, "twin": 32.0}, "2026-12-05")))
    (tmp_path / "b.json").write_text(json.dumps(_eval({"arm": 32.5}, "2026-12-06")))
    files = ("a.json", "missing.json", "b.json")
    every = "\n".join(_differences(Sources(tmp_path), (Differences("T", files, "twin"),)))
    rest = "\n".join(_differences(Sources(tmp_path), (Differences("T", files, "twin", rows_from=1),)))
    assert every.index("| twin | 32.00 (+0.00)") < every.index("| other | 31.00 (-1.00)") < every.index("| arm |")
    assert "| other |" not in rest and "| twin | 32.00 (+0.00)" in rest and "| arm | 32.50 (+0.50)" in rest
    assert _differences(Sources(tmp_path), (Differences("T", ("missing.json",), "twin"),)) == []
