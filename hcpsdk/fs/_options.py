"""From ``hcp://`` URLs and storage options to a :class:`hcpsdk.Target`.

pandas, pyarrow and Dask hand fsspec a URL and a dict of ``storage_options``; the
filesystem is built from those alone (and again from them in every Dask worker,
since that is what it pickles). Whatever the options leave open comes from the
``HCP_*`` environment variables that the samples use too.

.. versionadded:: 1.0
"""
from __future__ import annotations

import os
import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

from .._check import bad_value, wrong_type
from .._constants import SSL_PORTS
from ..auth import NativeAuthorization
from ..exceptions import HcpsdkArgumentError
from ..target import Target

__all__ = ["PROTOCOL", "ENVIRONMENT", "split_url", "target_from_options"]

#: The URL scheme (fsspec protocol) of HCP namespaces.
PROTOCOL = "hcp"
#: Storage option → environment variable consulted when the option is not given.
ENVIRONMENT = {"host": "HCP_FQDN", "user": "HCP_USER", "password": "HCP_PASSWORD",
               "port": "HCP_PORT", "cafile": "HCP_CAFILE", "nameserver": "HCP_NAMESERVER"}
_DEFAULT_PORT = 443


def split_url(url: str) -> tuple[dict[str, Any], str]:
    """``hcp://[user[:password]@]host[:port]/rest/...`` → (options, REST path).

    :param url: an ``hcp://`` URL
    :returns: the options named in the URL, and the path (``/`` when it has none)
    :raises HcpsdkArgumentError: the URL has no host, or a port that is no number
    """
    parts = urlsplit(url)
    if not parts.hostname:
        raise bad_value("hcp URL", "the host", "a namespace FQDN (hcp://<fqdn>/rest/...)", url)
    options: dict[str, Any] = {"host": parts.hostname}
    try:
        port = parts.port
    except ValueError:
        raise bad_value("hcp URL", "the port", "a number in 1..65535",
                        parts.netloc.rpartition(":")[2]) from None
    if port is not None:
        options["port"] = port
    if parts.username:
        options["user"] = unquote(parts.username)
    if parts.password:
        options["password"] = unquote(parts.password)
    return options, parts.path or "/"


def _resolver(nameserver: Any) -> Any:
    """A dnspython resolver asking ``nameserver`` (``"ip"``, ``"ip:port"`` or a list)."""
    import dns.resolver

    servers = [nameserver] if isinstance(nameserver, str) else list(nameserver)
    if not servers or not all(isinstance(s, str) for s in servers):
        raise wrong_type("HcpFileSystem", "nameserver", "'ip[:port]' or a list of them",
                         nameserver)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = []
    for server in servers:
        host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        resolver.nameservers.append(host)
        if port:
            resolver.port = int(port)
    resolver.search = []
    resolver.use_search_by_default = False
    return resolver


def _option(options: dict[str, Any], name: str) -> Any:
    value = options.get(name)
    if value is None and name in ENVIRONMENT:
        value = os.environ.get(ENVIRONMENT[name]) or None
    return value


def target_from_options(options: dict[str, Any]) -> Target:
    """Build the Target that ``options`` describe (missing ones from ``HCP_*`` variables).

    Options: ``host`` (the namespace FQDN), ``user``, ``password``, ``port`` (default 443),
    ``tls`` (default: TLS on 443, 8000, 9090), ``cafile`` (verify HCP's certificate
    against this CA; default: no verification, as for any Target), ``nameserver``
    (``"ip[:port]"`` or a list: ask this DNS server instead of the system's),
    ``dnscache``, ``replica_host`` and ``replica_strategy``.

    :param options: the storage options
    :returns: a new Target
    :raises HcpsdkArgumentError: the host, user or password is missing, or a value is bad
    """
    host, user, password = (_option(options, n) for n in ("host", "user", "password"))
    missing = [name for name, value in (("host", host), ("user", user),
                                        ("password", password)) if not value]
    if missing:
        raise HcpsdkArgumentError(
            "HcpFileSystem: no {} given (as an argument, in the URL, or in {})".format(
                " and no ".join(missing), " / ".join(ENVIRONMENT[m] for m in missing)))
    port = _option(options, "port") or _DEFAULT_PORT
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise bad_value("HcpFileSystem", "port", "a number in 1..65535", port) from None
    tls = options.get("tls")
    if tls is None:
        tls = port in SSL_PORTS
    cafile = _option(options, "cafile")
    context = ssl.create_default_context(cafile=cafile) if cafile and tls else None
    nameserver = _option(options, "nameserver")
    return Target(host, NativeAuthorization(user, password), port=port,
                  dnscache=bool(options.get("dnscache", False)), sslcontext=context,
                  replica_fqdn=options.get("replica_host"),
                  replica_strategy=options.get("replica_strategy"), tls=bool(tls),
                  resolver=_resolver(nameserver) if nameserver else None)
