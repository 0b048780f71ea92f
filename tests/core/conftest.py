"""Fixtures of the core client tests: the emulator, misbehaving raw servers, own TLS servers.

The emulator is the session's ``hcp_emulator`` of the package's pytest plugin
(``hcpsdk.emulator.plugin``), shared with tests/bench.

Everything runs on loopback with real sockets; nothing of http.client, socket, ssl or
DNS is mocked.
"""
from __future__ import annotations

import http.server
import socket
import ssl
import threading
import uuid

import pytest
from shared_support import AcceptingServer, QuietHandler, closing_factory

import hcpsdk


@pytest.fixture()
def hcp(hcp_emulator):
    """The session's emulated 4-node HCP (HTTP and HTTPS), faults cleared after each test.

    It is the ``hcp_emulator`` of the package's pytest plugin (``hcpsdk.emulator.plugin``,
    loaded by its entry point), so the core and the bench tests share one emulator.
    """
    return hcp_emulator


@pytest.fixture()
def faults(hcp):
    """``hcp.faults`` (cleared after the test by the plugin)."""
    return hcp.faults


@pytest.fixture()
def http_target(hcp):
    """A fresh Target (own address circle) on the emulator's plain HTTP port."""
    return hcp.target(port=hcp.http_port, tls=False)


@pytest.fixture()
def tls_target(hcp):
    """A fresh Target on the emulator's HTTPS port with the default (non-verifying) context."""
    return hcp.target()


@pytest.fixture()
def path():
    """A fresh object path."""
    return f"/rest/core/{uuid.uuid4().hex}.bin"


@pytest.fixture()
def open_connections():
    """Factory of Connections that are closed after the test."""
    with closing_factory(hcpsdk.Connection) as make:
        yield make


# -- misbehaving raw servers ---------------------------------------------------------------

class RawServer(AcceptingServer):
    """A TCP server on 127.0.0.1 that hands each accepted socket to ``behaviour(sock, stop)``."""

    def __init__(self, behaviour, host="127.0.0.1", port=0):
        self.behaviour = behaviour
        super().__init__(host, port)

    def handle(self, sock):
        try:
            self.behaviour(sock, self.stop)
        except OSError:
            pass


@pytest.fixture()
def raw_server():
    """Factory: ``raw_server(behaviour, host, port)`` starts a RawServer, closed after the test."""
    with closing_factory(RawServer) as start:
        yield start


# -- own TLS servers (trustme) -------------------------------------------------------------

class _Handler(QuietHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.answer(200, b"hello over TLS")


class TLSServer:
    """A tiny HTTPS server with a certificate from ``ca`` for ``names``; records SNI names."""

    def __init__(self, ca, names, host="127.0.0.1"):
        self.sni = []
        cert = ca.issue_cert(*names)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        context.sni_callback = lambda sslsock, name, ctx: self.sni.append(name)
        self.httpd = http.server.ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(2)


@pytest.fixture(scope="session")
def ca():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


@pytest.fixture(scope="session")
def other_ca():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


@pytest.fixture()
def tls_server(ca):
    """Factory: ``tls_server(names)`` starts a TLSServer with a cert of ``ca``."""
    with closing_factory(lambda names, host="127.0.0.1": TLSServer(ca, names, host)) as start:
        yield start


# -- a tiny DNS server with fixed records (for answers the emulator does not give) ---------

class MiniDNS:
    """UDP DNS on 127.0.0.1 answering from ``records``: {name: {"A": [...], "AAAA": [...]}}."""

    def __init__(self, records):
        import dns.message
        import dns.rcode
        import dns.rdatatype
        import dns.rrset

        self._dns = (dns.message, dns.rcode, dns.rdatatype, dns.rrset)
        self.records = {name.lower().rstrip("."): value for name, value in records.items()}
        self.queries = []
        self._stop = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = self.sock.getsockname()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        message, rcode, rdatatype, rrset = self._dns
        while True:
            try:
                wire, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            if self._stop:
                return
            query = message.from_wire(wire)
            response = message.make_response(query)
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            kind = rdatatype.to_text(question.rdtype)
            self.queries.append((name, kind))
            if name not in self.records:
                response.set_rcode(rcode.NXDOMAIN)
            elif self.records[name].get(kind):
                response.answer.append(rrset.from_text_list(question.name, 60, "IN", kind,
                                                            self.records[name][kind]))
            self.sock.sendto(response.to_wire(want_shuffle=False), peer)

    def resolver(self):
        import dns.resolver

        res = dns.resolver.Resolver(configure=False)
        res.nameservers = [self.address[0]]
        res.port = self.address[1]
        res.timeout = res.lifetime = 2.0
        return res

    def close(self):
        self._stop = True
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            waker.sendto(b"", self.address)
        self._thread.join(2)
        self.sock.close()


@pytest.fixture()
def mini_dns():
    """Factory: ``mini_dns(records)`` starts a MiniDNS, closed after the test."""
    with closing_factory(MiniDNS) as start:
        yield start
