"""The Target: one HCP (namespace) FQDN, its credentials, its nodes and its TLS setup."""
from __future__ import annotations

import logging
import re
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from . import ips
from ._check import bad_value, integer, of_type, wrong_type
from ._constants import (
    I_DUMMY,
    I_HS3,
    I_HSWIFT,
    I_NATIVE,
    RS_READ_ALLOWED,
    RS_READ_ON_FAILOVER,
    RS_WRITE_ALLOWED,
    RS_WRITE_ON_FAILOVER,
    SSL_PORTS,
)
from ._tls import TlsPolicy
from ._transport import TargetHeaders
from .auth import BaseAuthorization
from .exceptions import HcpsdkError, HcpsdkPortError, HcpsdkReplicaInitError, HcpsdkTypeError

if TYPE_CHECKING:
    # the replica module is imported when a Target gets a replica, not before: most
    # Targets never have one (only this private attribute's annotation names it)
    from ._replica import ReplicaPolicy

__all__ = ["Target", "checkport"]

log = logging.getLogger(__name__)

_INTERFACES = (I_NATIVE, I_DUMMY, I_HS3, I_HSWIFT)
# what a host name never contains, but a URL does: scheme, port, path, query, user
_NOT_A_HOST = re.compile(r"[/:?#@\s]")


def _check_fqdn(name: str, value: Any) -> None:
    """``value`` must be a host name (or an IP address literal), nothing more."""
    expected = "a str host name like 'n1.m.hcp1.example.com'"
    if not isinstance(value, str):
        raise wrong_type("Target", name, expected, value)
    if not value or (_NOT_A_HOST.search(value) and ips._ip_literal(value) is None):
        raise bad_value("Target", name, expected + " (no scheme, port or path)", value)


def _check_arguments(fqdn: Any, authorization: Any, port: Any, sslcontext: Any,
                     interface: Any, replica_fqdn: Any, replica_strategy: Any, tls: Any,
                     resolver: Any, replica_mapi: Any, replica_link: Any) -> None:
    """Refuse wrong arguments up front, with an error naming them (see :class:`Target`)."""
    _check_fqdn("fqdn", fqdn)
    if not isinstance(authorization, BaseAuthorization):
        raise wrong_type("Target", "authorization", "an hcpsdk authorization object like "
                         "NativeAuthorization(user, password)", authorization, secret=True)
    integer("Target", "port", port, 1, 65535)
    of_type("Target", "sslcontext", sslcontext, SSLContext, "None or an ssl.SSLContext")
    if interface not in _INTERFACES:
        raise bad_value("Target", "interface", "one of I_NATIVE, I_DUMMY, I_HS3, I_HSWIFT",
                        interface)
    if replica_fqdn:
        _check_fqdn("replica_fqdn", replica_fqdn)
    if replica_strategy is not None:
        from ._replica import check_strategy  # only with a replica: keeps the import cheap
        check_strategy(replica_strategy)
    of_type("Target", "tls", tls, bool, "None, True or False")
    if resolver is not None and not callable(getattr(resolver, "resolve", None)):
        raise wrong_type("Target", "resolver", "None or a resolver with a resolve() method "
                         "(a dns.resolver.Resolver)", resolver)
    of_type("Target", "replica_mapi", replica_mapi, Target, "None or an hcpsdk.Target")
    of_type("Target", "replica_link", replica_link, str, "None or a str")


class Target:
    """The central access point to an HCP target (and its replica, eventually).

    It caches the FQDN, the port, the request headers and the node addresses;
    :class:`hcpsdk.Connection` objects made from it share all of that. Thread-safe.

    .. code-block:: python

        auth = hcpsdk.NativeAuthorization('n', 'n01')
        t = hcpsdk.Target('n1.m.hcp1.snomis.local', auth, port=443)

    :param fqdn: ([namespace.]tenant.hcp.loc) - a host name (or an IP address), without
        scheme, port or path
    :param authorization: an instance of one of BaseAuthorization's subclasses
    :param port: port number (443, 8000 and 9090 are seen as ports using ssl)
    :param dnscache: if ``True``, use the system resolver (which might do local caching),
        else an internal resolver, bypassing any cache available
    :param sslcontext: the context used to handle https requests; defaults to no
        certificate verification
    :param interface: the HCP interface to use (I_NATIVE)
    :param replica_fqdn: the replica HCP's FQDN
    :param replica_strategy: ORed combination of the RS_* modes
    :param tls: ``None`` = TLS iff ``port`` is in SSL_PORTS; ``True``/``False`` force it
    :param resolver: a ``dns.resolver.Resolver`` used when ``dnscache=False``
    :param replica_mapi: a Target on the MAPI port of the replica system; the
        ``*_ON_FAILOVER`` strategies then read the link state from it
    :param replica_link: the name of the replication link to watch (default: the only
        link MAPI lists)
    :raises HcpsdkTypeError: when an argument has the wrong type (e.g. ``fqdn`` is no str,
        ``port`` no int, ``authorization`` no authorization object, ``tls`` no bool)
    :raises HcpsdkArgumentError: when an argument has a bad value (``fqdn`` empty or with a
        scheme, port or path; ``port`` not in 1..65535; an unknown ``interface``)
    :raises ips.IpsError: when the FQDN can't be resolved
    :raises HcpsdkReplicaInitError: when the replica can't be initialized (its name can't
        be resolved), or ``replica_strategy`` is no ORed combination of the RS_* modes
    :raises HcpsdkError: on other errors (e.g. an authorization without token)

    .. versionadded:: 1.0 the keyword-only ``tls``, ``resolver``, ``replica_mapi`` and
       ``replica_link``.
    """

    I_NATIVE = I_NATIVE
    I_DUMMY = I_DUMMY
    I_HS3 = I_HS3
    I_HSWIFT = I_HSWIFT
    RS_READ_ALLOWED = RS_READ_ALLOWED
    RS_READ_ON_FAILOVER = RS_READ_ON_FAILOVER
    RS_WRITE_ALLOWED = RS_WRITE_ALLOWED
    RS_WRITE_ON_FAILOVER = RS_WRITE_ON_FAILOVER

    def __init__(self, fqdn: str, authorization: BaseAuthorization, port: int = 443,
                 dnscache: bool = False, sslcontext: SSLContext | None = None,
                 interface: str = I_NATIVE, replica_fqdn: str | None = None,
                 replica_strategy: int | None = None, *, tls: bool | None = None,
                 resolver: Any = None, replica_mapi: Target | None = None,
                 replica_link: str | None = None) -> None:
        _check_arguments(fqdn, authorization, port, sslcontext, interface, replica_fqdn,
                         replica_strategy, tls, resolver, replica_mapi, replica_link)
        self._fqdn = fqdn
        self._auth = authorization
        self._port = port
        self._dnscache = dnscache
        self._sslcontext = sslcontext
        self._interface = interface
        self._replica_fqdn = replica_fqdn
        self._replica_strategy = replica_strategy
        self._resolver = resolver
        self._replica_mapi = replica_mapi
        self._replica_link = replica_link
        self._tls = self._port in SSL_PORTS if tls is None else tls
        # computed once: Connections send this very dict (never mutated) on every request
        host = f"[{fqdn}]" if ":" in fqdn and not fqdn.startswith("[") else fqdn
        self._headers: dict[str, str] = {"Host": host}  # an IPv6 literal in brackets
        self._headers.update(authorization._getheaders())
        self._encoded_headers = TargetHeaders(self._headers)
        self._tls_policy = TlsPolicy(sslcontext) if self._tls else None
        try:
            self._circle = ips.Circle(fqdn, port=self._port, dnscache=dnscache, resolver=resolver)
        except HcpsdkError:
            raise
        except Exception as exc:
            raise HcpsdkError(f"Target {fqdn}: {exc}") from exc
        self._replica: Target | None = None
        self._replica_policy: ReplicaPolicy | None = None
        if replica_fqdn:
            self._replica = self._make_replica(replica_fqdn)
            from ._replica import ReplicaPolicy  # imported only when a replica is configured
            self._replica_policy = ReplicaPolicy.for_target(self, self._replica, replica_strategy,
                                                            mapi=replica_mapi, link=replica_link)
        log.debug("Target initialized: %s:%s - SSL = %s", fqdn, self._port, self._tls)

    def _make_replica(self, replica_fqdn: str) -> Target:
        try:
            return Target(replica_fqdn, self._auth, port=self._port, dnscache=self._dnscache,
                          sslcontext=self._sslcontext, interface=self._interface,
                          tls=self._tls, resolver=self._resolver)
        except HcpsdkError as exc:
            raise HcpsdkReplicaInitError(
                f"replica {replica_fqdn} of {self._fqdn} can't be initialized: {exc}"
            ) from exc

    def getaddr(self) -> str:
        """Convenience method to get an IP address out of the pool.

        :returns: an IP address (as string)
        """
        return self._circle._addr()

    def refresh(self) -> None:
        """Re-resolve the FQDN and rebuild the address pool.

        :raises ips.IpsError: when the name can't be resolved

        .. versionadded:: 1.0
        """
        self._circle.refresh()

    @property
    def fqdn(self) -> str:
        """The FQDN for which the Target was initialized (string)."""
        return self._fqdn

    @property
    def port(self) -> int:
        """The port used by the Target (int)."""
        return self._port

    @property
    def ssl(self) -> bool:
        """Target initialized for SSL (bool)."""
        return self._tls

    @property
    def sslcontext(self) -> SSLContext | None:
        """The SSL context connections use (the non-verifying default if none was given)."""
        return self._tls_policy.context if self._tls_policy else self._sslcontext

    @property
    def interface(self) -> str:
        """The HCP interface (``I_NATIVE``, ...)."""
        return self._interface

    @property
    def dnscache(self) -> bool:
        """``True`` if the system resolver is used."""
        return self._dnscache

    @property
    def addresses(self) -> list[str]:
        """The IP addresses used by this Target (list)."""
        return list(self._circle._addresses)

    @property
    def headers(self) -> dict[str, str]:
        """The http headers prepared for this Target (a fresh dictionary)."""
        return dict(self._headers)

    @property
    def replica(self) -> Target | None:
        """The replica Target, if available (an hcpsdk.Target object or None)."""
        return self._replica

    @property
    def replica_fqdn(self) -> str | None:
        """The replica's FQDN as given."""
        return self._replica_fqdn

    @property
    def replica_strategy(self) -> int | None:
        """The ORed RS_* modes as given."""
        return self._replica_strategy

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle the constructor's arguments: unpickling builds the Target anew.

        That lets a Target go to ``multiprocessing`` workers; each resolves the FQDN
        itself (and the replica's). The pickle holds the credentials, like the Target.
        A ``dns.resolver.Resolver`` goes without its cache (a cache can't be pickled).

        :raises HcpsdkTypeError: when the Target was given an ``sslcontext`` (an
            ``ssl.SSLContext`` can't be pickled): create the Target in the worker

        .. versionadded:: 1.0
        """
        if self._sslcontext is not None:
            raise HcpsdkTypeError(
                f"Target {self._fqdn}: a Target made with an sslcontext can't be pickled (an "
                "ssl.SSLContext can't be) - create the Target in the worker process")
        resolver = self._resolver
        if getattr(resolver, "cache", None) is not None:
            import copy  # only a pickled Target with a caching resolver needs it

            resolver = copy.copy(resolver)
            resolver.cache = None
        return _unpickle, ((self._fqdn, self._auth, self._port, self._dnscache, None,
                            self._interface, self._replica_fqdn, self._replica_strategy),
                           {"tls": self._tls, "resolver": resolver,
                            "replica_mapi": self._replica_mapi,
                            "replica_link": self._replica_link})

    def __repr__(self) -> str:
        scheme = "https" if self._tls else "http"
        count = len(self._circle._addresses)
        nodes = f"{count} node{'s' if count != 1 else ''}"
        replica = f", replica {self._replica_fqdn}" if self._replica_fqdn else ""
        return f"<hcpsdk.Target {scheme}://{self._fqdn}:{self._port} {nodes}{replica}>"

    def __str__(self) -> str:
        return f"Target initialized for {self._fqdn}"


def _unpickle(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Target:
    return Target(*args, **kwargs)


def checkport(target: Target, port: int) -> None:
    """Check that ``target`` was initialized for ``port``.

    :param target: the Target to check
    :param port: the port the caller needs (e.g. ``P_MAPI``)
    :raises HcpsdkPortError: if the Target uses another port
    :raises HcpsdkTypeError: if ``target`` is no Target
    """
    if not isinstance(target, Target):
        raise wrong_type("checkport", "target", "an hcpsdk.Target", target)
    if target.port != port:
        raise HcpsdkPortError(f"Target initialized for port {target.port}, not {port}")
