"""objects.copy_tree and objects.walk against the emulator: on threads, a process pool and a
Dask cluster of two worker processes (one for the module)."""
from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import hashlib
import os
import threading

import executor_support
import pytest

import hcpsdk
from hcpsdk import _executors, objects

#: The source tree: plain-text names (a ``%``, a blank, non-ASCII), three levels deep.
NAMES = [f"top{i}.txt" for i in range(6)] + [
    f"sub/{i:02}.bin" for i in range(12)] + [
    f"sub/deeper/{i}.dat" for i in range(8)] + [
    "odd/%41 résumé.txt", "odd/a+b=c.txt"]


def _store(hcp, namespace="n2"):
    return hcp.system.namespace("m", namespace).store


@pytest.fixture
def source(hcp_emulator, tree):
    """``tree/src`` in namespace n2 holding NAMES (every third with two annotations)."""
    store = _store(hcp_emulator)
    for i, name in enumerate(NAMES):
        path = f"{tree[6:]}/src/{name}"
        store.put_bytes(path, f"{name} #{i}\n".encode() * (i + 1))
        if i % 3 == 0:
            store.put_annotation(path, "default", f"<n>{i}</n>".encode())
            store.put_annotation(path, "extra", b"<e/>")
    return f"{tree}/src"


def _check_copies(hcp, report, source, destination, metadata=True, namespace="n2",
                  source_namespace="n2"):
    """Every object of NAMES is at ``destination`` with the source's bytes, as reported."""
    assert [r.source for r in report] == sorted(f"{source}/{n}" for n in NAMES)
    assert not report.failed and len(report.succeeded) == len(NAMES) == len(report)
    copies, originals = _store(hcp, namespace), _store(hcp, source_namespace)
    for result in report:
        relative = result.source[len(source):]
        assert result.destination == destination + relative
        original = originals.current(result.source[6:])
        copied = copies.current(result.destination[6:])
        assert copied.blob.read() == original.blob.read()
        assert copied.version_id != original.version_id
        assert result.status == 201 and result.version_id == copied.version_id
        assert result.hash_value == hashlib.sha256(original.blob.read()).hexdigest().upper()
        assert result.node in hcp.addresses and result.ok and result.error is None
        expected = ({k: a.data for k, a in original.annotations.items()} if metadata else {})
        assert {k: a.data for k, a in copied.annotations.items()} == expected
    assert report.seconds > 0


def _target(hcp, namespace="n2", **kw):
    return hcp.target(f"{namespace}.m.{hcp.domain}", **kw)


def test_copy_tree_on_threads_copies_every_object_with_its_annotations(hcp_emulator, source,
                                                                        tree):
    seen = []
    threads = set()

    def progress(result, done, total):
        seen.append((result.source, done, total))
        threads.add(threading.current_thread().name)

    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", workers=4,
                               progress=progress)
    _check_copies(hcp_emulator, report, source, f"{tree}/dst")
    assert [(done, total) for _, done, total in seen] == [
        (n, len(NAMES)) for n in range(1, len(NAMES) + 1)]
    assert sorted(s for s, _, _ in seen) == [r.source for r in report]
    assert threads <= {f"hcpsdk-copy_tree-{i}" for i in range(4)}


def test_copy_tree_without_metadata_copies_the_data_only(hcp_emulator, source, tree):
    report = objects.copy_tree(_target(hcp_emulator), source + "/", f"{tree}/bare/",
                               metadata=False)
    _check_copies(hcp_emulator, report, source, f"{tree}/bare", metadata=False)


def test_copy_tree_on_a_thread_pool(hcp_emulator, source, tree):
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", executor=pool,
                                   workers=3)
    _check_copies(hcp_emulator, report, source, f"{tree}/dst")


def test_copy_tree_sends_each_batch_as_one_pickle_and_gets_one_back(hcp_emulator, source,
                                                                      tree):
    executor = executor_support.BytesOnly()
    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", executor=executor,
                               workers=2)
    _check_copies(hcp_emulator, report, source, f"{tree}/dst")
    assert executor.tasks == 2


def test_copy_tree_on_a_process_pool(hcp_emulator, source, tree):
    seen = []
    caller = threading.current_thread()

    def progress(result, done, total):
        assert threading.current_thread() is caller
        seen.append((done, total))

    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", executor=pool,
                                   workers=2, progress=progress)
    _check_copies(hcp_emulator, report, source, f"{tree}/dst")
    assert seen == [(n, len(NAMES)) for n in range(1, len(NAMES) + 1)]


@pytest.fixture(scope="module")
def dask_client():
    """One Dask cluster of two worker processes for the module's tests."""
    with executor_support.dask_client() as client:
        yield client


def test_copy_tree_on_a_dask_cluster_of_two_worker_processes(hcp_emulator, source, tree,
                                                             dask_client):
    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", workers=4,
                               executor=dask_client.get_executor())
    _check_copies(hcp_emulator, report, source, f"{tree}/dst")
    pids = dask_client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()


def test_copy_tree_on_a_dask_cluster_without_metadata(hcp_emulator, source, tree, dask_client):
    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", workers=4,
                               metadata=False, executor=dask_client.get_executor())
    _check_copies(hcp_emulator, report, source, f"{tree}/dst", metadata=False)


def test_copy_tree_from_another_namespace_of_the_tenant(hcp_emulator, tree):
    originals = _store(hcp_emulator, "n1")
    for name in NAMES:
        originals.put_bytes(f"{tree[6:]}/from-n1/{name}", name.encode())
    report = objects.copy_tree(_target(hcp_emulator), f"{tree}/from-n1", f"{tree}/in-n2",
                               source_target=_target(hcp_emulator, "n1"))
    _check_copies(hcp_emulator, report, f"{tree}/from-n1", f"{tree}/in-n2",
                  source_namespace="n1")
    assert hcp_emulator.requests[-1].headers["x-hcp-copysource"].startswith(f"n1.m/{tree[6:]}/")


def test_an_existing_destination_fails_its_copy_and_the_others_go_on(hcp_emulator, source,
                                                                     tree):
    taken = f"{tree}/dst/sub/03.bin"
    _store(hcp_emulator).put_bytes(taken[6:], b"keep me")
    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", overwrite=False)
    [failed] = report.failed
    assert failed.destination == taken and failed.status == 412 and not failed.ok
    assert "412" in failed.error and failed.version_id is None
    assert len(report.succeeded) == len(NAMES) - 1
    assert hcp_emulator.get_object(taken, "n2.m") == b"keep me"


def test_a_source_that_vanished_fails_its_copy_and_the_others_go_on(hcp_emulator, source,
                                                                    tree):
    last = sorted(f"{source}/{n}" for n in NAMES)[-1]

    def progress(result, done, total):
        if done == 1:  # one worker copies in order: the last object is still to come
            _store(hcp_emulator).delete(last[6:])

    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", workers=1,
                               progress=progress)
    [failed] = report.failed
    assert failed.source == last and failed.status == 404
    assert failed.error.startswith("PUT copy ") and "404" in failed.error
    assert len(report.succeeded) == len(NAMES) - 1


def test_copy_onto_objects_without_versioning_fails_each_but_none_is_lost(hcp_emulator, tree):
    store = _store(hcp_emulator, "n1")
    for name in ("a", "b", "c"):
        store.put_bytes(f"{tree[6:]}/s/{name}", b"new " + name.encode())
    store.put_bytes(f"{tree[6:]}/d/b", b"old b")
    report = objects.copy_tree(_target(hcp_emulator, "n1"), f"{tree}/s", f"{tree}/d")
    assert [(r.destination[len(tree):], r.status) for r in report] == [
        ("/d/a", 201), ("/d/b", 409), ("/d/c", 201)]
    assert hcp_emulator.get_object(f"{tree}/d/b", "n1.m") == b"old b"


def test_a_lost_batch_fails_its_objects_and_the_rest_are_copied(hcp_emulator, source, tree,
                                                               monkeypatch):
    monkeypatch.setattr(_executors, "MIN_BATCH", 1)  # small batches, as of many objects
    report = objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", workers=1,
                               executor=executor_support.Inline(lose=2))  # 4 batches of 7 objects
    assert [r.source for r in report.failed] == [r.source for r in report][7:14]
    assert all("BrokenProcessPool: worker died" in r.error and r.status is None
               for r in report.failed)
    assert len(report.succeeded) == len(NAMES) - 7


@pytest.mark.parametrize("executor", [None, "threads"])
def test_an_exception_in_progress_stops_the_run_and_is_raised(hcp_emulator, source, tree,
                                                              executor):
    calls = []

    def progress(result, done, total):
        calls.append(done)
        raise KeyError("enough")

    with concurrent.futures.ThreadPoolExecutor(1) as pool, pytest.raises(KeyError):
        objects.copy_tree(_target(hcp_emulator), source, f"{tree}/dst", workers=1,
                          progress=progress, executor=pool if executor else None)
    assert calls == [1]
    copied = [p for p, _ in _store(hcp_emulator).list_dir(f"{tree[6:]}/dst")]
    assert len(copied) < len(NAMES)


def test_a_missing_source_is_not_found_and_nothing_is_copied(hcp_emulator, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.copy_tree(_target(hcp_emulator), f"{tree}/none", f"{tree}/dst")


def test_an_empty_source_copies_nothing(hcp_emulator, tree):
    _store(hcp_emulator).mkdir(f"{tree[6:]}/empty")
    report = objects.copy_tree(_target(hcp_emulator), f"{tree}/empty", f"{tree}/dst")
    assert len(report) == 0 and report.failed == [] and report.succeeded == []


@pytest.mark.parametrize("change, error, words", [
    ({"target": "n2.m"}, hcpsdk.HcpsdkTypeError, "target must be an hcpsdk.Target"),
    ({"source": b"/rest/x"}, hcpsdk.HcpsdkTypeError, "source must be"),
    ({"source": "/x/y"}, hcpsdk.HcpsdkArgumentError, "source must be a directory path"),
    ({"source": "/restless"}, hcpsdk.HcpsdkArgumentError, "source must be"),
    ({"destination": "rest/y"}, hcpsdk.HcpsdkArgumentError, "destination must be"),
    ({"destination": "/rest/a\udcff"}, hcpsdk.HcpsdkArgumentError, "lone surrogate"),
    ({"destination": "/rest/src/inner"}, hcpsdk.HcpsdkArgumentError, "outside /rest/src"),
    ({"destination": "/rest/src/"}, hcpsdk.HcpsdkArgumentError, "outside /rest/src"),
    ({"workers": 0}, hcpsdk.HcpsdkArgumentError, "workers must be an int >= 1"),
    ({"workers": "2"}, hcpsdk.HcpsdkTypeError, "workers must be"),
    ({"executor": 4}, hcpsdk.HcpsdkTypeError, "executor must be"),
    ({"metadata": "yes"}, hcpsdk.HcpsdkTypeError, "metadata must be True or False"),
    ({"overwrite": None}, hcpsdk.HcpsdkTypeError, "overwrite must be True or False"),
    ({"progress": 5}, hcpsdk.HcpsdkTypeError, "progress must be"),
    ({"connection_args": [("timeout", 1)]}, hcpsdk.HcpsdkTypeError, "connection_args"),
    ({"source_target": "n1.m"}, hcpsdk.HcpsdkTypeError, "source_target must be"),
])
def test_bad_arguments_are_refused_before_anything_is_sent(hcp_emulator, change, error, words):
    arguments = {"target": _target(hcp_emulator), "source": "/rest/src",
                 "destination": "/rest/dst", **change}
    before = len(hcp_emulator.requests)
    with pytest.raises(error, match=words):
        objects.copy_tree(**arguments)
    assert len(hcp_emulator.requests) == before


def test_a_source_target_of_another_tenant_is_refused(hcp_emulator):
    other = hcp_emulator.target(f"other.t2.{hcp_emulator.domain}")
    before = len(hcp_emulator.requests)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="tenant"):
        objects.copy_tree(_target(hcp_emulator), "/rest/src", "/rest/dst", source_target=other)
    assert len(hcp_emulator.requests) == before


def test_a_target_that_cant_be_pickled_is_refused_before_listing(hcp_emulator):
    target = _target(hcp_emulator, sslcontext=hcp_emulator.client_context())
    before = len(hcp_emulator.requests)
    with concurrent.futures.ProcessPoolExecutor(1) as pool, \
            pytest.raises(hcpsdk.HcpsdkTypeError, match="sslcontext"):
        objects.copy_tree(target, "/rest/src", "/rest/dst", executor=pool)
    assert len(hcp_emulator.requests) == before


def test_listing_entries_pickle_for_other_processes(hcp_emulator, source, connect):
    import pickle

    entries = list(objects.listdir(connect(), source))
    assert pickle.loads(pickle.dumps(entries)) == entries
    assert [e.size for e in pickle.loads(pickle.dumps(entries))] == [e.size for e in entries]


def _steps(walked):
    """A walk's steps as comparable values, in path order."""
    return sorted((path, [d.name for d in dirs], [(o.name, o.size, o.hash_value) for o in objs])
                  for path, dirs, objs in walked)


@pytest.fixture
def one_by_one(connect, source):
    """The steps of the tree ``source`` walked over one Connection (depth-first)."""
    steps = _steps(objects.walk(connect(), source))
    assert [s[0][len(source):] for s in steps] == ["", "/odd", "/sub", "/sub/deeper"]
    return steps


def test_walk_on_a_process_pool_yields_the_same_steps(connect, source, one_by_one):
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        walked = list(objects.walk(connect(), source, executor=pool))
    assert _steps(walked) == one_by_one
    assert all(isinstance(e, objects.Entry) for _, dirs, objs in walked for e in dirs + objs)


def test_walk_on_a_thread_pool_sends_nothing_over_the_given_connection(connect, source,
                                                                       one_by_one):
    given = connect()
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        walked = _steps(objects.walk(given, source, executor=pool))
    assert walked == one_by_one and given.address is None


def test_walk_on_a_dask_cluster_yields_the_same_steps(connect, source, one_by_one,
                                                      dask_client):
    walked = objects.walk([connect()], source, executor=dask_client.get_executor())
    assert _steps(walked) == one_by_one


def test_walk_sends_each_listing_as_one_pickle_and_gets_one_back(connect, source, one_by_one):
    executor = executor_support.BytesOnly()
    assert _steps(objects.walk(connect(), source, executor=executor)) == one_by_one
    assert executor.tasks == 4  # one listing per directory


def test_walk_on_an_executor_can_be_pruned(connect, source):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        seen = []
        for path, dirs, _ in objects.walk(connect(), source, executor=pool):
            seen.append(path[len(source):])
            dirs[:] = [d for d in dirs if d.name != "sub"]
    assert sorted(seen) == ["", "/odd"]


def test_walk_of_a_missing_top_on_a_process_pool_is_not_found(connect, tree):
    with concurrent.futures.ProcessPoolExecutor(1) as pool, \
            pytest.raises(hcpsdk.HcpsdkNotFoundError, match="404"):
        list(objects.walk(connect(), f"{tree}/none", executor=pool))


def test_walk_refuses_what_is_no_executor_before_sending(connect, hcp_emulator):
    before = len(hcp_emulator.requests)
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="executor must be"):
        objects.walk(connect(), "/rest/x", executor=2)
    assert len(hcp_emulator.requests) == before


def test_a_listing_the_executor_lost_ends_the_walk_with_its_error(connect, source):
    walked = objects.walk(connect(), source, executor=executor_support.Inline(lose=2))
    first = next(walked)
    assert first[0] == source
    with pytest.raises(concurrent.futures.process.BrokenProcessPool, match="worker died"):
        list(walked)
