"""The standalone server (``python -m hcpsdk.emulator``), JSON configuration, disk storage,
and the pytest plugin."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from emulator_support import Client
from shared_support import emulator_cli

from hcpsdk.emulator import Emulator

pytest_plugins = ["pytester"]


def test_help_explains_options_and_fault_commands():
    out = subprocess.run([sys.executable, "-m", "hcpsdk.emulator", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for word in ("--nodes", "--http-port", "--https-port", "--mapi-port", "--data-dir", "--no-tls",
                 "--config", "--domain", "close_after", "idle_drop", "dns_fail"):
        assert word in out


def test_cli_prints_connection_info_serves_and_obeys_commands():
    with emulator_cli("--nodes", "2", "--json", "--domain", "cli.example.com") as proc:
        info = json.loads(proc.stdout.readline())
        assert info["domain"] == "cli.example.com"
        assert info["fqdn"] == "n1.m.cli.example.com"
        assert len(info["addresses"]) == 2
        assert os.path.exists(info["cafile"])
        with socket.create_connection((info["addresses"][0], info["http_port"]), timeout=5) as s:
            s.sendall(f"GET /proc HTTP/1.1\r\nHost: {info['fqdn']}\r\n\r\n".encode())
            assert s.recv(100).startswith(b"HTTP/1.1 401 ")
        proc.stdin.write("down 0\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "ok"
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((info["addresses"][0], info["http_port"]), timeout=5)
        proc.stdin.write("stats\nquit\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["accepted"] == 1
        assert proc.wait(timeout=10) == 0
        assert not os.path.exists(info["cafile"])


def test_cli_human_output_and_sigterm(tmp_path):
    with emulator_cli("--nodes", "1") as proc:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert lines[0].startswith("HCP emulator running")
        assert "n1.m.hcp1.example.com" in lines[2]
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        assert proc.stderr.read() == ""


def test_json_configuration_file(tmp_path):
    config = {
        "admin_users": {"root": "rootpw"},
        "default_namespace": "data.acme",
        "tenants": [{"name": "acme",
                     "namespaces": [{"name": "data", "versioning": True, "description": "d"}],
                     "users": [{"name": "alice", "password": "pw", "permissions": {"data": "all"}}]}],
    }
    path = tmp_path / "hcp.json"
    path.write_text(json.dumps(config))
    with Emulator(nodes=1, domain="conf.example.com", config=str(path)) as emu:
        assert emu.fqdn == "data.acme.conf.example.com"
        assert (emu.user, emu.password) == ("alice", "pw")
        assert (emu.admin_user, emu.admin_password) == ("root", "rootpw")
        with Client(emu, auth=("alice", "pw")) as c:
            assert c.PUT("/rest/x", b"1").status == 201
            assert c.PUT("/rest/x", b"2").status == 201  # versioning on


def test_disk_storage_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with Emulator(nodes=1, data_dir=str(data)) as emu:
        with Client(emu) as c:
            c.PUT("/rest/keep/me.txt", b"persistent")
            c.PUT("/rest/keep/me.txt?type=custom-metadata", b"<a/>")
        ca = Path(emu.cafile).read_bytes()
    assert any(data.rglob("*"))
    with Emulator(nodes=1, data_dir=str(data)) as emu:
        assert Path(emu.cafile).read_bytes() == ca
        with Client(emu) as c:
            assert c.GET("/rest/keep/me.txt").body == b"persistent"
            assert c.GET("/rest/keep/me.txt?type=custom-metadata").body == b"<a/>"
            assert c.HEAD("/rest/keep").header("X-HCP-Type") == "directory"


def test_disk_storage_streams_large_bodies(tmp_path):
    with Emulator(nodes=1, data_dir=str(tmp_path)) as emu:
        block = os.urandom(1 << 16)
        with Client(emu) as c:
            r = c.PUT("/rest/big", (block for _ in range(64)))  # 4 MiB, chunked
            assert r.status == 201
            got = c.GET("/rest/big", headers={"Range": "bytes=65536-131071"})
            assert got.status == 206 and got.body == block
        blob = emu.system.namespace("m", "n1").store.current("big").blob
        assert os.path.getsize(blob.path) == 64 << 16


def test_pytest_plugin_provides_hcp_emulator(pytester, monkeypatch):
    import hcpsdk
    root = str(Path(hcpsdk.__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    pytester.makeconftest('pytest_plugins = ["hcpsdk.emulator.plugin"]\n'
                          "import pytest\n"
                          "@pytest.fixture(scope='session')\n"
                          "def hcp_emulator_options():\n"
                          "    return {'nodes': 2, 'domain': 'plugin.example.com'}\n")
    pytester.makepyfile(
        "import http.client\n"
        "def test_it(hcp_emulator):\n"
        "    assert hcp_emulator.domain == 'plugin.example.com'\n"
        "    assert len(hcp_emulator.addresses) == 2\n"
        "    c = http.client.HTTPConnection(hcp_emulator.addresses[0], hcp_emulator.http_port)\n"
        "    c.request('GET', '/proc', headers={'Host': hcp_emulator.fqdn})\n"
        "    assert c.getresponse().status == 401\n"
        "    c.close()\n"
        "    hcp_emulator.faults.down(0)\n"
        "def test_faults_were_cleared(hcp_emulator):\n"
        "    assert not hcp_emulator.faults.down_nodes\n")
    result = pytester.runpytest_inprocess("-p", "no:hcpsdk_emulator", "-W", "error")
    result.assert_outcomes(passed=2)


def test_without_tls_only_http_serves_data():
    with Emulator(nodes=1, tls=False) as emu:
        assert emu.https_port is None
        with Client(emu) as c:
            assert c.PUT("/rest/plain", b"1").status == 201
        with Client(emu, port=emu.mapi_port, host=emu.admin_fqdn, auth=("service", "service01")) as c:
            assert c.GET("/mapi/services/replication").status == 200  # MAPI stays TLS


def test_two_emulators_get_distinct_address_blocks():
    with Emulator(nodes=1) as a, Emulator(nodes=1) as b:
        assert a.addresses[0].rsplit(".", 1)[0] != b.addresses[0].rsplit(".", 1)[0]
        assert a.dns != b.dns


def test_target_helper_fills_in_fqdn_credentials_port_and_resolver(hcp):
    import dns.resolver
    data = hcp.target()
    assert (data.fqdn, data.port) == (hcp.fqdn, hcp.https_port)
    assert sorted(data.addresses) == sorted(hcp.addresses)  # resolved by the emulator's DNS
    admin = hcp.target(hcp.admin_fqdn)
    assert admin.port == hcp.mapi_port
    assert isinstance(hcp.resolver(), dns.resolver.Resolver)


def test_disk_backed_emulator_saves_its_index_while_running(tmp_path):
    with Emulator(nodes=1, data_dir=str(tmp_path), save_interval=0.05) as emu:
        emu.put_object("/rest/early", b"1")
        index = tmp_path / "index.json"
        assert emu.wait_for(lambda: index.exists() and b"early" in index.read_bytes())


def _banner(proc) -> list[str]:
    """The lines of one banner, up to its last line (the admin Target of the snippet)."""
    lines = []
    while not lines or not lines[-1].startswith("admin = hcpsdk.Target("):
        line = proc.stdout.readline()
        assert line, f"banner ended early: {lines}"
        lines.append(line.rstrip("\n"))
    return lines


def test_banner_ends_with_a_connect_snippet_that_works_and_info_repeats_it():
    import hcpsdk
    with emulator_cli("--nodes", "2", "--domain", "paste.example.com", "--http-port", "0",
              "--https-port", "0", "--mapi-port", "0") as proc:
        banner = _banner(proc)
        assert banner[0] == "HCP emulator running"
        start = banner.index("Connect with hcpsdk (paste into python3):") + 1
        snippet = banner[start:]
        assert snippet[0] == "import dns.resolver, ssl, hcpsdk"
        assert all(not line.startswith((" ", "\t")) for line in snippet)  # pastes into a REPL
        assert ", tls=True, resolver=res)" in snippet[-2]  # ephemeral ports are not 443/9090
        names: dict = {}
        exec("\n".join(snippet), names)  # the code a user pastes
        t, admin = names["t"], names["admin"]
        assert (t.fqdn, admin.fqdn) == ("n1.m.paste.example.com", "admin.paste.example.com")
        with hcpsdk.Connection(t, timeout=10, retries=0) as c:
            c.PUT("/rest/pasted/o", body=b"it works")
            assert c.response_status == 201
            c.GET("/rest/pasted/o")
            assert (c.response_status, c.read()) == (200, b"it works")
        with hcpsdk.Connection(admin, timeout=10, retries=0) as c:
            c.GET("/mapi/tenants", headers={"Accept": "application/json"})
            assert (c.response_status, c.read()) == (200, b'{"name":["m"]}')
        proc.stdin.write("info\n")
        proc.stdin.flush()
        assert _banner(proc) == banner
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=10) == 0


def test_connect_snippet_names_tls_only_where_the_port_does_not_tell():
    from hcpsdk.emulator.cli import connect_snippet
    info = {"dns": ["127.9.9.1", 5353], "cafile": "/ca's.pem", "fqdn": "n1.m.h", "user": "n",
            "password": "n01", "admin_fqdn": "admin.h", "admin_user": "service",
            "admin_password": "service01", "http_port": 80, "https_port": 443, "mapi_port": 9090}
    lines = connect_snippet(info).split("\n")
    assert lines[3] == 'ctx = ssl.create_default_context(cafile="/ca\'s.pem")'
    assert lines[4].endswith("port=443, sslcontext=ctx, resolver=res)")
    assert lines[5].endswith("port=9090, sslcontext=ctx, resolver=res)")
    lines = connect_snippet(dict(info, https_port=None, http_port=8000, mapi_port=19090)).split("\n")
    assert lines[4].endswith("port=8000, tls=False, resolver=res)")  # 8000 would mean TLS
    assert lines[5].endswith("port=19090, sslcontext=ctx, tls=True, resolver=res)")
    compile("\n".join(lines), "snippet", "exec")


_NO_TRUSTME = "import sys; sys.modules['trustme'] = None  # as if not installed\n"


def _without_trustme(code: str) -> subprocess.CompletedProcess:
    import hcpsdk
    root = str(Path(hcpsdk.__file__).resolve().parent.parent)
    return subprocess.run([sys.executable, "-W", "error", "-c", _NO_TRUSTME + code],
                          capture_output=True, text=True, timeout=60, cwd=root)


def test_without_trustme_the_api_names_the_extra():
    done = _without_trustme(
        "from hcpsdk.emulator import Emulator\n"
        "from hcpsdk import HcpsdkError\n"
        "try:\n"
        "    Emulator()\n"
        "except HcpsdkError as e:\n"
        "    assert isinstance(e, ImportError)\n"
        "    print(e)\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("the HCP emulator needs the package trustme for its"
                                   " certificates: python3 -m pip install 'hcpsdk[emulator]'")


def test_without_trustme_the_cli_exits_2_with_one_line():
    done = _without_trustme("import runpy; sys.argv = ['hcpsdk.emulator']\n"
                            "runpy.run_module('hcpsdk.emulator', run_name='__main__')\n")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: the HCP emulator needs the package trustme for its certificates:"
        " python3 -m pip install 'hcpsdk[emulator]'"]


def test_cli_bad_domain_exits_2_without_traceback():
    done = subprocess.run([sys.executable, "-m", "hcpsdk.emulator", "--domain", "bad domain"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: Emulator: domain must be a DNS name")
