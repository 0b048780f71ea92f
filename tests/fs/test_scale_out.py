"""ingest on other executors: a process pool, and a Dask cluster of two worker processes."""
from __future__ import annotations

import concurrent.futures
import hashlib
import os

import pytest

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
    for result, name in zip(report, files):
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


def test_ingest_on_a_dask_cluster_of_two_worker_processes(hcp_emulator, files, folder):
    distributed = pytest.importorskip(
        "distributed", reason="the extra hcpsdk[dask] is not installed "
                              "(python3 -m pip install 'hcpsdk[dask]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        report = ingest(hcp_emulator.target(), files, destination=folder, workers=4,
                        executor=client.get_executor())
        # the workers are other processes: their pids are not this one's
        pids = client.run(os.getpid)
    _check_every_object(hcp_emulator, report, files, folder)
    assert len(pids) == 2 and os.getpid() not in pids.values()
