import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.export.onnx import export_onnx  # noqa: E402
from crispcall.methods import available_methods, create_method  # noqa: E402
from crispcall.methods.base import MethodUnavailable  # noqa: E402
from crispcall.models.teacher import Teacher  # noqa: E402
from crispcall.train.loop import restore_frame  # noqa: E402


def test_teacher_export_matches_pytorch_through_the_registry(tmp_path, monkeypatch, coffee):
    torch.manual_seed(0)
    model = Teacher(channels=8, blocks=2).eval()
    for p in model.tail.parameters():  # a non-trivial correction so the check means something
        torch.nn.init.normal_(p, std=0.05)
    export_onnx(model, tmp_path / "teacher.onnx")
    monkeypatch.setenv("CRISPCALL_WEIGHTS", str(tmp_path))
    assert "teacher" in available_methods()
    method = create_method("teacher", threads=1)
    frame = np.ascontiguousarray(coffee[:101, :77])  # odd sides
    got = method.run(frame)
    expected = restore_frame(model, frame, torch.device("cpu"))
    assert got.shape == frame.shape
    assert np.mean(np.abs(got.astype(int) - expected.astype(int)) <= 1) >= 0.99
    assert not np.array_equal(got, frame)


def test_missing_weights_say_where(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISPCALL_WEIGHTS", str(tmp_path))
    assert "teacher" not in available_methods()
    with pytest.raises(MethodUnavailable, match=r"teacher\.onnx"):
        create_method("teacher")
