import itertools
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from crispcall.data.recordings import (
    META_FILE,
    RECEIVED_FILE,
    align,
    find_recordings,
    match_psnr,
    read_recording,
    slideshow,
    source_from_origin,
    stills_source,
)
from crispcall.data.scene import build_clip
from crispcall.degrade.yuv import rgb_luma


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
