from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crispcall.data import DataLeakError, ImageFolder, ImageReadError, check_no_overlap, find_images, load_rgb


def _write(path: Path, image: np.ndarray, fmt: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, format=fmt)
    return path


def test_find_images_is_recursive_and_filters(tmp_path, coffee):
    for name in ["a.png", "sub/b.jpg", "sub/deeper/c.webp", "d.bmp", "e.JPEG"]:
        _write(tmp_path / name, coffee)
    (tmp_path / "notes.txt").write_text("x")
    names = [p.name for p in find_images(tmp_path)]
    assert sorted(names) == ["a.png", "b.jpg", "c.webp", "d.bmp", "e.JPEG"]


def test_load_rgb_converts_grey_and_alpha(tmp_path):
    grey = _write(tmp_path / "g.png", np.full((10, 12), 90, np.uint8))
    rgba = np.zeros((10, 12, 4), np.uint8)
    rgba[..., 0] = 255  # red, fully transparent: flattened on white
    alpha = _write(tmp_path / "a.png", rgba)
    assert load_rgb(grey).shape == (10, 12, 3) and (load_rgb(grey) == 90).all()
    assert (load_rgb(alpha) == 255).all()


def test_unreadable_files_are_reported_and_skipped(tmp_path, coffee, caplog):
    _write(tmp_path / "good.png", coffee)
    (tmp_path / "broken.png").write_bytes(b"not an image at all")
    folder = ImageFolder.scan(tmp_path)
    loaded = list(folder)
    assert [p.name for p, _ in loaded] == ["good.png"]
    assert [p.name for p in folder.bad] == ["broken.png"]
    assert "broken.png" in caplog.text
    with pytest.raises(ImageReadError, match="not a readable image"):
        load_rgb(tmp_path / "broken.png")
    with pytest.raises(ImageReadError, match="no such file"):
        load_rgb(tmp_path / "missing.png")


def test_overlap_is_refused(tmp_path, coffee):
    test_dir, train_dir = tmp_path / "test", tmp_path / "train"
    _write(test_dir / "t.png", coffee)
    _write(train_dir / "x.png", coffee[::-1].copy())
    check_no_overlap([train_dir], [test_dir])
    with pytest.raises(DataLeakError, match="overlaps"):
        check_no_overlap([tmp_path], [test_dir])
    with pytest.raises(DataLeakError, match="overlaps"):
        check_no_overlap([test_dir / "."], [test_dir])
    _write(train_dir / "copy.png", coffee)  # same bytes as the test image
    (train_dir / "copy.png").write_bytes((test_dir / "t.png").read_bytes())
    with pytest.raises(DataLeakError, match="byte-identical"):
        check_no_overlap([train_dir], [test_dir])


def test_missing_root(tmp_path):
    with pytest.raises(FileNotFoundError):
        find_images(tmp_path / "nope")
