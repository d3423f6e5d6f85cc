import numpy as np
import pytest

from crispcall.data.scene import synthetic_frame
from crispcall.degrade.yuv import i420_planes, planes_to_rgb, rgb_to_i420
from crispcall.metrics.quality import share_within
from crispcall.paths import weights_dir
from crispcall.runtime import Sharpener
from crispcall.runtime.i420 import I420Sharpener, i420_twin


def test_the_i420_twin_at_the_frames_own_size_is_the_rgb_graph():
    """What crispcall video runs on yuv420p planes equals the RGB frame graph on the same
    frame taken to RGB, and back to I420 (to within the round trip's rounding)."""
    path = weights_dir() / "student.onnx"
    assert i420_twin(path) == weights_dir() / "student-i420.onnx"
    planes = I420Sharpener(i420_twin(path), threads=1)
    assert planes.multiple == 4 and planes.fits(180, 320) and not planes.fits(180, 322)
    width, height = 320, 180
    i420 = rgb_to_i420(synthetic_frame(width, height))
    frame = i420.reshape(height * 3 // 2, width)
    got = planes(frame)
    assert got.shape == frame.shape and got.dtype == np.uint8
    luma = height * width
    expected = rgb_to_i420(Sharpener(path, threads=1)(planes_to_rgb(*i420_planes(i420, width, height))))
    assert share_within(got.reshape(-1), expected, levels=2) >= 0.99
    assert np.array_equal(got.reshape(-1)[luma:], i420[luma:])  # chroma passes untouched
    assert not np.array_equal(got.reshape(-1)[:luma], i420[:luma])
    with pytest.raises(ValueError, match="multiples of 4"):
        planes(frame[:, :318])
    with pytest.raises(ValueError, match="not an I420 graph"):
        I420Sharpener(path, threads=1)


def test_the_browsers_i420_graph_is_its_rgb_graph_on_what_a_player_shows():
    """student-web as crispcall.js runs it (320x180 planes shown at 1280x720, the upscale in the
    graph) equals its RGB frame graph on the player's upscale, taken to I420."""
    import onnxruntime as ort

    from crispcall.degrade.yuv import upscale_planes
    from crispcall.runtime.i420 import i420_feeds

    session = ort.InferenceSession(str(weights_dir() / "student-web-i420.onnx"), providers=["CPUExecutionProvider"])
    rgb_graph = Sharpener(weights_dir() / "student-web.onnx", threads=1, luma=False)
    planes = i420_planes(rgb_to_i420(synthetic_frame(320, 180)), 320, 180)
    got = session.run(None, i420_feeds(*planes, (720, 1280)))[0]
    expected = rgb_to_i420(rgb_graph(planes_to_rgb(*upscale_planes(*planes, (720, 1280)))))
    assert share_within(got, expected, levels=2) >= 0.99
