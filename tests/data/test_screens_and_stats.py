import numpy as np
import pytest
from PIL import Image

from crispcall.data import generate_screens, render_screen, source_stats
from crispcall.data.screens import KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_text(kind):
    image, text = render_screen(np.random.default_rng(0), kind, (1280, 720))
    assert image.shape == (720, 1280, 3) and image.dtype == np.uint8
    assert len(text.split()) > 5
    assert image.std() > 5  # not a blank canvas


def test_screens_vary_and_are_seeded():
    a, ta = render_screen(np.random.default_rng(1))
    b, tb = render_screen(np.random.default_rng(1))
    _c, tc = render_screen(np.random.default_rng(2))
    assert np.array_equal(a, b) and ta == tb
    assert ta != tc


def test_generate_writes_png_with_text(tmp_path):
    written = generate_screens(tmp_path, 3, seed=0, progress=False)
    assert len(written) == 3
    for png in written:
        assert png.with_suffix(".txt").read_text().strip()
        assert Image.open(png).size in ((1280, 720), (1920, 1080))
    assert not list(tmp_path.rglob(".*.partial*"))


def test_stats_count_unique_sources_by_category(tmp_path, coffee, astronaut):
    (tmp_path / "faces").mkdir()
    (tmp_path / "photos").mkdir()
    Image.fromarray(astronaut).save(tmp_path / "faces" / "f.png")
    Image.fromarray(coffee).save(tmp_path / "photos" / "p.png")
    (tmp_path / "photos" / "dup.png").write_bytes((tmp_path / "photos" / "p.png").read_bytes())
    generate_screens(tmp_path / "generated", 2, progress=False)
    stats = source_stats([tmp_path])
    assert stats == {"natural": 1, "faces": 1, "text/screens": 2, "total": 4}
