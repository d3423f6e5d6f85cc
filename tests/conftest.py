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
def train_images(tmp_path, astronaut, coffee) -> Path:
    """A training folder of four images: the two above, and each flipped."""
    from PIL import Image

    images = tmp_path / "train"
    images.mkdir()
    for i, image in enumerate([astronaut, coffee, astronaut[::-1], coffee[:, ::-1]]):
        Image.fromarray(np.ascontiguousarray(image)).save(images / f"img_{i}.png")
    return images


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def student_config(tmp_path, train_images):
    """Writes a tiny student config (8 channels, 2 blocks, 3 steps) on a 16-pair cache of
    generated images, with a random 8-channel teacher; call it with the distill section."""
    torch = pytest.importorskip("torch", reason="training needs the train extra")
    import yaml

    from crispcall.data import write_cache
    from crispcall.models.teacher import Teacher

    cache = write_cache(
        [train_images], tmp_path / "pairs.npz", count=16, patch_size=32, holdout_every=2, progress=False
    )
    teacher = Teacher(channels=8, blocks=2)
    teacher_path = tmp_path / "teacher.pt"
    torch.save(
        {"arch": "teacher", "model": teacher.state_dict(), "config": {"model": {"channels": 8, "blocks": 2}}},
        teacher_path,
    )

    def write(distill: dict) -> str:
        config = {
            "model": {"channels": 8, "blocks": 2},
            "data": {
                "cache": str(cache),
                "roots": [str(train_images)],
                "holdout_every": 2,
                "val_images": 1,
                "val_crop": 48,
            },
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


# waifu2x-ncnn-vulkan's upconv_7 .param (the same text as shared/peers/waifu2x/scale2.0x_model.param)
UPCONV7_PARAM = """7767517
8 8
Input input 0 1 Input1 0=156 1=156 2=3
Convolution conv1_layer 1 1 Input1 c1 0=16 1=3 5=1 6=432 9=2 -23310=1,0.100000
Convolution conv2_layer 1 1 c1 c2 0=32 1=3 5=1 6=4608 9=2 -23310=1,0.100000
Convolution conv3_layer 1 1 c2 c3 0=64 1=3 5=1 6=18432 9=2 -23310=1,0.100000
Convolution conv4_layer 1 1 c3 c4 0=128 1=3 5=1 6=73728 9=2 -23310=1,0.100000
Convolution conv5_layer 1 1 c4 c5 0=128 1=3 5=1 6=147456 9=2 -23310=1,0.100000
Convolution conv6_layer 1 1 c5 c6 0=256 1=3 5=1 6=294912 9=2 -23310=1,0.100000
Deconvolution conv7_layer 1 1 c6 Eltwise4 0=3 1=4 3=2 4=3 5=1 6=12288
"""
UPCONV7_SHAPES = [(16, 3, 3), (32, 16, 3), (64, 32, 3), (128, 64, 3), (128, 128, 3), (256, 128, 3), (3, 256, 4)]


@pytest.fixture(scope="session")
def upconv7_ncnn(tmp_path_factory) -> tuple[Path, Path]:
    """Random waifu2x upconv_7 weights written as ncnn writes them (float16 behind a tag, float32
    biases), and the network's .param: (bin, param)."""
    from crispcall.models.upconv7 import NCNN_FP16_TAG

    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("upconv7")
    chunks = []
    for out_channels, in_channels, kernel in UPCONV7_SHAPES:
        fan_in = in_channels * kernel * kernel
        weight = rng.normal(0, (2 / fan_in) ** 0.5, out_channels * fan_in).astype(np.float16)
        chunks += [np.uint32(NCNN_FP16_TAG).tobytes(), weight.tobytes()]
        chunks.append(rng.normal(0, 0.05, out_channels).astype(np.float32).tobytes())
    (folder / "model.bin").write_bytes(b"".join(chunks))
    (folder / "model.param").write_text(UPCONV7_PARAM)
    return folder / "model.bin", folder / "model.param"
