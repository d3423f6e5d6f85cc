from pathlib import Path

import numpy as np
import pytest
import yaml

from crispcall.degrade import TrainingDegradation
from crispcall.metrics import psnr


def test_random_pipeline_is_seeded_and_covers_its_choices(astronaut):
    degrade = TrainingDegradation.load()
    records = []
    for seed in range(40):
        out, record = degrade(astronaut, np.random.default_rng(seed))
        again, _ = degrade(astronaut, np.random.default_rng(seed))
        assert out.shape == astronaut.shape and np.array_equal(out, again)
        assert psnr(out, astronaut) < 45
        records.append(record)
    assert {r["codec"] for r in records} == {"h264", "vp8", "jpeg", "none"}
    assert all(1.5 <= r["scale"] <= 4.0 for r in records)
    assert any("loss_rate" in r for r in records) and any("motion" in r for r in records)


def test_config_errors_name_the_field(tmp_path: Path):
    config = yaml.safe_load((Path(__file__).parents[2] / "src/crispcall/degrade/train.yaml").read_text())
    config["scale"] = [3.0, 2.0]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="scale"):
        TrainingDegradation.load(bad)
    del config["noise"]
    bad.write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="noise"):
        TrainingDegradation.load(bad)


def test_a_full_size_share_delivers_some_frames_unscaled(astronaut, tmp_path: Path):
    config = yaml.safe_load((Path(__file__).parents[2] / "src/crispcall/degrade/train.yaml").read_text())
    config["full_size_share"] = 0.5
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump(config))
    degrade = TrainingDegradation.load(path)
    assert degrade.fixed_scale is None
    lows = [degrade.low_resolution(astronaut, np.random.default_rng(seed)) for seed in range(16)]
    full = [low for low, record in lows if record["scale"] == 1.0]
    assert 0 < len(full) < 16 and all(low.shape == astronaut.shape for low in full)
    assert all(1.5 <= record["scale"] <= 4.0 for _, record in lows if record["scale"] != 1.0)
    config["full_size_share"] = 1.5
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="full_size_share"):
        TrainingDegradation.load(path)
