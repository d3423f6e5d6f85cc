import numpy as np
import pytest

from crispcall.data.scene import synthetic_frame
from crispcall.paths import weights_dir
from crispcall.runtime import Sharpener
from crispcall.runtime.luma import OFFSET, apply_correction, correction_parts, luma_feeds, luma_twin, signed_correction


def test_the_offset_correction_is_applied_as_the_clipped_sum(rng):
    """The correction's two saturating parts, added to and taken from R, G and B alike, give
    clip(frame + correction), to the level and out to both ends of the range."""
    frame = rng.integers(0, 256, (37, 51, 3), dtype=np.uint8)
    correction = rng.integers(-128, 128, (37, 51))
    codes = (correction + OFFSET).astype(np.uint8)[None, None]
    assert np.array_equal(signed_correction(codes)[0, 0], correction)
    lift, drop = correction_parts(codes)
    assert np.array_equal(lift, np.clip(correction, 0, None)) and np.array_equal(drop, np.clip(-correction, 0, None))
    expected = np.clip(frame.astype(int) + correction[..., None], 0, 255)
    out = np.empty_like(frame)
    assert apply_correction(frame, lift, drop, out) is out
    assert np.array_equal(out, expected)
    assert np.array_equal(apply_correction(frame, lift, drop), expected)


def test_luma_is_bt601_rounded():
    frame = synthetic_frame(64, 48)
    [luma] = luma_feeds(frame).values()
    assert luma.shape == (1, 1, 48, 64) and luma.dtype == np.uint8
    exact = frame.astype(float) @ np.array([0.299, 0.587, 0.114])
    assert np.abs(luma[0, 0] - exact).max() <= 0.51


@pytest.mark.parametrize("stem", ["student", "student-int8"])
def test_the_sharpener_runs_the_luma_twin_and_matches_the_frame_graph(stem):
    """The shipped files: the luma twin is what the runtime runs by default, and its output is
    the frame graph's to within the rounding of luma to uint8."""
    path = weights_dir() / f"{stem}.onnx"
    assert luma_twin(path) == weights_dir() / f"{stem}-luma.onnx"
    twin, frame_graph = Sharpener(path, threads=1), Sharpener(path, threads=1, luma=False)
    assert twin.model == luma_twin(path) and twin.backend.luma
    assert frame_graph.model == path and not frame_graph.backend.luma
    assert (twin.backend.precision, twin.backend.macs_per_pixel) == (
        frame_graph.backend.precision,
        frame_graph.backend.macs_per_pixel,
    )
    frame = synthetic_frame(322, 181)  # padded to the side multiple, then cropped
    got, expected = twin(frame), frame_graph(frame)
    assert got.shape == frame.shape and not np.array_equal(got, frame)
    assert np.mean(np.abs(got.astype(int) - expected) <= 1) >= 0.99
    whole = np.ascontiguousarray(frame[:180, :320])  # sides that divide: into the caller's array
    out = np.empty_like(whole)
    assert twin(whole, out) is out and np.array_equal(out, twin(whole))
