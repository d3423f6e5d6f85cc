from fractions import Fraction

import av
import numpy as np
import pytest

from crispcall.runtime.video import open_video, sharpen_video


def write_clip(path, frames=24, size=(96, 64), fps=25, audio=True, rotate=None, codec="libx264"):
    """A moving-gradient clip with text-like bars, and a 440 Hz tone as AAC when ``audio``.
    (FFV1 takes odd sizes, which H.264 in 4:2:0 cannot.)"""
    width, height = size
    with av.open(str(path), "w") as out:
        video = out.add_stream(codec, rate=fps)
        video.width, video.height = width, height
        video.pix_fmt = "yuv444p" if codec == "ffv1" else "yuv420p"
        if rotate:
            video.set_display_rotation(rotate)
        sound = out.add_stream("aac", rate=16000) if audio else None
        yy, xx = np.mgrid[0:height, 0:width]
        for index in range(frames):
            image = np.stack([(xx * 2 + index * 3) % 256, (yy * 3) % 256, ((xx + yy) // 8 % 2) * 200], -1)
            frame = av.VideoFrame.from_ndarray(image.astype(np.uint8), format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if sound is not None:
            samples = 16000 * frames // fps
            tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(samples) / 16000)).astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = av.AudioFrame.from_ndarray(tone[None, start : start + 1024], format="flt", layout="mono")
                chunk.sample_rate, chunk.pts = 16000, start
                for packet in sound.encode(chunk):
                    out.mux(packet)
            for packet in sound.encode(None):
                out.mux(packet)
    return path


def probe(path):
    with av.open(str(path)) as container:
        fps = float(container.streams.video[0].average_rate)
        frames = [f for f in container.decode(video=0)]
        has_audio = bool(container.streams.audio)
    with av.open(str(path)) as container:  # decoding the video above has read the whole file
        audio_frames = sum(1 for _ in container.decode(audio=0)) if has_audio else 0
    return {
        "frames": len(frames),
        "fps": fps,
        "size": (frames[0].width, frames[0].height),
        "audio_frames": audio_frames,
        "last_pts_s": float(frames[-1].pts * frames[-1].time_base) if frames else 0.0,
        "rotate": frames[0].rotation,
    }


def brighten(frame):
    return np.clip(frame.astype(np.int16) + 10, 0, 255).astype(np.uint8)


def test_round_trip_keeps_frames_rate_audio_and_duration(tmp_path):
    src = write_clip(tmp_path / "in.mp4")
    report = sharpen_video(src, tmp_path / "out.mp4", brighten, progress=False)
    before, after = probe(src), probe(tmp_path / "out.mp4")
    assert report.frames == before["frames"] == after["frames"] == 24
    assert after["fps"] == pytest.approx(before["fps"])
    assert after["size"] == before["size"]
    assert after["last_pts_s"] == pytest.approx(before["last_pts_s"], abs=1e-3)
    assert report.copied_packets > 0 and not report.notes and after["audio_frames"] == before["audio_frames"]
    with av.open(str(src)) as a, av.open(str(tmp_path / "out.mp4")) as b:  # audio copied bit for bit
        original = [bytes(p) for p in a.demux(audio=0) if p.size]
        copied = [bytes(p) for p in b.demux(audio=0) if p.size]
    assert original == copied


def test_side_by_side_odd_sizes_and_a_reference(tmp_path):
    src = write_clip(tmp_path / "odd.mkv", size=(95, 63), audio=False, codec="ffv1")
    report = sharpen_video(src, tmp_path / "sbs.mp4", brighten, side_by_side=True, reference=src, progress=False)
    assert probe(tmp_path / "sbs.mp4")["size"] == (190, 64)  # padded to even for yuv420p
    assert report.psnr is not None and report.psnr < 40  # +10 grey levels against the clip itself
    assert report.flicker is not None and report.input_flicker == pytest.approx(0.0)


def test_rotation_is_kept(tmp_path):
    src = write_clip(tmp_path / "rot.mp4", frames=4, audio=False, rotate=90)
    assert probe(src)["rotate"] == 90
    sharpen_video(src, tmp_path / "out.mp4", brighten, progress=False)
    assert probe(tmp_path / "out.mp4")["rotate"] == 90


def test_failure_leaves_no_file(tmp_path):
    src = write_clip(tmp_path / "in.mp4", audio=False)
    calls = []

    def failing(frame):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("inference failed")
        return frame

    out = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError, match="inference failed"):
        sharpen_video(src, out, failing, progress=False)
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("kind", ["missing", "text", "truncated", "audio-only"])
def test_bad_inputs_get_clear_errors(tmp_path, kind):
    path = tmp_path / "bad.mp4"
    if kind == "text":
        path.write_text("not a video at all\n" * 100)
    elif kind == "truncated":
        data = write_clip(tmp_path / "good.mp4", audio=False).read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif kind == "audio-only":
        with av.open(str(path), "w") as out:
            sound = out.add_stream("aac", rate=16000)
            chunk = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="flt", layout="mono")
            chunk.sample_rate, chunk.pts = 16000, 0
            for packet in [*sound.encode(chunk), *sound.encode(None)]:
                out.mux(packet)
    error = FileNotFoundError if kind == "missing" else ValueError
    message = {"missing": "no such video", "audio-only": "no video stream"}.get(kind, "cannot|no decodable")
    with pytest.raises(error, match=message):
        sharpen_video(path, tmp_path / "out.mp4", brighten, progress=False)
    assert not (tmp_path / "out.mp4").exists() and not list(tmp_path.glob(".*partial*"))


def test_the_output_never_overwrites_the_input(tmp_path):
    src = write_clip(tmp_path / "in.mp4", frames=2, audio=False)
    with pytest.raises(ValueError, match="overwrite"):
        sharpen_video(src, src, brighten, progress=False)
    assert open_video(src).streams.video


def _clip_with_audio(path, codecs, frames=25, fps=25, videos=1):
    """``videos`` video streams and one audio stream per codec of ``codecs`` (1 s of tone)."""
    with av.open(str(path), "w") as out:
        streams = [out.add_stream("libx264", rate=fps) for _ in range(videos)]
        for video in streams:
            video.width, video.height, video.pix_fmt = 96, 64, "yuv420p"
        sounds = [out.add_stream(codec, rate=16000) for codec in codecs]
        for index in range(frames):
            for video in streams:
                frame = av.VideoFrame.from_ndarray(np.full((64, 96, 3), index * 8, np.uint8), format="rgb24")
                frame.pts, frame.time_base = index, Fraction(1, fps)
                out.mux(video.encode(frame))
        for video in streams:
            out.mux(video.encode(None))
        for sound in sounds:
            pcm = sound.codec_context.name.startswith("pcm")
            tone = 0.2 * np.sin(np.arange(16000) / 10)
            tone = (tone * 30000).astype(np.int16) if pcm else tone.astype(np.float32)
            for start in range(0, 16000, 960):
                chunk = av.AudioFrame.from_ndarray(
                    tone[None, start : start + 960], format="s16" if pcm else "flt", layout="mono"
                )
                chunk.sample_rate, chunk.pts = 16000, start
                out.mux(sound.encode(chunk))
            out.mux(sound.encode(None))
    return path


def _streams(path):
    with av.open(str(path)) as container:
        return [(s.type, s.codec_context.name) for s in container.streams]


def test_variable_frame_rate_keeps_every_time_stamp(tmp_path):
    src = tmp_path / "phone.mp4"
    jitter = np.random.default_rng(0).integers(-900, 900, 30)  # +-10 ms at 90 kHz
    stamps = np.concatenate([[0], np.cumsum(3000 + jitter[:-1])])
    with av.open(str(src), "w") as out:
        video = out.add_stream("libx264", rate=30)
        video.width, video.height, video.pix_fmt = 96, 64, "yuv420p"
        video.time_base = video.codec_context.time_base = Fraction(1, 90000)
        for index, stamp in enumerate(stamps):
            frame = av.VideoFrame.from_ndarray(np.full((64, 96, 3), index * 8, np.uint8), format="rgb24")
            frame.pts, frame.time_base = int(stamp), Fraction(1, 90000)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    sharpen_video(src, tmp_path / "out.mp4", brighten, progress=False)
    with av.open(str(tmp_path / "out.mp4")) as container:
        seconds = [float(frame.time) for frame in container.decode(video=0)]
    assert np.allclose(seconds, stamps / 90000, atol=1e-4)


@pytest.mark.parametrize("codecs", [["aac", "aac"], ["pcm_s16le"], ["libopus"]])
def test_every_audio_stream_is_copied_into_mp4(tmp_path, codecs):
    src = _clip_with_audio(tmp_path / "in.mkv", codecs)
    report = sharpen_video(src, tmp_path / "out.mp4", brighten, progress=False)
    assert _streams(tmp_path / "out.mp4")[1:] == _streams(src)[1:] and not report.notes


def test_audio_mp4_cannot_hold_is_re_encoded_and_said(tmp_path):
    src = _clip_with_audio(tmp_path / "in.mov", ["pcm_mulaw"])  # G.711, as telephony records it
    report = sharpen_video(src, tmp_path / "out.mp4", brighten, progress=False)
    assert _streams(tmp_path / "out.mp4") == [("video", "h264"), ("audio", "aac")]
    assert report.notes == ["audio stream 1 (pcm_mulaw) re-encoded as AAC: mp4 cannot hold pcm_mulaw"]
    assert probe(tmp_path / "out.mp4")["audio_frames"] >= 15  # about 1 s of 1024-sample frames


def test_a_dropped_stream_is_named(tmp_path):
    src = _clip_with_audio(tmp_path / "in.mkv", [], videos=2)
    report = sharpen_video(src, tmp_path / "out.mkv", brighten, progress=False)
    assert _streams(tmp_path / "out.mkv") == [("video", "h264")]
    assert report.notes == ["video stream 1 (h264) dropped: only the first video stream, audio and subtitles are kept"]


def test_a_truncated_clip_with_its_index_in_front_is_reported(tmp_path):
    good = tmp_path / "good.mp4"
    with av.open(str(good), "w", options={"movflags": "faststart"}) as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 96, 64, "yuv420p"
        noise = np.random.default_rng(0).integers(0, 256, (50, 64, 96, 3), dtype=np.uint8)
        for index, image in enumerate(noise):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, 25)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    report = sharpen_video(cut, tmp_path / "out.mp4", brighten, progress=False)
    assert 0 < report.frames < 50
    assert report.notes == [f"only {report.frames} of the 50 frames {cut} declares could be decoded (truncated?)"]


def test_an_output_name_without_a_video_extension_is_refused(tmp_path):
    src = write_clip(tmp_path / "in.mp4", frames=2, audio=False)
    with pytest.raises(ValueError, match=r"name a video file \.mp4, \.mkv, \.mov"):
        sharpen_video(src, tmp_path / "out.xyz", brighten, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4"]


def test_yuv420p_frames_skip_rgb_through_the_i420_twin(tmp_path):
    from crispcall.methods.registry import create_method

    method = create_method("student", threads=1)
    assert method.i420 is not None  # weights/student-i420.onnx, beside student.onnx
    src = write_clip(tmp_path / "in.mp4", audio=False)
    planes = sharpen_video(src, tmp_path / "planes.mp4", method.run, reference=src, progress=False,
                           sharpen_i420=method.i420)  # fmt: skip
    rgb = sharpen_video(src, tmp_path / "rgb.mp4", method.run, reference=src, progress=False)
    assert planes.i420_frames == planes.frames == 24 and rgb.i420_frames == 0
    # The same restorer both ways (tests/runtime/test_i420.py compares the frames), and it
    # changes the frames: against the clean clip both give the same PSNR, short of identity.
    assert planes.psnr == pytest.approx(rgb.psnr, abs=0.5) and planes.psnr < 60
    # What the graph cannot take goes through RGB: a size that is not a multiple of 4, 4:4:4.
    odd = write_clip(tmp_path / "odd.mkv", size=(95, 63), audio=False, codec="ffv1")
    odd_report = sharpen_video(odd, tmp_path / "odd.mp4", method.run, progress=False, sharpen_i420=method.i420)
    assert odd_report.frames == 24 and odd_report.i420_frames == 0
    both = sharpen_video(src, tmp_path / "sbs.mp4", method.run, side_by_side=True, progress=False,
                         sharpen_i420=method.i420)  # fmt: skip
    assert both.i420_frames == 0 and probe(tmp_path / "sbs.mp4")["size"] == (192, 64)


def test_the_video_command_says_its_path_and_times_it_as_json(tmp_path, capsys):
    import json

    from crispcall.cli.main import main
    from crispcall.methods.models import default_model
    from crispcall.runtime.video import video_table

    src = write_clip(tmp_path / "in.mp4", frames=6, audio=False)
    documents = []
    for path, flags in [("i420", []), ("rgb", ["--rgb"])]:
        out, report = tmp_path / f"{path}.mp4", tmp_path / f"{path}.json"
        assert main(["video", str(src), str(out), "--threads", "1", "--quiet", "--json", str(report), *flags]) == 0
        documents.append(json.loads(report.read_text()))
        row = documents[-1]["results"][0]
        assert (row["path"], row["frames"], row["i420_frames"]) == (path, 6, 6 if path == "i420" else 0)
        assert row["fps"] > 0 and documents[-1]["meta"]["threads"] == 1
    assert capsys.readouterr().out.count("on yuv420p planes") == 1
    table = video_table(["i420.json", "rgb.json"], documents)
    assert f"| `i420.json` | in.mp4 | {default_model()} | i420 | 6 |" in table
    assert f"| `rgb.json` | in.mp4 | {default_model()} | rgb | 6 |" in table
