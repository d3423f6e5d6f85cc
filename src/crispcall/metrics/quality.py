"""Quality metrics of BENCHMARK.md: PSNR and SSIM on luma, edge ratio, temporal stability."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np

from crispcall.degrade.checks import check_rgb
from crispcall.errors import InputError

BORDER = 4
SSIM_SIGMA = 1.5
SSIM_WINDOW = 11  # skimage: 2 * int(truncate 3.5 * sigma 1.5 + 0.5) + 1
SSIM_C1 = (0.01 * 255) ** 2
SSIM_C2 = (0.03 * 255) ** 2


def luma(image: np.ndarray) -> np.ndarray:
    """BT.601 Y on the 0-255 scale (16-235 for the full RGB range) as float64."""
    check_rgb(image)
    rgb = image.astype(np.float64)
    return 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0


def chroma(image: np.ndarray) -> np.ndarray:
    """BT.601 Cb and Cr (H x W x 2) on the scale of :func:`luma` (16-240) as float64."""
    check_rgb(image)
    rgb = image.astype(np.float64)
    cb = 128.0 + (-37.797 * rgb[..., 0] - 74.203 * rgb[..., 1] + 112.0 * rgb[..., 2]) / 255.0
    cr = 128.0 + (112.0 * rgb[..., 0] - 93.786 * rgb[..., 1] - 18.214 * rgb[..., 2]) / 255.0
    return np.stack([cb, cr], axis=-1)


def _crop(y: np.ndarray, border: int) -> np.ndarray:
    return y[border:-border, border:-border] if border else y


def _pair(
    output: np.ndarray, target: np.ndarray, border: int, plane: Callable[[np.ndarray], np.ndarray] = luma
) -> tuple[np.ndarray, np.ndarray]:
    """The two images checked, converted by ``plane`` (:func:`luma` or :func:`chroma`) and cropped."""
    check_rgb(output, "output")
    check_rgb(target, "target")
    if output.shape != target.shape:
        raise InputError(f"output shape {output.shape} differs from target shape {target.shape}")
    if min(output.shape[:2]) <= 2 * border + SSIM_WINDOW:
        raise InputError(f"images of size {output.shape[:2]} are too small to score")
    return _crop(plane(output), border), _crop(plane(target), border)


def _plane_psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def _ssim_y(a: np.ndarray, b: np.ndarray) -> float:
    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (SSIM_WINDOW, SSIM_WINDOW), SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a * mu_a
    var_b = blur(b * b) - mu_b * mu_b
    cov = blur(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + SSIM_C1) * (2 * cov + SSIM_C2)
    den = (mu_a**2 + mu_b**2 + SSIM_C1) * (var_a + var_b + SSIM_C2)
    pad = (SSIM_WINDOW - 1) // 2  # skimage averages only where the window fits inside
    return float(np.mean((num / den)[pad:-pad, pad:-pad]))


def psnr(output: np.ndarray, target: np.ndarray, border: int = BORDER) -> float:
    """PSNR in dB on Y, ``border`` pixels cropped; identical images give ``inf``."""
    return _plane_psnr(*_pair(output, target, border))


def chroma_psnr(output: np.ndarray, target: np.ndarray, border: int = BORDER) -> float:
    """PSNR in dB over :func:`chroma` (Cb and Cr together), ``border`` pixels cropped: the colour
    that PSNR on Y does not score, to watch a network trained on the luma error (``loss.luma``)."""
    return _plane_psnr(*_pair(output, target, border, chroma))


def ssim(output: np.ndarray, target: np.ndarray, border: int = BORDER) -> float:
    """SSIM on Y (Wang et al. 2004), equal to scikit-image's with ``gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=255``; ``border`` pixels cropped first.
    """
    return _ssim_y(*_pair(output, target, border))


def level_error(output: np.ndarray, target: np.ndarray, border: int = BORDER) -> float:
    """Mean of the output's Y minus the target's, in levels of 255, ``border`` pixels cropped:
    a shift of the whole frame, which PSNR counts and SSIM and the edge ratio hardly see (PyAV's
    yuv420p-to-RGB conversion, which the presets used until session 37, darkened Y by about 1)."""
    return _level_y(*_pair(output, target, border))


def _level_y(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a - b))


def agreement_psnr(outputs: Sequence[np.ndarray], references: Sequence[np.ndarray]) -> float:
    """PSNR over every RGB value of every pair, no border cropped: how closely one model
    file reproduces another (an export against PyTorch, INT8 against FP32)."""
    if len(outputs) != len(references) or not outputs:
        raise InputError("need the same, non-zero number of outputs and references")
    mse = np.mean([np.mean((a.astype(np.float64) - b) ** 2) for a, b in zip(outputs, references, strict=True)])
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def share_within(got: np.ndarray, expected: np.ndarray, levels: int = 1) -> float:
    """Share of values of two uint8 arrays (frames, planes) that differ by at most ``levels``."""
    if got.shape != expected.shape:
        raise InputError(f"shapes differ: {got.shape} against {expected.shape}")
    return float(np.mean(np.abs(got.astype(np.int16) - expected.astype(np.int16)) <= levels))


def luma_scores(output: np.ndarray, target: np.ndarray, border: int = BORDER) -> tuple[float, float, float]:
    """:func:`psnr`, :func:`ssim` and :func:`level_error` together, converting each image to
    luma once."""
    a, b = _pair(output, target, border)
    return _plane_psnr(a, b), _ssim_y(a, b), _level_y(a, b)


def psnr_ssim(output: np.ndarray, target: np.ndarray, border: int = BORDER) -> tuple[float, float]:
    """:func:`psnr` and :func:`ssim` together, converting each image to luma once."""
    return luma_scores(output, target, border)[:2]


def sharpness(image: np.ndarray) -> float:
    """Mean Sobel gradient magnitude of Y."""
    y = luma(image)
    gx = cv2.Sobel(y, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_64F, 0, 1, ksize=3)
    return float(np.mean(np.sqrt(gx * gx + gy * gy)))


def sharpness_ratio(image: np.ndarray, base: float) -> float:
    """Sharpness of ``image`` over a reference sharpness ``base`` (NaN when ``base`` is 0);
    callers that compare many images with one reference compute ``base`` once."""
    return float("nan") if base == 0 else sharpness(image) / base


def edge_ratio(output: np.ndarray, degraded: np.ndarray) -> float:
    """Sharpness of ``output`` over that of the ``degraded`` input it was made from."""
    return sharpness_ratio(output, sharpness(degraded))


class FlickerMeter:
    """Temporal instability frame by frame, for streams too long to hold: after each
    :meth:`update` with an output frame and its clean target, :attr:`value` is the mean over
    t of mean |(out[t]-out[t-1]) - (gt[t]-gt[t-1])| on Y (BENCHMARK.md)."""

    def __init__(self) -> None:
        self.steps, self.total = 0, 0.0
        self._previous: tuple[np.ndarray, np.ndarray] | None = None

    def update(self, output: np.ndarray, target: np.ndarray) -> None:
        out_y, gt_y = luma(output), luma(target)
        if self._previous is not None:
            self.total += float(np.mean(np.abs((out_y - self._previous[0]) - (gt_y - self._previous[1]))))
            self.steps += 1
        self._previous = (out_y, gt_y)

    @property
    def value(self) -> float:
        if not self.steps:
            raise InputError("flicker needs at least two frames")
        return self.total / self.steps


def flicker(outputs: Sequence[np.ndarray], targets: Sequence[np.ndarray]) -> float:
    """Temporal instability: mean over t of mean |(out[t]-out[t-1]) - (gt[t]-gt[t-1])| on Y."""
    if len(outputs) != len(targets):
        raise InputError(f"{len(outputs)} outputs for {len(targets)} targets")
    meter = FlickerMeter()
    for output, target in zip(outputs, targets, strict=True):
        meter.update(output, target)
    return meter.value
