import time

import av
import numpy as np
import pytest
from PIL import Image

from crispcall.cli.main import main
from crispcall.runtime.images import image_jobs
from crispcall.runtime.live import run_live
from tests.runtime.test_video import brighten, probe, write_clip


@pytest.fixture
def image_folder(tmp_path, astronaut):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    rgba = Image.fromarray(astronaut[:64, :80]).convert("RGBA")
    rgba.putalpha(Image.fromarray(np.tile(np.arange(80, dtype=np.uint8) * 3, (64, 1))))
    rgba.save(folder / "logo.png")
    exif = Image.Exif()
    exif[0x010E] = "a face"  # ImageDescription
    Image.fromarray(astronaut[:65, :81]).save(folder / "sub" / "face.jpg", exif=exif, quality=90)
    Image.fromarray(astronaut[:40, :40, 0]).save(folder / "grey.png")
    (folder / "notes.txt").write_text("not an image")  # ignored in folders
    return folder


def test_image_cli_keeps_format_metadata_grey_and_alpha(image_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["image", str(image_folder), "-o", str(out), "--model", "unsharp", "--quiet"]) == 0
    assert "wrote 3 of 3 images" in capsys.readouterr().out
    logo = Image.open(out / "in" / "logo.png")
    assert logo.mode == "RGBA" and logo.size == (80, 64)
    np.testing.assert_array_equal(np.asarray(logo)[..., 3], np.tile(np.arange(80, dtype=np.uint8) * 3, (64, 1)))
    face = Image.open(out / "in" / "sub" / "face.jpg")
    assert face.format == "JPEG" and face.getexif()[0x010E] == "a face"
    assert Image.open(out / "in" / "grey.png").mode == "L"


def test_image_cli_reports_a_bad_file_and_goes_on(image_folder, tmp_path, capsys):
    (image_folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    out = tmp_path / "out"
    assert main(["image", str(image_folder), "-o", str(out), "--model", "unsharp", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "wrote 3 of 4" in captured.out and "broken.png" in captured.err
    assert not (out / "in" / "broken.png").exists() and not list(out.rglob(".*partial*"))


def test_image_jobs_refuse_bad_requests(image_folder, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        image_jobs([tmp_path / "missing.png"], tmp_path / "out")
    with pytest.raises(ValueError, match="not an image"):
        image_jobs([image_folder / "notes.txt"], tmp_path / "out")
    with pytest.raises(ValueError, match="overwrite"):
        image_jobs([image_folder / "logo.png"], image_folder)


def test_video_cli_with_the_shipped_student(tmp_path, capsys):
    src = write_clip(tmp_path / "in.mp4", frames=6)
    out = tmp_path / "out.mp4"
    assert main(["video", str(src), str(out), "--quiet", "--reference", str(src)]) == 0
    printed = capsys.readouterr().out
    assert "6 frames" in printed and "audio:" in printed and "flicker" in printed
    assert probe(out)["frames"] == 6
    assert main(["video", str(tmp_path / "none.mp4"), str(out), "--quiet"]) == 2
    assert main(["video", str(src), str(out), "--model", "espcn"]) == 2  # an x2 peer, not a same-size model


def test_live_drops_frames_rather_than_falling_behind(tmp_path):
    src = write_clip(tmp_path / "in.mp4", frames=30, fps=30, audio=False)

    def slow(frame):
        time.sleep(0.1)  # three source frames per sharpened frame
        return brighten(frame)

    out = tmp_path / "live.mp4"
    started = time.perf_counter()
    report = run_live(str(src), slow, out=out, show=False)
    elapsed = time.perf_counter() - started
    assert report.read == 30 and report.dropped > 0
    assert report.sharpened + report.dropped == report.read
    assert elapsed < 30 * 0.1  # it kept pace with the source instead of sharpening every frame
    info = probe(out)
    assert info["frames"] == report.sharpened
    assert info["last_pts_s"] == pytest.approx(27 / 30, abs=0.2)  # the source's time line
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_live_needs_a_display_or_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(ValueError, match="no display"):
        run_live(str(tmp_path / "x.mp4"), brighten)
    monkeypatch.setenv("DISPLAY", ":0")  # a display, but an OpenCV built without a GUI
    monkeypatch.setattr("cv2.getBuildInformation", lambda: "  GUI:                           NONE\n")
    with pytest.raises(ValueError, match="no window can open"):
        run_live(str(tmp_path / "x.mp4"), brighten, show=True)
    with pytest.raises(FileNotFoundError, match="no such video"):
        run_live(str(tmp_path / "x.mp4"), brighten, out=tmp_path / "o.mp4")
