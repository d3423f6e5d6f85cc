"""Shared fixtures: small test images made here or shipped by scikit-image."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """A 252x252 face crop (a multiple of 12, as the benchmark crops)."""
    return np.ascontiguousarray(data.astronaut()[0:252, 130:382])


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    return np.ascontiguousarray(data.coffee()[:192, :288])


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
