"""The store's running total of used bytes matches a full recount after every kind of change.

``ObjectStore.used_bytes()`` is kept as a running total (a PUT must not sum every version:
that was O(objects) per PUT); these tests recount it the slow way after each mutation.
"""
import uuid

from hcpsdk.emulator.model import ChangeEvent


def _recount(store):
    with store.lock:
        return sum(v.size for versions in store.objects.values() for v in versions
                   if v.blob is not None)


def _check(store):
    assert store.used_bytes() == _recount(store)


def test_running_total_with_versions_markers_and_purge(hcp):
    store = hcp.system.namespace("m", "n2").store  # n2 keeps versions
    assert hcp.system.namespace("m", "n2").versioning
    base = f"used-{uuid.uuid4().hex}"
    _check(store)
    before = store.used_bytes()
    store.put_bytes(base + "/a", b"x" * 100)
    v2 = store.put_bytes(base + "/a", b"y" * 30)
    store.put_bytes(base + "/b", b"z" * 7)
    assert store.used_bytes() == before + 137
    _check(store)
    store.delete(base + "/a")                         # a delete marker: nothing freed
    assert store.used_bytes() == before + 137
    _check(store)
    store.delete_version(base + "/a", v2.version_id)  # one old version
    assert store.used_bytes() == before + 107
    _check(store)
    store.delete(base + "/a", purge=True)             # every version
    store.delete(base + "/b", purge=True)
    assert store.used_bytes() == before
    _check(store)


def test_running_total_without_versioning_and_replicated_changes(hcp):
    ns = hcp.system.namespace("m", "n1")
    assert not ns.versioning
    store = ns.store
    base = f"used-{uuid.uuid4().hex}"
    before = store.used_bytes()
    v = store.put_bytes(base + "/a", b"q" * 50)
    assert store.used_bytes() == before + 50
    store.delete(base + "/a")                         # no versioning: the data goes
    assert store.used_bytes() == before
    _check(store)
    # a change replicated from another system (applied without an event of its own)
    store.apply_event(ChangeEvent("put", "m", "n1", base + "/r", v))
    assert store.used_bytes() == before + 50
    _check(store)
    store.apply_event(ChangeEvent("purge", "m", "n1", base + "/r", {}))
    assert store.used_bytes() == before
    _check(store)
