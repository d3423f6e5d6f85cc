import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.data.scene import synthetic_frame  # noqa: E402
from crispcall.export.luma import export_luma  # noqa: E402
from crispcall.export.onnx import export_onnx  # noqa: E402
from crispcall.models.student import Student  # noqa: E402
from crispcall.runtime import Sharpener  # noqa: E402
from crispcall.runtime.backends import onnx_metadata  # noqa: E402
from crispcall.runtime.luma import luma_twin  # noqa: E402


@pytest.fixture
def hidden_tail_net():
    """A small fused student whose correction comes from a hidden tail layer (``tail_hidden``)."""
    torch.manual_seed(0)
    model = Student(channels=8, blocks=2, tail_hidden=24)
    for p in model.tail_out.parameters():
        torch.nn.init.normal_(p, std=0.01)
    return model.fuse().eval()


@pytest.mark.parametrize("net", ["student_net", "hidden_tail_net"])
def test_the_luma_graph_is_the_frame_graph_with_the_colour_work_outside(net, request, tmp_path):
    student_net = request.getfixturevalue(net)
    frame_graph = export_onnx(student_net, tmp_path / "student.onnx")
    twin = export_luma(student_net, luma_twin(frame_graph))
    assert onnx_metadata(twin) == onnx_metadata(frame_graph)  # multiple, radius, MACs
    frame = synthetic_frame(96, 64)
    got, expected = Sharpener(frame_graph, threads=1)(frame), Sharpener(frame_graph, threads=1, luma=False)(frame)
    assert not np.array_equal(got, frame)
    assert np.mean(np.abs(got.astype(int) - expected) <= 1) >= 0.99


def test_the_luma_graph_keeps_the_trained_network_unchanged(student_net, tmp_path):
    """The scales folded into the copy's head and last convolution leave the caller's network
    as it was."""
    before = {k: v.clone() for k, v in student_net.state_dict().items()}
    export_luma(student_net, tmp_path / "x-luma.onnx", to_quantize=True)
    assert all(torch.equal(before[k], v) for k, v in student_net.state_dict().items())


def test_only_a_luma_student_has_a_luma_graph(tmp_path):
    with pytest.raises(ValueError, match="luma student"):
        export_luma(Student(channels=4, blocks=1, color="rgb").fuse(), tmp_path / "x.onnx")
    assert not (tmp_path / "x.onnx").exists()
