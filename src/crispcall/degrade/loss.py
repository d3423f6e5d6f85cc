"""Transmission loss: lost 16x16 macroblocks or slices, concealed as a decoder would."""

from __future__ import annotations

import numpy as np

from crispcall.degrade.checks import check_choice, check_range, check_rgb
from crispcall.errors import InputError

BLOCK = 16


def loss_mask(shape: tuple[int, int], rate: float, rng: np.random.Generator, pattern: str = "blocks") -> np.ndarray:
    """Boolean (rows, cols) grid of lost macroblocks for a frame of ``shape`` = (H, W).

    ``blocks``: each macroblock is lost independently with probability ``rate``.
    ``slices``: each row of macroblocks (one slice, as a packet carries) is lost with
    probability ``rate``.
    """
    check_range(rate, "rate", 0.0, 1.0)
    check_choice(pattern, "pattern", ("blocks", "slices"))
    rows, cols = -(-shape[0] // BLOCK), -(-shape[1] // BLOCK)
    if pattern == "blocks":
        return rng.random((rows, cols)) < rate
    return np.repeat((rng.random(rows) < rate)[:, None], cols, axis=1)


def _interpolate_runs(frame: np.ndarray, mask: np.ndarray) -> None:
    """Fill each vertical run of lost blocks by linear interpolation, in place.

    The run is filled between the nearest received row above and below it (for a single
    lost block: the rows just above and just below). A run touching the top or bottom edge
    repeats its one received neighbour row; a fully lost column is filled with mid-grey.
    """
    height, width = frame.shape[:2]
    padded = np.concatenate([np.zeros((1, mask.shape[1]), bool), mask, np.zeros((1, mask.shape[1]), bool)])
    starts_r, starts_c = np.nonzero(padded[1:-1] & ~padded[:-2])
    ends_r, ends_c = np.nonzero(padded[1:-1] & ~padded[2:])
    # nonzero() walks row-major; sort both by column then row so starts and ends pair up.
    start_order = np.lexsort((starts_r, starts_c))
    end_order = np.lexsort((ends_r, ends_c))
    for r0, r1, c in zip(starts_r[start_order], ends_r[end_order] + 1, starts_c[start_order], strict=True):
        y0, y1 = r0 * BLOCK, min(r1 * BLOCK, height)
        x0, x1 = c * BLOCK, min((c + 1) * BLOCK, width)
        above = frame[y0 - 1, x0:x1].astype(np.float32) if y0 > 0 else None
        below = frame[y1, x0:x1].astype(np.float32) if y1 < height else None
        if above is None and below is None:
            frame[y0:y1, x0:x1] = 128
            continue
        above = below if above is None else above
        below = above if below is None else below
        weight = (np.arange(y0, y1, dtype=np.float32) - (y0 - 1)) / (y1 - (y0 - 1))
        weight = weight[:, None, None]
        frame[y0:y1, x0:x1] = np.rint(above * (1 - weight) + below * weight).astype(np.uint8)


def conceal(
    frame: np.ndarray, mask: np.ndarray, method: str = "interpolate", previous: np.ndarray | None = None
) -> np.ndarray:
    """Replace the lost macroblocks of ``frame`` (``mask`` from :func:`loss_mask`).

    ``interpolate``: vertical linear interpolation between received rows (intra concealment).
    ``copy``: the co-located block of ``previous`` (temporal concealment for clips); the first
    frame of a clip has no previous frame and falls back to interpolation.
    """
    check_rgb(frame, "frame")
    check_choice(method, "method", ("interpolate", "copy"))
    rows, cols = -(-frame.shape[0] // BLOCK), -(-frame.shape[1] // BLOCK)
    if mask.shape != (rows, cols):
        raise InputError(f"mask must have shape {(rows, cols)} for this frame, got {mask.shape}")
    out = frame.copy()
    if not mask.any():
        return out
    if method == "copy" and previous is not None:
        check_rgb(previous, "previous")
        if previous.shape != frame.shape:
            raise InputError(f"previous must have shape {frame.shape}, got {previous.shape}")
        pixels = np.repeat(np.repeat(mask, BLOCK, 0), BLOCK, 1)[: frame.shape[0], : frame.shape[1]]
        out[pixels] = previous[pixels]
        return out
    _interpolate_runs(out, mask)
    return out


def transmission_loss(
    frame: np.ndarray,
    rate: float,
    rng: np.random.Generator,
    pattern: str = "blocks",
    method: str = "interpolate",
    previous: np.ndarray | None = None,
) -> np.ndarray:
    """Lose macroblocks of ``frame`` at ``rate`` and conceal them (see :func:`conceal`)."""
    check_rgb(frame, "frame")
    return conceal(frame, loss_mask(frame.shape[:2], rate, rng, pattern), method, previous)
