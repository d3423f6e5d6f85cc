import time

import av
import cv2
import numpy as np
import pytest
from PIL import Image, ImageSequence

from crispcall.cli.main import main
from crispcall.runtime.images import image_jobs, sharpen_images
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
    assert "6 frames" in printed and "audio and subtitles:" in printed and "flicker" in printed
    assert probe(out)["frames"] == 6
    assert main(["video", str(tmp_path / "none.mp4"), str(out), "--quiet"]) == 2
    assert main(["video", str(src), str(out), "--model", "espcn"]) == 2  # an x2 peer, not a same-size model


def test_live_drops_frames_rather_than_falling_behind(tmp_path):
    src = write_clip(tmp_path / "in.mp4", frames=30, fps=30, audio=False)

    def slow(frame):
        time.sleep(0.1)  # three source frames per sharpened frame
        return brighten(frame)

    out = tmp_path / "live.mp4"
    report = run_live(str(src), slow, out=out, show=False)
    assert report.read == 30 and 0 < report.sharpened < 30  # it kept pace: frames were dropped
    assert report.sharpened + report.dropped == report.read and not report.interrupted
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


def test_ctrl_c_keeps_the_recording_and_the_counts_add_up(tmp_path):
    src = write_clip(tmp_path / "in.mp4", frames=60, fps=30, audio=False)
    calls = []

    def interrupted_after_five(frame):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        time.sleep(0.05)
        return brighten(frame)

    out = tmp_path / "live.mp4"
    report = run_live(str(src), interrupted_after_five, out=out, show=False)
    assert report.interrupted and report.sharpened == 5
    assert report.sharpened + report.dropped == report.read >= 6
    assert probe(out)["frames"] == 5  # finalised: the file plays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4", "live.mp4"]


def test_a_time_limit_counts_every_frame_read(tmp_path):
    src = write_clip(tmp_path / "in.mp4", frames=60, fps=30, audio=False)

    def slow(frame):
        time.sleep(0.05)
        return brighten(frame)

    report = run_live(str(src), slow, out=tmp_path / "live.mp4", show=False, max_seconds=0.5)
    assert report.read < 60 and report.sharpened + report.dropped == report.read


def _gradient(height=48, width=64) -> np.ndarray:
    """A smooth 0..1 ramp with more levels than 8 bits hold."""
    return np.linspace(0.1, 0.9, height * width, dtype=np.float32).reshape(height, width)


def test_sixteen_bit_and_float_images_keep_their_depth_and_levels(tmp_path):
    ramp = _gradient()
    grey16 = np.round(ramp * 65535).astype(np.uint16)
    colour16 = np.stack([grey16, grey16[::-1], grey16[:, ::-1]], axis=2)
    sources = {"grey16.png": grey16, "colour16.png": colour16, "colour16.tif": colour16, "float.tif": ramp}
    for name, pixels in sources.items():
        assert cv2.imwrite(str(tmp_path / name), pixels)
    jobs = image_jobs([tmp_path / name for name in sources], tmp_path / "out")
    assert sharpen_images(jobs, brighten, progress=False) == []
    for name, pixels in sources.items():
        sharp = cv2.imread(str(tmp_path / "out" / name), cv2.IMREAD_UNCHANGED)
        assert sharp.dtype == pixels.dtype and sharp.shape == pixels.shape, name
        scale = 65535 if pixels.dtype == np.uint16 else 1
        shift = (sharp.astype(np.float64) - pixels) / scale
        assert np.allclose(shift, 10 / 255, atol=0.5 / 255), name  # brighten's +10 of 255, not white or black
        assert len(np.unique(sharp)) > 256, name  # more levels than an 8-bit copy has


def test_float_samples_beyond_one_are_refused_per_file(tmp_path, astronaut):
    assert cv2.imwrite(str(tmp_path / "hdr.tif"), _gradient() * 4)
    Image.fromarray(astronaut).save(tmp_path / "face.png")
    jobs = image_jobs([tmp_path / "hdr.tif", tmp_path / "face.png"], tmp_path / "out")
    failures = sharpen_images(jobs, brighten, progress=False)
    assert [(path.name, "outside 0 to 1" in reason) for path, reason in failures] == [("hdr.tif", True)]
    assert (tmp_path / "out" / "face.png").is_file()


def test_every_page_of_a_multi_page_tiff_is_sharpened(tmp_path, astronaut):
    pages = [Image.fromarray(astronaut[:32, :32]), Image.fromarray(astronaut[32:64, :32])]
    pages[0].save(tmp_path / "scan.tif", save_all=True, append_images=pages[1:])
    sharpen_images(image_jobs([tmp_path / "scan.tif"], tmp_path / "out"), brighten, progress=False)
    with Image.open(tmp_path / "out" / "scan.tif") as result:
        assert result.n_frames == 2
        for index, page in enumerate(ImageSequence.Iterator(result)):
            np.testing.assert_array_equal(np.asarray(page.convert("RGB")), brighten(np.asarray(pages[index])))


def test_an_image_too_large_is_reported_and_the_batch_goes_on(tmp_path, astronaut, monkeypatch):
    Image.fromarray(astronaut).save(tmp_path / "huge.png")
    Image.fromarray(astronaut[:32, :32]).save(tmp_path / "small.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)  # as if huge.png were a 200-megapixel file
    failures = sharpen_images(image_jobs([tmp_path], tmp_path / "out"), brighten, progress=False)
    assert [(path.name, "too large" in reason) for path, reason in failures] == [("huge.png", True)]
    assert (tmp_path / "out" / tmp_path.name / "small.png").is_file()
