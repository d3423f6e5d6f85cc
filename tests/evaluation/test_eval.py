from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from crispcall.data.screens import render_screen
from crispcall.degrade.ops import crop_to_multiple
from crispcall.errors import InputError
from crispcall.evaluation import difference_table, evaluate, markdown_tables, merge_documents
from crispcall.evaluation.table import suite_mean
from crispcall.methods import create_method
from crispcall.metrics.ocr import tesseract_available


def write_clip(path: Path, frames: list[np.ndarray], fps: int = 25, audio: bool = False) -> Path:
    """An H.264 mp4 made here, optionally with a sine-wave audio track."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        if audio:
            sound = container.add_stream("aac", rate=16000)
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))
        if audio:
            samples = (np.sin(np.arange(16000) / 10) * 0.3).astype(np.float32)[None]
            audio_frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            audio_frame.sample_rate = 16000
            audio_frame.time_base = Fraction(1, 16000)
            container.mux(sound.encode(audio_frame))
            container.mux(sound.encode(None))
    return path


@pytest.fixture
def data_dir(tmp_path, astronaut, coffee) -> Path:
    root = tmp_path / "test"
    for set_name, images in {"faces": [astronaut], "Set14": [coffee, astronaut[::-1]]}.items():
        (root / set_name).mkdir(parents=True)
        for i, image in enumerate(images):
            Image.fromarray(np.ascontiguousarray(image)).save(root / set_name / f"img_{i}.png")
    (root / "screens").mkdir()
    screen, _ = render_screen(np.random.default_rng(0), "slide", (1280, 720))
    Image.fromarray(screen[:360, :640]).save(root / "screens" / "slide.png")
    frames = [np.roll(astronaut, 2 * i, axis=1)[:120, :160] for i in range(23)]
    write_clip(tmp_path / "video" / "clip" / "clip.mp4", frames)
    return root


def test_eval_without_flicker_pairs_runs_each_scored_frame_once(data_dir):
    method, restored = create_method("input"), []
    restore = method.restore
    method.restore = lambda degraded: restored.append(degraded) or restore(degraded)
    doc = evaluate(data_dir, ["call"], ["x2"], [method], ocr=False, progress=False, sets=["video"], flicker_pairs=False)
    [video] = [r for r in doc["results"] if r["set"] == "video"]
    assert video["n_images"] == 3 and len(restored) == 3 and video["flicker"] is None and video["psnr"] > 20
    assert doc["meta"]["flicker_pairs"] is False
    with pytest.raises(InputError, match="flicker pairs"):
        evaluate(data_dir, ["call"], ["x2"], [method], ocr=False, progress=False, vmaf=True, flicker_pairs=False)


@pytest.mark.skipif(not tesseract_available(), reason="tesseract-ocr is not installed (make setup installs it)")
def test_eval_call_suite_end_to_end(data_dir):
    methods = [create_method("input"), create_method("unsharp")]
    doc = evaluate(data_dir, ["call"], ["x2", "lossy"], methods, progress=False)
    rows = {(r["method"], r["set"], r["preset"]): r for r in doc["results"]}
    assert doc["meta"]["sets"] == {"faces": 1, "screens": 1, "video": 1, "Set14": 2}
    assert doc["meta"]["peak_memory_mb"] > 0
    video = rows[("input", "video", "x2")]
    assert video["n_images"] == 3  # frames 0, 10, 20 of 23
    assert video["flicker"] is not None and video["ocr_cer"] is None
    screens = rows[("input", "screens", "x2")]
    assert screens["ocr_cer"] is not None and screens["flicker"] is None
    assert 0.0 <= screens["ocr_word_error"] <= 1.0 and video["ocr_word_error"] is None
    faces = rows[("input", "faces", "x2")]
    assert faces["edge_ratio"] == pytest.approx(1.0)
    assert faces["gt_edge_ratio"] > 1.0
    assert rows[("unsharp", "faces", "x2")]["edge_ratio"] > 1.0
    # x2 keeps the level of a frame (area down, bilinear up), and so does lossy's H.264 round trip.
    assert abs(faces["level_error"]) < 0.2 and abs(rows[("input", "faces", "lossy")]["level_error"]) < 0.3
    mean = rows[("input", "mean", "x2")]
    assert mean["psnr"] == pytest.approx(
        np.mean([rows[("input", s, "x2")]["psnr"] for s in ("faces", "screens", "video", "Set14")])
    )
    assert rows[("input", "mean", "lossy")]["psnr"] < mean["psnr"]
    table = markdown_tables(doc)
    assert "| input |" in table and "call x2 PSNR / SSIM" in table and "x2 level" in table and "x2 words" in table
    assert "files" not in doc


@pytest.mark.skipif(not tesseract_available(), reason="tesseract-ocr is not installed (make setup installs it)")
def test_per_file_rows_average_to_the_set_rows(data_dir):
    methods = [create_method("input"), create_method("unsharp")]
    doc = evaluate(data_dir, ["call"], ["call"], methods, progress=False, sets=["Set14", "screens"], per_file=True)
    rows = {(r["method"], r["set"]): r for r in doc["results"]}
    for method in ("input", "unsharp"):
        set14 = [f for f in doc["files"] if f["method"] == method and f["set"] == "Set14"]
        assert [f["file"] for f in set14] == ["img_0.png", "img_1.png"]
        assert np.mean([f["psnr"] for f in set14]) == pytest.approx(rows[(method, "Set14")]["psnr"])
        assert set14[0]["ocr_cer"] is None and set14[0]["ocr_word_error"] is None
        (screen,) = [f for f in doc["files"] if f["method"] == method and f["set"] == "screens"]
        assert screen["ocr_cer"] == pytest.approx(rows[(method, "screens")]["ocr_cer"])
        assert screen["ocr_word_error"] == pytest.approx(rows[(method, "screens")]["ocr_word_error"])


def test_eval_is_repeatable_and_limit_applies(data_dir):
    methods = [create_method("input")]
    a = evaluate(data_dir, ["call"], ["call"], methods, limit=1, ocr=False, progress=False)
    b = evaluate(data_dir, ["call"], ["call"], methods, limit=1, ocr=False, progress=False)
    assert a["results"] == b["results"]
    assert a["meta"]["sets"]["Set14"] == 1


def test_sets_keep_only_those_sets(data_dir):
    methods = [create_method("input")]
    doc = evaluate(data_dir, ["call"], ["call"], methods, limit=1, ocr=False, progress=False, sets=["faces", "Set14"])
    assert doc["meta"]["sets"] == {"faces": 1, "Set14": 1}
    rows = {r["set"]: r for r in doc["results"]}
    assert set(rows) == {"faces", "Set14", "mean"}
    assert rows["mean"]["psnr"] == pytest.approx((rows["faces"]["psnr"] + rows["Set14"]["psnr"]) / 2)
    with pytest.raises(ValueError, match="no set BSD100 in suite call"):
        evaluate(data_dir, ["call"], ["call"], methods, ocr=False, progress=False, sets=["BSD100"])


def test_video_rows_get_vmaf_per_clip(data_dir):
    pytest.importorskip("imageio_ffmpeg", reason="VMAF needs the vmaf extra")
    methods = [create_method("input"), create_method("unsharp")]
    doc = evaluate(data_dir, ["call"], ["call"], methods, ocr=False, progress=False, vmaf=True)
    rows = {(r["method"], r["set"]): r for r in doc["results"]}
    for method in ("input", "unsharp"):
        assert 0 < rows[(method, "video")]["vmaf"] <= 100 and rows[(method, "video")]["vmaf_neg"] is not None
        assert rows[(method, "faces")]["vmaf"] is None  # stills get none
        assert rows[(method, "mean")]["vmaf"] == rows[(method, "video")]["vmaf"]
    assert "VMAF / VMAF-NEG" in markdown_tables(doc) and any("motion term" in n for n in doc["meta"]["notes"])


def test_eval_errors(data_dir):
    methods = [create_method("input")]
    with pytest.raises(ValueError, match="suite"):
        evaluate(data_dir, ["weird"], ["x2"], methods)
    with pytest.raises(ValueError, match="preset"):
        evaluate(data_dir, ["call"], ["awful"], methods)
    with pytest.raises(FileNotFoundError, match="Set5"):
        evaluate(data_dir, ["classic"], ["x2"], methods, ocr=False, progress=False)


def test_crop_to_multiple():
    assert crop_to_multiple(np.zeros((37, 50, 3), np.uint8)).shape == (36, 48, 3)


def _document(methods: list[str], suites: list[str], presets: list[str], psnr_of: dict[str, float]) -> dict:
    rows = [
        {
            "method": m,
            "suite": s,
            "set": st,
            "preset": p,
            "psnr": psnr_of[m],
            "ssim": 0.9,
            "edge_ratio": 1.0,
            "gt_edge_ratio": 1.2,
            "ocr_cer": None,
            "flicker": None,
            "n_images": 1,
        }
        for m in methods
        for s in suites
        for st in ("mean", f"{s}-set")
        for p in presets
    ]
    meta = {"methods": methods, "suites": suites, "presets": presets, "data": "/d", "limit": None}
    return {"meta": meta, "results": rows}


def test_merged_tables_and_differences():
    wide = _document(["input", "peer"], ["call", "classic"], ["x2", "call"], {"input": 30.0, "peer": 31.5})
    narrow = _document(["mine", "input"], ["call"], ["call", "poor"], {"mine": 32.25, "input": 99.0})
    merged = merge_documents([wide, narrow])
    assert merged["meta"]["suites"] == ["call"] and merged["meta"]["presets"] == ["call"]
    assert merged["meta"]["methods"] == ["input", "peer", "mine"]
    table = difference_table(merged, "input")
    assert "| mine | 32.25 (+2.25) |" in table and "| input | 30.00 (+0.00) |" in table  # first run kept
    assert "| peer |" in markdown_tables(merged) and "level" not in markdown_tables(merged)  # (none scored)
    for row in narrow["results"]:  # a newer run scored the level error; the older run's rows have none
        row["level_error"] = -0.5
    mixed = markdown_tables(merge_documents([wide, narrow]))
    assert "call level" in mixed and "| mine | 1.00 | -0.50 |" in mixed and "| peer | 1.00 | – |" in mixed
    with pytest.raises(ValueError, match="not among"):
        difference_table(merged, "magic")
    sets = difference_table(merged, "input", ("mean", "call-set"))
    assert "| call call PSNR (dB vs input) | call call-set call PSNR (dB vs input) |" in sets
    assert "| mine | 32.25 (+2.25) | 32.25 (+2.25) |" in sets
    with pytest.raises(ValueError, match="no set faces"):
        difference_table(merged, "input", ("mean", "faces"))
    with pytest.raises(ValueError, match="different data"):
        merge_documents([wide, {**narrow, "meta": {**narrow["meta"], "limit": 4}}])
    with pytest.raises(ValueError, match="share no"):
        merge_documents([wide, _document(["a"], ["natural"], ["x2"], {"a": 1.0})])


def test_suite_mean_averages_each_metric_over_the_sets_that_have_it():
    faces = {"method": "m", "suite": "call", "set": "faces", "preset": "call", "psnr": 30.0, "ocr_cer": None}
    screens = {**faces, "set": "screens", "psnr": 33.0, "ocr_cer": 0.25}
    row = suite_mean([{**faces, "n_images": 2}, {**screens, "n_images": 3}], "m", "call", "call")
    assert row == {
        "method": "m",
        "suite": "call",
        "set": "mean",
        "preset": "call",
        "psnr": 31.5,
        "ocr_cer": 0.25,
        "n_images": 5,
    }


def test_merge_composes_a_method_scored_on_its_sets_in_two_runs():
    def run(psnr_of_set: dict[str, dict[str, float]]) -> dict:
        rows = []
        for method, psnr in psnr_of_set.items():
            per_set = [
                {"method": method, "suite": "call", "set": st, "preset": "call", "psnr": v, "ssim": 0.9, "n_images": 1}
                for st, v in psnr.items()
            ]
            rows += [*per_set, suite_mean(per_set, method, "call", "call")]
        meta = {"methods": list(psnr_of_set), "suites": ["call"], "presets": ["call"], "data": "/d", "limit": None}
        return {"meta": meta, "results": rows}

    images = run({"teacher": {"faces": 36.0, "screens": 34.0}, "peer": {"faces": 35.0, "screens": 33.0, "video": 37.0}})
    video = run({"teacher": {"video": 38.0}})
    table = difference_table(merge_documents([images, video]), "peer")
    assert "| teacher | 36.00 (+1.00) |" in table  # (36 + 34 + 38) / 3 against (35 + 33 + 37) / 3
    rescored = merge_documents([images, run({"teacher": {"faces": 99.0}})])  # a set scored again: the first run's
    assert "| teacher | 35.00 (+0.00) |" in difference_table(rescored, "peer")  # rows and mean stand
