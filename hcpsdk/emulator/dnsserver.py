"""The emulator's DNS server (dnspython messages over UDP and TCP on loopback).

It answers ``A`` queries for ``*.<tenant>.<domain>``, ``<tenant>.<domain>`` and
``admin.<domain>`` with the node addresses, rotated on every answer (round robin),
and ``NXDOMAIN`` for every other name. Several systems can be served by one server
(:meth:`NameServer.add_zone`), so a primary's resolver also knows its replica.

DNS failover: while :func:`take_over` is in force for a system (the replication part calls
it when an active/active link fails over), every server answers that system's names with
the addresses the take-over gives -- the surviving system's nodes -- until
:func:`give_back` is called (at failback).
"""
from __future__ import annotations

import logging
import selectors
import socket
import struct
import threading
from collections.abc import Callable, Collection, Sequence

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

__all__ = ["Zone", "NameServer", "take_over", "give_back"]

log = logging.getLogger(__name__)

TTL = 0

#: (domain, node addresses) of a system -> returns the addresses that answer for it now
#: (None: its own). Node addresses are unique per running emulator, so the key is too.
_takeovers: dict[tuple[str, tuple[str, ...]], Callable[[], Sequence[str] | None]] = {}
_takeovers_lock = threading.Lock()


def _key(domain: str, addresses: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    return domain.lower().rstrip("."), tuple(addresses)


def take_over(domain: str, addresses: Sequence[str],
              answer: Callable[[], Sequence[str] | None]) -> None:
    """Answer the names of the system *domain* (with node *addresses*) with other addresses.

    :param domain: the domain of the system taken over (the failed one)
    :param addresses: its node addresses
    :param answer: called for every query of its names; returns the addresses to answer
        (the survivor's nodes), or None to answer the system's own addresses meanwhile
    """
    with _takeovers_lock:
        _takeovers[_key(domain, addresses)] = answer
    log.info("DNS: names of %s now answered by a take-over", domain)


def give_back(domain: str, addresses: Sequence[str]) -> None:
    """End :func:`take_over` for the system *domain*: its own addresses are answered again."""
    with _takeovers_lock:
        found = _takeovers.pop(_key(domain, addresses), None)
    if found is not None:
        log.info("DNS: names of %s answered with its own addresses again", domain)


class Zone:
    """The names of one emulated system.

    :param domain: the system domain
    :param tenants: returns the current tenant names (tenants may be added at run time)
    :param addresses: the node addresses answered
    """

    def __init__(self, domain: str, tenants: Callable[[], Collection[str]],
                 addresses: Sequence[str]) -> None:
        self.domain = domain.lower().rstrip(".")
        self.tenants = tenants
        self.addresses = list(addresses)
        self._key = _key(self.domain, self.addresses)
        self._turn = 0
        self._lock = threading.Lock()

    def knows(self, name: str) -> bool:
        """True if *name* (lower case, no trailing dot) is one of this system's names."""
        suffix = "." + self.domain
        if not name.endswith(suffix):
            return False
        labels = name[: -len(suffix)].split(".")
        if labels == ["admin"] or labels == ["default", "default"]:   # the Default Namespace
            return True
        return labels[-1] in self.tenants()

    def current(self) -> list[str]:
        """The addresses answered now: the node addresses, or those of the system that took
        this one over (:func:`take_over`)."""
        answer = _takeovers.get(self._key)
        taken = answer() if answer is not None else None
        return list(taken) if taken else self.addresses

    def rotated(self) -> list[str]:
        """The addresses answered now (:meth:`current`), starting one further on each call."""
        addresses = self.current()
        with self._lock:
            turn = self._turn % max(1, len(addresses))
            self._turn = (turn + 1) % max(1, len(addresses))
        return addresses[turn:] + addresses[:turn]


class NameServer:
    """A UDP+TCP DNS server on *host* (port 0 = ephemeral), run by one thread."""

    def __init__(self, host: str, port: int = 0) -> None:
        self.zones: list[Zone] = []
        self.fail = False
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._udp.bind((host, port))
            port = self._udp.getsockname()[1]
            self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._tcp.bind((host, port))
            self._tcp.listen(16)
        except OSError:
            self._udp.close()
            self._tcp.close()
            raise
        self.address = (host, port)
        self._wake_r, self._wake_w = socket.socketpair()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name=f"hcp-dns-{host}", daemon=True)
        self._thread.start()

    def add_zone(self, zone: Zone) -> None:
        """Answer the names of *zone* too."""
        self.zones = [*self.zones, zone]

    def answer(self, wire: bytes) -> bytes | None:
        """The response to one query message (``None`` if it cannot be parsed)."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self.fail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire(want_shuffle=False)
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire(want_shuffle=False)
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        zone = next((z for z in self.zones if z.knows(name)), None)
        if zone is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype in (dns.rdatatype.A, dns.rdatatype.ANY):
            response.answer.append(dns.rrset.from_text_list(
                question.name, TTL, "IN", "A", zone.rotated()))
        return response.to_wire(want_shuffle=False)

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._udp, selectors.EVENT_READ, "udp")
        sel.register(self._tcp, selectors.EVENT_READ, "tcp")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self._stop:
                for key, _ in sel.select():
                    if key.data == "udp":
                        self._serve_udp()
                    elif key.data == "tcp":
                        self._serve_tcp()
        finally:
            sel.close()

    def _serve_udp(self) -> None:
        try:
            wire, peer = self._udp.recvfrom(65535)
        except OSError:
            return
        reply = self.answer(wire)
        if reply is not None:
            try:
                self._udp.sendto(reply, peer)
            except OSError:
                pass

    def _serve_tcp(self) -> None:
        try:
            conn, _ = self._tcp.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(2.0)
            try:
                while True:
                    size = self._recv(conn, 2)
                    if size is None:
                        return
                    wire = self._recv(conn, struct.unpack("!H", size)[0])
                    reply = self.answer(wire or b"")
                    if reply is None:
                        return
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
            except OSError:
                return

    @staticmethod
    def _recv(conn: socket.socket, n: int) -> bytes | None:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                return None
            data += part
        return data

    def close(self) -> None:
        """Stop the server thread and close its sockets."""
        if self._stop:
            return
        self._stop = True
        self._wake_w.send(b"x")
        self._thread.join(5)
        for s in (self._udp, self._tcp, self._wake_r, self._wake_w):
            s.close()
