import pytest

from crispcall.files import partial_path, written_whole


def test_written_whole_renames_on_success_and_removes_on_failure(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    with written_whole(target) as partial:
        assert partial == partial_path(target) and partial.name == ".out.partial.txt"
        partial.write_text("done")
    assert target.read_text() == "done" and not partial.exists()
    with pytest.raises(RuntimeError), written_whole(tmp_path / "failed.txt") as partial:
        partial.write_text("half")
        raise RuntimeError("interrupted")
    assert not (tmp_path / "failed.txt").exists() and not partial.exists()
