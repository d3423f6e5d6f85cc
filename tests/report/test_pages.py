import json

import pytest

from crispcall.paths import checkout_root
from crispcall.report.pages import PAGES, refresh_page, render_table


def _eval_document(methods: dict[str, float]) -> dict:
    rows = [
        {"method": m, "suite": "call", "set": s, "preset": "call", "psnr": psnr, "ssim": 0.9, "edge_ratio": 1.1}
        for m, psnr in methods.items()
        for s in ("mean", "faces")
    ]
    meta = {"methods": list(methods), "suites": ["call"], "presets": ["call"], "sets": {"call": ["faces"]}}
    return {"meta": {**meta, "data": "d", "limit": None, "date": "2026-12-01", "gt_edge": {}}, "results": rows}


@pytest.fixture
def results(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "a.json").write_text(json.dumps(_eval_document({"input": 30.0, "student": 31.25})))
    return tmp_path


def test_a_block_is_filled_from_the_files_it_names_and_a_stale_one_is_replaced(results):
    page = "Words.\n\n<!-- table diff r/a.json against=input -->\n| old | 29.8 |\n<!-- end table -->\n\nMore words.\n"
    fresh = refresh_page(page, results)
    assert fresh.startswith("Words.\n\n<!-- table diff r/a.json against=input -->\n")
    assert "31.25 (+1.25)" in fresh and "29.8" not in fresh and fresh.endswith("<!-- end table -->\n\nMore words.\n")
    assert refresh_page(fresh, results) == fresh


def test_rows_can_be_chosen_and_ordered(results):
    table = render_table("diff r/a.json methods=student,input against=input", results)
    assert table.index("| student |") < table.index("| input |")
    with pytest.raises(ValueError, match="no results for teacher"):
        render_table("eval r/a.json methods=teacher", results)
    with pytest.raises(ValueError, match="does not exist"):
        render_table("eval r/missing.json", results)


def test_a_difference_table_can_add_sets(results):
    table = render_table("diff r/a.json against=input sets=faces", results)
    assert "| call call PSNR (dB vs input) | call faces call PSNR (dB vs input) |" in table
    assert "| student | 31.25 (+1.25) | 31.25 (+1.25) |" in table


@pytest.mark.skipif(checkout_root() is None, reason="the pages are the checkout's")
@pytest.mark.parametrize("name", PAGES)
def test_the_committed_pages_match_their_result_files(name):
    root = checkout_root()
    text = (root / name).read_text()
    assert refresh_page(text, root) == text, f"{name} is stale: run crispcall report"


def test_a_validation_table_lists_each_scored_weights_file(tmp_path):
    rows = [
        {"weights": "t.pt", "self_ensemble": False, "psnr": 27.841, "ssim": 0.74141},
        {"weights": "t.pt", "self_ensemble": True, "psnr": 27.873, "ssim": 0.74239, "chroma_psnr": 36.504},
    ]
    meta = {"config": "c.yaml", "presets": ["call", "poor"]}
    (tmp_path / "v.json").write_text(json.dumps({"meta": meta, "results": rows}))
    table = render_table("validate v.json", tmp_path)
    assert "`c.yaml` (call, poor)" in table
    assert "| `t.pt` | no | 27.84 | 0.7414 | – |" in table  # written before chroma was scored
    assert "| `t.pt` | 8 flips and rotations | 27.87 | 0.7424 | 36.50 |" in table
    meta = {"config": "c.yaml", "caches": ["a.npz", "b.npz"], "pairs": 3000}
    (tmp_path / "p.json").write_text(json.dumps({"meta": meta, "results": rows}))
    assert render_table("validate p.json", tmp_path).startswith("3,000 training pairs of `c.yaml` (a.npz, b.npz)")


def test_a_profile_block_of_the_page_against_native(tmp_path):
    native = {
        "model": "m.onnx",
        "size": "64x48",
        "threads": 1,
        "per": "op",
        "median_run_ms": 3.0,
        "ms_per_op": {"Conv": 2.0},
    }
    page = {**native, "backend": "onnxruntime-web wasm", "ms_per_op": {"Conv": 6.0}}
    (tmp_path / "p.json").write_text(json.dumps({"meta": {}, "native": native, "browser": page}))
    assert "| Conv | 2.00 | 6.00 | 3.0x |" in render_table("profile p.json", tmp_path)


def test_a_files_table_gives_each_file_a_row_and_each_method_a_column(tmp_path):
    rows = [
        {"method": m, "set": "screens", "preset": "call", "file": f, "psnr": p, "ssim": 0.9, "ocr_cer": c}
        for m, f, p, c in [
            ("input", "a.png", 30.0, 0.5),
            ("student", "a.png", 31.254, 0.25),
            ("input", "b.png", 29.0, None),
        ]
    ]
    (tmp_path / "f.json").write_text(json.dumps({**_eval_document({"input": 30.0}), "files": rows}))
    table = render_table("files f.json", tmp_path)
    assert "| preset | set | file | input | student |" in table
    assert "| call | screens | `a.png` | 30.00 / 0.500 | 31.25 / 0.250 |" in table
    assert "| call | screens | `b.png` | 29.00 | – |" in table
    chosen = render_table("files f.json methods=student", tmp_path)
    assert "| preset | set | file | student |" in chosen and "| call | screens | `b.png` | – |" in chosen
    (tmp_path / "g.json").write_text(json.dumps(_eval_document({"input": 30.0})))
    with pytest.raises(ValueError, match="--per-file"):
        render_table("files g.json", tmp_path)
