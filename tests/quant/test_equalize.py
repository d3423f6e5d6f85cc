import pytest

torch = pytest.importorskip("torch", reason="equalization needs the train extra")

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from crispcall.models.student import Student  # noqa: E402
from crispcall.quant import WEIGHT_QMAX  # noqa: E402
from crispcall.quant.equalize import activation_peaks, channel_scales, equalize_pair, equalize_tail  # noqa: E402


def _pair(seed: int = 0) -> tuple[nn.Conv2d, nn.Conv2d]:
    """A 3x3 conv to 8 channels and a 1x1 back to 4, where channels 0-1 carry large outgoing
    weights and 2-7 weights a hundred times smaller but large activations: the grown tail's
    shape (crispcall.quant.equalize)."""
    torch.manual_seed(seed)
    first, second = nn.Conv2d(4, 8, 3, padding=1), nn.Conv2d(8, 4, 1)
    with torch.no_grad():
        first.weight[:2] *= 0.1
        second.weight[:, 2:] *= 0.01
    return first, second


def _int8(first: nn.Conv2d, second: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """The pair as INT8 rounds it: the hidden tensor per tensor (uint8), the second's weights
    per output channel (7 bits)."""
    hidden = F.relu(first(x))
    step = hidden.max() / 255
    hidden = torch.round(hidden / step) * step
    rows = second.weight.abs().amax(dim=(1, 2, 3), keepdim=True) / WEIGHT_QMAX
    return F.conv2d(hidden, torch.round(second.weight / rows) * rows, second.bias)


def test_equalizing_a_pair_keeps_its_function_and_cuts_its_int8_error():
    first, second = _pair()
    x = torch.rand(4, 4, 16, 16)
    with torch.no_grad():
        expected = second(F.relu(first(x)))
        before = float((_int8(first, second, x) - expected).abs().mean())
        scales = equalize_pair(first, second, activation_peaks(nn.Sequential(first), first, [x]))
        after = float((_int8(first, second, x) - expected).abs().mean())
        torch.testing.assert_close(second(F.relu(first(x))), expected, atol=1e-5, rtol=1e-5)
    assert scales[2:].min() > scales[:2].max()  # the small-weight channels are scaled up
    assert after < 0.5 * before


def test_a_channel_that_never_fires_keeps_its_scale():
    weight = torch.ones(2, 3, 1, 1)
    scales = channel_scales(torch.tensor([2.0, 0.0, 1.0]), weight)
    assert scales[1] == 1 and scales[0] == 1 and scales[2] == pytest.approx(0.5**0.5)


def test_equalize_tail_keeps_the_students_output_and_leaves_a_plain_tail_alone():
    torch.manual_seed(0)
    inputs = [torch.rand(1, 3, 32, 32) for _ in range(2)]
    hidden = Student(channels=8, blocks=1, block="dense", tail_hidden=16).fuse()
    for conv in (hidden.tail, hidden.tail_out):
        nn.init.normal_(conv.weight, std=0.1)
    plain = Student(channels=8, blocks=1, block="dense").fuse()
    with torch.no_grad():
        expected, tail = hidden(inputs[0]), hidden.tail_out.weight.clone()
        equalize_tail(hidden, inputs)
        torch.testing.assert_close(hidden(inputs[0]), expected, atol=1e-5, rtol=1e-5)
        assert not torch.equal(hidden.tail_out.weight, tail)
        state = {k: v.clone() for k, v in plain.state_dict().items()}
        equalize_tail(plain, inputs)
        assert all(torch.equal(plain.state_dict()[k], v) for k, v in state.items())
