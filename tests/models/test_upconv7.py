import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

import torch.nn.functional as F  # noqa: E402

from crispcall.models.upconv7 import UpConv7, UpConv7Teacher, UpConv7Upscaler, read_ncnn_upconv7  # noqa: E402


def test_port_reproduces_ncnn(upconv7_ncnn):
    ncnn = pytest.importorskip("ncnn")
    bin_path, param_path = upconv7_ncnn
    image = np.random.default_rng(1).random((3, 20 + 14, 26 + 14), dtype=np.float32)
    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    assert net.load_param(str(param_path)) == 0 and net.load_model(str(bin_path)) == 0
    extractor = net.create_extractor()
    extractor.input("Input1", ncnn.Mat(image))
    _status, out = extractor.extract("Eltwise4")
    expected = np.asarray(out)

    model = UpConv7().eval()
    model.load_state_dict(read_ncnn_upconv7(bin_path))
    with torch.no_grad():
        got = model(torch.from_numpy(image)[None])[0].numpy()
    assert got.shape == expected.shape == (3, 40, 52)
    assert np.abs(got - expected).max() < 1e-3


@pytest.fixture
def published(upconv7_ncnn) -> tuple[dict, UpConv7]:
    """The ncnn file's weights and the published network holding them."""
    state = read_ncnn_upconv7(upconv7_ncnn[0])
    peer = UpConv7().eval()
    peer.load_state_dict(state)
    return state, peer


def test_teacher_starts_as_area_downscale_then_upconv7(published):
    state, peer = published
    teacher = UpConv7Teacher().load_upconv7(state).eval()
    frame = torch.rand(2, 3, 24, 36)
    with torch.no_grad():
        low = F.pad(F.avg_pool2d(frame, 2), (7,) * 4, mode="replicate")
        expected = peer(low)
        out, features = teacher.forward_features(frame)
    assert out.shape == frame.shape
    assert torch.allclose(out, expected, atol=1e-5)
    assert [name for name, _ in features] == [f"conv{i}" for i in range(1, 7)]
    assert features[-1][1].shape[1] == teacher.feature_channels


def test_upscaler_is_the_published_network_on_the_received_frame(published):
    state, peer = published
    upscaler = UpConv7Upscaler().load_upconv7(state).eval()
    low = torch.rand(1, 3, 12, 18)
    with torch.no_grad():
        expected = peer(F.pad(low, (7,) * 4, mode="replicate"))
        out = upscaler(low)
    assert out.shape == (1, 3, 24, 36) and upscaler.scale == 2
    assert torch.equal(out, expected)


def test_truncated_or_foreign_files_are_refused(upconv7_ncnn, tmp_path):
    raw = upconv7_ncnn[0].read_bytes()
    (tmp_path / "short.bin").write_bytes(raw[:-100])
    with pytest.raises(ValueError, match="truncated"):
        read_ncnn_upconv7(tmp_path / "short.bin")
    (tmp_path / "long.bin").write_bytes(raw + b"\0" * 8)
    with pytest.raises(ValueError, match="left over"):
        read_ncnn_upconv7(tmp_path / "long.bin")
    (tmp_path / "tag.bin").write_bytes(b"\0\0\0\0" + raw[4:])
    with pytest.raises(ValueError, match="float16"):
        read_ncnn_upconv7(tmp_path / "tag.bin")


def test_macs_count_the_transposed_convolution():
    from crispcall.models.complexity import conv_macs

    model = UpConv7()
    side = 8 + 14  # an 8 x 8 low-resolution frame with its context
    sides = [side - 2 * i for i in range(1, 7)]
    widths = list(zip((3, 16, 32, 64, 128, 128), (16, 32, 64, 128, 128, 256), strict=True))
    expected = sum(s * s * a * b * 9 for s, (a, b) in zip(sides, widths, strict=True)) + sides[-1] ** 2 * 256 * 3 * 16
    assert conv_macs(model, side, side, divisor=1) == expected
