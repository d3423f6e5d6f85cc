import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crispcall.cli.main import main
from crispcall.methods.models import default_model


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cache_command(train, out, *extra: str) -> list[str]:
    return ["data", "cache", "--train", str(train), "--out", str(out), "--workers", "0", *extra]


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "crispcall" in capsys.readouterr().out
    commands = [
        *[[c] for c in ("demo", "eval", "table", "bench", "profile", "flicker", "tune-unsharp", "export", "prune")],
        *[[c] for c in ("video", "image", "live")],
        *[["data", c] for c in ("cache", "recorded", "screens", "stats")],
        *[["train", c] for c in ("teacher", "student", "responses", "validate", "import-waifu2x", "plot")],
        *[[c] for c in ("serve", "report")],
        *[["study", c] for c in ("make-clips", "serve", "results")],
    ]
    for command in commands:
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "usage: crispcall" in out and "example" in out, command


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["video", "in.mp4", "out.mp4", "--crf", "99"], "99 is out of range: at least 0 and at most 51"),
        (["live", "--seconds", "-1"], "-1 is out of range: above 0"),
        (["live", "--seconds", "0"], "0 is out of range: above 0"),
        (["image", "a.png", "-o", "out", "--threads", "0"], "0 is out of range: at least 1"),
        (["serve", "--port", "99999"], "99999 is out of range: at least 0 and at most 65535"),
        (["study", "serve", "--clips", "c", "--db", "d", "--port", "-5"], "-5 is out of range"),
        (["video", "in.mp4", "out.mp4", "--crf", "high"], "'high' is not an integer"),
    ],
)
def test_numbers_out_of_range_are_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["video", "in.mp4", "{folder}"],
        ["video", "in.mp4", "{file}/out.mp4"],
        ["image", "a.png", "-o", "{file}"],
        ["live", "--out", "{folder}"],
        ["eval", "--json", "{file}/deeper/eval.json"],
        ["bench", "--json", "{folder}"],
        ["study", "serve", "--clips", "c", "--db", "{folder}"],
    ],
)
def test_unwritable_outputs_are_refused_before_any_work(capsys, tmp_path, argv):
    (tmp_path / "a-file").write_text("x")
    argv = [a.format(folder=tmp_path, file=tmp_path / "a-file") for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "is a folder; give a file path" in err or "is a file" in err


def test_check_writable_names_what_is_wrong(tmp_path):
    from crispcall.files import check_writable

    assert check_writable(tmp_path / "new" / "deeper" / "x.json") == tmp_path / "new" / "deeper" / "x.json"
    assert check_writable(tmp_path, folder=True) == tmp_path
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        check_writable(tmp_path / "f" / "x.json")
    with pytest.raises(ValueError, match="is a file; give a folder path"):
        check_writable(tmp_path / "f", folder=True)


def test_bench_refuses_a_huge_size_before_any_work(capsys):
    code, _, err = run(capsys, "bench", "--size", "99999x99999", "--method", "unsharp")
    assert code == 2 and "at most 7680 pixels a side" in err


def test_a_missing_extra_is_named(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "flask", None)  # as if the study extra were not installed
    monkeypatch.delitem(sys.modules, "crispcall.study.app", raising=False)
    code, _, err = run(capsys, "study", "serve", "--clips", str(tmp_path), "--db", str(tmp_path / "s.sqlite"))
    assert code == 2 and "needs the study extra: pip install 'crispcall[study]'" in err


def test_prune_says_what_it_needs(capsys, tmp_path):
    code, _, err = run(capsys, "prune", "--checkpoint", "weights/student.pt", "--out", str(tmp_path / "p.pt"))
    assert code == 2 and "say what to prune" in err


def test_missing_folder(capsys, tmp_path):
    code, _, err = run(capsys, "eval", "--data", str(tmp_path / "nope"), "--no-ocr")
    assert code == 2 and "no such folder" in err


def test_empty_data_folder(capsys, tmp_path):
    code, _, err = run(capsys, "eval", "--data", str(tmp_path), "--no-ocr", "--preset", "x2")
    assert code == 2 and "has no files" in err


def test_unknown_preset_and_method(capsys, tmp_path):
    code, _, err = run(capsys, "eval", "--data", str(tmp_path), "--preset", "awful", "--no-ocr")
    assert code == 2 and "preset must be one of" in err
    code, _, err = run(capsys, "eval", "--data", str(tmp_path), "--method", "magic", "--no-ocr")
    assert code == 2 and "unknown method 'magic'" in err
    code, _, err = run(capsys, "bench", "--method", "magic")
    assert code == 2 and "unknown method" in err


def test_not_an_image_and_empty_folder_for_data_commands(capsys, tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "bad.png").write_text("not an image")
    command = cache_command(tmp_path / "train", tmp_path / "c.npz", "--count", "2", "--holdout-every", "0", "--test")
    code, _, err = run(capsys, *command)
    assert code == 2 and "20 unreadable images" in err
    assert not (tmp_path / "c.npz").exists()
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, *cache_command(tmp_path / "empty", tmp_path / "c.npz", "--count", "2", "--test"))
    assert code == 2 and "no images found" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "stats", str(tmp_path / "missing")])
    assert exit_info.value.code == 2 and "no such folder" in capsys.readouterr().err


def test_data_screens_stats_and_cache(capsys, tmp_path, coffee):
    code, out, _ = run(capsys, "data", "screens", "--out", str(tmp_path / "screens"), "--count", "2")
    assert code == 0 and "wrote 2 screens" in out
    Image.fromarray(coffee).save(tmp_path / "photo.png")
    code, out, _ = run(capsys, "data", "stats", str(tmp_path))
    assert code == 0 and "text/screens  2" in out and "total" in out
    code, out, _ = run(
        capsys, *cache_command(tmp_path, tmp_path / "p.npz", "--count", "3", "--patch-size", "32", "--test")
    )
    assert code == 0
    with np.load(tmp_path / "p.npz") as cache:
        assert cache["degraded"].shape == (3, 32, 32, 3)


def test_cache_refuses_test_folder(capsys, tmp_path, coffee):
    Image.fromarray(coffee).save(tmp_path / "a.png")
    code, _, err = run(capsys, *cache_command(tmp_path, tmp_path / "p.npz", "--count", "1", "--test", str(tmp_path)))
    assert code == 2 and "overlaps" in err


def test_bench_writes_json(capsys, tmp_path):
    out = tmp_path / "bench.json"
    code, stdout, _ = run(
        capsys,
        "bench",
        "--size",
        "64x48",
        "--frames",
        "2",
        "--warmup",
        "0",
        "--method",
        "input,unsharp",
        "--json",
        str(out),
    )
    assert code == 0 and "| unsharp | 64x48 |" in stdout
    assert [r["method"] for r in json.loads(out.read_text())["results"]] == ["bilinear", "input", "unsharp"]


def test_demo_writes_clips_png_and_report(capsys, tmp_path: Path):
    import av

    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "demo"))
    assert code == 0 and "| received |" in out and f"| {default_model()} |" in out and "fps" in out
    for name in ("degraded.mp4", "sharpened.mp4", "side_by_side.mp4"):
        with av.open(str(tmp_path / "demo" / name)) as clip:
            frames = list(clip.decode(video=0))
        assert len(frames) == 60 and frames[0].width == (1920 if name.startswith("side") else 960)
    png = np.asarray(Image.open(tmp_path / "demo" / "side_by_side.png"))
    assert png.shape == (480 + 240, 1920, 3)
    assert (tmp_path / "demo" / "report.md").read_text().startswith("# crispcall demo")


@pytest.mark.parametrize(
    "command",
    [
        ["train", "plot", "--log", "{tmp}/missing.csv", "--out", "{tmp}/x.png"],
        ["export", "--checkpoint", "{tmp}/missing.pt", "--out", "{tmp}/x.onnx"],
        ["data", "cache", "--train", "{tmp}", "--out", "{tmp}/c.npz", "--config", "{tmp}/missing.yaml", "--test"],
    ],
)
def test_missing_files(capsys, tmp_path, coffee, command):
    Image.fromarray(coffee).save(tmp_path / "a.png")
    code, _, err = run(capsys, *[part.format(tmp=tmp_path) for part in command])
    assert code == 2 and "missing" in err
    assert not list(tmp_path.glob("x.*")) and not (tmp_path / "c.npz").exists()


def test_recorded_pairs_need_recordings(capsys, tmp_path):
    code, _, err = run(capsys, "data", "recorded", str(tmp_path), "--out", str(tmp_path / "pairs.npz"), "--test")
    assert code == 2 and "no recordings under" in err and not (tmp_path / "pairs.npz").exists()


def test_a_file_that_is_not_a_model_gets_one_line(capsys, tmp_path, astronaut):
    Image.fromarray(astronaut).save(tmp_path / "face.png")
    (tmp_path / "notes.onnx").write_text("not a model")
    code, _, err = run(
        capsys,
        "image",
        str(tmp_path / "face.png"),
        "-o",
        str(tmp_path / "out"),
        "--model",
        str(tmp_path / "notes.onnx"),
    )
    assert (
        code == 2 and err.strip().endswith("Protobuf parsing failed.") and "is not a model ONNX Runtime can load" in err
    )


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path):
    """Only errors a user can fix become one line; a programming error propagates."""
    from crispcall.cli import table

    def broken(args):
        raise TypeError("a bug")

    monkeypatch.setattr(table, "run", broken)
    with pytest.raises(TypeError, match="a bug"):
        main(["table", str(tmp_path / "x.json")])


def test_sigterm_removes_the_temporary_video(tmp_path):
    """SIGTERM unwinds like Ctrl-C: exit 130, no output and no temporary file left."""
    import signal
    import subprocess
    import time

    from tests.runtime.test_video import write_clip

    src = write_clip(tmp_path / "in.mp4", frames=300, size=(640, 360), audio=False)
    command = [sys.executable, "-m", "crispcall", "video", str(src), str(tmp_path / "out.mp4"), "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4"]
