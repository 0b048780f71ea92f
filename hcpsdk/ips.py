"""hcpsdk.ips — name resolution and a round-robin pool of a Target's IP addresses.

``query()`` resolves a name, either bypassing local caches with dnspython
(``cache=False``) or through the system resolver (``cache=True``); IP literals
need no DNS at all. :class:`Circle` keeps the addresses and hands them out in
turn, skipping nodes that failed recently (see the "Retries" chapter).

dnspython is imported only when a dnspython lookup is actually made.
"""
from __future__ import annotations

import logging
import socket
import time
from typing import Any

from ._check import show
from ._hints import RESOLVER_HINT
from ._locks import fork_safe_lock
from .exceptions import IpsError

__all__ = ["Circle", "Request", "Response", "query", "IpsError"]

log = logging.getLogger(__name__)


class Request:
    """A DNS query request (the ``fqdn`` argument of :func:`query` may be one).

    :param fqdn: the FQDN to resolve
    :param cache: ``True`` to use the system resolver
    """

    def __init__(self, fqdn: str, cache: bool = False) -> None:
        self.fqdn = fqdn
        self.cache = cache
        self.sub = None

    def __repr__(self) -> str:
        return f"Request({self.fqdn!r}, cache={self.cache!r})"


class Response:
    """DNS query Response object, returned by :func:`query`.

    :param fqdn: the FQDN for the Response
    :param cache: ``False`` if the local DNS cache has been by-passed
    """

    def __init__(self, fqdn: str, cache: bool) -> None:
        #: The FQDN for which the resolve happened.
        self.fqdn = fqdn
        #: ``False`` if the local DNS cache has been by-passed.
        self.cache = cache
        #: List of resolved IP addresses (as strings).
        self.ips: list[str] = []
        #: Empty string when no exception was raised, otherwise its error message.
        self.raised = ""

    def __repr__(self) -> str:
        return f"Response({self.fqdn!r}, cache={self.cache!r}, ips={self.ips!r}, raised={self.raised!r})"


def _ip_literal(name: str) -> str | None:
    """Return ``name`` as an address if it is an IPv4/IPv6 literal, else ``None``."""
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, bare.split("%", 1)[0])
        except (OSError, ValueError):
            continue
        return bare
    return None


def _unique(addresses: Any) -> list[str]:
    return list(dict.fromkeys(addresses))


def _system_lookup(fqdn: str) -> list[str]:
    infos = socket.getaddrinfo(fqdn, None, type=socket.SOCK_STREAM)
    v4 = [info[4][0] for info in infos if info[0] == socket.AF_INET]
    return _unique(v4 or [info[4][0] for info in infos if info[0] == socket.AF_INET6])


def _dns_lookup(fqdn: str, resolver: Any) -> list[str]:
    import dns.resolver  # lazily: dnspython costs more to import than the rest of hcpsdk

    if resolver is None:
        # looked up at query time, so a program (or a test) can point it elsewhere
        resolver = dns.resolver.get_default_resolver()
    try:
        answer = resolver.resolve(fqdn, "A")
    except dns.resolver.NoAnswer:
        # IPv6 only when the name has no IPv4 address: the pool of a dual-stack name
        # then holds one address family, never a mix of the two
        answer = resolver.resolve(fqdn, "AAAA")
    return _unique(rdata.address for rdata in answer)


def query(fqdn: str | Request, cache: bool = False, *, resolver: Any = None) -> Response:
    """Submit a DNS query; never raises.

    :param fqdn: an FQDN to query DNS -or- a :class:`Request` object (its ``cache`` wins)
    :param cache: if ``True``, use the system resolver (``socket.getaddrinfo``), which
        might do local caching; else dnspython, bypassing any cache
    :param resolver: a ``dns.resolver.Resolver`` to use instead of dnspython's default
        resolver (``cache=False`` only)

        .. versionadded:: 1.0
    :returns: a :class:`Response`; errors are reported in its ``raised`` attribute (also
        an ``fqdn`` that is no str, or an empty one)
    """
    if isinstance(fqdn, Request):
        cache = fqdn.cache
        fqdn = fqdn.fqdn
    response = Response(fqdn, cache)
    if not isinstance(fqdn, str) or not fqdn:
        # a programming error, but the contract is to report, never to raise
        response.raised = "Err: {} - fqdn must be a non-empty str or a Request, not {}".format(
            "ValueError" if fqdn == "" else "TypeError", show(fqdn))
        return response
    literal = _ip_literal(fqdn)
    if literal is not None:
        response.ips = [literal]
        return response
    try:
        response.ips = _system_lookup(fqdn) if cache else _dns_lookup(fqdn, resolver)
    except Exception as exc:  # the documented contract: report, never raise
        response.raised = f"Err: {type(exc).__name__} - {exc}"
    else:
        if not response.ips:
            response.raised = "Err: no Response"
    return response


class Circle:
    """Resolve an FQDN (through :func:`query`), cache the IP addresses and yield them round-robin.

    Thread-safe. Nodes reported failed (:meth:`mark_failed`) are skipped until
    their cool-down ends, unless no other node is left.

    :param fqdn: the FQDN to be resolved
    :param port: the port to be used by the :class:`hcpsdk.Target` object
    :param dnscache: if ``True``, use the system resolver, else dnspython
    :param resolver: a ``dns.resolver.Resolver`` for ``dnscache=False``

        .. versionadded:: 1.0
    :raises IpsError: when the name can't be resolved
    """

    def __init__(self, fqdn: str, port: int = 443, dnscache: bool = False, *,
                 resolver: Any = None) -> None:
        self._fqdn = fqdn
        self._port = port
        self._dnscache = dnscache
        self._resolver = resolver
        self._lock = fork_safe_lock(self)
        self._next = 0
        self._cooldown: dict[str, float] = {}
        #: List of the cached IP addresses.
        self._addresses: list[str] = []
        self._load()

    def _load(self) -> None:
        answer = query(self._fqdn, self._dnscache, resolver=self._resolver)
        if answer.raised:
            raise IpsError(f"name resolution of {self._fqdn} failed: {answer.raised}"
                           f"{RESOLVER_HINT}")
        with self._lock:
            self._addresses = answer.ips
            self._next = 0
        log.debug("(re-) loaded IP address cache: %s", answer.ips)

    def refresh(self) -> None:
        """Force a fresh DNS query and rebuild the cached list of IP addresses.

        :raises IpsError: when the name can't be resolved (the old list is kept)
        """
        self._load()

    def next_address(self, exclude: Any = ()) -> str | None:
        """Hand out the next address, round-robin.

        Nodes in their cool-down are passed over while another node is left;
        addresses in ``exclude`` are never returned.

        :param exclude: addresses not to return (e.g. tried already)
        :returns: an IP address, or ``None`` when every address is excluded
        """
        with self._lock:
            addresses = self._addresses
            count = len(addresses)
            start = self._next
            now = time.monotonic() if self._cooldown else 0.0
            fallback = None
            for step in range(count):
                address = addresses[(start + step) % count]
                if address in exclude:
                    continue
                if self._cooldown.get(address, 0.0) > now:
                    if fallback is None:
                        fallback = step
                    continue
                break
            else:
                if fallback is None:
                    return None
                step = fallback
            self._next = (start + step + 1) % count
            address = addresses[(start + step) % count]
        log.debug("issued IP address: %s", address)
        return address

    def _addr(self, fqdn: str | None = None) -> str:
        """The 0.9.5 interface: the next address (re-resolving first when ``fqdn`` is given)."""
        if fqdn:
            self._fqdn = fqdn
            self._load()
        address = self.next_address()
        if address is None:
            raise IpsError(f"no IP address known for {self._fqdn}")
        return address

    def mark_failed(self, address: str, cooldown: float) -> None:
        """Skip ``address`` for ``cooldown`` seconds (a node that just failed)."""
        with self._lock:
            self._cooldown[address] = time.monotonic() + cooldown

    def mark_ok(self, address: str) -> None:
        """End the cool-down of ``address`` (it answered again)."""
        if address in self._cooldown:
            with self._lock:
                self._cooldown.pop(address, None)

    def all_cooling(self) -> bool:
        """``True`` when every known address is in its cool-down."""
        now = time.monotonic()
        with self._lock:
            return all(self._cooldown.get(a, 0.0) > now for a in self._addresses)

    @property
    def fqdn(self) -> str:
        """The FQDN this Circle resolves."""
        return self._fqdn

    def __repr__(self) -> str:
        return f"Circle({self._fqdn!r}, port={self._port!r}, dnscache={self._dnscache!r})"

    def __str__(self) -> str:
        return f"Circle for {self._fqdn} with addresses {self._addresses}"
