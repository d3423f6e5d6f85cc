import numpy as np
import pytest

from crispcall.data.scene import synthetic_frame
from crispcall.paths import weights_dir
from crispcall.runtime import Sharpener
from crispcall.runtime.luma import apply_correction, correction_parts, luma_feeds, luma_twin, signed_correction


def test_two_saturating_parts_are_the_clipped_sum(rng):
    """Adding lift and taking drop on uint8 (one of them 0 at every pixel) is clip(frame +
    correction) on R, G and B alike, to the level, out to both ends of the range."""
    frame = rng.integers(0, 256, (37, 51, 3), dtype=np.uint8)
    correction = rng.integers(-300, 301, (37, 51))
    lift = np.clip(correction, 0, 255).astype(np.uint8)
    drop = np.clip(-correction, 0, 255).astype(np.uint8)
    assert np.array_equal(signed_correction(lift, drop), np.clip(correction, -255, 255))
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


def test_coded_parts_are_looked_up_in_the_tables(rng):
    """An INT8 luma graph's coded outputs decode to the parts its tables give each code."""
    codes = rng.integers(0, 256, (1, 1, 37, 51), dtype=np.uint8)
    lift_table, drop_table = rng.integers(0, 256, (2, 256), dtype=np.uint8)
    lift, drop = correction_parts([codes, lift_table, drop_table])
    assert np.array_equal(lift, lift_table[codes[0, 0]]) and np.array_equal(drop, drop_table[codes[0, 0]])
    planes = rng.integers(0, 256, (2, 1, 1, 37, 51), dtype=np.uint8)
    assert all(np.array_equal(a, b[0, 0]) for a, b in zip(correction_parts(list(planes)), planes, strict=True))
