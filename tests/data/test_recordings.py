import itertools
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from crispcall.data.cache import read_cache, write_recorded_cache
from crispcall.data.folders import DataLeakError
from crispcall.data.recordings import (
    META_FILE,
    RECEIVED_FILE,
    align,
    check_apart,
    find_recordings,
    match_psnr,
    ping_pong,
    read_recording,
    slideshow,
    source_from_origin,
    stills_source,
    x2_pairs,
)
from crispcall.data.scene import build_clip
from crispcall.degrade.yuv import rgb_luma, rgb_to_i420


@pytest.fixture(scope="module")
def clip():
    return build_clip(40, (320, 180)).clean


def _received(frame: np.ndarray, size: tuple[int, int], rng) -> np.ndarray:
    """A received Y plane: the source frame scaled to ``size`` with coding-like noise."""
    luma = cv2.resize(rgb_luma(frame), size, interpolation=cv2.INTER_AREA).astype(float)
    return np.clip(luma + rng.normal(0, 3, luma.shape), 0, 255).astype(np.uint8)


def test_alignment_finds_the_frames_a_sender_dropped_and_the_loop(clip, rng):
    # Frames dropped in runs of up to four, a change of received size mid-call, and the camera's
    # loop wrapping from the last frame back to the first.
    shown = [5, 6, 8, 9, 10, 13, 14, 15, 17, 20, 21, 22, 25, 28, 30, 31, 35, 39, 0, 1, 3, 4]
    received = [_received(clip[i], (160, 90) if n < 10 else (80, 46), rng) for n, i in enumerate(shown)]
    path = align(received, clip)
    assert path.tolist() == shown
    assert all(match_psnr(r, clip[i]) > 30 for r, i in zip(received, path, strict=True))
    assert match_psnr(received[0], clip[25]) < match_psnr(received[0], clip[5])


def test_alignment_follows_the_cameras_ping_pong(clip, rng):
    # The camera plays 0..39 then 38..1: positions 40 on show frames 38, 37, ... again.
    loop = ping_pong(len(clip))
    shown = [33, 36, 39, 40, 41, 44, 47, 50]
    received = [_received(clip[loop[p]], (160, 90), rng) for p in shown]
    assert align(received, clip, loop).tolist() == shown


def test_slideshow_pans_every_still(astronaut, coffee):
    frames = slideshow([astronaut, coffee], (160, 90), seconds=0.5, fps=10)
    assert len(frames) == 10 and all(f.shape == (90, 160, 3) for f in frames)
    steps = [np.abs(a.astype(int) - b).mean() for a, b in itertools.pairwise(frames)]
    assert min(steps) > 0.5  # the camera moves between frames


def test_sources_are_made_again_and_refused_when_changed(tmp_path, astronaut, coffee):
    paths = []
    for name, image in (("a.png", astronaut), ("b.png", coffee)):
        Image.fromarray(image).save(tmp_path / name)
        paths.append(tmp_path / name)
    source = stills_source("faces", paths, (160, 90), seconds=0.3, fps=10)
    again = source_from_origin("faces", json.loads(json.dumps(source.origin)))
    assert all(np.array_equal(a, b) for a, b in zip(source.frames, again.frames, strict=True))
    Image.fromarray(coffee[::-1]).save(paths[1])
    with pytest.raises(ValueError, match="changed since"):
        source_from_origin("faces", source.origin)
    with pytest.raises(ValueError, match="even"):
        stills_source("odd", paths[:1], (161, 90))


def test_recordings_are_found_and_read_with_clear_errors(tmp_path):
    for name in ("done", ".done.x.partial"):
        (tmp_path / name).mkdir()
        (tmp_path / name / META_FILE).write_text(json.dumps({"frames": []}))
        (tmp_path / name / RECEIVED_FILE).write_bytes(b"")
    assert find_recordings(tmp_path) == [tmp_path / "done"]  # unfinished ones are hidden
    assert read_recording(tmp_path / "done").name == "done"
    with pytest.raises(ValueError, match="not a recording"):
        read_recording(tmp_path)
    (tmp_path / "done" / META_FILE).write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_recording(tmp_path / "done")
    with pytest.raises(ValueError, match="no such recordings folder"):
        find_recordings(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no recordings under"):
        find_recordings(tmp_path / "empty")


def _recording(folder, source, sizes):
    """A recording folder as crispcall record writes it: each source frame received at the size
    given for it (I420), matched to itself."""
    folder.mkdir(parents=True)
    entries, offset = [], 0
    with open(folder / RECEIVED_FILE, "wb") as handle:
        for index, size in enumerate(sizes):
            planes = rgb_to_i420(cv2.resize(source.frames[index], size, interpolation=cv2.INTER_AREA))
            handle.write(planes.tobytes())
            entry = {"width": size[0], "height": size[1], "offset": offset, "bytes": planes.size}
            entries.append({**entry, "source_index": index, "match_psnr": 40.0})
            offset += planes.size
    meta = {
        "source": {"name": source.name, "frames": len(source.frames), "fps": source.fps, "origin": source.origin},
        "alignment": {"reliable": True},
        "frames": entries,
    }
    (folder / META_FILE).write_text(json.dumps(meta))
    return read_recording(folder)


@pytest.fixture
def stills(tmp_path, astronaut, coffee):
    paths = []
    for name, image in (("a.png", astronaut), ("b.png", coffee)):
        Image.fromarray(image).save(tmp_path / name)
        paths.append(tmp_path / name)
    return stills_source("stills", paths, (160, 96), seconds=0.3, fps=10)


def test_x2_pairs_come_from_frames_that_arrived_downscaled(tmp_path, stills):
    # Frames 0-2 arrived at 64x38, 80x48 (exactly x2) and 120x72; the rest at full size.
    sizes = [(64, 38), (80, 48), (120, 72)] + [(160, 96)] * (len(stills.frames) - 3)
    recording = _recording(tmp_path / "call", stills, sizes)
    pairs = list(x2_pairs([recording], 40, 32, seed=1))
    assert len(pairs) == 40
    sources = [stills.frames[i] for i in range(3)]
    for low, clean in pairs:
        assert low.shape == (16, 16, 3) and clean.shape == (32, 32, 3)
        # the clean patch is a crop of one of the three downscaled frames' sources, at twice
        # the low patch's place: area-downscaled, it is the low patch up to coding and resizing
        assert any(_holds(source, clean) for source in sources)
        small = cv2.resize(clean, (16, 16), interpolation=cv2.INTER_AREA)
        assert match_psnr(rgb_luma(low), small) > 22
    with pytest.raises(ValueError, match="below its source's size"):
        next(x2_pairs([_recording(tmp_path / "full", stills, [(160, 96)] * 3)], 4, 32))


def _holds(image: np.ndarray, patch: np.ndarray) -> bool:
    side = patch.shape[0]
    return any(
        np.array_equal(image[y : y + side, x : x + side], patch)
        for y in range(0, image.shape[0] - side + 1, 2)
        for x in range(0, image.shape[1] - side + 1, 2)
    )


def test_recordings_of_test_content_are_refused(tmp_path, stills):
    recording = _recording(tmp_path / "call", stills, [(80, 48)] * 3)
    tests = tmp_path / "test"
    tests.mkdir()
    (tests / "other.png").write_bytes(b"not the still")
    check_apart([recording], [tests, tmp_path / "missing"])
    (tests / "same.png").write_bytes((tmp_path / "b.png").read_bytes())
    with pytest.raises(DataLeakError, match="shows test file"):
        check_apart([recording], [tests])


def test_the_recorded_cache_holds_x2_pairs(tmp_path, stills):
    _recording(tmp_path / "calls" / "call", stills, [(80, 48)] * 3)
    out = write_recorded_cache([tmp_path / "calls"], tmp_path / "pairs.npz", 8, 32, progress=False)
    degraded, clean, meta = read_cache(out)
    assert degraded.shape == (8, 16, 16, 3) and clean.shape == (8, 32, 32, 3)
    assert meta["scale"] == 2 and meta["recordings"] == [str(tmp_path / "calls" / "call")]
