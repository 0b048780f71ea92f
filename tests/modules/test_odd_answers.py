"""Answers the emulator never gives but an HCP (or a proxy) might: served by a small
canned-answer server on 127.253.x.y, so the client parses real bytes from a real socket."""
from __future__ import annotations

import http.server
import threading

import pytest
from shared_support import QuietHandler

import hcpsdk
import hcpsdk.namespace
from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError
from hcpsdk.mapi import Logs, Replication, TenantError, listtenants

STYLESHEET = '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="/x.xsl"?>\n'


class CannedServer:
    """Answers ``(method, path)`` with a canned ``(status, headers, body)``; 404 otherwise."""

    def __init__(self, port: int) -> None:
        self.answers: dict[tuple[str, str], tuple[int, dict[str, str], bytes]] = {}
        self.seen: list[tuple[str, str]] = []
        canned = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                canned.seen.append((self.command, self.path))
                status, headers, body = canned.answers.get((self.command, path),
                                                           (404, {}, b""))
                self.answer(status, body, headers)

            do_GET = do_POST = _answer

        # the port is fixed, so the server takes the first free address of its own block
        for host in range(2, 22):
            self.address = f"127.253.77.{host}"
            try:
                self.server = http.server.ThreadingHTTPServer((self.address, port), Handler)
                break
            except OSError:
                continue
        else:  # pragma: no cover - loopback exhausted
            raise RuntimeError("no free loopback address")
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def target(self) -> hcpsdk.Target:
        return hcpsdk.Target(self.address, hcpsdk.NativeAuthorization("u", "p"),
                             port=self.server.server_address[1], tls=False)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def canned():
    server = CannedServer(hcpsdk.P_MAPI)
    yield server
    server.close()


def xml(body: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/xml"}, (STYLESHEET + body).encode("utf-8")


# ------------------------------------------------------------------ namespace


def test_empty_or_missing_descriptions_do_not_crash(canned):
    canned.answers[("GET", "/proc")] = xml(
        '<namespaces tenantHostName="m.x">'
        '<namespace name="e" versioningEnabled="false" dpl="2"><description/></namespace>'
        '<namespace name="m" versioningEnabled="true" dpl="2"/>'
        '<namespace name="2015" nameIDNA="2015" dpl="1"><description><![CDATA[\n  one°two  \n]]>'
        '</description></namespace></namespaces>')
    canned.answers[("GET", "/proc/retentionClasses")] = xml(
        '<retentionClasses namespaceName="e"><retentionClass name="c" value="0" autoDelete="false">'
        '<description/></retentionClass><retentionClass name="d" value="A+1d" autoDelete="true"/>'
        '</retentionClasses>')
    with hcpsdk.namespace.Info(canned.target()) as n:
        namespaces = n.listaccessiblens(all=True)
        classes = n.listretentionclasses()
    assert namespaces["e"] == {"name": "e", "versioningEnabled": False, "dpl": 2, "description": []}
    assert namespaces["m"]["description"] == []
    # a namespace named like a number keeps its name as a string
    assert list(namespaces) == ["e", "m", "2015"]
    assert namespaces["2015"]["name"] == "2015" and namespaces["2015"]["dpl"] == 1
    assert namespaces["2015"]["description"] == ["one", "two"]
    assert classes == {"c": {"name": "c", "value": 0, "autoDelete": False, "description": ""},
                       "d": {"name": "d", "value": "A+1d", "autoDelete": True, "description": ""}}


def test_answer_that_is_not_xml_names_the_call(canned):
    canned.answers[("GET", "/proc/statistics")] = (200, {}, b"<html>proxy error page")
    with hcpsdk.namespace.Info(canned.target()) as n, pytest.raises(HcpsdkError) as info:
        n.nsstatistics()
    assert "nsstatistics" in str(info.value) and "XML" in str(info.value)
    assert not isinstance(info.value, HcpsdkStatusError)


def test_status_without_hcp_message(canned):
    canned.answers[("GET", "/proc/permissions")] = (500, {}, b"")
    with hcpsdk.namespace.Info(canned.target()) as n, pytest.raises(HcpsdkStatusError) as info:
        n.listpermissions()
    assert info.value.status == 500 and info.value.hcp_message == ""
    assert info.value.reason.endswith("HTTP 500 Internal Server Error")


# ------------------------------------------------------------------ mapi


PRETTY_LINK = """<link>
    <compression>false</compression>
    <connection>
        <localHost>10.0.0.1</localHost>
        <localPort>5748</localPort>
    </connection>
    <description>  spaced  </description>
    <failoverSettings>
        <local>
            <autoFailover>false</autoFailover>
        </local>
    </failoverSettings>
    <name>l</name>
    <suspended>false</suspended>
</link>
"""


def test_pretty_printed_link_details_parse_like_compact(canned):
    canned.answers[("GET", "/mapi/services/replication/links/l")] = xml(PRETTY_LINK)
    canned.answers[("GET", "/mapi/services/replication/links")] = xml("<links/>")
    with Replication(canned.target()) as r:
        details = r.getlinkdetails("l")
        assert r.getlinklist() == []
    assert details == {"compression": "false",
                       "connection": {"localHost": "10.0.0.1", "localPort": "5748"},
                       "description": "  spaced  ",
                       "failoverSettings": {"local": {"autoFailover": "false"}},
                       "name": "l", "suspended": "false"}


def test_logs_status_with_empty_element(canned):
    canned.answers[("GET", "/mapi/logs")] = xml(
        "<logDownloadStatus><readyForStreaming>false</readyForStreaming><content/>"
        "<started>\n true \n</started></logDownloadStatus>")
    with Logs(canned.target()) as logs:
        assert logs.status() == {"readyForStreaming": False, "content": [], "started": True}


def test_listtenants_with_an_answer_that_is_not_json(canned):
    canned.answers[("GET", "/mapi/tenants")] = (200, {}, b"<tenants><name>m</name></tenants>")
    with pytest.raises(TenantError, match="listtenants.*JSON"):
        listtenants(canned.target())


def test_listtenants_with_unexpected_json(canned):
    canned.answers[("GET", "/mapi/tenants")] = (200, {}, b'{"name": [1, 2]}')
    with pytest.raises(TenantError, match="unexpected"):
        listtenants(canned.target())


def test_link_name_is_one_path_segment(canned):
    canned.answers[("GET", "/mapi/services/replication/links/a%2Fb%20c")] = xml(
        "<link><name>a/b c</name></link>")
    with Replication(canned.target()) as r:
        assert r.getlinkdetails("a/b c") == {"name": "a/b c"}
    assert canned.seen[-1] == ("GET", "/mapi/services/replication/links/a%2Fb%20c?verbose=true")


@pytest.mark.parametrize("disposition, expected", [
    ('attachment; filename="../../etc/hcp logs.zip"', "hcp logs.zip"),
    ("attachment;filename=C:\\temp\\x.zip", "x.zip"),
    ("attachment", "no-name"),
    (None, "no-name"),
])
def test_download_file_name_never_has_a_directory(canned, disposition, expected):
    headers = {"Content-Type": "application/zip"}
    if disposition:
        headers["Content-Disposition"] = disposition
    canned.answers[("POST", "/mapi/logs/download")] = (200, headers, b"PK\x05\x06" + bytes(18))
    with Logs(canned.target()) as logs:
        hdl, name = logs.download()
        with hdl:
            assert hdl.read() == b"PK\x05\x06" + bytes(18)
    assert name == expected == logs.suggestedfilename
