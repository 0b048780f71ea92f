"""hcpsdk._localfile.replacing: a local file written beside the old one, put in its place
only when the writing went well."""
from __future__ import annotations

import os
import stat

import pytest

from hcpsdk._localfile import replacing


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_new_content_replaces_the_file_when_the_block_ends(tmp_path):
    local = tmp_path / "data.csv"
    local.write_bytes(b"old")
    with replacing(local) as out:
        out.write(b"new ")
        assert local.read_bytes() == b"old"  # untouched while the new one is written
        out.write(b"content")
    assert local.read_bytes() == b"new content"
    assert os.listdir(tmp_path) == ["data.csv"]


def test_an_exception_leaves_the_old_file_and_no_part(tmp_path):
    local = tmp_path / "data.csv"
    local.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), replacing(local) as out:
        out.write(b"half of the new")
        raise KeyboardInterrupt
    assert local.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["data.csv"]


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path):
    old_umask = os.umask(0o027)
    try:
        with replacing(tmp_path / "new.bin") as out:
            out.write(b"x")
    finally:
        os.umask(old_umask)
    assert _mode(tmp_path / "new.bin") == 0o640


def test_a_replaced_file_keeps_its_mode(tmp_path):
    local = tmp_path / "secret.txt"
    local.write_bytes(b"old")
    os.chmod(local, 0o600)
    with replacing(local) as out:
        out.write(b"new")
    assert local.read_bytes() == b"new" and _mode(local) == 0o600


def test_a_symbolic_link_stays_and_its_target_is_replaced(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "data.bin"
    target.write_bytes(b"old")
    link = tmp_path / "data.bin"
    link.symlink_to(target)
    with replacing(link) as out:
        out.write(b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert os.listdir(tmp_path / "real") == ["data.bin"]


def test_a_directory_that_cant_be_written_raises_before_anything_is_written(tmp_path):
    with pytest.raises(FileNotFoundError), replacing(tmp_path / "missing" / "f"):
        pytest.fail("the block must not run")
