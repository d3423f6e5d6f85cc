"""Training and test data: image folders, patch pairs, the pair cache and screen content."""

from crispcall.data.cache import cache_paths, read_cache, read_caches, write_cache
from crispcall.data.folders import (
    DataLeakError,
    ImageFolder,
    ImageReadError,
    check_no_overlap,
    find_images,
    holdout_split,
    load_rgb,
)
from crispcall.data.patches import augment, iter_pairs, random_crop
from crispcall.data.screens import generate_screens, render_screen
from crispcall.data.stats import source_stats

__all__ = [
    "DataLeakError",
    "ImageFolder",
    "ImageReadError",
    "augment",
    "cache_paths",
    "check_no_overlap",
    "find_images",
    "generate_screens",
    "holdout_split",
    "iter_pairs",
    "load_rgb",
    "random_crop",
    "read_cache",
    "read_caches",
    "render_screen",
    "source_stats",
    "write_cache",
]
