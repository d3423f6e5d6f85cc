from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crispcall.data import DataLeakError, augment, iter_pairs, random_crop, read_cache, read_caches, write_cache


@pytest.fixture
def train_dir(tmp_path, astronaut, coffee) -> Path:
    root = tmp_path / "train"
    (root / "sub").mkdir(parents=True)
    Image.fromarray(astronaut).save(root / "a.png")
    Image.fromarray(coffee).save(root / "sub" / "c.jpg")
    Image.fromarray(coffee[:40, :50]).save(root / "small.png")  # smaller than a patch
    return root


def test_random_crop_and_augment(coffee, rng):
    patch = random_crop(coffee, 64, rng)
    assert patch.shape == (64, 64, 3)
    assert random_crop(coffee[:30, :20], 48, rng).shape == (48, 48, 3)
    seen = {augment(patch, np.random.default_rng(s)).tobytes() for s in range(64)}
    assert len(seen) == 8  # four rotations times two flips


def test_pairs_are_deterministic_in_workers_and_here(train_dir):
    here = list(iter_pairs([train_dir], 6, patch_size=48, seed=5))
    pooled = list(iter_pairs([train_dir], 6, patch_size=48, seed=5, workers=2))
    resumed = list(iter_pairs([train_dir], 3, patch_size=48, seed=5, start=3))
    for (d1, c1), (d2, c2) in zip(here, pooled, strict=True):
        assert np.array_equal(d1, d2) and np.array_equal(c1, c2)
    for (d1, _), (d2, _) in zip(here[3:], resumed, strict=True):
        assert np.array_equal(d1, d2)
    degraded, clean = here[0]
    assert degraded.shape == clean.shape == (48, 48, 3) and not np.array_equal(degraded, clean)


def test_bad_images_do_not_stop_pairs(train_dir):
    (train_dir / "corrupt.png").write_bytes(b"\x89PNG garbage")
    assert len(list(iter_pairs([train_dir], 10, patch_size=32, seed=1))) == 10


def test_cache_roundtrip_and_no_partial_file(train_dir, tmp_path):
    out = write_cache([train_dir], tmp_path / "pairs.npz", count=5, patch_size=32, progress=False)
    degraded, clean, meta = read_cache(out)
    assert degraded.shape == clean.shape == (5, 32, 32, 3)
    assert meta["count"] == 5 and meta["patch_size"] == 32
    assert not list(tmp_path.rglob(".*.partial*"))
    (tmp_path / "cut.npz").write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    (tmp_path / "text.npz").write_text("not arrays")
    np.savez(tmp_path / "other.npz", images=clean)
    for name in ("cut.npz", "text.npz", "other.npz"):
        with pytest.raises(ValueError, match="is not a pair cache written by crispcall"):
            read_cache(tmp_path / name)


def test_caches_read_as_one_in_the_order_given(train_dir, tmp_path):
    first = write_cache([train_dir], tmp_path / "a.npz", count=3, patch_size=32, seed=1, progress=False)
    second = write_cache([train_dir], tmp_path / "b.npz", count=2, patch_size=32, seed=2, progress=False)
    degraded, clean, meta = read_caches([first, second])
    assert degraded.shape == clean.shape == (5, 32, 32, 3) and meta["count"] == 5
    assert np.array_equal(clean[3:], read_cache(second)[1]) and np.array_equal(degraded[:3], read_cache(first)[0])
    assert np.array_equal(read_caches(str(first))[1], read_cache(first)[1])
    wider = write_cache([train_dir], tmp_path / "c.npz", count=2, patch_size=48, progress=False)
    with pytest.raises(ValueError, match="different sizes or scales"):
        read_caches([first, wider])


def test_low_resolution_pairs_are_the_frame_before_its_upscale(train_dir, tmp_path):
    config = tmp_path / "x2.yaml"
    packaged = (Path(__file__).parents[2] / "src/crispcall/degrade/train.yaml").read_text()
    config.write_text(packaged.replace("scale: [", "scale: [2, 2] #", 1))
    same_size = list(iter_pairs([train_dir], 3, patch_size=32, seed=2, degradation_config=str(config)))
    low = list(iter_pairs([train_dir], 3, patch_size=32, seed=2, degradation_config=str(config), low_resolution=True))
    for (frame, clean), (small, clean_too) in zip(same_size, low, strict=True):
        assert small.shape == (16, 16, 3) and np.array_equal(clean, clean_too)
        # The same draws: the same-size frame is the low-resolution one upscaled.
        assert np.abs(frame.astype(int) - np.kron(small, np.ones((2, 2, 1))).astype(int)).mean() < 12
    out = write_cache([train_dir], tmp_path / "low.npz", 4, 32, degradation_config=str(config), low_resolution=True,
                      progress=False)  # fmt: skip
    degraded, clean, meta = read_cache(out)
    assert degraded.shape == (4, 16, 16, 3) and clean.shape == (4, 32, 32, 3) and meta["scale"] == 2
    with pytest.raises(ValueError, match="one integer scale"):
        list(iter_pairs([train_dir], 1, patch_size=32, low_resolution=True))  # the packaged config draws a range
    with pytest.raises(ValueError, match="divides the patch size"):
        list(iter_pairs([train_dir], 1, patch_size=33, degradation_config=str(config), low_resolution=True))


def test_target_scale_keeps_the_clean_patch_area_resized_to_that_scale(train_dir, tmp_path):
    config = tmp_path / "x3.yaml"
    packaged = (Path(__file__).parents[2] / "src/crispcall/degrade/train.yaml").read_text()
    config.write_text(packaged.replace("scale: [", "scale: [3, 3] #", 1))
    common = dict(count=3, patch_size=36, seed=4, degradation_config=str(config), low_resolution=True, progress=False)
    full = write_cache([train_dir], tmp_path / "x3.npz", **common)
    out = write_cache([train_dir], tmp_path / "x3-2.npz", **common, target_scale=2)
    degraded, clean, meta = read_cache(out)
    full_degraded, full_clean, full_meta = read_cache(full)
    assert np.array_equal(degraded, full_degraded) and full_meta["scale"] == 3
    assert clean.shape == (3, 24, 24, 3) and (meta["scale"], meta["call_scale"]) == (2, 3)
    # Area averaging: a 3x3 block of the 36-pixel patch is a 2x2 block of the 24-pixel one.
    assert abs(clean[:, :2, :2].astype(float).mean() - full_clean[:, :3, :3].astype(float).mean()) < 1.0
    with pytest.raises(ValueError, match="larger scale"):
        write_cache([train_dir], tmp_path / "bad.npz", **common, target_scale=3)
    assert not (tmp_path / "bad.npz").exists()


def test_zoomed_pairs_enlarge_the_crop_that_plain_pairs_cut(train_dir, tmp_path):
    """With --zoom 2, pair i's clean patch is the bicubic enlargement of the crop a plain run cuts
    at half the size (the same draws), and the cache says that it holds no ground truth."""
    from crispcall.data.cache import read_cache_meta
    from crispcall.degrade.ops import resize

    plain = list(iter_pairs([train_dir], 3, patch_size=16, seed=5))
    zoomed = list(iter_pairs([train_dir], 3, patch_size=32, seed=5, zoom=2))
    for (_frame, crop), (degraded, clean) in zip(plain, zoomed, strict=True):
        assert degraded.shape == clean.shape == (32, 32, 3)
        assert np.array_equal(clean, resize(crop, (32, 32), "bicubic"))
    out = write_cache([train_dir], tmp_path / "zoom.npz", 2, 32, zoom=2, progress=False)
    assert read_cache_meta(out)["zoom"] == 2 and "zoom" not in read_cache_meta(write_cache(
        [train_dir], tmp_path / "plain.npz", 2, 32, progress=False))  # fmt: skip
    with pytest.raises(ValueError, match="divides the patch size"):
        list(iter_pairs([train_dir], 1, patch_size=33, zoom=2))


def test_cache_refuses_test_overlap(train_dir, tmp_path):
    with pytest.raises(DataLeakError):
        write_cache([train_dir], tmp_path / "x.npz", count=2, test_roots=[train_dir / "sub"], progress=False)
    assert not (tmp_path / "x.npz").exists()


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no images"):
        list(iter_pairs([tmp_path / "empty"], 2))


def test_holdout_split_and_mix(tmp_path, coffee, astronaut):
    from crispcall.data import holdout_split
    from crispcall.data.patches import _mix_weights, parse_mix

    paths = [tmp_path / f"{i}.png" for i in range(10)]
    train, held = holdout_split(paths, 4)
    assert held == [paths[0], paths[4], paths[8]] and not set(train) & set(held)
    assert holdout_split(paths, 0) == (paths, [])
    (tmp_path / "faces").mkdir()
    (tmp_path / "photos").mkdir()
    by_root = {tmp_path: [tmp_path / "faces" / "a.png", tmp_path / "photos" / "b.png", tmp_path / "photos" / "c.png"]}
    weights = _mix_weights(by_root, parse_mix("natural:0.5,faces:0.5,text/screens:1"))
    assert weights == pytest.approx((0.5, 0.25, 0.25))  # screens absent: their share is spread
    with pytest.raises(ValueError, match="mix category"):
        parse_mix("cats:1")


def test_pairs_never_use_held_out_images(tmp_path, coffee):
    root = tmp_path / "train"
    root.mkdir()
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(root / "a_held.png")  # index 0: held out
    Image.fromarray(coffee).save(root / "b.png")
    for _degraded, clean in iter_pairs([root], 8, patch_size=32, holdout_every=2):
        assert clean.any()  # never a patch of the all-black held-out image
