import numpy as np
import pytest

from crispcall.degrade import conceal, loss_mask, transmission_loss
from crispcall.degrade.loss import BLOCK


def test_block_mask_rate_and_shape(rng):
    mask = loss_mask((270, 480), 0.2, rng)
    assert mask.shape == (17, 30)
    assert 0.1 < mask.mean() < 0.3


def test_slices_lose_whole_rows(rng):
    mask = loss_mask((160, 160), 0.5, rng, "slices")
    assert all(row.all() or not row.any() for row in mask)


def test_single_block_is_interpolated_between_neighbour_rows():
    frame = np.zeros((48, 48, 3), np.uint8)
    frame[:16] = 10  # row above the lost block
    frame[32:] = 180  # row below it
    frame[16:32, 16:32] = 255  # the lost block's garbage
    mask = np.zeros((3, 3), bool)
    mask[1, 1] = True
    out = conceal(frame, mask)
    column = out[16:32, 20, 0].astype(int)
    expected = np.rint(10 + (180 - 10) * np.arange(1, 17) / 17)
    assert np.array_equal(column, expected)
    assert np.array_equal(out[:16], frame[:16]) and np.array_equal(out[:, :16], frame[:, :16])


def test_copy_concealment_uses_previous_frame(coffee, rng):
    previous = np.full_like(coffee, 77)
    mask = loss_mask(coffee.shape[:2], 0.3, rng)
    out = conceal(coffee, mask, "copy", previous)
    r, c = np.argwhere(mask)[0]
    assert (out[r * BLOCK : (r + 1) * BLOCK, c * BLOCK : (c + 1) * BLOCK] == 77).all()
    assert np.array_equal(
        out[~np.repeat(np.repeat(mask, BLOCK, 0), BLOCK, 1)[: coffee.shape[0], : coffee.shape[1]]],
        coffee[~np.repeat(np.repeat(mask, BLOCK, 0), BLOCK, 1)[: coffee.shape[0], : coffee.shape[1]]],
    )


def test_loss_is_seeded_and_zero_rate_is_identity(coffee):
    a = transmission_loss(coffee, 0.1, np.random.default_rng(3))
    b = transmission_loss(coffee, 0.1, np.random.default_rng(3))
    assert np.array_equal(a, b) and not np.array_equal(a, coffee)
    assert np.array_equal(transmission_loss(coffee, 0.0, np.random.default_rng(3)), coffee)


def test_bad_loss_parameters(coffee, rng):
    with pytest.raises(ValueError, match="rate"):
        transmission_loss(coffee, 1.5, rng)
    with pytest.raises(ValueError, match="pattern"):
        transmission_loss(coffee, 0.1, rng, pattern="bursts")
    with pytest.raises(ValueError, match="method"):
        transmission_loss(coffee, 0.1, rng, method="magic")
    with pytest.raises(ValueError, match="mask"):
        conceal(coffee, np.zeros((2, 2), bool))
