import av
import cv2
import numpy as np
import pytest

from crispcall.degrade.yuv import i420_planes, i420_to_rgb, rgb_luma, rgb_to_i420, upscale_planes, video_frame_rgb


def test_i420_planes_and_rgb_at_odd_sizes():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (91, 161, 3), np.uint8)
    frame = cv2.GaussianBlur(frame, (0, 0), 3)
    even = cv2.cvtColor(np.pad(frame, ((0, 1), (0, 1), (0, 0)), mode="edge"), cv2.COLOR_RGB2YUV_I420)
    y = even[:92].reshape(92, 162)[:91, :161]
    chroma = even[92:].ravel()
    data = np.concatenate([y.ravel(), chroma])
    planes = i420_planes(data, 161, 91)
    assert [p.shape for p in planes] == [(91, 161), (46, 81), (46, 81)]
    back = i420_to_rgb(data, 161, 91)
    assert back.shape == frame.shape and np.abs(back.astype(int) - frame).mean() < 3
    with pytest.raises(ValueError, match="bytes"):
        i420_planes(data[:-1], 161, 91)


def test_rgb_to_i420_and_back_and_luma(coffee):
    frame = np.ascontiguousarray(coffee[:100, :150])
    buffer = rgb_to_i420(frame)
    assert buffer.size == 150 * 100 * 3 // 2
    assert np.abs(i420_to_rgb(buffer, 150, 100).astype(int) - frame).mean() < 3
    assert np.array_equal(rgb_luma(frame), i420_planes(buffer, 150, 100)[0])
    assert rgb_luma(coffee[:101, :151]).shape == (100, 150)
    with pytest.raises(ValueError, match="even sides"):
        rgb_to_i420(np.ascontiguousarray(coffee[:101, :150]))


def test_planes_are_upscaled_as_a_player_does(coffee):
    y, u, v = i420_planes(rgb_to_i420(np.ascontiguousarray(coffee[:100, :150])), 150, 100)
    big = upscale_planes(y, u, v, (200, 300))
    assert [p.shape for p in big] == [(200, 300), (100, 150), (100, 150)]
    assert np.array_equal(big[0], cv2.resize(y, (300, 200), interpolation=cv2.INTER_LINEAR))


def test_decoded_frames_keep_their_level(coffee):
    frame = np.ascontiguousarray(coffee[:100, :150])
    buffer = rgb_to_i420(frame)
    decoded = av.VideoFrame.from_ndarray(buffer.reshape(150, 150), format="yuv420p")
    rgb = video_frame_rgb(decoded)
    assert np.array_equal(rgb, i420_to_rgb(buffer, 150, 100))
    level = rgb_luma(rgb).astype(float).mean() - rgb_luma(frame).astype(float).mean()
    assert abs(level) < 0.2
    decoded.color_range = 2  # full range: the limited-range conversion would be wrong, PyAV converts it
    assert np.array_equal(video_frame_rgb(decoded), decoded.to_ndarray(format="rgb24"))
    assert np.array_equal(video_frame_rgb(av.VideoFrame.from_ndarray(frame, format="rgb24")), frame)
