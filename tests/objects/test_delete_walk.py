"""objects.delete, delete_tree and walk against the emulator."""
from __future__ import annotations

import sys
import threading

import pytest

import hcpsdk
from hcpsdk import objects


def test_delete_keeps_an_old_version_with_versioning(connection, tree, put):
    put(connection, f"{tree}/o", b"x")
    objects.delete(connection, f"{tree}/o")
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.stat(connection, f"{tree}/o")
    assert [e.deleted for e in objects.versions(connection, f"{tree}/o", deleted=True)] == [
        False, True]


def test_purge_removes_every_version(connection, tree, put):
    put(connection, f"{tree}/o", b"1")
    put(connection, f"{tree}/o", b"2")
    objects.delete(connection, f"{tree}/o", purge=True)
    assert list(objects.listdir(connection, tree, deleted=True)) == []


def test_delete_one_version(connection, tree, put):
    put(connection, f"{tree}/o", b"1")
    first = objects.stat(connection, f"{tree}/o").version_id
    put(connection, f"{tree}/o", b"22")
    objects.delete(connection, f"{tree}/o", version=first)
    assert [e.size for e in objects.versions(connection, f"{tree}/o")] == [2]


def test_privileged_delete_of_an_object_under_retention(connection, hcp_emulator, tree, put):
    put(connection, f"{tree}/o", b"x", retention="A+1y")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.delete(connection, f"{tree}/o")
    assert caught.value.status == 403
    objects.delete(connection, f"{tree}/o", privileged=True, reason="court order 7")
    assert "reason=court%20order%207" in hcp_emulator.requests[-1].query


def test_a_held_object_is_never_deleted(connection, tree, put):
    put(connection, f"{tree}/o", b"x", hold="true")
    with pytest.raises(hcpsdk.HcpsdkRefusedError):
        objects.delete(connection, f"{tree}/o", privileged=True, reason="try")


@pytest.mark.parametrize("kwargs", [
    {"privileged": True}, {"reason": "why"}, {"privileged": True, "reason": ""},
    {"privileged": True, "reason": "x" * 1025}, {"purge": True, "version": 5},
])
def test_delete_arguments_are_checked(connection, hcp_emulator, kwargs):
    before = len(hcp_emulator.requests)
    with pytest.raises(hcpsdk.HcpsdkArgumentError):
        objects.delete(connection, "/rest/x", **kwargs)
    assert len(hcp_emulator.requests) == before


def test_delete_missing_is_not_found(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.delete(connection, f"{tree}/none")


def _make_tree(connection, put, tree, width=3, depth=2):
    paths = []
    def fill(base, level):
        for i in range(width):
            put(connection, f"{base}/o{i}", b"x")
            paths.append(f"{base}/o{i}")
        if level < depth:
            for i in range(width):
                fill(f"{base}/d{i}", level + 1)
    fill(tree, 0)
    return paths


def test_delete_tree_removes_everything(connection, tree, put):
    paths = _make_tree(connection, put, tree)
    assert objects.delete_tree(connection, tree, purge=True) == len(paths)
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.stat(connection, tree)


def test_delete_tree_stops_at_a_refusal(connection, tree, put):
    put(connection, f"{tree}/a/held", b"x", hold="true")
    with pytest.raises(hcpsdk.HcpsdkRefusedError):
        objects.delete_tree(connection, tree)
    assert objects.stat(connection, f"{tree}/a/held").hold


def test_walk_with_one_connection_is_depth_first_like_os_walk(connection, tree, put):
    paths = _make_tree(connection, put, tree, width=2, depth=2)
    steps = list(objects.walk(connection, tree))
    assert [s[0] for s in steps] == [
        tree, f"{tree}/d0", f"{tree}/d0/d0", f"{tree}/d0/d1", f"{tree}/d1", f"{tree}/d1/d0",
        f"{tree}/d1/d1"]
    assert sorted(e.path for _, _, objs in steps for e in objs) == sorted(paths)


@pytest.mark.parametrize("count", [1, 4])
def test_walk_can_be_pruned(connect, connection, tree, put, count):
    _make_tree(connection, put, tree, width=2, depth=2)
    pool = [connect() for _ in range(count)]
    seen = []
    for path, directories, _ in objects.walk(pool if count > 1 else pool[0], tree):
        seen.append(path)
        directories[:] = [d for d in directories if d.name != "d1"]
    assert sorted(seen) == [tree, f"{tree}/d0", f"{tree}/d0/d0"]


def test_walk_over_several_connections_uses_them_all_and_finds_everything(
        hcp_emulator, connection, tree, put, monkeypatch):
    paths = _make_tree(connection, put, tree, width=4, depth=2)
    target = hcp_emulator.target(f"n2.m.{hcp_emulator.domain}")  # one Target: all its nodes
    pool = [hcpsdk.Connection(target) for _ in range(4)]
    before = len(hcp_emulator.requests)
    # the four listings of the first level wait for each other: they must run at once,
    # each on a Connection of its own
    module = sys.modules["hcpsdk.objects.walk"]
    barrier = threading.Barrier(4, timeout=10)
    used = []
    real = module.listdir

    def listdir_together(c, path, **kw):
        entries = real(c, path, **kw)
        if path.count("/") == tree.count("/") + 1:
            used.append(c)
            barrier.wait()
        return entries

    monkeypatch.setattr(module, "listdir", listdir_together)
    steps = list(objects.walk(pool, tree))
    found = sorted(e.path for _, _, objs in steps for e in objs)
    assert found == sorted(paths)
    assert len(steps) == 1 + 4 + 16
    assert {id(c) for c in used} == {id(c) for c in pool}
    nodes = {r.node for r in hcp_emulator.requests[before:] if r.method == "GET"}
    assert nodes == set(hcp_emulator.addresses)  # the Connections took the nodes in turn
    for c in pool:
        c.close()


def test_walk_of_a_missing_top_is_not_found(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        list(objects.walk(connection, f"{tree}/none"))
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        list(objects.walk([connection, connection], f"{tree}/none"))


def test_walk_checks_its_connections(tree):
    with pytest.raises(hcpsdk.HcpsdkTypeError):
        objects.walk([], tree)
    with pytest.raises(hcpsdk.HcpsdkTypeError):
        objects.walk(["x"], tree)


def test_walk_checks_top_before_any_request(connection, hcp_emulator):
    before = len(hcp_emulator.requests)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="top"):
        objects.walk(connection, "rest/x")
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="top"):
        objects.walk([connection, connection], None)
    assert len(hcp_emulator.requests) == before
