import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.errors import InputError  # noqa: E402
from crispcall.models.io import load_network, read_weights, write_weights  # noqa: E402
from crispcall.models.student import Student  # noqa: E402


def test_written_weights_load_as_the_same_network(tmp_path):
    model = Student(channels=8, blocks=2, rep=False)
    with torch.no_grad():
        model.tail.weight.normal_(std=0.1)  # the tail starts at zero: make the output depend on it
    path = write_weights(tmp_path / "student.pt", "student", model, {"model": model.config}, steps=7)
    assert read_weights(path, "student")["steps"] == 7
    frame = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(load_network(path, "student")(frame), model.eval()(frame))
    assert [p.name for p in tmp_path.iterdir()] == ["student.pt"]  # no partial file left beside it


def test_the_same_weights_write_the_same_bytes(tmp_path):
    # A command that remakes starting weights on another machine must sign them as before
    # (training's fingerprint), so nothing of the temporary file's random name may be kept.
    model = Student(channels=8, blocks=2, rep=False)
    first = write_weights(tmp_path / "a" / "init.pt", "student", model, {"model": model.config})
    second = write_weights(tmp_path / "b" / "init.pt", "student", model, {"model": model.config})
    assert first.read_bytes() == second.read_bytes()


def test_write_weights_refuses_an_unknown_arch(tmp_path):
    with pytest.raises(ValueError, match="arch"):
        write_weights(tmp_path / "x.pt", "upscaler", Student(channels=8, blocks=1), {})
    assert not list(tmp_path.iterdir())


def test_read_weights_names_the_wrong_arch(tmp_path):
    model = Student(channels=8, blocks=1)
    path = write_weights(tmp_path / "student.pt", "student", model, {"model": model.config})
    with pytest.raises(InputError, match="holds a student, not a teacher"):
        read_weights(path, "teacher")


def test_a_file_torch_did_not_write_or_a_cut_one_is_refused_in_one_line(tmp_path):
    model = Student(channels=8, blocks=1)
    whole = write_weights(tmp_path / "student.pt", "student", model, {"model": model.config}).read_bytes()
    text, cut = tmp_path / "notes.txt", tmp_path / "cut.pt"
    text.write_text("# not weights\n")
    cut.write_bytes(whole[: len(whole) // 2])
    for path in (text, cut):
        with pytest.raises(InputError, match="not a file written by crispcall train, or it is cut short") as error:
            read_weights(path)
        assert "\n" not in str(error.value)
