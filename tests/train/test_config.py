import pytest

from crispcall.train.config import load_config, read_sections


def test_config_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: {stepz: 3}\n")
    with pytest.raises(ValueError, match="stepz"):
        load_config(bad)
    bad.write_text("optimizer: {}\n")
    with pytest.raises(ValueError, match="optimizer"):
        load_config(bad)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.yaml")


def test_base_is_overridden_key_by_key(tmp_path):
    (tmp_path / "bodies").mkdir()
    (tmp_path / "base.yaml").write_text("model: {channels: 32, blocks: 5}\ntrain: {steps: 8, lr: 0.1}\n")
    (tmp_path / "bodies" / "variant.yaml").write_text("base: ../base.yaml\nmodel: {blocks: 4}\nloss: {l1: 0.5}\n")
    (tmp_path / "third.yaml").write_text("base: bodies/variant.yaml\ntrain: {steps: 9}\n")
    assert read_sections(tmp_path / "bodies" / "variant.yaml") == {
        "model": {"channels": 32, "blocks": 4},
        "train": {"steps": 8, "lr": 0.1},
        "loss": {"l1": 0.5},
    }
    config = load_config(tmp_path / "third.yaml", ["model.channels=16"])
    assert config["model"] == {"channels": 16, "blocks": 4}
    assert (config["train"]["steps"], config["train"]["lr"], config["loss"]["l1"]) == (9, 0.1, 0.5)
    assert config["train"]["batch_size"] == 16  # the defaults under every file


def test_base_errors(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\n")
    with pytest.raises(ValueError, match="leads back to itself"):
        load_config(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("base: missing.yaml\n")
    with pytest.raises(FileNotFoundError, match=r"missing\.yaml"):
        load_config(tmp_path / "c.yaml")
    (tmp_path / "d.yaml").write_text("base: d.yaml\n")
    with pytest.raises(ValueError, match="leads back to itself"):
        load_config(tmp_path / "d.yaml")
