import numpy as np
import pytest

from crispcall.degrade import (
    downscale,
    gaussian_blur,
    gaussian_noise,
    jpeg,
    motion_blur,
    poisson_noise,
    resize,
)
from crispcall.degrade.ops import INTERPOLATIONS, motion_kernel
from crispcall.metrics import psnr, sharpness


@pytest.mark.parametrize("kernel", sorted(INTERPOLATIONS))
def test_resize_kernels_give_requested_size(astronaut, kernel):
    out = resize(astronaut, (100, 60), kernel)
    assert out.shape == (60, 100, 3) and out.dtype == np.uint8


def test_downscale_rounds_sides(astronaut):
    assert downscale(astronaut, 2.5).shape == (101, 101, 3)


def test_blurs_remove_detail(astronaut):
    base = sharpness(astronaut)
    assert sharpness(gaussian_blur(astronaut, 1.5)) < 0.7 * base
    assert sharpness(motion_blur(astronaut, 9, 30.0)) < 0.8 * base


def test_motion_kernel_is_normalised_line():
    kernel = motion_kernel(7, 0.0)
    assert kernel.shape == (7, 7)
    assert np.isclose(kernel.sum(), 1.0)
    assert np.count_nonzero(kernel[3]) == 7 and np.count_nonzero(kernel) == 7


def test_noise_is_seeded_and_damages(astronaut):
    a = gaussian_noise(astronaut, 5.0, np.random.default_rng(1))
    b = gaussian_noise(astronaut, 5.0, np.random.default_rng(1))
    c = gaussian_noise(astronaut, 5.0, np.random.default_rng(2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert 30 < psnr(a, astronaut) < 40
    assert psnr(poisson_noise(astronaut, 30.0, np.random.default_rng(0)), astronaut) < psnr(
        poisson_noise(astronaut, 1000.0, np.random.default_rng(0)), astronaut
    )


def test_jpeg_quality_orders_damage(astronaut):
    assert psnr(jpeg(astronaut, 20), astronaut) < psnr(jpeg(astronaut, 90), astronaut)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda img: gaussian_blur(img, -1.0), "sigma"),
        (lambda img: jpeg(img, 0), "quality"),
        (lambda img: resize(img, (10, 10), "magic"), "kernel"),
        (lambda img: downscale(img, 0.5), "scale"),
        (lambda img: motion_blur(img, 0, 0.0), "length"),
    ],
)
def test_bad_parameters_name_themselves(astronaut, call, param):
    with pytest.raises(ValueError, match=param):
        call(astronaut)


@pytest.mark.parametrize(
    "image",
    [np.zeros((8, 8, 3), np.float32), np.zeros((8, 8), np.uint8), np.zeros((8, 8, 4), np.uint8), [[1, 2]]],
)
def test_wrong_dtype_or_shape_is_refused(image):
    with pytest.raises(ValueError, match="image"):
        gaussian_blur(image, 1.0)
