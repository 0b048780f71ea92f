"""objects.stat, objects.listdir and objects.versions against the emulator."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

import hcpsdk
from hcpsdk import objects
from hcpsdk.objects.listing import parse_listing


def test_stat_object_gives_typed_metadata(connection, tree, put):
    put(connection, f"{tree}/a.txt", b"hello")
    before = datetime.now(UTC)
    info = objects.stat(connection, f"{tree}/a.txt")
    assert info.type == "object" and info.path == f"{tree}/a.txt"
    assert info.size == 5
    assert info.hash_scheme == "SHA-256"
    assert info.hash_value == hashlib.sha256(b"hello").hexdigest().upper()
    assert info.etag == f'"{hashlib.md5(b"hello").hexdigest()}"'
    assert abs(info.change_time - before) < timedelta(seconds=5)
    assert info.change_time.tzinfo is UTC and info.ingest_time.tzinfo is UTC
    assert info.version_id > 0
    assert (info.retention, info.retention_text, info.retention_class) == (0, "Deletion Allowed", "")
    assert not info.hold and info.labeled_holds == () and not info.shred and info.index
    assert info.dpl == 2 and info.owner == "n" and not info.has_acl
    assert not info.has_annotations and info.annotations == {} and info.annotation_names == ()


def test_stat_names_annotations_with_sizes(connection, tree, put):
    put(connection, f"{tree}/a.txt")
    for name, body in (("default", b"<a/>"), ("extra", b"<bb/>")):
        r = connection.PUT(f"{tree}/a.txt", body=body,
                           params={"type": "custom-metadata", "annotation": name})
        assert r.status == 201
    info = objects.stat(connection, f"{tree}/a.txt")
    assert info.has_annotations
    assert info.annotations == {"default": 4, "extra": 5}
    assert info.annotation_names == ("default", "extra")


def test_stat_directory(connection, tree, put):
    put(connection, f"{tree}/d/x")
    info = objects.stat(connection, f"{tree}/d")
    assert info.type == "directory" and info.hash_value is None and info.change_time is not None


def test_stat_of_a_missing_object_raises_not_found_with_hcp_message(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError) as caught:
        objects.stat(connection, f"{tree}/missing")
    assert caught.value.status == 404
    assert isinstance(caught.value, hcpsdk.HcpsdkStatusError)
    assert f"{tree}/missing" in str(caught.value)


def test_stat_of_an_old_version(connection, tree, put):
    put(connection, f"{tree}/v", b"one")
    first = objects.stat(connection, f"{tree}/v").version_id
    put(connection, f"{tree}/v", b"two!")
    assert objects.stat(connection, f"{tree}/v").size == 4
    old = objects.stat(connection, f"{tree}/v", version=first)
    assert old.size == 3 and old.version_id == first


@pytest.mark.parametrize("name", ["a b.txt", "100%41.txt", "résumé.pdf", "q?x&y=z#f", "plus+.txt"])
def test_names_round_trip_from_listing_to_stat(connection, tree, put, name):
    put(connection, f"{tree}/{name}", b"x")
    [entry] = list(objects.listdir(connection, tree))
    assert entry.name == name and entry.path == f"{tree}/{name}"
    assert objects.stat(connection, entry.path).size == 1


def test_listdir_gives_typed_entries(connection, tree, put):
    put(connection, f"{tree}/b.txt", b"12345")
    put(connection, f"{tree}/sub/c.txt")
    entries = {e.name: e for e in objects.listdir(connection, tree)}
    assert set(entries) == {"b.txt", "sub"}
    b, sub = entries["b.txt"], entries["sub"]
    assert (b.type, b.size, b.path, b.deleted) == ("object", 5, f"{tree}/b.txt", False)
    assert b.hash_scheme == "SHA-256" and b.hash_value == hashlib.sha256(b"12345").hexdigest().upper()
    assert b.etag == hashlib.md5(b"12345").hexdigest()
    assert b.version_id == objects.stat(connection, b.path).version_id
    assert b.change_time.tzinfo is UTC and b.ingest_time is not None
    assert (b.retention, b.retention_text, b.dpl, b.owner) == (0, "Deletion Allowed", 2, "n")
    assert (sub.type, sub.size, sub.is_dir, b.is_dir) == ("directory", None, True, False)


def test_listdir_accepts_a_trailing_slash(connection, tree, put):
    put(connection, f"{tree}/x")
    assert [e.path for e in objects.listdir(connection, tree + "/")] == [f"{tree}/x"]


def test_listdir_shows_deleted_objects_only_when_asked(connection, tree, put):
    put(connection, f"{tree}/keep")
    put(connection, f"{tree}/gone")
    assert connection.DELETE(f"{tree}/gone").status == 200
    assert [e.name for e in objects.listdir(connection, tree)] == ["keep"]
    listed = {e.name: e.deleted for e in objects.listdir(connection, tree, deleted=True)}
    assert listed == {"keep": False, "gone": True}


def test_listdir_most_recent_dir_times_is_sent(connection, hcp_emulator, tree, put):
    put(connection, f"{tree}/d/x")
    list(objects.listdir(connection, tree, most_recent_dir_times=True))
    assert connection.response_status == 200
    assert hcp_emulator.requests[-1].query == "mostRecentDirTimes=true"


def test_listdir_of_missing_directory_raises_not_found(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.listdir(connection, f"{tree}/nothing")


def test_listdir_of_an_object_is_an_argument_error(connection, tree, put):
    put(connection, f"{tree}/obj", b"x" * 100_000)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="is an object"):
        objects.listdir(connection, f"{tree}/obj")
    assert objects.stat(connection, f"{tree}/obj").size == 100_000  # Connection still usable


def test_listdir_checks_arguments_before_sending(connection):
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="connection"):
        objects.listdir("not a connection", "/rest")
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="path"):
        objects.listdir(connection, "rest/x")
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="path"):
        objects.stat(connection, b"/rest/x")
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="version"):
        objects.stat(connection, "/rest/x", version=1.5)


def test_a_large_listing_is_parsed_in_blocks(connection, hcp_emulator, tree):
    store = hcp_emulator.system.namespace("m", "n2").store
    for i in range(3000):
        store.put_bytes(f"{tree[6:]}/many/o{i:05d}", b"x")
    names = [e.name for e in objects.listdir(connection, f"{tree}/many")]
    assert names == [f"o{i:05d}" for i in range(3000)]


def test_parse_listing_reports_broken_xml():
    blocks = iter([b'<?xml version="1.0"?><directory path="/rest/a"><entry utf8Name="x" type="obj'])
    with pytest.raises(hcpsdk.HcpsdkError, match="not well-formed"):
        list(parse_listing(blocks, "/rest/a", "GET listdir /rest/a"))


def test_parse_listing_of_the_default_namespace_shape():
    doc = (b'<directory path="/fcfs_data/s" utf8Path="/fcfs_data/s">'
           b'<entry urlName="." utf8Name="." fileType="directory" mode="040755" modTime="1709632931"/>'
           b'<entry urlName="a.txt" utf8Name="a.txt" fileType="file" size="18" mode="0100400"'
           b' uid="0" gid="0" accessTime="1709632930" modTime="1709632931"/>'
           b'<entry urlName="d" utf8Name="d" fileType="directory" mode="040755"/></directory>')
    entries = list(parse_listing(iter([doc[:50], doc[50:]]), "/fcfs_data/s", "test"))
    assert [(e.name, e.type, e.path) for e in entries] == [
        ("a.txt", "object", "/fcfs_data/s/a.txt"), ("d", "directory", "/fcfs_data/s/d")]
    a = entries[0]
    assert (a.size, a.mode, a.uid, a.gid) == (18, 0o100400, 0, 0)
    assert a.mod_time == datetime.fromtimestamp(1709632931, UTC)


def test_versions_lists_every_version_oldest_first(connection, tree, put):
    for body in (b"1", b"22", b"333"):
        put(connection, f"{tree}/v", body)
    listed = list(objects.versions(connection, f"{tree}/v"))
    assert [e.size for e in listed] == [1, 2, 3]
    assert all(e.path == f"{tree}/v" and e.name == "v" for e in listed)
    assert listed[-1].version_id == objects.stat(connection, f"{tree}/v").version_id
    assert len({e.version_id for e in listed}) == 3


def test_versions_with_deleted_shows_delete_markers(connection, tree, put):
    put(connection, f"{tree}/v")
    connection.DELETE(f"{tree}/v")
    assert [e.deleted for e in objects.versions(connection, f"{tree}/v")] == [False]
    assert [e.deleted for e in objects.versions(connection, f"{tree}/v", deleted=True)] == [False, True]


def test_versions_without_versioning_is_a_status_error(n1, tree, put):
    put(n1, f"{tree}/v")
    with pytest.raises(hcpsdk.HcpsdkStatusError) as caught:
        objects.versions(n1, f"{tree}/v")
    assert caught.value.status == 400 and "versioning" in caught.value.hcp_message
