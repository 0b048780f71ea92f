"""Log packages in HCP's layout, whose access logs hold the requests the emulator served."""
from __future__ import annotations

import io
import re
import tarfile
import time
import zipfile
from datetime import date

import pytest
from emulator_support import Client

from hcpsdk.emulator import accesslog

_PREPARE = ("<logPrepare><startDate>{d}</startDate><endDate>{d}</endDate>"
            "<snodes></snodes></logPrepare>")
_LINE = re.compile(r'(?P<client>\S+) - (?P<user>\S+) \[(?P<time>\d\d/[A-Z][a-z]{2}/\d{4}:'
                   r'\d\d:\d\d:\d\d [+-]\d{4})\] "(?P<request>[^"]*)" (?P<status>\d+) '
                   r"(?P<sent>\d+)(?P<rest>( \S+)*)")


@pytest.fixture
def mapi(hcp):
    with Client(hcp, port=hcp.mapi_port, host=hcp.admin_fqdn,
                auth=(hcp.admin_user, hcp.admin_password)) as c:
        yield c


def _download(mapi, node: str, content: str = "ACCESS") -> bytes:
    today = date.today().strftime("%m/%d/%Y")
    headers = {"Content-Type": "application/xml"}
    assert mapi.POST("/mapi/logs/prepare", _PREPARE.format(d=today), headers=headers).status == 200
    body = (f"<logDownload><nodes>{node}</nodes><snodes></snodes>"
            f"<content>{content}</content></logDownload>")
    answer = mapi.POST("/mapi/logs/download", body, headers=headers)
    assert answer.status == 200
    return answer.body


def _tar(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:bz2") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def test_package_has_hcps_layout(hcp, mapi):
    node = hcp.addresses[1].rsplit(".", 1)[1]
    data = _download(mapi, node)
    assert mapi.request("POST", "/mapi/logs?cancel").status == 200
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        top = names[0].split("/")[0]
        assert re.fullmatch(rf"HCPLogs-admin\.{re.escape(hcp.domain)}-acc-\d{{8}}-\d{{4}}", top)
        assert sorted(names) == [f"{top}/{node}.tar.bz2", f"{top}/manifest.csv"]
        manifest = archive.read(f"{top}/manifest.csv").decode().splitlines()
        node_archive = archive.read(f"{top}/{node}.tar.bz2")
    table = manifest[manifest.index('"Node IP","Archive","Size"') + 1:]
    assert table[0].split(",") == [hcp.addresses[1], f"{top}/{node}.tar.bz2",
                                   str(len(node_archive))]
    assert table[1] == ""
    stamp = top[-13:]
    inner = _tar(node_archive)
    assert list(inner) == [f"{int(node):03}/var/ris/retired/access-logs-{stamp}.tar.bz2"]
    logs = _tar(next(iter(inner.values())))
    assert sorted(logs) == [f"{stamp}/admin_request.log.0", f"{stamp}/http_gateway_request.log.0",
                            f"{stamp}/mapi_gateway_request.log.0"]


def _access_files(data: bytes) -> dict[str, bytes]:
    """The access log files of a one-node package, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (member,) = [n for n in archive.namelist() if n.endswith(".tar.bz2")]
        node_archive = archive.read(member)
    (access,) = _tar(node_archive).values()
    return {name.rsplit("/", 1)[1]: body for name, body in _tar(access).items()}


def _lines(text: bytes, needle: str) -> list[re.Match[str]]:
    found = [_LINE.fullmatch(line) for line in text.decode().splitlines() if needle in line]
    assert all(found), text
    return [m for m in found if m is not None]


def test_access_logs_hold_every_request_served_in_hcps_format(hcp, mapi, unique):
    node = hcp.addresses[0].rsplit(".", 1)[1]
    before = time.time()
    with Client(hcp) as rest:
        assert rest.PUT(f"{unique}/a%20b.txt?retention=0", b"12345").status == 201
        assert rest.GET(f"{unique}/a%20b.txt").status == 200
        assert rest.GET(f"{unique}/missing").status == 404
        client = rest.conn.sock.getsockname()[0]
    with Client(hcp, host=f"default.default.{hcp.domain}", auth=None) as fcfs:
        assert fcfs.PUT(f"/fcfs_data{unique[5:]}/f", b"xy").status == 201
    assert mapi.GET(f"/mapi/tenants?{unique[-8:]}").status == 200
    files = _access_files(_download(mapi, node))
    assert files
    http = _lines(files["http_gateway_request.log.0"], unique[5:])
    assert [m["request"] for m in http] == [
        f"PUT {unique}/a%20b.txt?retention=0 HTTP/1.1", f"GET {unique}/a%20b.txt HTTP/1.1",
        f"GET {unique}/missing HTTP/1.1", f"PUT /fcfs_data{unique[5:]}/f HTTP/1.1"]
    assert [(m["status"], m["sent"], m["user"]) for m in http] == [
        ("201", "0", "n"), ("200", "5", "n"), ("404", "0", "n"), ("201", "0", "-")]
    assert {m["client"] for m in http[:3]} == {client}
    put, fcfs_put = http[0]["rest"].split(), http[3]["rest"].split()
    assert put[0] == "n1.m" and put[2:] == [f"{int(node):03}", "5"] and put[1].isdigit()
    assert len(fcfs_put) == 1 and fcfs_put[0].isdigit()     # no namespace: HCP 7's 11 fields
    stamp = time.strftime("%d/%b/%Y:%H:%M", time.localtime(before))
    assert http[0]["time"][:17] in (stamp, time.strftime("%d/%b/%Y:%H:%M"))
    mapi_lines = _lines(files["mapi_gateway_request.log.0"], unique[-8:])
    assert [(m["request"], m["status"], m["user"]) for m in mapi_lines] == [
        (f"GET /mapi/tenants?{unique[-8:]} HTTP/1.1", "200", hcp.admin_user)]
    assert mapi_lines[0]["rest"].split()[0] == "-"


def test_format_line_spells_months_in_english_and_quotes_nothing_else():
    entry = accesslog.AccessEntry(time.mktime((2024, 3, 5, 10, 2, 11, 0, 0, -1)), "192.0.2.10",
                                  "n", "PUT /rest/a HTTP/1.1", 201, 0, "n1.m", 14, "10.0.0.17",
                                  18, "http")
    line = accesslog.format_line(entry)
    assert line.startswith('192.0.2.10 - n [05/Mar/2024:10:02:11 ')
    assert line.endswith('] "PUT /rest/a HTTP/1.1" 201 0 n1.m 14 017 18')
