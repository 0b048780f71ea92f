"""Writes with a replica: RS_WRITE_ALLOWED (active/active) and RS_WRITE_ON_FAILOVER
(active/passive), and the resend rules when a request moves to the replica.

Each test names the fault it injects and what "nothing lost" means for it.
"""
from __future__ import annotations

import hashlib

import pytest
from replica_support import assert_served, requests_for

import hcpsdk

DATA = bytes(range(256)) * 400  # 100 KiB


def _hash(data: bytes) -> str:
    return "SHA-256 " + hashlib.sha256(data).hexdigest().upper()


def _put(conn, path, body=DATA):
    response = conn.PUT(path, body=body)
    return response.status, response.getheader("X-HCP-Hash")


def _chunks(data: bytes, size: int = 8192):
    """A body that can be sent only once (a generator)."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


# -- RS_WRITE_ALLOWED (active/active) -----------------------------------------------------

def test_write_allowed_writes_the_running_primary(pair, linked, client, path):
    """Fault: none. Nothing lost: the PUT lands on the primary with the body's hash and
    reaches the replica over the link; the client sent nothing to the replica."""
    one, two = pair
    linked()
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, one, "primary")
    assert one.get_object(path) == two.get_object(path) == DATA
    assert requests_for(two, path) == []


def test_write_allowed_writes_the_replica_when_the_primary_is_down(pair, linked, client, path):
    """Fault: every primary node refuses connections. Nothing lost: the PUT is stored
    exactly once, on the replica, with the body's hash, and the active/active link brings
    it to the primary; reads are not moved by a write strategy."""
    one, two = pair
    linked()
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    one.faults.down(None)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, two, "replica")
    assert len(requests_for(two, path, "PUT")) == 1
    assert two.get_object(path) == DATA
    with pytest.raises(hcpsdk.HcpsdkCantConnectError):
        conn.GET(path)
    one.faults.up(None)
    assert one.get_object(path) == DATA


def test_write_allowed_deletes_on_the_replica_when_the_primary_is_down(pair, linked, client,
                                                                      path):
    """Fault: every primary node refuses connections. Nothing lost (nothing extra
    removed): the DELETE removes the object on the replica and, over the link, on the
    primary; its neighbour stays on both."""
    one, two = pair
    linked()
    one.put_object(path, DATA)
    one.put_object(path + ".keep", DATA)
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    one.faults.down(None)
    assert conn.DELETE(path).status == 200
    assert_served(conn, two, "replica")
    assert two.get_object(path) is None and one.get_object(path) is None
    assert two.get_object(path + ".keep") == one.get_object(path + ".keep") == DATA


def test_write_allowed_moves_a_stream_that_never_left_the_client(pair, linked, client, path):
    """Fault: every primary node refuses connections; the body is a generator (can be sent
    once). Nothing lost: nothing of it was sent to the primary, so the replica gets it
    whole - stored once, right bytes."""
    one, two = pair
    linked()
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    one.faults.down(None)
    assert _put(conn, path, _chunks(DATA)) == (201, _hash(DATA))
    assert_served(conn, two, "replica")
    assert two.get_object(path) == DATA


def test_write_allowed_resends_a_reset_upload_to_the_replica(pair, linked, client, path):
    """Fault: every primary node resets the connection after 10,000 bytes of the body.
    Nothing lost: the bytes body is sent again from its start to the replica and stored
    exactly once with the body's hash (also on the primary, over the link)."""
    one, two = pair
    linked()
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    one.faults.reset_upload(None, after_bytes=10_000, count=1)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, two, "replica")
    assert conn.retries_done == 1
    assert len(requests_for(two, path, "PUT")) == 1
    assert two.get_object(path) == one.get_object(path) == DATA


def test_write_allowed_resends_a_file_from_its_start_offset(pair, linked, client, path, tmp_path):
    """Fault: every primary node resets the connection after 10,000 bytes of the body;
    the body is a file opened and positioned at byte 1,000. Nothing lost: the replica
    stores exactly the bytes from offset 1,000 on."""
    one, two = pair
    linked()
    source = tmp_path / "body.bin"
    source.write_bytes(DATA)
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    one.faults.reset_upload(None, after_bytes=10_000, count=1)
    with open(source, "rb") as body:
        body.seek(1000)
        assert _put(conn, path, body) == (201, _hash(DATA[1000:]))
    assert_served(conn, two, "replica")
    assert two.get_object(path) == DATA[1000:]


def test_write_allowed_never_resends_a_half_sent_stream(pair, linked, client, path):
    """Fault: every primary node resets the connection after 10,000 bytes of a generator
    body. Nothing lost: the half-sent body is not sent to the replica (it can't be rewound):
    the error says so, and neither system stores anything under the name."""
    one, two = pair
    linked()
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    one.faults.reset_upload(None, after_bytes=10_000, count=1)
    with pytest.raises(hcpsdk.HcpsdkBodyNotRewindableError, match="non-seekable"):
        conn.PUT(path, body=_chunks(DATA))
    assert requests_for(two, path) == []
    assert one.get_object(path) is None and two.get_object(path) is None


def test_write_allowed_never_resends_a_post_that_was_sent(pair, linked, client, path):
    """Fault: the primary answers only after four times the Connection's timeout.
    Nothing lost (nothing doubled): a POST that went out may have taken effect, so it
    is not resent to the replica; the timeout is raised and the replica saw no POST."""
    one, two = pair
    linked()
    one.put_object(path, b"object with metadata")
    conn = client(hcpsdk.RS_WRITE_ALLOWED, timeout=0.5)
    one.faults.latency(None, 2.0)
    with pytest.raises(hcpsdk.HcpsdkTimeoutError, match="POST"):
        conn.POST(path, params={"index": "true"})
    assert requests_for(two, path, "POST") == []


def test_write_allowed_writes_the_primary_of_a_failed_over_link(pair, linked, client, path):
    """Fault: the active/active link is failed over (primary up). Nothing lost: the PUT
    lands on the running primary; after failback the link brings it to the replica."""
    one, two = pair
    link = linked()
    link.act(one.system, "failOver")
    conn = client(hcpsdk.RS_WRITE_ALLOWED)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, one, "primary")
    assert two.get_object(path) is None
    link.act(one.system, "failBack")
    assert link.wait_idle(5.0)
    assert two.get_object(path) == DATA


# -- RS_WRITE_ON_FAILOVER (active/passive) ------------------------------------------------

def test_write_on_failover_writes_the_running_primary(pair, linked, client, path):
    """Fault: none. Nothing lost: the PUT lands on the primary and is replicated; the
    client sent nothing to the replica."""
    one, two = pair
    linked("OUTBOUND")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, one, "primary")
    assert two.get_object(path) == DATA
    assert requests_for(two, path) == []


def test_write_on_failover_is_refused_by_a_replica_that_is_not_failed_over(pair, linked,
                                                                          client, path):
    """Fault: every primary node refuses connections; the link is in normal state, so
    the replica is read-only. Nothing lost: the replica refuses the write (403), the
    caller gets the primary's error naming the refusal, nothing is stored anywhere; the
    next write does not ask the replica again."""
    one, two = pair
    linked("OUTBOUND")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER)
    one.faults.down(None)
    with pytest.raises(hcpsdk.HcpsdkCantConnectError,
                       match="and the replica .* refused the write: 403"):
        conn.PUT(path, body=DATA)
    assert [r.status for r in requests_for(two, path, "PUT")] == [403]
    with pytest.raises(hcpsdk.HcpsdkCantConnectError) as info:
        conn.PUT(path + ".2", body=DATA)
    assert "refused the write" not in str(info.value)
    assert requests_for(two, path + ".2") == []
    one.faults.up(None)
    assert one.get_object(path) is None and two.get_object(path) is None


def test_a_write_sent_first_to_a_refusing_replica_tells_both_failures(pair, linked, client,
                                                                     path):
    """Fault: every primary node refuses connections (remembered after a read from the
    replica); the link is in normal state. Nothing lost: the write goes to the replica
    first, is refused (403), is tried on the primary, and the error tells both failures;
    nothing is stored anywhere."""
    one, two = pair
    linked("OUTBOUND")
    one.put_object(path, DATA)
    conn = client(hcpsdk.RS_READ_ON_FAILOVER | hcpsdk.RS_WRITE_ON_FAILOVER)
    one.faults.down(None)
    assert conn.GET(path).status == 200 and conn.read() == DATA
    assert conn.served_from == "replica"
    with pytest.raises(hcpsdk.HcpsdkCantConnectError,
                       match="every node failed .* and the replica .* refused the write: 403"):
        conn.PUT(path + ".new", body=DATA)
    assert set(conn.failed_nodes) == set(one.addresses)
    assert [r.status for r in requests_for(two, path + ".new")] == [403]
    one.faults.up(None)
    assert one.get_object(path + ".new") is None and two.get_object(path + ".new") is None


def test_write_on_failover_writes_the_failed_over_replica_when_the_primary_is_down(
        pair, linked, client, path):
    """Fault: the active/passive link is failed over and every primary node refuses
    connections. Nothing lost: the first PUT finds the primary down and is stored on the
    replica; the replica's acceptance teaches the client, so the second PUT goes there
    directly; after recovery both objects are on the primary with the right bytes."""
    one, two = pair
    link = linked("OUTBOUND")
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER)
    one.faults.down(None)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, two, "replica")
    assert set(conn.failed_nodes) == set(one.addresses)
    assert _put(conn, path + ".2", DATA[::-1]) == (201, _hash(DATA[::-1]))
    assert_served(conn, two, "replica")
    assert conn.failed_nodes == ()
    one.faults.up(None)
    link.act(two.system, "beginRecovery")
    link.act(two.system, "completeRecovery")
    assert one.get_object(path) == DATA and one.get_object(path + ".2") == DATA[::-1]


def test_a_write_the_replica_refuses_after_recovery_goes_to_the_primary(pair, linked,
                                                                       client, path):
    """Fault: the active/passive link is failed over and the primary down; then the
    primary comes back and the link recovers (the replica is read-only again) while the
    client still takes the link as failed over. Nothing lost: the next write starts on
    the replica, is refused (403) and is sent again - whole - to the primary, which stores
    it; the replica stores nothing under its name."""
    one, two = pair
    link = linked("OUTBOUND")
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER)
    one.faults.down(None)
    assert _put(conn, path + ".1")[0] == 201
    assert conn.served_from == "replica"
    one.faults.up(None)
    link.act(two.system, "beginRecovery")
    link.act(two.system, "completeRecovery")
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, one, "primary")
    assert [r.status for r in requests_for(two, path, "PUT")] == [403]
    assert one.get_object(path) == two.get_object(path) == DATA
    assert one.get_object(path + ".1") == DATA


def test_write_on_failover_writes_the_replica_of_a_failed_over_link_seen_in_mapi(
        pair, linked, client, path):
    """Fault: the active/passive link is failed over (primary up); the Target watches the
    link through the replica's MAPI. Nothing lost: the PUT goes straight to the replica
    (the primary is not asked) and reaches the primary after recovery."""
    one, two = pair
    link = linked("OUTBOUND")
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER, mapi_link=link)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, two, "replica")
    assert requests_for(one, path) == []
    link.act(two.system, "beginRecovery")
    link.act(two.system, "completeRecovery")
    assert one.get_object(path) == DATA


def test_write_on_failover_learns_from_the_replica_when_mapi_is_down(pair, linked, client,
                                                                    path, caplog):
    """Fault: the active/passive link is failed over and every primary node refuses
    connections - the MAPI the Target watches is the primary's, so it is down too.
    Nothing lost: the link state is unknown, the write finds the primary unreachable and
    is stored on the replica, which accepts it."""
    one, two = pair
    link = linked("OUTBOUND")
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER, mapi_link=link, mapi_of=one)
    one.faults.down(None)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, two, "replica")
    assert "link state not available from MAPI" in caplog.text
    assert two.get_object(path) == DATA


def test_write_on_failover_without_mapi_writes_the_primary_of_a_failed_over_link(
        pair, linked, client, path):
    """Fault: the active/passive link is failed over (primary up), no MAPI Target.
    Nothing lost: the client can't know about the failover; the write lands on the
    running primary (which keeps it and sends it on after recovery)."""
    one, two = pair
    link = linked("OUTBOUND")
    link.act(two.system, "failOver")
    conn = client(hcpsdk.RS_WRITE_ON_FAILOVER)
    assert _put(conn, path) == (201, _hash(DATA))
    assert_served(conn, one, "primary")
    assert one.get_object(path) == DATA
    assert requests_for(two, path) == []


def test_failover_strategies_follow_the_link_through_failover_and_recovery(pair, linked,
                                                                          client, path):
    """Fault: the active/passive link goes through failOver, beginRecovery and
    completeRecovery (primary up); the Target watches it through the replica's MAPI.
    Nothing lost: each phase's writes go where the link says (primary - replica -
    replica - primary), reads follow them, and at the end every object is on the primary
    with its bytes."""
    one, two = pair
    link = linked("OUTBOUND")
    both = hcpsdk.RS_READ_ON_FAILOVER | hcpsdk.RS_WRITE_ON_FAILOVER
    expected = {}

    def phase(name, hcp, side):
        conn = client(both, mapi_link=link)  # a new Target: no link state cached yet
        data = name.encode() * 100
        assert _put(conn, f"{path}.{name}", data) == (201, _hash(data))
        assert_served(conn, hcp, side)
        expected[f"{path}.{name}"] = data
        conn.GET(path + ".normal")
        assert conn.read() == expected[path + ".normal"]
        assert_served(conn, hcp, side)

    phase("normal", one, "primary")
    link.act(two.system, "failOver")
    phase("failedover", two, "replica")
    link.act(two.system, "beginRecovery")
    phase("recovering", two, "replica")
    link.act(two.system, "completeRecovery")
    phase("recovered", one, "primary")
    assert {p: one.get_object(p) for p in expected} == expected
