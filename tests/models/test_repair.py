import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.models.io import build_teacher  # noqa: E402
from crispcall.models.repair import ConcealmentRepair, Repaired  # noqa: E402
from crispcall.models.upconv7 import UpConv7Teacher, UpConv7Upscaler  # noqa: E402


def test_an_untrained_repair_passes_the_frame_through():
    torch.manual_seed(0)
    repair = ConcealmentRepair(channels=8).eval()
    x = torch.rand(2, 3, 32, 48)
    with torch.no_grad():
        assert torch.equal(repair(x), x)


def test_a_trained_repair_reaches_well_beyond_a_block():
    # A 16x16 concealed block is filled from context outside it: the output at a pixel must
    # depend on inputs more than 16 px away.
    torch.manual_seed(0)
    repair = ConcealmentRepair(channels=8)
    torch.nn.init.normal_(repair.tail.weight, std=0.1)
    x = torch.rand(1, 3, 64, 64, requires_grad=True)
    repair(x)[0, :, 32, 32].sum().backward()
    rows, cols = torch.nonzero(x.grad[0].abs().sum(0), as_tuple=True)
    assert rows.min() <= 32 - 20 and rows.max() >= 32 + 20 and cols.min() <= 32 - 20 and cols.max() >= 32 + 20


def test_repaired_runs_the_network_on_the_mended_frame():
    torch.manual_seed(0)
    network, repair = UpConv7Upscaler().eval(), ConcealmentRepair(channels=8).eval()
    torch.nn.init.normal_(repair.tail.weight, std=0.1)
    teacher = Repaired(network, repair)
    x = torch.rand(1, 3, 16, 32)
    with torch.no_grad():
        assert torch.allclose(teacher(x), network(repair(x)))
    assert teacher.scale == 2 and teacher.size_multiple == 16
    with pytest.raises(ValueError, match="must upscale"):
        Repaired(UpConv7Teacher(), repair)  # a same-size network sees the frame as played


def test_repaired_config_builds_both_parts():
    teacher = build_teacher(kind="repaired", network={"kind": "rlfn-s-x2"}, repair={"channels": 8})
    assert type(teacher.network).__name__ == "RLFNUpscaler" and teacher.repair.head.out_channels == 8
    with pytest.raises(ValueError, match="network and repair"):
        build_teacher(kind="repaired", network={"kind": "rlfn-s-x2"})


def test_its_cost_is_counted_on_the_frame_padded_to_whole_macroblocks():
    from crispcall.models.complexity import conv_macs

    repair = ConcealmentRepair(channels=8)
    # 1080 lines are not whole 16-line macroblocks: counted on 1088, as the runtime pads them.
    assert conv_macs(repair, 1080, 1920) == conv_macs(repair, 1088, 1920)
    assert conv_macs(repair, 1088, 1920) == 4 * conv_macs(repair, 544, 960, divisor=1)
