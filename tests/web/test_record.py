"""``crispcall record`` end to end: a tiny clip through a real WebRTC call in headless Chromium."""

import json

import pytest

pytest.importorskip("playwright", reason="the recorder needs the web extra")

import itertools

from crispcall.cli.main import main
from crispcall.data.recordings import MAX_STEP, clip_source, ping_pong, read_recording
from crispcall.data.scene import build_clip
from crispcall.runtime.video import encode_clip
from crispcall.web import record as recorder
from crispcall.web.record import CallSettings, record, run_call


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    """One second of the demo's panning scene at 192x108, 30 fps."""
    return encode_clip(tmp_path_factory.mktemp("clip") / "tiny.mp4", build_clip(30, (192, 108)).clean, 30)


@pytest.fixture(scope="module")
def recording(tiny_clip, tmp_path_factory):
    out = tmp_path_factory.mktemp("recordings")
    assert main(["record", str(tiny_clip), "--out", str(out), "--codec", "vp8", "--kbps", "300", "--warmup", "1"]) == 0
    return out / "tiny-vp8-300"


def test_a_recording_keeps_every_received_frame_aligned_to_its_source(recording, tiny_clip):
    found = read_recording(recording)
    meta = found.meta
    assert meta["call"] == {"codec": "vp8", "kbps": 300, "warmup_s": 1.0}
    assert meta["source"]["origin"]["kind"] == "clip" and meta["source"]["frames"] == 30
    frames = meta["frames"]
    assert len(frames) >= 5 and found.reliable
    # Received frames show source frames in the camera's order (forward, then backward), each one
    # 0 to MAX_STEP frames after the last: a sender that drops frames skips some.
    played = ping_pong(meta["source"]["frames"])
    positions = [[i for i, index in enumerate(played) if index == f["source_index"]] for f in frames]
    assert all(
        any((b - a) % len(played) <= MAX_STEP for a in before for b in after)
        for before, after in itertools.pairwise(positions)
    )
    assert all(f["match_psnr"] > 25 for f in frames)
    assert all(f["receivedMs"] >= g["receivedMs"] for f, g in zip(frames[1:], frames, strict=False))
    # The planes are the decoder's, at the received size, losslessly: the file holds exactly them.
    assert (recording / "received.i420").stat().st_size == sum(f["bytes"] for f in frames)
    received, source = next(found.pairs())
    assert received.shape == (frames[0]["height"], frames[0]["width"], 3)
    assert source.shape == clip_source(tiny_clip).frames[0].shape
    # The call's statistics, every second, with the decoder's QP sum.
    assert meta["stats"] and meta["stats"][-1]["framesDecoded"] > 0 and meta["stats"][-1]["qpSum"] is not None
    assert "command" in meta and meta["chromium"]


def test_the_webrtc_suite_scores_a_recording_with_vmaf(recording, tmp_path):
    out = tmp_path / "webrtc.json"
    data = str(recording.parent)
    assert main(["eval", "--suite", "webrtc", "--data", data, "--method", "input", "unsharp", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    rows = {(r["method"], r["set"]): r for r in document["results"]}
    assert set(rows) == {(m, s) for m in ("input", "unsharp") for s in ("video", "mean")}
    for row in rows.values():
        assert row["preset"] == "vp8-300" and 10 < row["psnr"] < 60 and 0 < row["vmaf"] <= 100
        assert row["flicker"] is not None
    # Unsharp mask sharpens: more edges than the received frame, which scores an edge ratio of 1.
    assert rows[("input", "mean")]["edge_ratio"] == pytest.approx(1.0)
    assert rows[("unsharp", "mean")]["edge_ratio"] > 1.05
    entry = document["recordings"][0]
    assert entry["received_sizes"] and entry["command"] == read_recording(recording).meta["command"]
    assert entry["recording_seconds"] > 0 and entry["bytes"] == (recording / "received.i420").stat().st_size


def test_an_interrupted_recording_leaves_no_folder(tiny_clip, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(recorder, "align", interrupt)
    with pytest.raises(KeyboardInterrupt):
        record(clip_source(tiny_clip), CallSettings("vp8", 300), tmp_path, warmup_s=0.5)
    assert list(tmp_path.iterdir()) == []


def test_a_codec_the_browser_cannot_send_is_a_clear_error(tiny_clip, tmp_path):
    with pytest.raises(ValueError, match="cannot send H265"):
        run_call(clip_source(tiny_clip), CallSettings("h265", 300), tmp_path, warmup_s=0)


def test_bad_arguments(tiny_clip, tmp_path, capsys):
    assert main(["record", str(tmp_path / "missing.mp4"), "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["record", str(tiny_clip), "--out", str(tmp_path), "--codec", "h265"]) == 2
    assert "unknown codec h265" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("not a video")
    assert main(["record", str(tmp_path / "notes.txt"), "--out", str(tmp_path)]) == 2
    assert "not a video" in capsys.readouterr().err
