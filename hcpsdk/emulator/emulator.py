"""The :class:`Emulator` handle: starts and stops one emulated HCP system."""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import random
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..exceptions import HcpsdkArgumentError, HcpsdkError, HcpsdkTypeError
from . import config as _config
from .accesslog import Recorder
from .dnsserver import NameServer, Zone
from .faults import Faults
from .handler import Handler
from .http11 import RequestRecord
from .model import System
from .server import NodeService
from .store import DiskStorage
from .tls import Authority, import_trustme

__all__ = ["Emulator", "RequestLog"]

log = logging.getLogger(__name__)

STANDARD_PORTS = {"http": 80, "https": 443, "mapi": 9090}
SOFTWARE_VERSION = "7.1.0.10"

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

_blocks_lock = threading.Lock()
_blocks_used: set[tuple[int, int]] = set()


class RequestLog(list[RequestRecord]):
    """The served requests (:class:`~hcpsdk.emulator.server.RequestRecord`), oldest first.

    Keeps at most *limit* records (the oldest half is dropped when full).
    """

    def __init__(self, limit: int = 100_000) -> None:
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        """Append a record."""
        with self._lock:
            self.append(record)
            if len(self) > self.limit:
                del self[: len(self) // 2]


def _disk_storage(data_dir: str, tenant: str, namespace: str) -> DiskStorage:
    return DiskStorage(os.path.join(data_dir, "objects", tenant, namespace))


def _check_nodes(nodes: object) -> None:
    if not isinstance(nodes, int) or isinstance(nodes, bool):
        raise HcpsdkTypeError(f"Emulator: nodes must be an int in 1..200, not {nodes!r}")
    if not 1 <= nodes <= 200:
        raise HcpsdkArgumentError(f"Emulator: nodes must be in 1..200, not {nodes!r}")


def _check_domain(domain: object, what: str = "domain") -> None:
    """A DNS name of letters, digits and hyphens, like ``hcp1.example.com``."""
    if not isinstance(domain, str):
        raise HcpsdkTypeError(f"Emulator: {what} must be a str like 'hcp1.example.com',"
                              f" not {domain!r}")
    name = domain.lower().rstrip(".")
    # room for "<namespace>.<tenant>." in front of it
    if not name or len(name) > 200 or not all(_LABEL.fullmatch(x) for x in name.split(".")):
        raise HcpsdkArgumentError(
            f"Emulator: {what} must be a DNS name like 'hcp1.example.com' (labels of letters,"
            f" digits and '-', separated by dots), not {domain!r}")


def _check_port(name: str, port: object) -> None:
    if port is None:
        return
    if not isinstance(port, int) or isinstance(port, bool):
        raise HcpsdkTypeError(f"Emulator: {name} must be an int in 0..65535 or None,"
                              f" not {port!r}")
    if not 0 <= port <= 65535:
        raise HcpsdkArgumentError(f"Emulator: {name} must be in 0..65535, not {port!r}")


def _reserve_block() -> tuple[int, int]:
    with _blocks_lock:
        rnd = random.Random()
        while True:
            block = (rnd.randint(16, 250), rnd.randint(0, 255))
            if block not in _blocks_used:
                _blocks_used.add(block)
                return block


@dataclass(frozen=True)
class _Started:
    """What a started emulator has (and one never started has not)."""

    addresses: list[str]
    dns: tuple[str, int]
    http_port: int
    https_port: int | None
    mapi_port: int
    cafile: str
    requests: RequestLog
    faults: Faults


class Emulator:
    """An emulated HCP system on loopback: nodes, DNS, TLS, REST, ``/proc``, MAPI, faults.

    Usage::

        from hcpsdk.emulator import Emulator
        with Emulator(nodes=4, domain="hcp1.example.com") as hcp:
            target = hcp.target()                 # an hcpsdk.Target for n1.m.hcp1.example.com
            hcp.faults.down(0)                    # first node refuses connections

    The emulator starts on ``with`` (or :meth:`start`) and stops at the end of the ``with``
    block (or in :meth:`close`); it runs once and can't be restarted. The constructor only
    checks the arguments and builds the model (:attr:`system`, the names and users): an
    emulator that is never started opens nothing and needs no :meth:`close`. The attributes
    set while starting raise :class:`~hcpsdk.HcpsdkError` before: reading one never starts
    servers behind your back.

    Attributes set while starting: ``addresses`` (node IPs), ``http_port``, ``https_port``
    (None without TLS), ``mapi_port`` (the same numbers on every node), ``dns`` (host, port
    of the DNS server), ``cafile`` (PEM of the CA), ``system`` (the
    :class:`~hcpsdk.emulator.model.System` model: tenants, namespaces, users, objects),
    ``faults`` (:class:`~hcpsdk.emulator.faults.Faults`) and ``requests`` (a
    :class:`RequestLog` of :class:`~hcpsdk.emulator.server.RequestRecord`).

    :param nodes: number of nodes (each on its own address ``127.A.B.N``, N = 2, 3, ...)
    :param domain: the system's DNS domain (default: the configuration's ``domain``, else
        ``hcp1.example.com``)
    :param tls: serve HTTPS on the data port ``https_port`` (MAPI is always TLS)
    :param http_port: data HTTP port (default: 80 if it can be bound, else an ephemeral port)
    :param https_port: data HTTPS port (default: 443, else ephemeral)
    :param mapi_port: MAPI port (default: 9090, else ephemeral)
    :param config: a configuration dict (see :mod:`hcpsdk.emulator.config`) or the path of a
        JSON file; default: tenant ``m``, namespaces ``n1``/``n2``, user ``n``/``n01``
    :param data_dir: keep objects (and the CA) in this directory instead of memory
    :param dns_port: port of the DNS server (default: ephemeral)
    :param keep_alive: seconds an idle keep-alive connection is kept open
    :param address_block: ``(A, B)`` to use ``127.A.B.x`` (default: a random free block)
    :param save_interval: with *data_dir*, seconds between background snapshots of the
        object index (it is also saved on :meth:`close`; every change is journaled and
        synced before its answer in any case)
    :raises hcpsdk.HcpsdkArgumentError: for a bad *nodes*, *domain* or port number (also a
        :class:`ValueError`)
    :raises hcpsdk.HcpsdkTypeError: for an argument of the wrong type
    :raises hcpsdk.emulator.tls.MissingExtraError: if trustme is not installed (the
        message says ``python3 -m pip install 'hcpsdk[emulator]'``)
    """

    def __init__(self, nodes: int = 4, domain: str | None = None, *, tls: bool = True,
                 http_port: int | None = None, https_port: int | None = None,
                 mapi_port: int | None = None, config: dict[str, Any] | str | None = None,
                 data_dir: str | None = None, dns_port: int = 0, keep_alive: float = 300.0,
                 address_block: tuple[int, int] | None = None,
                 save_interval: float = 2.0) -> None:
        import_trustme()  # fail early, naming the extra to install
        _check_nodes(nodes)
        if domain is not None:
            _check_domain(domain)
        for name, port in (("http_port", http_port), ("https_port", https_port),
                           ("mapi_port", mapi_port), ("dns_port", dns_port)):
            _check_port(name, port)
        if isinstance(config, (str, os.PathLike)):
            config = _config.load(os.fspath(config))
        if domain is None and config and config.get("domain") is not None:
            _check_domain(config["domain"], "the configuration's domain")
        self.tls = tls
        self.data_dir = data_dir
        self._options = (nodes, http_port, https_port, mapi_port, dns_port, keep_alive,
                         address_block)
        self._lifecycle = threading.RLock()
        self._closed = False
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._service: NodeService | None = None
        self._run: _Started | None = None
        self._dns: NameServer | None = None
        self._persist = None
        if data_dir:
            os.makedirs(data_dir, exist_ok=True)
        self.system: System = _config.build_system(
            config, domain or "", functools.partial(_disk_storage, data_dir) if data_dir else None)
        self._default = _config.default_namespace(config, self.system)
        if data_dir:
            from .persist import Persistence
            self._persist = Persistence(self.system, data_dir, save_interval)
            self._persist.load()

    # ------------------------------------------------------------------ start / stop

    def start(self) -> Emulator:
        """Start the nodes, the DNS server and the TLS authority (once; later calls do nothing).

        ``with Emulator(...) as hcp:`` calls it; call it yourself (and :meth:`close`) when
        you don't use ``with``.

        :returns: the emulator
        :raises hcpsdk.HcpsdkError: if the emulator was closed
        :raises OSError: if an explicitly requested port can't be bound (the emulator is
            closed then)
        """
        with self._lifecycle:
            if self._closed:
                raise HcpsdkError(f"the Emulator of {self.system.domain} was closed; an Emulator"
                                  " runs once: create a new one")
            if self._service is not None:
                return self
            try:
                self._tmp = tempfile.TemporaryDirectory(prefix="hcp-emulator-")
                if self._persist is not None:
                    self._persist.start()
                self._start(*self._options)
            except BaseException:
                self.close()
                raise
        return self

    @property
    def running(self) -> bool:
        """Whether the emulator was started and is not closed yet."""
        return self._service is not None and not self._closed

    def _started(self, what: str) -> _Started:
        """What :meth:`start` set up.

        :raises hcpsdk.HcpsdkError: naming *what* was asked for, if the emulator was never
            started
        """
        if self._run is None:
            state = "was closed without being started" if self._closed else "is not started"
            raise HcpsdkError(f"Emulator.{what}: the Emulator of {self.system.domain} {state};"
                              " use 'with Emulator(...) as hcp:' or call start() first")
        return self._run

    @property
    def addresses(self) -> list[str]:
        """The node IP addresses (``127.A.B.2``, ``127.A.B.3``, ...)."""
        return self._started("addresses").addresses

    @property
    def dns(self) -> tuple[str, int]:
        """``(host, port)`` of the DNS server."""
        return self._started("dns").dns

    @property
    def http_port(self) -> int:
        """The data HTTP port (the same on every node)."""
        return self._started("http_port").http_port

    @property
    def https_port(self) -> int | None:
        """The data HTTPS port, None without TLS."""
        return self._started("https_port").https_port

    @property
    def mapi_port(self) -> int:
        """The MAPI port (always TLS)."""
        return self._started("mapi_port").mapi_port

    @property
    def cafile(self) -> str:
        """The PEM file of the emulator's CA."""
        return self._started("cafile").cafile

    @property
    def requests(self) -> RequestLog:
        """The requests served so far."""
        return self._started("requests").requests

    @property
    def faults(self) -> Faults:
        """Fault injection (:class:`~hcpsdk.emulator.faults.Faults`)."""
        return self._started("faults").faults

    def _start(self, nodes: int, http_port: int | None, https_port: int | None,
               mapi_port: int | None, dns_port: int, keep_alive: float,
               block: tuple[int, int] | None) -> None:
        self._block = block or _reserve_block()
        a, b = self._block
        domain = self.system.domain
        addresses = [f"127.{a}.{b}.{n}" for n in range(2, nodes + 2)]
        self.system.addresses = list(addresses)
        self._dns = NameServer(f"127.{a}.{b}.1", dns_port)
        self._dns.add_zone(Zone(domain, lambda: self.system.tenants.keys(), addresses))
        wanted = {"http": http_port, "https": https_port, "mapi": mapi_port}
        if not self.tls:
            wanted.pop("https")
        prebound, ports = self._bind_all(addresses, wanted)
        names = [f"*.{t}.{domain}" for t in self.system.tenants]
        names += [f"{t}.{domain}" for t in self.system.tenants]
        names += [self.admin_fqdn, f"default.default.{domain}"]
        ca_pem = None
        ca_path = os.path.join(self.data_dir, "ca-key.pem") if self.data_dir else None
        if ca_path and os.path.exists(ca_path):
            with open(ca_path, "rb") as f:
                ca_pem = f.read()
        assert self._tmp is not None  # start() made it
        self._authority = Authority(names, addresses, self.data_dir or self._tmp.name,
                                    ca_pem, domain, lambda: list(self.system.tenants))
        if ca_path and ca_pem is None:
            fd = os.open(ca_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(self._authority.ca_key_pem())
        run = _Started(addresses, self._dns.address, ports["http"], ports.get("https"),
                       ports["mapi"], self._authority.cafile, RequestLog(),
                       Faults(addresses, self._set_down, self._set_dns_fail))
        common = (f"Server: HCP V{SOFTWARE_VERSION}\r\n"
                  f"X-HCP-ServicedBySystem: {domain}\r\n").encode()
        content = (f"X-HCP-SoftwareVersion: {SOFTWARE_VERSION}\r\n"
                   "Cache-Control: no-cache,no-store\r\nPragma: no-cache\r\n"
                   "Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n").encode()
        self._service = NodeService(addresses, ports, self._authority.context,
                                    Recorder(self.system, Handler(self.system)),
                                    common, run.faults, run.requests.add, keep_alive, content)
        self._run = run
        self._service.start(prebound)
        log.info("emulator %s started on %s", domain, ", ".join(addresses))

    @classmethod
    def _bind_all(cls, addresses: list[str], wanted: dict[str, int | None]
                  ) -> tuple[dict[tuple[int, str], socket.socket], dict[str, int]]:
        """Bind every (node, service); standard ports first, else one shared ephemeral port."""
        prebound: dict[tuple[int, str], socket.socket] = {}
        ports: dict[str, int] = {}
        try:
            for kind, port in wanted.items():
                candidates = [port] if port is not None else [STANDARD_PORTS[kind]]
                bound = None
                for attempt in range(40):
                    want = candidates[0] if attempt == 0 else 0
                    bound = cls._bind_nodes(addresses, want)
                    if bound is not None:
                        break
                    if port is not None and port != 0:
                        raise OSError(f"cannot bind {kind} port {port} on {addresses}")
                if bound is None:
                    raise OSError(f"no free {kind} port on {addresses}")
                number, socks = bound
                ports[kind] = number
                for node, sock in enumerate(socks):
                    prebound[(node, kind)] = sock
        except BaseException:
            for sock in prebound.values():
                sock.close()
            raise
        return prebound, ports

    @staticmethod
    def _bind_nodes(addresses: list[str], port: int) -> tuple[int, list[socket.socket]] | None:
        socks: list[socket.socket] = []
        try:
            for address in addresses:
                sock = NodeService.bind(address, port)
                socks.append(sock)
                port = sock.getsockname()[1]
        except OSError:
            for sock in socks:
                sock.close()
            return None
        return port, socks

    def _set_down(self, node: int, down: bool) -> None:
        if self._service is not None:
            self._service.set_down(node, down)

    def _set_dns_fail(self, on: bool) -> None:
        if self._dns is not None:
            self._dns.fail = on

    def close(self) -> None:
        """Stop every listener, connection and the DNS server; remove temporary files.

        Calling it again, or on an emulator that was never started, does nothing harmful.
        """
        with self._lifecycle:
            if self._closed:
                return
            self._closed = True
            self._close()

    def _close(self) -> None:
        try:
            from . import replication
        except ImportError:
            pass
        else:
            replication.close_links(self.system)
        if self._service is not None:
            self._service.close()
        if self._dns is not None:
            self._dns.close()
        if self._persist is not None:
            self._persist.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
        if getattr(self, "_block", None):
            with _blocks_lock:
                _blocks_used.discard(self._block)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ names

    @property
    def domain(self) -> str:
        """The system's DNS domain."""
        return self.system.domain

    @property
    def fqdn(self) -> str:
        """FQDN of the default namespace, e.g. ``n1.m.hcp1.example.com``."""
        tenant, ns = self._default
        return f"{ns}.{tenant}.{self.system.domain}"

    @property
    def tenant_fqdn(self) -> str:
        """FQDN of the default namespace's tenant, e.g. ``m.hcp1.example.com``."""
        return f"{self._default[0]}.{self.system.domain}"

    @property
    def admin_fqdn(self) -> str:
        """FQDN of the system management host, ``admin.<domain>``."""
        return f"admin.{self.system.domain}"

    @property
    def user(self) -> str:
        """The data user of the default namespace."""
        return self._data_user()[0]

    @property
    def password(self) -> str:
        """The data user's password."""
        return self._data_user()[1]

    def _data_user(self) -> tuple[str, str]:
        tenant, ns = self._default
        for user in self.system.tenants[tenant].users.values():
            if ns in user.permissions:
                return user.name, user.password
        raise LookupError(f"no user has permissions on {self.fqdn}")

    @property
    def admin_user(self) -> str:
        """The system-level MAPI user."""
        return next(iter(self.system.admin_users))

    @property
    def admin_password(self) -> str:
        """The MAPI user's password."""
        return self.system.admin_users[self.admin_user]

    # ------------------------------------------------------------------ clients

    def resolver(self) -> Any:
        """A :class:`dns.resolver.Resolver` asking this emulator's DNS server."""
        import dns.resolver

        res = dns.resolver.Resolver(configure=False)
        res.nameservers = [self.dns[0]]
        res.port = self.dns[1]
        res.timeout = 2.0
        res.lifetime = 4.0
        res.search = []
        res.use_search_by_default = False
        return res

    @contextlib.contextmanager
    def use_as_default_resolver(self) -> Iterator[Any]:
        """Context manager: make :meth:`resolver` dnspython's default resolver meanwhile."""
        import dns.resolver

        old = dns.resolver.default_resolver
        dns.resolver.default_resolver = res = self.resolver()
        try:
            yield res
        finally:
            dns.resolver.default_resolver = old

    def serve_names_of(self, other: Emulator) -> None:
        """Let this emulator's DNS server answer the names of *other* too."""
        self._started("serve_names_of()")
        assert self._dns is not None
        self._dns.add_zone(Zone(other.system.domain, lambda: other.system.tenants.keys(),
                                other.addresses))

    def client_context(self) -> Any:
        """An :class:`ssl.SSLContext` for clients that trusts the emulator's CA."""
        self._started("client_context()")
        return self._authority.client_context()

    def target(self, fqdn: str | None = None, port: int | None = None, **kw: Any) -> Any:
        """A ready :class:`hcpsdk.Target`.

        Default: the default namespace with the data user on the HTTPS port (HTTP if the
        emulator runs without TLS). For :attr:`admin_fqdn`: the MAPI user on the MAPI port.
        *kw* go to ``Target`` (``tls`` and ``resolver`` are filled in unless given).
        """
        import hcpsdk

        fqdn = fqdn or self.fqdn
        if fqdn.lower() == self.admin_fqdn:
            auth = hcpsdk.NativeAuthorization(self.admin_user, self.admin_password)
            port = port or self.mapi_port
        else:
            auth = hcpsdk.NativeAuthorization(self.user, self.password)
            if fqdn.lower() == self.tenant_fqdn:
                port = port or self.mapi_port
            port = port or (self.https_port if self.https_port is not None else self.http_port)
        kw.setdefault("tls", port != self.http_port)
        kw.setdefault("resolver", self.resolver())
        return hcpsdk.Target(fqdn, auth, port=port, **kw)

    def link(self, other: Emulator, name: str | None = None, link_type: str = "ACTIVE_ACTIVE",
             delay: float = 0.0) -> Any:
        """Link this system (primary) with *other* (replica); see
        :func:`hcpsdk.emulator.replication.link`."""
        from . import replication

        return replication.link(self, other, name=name, link_type=link_type, delay=delay)

    # ------------------------------------------------------------------ inspection

    def stats(self, node: int | str | None = None) -> dict[str, int]:
        """Counters ``accepted``, ``closed``, ``open`` (connections) and ``requests``.

        :param node: a node index or IP; None for all nodes
        """
        self._started("stats()")
        assert self._service is not None
        if isinstance(node, str):
            node = self.addresses.index(node)
        return self._service.stats(node)

    def _namespace(self, namespace: str | None) -> Any:
        if namespace is None:
            return self.system.namespace(*self._default)
        name = namespace.lower()
        if name.endswith("." + self.system.domain):
            name = name[: -len(self.system.domain) - 1]
        ns, _, tenant = name.partition(".")
        found = self.system.namespace(tenant or self._default[0], ns)
        if found is None:
            raise KeyError(f"no namespace {namespace}")
        return found

    @staticmethod
    def _path(path: str) -> str:
        path = path.lstrip("/")
        if path == "rest" or path.startswith("rest/"):
            path = path[4:]
        return path.strip("/")

    def get_object(self, path: str, namespace: str | None = None) -> bytes | None:
        """The current content of object *path* (``/rest/...`` or relative), else None.

        :param namespace: ``n1``, ``n1.m`` or a namespace FQDN (default namespace if None)
        """
        v = self._namespace(namespace).store.current(self._path(path))
        return None if v is None else v.blob.read()

    def put_object(self, path: str, data: bytes, namespace: str | None = None) -> None:
        """Store *data* as object *path* (same rules as a PUT; replaces an existing object
        in a namespace without versioning)."""
        store = self._namespace(namespace).store
        path = self._path(path)
        # No lock held around delete + put: the store emits change events after releasing
        # its lock, and a synchronous replication link must not run under it.
        if store.current(path) is not None and not store.namespace.versioning:
            store.delete(path, privileged=True)
        store.put_bytes(path, data, owner=self.user)

    @staticmethod
    def wait_for(predicate: Callable[[], Any], timeout: float = 5.0) -> bool:
        """Poll *predicate* until it is true or *timeout* seconds passed; returns its truth."""
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return bool(predicate())
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def connection_info(self) -> dict[str, Any]:
        """The values a client needs (what the standalone server prints)."""
        return {"domain": self.domain, "fqdn": self.fqdn, "tenant_fqdn": self.tenant_fqdn,
                "admin_fqdn": self.admin_fqdn, "addresses": list(self.addresses),
                "http_port": self.http_port, "https_port": self.https_port,
                "mapi_port": self.mapi_port, "user": self.user, "password": self.password,
                "admin_user": self.admin_user, "admin_password": self.admin_password,
                "cafile": self.cafile, "dns": list(self.dns)}

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running" if self._service else "not started"
        addresses = self._run.addresses if self._run else []
        if not addresses:
            return f"<Emulator {self.domain} {state}>"
        ports = f"http {self.http_port}, https {self.https_port}, mapi {self.mapi_port}"
        return (f"<Emulator {self.domain} {state}: {len(addresses)} nodes {addresses[0]}.."
                f"{addresses[-1].rsplit('.', 1)[1]}, {ports}>")

