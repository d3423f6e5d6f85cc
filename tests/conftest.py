"""Shared fixtures: small test images made here or shipped by scikit-image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage import data


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        type=Path,
        default=None,
        help="also keep the browser tests' screenshots in this folder (docs/web for the docs' copies)",
    )


@pytest.fixture
def screenshot_dir(request, tmp_path) -> Path:
    """Where a test saves its screenshots: --screenshots when given, else the test's tmp_path."""
    folder = request.config.getoption("--screenshots") or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


@pytest.fixture
def student_config(tmp_path, astronaut, coffee):
    """Writes a tiny student config (8 channels, 2 blocks, 3 steps) on a 16-pair cache of
    generated images, with a random 8-channel teacher; call it with the distill section."""
    torch = pytest.importorskip("torch", reason="training needs the train extra")
    import yaml
    from PIL import Image

    from crispcall.data import write_cache
    from crispcall.models.teacher import Teacher

    images = tmp_path / "train"
    images.mkdir()
    for i, image in enumerate([astronaut, coffee, astronaut[::-1], coffee[:, ::-1]]):
        Image.fromarray(np.ascontiguousarray(image)).save(images / f"img_{i}.png")
    cache = write_cache([images], tmp_path / "pairs.npz", count=16, patch_size=32, holdout_every=2, progress=False)
    teacher = Teacher(channels=8, blocks=2)
    teacher_path = tmp_path / "teacher.pt"
    torch.save(
        {"arch": "teacher", "model": teacher.state_dict(), "config": {"model": {"channels": 8, "blocks": 2}}},
        teacher_path,
    )

    def write(distill: dict) -> str:
        config = {
            "model": {"channels": 8, "blocks": 2},
            "data": {"cache": str(cache), "roots": [str(images)], "holdout_every": 2, "val_images": 1, "val_crop": 48},
            "train": {"steps": 3, "batch_size": 4, "val_every": 3, "checkpoint_every": 3, "warmup_steps": 1},
            "loss": {"l1": 1.0},
            "distill": {"teacher": str(teacher_path), **distill},
        }
        path = tmp_path / f"student-{len(distill)}.yaml"
        path.write_text(yaml.safe_dump(config))
        return str(path)

    return write


@pytest.fixture(scope="session")
def student_net():
    """A small fused student with a non-trivial (random) correction."""
    torch = pytest.importorskip("torch", reason="the test models are exported from PyTorch (train extra)")
    from crispcall.models.student import Student

    torch.manual_seed(0)
    model = Student(channels=8, blocks=2)
    for p in model.tail.parameters():  # corrections of a few grey levels, as a trained student makes
        torch.nn.init.normal_(p, std=0.01)
    return model.fuse().eval()


@pytest.fixture(scope="session")
def student_onnx(student_net, tmp_path_factory):
    """``student_net`` exported to ONNX."""
    from crispcall.export.onnx import export_onnx

    return export_onnx(student_net, tmp_path_factory.mktemp("model") / "student.onnx")
