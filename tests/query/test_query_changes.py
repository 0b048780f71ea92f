"""The change feed (operation queries): what it reports, its filters, and a reader that
restarts from a stored cursor while changes keep coming."""
from __future__ import annotations

import random
import threading
import uuid

import pytest
from query_support import DOMAIN, put, store

import hcpsdk
from hcpsdk.emulator import Emulator
from hcpsdk.query import (
    ChangeCursor,
    QueryForbiddenError,
    QueryRequestError,
    Search,
)


@pytest.fixture
def feed_dir():
    """A fresh directory in namespace feed (versioning), so tests don't see each other."""
    return "t" + uuid.uuid4().hex[:8]


@pytest.fixture
def feed_con(mqe):
    with hcpsdk.Connection(mqe.target(f"feed.m.{DOMAIN}")) as con:
        yield con


def _ok(con, status=(200, 201)):
    con.read()
    assert con.response_status in status, (con.response_status,
                                           con.getheader("X-HCP-ErrorMessage"))


def cursor(feed_dir, **kw):
    return ChangeCursor(namespaces=["feed.m"], directories=[f"/{feed_dir}"], **kw)


def test_feed_reports_creates_deletes_purges_and_metadata_changes(search, feed_con, feed_dir):
    d = f"/rest/{feed_dir}"
    for path in ("a", "b", "c"):
        feed_con.PUT(f"{d}/{path}", body=path.encode())
        _ok(feed_con)
    feed_con.DELETE(f"{d}/b")                                 # versioning: a delete marker
    _ok(feed_con)
    feed_con.POST(f"{d}/a", params={"shred": "true"})         # a metadata change
    _ok(feed_con)
    feed_con.DELETE(f"{d}/c", params={"purge": "true"})       # every version purged
    _ok(feed_con)
    records = list(search.changes(cursor(feed_dir, properties=["objectPath", "shred", "size"])))
    got = [(r.object_path, r.operation) for r in records]
    path = f"/{feed_dir}"
    # b's first version stays CREATED, its marker is DELETED; a moved to its change time
    assert got == [(f"{path}/b", "CREATED"), (f"{path}/b", "DELETED"), (f"{path}/a", "CREATED"),
                   (f"{path}/c", "PURGED")]
    assert records[2].shred is True and records[2].size == 1
    times = [float(r.change_time_ms) for r in records]
    assert times == sorted(times)


def test_transactions_filter_and_time_window(mqe, search, feed_dir):
    for i in range(6):
        put(mqe, "feed", f"{feed_dir}/o{i}", b"x")
    store(mqe, "feed").delete(f"{feed_dir}/o1")
    store(mqe, "feed").delete(f"{feed_dir}/o2", purge=True)
    all_records = list(search.changes(cursor(feed_dir)))
    ops = [r.operation for r in all_records]
    assert ops.count("CREATED") == 5 and ops.count("DELETED") == 1 and ops.count("PURGED") == 1
    deleted = list(search.changes(cursor(feed_dir, transactions=["delete", "purge"])))
    assert [r.operation for r in deleted] == ["DELETED", "PURGED"]
    # a window from the third record's change time to the fifth's (inclusive, in ms)
    ms = [int(float(r.change_time_ms)) for r in all_records]
    window = list(search.changes(cursor(feed_dir, start=ms[2], end=ms[4])))
    assert window and all(ms[2] <= int(float(r.change_time_ms)) <= ms[4] for r in window)
    assert {r.url_name for r in window} <= {r.url_name for r in all_records}
    assert list(search.changes(cursor(feed_dir, end=ms[0] - 1))) == []


def test_indexable_filter(mqe, search, feed_dir):
    put(mqe, "feed", f"{feed_dir}/yes", index=True)
    put(mqe, "feed", f"{feed_dir}/no", index=False)
    got = [r.url_name.rpartition("/")[2] for r in search.changes(cursor(feed_dir, indexable=False))]
    assert got == ["no"]


def test_unknown_and_unsearchable_namespaces_are_refused(search):
    with pytest.raises(QueryRequestError) as info:
        list(search.changes(ChangeCursor(namespaces=["nope.m"])))
    assert info.value.status == 400 and "nope.m" in info.value.hcp_message
    with pytest.raises(QueryForbiddenError):
        list(search.changes(ChangeCursor(namespaces=["quiet.m"])))


def test_changes_made_before_the_emulator_started_are_in_the_feed():
    early = Emulator(nodes=1, domain="early.example.com")
    store = early.system.namespace("m", "n1").store
    store.put_bytes("before/one", b"1")
    store.put_bytes("before/two", b"2")
    with early:
        store.delete("before/one")
        with Search(early.target(early.tenant_fqdn, port=early.https_port)) as search:
            got = [(r.url_name.rpartition("/")[2], r.operation) for r in search.changes()]
    assert got == [("two", "CREATED"), ("one", "DELETED")]


def test_a_reader_restarted_from_its_stored_cursor_misses_nothing_and_repeats_nothing(
        mqe, tenant_target, feed_dir):
    rng = random.Random(15)
    stop = threading.Event()
    written = threading.Event()

    def writer():
        with hcpsdk.Connection(mqe.target(f"feed.m.{DOMAIN}")) as con:
            live: list[str] = []
            for i in range(240):
                action = rng.random()
                if live and action < 0.2:
                    con.DELETE(f"/rest/{feed_dir}/{live.pop(rng.randrange(len(live)))}")
                elif live and action < 0.35:
                    con.POST(f"/rest/{feed_dir}/{rng.choice(live)}",
                             params={"index": rng.choice(["true", "false"])})
                else:
                    name = f"o{i:03d}"
                    con.PUT(f"/rest/{feed_dir}/{name}", body=b"x" * i)
                    live.append(name)
                con.read()
                if i == 60:
                    written.set()
        stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(10)
        saved = cursor(feed_dir).to_json()     # what the reader keeps on disk
        seen: list[tuple[str, int, str, str]] = []
        restarts = 0
        while True:
            finished = stop.is_set()
            # a new process: nothing but the stored cursor survives
            with Search(tenant_target) as search:
                feed = search.changes(ChangeCursor.from_json(saved), page_size=7)
                for n, record in enumerate(feed):
                    seen.append((record.url_name, record.version, record.change_time_ms,
                                 record.operation))
                    saved = feed.cursor.to_json()
                    if n == 22:                # the reader dies after its 23rd record
                        break
                else:
                    if finished:
                        break
            restarts += 1
    finally:
        thread.join()
    assert restarts > 5
    keys = [(url, version, change) for url, version, change, _ in seen]
    assert len(keys) == len(set(keys)), "a record was read twice"
    with Search(tenant_target) as search:
        final = {(r.url_name, r.version, r.change_time_ms, r.operation)
                 for r in search.changes(cursor(feed_dir))}
    assert final <= set(seen), f"missed {sorted(final - set(seen))[:3]}"
    # and what the reader saw last of each version is its state now
    last = {}
    for url, version, change, op in seen:
        last[(url, version)] = (change, op)
    assert {(u, v, c, o) for (u, v), (c, o) in last.items()} == final


def test_a_server_side_copy_is_a_creation_in_the_feed(search, feed_con, feed_dir):
    feed_con.PUT(f"/rest/{feed_dir}/original", body=b"data")
    _ok(feed_con)
    feed_con.PUT(f"/rest/{feed_dir}/copy", headers={
        "X-HCP-CopySource": f"feed.m/rest/{feed_dir}/original"})
    _ok(feed_con)
    got = [(r.object_path, r.operation, r.size)
           for r in search.changes(cursor(feed_dir, properties=["objectPath", "size"]))]
    assert got == [(f"/{feed_dir}/original", "CREATED", 4), (f"/{feed_dir}/copy", "CREATED", 4)]


def test_a_compacted_log_still_resumes_a_cursor_that_points_at_a_dropped_record(monkeypatch):
    from hcpsdk.emulator import changelog

    monkeypatch.setattr(changelog, "COMPACT_AFTER", 5)
    with Emulator(nodes=1, domain="compact.example.com") as hcp:
        s = hcp.system.namespace("m", "n1").store
        log = changelog.of(hcp.system)
        s.put_bytes("a", b"")
        s.put_bytes("b", b"")
        with Search(hcp.target(hcp.tenant_fqdn, port=hcp.https_port)) as search:
            feed = search.changes(page_size=1)
            assert next(iter(feed)).url_name.endswith("/a")   # the reader stands after a
            saved = feed.cursor.to_json()
            for flag in [True, False] * 20:                      # a's record moves on and on
                s.set_metadata("a", {"index": flag})
            s.put_bytes("c", b"")
            assert len(log.records) < 20                         # dead records were dropped
            rest = [r.url_name.rpartition("/")[2]
                    for r in search.changes(ChangeCursor.from_json(saved))]
    assert rest == ["b", "a", "c"]
