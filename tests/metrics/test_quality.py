import numpy as np
import pytest
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from crispcall.metrics import (
    chroma,
    chroma_psnr,
    edge_ratio,
    flicker,
    level_error,
    luma,
    luma_scores,
    psnr,
    psnr_ssim,
    sharpness,
    ssim,
)


def _noisy(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, sigma, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def test_luma_and_chroma_match_bt601():
    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    assert np.allclose(luma(rgb), rgb2ycbcr(rgb)[..., 0], atol=1e-9)
    assert np.allclose(chroma(rgb), rgb2ycbcr(rgb)[..., 1:], atol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_psnr_and_ssim_match_scikit_image_on_random_images(seed):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, 256, (64 + seed * 7, 80 + seed * 5, 3), dtype=np.uint8)
    output = _noisy(target, 5 + 10 * seed, seed)
    y_out, y_gt = luma(output)[4:-4, 4:-4], luma(target)[4:-4, 4:-4]
    expected_ssim = structural_similarity(
        y_out, y_gt, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255
    )
    assert ssim(output, target) == pytest.approx(expected_ssim, abs=1e-9)
    assert psnr(output, target) == pytest.approx(peak_signal_noise_ratio(y_gt, y_out, data_range=255), abs=1e-9)
    assert psnr_ssim(output, target) == (psnr(output, target), ssim(output, target))
    assert luma_scores(output, target) == (psnr(output, target), ssim(output, target), level_error(output, target))


def test_chroma_psnr_scores_colour_and_not_luma():
    rng = np.random.default_rng(1)
    target = rng.integers(40, 216, (48, 64, 3), dtype=np.uint8)
    cbcr = rgb2ycbcr(target)[4:-4, 4:-4, 1:]
    output = _noisy(target, 6, 1)
    expected = peak_signal_noise_ratio(cbcr, rgb2ycbcr(output)[4:-4, 4:-4, 1:], data_range=255)
    assert chroma_psnr(output, target) == pytest.approx(expected, abs=1e-9)
    assert chroma_psnr(target, target) == float("inf")
    # Grey added to every channel moves luma and leaves Cb and Cr where they were.
    brighter = (target + 10).astype(np.uint8)
    assert chroma_psnr(brighter, target) > 50 > psnr(brighter, target)


def test_identical_images():
    image = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    assert psnr(image, image) == float("inf")
    assert ssim(image, image) == pytest.approx(1.0)


def test_shape_mismatch_and_tiny_images_are_refused():
    a = np.zeros((40, 40, 3), np.uint8)
    with pytest.raises(ValueError, match="shape"):
        psnr(a, a[:30])
    with pytest.raises(ValueError, match="too small"):
        ssim(a[:12, :12], a[:12, :12])


def test_edge_ratio_sees_sharpening_and_blur(astronaut):
    import cv2

    blurred = cv2.GaussianBlur(astronaut, (0, 0), 2)
    assert edge_ratio(astronaut, blurred) > 1.3
    assert edge_ratio(blurred, astronaut) < 0.8
    assert edge_ratio(astronaut, astronaut) == pytest.approx(1.0)
    assert sharpness(np.full((20, 20, 3), 9, np.uint8)) == 0.0


def test_level_error_is_the_mean_luma_shift_inside_the_border():
    image = np.random.default_rng(0).integers(20, 236, (40, 40, 3), dtype=np.uint8)
    assert level_error(image, image) == 0.0
    grey = image + np.uint8(3)  # +3 on R, G and B is +3 * 219 / 255 on BT.601 Y
    assert level_error(grey, image) == pytest.approx(3 * 219 / 255)
    assert level_error(image, grey) == pytest.approx(-3 * 219 / 255)
    framed = image.copy()
    framed[:4] = 255  # the 4-pixel border is not scored
    assert level_error(framed, image) == 0.0
    # Errors both ways (rounded, not truncated as a cast would): their mean is far below their size.
    noise = np.rint(image + np.random.default_rng(1).normal(0, 4, image.shape)).astype(np.uint8)
    assert abs(level_error(noise, image)) < 0.2 < float(np.mean(np.abs(luma(noise) - luma(image))))


def test_flicker_is_zero_when_motion_matches_and_grows_with_jitter(astronaut):
    gt = [np.roll(astronaut, i, axis=1) for i in range(4)]
    assert flicker(gt, gt) == 0.0
    offset = [np.clip(g.astype(int) + 10, 0, 255).astype(np.uint8) for g in gt]
    assert flicker(offset, gt) < 0.5  # a constant bias does not flicker
    jitter = [_noisy(g, 4, i) for i, g in enumerate(gt)]
    assert flicker(jitter, gt) > 2.0
    with pytest.raises(ValueError, match="two frames"):
        flicker(gt[:1], gt[:1])
