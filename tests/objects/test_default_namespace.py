"""hcpsdk.objects in the Default Namespace (``/fcfs_data``, ``/fcfs_metadata``)."""
from __future__ import annotations

import hashlib

import pytest

import hcpsdk
from hcpsdk import objects


@pytest.fixture
def fcfs(connect):
    return connect("default.default")


@pytest.fixture
def top(tree):
    return "/fcfs_data/" + tree[len("/rest/"):]


def test_put_stat_get_delete(fcfs, top):
    objects.put(fcfs, f"{top}/a b.txt", b"hello")
    info = objects.stat(fcfs, f"{top}/a b.txt")
    assert info.size == 5 and info.etag == f'"{hashlib.md5(b"hello").hexdigest()}"'
    assert info.change_time is not None
    assert objects.get(fcfs, f"{top}/a b.txt") == b"hello"
    objects.delete(fcfs, f"{top}/a b.txt")
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.stat(fcfs, f"{top}/a b.txt")


def test_upload_and_download_check_the_size(fcfs, top, tmp_path):
    local = tmp_path / "in"
    local.write_bytes(b"x" * 100_000)
    objects.upload_file(fcfs, local, f"{top}/f")
    objects.download_file(fcfs, f"{top}/f", tmp_path / "out")
    assert (tmp_path / "out").read_bytes() == b"x" * 100_000


def test_the_default_annotation_is_the_custom_metadata_metafile(fcfs, hcp_emulator, top):
    objects.put(fcfs, f"{top}/o", b"x")
    objects.put_annotation(fcfs, f"{top}/o", b"<m/>")
    assert hcp_emulator.requests[-1].path.endswith(f"{top[11:]}/o/custom-metadata.xml")
    assert objects.get_annotation(fcfs, f"{top}/o") == b"<m/>"
    objects.delete_annotation(fcfs, f"{top}/o")
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.get_annotation(fcfs, f"{top}/o")


def test_what_the_default_namespace_has_not_is_refused_before_sending(fcfs, top):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Default Namespace"):
        objects.get_annotation(fcfs, f"{top}/o", "other")
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Default Namespace"):
        objects.set_metadata(fcfs, f"{top}/o", retention="A+1d", shred=True)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Default Namespace"):
        objects.set_metadata(fcfs, f"{top}/o", hold=True)


def test_listdir_of_the_default_namespace(fcfs, top):
    objects.put(fcfs, f"{top}/a.txt", b"123")
    objects.put(fcfs, f"{top}/d/b.txt", b"4")
    listed = {e.name: e for e in objects.listdir(fcfs, top)}
    assert set(listed) == {"a.txt", "d"}
    assert listed["a.txt"].type == "object" and listed["a.txt"].size == 3
    assert listed["d"].is_dir and listed["d"].path == f"{top}/d"


def test_set_metadata_writes_the_metafile(fcfs, top):
    objects.put(fcfs, f"{top}/o", b"x")
    objects.set_metadata(fcfs, f"{top}/o", shred=True)
    fcfs.GET(f"/fcfs_metadata/{top[11:]}/o/shred.txt")
    assert fcfs.read().strip() == b"1"


def test_walk_and_delete_tree_in_the_default_namespace(fcfs, top):
    for name in ("a", "d/b", "d/e/c"):
        objects.put(fcfs, f"{top}/{name}", b"x")
    walked = {path: sorted(f.name for f in files) for path, _, files in objects.walk(fcfs, top)}
    assert walked == {top: ["a"], f"{top}/d": ["b"], f"{top}/d/e": ["c"]}
    assert objects.delete_tree(fcfs, top) == 3
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.stat(fcfs, f"{top}/a")
