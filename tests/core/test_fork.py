"""A Connection used on both sides of ``os.fork()``.

The child inherits the parent's open socket. It must never talk on it (the two
conversations would interleave: one process gets the other's body); it connects
anew, and the parent's socket stays usable for the parent.
"""
from __future__ import annotations

import os
import uuid

import pytest
from shared_support import in_child, result_of

import hcpsdk

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork()")

ROUNDS = 100


@pytest.fixture(params=["http", "tls"])
def target(request, hcp):
    if request.param == "http":
        return hcp.target(port=hcp.http_port, tls=False)
    return hcp.target()


@pytest.fixture()
def objects(hcp):
    """Two objects of different sizes and contents: the parent's and the child's."""
    base = f"/rest/fork/{uuid.uuid4().hex}"
    parent, child = (base + "/parent", os.urandom(30000)), (base + "/child", os.urandom(30001))
    for name, data in (parent, child):
        hcp.put_object(name, data)
    return parent, child


def loop_get(c, name, expected):
    wrong = 0
    for _ in range(ROUNDS):
        c.GET(name)
        wrong += c.read() != expected
    return wrong


def test_parent_and_child_get_their_own_bodies(hcp, target, objects, open_connections):
    (parent_name, parent_data), (child_name, child_data) = objects
    c = open_connections(target)
    c.HEAD(parent_name)  # the socket is open now
    parent_con, parent_sock = c.con, c.con.sock

    pid, reader = in_child(lambda: f"wrong bodies: {loop_get(c, child_name, child_data)}")
    wrong_in_parent = loop_get(c, parent_name, parent_data)
    report = result_of(pid, reader)

    assert report == "wrong bodies: 0"
    assert wrong_in_parent == 0
    # the child left the parent's socket alone: still the same, still working
    assert c.con is parent_con and c.con.sock is parent_sock
    c.GET(parent_name)
    assert c.read() == parent_data


def test_child_cannot_read_a_body_the_parent_received(hcp, target, objects, open_connections):
    (parent_name, parent_data), (child_name, child_data) = objects
    c = open_connections(target)
    c.GET(parent_name)  # its body is still in (or on the way to) the parent's socket

    def child():
        with pytest.raises(hcpsdk.HcpsdkError, match="parent process"):
            c.read()
        c.GET(child_name)
        return "ok" if c.read() == child_data else "wrong body"

    pid, reader = in_child(child)
    report = result_of(pid, reader)

    assert report == "ok"
    assert c.read() == parent_data


def test_idle_reaper_works_in_the_child(hcp, target, objects, open_connections):
    (parent_name, _), (child_name, child_data) = objects
    c = open_connections(target)
    c.HEAD(parent_name)  # the parent's reaper thread runs now

    def child():
        own = hcpsdk.Connection(target, idletime=0.1)
        own.GET(child_name)
        if own.read() != child_data:
            return "wrong body"
        closed = hcp.wait_for(lambda: own.con is None, timeout=10)
        return "closed" if closed else "still open"

    pid, reader = in_child(child)

    assert result_of(pid, reader) == "closed"


def test_fork_while_the_lock_is_held_elsewhere(hcp, target, objects, open_connections):
    """The reaper thread may hold a Connection's lock at the moment of a fork (it takes it
    to close an idle socket); the child has no such thread and must not wait for it."""
    import threading

    (parent_name, _), (child_name, child_data) = objects
    c = open_connections(target)
    c.HEAD(parent_name)  # watched by the reaper now
    taken, release = threading.Event(), threading.Event()

    def hold():  # as the reaper does, from its own thread
        with c._channel.lock:
            taken.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(10)

    def child():
        c.GET(child_name)
        return "ok" if c.read() == child_data else "wrong body"

    try:
        pid, reader = in_child(child)
        report = result_of(pid, reader, timeout=15)
    finally:
        release.set()
        holder.join()
    assert report == "ok"
