import pytest

pytest.importorskip("torch", reason="training is the train extra")

import torch

from crispcall.train.loop import dihedral, run_fingerprint, sees_played


def test_dihedral_gives_eight_distinct_views_and_zero_is_the_identity():
    images = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).view(2, 3, 4, 4)
    views = [dihedral(images, k) for k in range(8)]
    assert torch.equal(views[0], images)
    assert len({view.numpy().tobytes() for view in views}) == 8
    # The same view of every image and channel: a pixel moves with its neighbours.
    assert all(torch.equal(view[1, 2], dihedral(images[1:, 2:], k)[0, 0]) for k, view in enumerate(views))


def test_keys_added_later_at_their_default_keep_older_checkpoints_fingerprints():
    config = {"train": {"init": None, "steps": 10, "lr": 1e-3}, "data": {"cache": None}, "loss": {"l1": 1.0}}
    off = {
        **config,
        "train": {**config["train"], "augment": False, "precision": "auto"},
        "loss": {"l1": 1.0, "luma": False},
    }
    augmented = {**config, "train": {**config["train"], "augment": True}}
    on_luma = {**config, "loss": {"l1": 1.0, "luma": True}}
    in_bfloat16 = {**config, "train": {**config["train"], "precision": "bfloat16"}}
    fingerprints = {run_fingerprint(c) for c in (augmented, on_luma, in_bfloat16)}
    assert run_fingerprint(off) == run_fingerprint(config) not in fingerprints and len(fingerprints) == 3


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


def test_only_a_same_size_network_sees_a_low_resolution_cache_as_played():
    same_size, doubling = torch.nn.Conv2d(3, 3, 1), torch.nn.Conv2d(3, 12, 1)
    doubling.scale = 2
    repair = torch.nn.Conv2d(3, 3, 1)
    repair.on_received = True  # as the concealment repair: it takes the frame the call delivered
    assert sees_played(same_size, 2) and not sees_played(same_size, 1)
    assert not sees_played(doubling, 2) and not sees_played(repair, 2)
