"""hcpsdk.ingest against the emulator: every file stored, spread over all nodes, errors per file."""
from __future__ import annotations

import concurrent.futures
import hashlib
import os
import uuid

import pytest

import hcpsdk
from hcpsdk.ingest import INLINE_LIMIT, IngestReport, IngestResult, ingest
from hcpsdk.pathbuilder import PathBuilder


def _sha256(name: str) -> str:
    with open(name, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest().upper()


def _folder() -> str:
    return f"/rest/ingest/{uuid.uuid4().hex}"


def test_every_file_is_stored_with_a_result_in_input_order(hcp, target, make_files):
    files = make_files(24)
    folder = _folder()
    report = ingest(target, files, workers=8, destination=folder)
    assert isinstance(report, IngestReport)
    assert [r.source for r in report] == files
    assert report.failed == []
    for name, result in zip(files, report, strict=True):
        assert result.ok and result.error is None
        assert result.path == f"{folder}/{os.path.basename(name)}"
        assert result.status == 201
        assert result.hash == "SHA-256 " + _sha256(name)
        assert result.node in hcp.addresses
        assert result.size == 2048
        with open(name, "rb") as f:
            assert hcp.get_object(result.path) == f.read()
    assert report.bytes == 24 * 2048
    assert report.seconds > 0


def test_eight_workers_open_two_connections_on_each_of_four_nodes(hcp, target, make_files):
    files = make_files(64, size=256)
    before = [hcp.stats(node)["accepted"] for node in range(4)]
    # Every answer waits until all eight workers have sent a request: a worker thread the
    # scheduler starts late would otherwise find every file taken and never connect.
    hcp.faults.stall()
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as caller:
            running = caller.submit(ingest, target, files, workers=8, destination=_folder())
            all_sent = hcp.wait_for(lambda: hcp.faults.held() == 8)
            hcp.faults.clear()
            report = running.result()
    finally:
        hcp.faults.clear()
    assert all_sent
    accepted = [hcp.stats(node)["accepted"] - before[node] for node in range(4)]
    assert accepted == [2, 2, 2, 2]
    assert sorted(report.nodes) == sorted(hcp.addresses)
    assert sum(report.nodes.values()) == 64


def test_connections_are_persistent_and_closed_at_the_end(hcp, target, make_files):
    files = make_files(40, size=128)
    before = hcp.stats()
    ingest(target, files, workers=4, destination=_folder())
    after = hcp.stats()
    assert after["accepted"] - before["accepted"] == 4
    assert after["requests"] - before["requests"] == 40
    assert hcp.wait_for(lambda: hcp.stats()["open"] == before["open"])


def test_pathbuilder_gives_unique_paths_and_stores_the_annotation(hcp, target, make_files):
    files = make_files(6, size=100)
    builder = PathBuilder(initialpath="/rest/ingest-pb", annotation=True)
    report = ingest(target, files, workers=3, pathbuilder=builder)
    assert report.failed == []
    with hcpsdk.Connection(target) as con:
        for name, result in zip(files, report, strict=True):
            objectname = result.path.rsplit("/", 1)[1]
            assert builder.getpath(objectname) == result.path
            with open(name, "rb") as f:
                assert hcp.get_object(result.path) == f.read()
            con.GET(result.path, params={"type": "custom-metadata"})
            annotation = con.read().decode()
            assert con.response_status == 200
            assert f'filename="{os.path.basename(name)}"' in annotation


def test_pathbuilder_without_annotation_sends_one_request_per_file(hcp, target, make_files):
    files = make_files(5, size=10)
    before = hcp.stats()["requests"]
    report = ingest(target, files, workers=2, pathbuilder=PathBuilder("/rest/ingest-pb2"))
    assert report.failed == []
    assert hcp.stats()["requests"] - before == 5
    assert all(r.path.startswith("/rest/ingest-pb2/") for r in report)


def test_tuples_give_the_object_path_relative_ones_go_under_destination(hcp, target,
                                                                          make_files):
    a, b = make_files(2, size=10)
    folder = _folder()
    report = ingest(target, [(a, folder + "/x/abs.bin"), (b, "rel/b.bin")], workers=2,
                    destination=folder)
    assert [r.path for r in report] == [folder + "/x/abs.bin", folder + "/rel/b.bin"]
    assert report.failed == []
    assert hcp.get_object(folder + "/rel/b.bin") is not None


def test_errors_are_collected_per_file_and_the_run_goes_on(hcp, target, make_files, tmp_path):
    files = make_files(6, size=64)
    folder = _folder()
    hcp.put_object(folder + "/" + os.path.basename(files[2]), b"already there")
    missing = str(tmp_path / "does-not-exist.bin")
    report = ingest(target, files[:3] + [missing] + files[3:], workers=3, destination=folder)
    failed = {r.source: r for r in report.failed}
    assert set(failed) == {files[2], missing}
    conflict = failed[files[2]]
    assert conflict.status == 409
    assert "409" in conflict.error and conflict.path in conflict.error
    assert conflict.node in hcp.addresses
    assert failed[missing].status is None
    assert "does-not-exist.bin" in failed[missing].error
    assert len(report.succeeded) == 6 - 1
    assert hcp.get_object(folder + "/" + os.path.basename(files[2])) == b"already there"


def test_a_node_that_is_down_is_avoided_and_nothing_is_lost(hcp, target, faults, make_files):
    faults.down(1)
    files = make_files(16, size=64)
    report = ingest(target, files, workers=4, destination=_folder(),
                    connection_args={"timeout": 5})
    assert report.failed == []
    assert hcp.addresses[1] not in report.nodes
    for result in report:
        assert hcp.get_object(result.path) is not None


def test_every_file_fails_with_a_reason_when_no_node_answers(hcp, target, faults, make_files):
    files = make_files(3, size=10)
    for node in range(4):
        faults.down(node)
    report = ingest(target, files, workers=2, destination=_folder(),
                    connection_args={"retries": 0})
    assert len(report.failed) == 3
    assert all("HcpsdkCantConnectError" in r.error for r in report)


def test_large_files_are_streamed_and_stored_intact(hcp, target, make_files):
    files = make_files(2, size=INLINE_LIMIT + 4096)
    report = ingest(target, files, workers=2, destination=_folder())
    assert report.failed == []
    for name, result in zip(files, report, strict=True):
        assert result.size == INLINE_LIMIT + 4096
        assert result.hash == "SHA-256 " + _sha256(name)


def test_progress_is_called_once_per_file_never_concurrently(target, make_files):
    files = make_files(30, size=32)
    calls = []
    inside = []

    def progress(result, done, total):
        assert not inside, "progress called concurrently"
        inside.append(1)
        calls.append((result.source, done, total, result.ok))
        inside.pop()

    ingest(target, files, workers=8, destination=_folder(), progress=progress)
    assert [c[1] for c in calls] == list(range(1, 31))
    assert {c[2] for c in calls} == {30}
    assert sorted(c[0] for c in calls) == sorted(files)
    assert all(c[3] for c in calls)


def test_an_exception_in_progress_stops_the_run_and_is_raised(target, make_files):
    files = make_files(40, size=32)
    seen = []

    def progress(result, done, total):
        seen.append(done)
        if done == 3:
            raise KeyboardInterrupt("stop it")

    with pytest.raises(KeyboardInterrupt, match="stop it"):
        ingest(target, files, workers=2, destination=_folder(), progress=progress)
    assert seen == [1, 2, 3]


def test_headers_and_params_go_with_every_put_and_stay_unchanged(hcp, target, make_files):
    files = make_files(3, size=8)
    headers = {"X-Test": "1"}
    before = len(hcp.requests)
    report = ingest(target, files, workers=1, destination=_folder(), headers=headers,
                    params={"index": "true"})
    assert report.failed == []
    assert headers == {"X-Test": "1"}
    puts = [r for r in hcp.requests[before:] if r.method == "PUT"]
    assert len(puts) == 3
    assert all(r.query == "index=true" and r.headers.get("x-test") == "1" for r in puts)


def test_bad_worker_count_is_refused(target):
    with pytest.raises(ValueError):
        ingest(target, [], workers=0)


def test_no_files_gives_an_empty_report(target):
    report = ingest(target, [])
    assert report == [] and report.failed == [] and report.nodes == {}


def test_result_repr_names_file_path_status_and_error():
    result = IngestResult("a.bin", "/rest/a.bin")
    result.status, result.error = 409, "PUT /rest/a.bin: 409"
    text = repr(result)
    assert "a.bin" in text and "409" in text and "error=" in text
    assert not result.ok


def test_module_is_reachable_from_the_package():
    assert hcpsdk.ingest.ingest is ingest


def test_an_unexpected_error_is_recorded_for_its_file_only(target, make_files):
    good = make_files(2, size=8)
    report = ingest(target, [good[0], (3.5, "odd.bin"), good[1]], workers=1,
                    destination=_folder())
    assert [r.ok for r in report] == [True, False, True]
    assert report[1].status is None and report[1].error.startswith("TypeError")


def test_verify_compares_each_file_with_the_hash_hcp_answered(hcp, target, make_files):
    small = make_files(3, size=300)
    large = make_files(1, size=INLINE_LIMIT + 10, prefix="big")
    report = ingest(target, small + large, workers=2, destination=_folder(), verify=True)
    assert report.failed == []
    assert [r.hash for r in report] == ["SHA-256 " + _sha256(n) for n in small + large]


def test_verify_fails_a_file_with_a_wrong_or_missing_hash(tmp_path):
    import http.server
    import threading

    class NoHash(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_PUT(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            if "wrong" in self.path:
                self.send_header("X-HCP-Hash", "SHA-256 " + "0" * 64)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NoHash)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        name = tmp_path / "a.bin"
        name.write_bytes(b"abc")
        plain = hcpsdk.Target("127.0.0.1", hcpsdk.NativeAuthorization("n", "n01"),
                              port=server.server_address[1], tls=False)
        report = ingest(plain, [(str(name), "/rest/ok.bin"), (str(name), "/rest/wrong.bin")],
                        workers=1, verify=True)
        assert [r.status for r in report] == [201, 201]
        assert "no X-HCP-Hash" in report[0].error
        assert "/rest/wrong.bin" in report[1].error and _sha256(str(name)) in report[1].error
        assert ingest(plain, [str(name)], workers=1).failed == []
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
