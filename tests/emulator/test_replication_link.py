"""The replication link's state machine and data flow, on bare System models (no sockets).

The HTTP-level behaviour (MAPI actions, data API on both sides) is in
``test_replication_http.py``; these tests pin the rules of ``hcpsdk.emulator.replication``
directly: which side accepts writes in which state, what flows when, what is queued.
"""
from __future__ import annotations

import threading
import time

import pytest

from hcpsdk.emulator import replication
from hcpsdk.emulator.model import System
from hcpsdk.emulator.replication import LinkStateError


def _system(domain: str) -> System:
    system = System(domain)
    tenant = system.add_tenant("m")
    tenant.add_namespace("n1", versioning=False)
    tenant.add_user("n", "n01", {"n1": ["read", "write", "delete"]})
    return system


def _store(system: System, ns: str = "n1"):
    return system.tenants["m"].namespaces[ns].store


def _data(system: System, path: str, ns: str = "n1") -> bytes | None:
    v = _store(system, ns).current(path)
    return None if v is None else v.blob.read()


@pytest.fixture
def pair():
    a, b = _system("hcp1.example.com"), _system("hcp2.example.com")
    yield a, b
    replication.close_links(a)
    replication.close_links(b)


def test_active_active_replicates_both_ways_synchronously(pair):
    a, b = pair
    link = replication.link(a, b)
    assert link.name == "hcp1-a-a-hcp2" and a.links[link.name] is b.links[link.name] is link
    _store(a).put_bytes("dir/one", b"from a")
    _store(b).put_bytes("dir/two", b"from b")
    assert _data(b, "dir/one") == b"from a"
    assert _data(a, "dir/two") == b"from b"
    assert _store(b).current("dir/one").replicated is True
    for side in (a, b):   # the link's counters cover both directions, seen from either side
        assert link.statistics(side)["objectsReplicated"] == 2
        assert link.statistics(side)["bytesReplicated"] == 12


def test_replicated_change_is_not_sent_back(pair):
    a, b = pair
    link = replication.link(a, b)
    _store(a).put_bytes("x", b"1")
    assert link.statistics(a)["objectsReplicated"] == 1
    assert link.pending(a) == link.pending(b) == (0, 0)


def test_delete_metadata_and_directory_replicate(pair):
    a, b = pair
    replication.link(a, b)
    _store(a).put_bytes("d/x", b"1")
    _store(a).mkdir("empty/dir")
    _store(a).set_metadata("d/x", {"index": False})
    assert _store(b).current("d/x").index is False
    assert _store(b).is_dir("empty/dir")
    _store(a).delete("d/x")
    assert _store(b).current("d/x") is None


def test_missing_namespace_and_tenant_are_mirrored(pair):
    a, b = pair
    a.add_tenant("t2").add_namespace("docs", versioning=True, hash_scheme="MD5")
    a.tenants["t2"].add_user("u", "pw")
    replication.link(a, b)
    mirrored = b.namespace("t2", "docs")
    assert mirrored is not None and mirrored.versioning and mirrored.hash_scheme == "MD5"
    assert b.tenants["t2"].users["u"].password == "pw"
    a.tenants["t2"].namespaces["docs"].store.put_bytes("k", b"v")
    assert b.tenants["t2"].namespaces["docs"].store.current("k").blob.read() == b"v"


def test_namespace_created_after_linking_is_mirrored_on_first_change(pair):
    a, b = pair
    replication.link(a, b)
    late = a.tenants["m"].add_namespace("late", replicated=True)
    late.store.put_bytes("obj", b"late data")
    assert b.namespace("m", "late").store.current("obj").blob.read() == b"late data"


def test_unreplicated_namespace_stays_local(pair):
    a, b = pair
    replication.link(a, b)
    a.tenants["m"].namespaces["n1"].replicated = False
    _store(a).put_bytes("private", b"x")
    assert _data(b, "private") is None


def test_suspend_queues_and_resume_flushes(pair):
    a, b = pair
    link = replication.link(a, b)
    link.act(a, "suspend")
    assert link.suspended
    _store(a).put_bytes("q1", b"12345")
    _store(a).put_bytes("q2", b"678")
    assert _data(b, "q1") is None
    assert link.pending(a) == (2, 8)
    stats = link.statistics(a)
    assert (stats["objectsPending"], stats["bytesPending"]) == (2, 8)
    assert link.statistics(b)["objectsPendingRemote"] == 2
    assert link.status() == ("WARNING", "Suspended by user")
    with pytest.raises(LinkStateError, match="already suspended"):
        link.act(b, "suspend")
    link.act(b, "resume")
    assert _data(b, "q1") == b"12345" and _data(b, "q2") == b"678"
    assert link.pending(a) == (0, 0)
    with pytest.raises(LinkStateError, match="not suspended"):
        link.act(a, "resume")


def test_delayed_link_applies_after_the_delay_on_one_thread(pair):
    a, b = pair
    link = replication.link(a, b, delay=0.2)
    before = threading.active_count()
    t0 = time.monotonic()
    _store(a).put_bytes("late", b"data")
    assert _data(b, "late") is None
    assert link.pending(a)[0] == 1
    assert link.wait_idle(5.0)
    assert time.monotonic() - t0 >= 0.2
    assert _data(b, "late") == b"data"
    assert threading.active_count() == before
    link.close()
    assert not any(t.name == f"hcp-link-{link.name}" for t in threading.enumerate())


def test_delayed_link_keeps_order(pair):
    a, b = pair
    link = replication.link(a, b, delay=0.05)
    _store(a).put_bytes("o", b"first")
    _store(a).delete("o")
    _store(a).put_bytes("o", b"second")
    assert link.wait_idle(5.0)
    assert _data(b, "o") == b"second"


def test_active_passive_replica_read_only_until_failover(pair):
    a, b = pair
    link = replication.link(a, b, link_type="OUTBOUND")
    assert link.name == "hcp1-a-p-hcp2"
    assert link.type_for(a) == "OUTBOUND" and link.type_for(b) == "INBOUND"
    assert b.namespace("m", "n1").read_only and not a.namespace("m", "n1").read_only
    _store(a).put_bytes("p", b"primary")
    assert _data(b, "p") == b"primary"
    link.act(b, "failOver")
    assert link.state == "FAILED_OVER"
    assert not b.namespace("m", "n1").read_only
    assert not a.namespace("m", "n1").read_only   # HCP leaves the (presumed lost) primary alone
    _store(b).put_bytes("r", b"written on replica")
    _store(a).put_bytes("p2", b"late primary write")
    assert _data(a, "r") is None and _data(b, "p2") is None   # nothing flows while failed over
    link.act(b, "beginRecovery")
    assert link.state == "RECOVERING"
    assert a.namespace("m", "n1").read_only
    assert _data(a, "r") == b"written on replica"            # recovery copies replica -> primary
    _store(b).put_bytes("r2", b"during recovery")
    assert _data(a, "r2") == b"during recovery"
    link.act(a, "completeRecovery")
    assert link.state == "NORMAL"
    assert not a.namespace("m", "n1").read_only and b.namespace("m", "n1").read_only
    assert _data(b, "p2") == b"late primary write"          # held primary change flows again


@pytest.mark.parametrize("action, link_type, message", [
    ("failBack", "OUTBOUND", "failBack not allowed on OUTBOUND link"),
    ("beginRecovery", "ACTIVE_ACTIVE", "beginRecovery not allowed on ACTIVE_ACTIVE link"),
    ("completeRecovery", "ACTIVE_ACTIVE", "completeRecovery not allowed on ACTIVE_ACTIVE link"),
])
def test_action_not_allowed_for_link_type(pair, action, link_type, message):
    a, b = pair
    link = replication.link(a, b, link_type=link_type)
    with pytest.raises(LinkStateError, match=message):
        link.act(a, action)


def test_failback_on_inbound_side_names_inbound(pair):
    a, b = pair
    link = replication.link(a, b, link_type="OUTBOUND")
    with pytest.raises(LinkStateError, match="failBack not allowed on INBOUND link"):
        link.act(b, "failBack")


def test_active_active_failover_holds_changes_until_failback(pair):
    a, b = pair
    link = replication.link(a, b)
    link.act(b, "failOver")
    assert link.status() == ("WARNING", "Failed over")
    _store(a).put_bytes("x", b"a side")
    _store(b).put_bytes("y", b"b side")
    assert _data(b, "x") is None and _data(a, "y") is None
    assert not a.namespace("m", "n1").read_only and not b.namespace("m", "n1").read_only
    with pytest.raises(LinkStateError, match="failed over"):
        link.act(a, "failOver")
    link.act(a, "failBack")
    assert link.state == "NORMAL"
    assert _data(b, "x") == b"a side" and _data(a, "y") == b"b side"
    with pytest.raises(LinkStateError, match="is normal"):
        link.act(a, "failBack")


def test_recovery_needs_failover_first(pair):
    a, b = pair
    link = replication.link(a, b, link_type="OUTBOUND")
    with pytest.raises(LinkStateError, match="beginRecovery not possible"):
        link.act(b, "beginRecovery")
    link.act(b, "failOver")
    with pytest.raises(LinkStateError, match="completeRecovery not possible"):
        link.act(b, "completeRecovery")


def test_restore_clears_errors_and_reports(pair):
    a, b = pair
    link = replication.link(a, b)
    b.tenants["m"].namespaces["n1"].apply_replicated = _raise  # a broken target namespace
    _store(a).put_bytes("boom", b"x")
    assert link.statistics(a)["errors"] == 1
    link.act(a, "restore")
    assert link.statistics(a)["errors"] == 0
    assert link.status() == ("GOOD", "Link restored")


def _raise(event):
    raise OSError("disk gone")


def test_link_arguments_are_checked(pair):
    a, b = pair
    with pytest.raises(ValueError, match="link_type"):
        replication.link(a, b, link_type="INBOUND")
    with pytest.raises(ValueError, match="itself"):
        replication.link(a, a)
    with pytest.raises(ValueError, match="negative"):
        replication.link(a, b, delay=-1)
    replication.link(a, b, name="x")
    with pytest.raises(ValueError, match="exists"):
        replication.link(a, b, name="x")
    with pytest.raises(ValueError, match="unknown link action"):
        a.links["x"].act(a, "explode")


def test_closed_link_takes_no_more_changes(pair):
    a, b = pair
    link = replication.link(a, b, delay=0.01)
    link.close()
    _store(a).put_bytes("after", b"x")
    assert link.pending(a) == (0, 0)
    assert _data(b, "after") is None
    link.close()  # idempotent


def test_up_to_date_as_of_is_the_oldest_pending_change(pair):
    a, b = pair
    link = replication.link(a, b)
    link.act(a, "suspend")
    before_ms = time.time_ns() // 1_000_000
    _store(a).put_bytes("old", b"x")
    time.sleep(0.01)
    stats = link.statistics(a)
    assert before_ms <= stats["upToDateAsOfMillis"] <= before_ms + 5
    assert stats["upToDateAsOfString"][:4].isdigit() and stats["upToDateAsOfString"][-5] in "+-"
    link.act(a, "resume")
    assert link.statistics(a)["upToDateAsOfMillis"] > stats["upToDateAsOfMillis"]


@pytest.mark.parametrize("delay", [0.0, 0.01])
def test_concurrent_writes_on_both_sides_all_arrive(pair, delay):
    a, b = pair
    link = replication.link(a, b, delay=delay)

    def writer(system: System, prefix: str) -> None:
        for i in range(50):
            _store(system).put_bytes(f"{prefix}/{i}", prefix.encode() * i)

    threads = [threading.Thread(target=writer, args=(s, p)) for s, p in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert link.wait_idle(10)
    for system in (a, b):
        assert sorted(_store(system).objects) == sorted(
            [f"a/{i}" for i in range(50)] + [f"b/{i}" for i in range(50)])
    assert link.statistics(a)["objectsReplicated"] == 100


def test_existing_content_is_replicated_when_the_link_is_made(pair):
    a, b = pair
    ns = a.tenants["m"].add_namespace("hist", versioning=True)
    ns.store.put_bytes("doc", b"v1")
    ns.store.put_bytes("doc", b"v2")
    ns.store.put_annotation("doc", "default", b"<a/>")
    ns.store.mkdir("empty")
    ns.store.put_bytes("gone", b"x")
    ns.store.delete("gone")
    _store(b).put_bytes("on-b", b"b data")
    link = replication.link(a, b)
    copy = b.namespace("m", "hist").store
    assert [v.blob.read() for v in copy.objects["doc"]] == [b"v1", b"v2"]
    assert copy.current("doc").annotations["default"].data == b"<a/>"
    assert copy.is_dir("empty") and copy.current("gone") is None
    assert copy.objects["gone"][-1].deleted
    assert _data(a, "on-b") == b"b data"
    assert link.statistics(a)["objectsReplicated"] == 6


def test_active_passive_initial_copy_goes_one_way(pair):
    a, b = pair
    _store(a).put_bytes("old", b"before the link")
    _store(b).put_bytes("stale", b"on the replica")
    link = replication.link(a, b, link_type="OUTBOUND", delay=0.01)
    assert link.wait_idle(5)
    assert _data(b, "old") == b"before the link"
    assert _data(a, "stale") is None


def test_complete_recovery_needs_a_running_link(pair):
    a, b = pair
    link = replication.link(a, b, link_type="OUTBOUND")
    link.act(b, "failOver")
    link.act(b, "restore")
    assert link.status() == ("WARNING", "Failed over; link restored")
    link.act(b, "beginRecovery")
    link.act(a, "suspend")
    _store(b).put_bytes("held", b"during suspended recovery")
    with pytest.raises(LinkStateError, match="resume it first"):
        link.act(b, "completeRecovery")
    assert _data(a, "held") is None
    link.act(a, "resume")
    assert _data(a, "held") == b"during suspended recovery"
    link.act(b, "completeRecovery")
    assert link.state == "NORMAL"
