from pathlib import Path

import pytest

from crispcall import paths


def test_environment_variables_win(monkeypatch, tmp_path):
    for variable, function in [
        ("CRISPCALL_WEIGHTS", paths.weights_dir),
        ("CRISPCALL_DATA", paths.test_data_dir),
        ("CRISPCALL_TRAIN", paths.train_dir),
        ("CRISPCALL_PEERS", paths.peers_dir),
        ("CRISPCALL_CACHE", paths.cache_dir),
        ("CRISPCALL_ORT", paths.ort_dir),
    ]:
        monkeypatch.setenv(variable, str(tmp_path / variable))
        assert function() == tmp_path / variable


def test_checkout_defaults(monkeypatch):
    for variable in ("CRISPCALL_WEIGHTS", "CRISPCALL_ORT"):
        monkeypatch.delenv(variable, raising=False)
    root = paths.checkout_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert paths.weights_dir() == root / "weights" and paths.page_dir() == root / "web"
    assert all((paths.weights_dir() / name).is_file() for name in paths.SHIPPED_WEIGHTS)


def test_onnxruntime_web_falls_back_to_the_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("CRISPCALL_ORT", raising=False)
    monkeypatch.setenv("CRISPCALL_CACHE", str(tmp_path))
    page = tmp_path / "page"
    assert paths.ort_dir(page) == tmp_path / "web" / "node_modules" / "onnxruntime-web" / "dist"
    beside = page / "node_modules" / "onnxruntime-web" / "dist"
    beside.mkdir(parents=True)
    assert paths.ort_dir(page) == beside
    assert paths.ort_version(page) is None  # no package.json above the dist: not an npm package
    (beside.parent / "package.json").write_text('{"name": "onnxruntime-web", "version": "1.31.1"}')
    assert paths.ort_version(page) == "1.31.1"


def test_a_missing_chromium_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("CRISPCALL_CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(Path, "is_file", lambda self: False)
    with pytest.raises(FileNotFoundError, match="CRISPCALL_CHROMIUM"):
        paths.chromium_path()
