import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.errors import InputError  # noqa: E402
from crispcall.export.i420 import planes_student  # noqa: E402
from crispcall.models.student import Student  # noqa: E402


@pytest.mark.parametrize("config", [{"unshuffle": 4}, {"unshuffle": 8, "head_kernel": 1, "tail_hidden": 8}])
def test_planes_student_corrects_y_in_its_own_scale(config):
    """The folded copy's correction of Y - 16 is 219 x the student's of (Y - 16) / 219, plus 0.5."""
    torch.manual_seed(0)
    student = Student(channels=8, blocks=2, block="dense", rep=False, **config).eval()
    for conv in (student.head, student.last):
        torch.nn.init.normal_(conv.weight, std=0.1)
        torch.nn.init.normal_(conv.bias, std=0.1)
    y = torch.randint(0, 256, (1, 1, 32, 48)).float()
    with torch.no_grad():
        expected = student.correction((y - 16.0) / 219.0, "strided")[0] * 219.0 + 0.5
        got = planes_student(student).correction(y - 16.0, "strided")[0]
    assert torch.allclose(got, expected, atol=1e-3) and expected.abs().max() > 1.0


def test_planes_student_needs_a_fused_student():
    with pytest.raises(InputError, match="fuse"):
        planes_student(Student(channels=8, blocks=1))
