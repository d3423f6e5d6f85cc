import numpy as np
import pytest

from crispcall.degrade import encode_decode_frames, encode_decode_image
from crispcall.metrics import level_error, psnr


@pytest.mark.parametrize("codec", ["h264", "vp8"])
def test_intra_roundtrip_is_deterministic_and_crf_orders_quality(astronaut, codec):
    good = encode_decode_image(astronaut, codec, crf=18)
    bad = encode_decode_image(astronaut, codec, crf=45)
    assert good.shape == astronaut.shape and good.dtype == np.uint8
    assert np.array_equal(good, encode_decode_image(astronaut, codec, crf=18))
    assert psnr(bad, astronaut) < psnr(good, astronaut)


@pytest.mark.parametrize("codec", ["h264", "vp8"])
def test_roundtrip_keeps_the_level(astronaut, codec):
    out = encode_decode_image(astronaut, codec, crf=30)
    assert abs(level_error(out, astronaut)) < 0.25  # on BT.601 Y, 219/255 of full range: 0.3 there


def test_bitrate_mode_and_odd_sizes(astronaut):
    odd = np.ascontiguousarray(astronaut[:101, :77])
    out = encode_decode_image(odd, "h264", crf=None, bitrate=200_000)
    assert out.shape == odd.shape
    assert psnr(out, odd) > 20


def test_stream_keeps_frame_count_and_order(astronaut):
    frames = [np.roll(astronaut, 4 * i, axis=1) for i in range(12)]
    decoded = list(encode_decode_frames(frames, "h264", crf=23, gop=5))
    assert len(decoded) == 12
    # each decoded frame is closest to its own source, so order is kept
    for i, frame in enumerate(decoded):
        scores = [psnr(frame, f) for f in frames]
        assert int(np.argmax(scores)) == i


def test_vp8_stream(astronaut):
    frames = [astronaut] * 4
    assert len(list(encode_decode_frames(frames, "vp8", crf=30))) == 4


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"codec": "h265"}, "codec"),
        ({"crf": 99}, "crf"),
        ({"crf": None, "bitrate": None}, "crf or bitrate"),
        ({"crf": None, "bitrate": 5}, "bitrate"),
    ],
)
def test_bad_codec_settings(astronaut, kwargs, param):
    with pytest.raises(ValueError, match=param):
        encode_decode_image(astronaut, **kwargs)


def test_mismatched_frame_size_is_refused(astronaut):
    with pytest.raises(ValueError, match=r"frames\[1\]"):
        list(encode_decode_frames([astronaut, astronaut[:100]], "h264"))
