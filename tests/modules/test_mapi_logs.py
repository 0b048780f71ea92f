"""hcpsdk.mapi.Logs against the emulator: mark, prepare, status, download, cancel, errors."""
from __future__ import annotations

import datetime
import io
import os
import time
import urllib.parse
import zipfile
from collections import OrderedDict

import pytest

from hcpsdk.emulator import mapi_logs
from hcpsdk.emulator.mapi_log_package import unpack
from hcpsdk.exceptions import HcpsdkError, HcpsdkPortError, HcpsdkStatusError
from hcpsdk.mapi import Logs, LogsArgumentError, LogsError, LogsInProgessError, LogsStatusError

TODAY = datetime.date.today()


@pytest.fixture
def logs(hcp, admin_target):
    with Logs(admin_target) as lg:
        lg.cancel()  # no preparation left over from another test
        yield lg
        mapi_logs.configure(hcp.system, prepare_seconds=0)
        lg.cancel()


def last_request(hcp, method: str, path: str):
    return [r for r in hcp.requests if r.method == method and r.path == path][-1]


def test_constants():
    assert Logs.L_ALL == [Logs.L_ACCESS, Logs.L_SYSTEM, Logs.L_SERVICE, Logs.L_APPLICATION] == \
        ["ACCESS", "SYSTEM", "SERVICE", "APPLICATION"]


def test_mark_sends_the_message(hcp, logs):
    logs.mark("hello world & more")
    record = last_request(hcp, "POST", "/mapi/logs")
    assert urllib.parse.parse_qs(record.query) == {"mark": ["hello world & more"]}
    assert record.status == 200


def test_mark_needs_a_message(hcp, logs):
    before = len(hcp.requests)
    with pytest.raises(LogsArgumentError) as info:
        logs.mark("")
    assert isinstance(info.value, LogsError) and isinstance(info.value, ValueError)
    assert len(hcp.requests) == before


def test_prepare_status_download_round_trip(hcp, logs):
    logs.mark("marker for the download test")
    start = TODAY - datetime.timedelta(days=1)
    result = logs.prepare(start, TODAY)
    assert result == (start, TODAY, logs.prepare_xml)
    assert f"<startDate>{start:%m/%d/%Y}</startDate>" in logs.prepare_xml
    assert (logs.startdate, logs.enddate) == (start, TODAY)

    status = logs.status()
    assert type(status) is OrderedDict
    assert status == OrderedDict([("readyForStreaming", True), ("streamingInProgress", False),
                                  ("started", True), ("error", False),
                                  ("content", ["ACCESS", "SYSTEM", "SERVICE", "APPLICATION"])])

    progress: list[int] = []
    hdl, filename = logs.download(progresshook=progress.append)
    try:
        assert filename == logs.suggestedfilename and filename.endswith(".zip")
        assert logs.hdl is hdl and hdl.tell() == 0
        data = hdl.read()
    finally:
        hdl.close()
    assert progress and progress[-1] == len(data) and progress == sorted(progress)
    logs_of = unpack(data)
    assert set(logs_of) == {a.rsplit(".", 1)[1] for a in hcp.addresses}
    for files in logs_of.values():
        assert set(files) == {"http_gateway_request.log.0", "mapi_gateway_request.log.0",
                              "admin_request.log.0", "system.log.0", "service.log.0",
                              "application.log.0"}
    text = "".join(files["system.log.0"].decode() for files in logs_of.values())
    assert "marker for the download test" in text


def test_download_selected_logs_into_given_handle(hcp, logs):
    logs.prepare(TODAY, TODAY)
    target = io.BytesIO()
    hdl, _ = logs.download(hdl=target, logs=[Logs.L_ACCESS])
    assert hdl is target
    for files in unpack(hdl.getvalue()).values():
        assert set(files) == {"http_gateway_request.log.0", "mapi_gateway_request.log.0",
                              "admin_request.log.0"}
    body = last_request(hcp, "POST", "/mapi/logs/download")
    assert body.status == 200


def test_download_visible_temporary_file(logs):
    logs.prepare(TODAY, TODAY)
    hdl, _ = logs.download(hidden=False)
    try:
        assert os.path.exists(hdl.name)
        assert zipfile.is_zipfile(hdl)
    finally:
        hdl.close()


def test_status_does_not_sleep(logs):
    start = time.perf_counter()
    for _ in range(3):
        logs.status()
    assert time.perf_counter() - start < 1.5  # 0.9.5 slept 0.5 s in each call


def test_prepare_while_in_progress_then_cancel(hcp, logs):
    mapi_logs.configure(hcp.system, prepare_seconds=60)
    logs.prepare(TODAY, TODAY)
    status = logs.status()
    assert (status["started"], status["readyForStreaming"]) == (True, False)
    with pytest.raises(LogsInProgessError) as info:
        logs.prepare(TODAY, TODAY)
    assert isinstance(info.value, HcpsdkStatusError) and info.value.status == 400
    assert "prepare" in info.value.reason and info.value.hcp_message in info.value.reason
    with pytest.raises(LogsStatusError) as info:
        logs.download()
    assert info.value.status == 400 and "download" in info.value.reason
    assert logs.cancel() is True
    assert logs.status()["started"] is False


@pytest.mark.parametrize("args, match", [
    (("2024-01-01", TODAY), "datetime.date"),
    ((TODAY, TODAY - datetime.timedelta(days=1)), "after"),
    ((TODAY, TODAY, "snode70"), "list"),
])
def test_prepare_bad_arguments(hcp, logs, args, match):
    before = len(hcp.requests)
    with pytest.raises(LogsArgumentError, match=match):
        logs.prepare(*args)
    assert len(hcp.requests) == before


def test_download_unknown_log_name(hcp, logs):
    before = len(hcp.requests)
    with pytest.raises(LogsArgumentError, match="SECRETLOG"):
        logs.download(logs=["SECRETLOG"])
    assert len(hcp.requests) == before


def test_download_unknown_node_is_refused_by_hcp(logs):
    logs.prepare(TODAY, TODAY)
    with pytest.raises(LogsStatusError) as info:
        logs.download(nodes=[999])
    assert info.value.status == 400 and "999" in info.value.hcp_message


def test_wrong_port(hcp):
    with pytest.raises(HcpsdkPortError):
        Logs(hcp.target())


def test_wrong_password(bad_admin_target):
    with Logs(bad_admin_target) as lg:
        for call, args in ((lg.mark, ("x",)), (lg.prepare, ()), (lg.status, ()), (lg.download, ()),
                           (lg.cancel, ())):
            with pytest.raises(LogsError) as info:
                call(*args)
            assert isinstance(info.value, HcpsdkStatusError) and isinstance(info.value, HcpsdkError)
            assert info.value.status == 403
            assert call.__name__ in info.value.reason and info.value.hcp_message in info.value.reason


def test_progresshook_error_leaves_connection_usable(logs):
    logs.prepare(TODAY, TODAY)

    def hook(total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        logs.download(progresshook=hook)
    assert logs.status()["started"] is True
