"""fork() while another thread holds one of a shared Target's locks: the child goes on."""
from __future__ import annotations

import contextlib
import os
import threading

import pytest
from shared_support import in_child, result_of

import hcpsdk
from hcpsdk import _tls

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork()")


@contextlib.contextmanager
def held_by_another_thread(owner, name="_lock"):
    """``owner.<name>`` is held by a second thread for the duration of the block."""
    taken, release = threading.Event(), threading.Event()
    lock = getattr(owner, name)

    def hold():
        with lock:
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(10)


def test_child_uses_a_target_whose_address_pool_lock_was_held(hcp, http_target, path):
    hcp.put_object(path, b"forked")

    def child():
        with hcpsdk.Connection(http_target, timeout=5) as c:
            c.GET(path)
            return c.read().decode()

    with held_by_another_thread(http_target._circle):
        pid, reader = in_child(child)
        report = result_of(pid, reader, timeout=10)
    assert report == "forked"


def test_child_uses_a_tls_policy_whose_lock_was_held(hcp):
    target = hcp.target()
    policy = target._tls_policy

    def child():
        with policy._lock:
            pass
        with _tls._default_lock:
            pass
        return "free"

    with held_by_another_thread(policy), held_by_another_thread(_tls, "_default_lock"):
        pid, reader = in_child(child)
        assert result_of(pid, reader, timeout=10) == "free"


def test_child_uses_a_replica_policy_whose_lock_was_held(hcp):
    from hcpsdk._replica import ReplicaPolicy

    primary = hcp.target(port=hcp.http_port, tls=False)
    replica = hcp.target(port=hcp.http_port, tls=False)
    policy = ReplicaPolicy(primary, replica, hcpsdk.RS_READ_ALLOWED)

    def child():
        with policy._lock:
            pass
        return "free"

    with held_by_another_thread(policy):
        pid, reader = in_child(child)
        assert result_of(pid, reader, timeout=10) == "free"
