"""The package as a user installs it: a wheel in a fresh virtual environment, outside any checkout."""

from __future__ import annotations

import json
import re
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from PIL import Image
from setuptools import find_packages

from crispcall.paths import SHIPPED_WEIGHTS, checkout_root
from tests.runtime.test_video import probe, write_clip

ROOT = checkout_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs the checkout the wheel is built from")


def test_every_code_package_is_in_the_wheel():
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert set(find_packages(str(ROOT / "src"))) <= set(listed)


def test_the_wheel_ships_the_weights_the_runtime_looks_for():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert sorted(data["crispcall.weights"]) == sorted(SHIPPED_WEIGHTS)


def _read_lock(path: Path) -> tuple[dict[str, Version], set[str]]:
    """A uv lock's pins, and the names pyproject.toml asks for directly (``# via crispcall``)."""
    pins, direct = {}, set()
    for block in re.split(r"\n(?=\S)", path.read_text()):
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        if match:
            name = canonicalize_name(match[1])
            pins[name] = Version(match[2])
            if "crispcall (pyproject.toml)" in block:
                direct.add(name)
    return pins, direct


@pytest.mark.parametrize("lock, extras", [("demo.txt", ["demo"]), ("dev.txt", None)])
def test_the_locks_agree_with_pyproject(lock, extras):
    """Every requirement of pyproject.toml is locked at a version it allows, and nothing else is
    locked as a direct requirement: after any change of dependencies, run ``make lock``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    optional = project["project"]["optional-dependencies"]
    wanted = [*project["project"]["dependencies"], *(d for e in (extras or optional) for d in optional[e])]
    pins, direct = _read_lock(ROOT / "requirements" / lock)
    requirements = [Requirement(text) for text in [*wanted, *project["build-system"]["requires"]]]
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements/{lock}: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]}: run make lock"
    assert direct == {canonicalize_name(Requirement(text).name) for text in wanted}, "run make lock"


def test_native_onnx_runtime_is_the_pages_version():
    """The page's parity tests compare onnxruntime-web with the Python ONNX Runtime of the lock."""
    page = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]["onnxruntime-web"]
    for lock in ("demo.txt", "dev.txt"):
        assert _read_lock(ROOT / "requirements" / lock)[0]["onnxruntime"] == Version(page)


def _source_copy(folder: Path) -> Path:
    """What the wheel is built from, copied so the build leaves nothing in the checkout."""
    folder.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "node_modules")
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        shutil.copy2(ROOT / name, folder / name)
    for name in ("src", "web"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignore)
    (folder / "weights").mkdir()
    for name in SHIPPED_WEIGHTS:
        shutil.copy2(ROOT / "weights" / name, folder / "weights" / name)
    return folder


def test_the_installed_wheel_sharpens_an_image_and_a_video(tmp_path, astronaut):
    source = _source_copy(tmp_path / "source")
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source)],
        cwd=tmp_path,
        **run,
    )
    (wheel,) = tmp_path.glob("crispcall-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], **run)
    subprocess.run([venv / "bin" / "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], **run)
    # The dependencies come from this environment, placed after the venv's own site-packages,
    # so crispcall itself can only be the installed wheel.
    (site_packages,) = venv.glob("lib/python*/site-packages")
    (site_packages / "dependencies.pth").write_text(site.getsitepackages()[0] + "\n")

    work = tmp_path / "work"  # no checkout, no ../shared
    work.mkdir()
    Image.fromarray(astronaut).save(work / "face.png")
    write_clip(work / "clip.mp4", frames=8)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    where = subprocess.run(
        [
            venv / "bin" / "python",
            "-c",
            "import crispcall.paths as p; print(p.__file__, p.weights_dir(), p.page_dir())",
        ],
        cwd=work,
        env=env,
        **run,
    ).stdout.split()
    assert all(Path(path).is_relative_to(site_packages) for path in where), where
    assert (Path(where[2]) / "index.html").is_file()

    subprocess.run(
        [venv / "bin" / "crispcall", "image", "face.png", "-o", "sharp", "--quiet"], cwd=work, env=env, **run
    )
    sharpened = np.asarray(Image.open(work / "sharp" / "face.png"))
    assert sharpened.shape == astronaut.shape and not np.array_equal(sharpened, astronaut)
    for model in ("student", "student-int8", "student-int8-avx2"):
        out = f"sharp-{model}.mp4"
        command = [venv / "bin" / "crispcall", "video", "clip.mp4", out, "--model", model, "--quiet"]
        subprocess.run(command, cwd=work, env=env, **run)
        assert probe(work / out)["frames"] == 8
