import pytest

torch = pytest.importorskip("torch", reason="the test models are exported from PyTorch (train extra)")


@pytest.fixture(scope="session")
def student_net():
    """A small fused student with a non-trivial (random) correction."""
    from crispcall.models.student import Student

    torch.manual_seed(0)
    model = Student(channels=8, blocks=2)
    for p in model.tail.parameters():
        torch.nn.init.normal_(p, std=0.05)
    return model.fuse().eval()


@pytest.fixture(scope="session")
def student_onnx(student_net, tmp_path_factory):
    from crispcall.export.onnx import export_onnx

    return export_onnx(student_net, tmp_path_factory.mktemp("model") / "student.onnx")
