import pytest

pytest.importorskip("torch", reason="training is the train extra")

from crispcall.train.loop import run_fingerprint


def test_a_run_resumes_with_more_steps_or_threads_but_not_another_recipe():
    config = {"train": {"init": None, "steps": 10, "threads": 1, "lr": 1e-3}, "data": {"cache": None}}
    same = {**config, "train": {**config["train"], "steps": 20, "threads": 2, "val_every": 5}}
    other = {**config, "train": {**config["train"], "lr": 1e-4}}
    assert run_fingerprint(same) == run_fingerprint(config) != run_fingerprint(other)


def test_a_rebuilt_identical_cache_keeps_the_fingerprint_and_another_does_not(tmp_path):
    cache = tmp_path / "pairs.npz"
    config = {"train": {"init": None, "steps": 10}, "data": {"cache": str(cache)}}
    cache.write_bytes(bytes(range(256)) * 20_000)
    first = run_fingerprint(config)
    cache.unlink()
    cache.write_bytes(bytes(range(256)) * 20_000)  # made again, byte for byte, at another time
    assert run_fingerprint(config) == first
    cache.write_bytes(bytes(range(256)) * 19_999 + bytes(256))  # its last bytes differ
    assert run_fingerprint(config) != first
