"""hcplogs 2.0.9: a full run — mark, prepare, status, download, its own unpacking of the
package, the local archive and the archive copy into a namespace.

The log files it keeps must list exactly the requests the emulator served (compared with
the emulator's own request records, kept apart from its access log).
"""
from __future__ import annotations

import collections
import re
import uuid
from datetime import date
from pathlib import Path

import hcpsdk

_LINE = re.compile(r'\S+ - \S+ \[[^]]+\] "(?P<method>\S+) (?P<target>\S+) HTTP/1\.1" '
                   r"(?P<status>\d+) \d+( \S+)+")


def _config(hcp, tmp_path: Path) -> Path:
    text = f"""\
[target emu]
fqdn = {hcp.admin_fqdn}
user = {hcp.admin_user}
password = {hcp.admin_password}
folder = emu
last collected =

[access logs]
access = yes
admin = yes
mapi = yes
omit empty = yes

[local archive store]
enable = yes
path = {tmp_path / "archive"}

[compliant archive store]
enable = yes
path = https://{hcp.fqdn}/rest/accesslogs
user = {hcp.user}
password = {hcp.password}
retention = 0

[logging]
log to stdout = yes
log to file = no
logfile = {tmp_path / "hcplogs.log"}
rotateMB = 1
backups = 1
status query = 0
debug = no

[temporary store]
tempdir = {tmp_path / "tmp"}
"""
    path = tmp_path / "hcplogs_config.ini"
    path.write_text(text)
    return path


def _served(hcp, records, address: str, mapi: bool) -> collections.Counter:
    return collections.Counter(
        (r.method, r.path + (f"?{r.query}" if r.query else ""), str(r.status)) for r in records
        if r.node == address and (r.port == hcp.mapi_port) == mapi)


def _logged(files: list[Path]) -> collections.Counter:
    found: collections.Counter = collections.Counter()
    for path in files:
        for line in path.read_text().splitlines():
            m = _LINE.fullmatch(line)
            assert m, f"{path}: {line!r}"
            found[(m["method"], m["target"], m["status"])] += 1
    return found


def test_full_run_keeps_logs_of_the_requests_served(run, hcp, tmp_path):
    probe = f"/rest/hcplogs_probe/{uuid.uuid4()}"
    with hcpsdk.Connection(hcp.target()) as con:
        assert con.PUT(probe, b"probe").status == 201
        assert con.GET(probe).status == 200
        con.read()
        assert con.HEAD(probe + "-missing").status == 404
    config = _config(hcp, tmp_path)
    run(["hcplogs", "-i", str(config)], cwd=tmp_path)
    assert "last collected = 20" in config.read_text()

    records = list(hcp.requests)
    downloads = [i for i, r in enumerate(records)
                 if (r.method, r.path) == ("POST", "/mapi/logs/download")]
    # the package was made while its download was served: it holds what came before
    before = records[:downloads[-1]]
    archive = tmp_path / "archive" / "emu"
    year = str(date.today().year)
    probes = 0
    for address in hcp.addresses:
        for kind, mapi in (("http_gateway_request", False), ("mapi_gateway_request", True)):
            files = sorted((archive / address / year / kind).glob("*.log.0"))
            served = _served(hcp, before, address, mapi)
            assert _logged(files) == served
            probes += sum(n for (method, target, _), n in served.items() if probe in target)
    assert probes == 3
    mapi_seen = _served(hcp, before, hcp.addresses[0], True) + _served(
        hcp, before, hcp.addresses[1], True)
    assert any(m == "POST" and t.startswith("/mapi/logs?mark=HCPLOGS") for m, t, _ in mapi_seen)
    assert any((m, t) == ("POST", "/mapi/logs/prepare") for m, t, _ in mapi_seen)

    store = hcp.system.namespace("m", "n1").store
    kept = sorted(archive.rglob("*.log.0"))
    assert kept
    for path in kept:
        name = "accesslogs/emu/" + path.relative_to(archive).as_posix()
        assert store.current(name).blob.read() == path.read_bytes()
