import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from torch import nn  # noqa: E402

from crispcall.models.ensemble import TeacherEnsemble  # noqa: E402
from crispcall.models.io import build_teacher  # noqa: E402
from crispcall.models.upconv7 import UpConv7Teacher, UpConv7Upscaler  # noqa: E402


def test_output_is_the_mean_of_the_members():
    torch.manual_seed(0)
    members = [UpConv7Upscaler(), UpConv7Upscaler()]
    ensemble = TeacherEnsemble(members).eval()
    x = torch.rand(1, 3, 9, 11)
    with torch.no_grad():
        expected = (members[0](x) + members[1](x)) / 2
        assert torch.allclose(ensemble(x), expected, atol=1e-6)
    assert ensemble.scale == 2 and ensemble.size_multiple == 1


def test_members_must_agree_on_scale_and_be_two_or_more():
    with pytest.raises(ValueError, match="scale"):
        TeacherEnsemble([UpConv7Upscaler(), UpConv7Teacher()])
    with pytest.raises(ValueError, match="at least two"):
        TeacherEnsemble([UpConv7Upscaler()])


def test_ensemble_config_builds_its_members():
    teacher = build_teacher(kind="ensemble", members=[{"kind": "upconv7-x2"}, {"kind": "rlfn-s-x2"}])
    assert [type(m).__name__ for m in teacher.members] == ["UpConv7Upscaler", "RLFNUpscaler"]
    with pytest.raises(ValueError, match="members only"):
        build_teacher(kind="ensemble", members=[{"kind": "upconv7-x2"}] * 2, scale=2)
    assert isinstance(teacher.members, nn.ModuleList)
