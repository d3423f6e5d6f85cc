import json

import numpy as np
import pytest

from crispcall.cli.main import main
from crispcall.methods.registry import create_method
from crispcall.runtime.temporal import TemporalBlend
from tests.runtime.test_video import write_clip


def test_still_areas_blend_and_moving_ones_do_not(rng):
    blend = TemporalBlend(strength=0.5, threshold=8.0)
    received = np.full((32, 48, 3), 100, np.uint8)
    first = rng.integers(0, 256, received.shape, dtype=np.uint8)
    assert blend(received, first) is first  # nothing to blend with yet
    second = rng.integers(0, 256, received.shape, dtype=np.uint8)
    moved = received.copy()
    moved[:, 24:] = 200  # the right half changed a lot, the left half not at all
    out = blend(moved, second)
    expected_left = 0.5 * first[:, :24].astype(float) + 0.5 * second[:, :24]
    assert np.abs(out[:, :24] - expected_left).max() <= 1
    np.testing.assert_array_equal(out[:, 24:], second[:, 24:])
    blend.reset()
    assert blend(moved, second) is second
    with pytest.raises(ValueError):
        TemporalBlend(strength=1.0)


def test_temporal_name_wraps_any_same_size_method(coffee):
    method = create_method("unsharp+temporal")
    assert method.name == "unsharp+temporal"
    frame = np.ascontiguousarray(coffee[:64, :64])
    np.testing.assert_array_equal(method.run(frame), create_method("unsharp").run(frame))


def test_flicker_command_on_generated_clips(tmp_path, capsys):
    data = tmp_path / "test"
    (data / "video" / "a").mkdir(parents=True)
    write_clip(data / "video" / "a" / "a.mp4", frames=12, size=(96, 64), audio=False)
    out = tmp_path / "flicker.json"
    code = main(
        [
            "flicker",
            "--data",
            str(data),
            "--frames",
            "8",
            "--method",
            "input",
            "unsharp",
            "unsharp+temporal",
            "--json",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "| unsharp+temporal | call |" in printed and out.is_file()


def test_flicker_with_vmaf_scores_each_restored_clip(tmp_path, capsys):
    pytest.importorskip("imageio_ffmpeg", reason="VMAF needs the vmaf extra")
    data = tmp_path / "test"
    (data / "video" / "a").mkdir(parents=True)
    write_clip(data / "video" / "a" / "a.mp4", frames=8, size=(96, 64), audio=False)
    out = tmp_path / "flicker.json"
    assert (
        main(["flicker", "--data", str(data), "--frames", "6", "--method", "input", "--vmaf", "--json", str(out)]) == 0
    )
    row = json.loads(out.read_text())["results"][0]
    assert 0 < row["vmaf"] <= 100 and 0 < row["vmaf_neg"] <= 100
    assert "| VMAF | VMAF-NEG |" in capsys.readouterr().out
