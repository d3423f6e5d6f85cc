import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.export.onnx import export_onnx  # noqa: E402
from crispcall.methods import available_methods, create_method  # noqa: E402
from crispcall.methods.base import MethodUnavailable  # noqa: E402
from crispcall.models.student import Student  # noqa: E402
from crispcall.models.teacher import Teacher  # noqa: E402
from crispcall.train.loop import restore_frame  # noqa: E402


@pytest.mark.parametrize("name", ["teacher", "student"])
def test_export_matches_pytorch_through_the_registry(name, tmp_path, monkeypatch, coffee):
    torch.manual_seed(0)
    model = Teacher(channels=8, blocks=2) if name == "teacher" else Student(channels=8, blocks=2)
    for p in model.tail.parameters():  # a non-trivial correction so the check means something
        torch.nn.init.normal_(p, std=0.05)
    if name == "student":
        model.fuse()
    export_onnx(model.eval(), tmp_path / f"{name}.onnx")
    monkeypatch.setenv("CRISPCALL_WEIGHTS", str(tmp_path))
    assert name in available_methods()
    frame = np.ascontiguousarray(coffee[:101, :77])  # odd sides
    expected = restore_frame(model, frame, torch.device("cpu"))
    for method in (create_method(name, threads=1), create_method(str(tmp_path / f"{name}.onnx"), threads=1)):
        got = method.run(frame)
        assert method.name == name and got.shape == frame.shape
        # Away from the padded bottom/right edges the file and PyTorch agree to 1/255.
        close = np.abs(got.astype(int) - expected.astype(int))[:-8, :-8] <= 1
        assert np.mean(close) >= 0.99
        assert not np.array_equal(got, frame)


def test_missing_weights_say_where(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISPCALL_WEIGHTS", str(tmp_path))
    assert "teacher" not in available_methods()
    with pytest.raises(MethodUnavailable, match=r"teacher\.onnx"):
        create_method("teacher")


def test_generic_wrapper_and_frame_graph_agree(student_net, tmp_path, coffee):
    from crispcall.runtime import Sharpener

    frame_graph = export_onnx(student_net, tmp_path / "frame.onnx")
    generic = export_onnx(student_net, tmp_path / "generic.onnx", generic=True)
    frame = np.ascontiguousarray(coffee[:64, :96])
    a, b = Sharpener(frame_graph, threads=1)(frame), Sharpener(generic, threads=1)(frame)
    assert np.mean(np.abs(a.astype(int) - b) <= 1) >= 0.999
