"""ingest on other executors: a process pool, and a Dask cluster of two worker processes."""
from __future__ import annotations

import concurrent.futures
import hashlib
import os

import pytest
from executor_support import BytesOnly, Inline, dask_client

from hcpsdk import _executors
from hcpsdk.emulator import Emulator
from hcpsdk.ingest import ingest


@pytest.fixture
def files(tmp_path):
    paths = []
    for i in range(60):
        path = tmp_path / f"file{i:03}.txt"
        path.write_bytes(f"content of file {i}\n".encode() * (i + 1))
        paths.append(str(path))
    return paths


def _check_every_object(hcp, report, files, folder):
    assert len(report) == len(files) and not report.failed
    for result, name in zip(report, files, strict=True):
        with open(name, "rb") as f:
            data = f.read()
        assert result.path == f"{folder}/{name.rsplit('/', 1)[1]}"
        assert hcp.get_object(result.path) == data
        assert result.hash == "SHA-256 " + hashlib.sha256(data).hexdigest().upper()


def test_ingest_on_a_process_pool(hcp_emulator, files, folder):
    seen = []
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        report = ingest(hcp_emulator.target(), files, destination=folder, executor=pool,
                        workers=2, progress=lambda r, done, total: seen.append((done, total)))
    _check_every_object(hcp_emulator, report, files, folder)
    assert seen == [(n, len(files)) for n in range(1, len(files) + 1)]


def test_ingest_on_a_thread_pool_shares_the_target(hcp_emulator, files, folder):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        report = ingest(hcp_emulator.target(), files, destination=folder, executor=pool)
    _check_every_object(hcp_emulator, report, files, folder)


def test_progress_exception_stops_the_run(hcp_emulator, files, folder):
    def stop(result, done, total):
        raise KeyError("enough")

    with concurrent.futures.ThreadPoolExecutor(2) as pool, pytest.raises(KeyError):
        ingest(hcp_emulator.target(), files, destination=folder, executor=pool, workers=1,
               progress=stop)


def test_executor_must_be_an_executor(hcp_emulator, files):
    import hcpsdk

    with pytest.raises(hcpsdk.HcpsdkTypeError, match="executor"):
        ingest(hcp_emulator.target(), files, executor=4)


def test_target_with_an_sslcontext_is_refused_for_other_processes(hcp_emulator, files):
    import hcpsdk

    target = hcp_emulator.target(sslcontext=hcp_emulator.client_context())
    with concurrent.futures.ProcessPoolExecutor(1) as pool, \
            pytest.raises(hcpsdk.HcpsdkTypeError, match="sslcontext"):
        ingest(target, files, executor=pool)


def test_any_executor_gets_the_batches(hcp_emulator, files, folder):
    report = ingest(hcp_emulator.target(), files, destination=folder, executor=Inline())
    _check_every_object(hcp_emulator, report, files, folder)


def test_a_batch_travels_to_other_processes_as_one_pickle_and_comes_back_as_one(
        hcp_emulator, files, folder, monkeypatch):
    # an executor like Dask's looks into every element of a task's arguments and result;
    # a list of hundreds of small tuples cost it several times what one bytes object does
    monkeypatch.setattr(_executors, "MIN_BATCH", 1)
    executor = BytesOnly()
    report = ingest(hcp_emulator.target(), files, destination=folder, executor=executor,
                    workers=2)
    _check_every_object(hcp_emulator, report, files, folder)
    assert executor.tasks == 8  # about BATCHES_PER_WORKER batches per worker


def test_a_worker_that_cant_build_the_target_fails_its_files_not_the_run(files, folder):
    with Emulator(nodes=1, domain="gone.example.com") as other:
        resolver = other.resolver()
        resolver.timeout = resolver.lifetime = 0.2  # a silent DNS server: give up soon
        target = other.target(resolver=resolver)
    # that system and its DNS server are gone: the shipped Target can't resolve its name
    report = ingest(target, files[:5], destination=folder, executor=Inline(), workers=1)
    assert len(report.failed) == 5
    assert all(r.error.startswith("IpsError: ") and r.status is None for r in report)


def test_ingest_on_a_dask_cluster_of_two_worker_processes(hcp_emulator, files, folder):
    with dask_client() as client:
        report = ingest(hcp_emulator.target(), files, destination=folder, workers=4,
                        executor=client.get_executor())
        # the workers are other processes: their pids are not this one's
        pids = client.run(os.getpid)
    _check_every_object(hcp_emulator, report, files, folder)
    assert len(pids) == 2 and os.getpid() not in pids.values()


def test_a_lost_batch_fails_its_files_and_the_rest_are_stored(hcp_emulator, files, folder,
                                                            monkeypatch):
    monkeypatch.setattr(_executors, "MIN_BATCH", 1)  # small batches, as of many files
    report = ingest(hcp_emulator.target(), files, destination=folder, executor=Inline(lose=2),
                    workers=1)  # 4 batches of 15 files
    assert [r.source for r in report.failed] == files[15:30]
    assert all("BrokenProcessPool: worker died" in r.error for r in report.failed)
    assert len(report.succeeded) == 45


@pytest.mark.parametrize(("total", "workers", "size"), [
    (2000, 8, 250),       # small jobs: batches of MIN_BATCH, not 32 batches of 63
    (20000, 8, 625),      # many jobs: about 4 batches per worker
    (100, 8, 13),         # few jobs: every worker still gets a batch
    (3, 8, 1), (1, 1, 1), (60, 1, 60)])
def test_batches_are_large_enough_to_outweigh_an_executors_cost_per_task(total, workers, size):
    assert _executors.MIN_BATCH == 250 and _executors.BATCHES_PER_WORKER == 4
    assert _executors.batch_size(total, workers) == size
