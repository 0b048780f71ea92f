"""Reads with a replica: no strategy, RS_READ_ALLOWED and RS_READ_ON_FAILOVER.

Each test names the fault it injects and what "nothing lost" means for it. The objects
are stored on the primary through the emulator and reach the replica over the link.
"""
from __future__ import annotations

import pytest
from replica_support import assert_served, requests_for

import hcpsdk

DATA = b"replicated object " * 512


def _get(conn, path):
    response = conn.GET(path)
    return response.status, conn.read()


def _assert_write_stays_off_the_replica(conn, one, two, path):
    """With the primary down, a read strategy never sends a write to the replica: the PUT
    fails, the replica saw no request for it, and neither system stores the object."""
    with pytest.raises(hcpsdk.HcpsdkCantConnectError):
        conn.PUT(path + ".new", body=b"no write to the replica")
    assert requests_for(two, path + ".new") == []
    one.faults.up(None)
    assert one.get_object(path + ".new") is None and two.get_object(path + ".new") is None


# -- no strategy --------------------------------------------------------------------------

@pytest.mark.parametrize("strategy", [None, 0])
def test_without_strategy_reads_stay_on_the_running_primary(pair, linked, client, path,
                                                           strategy):
    """Fault: none (primary up). Nothing lost: the read returns the primary's bytes and
    the replica is never asked."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(strategy)
    assert conn.target.replica is not None
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")
    assert requests_for(two, path) == []


@pytest.mark.parametrize("strategy", [None, 0])
def test_without_strategy_a_down_primary_is_an_error(pair, linked, client, path, strategy):
    """Fault: every primary node refuses connections. Nothing lost: the error says the
    primary can't be reached; no request went to the replica behind the caller's back."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(strategy)
    one.faults.down(None)
    with pytest.raises(hcpsdk.HcpsdkCantConnectError, match=one.fqdn):
        conn.GET(path)
    assert requests_for(two, path) == []


def test_without_strategy_a_failed_over_link_changes_nothing(pair, linked, client, path):
    """Fault: the active/passive link is failed over (primary up). Nothing lost: reads and
    writes go to the primary, which keeps the written object."""
    one, two = pair
    link = linked("OUTBOUND")
    one.put_object(path, DATA)
    link.act(two.system, "failOver")
    conn = client(None)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")
    assert conn.PUT(path + ".new", body=b"after failover").status == 201
    assert_served(conn, one, "primary")
    assert one.get_object(path + ".new") == b"after failover"
    assert requests_for(two, path) == requests_for(two, path + ".new") == []


# -- RS_READ_ALLOWED ----------------------------------------------------------------------

def test_read_allowed_reads_the_running_primary(pair, linked, client, path):
    """Fault: none. Nothing lost: GET and HEAD are answered by the primary; the replica
    is not asked."""
    one, two = pair
    linked()
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ALLOWED)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")
    assert conn.HEAD(path).status == 200
    assert_served(conn, one, "primary")
    assert requests_for(two, path) == []


def test_read_allowed_reads_the_replica_when_the_primary_is_down(pair, linked, client, path):
    """Fault: every primary node refuses connections. Nothing lost: GET returns the very
    bytes stored on the primary, HEAD the same hash, both marked as served by the replica;
    a write is not moved (it fails, and nothing is stored on either system)."""
    one, two = pair
    linked()
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ALLOWED)
    one.faults.down(None)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, two, "replica")
    assert set(conn.failed_nodes) == set(one.addresses)
    assert conn.HEAD(path).status == 200
    assert_served(conn, two, "replica")
    _assert_write_stays_off_the_replica(conn, one, two, path)


def test_read_allowed_moves_to_the_replica_on_503(pair, linked, client, path):
    """Fault: every primary node answers 503 (busy). Nothing lost: the read is resent to
    the replica once (one retry) and returns the stored bytes."""
    one, two = pair
    linked()
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ALLOWED)
    one.faults.status(None, 503, count=10)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, two, "replica")
    assert conn.retries_done == 1
    assert [r.status for r in requests_for(one, path)] == [503]


def test_read_allowed_moves_to_the_replica_when_the_primary_is_too_slow(pair, linked, client,
                                                                       path):
    """Fault: the primary answers only after four times the Connection's timeout.
    Nothing lost: the read times out once on the primary and returns the stored bytes
    from the replica."""
    one, two = pair
    linked()
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ALLOWED, timeout=0.5)
    one.faults.latency(None, 2.0)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, two, "replica")
    assert conn.retries_done == 1 and len(conn.failed_nodes) == 1


def test_read_allowed_keeps_reading_the_primary_of_a_failed_over_link(pair, linked, client,
                                                                     path):
    """Fault: the active/active link is failed over (primary up). Nothing lost: the
    primary still serves the reads, including an object written after the failover that
    the replica does not have."""
    one, two = pair
    link = linked()
    link.act(one.system, "failOver")
    one.put_object(path, DATA)
    assert two.get_object(path) is None
    conn = client(hcpsdk.RS_READ_ALLOWED)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")


# -- RS_READ_ON_FAILOVER ------------------------------------------------------------------

def test_read_on_failover_reads_the_running_primary(pair, linked, client, path):
    """Fault: none. Nothing lost: the primary answers; the replica is not asked."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ON_FAILOVER)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")
    assert requests_for(two, path) == []


def test_read_on_failover_reads_the_replica_when_the_primary_is_down(pair, linked, client,
                                                                    path):
    """Fault: every primary node refuses connections. Nothing lost: the read returns the
    primary's bytes from the replica; a write fails and is stored nowhere."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ON_FAILOVER)
    one.faults.down(None)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, two, "replica")
    _assert_write_stays_off_the_replica(conn, one, two, path)


def test_read_on_failover_does_not_move_on_503(pair, linked, client, path):
    """Fault: each primary node answers one request with 503. Nothing lost: a busy
    primary is not a failover - the read is retried on the primary's nodes and returns
    the stored bytes from there; the replica is not asked."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ON_FAILOVER)
    one.faults.status(None, 503, count=1)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")
    assert conn.retries_done >= 1
    assert requests_for(two, path) == []


def test_read_on_failover_reads_the_replica_of_a_failed_over_link_seen_in_mapi(
        pair, linked, client, path):
    """Fault: the active/passive link is failed over (primary up); the Target watches the
    link through the replica's MAPI. Nothing lost: the read goes straight to the replica
    and returns the bytes replicated before the failover; the primary is not asked."""
    one, two = pair
    link = linked("OUTBOUND")
    one.put_object(path, DATA)
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_READ_ON_FAILOVER, mapi_link=link)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, two, "replica")
    assert conn.failed_nodes == ()
    assert requests_for(one, path) == []


def test_read_on_failover_without_mapi_reads_the_primary_of_a_failed_over_link(
        pair, linked, client, path):
    """Fault: the active/passive link is failed over (primary up), no MAPI Target. Nothing
    lost: the client can't know about the failover and reads the running primary."""
    one, two = pair
    link = linked("OUTBOUND")
    one.put_object(path, DATA)
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_READ_ON_FAILOVER)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")


def test_an_unreachable_primary_is_remembered_for_a_while(pair, linked, client, path):
    """Fault: every primary node refuses connections, then comes back. Nothing lost:
    after the first read found the primary down, the next read goes straight to the
    replica (no node fails again); once the memory expired, the primary is read again."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ON_FAILOVER)
    policy = conn.target._replica_policy
    policy.memory = 0.5  # instead of 30 s, so that the test sees the end of it
    one.faults.down(None)
    assert _get(conn, path) == (200, DATA)
    assert conn.failed_nodes and conn.served_from == "replica"
    one.faults.up(None)
    assert _get(conn, path) == (200, DATA)
    assert conn.failed_nodes == () and conn.served_from == "replica"
    assert one.wait_for(lambda: not policy.primary_unreachable(), timeout=5.0)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")


def test_a_replica_read_that_finds_the_replica_down_too_names_it(pair, linked, client, path):
    """Fault: every node of both systems refuses connections. Nothing lost: the error
    names the replica (the last system tried); nothing was read from anywhere."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ALLOWED)
    one.faults.down(None)
    two.faults.down(None)
    with pytest.raises(hcpsdk.HcpsdkCantConnectError, match=two.fqdn):
        conn.GET(path)
    assert set(conn.failed_nodes) == set(one.addresses) | set(two.addresses)


def test_a_read_that_starts_on_the_replica_goes_back_to_a_running_primary(pair, linked,
                                                                         client, path):
    """Fault: the primary refuses connections (and is remembered as unreachable), then
    comes back while every replica node goes down. Nothing lost: the next read starts on
    the replica, finds it down and returns the stored bytes from the primary."""
    one, two = pair
    linked()
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ALLOWED)
    one.faults.down(None)
    assert _get(conn, path) == (200, DATA)
    assert conn.served_from == "replica"
    one.faults.up(None)
    two.faults.down(None)
    assert _get(conn, path) == (200, DATA)
    assert_served(conn, one, "primary")
    assert set(conn.failed_nodes) == set(two.addresses)
