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


def test_the_i420_graph_is_the_frame_graph_on_what_a_player_shows(tmp_path):
    """The shipped student as the browser runs it: I420 planes at the received size in, I420 at
    twice that out, equal to the RGB frame graph on the player's upscale (taken to I420)."""
    import onnxruntime as ort

    from crispcall.data.scene import synthetic_frame
    from crispcall.degrade.yuv import i420_planes, planes_to_rgb, rgb_to_i420, upscale_planes
    from crispcall.export.i420 import export_i420
    from crispcall.metrics.quality import share_within
    from crispcall.models.io import load_network
    from crispcall.paths import weights_dir
    from crispcall.runtime.backends import onnx_metadata
    from crispcall.runtime.i420 import i420_feeds
    from crispcall.runtime.sharpener import Sharpener

    path = export_i420(load_network(weights_dir() / "student.pt").fuse(), tmp_path / "student-i420.onnx")
    assert onnx_metadata(path)["crispcall.size_multiple"] == "4"
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for width, height in [(320, 180), (482, 270)]:  # an odd chroma side too
        frame = synthetic_frame(width, height)
        planes = i420_planes(rgb_to_i420(frame), width, height)
        display = (720, 1280)
        got = session.run(None, i420_feeds(*planes, display))[0]
        shown = planes_to_rgb(*upscale_planes(*planes, display))
        expected = rgb_to_i420(Sharpener(weights_dir() / "student.onnx")(shown))
        assert got.size == expected.size and share_within(got, expected, levels=2) >= 0.99


def test_a_self_ensembled_export_is_the_mean_of_the_eight_symmetries(tmp_path, coffee):
    """``crispcall export --self-ensemble``: the written graph runs the network on the 8 flips and
    rotations of the frame and averages them (as PyTorch's :class:`SelfEnsemble`), not the plain
    network; the INT8 and I420 graphs refuse it in one line."""
    from crispcall.errors import InputError
    from crispcall.export.checkpoint import export_checkpoint
    from crispcall.models.blocks import SelfEnsemble
    from crispcall.models.io import write_weights
    from crispcall.runtime import Sharpener

    torch.manual_seed(0)
    model = Teacher(channels=8, blocks=2)
    for p in model.tail.parameters():  # an asymmetric correction, so the eight views differ
        torch.nn.init.normal_(p, std=0.05)
    weights = write_weights(tmp_path / "teacher.pt", "teacher", model, {"model": {"channels": 8, "blocks": 2}})
    path = export_checkpoint(weights, tmp_path / "teacher-se.onnx", self_ensemble=True).path
    frame = np.ascontiguousarray(coffee[:48, :80])
    got = Sharpener(path, threads=1)(frame).astype(int)
    ensembled = restore_frame(SelfEnsemble(model.eval()), frame, torch.device("cpu")).astype(int)
    plain = restore_frame(model.eval(), frame, torch.device("cpu")).astype(int)
    assert np.mean(np.abs(got - ensembled) <= 1) >= 0.99
    assert np.mean(np.abs(got - plain) <= 1) < 0.9
    for options in ({"int8": True}, {"graph": "i420"}):
        with pytest.raises(InputError, match="--self-ensemble"):
            export_checkpoint(weights, tmp_path / "x.onnx", self_ensemble=True, **options)
