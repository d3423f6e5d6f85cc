import numpy as np
import pytest

from crispcall.degrade import PRESETS, apply_preset, apply_preset_clip, preset_rng
from crispcall.metrics import psnr


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_shapes_and_determinism(astronaut, name):
    a = apply_preset(astronaut, name, preset_rng("img_001.png"))
    b = apply_preset(astronaut, name, preset_rng("img_001.png"))
    scale = PRESETS[name].scale
    assert a.frame.shape == astronaut.shape
    assert a.low.shape == (252 // scale, 252 // scale, 3)
    assert np.array_equal(a.frame, b.frame)


def test_presets_damage_in_the_expected_order(astronaut):
    scores = {n: psnr(apply_preset(astronaut, n, preset_rng("x.png")).frame, astronaut) for n in PRESETS}
    assert scores["x2"] > scores["call"] > scores["poor"]
    assert scores["call"] > scores["lossy"]


def test_file_name_changes_the_draws(astronaut):
    a = apply_preset(astronaut, "call", preset_rng("a.png")).frame
    b = apply_preset(astronaut, "call", preset_rng("b.png")).frame
    assert not np.array_equal(a, b)


def test_x2_preset_is_area_down_bilinear_up(astronaut):
    import cv2

    low = cv2.resize(astronaut, (126, 126), interpolation=cv2.INTER_AREA)
    expected = cv2.resize(low, (252, 252), interpolation=cv2.INTER_LINEAR)
    assert np.array_equal(apply_preset(astronaut, "x2", preset_rng("a")).frame, expected)


def test_clip_preset_is_one_stream(astronaut):
    frames = [np.roll(astronaut, 3 * i, axis=0) for i in range(8)]
    out = list(apply_preset_clip(frames, "lossy", np.random.default_rng(0)))
    assert len(out) == 8 and all(d.frame.shape == astronaut.shape for d in out)
    again = list(apply_preset_clip(frames, "lossy", np.random.default_rng(0)))
    assert all(np.array_equal(a.frame, b.frame) for a, b in zip(out, again, strict=True))


def test_unknown_preset(astronaut):
    with pytest.raises(ValueError, match="preset"):
        apply_preset(astronaut, "terrible", preset_rng("a"))
