import re

import pytest

from crispcall.errors import InputError
from crispcall.files import sampled_digest, written_whole


def test_written_whole_renames_on_success_and_removes_on_failure(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    with written_whole(target) as partial:
        assert partial.parent == target.parent and re.fullmatch(r"\.out\.\w+\.partial\.txt", partial.name)
        partial.write_text("done")
    assert target.read_text() == "done" and not partial.exists()
    with pytest.raises(RuntimeError), written_whole(tmp_path / "failed.txt") as partial:
        partial.write_text("half")
        raise RuntimeError("interrupted")
    assert not (tmp_path / "failed.txt").exists() and not partial.exists()


def test_a_place_that_cannot_be_written_is_a_one_line_error(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"cannot write .*out\.txt: "), written_whole(tmp_path / "file" / "out.txt"):
        pass  # its folder is a file

    def refused(*args):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("crispcall.files.os.open", refused)
    with pytest.raises(InputError, match=r"cannot write .*: Read-only file system$"), written_whole(tmp_path / "o.txt"):
        pass
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]


def test_the_temporary_name_is_new_each_time_and_spares_existing_files(tmp_path):
    target = tmp_path / "out.mp4"
    decoy = tmp_path / ".out.partial.mp4"  # the name a predictable scheme would have used
    decoy.write_bytes(b"someone's input")
    with written_whole(target) as first, written_whole(target) as second:
        assert first != second and first.exists() and second.exists()
        first.write_bytes(b"1")
        second.write_bytes(b"2")
    assert decoy.read_bytes() == b"someone's input" and target.read_bytes() == b"1"


def test_the_written_file_has_ordinary_permissions(tmp_path):
    with written_whole(tmp_path / "out.txt") as partial:
        partial.write_text("x")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert (tmp_path / "out.txt").stat().st_mode == plain.stat().st_mode


def test_an_interrupt_as_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C landing just after the temporary file exists, before written_whole gets control
    back (whichever thread took the signal), still leaves nothing behind."""
    import os

    make = os.open

    def interrupted(*args, **kwargs):
        os.close(make(*args, **kwargs))
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt), written_whole(tmp_path / "out.txt") as partial:
        partial.write_text("never")
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_name_taken_by_another_file_is_left_alone(tmp_path, monkeypatch):
    import secrets

    names = iter(["a" * 16, "b" * 16])
    monkeypatch.setattr(secrets, "token_hex", lambda _: next(names))
    theirs = tmp_path / f".out.{'a' * 16}.partial.txt"
    theirs.write_text("theirs")
    with written_whole(tmp_path / "out.txt") as partial:
        assert partial.name == f".out.{'b' * 16}.partial.txt"
        partial.write_text("ours")
    assert theirs.read_text() == "theirs" and (tmp_path / "out.txt").read_text() == "ours"


def test_sampled_digest_reads_the_ends_and_the_middle(tmp_path):
    path = tmp_path / "big.bin"
    data = bytearray(5 * 4096)
    path.write_bytes(bytes(data))
    base = sampled_digest(path, chunk=4096)
    for offset, changes in [(0, True), (len(data) // 2, True), (len(data) - 1, True), (4096 + 10, False)]:
        changed = bytearray(data)
        changed[offset] = 1
        path.write_bytes(bytes(changed))
        assert (sampled_digest(path, chunk=4096) != base) is changes  # an unread byte goes unseen
    path.write_bytes(bytes(data[:-1]))
    assert sampled_digest(path, chunk=4096) != base  # the size counts too
    small = tmp_path / "small.bin"
    small.write_bytes(b"abc")
    assert sampled_digest(small) == sampled_digest(small)
