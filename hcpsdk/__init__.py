"""hcpsdk — the Python SDK for Hitachi Content Platform (HCP).

Setup in four steps: an *Authorization* with the credentials, optionally an
``ssl.SSLContext``, a :class:`Target` for the HCP FQDN, and one or more
:class:`Connection` objects that do the requests::

    import hcpsdk
    auth = hcpsdk.NativeAuthorization('n', 'n01')
    t = hcpsdk.Target('n1.m.hcp1.snomis.local', auth, port=443)
    with hcpsdk.Connection(t) as c:
        c.PUT('/rest/hcpsdk/test1.txt', body='This is an example')

The submodules ``hcpsdk.ips``, ``hcpsdk.namespace``, ``hcpsdk.pathbuilder``,
``hcpsdk.mapi`` and ``hcpsdk.emulator`` are imported on first use.
"""
from __future__ import annotations

from ._constants import (
    I_DUMMY,
    I_HS3,
    I_HSWIFT,
    I_NATIVE,
    P_HTTP,
    P_HTTPS,
    P_MAPI,
    P_MGMT,
    P_SEARCH,
    RS_READ_ALLOWED,
    RS_READ_ON_FAILOVER,
    RS_WRITE_ALLOWED,
    RS_WRITE_ON_FAILOVER,
    SSL_PORTS,
)
from ._log import install_null_handler
from ._retry import Retry
from ._transport import Response
from ._version import __version__
from .auth import (
    BaseAuthorization,
    DummyAuthorization,
    LocalSwiftAuthorization,
    NativeADAuthorization,
    NativeAuthorization,
)
from .connection import Connection
from .exceptions import (
    HcpsdkArgumentError,
    HcpsdkBodyNotRewindableError,
    HcpsdkCantConnectError,
    HcpsdkCertificateError,
    HcpsdkConcurrentUseError,
    HcpsdkError,
    HcpsdkIntegrityError,
    HcpsdkNotFoundError,
    HcpsdkNotModifiedError,
    HcpsdkPortError,
    HcpsdkPreconditionFailedError,
    HcpsdkRefusedError,
    HcpsdkReplicaInitError,
    HcpsdkStatusError,
    HcpsdkTimeoutError,
    HcpsdkTypeError,
)
from .target import Target, checkport

__all__ = [
    "version", "__version__",
    "Target", "Connection", "Response", "checkport", "Retry",
    "BaseAuthorization", "NativeAuthorization", "DummyAuthorization",
    "NativeADAuthorization", "LocalSwiftAuthorization",
    "HcpsdkError", "HcpsdkCantConnectError", "HcpsdkTimeoutError", "HcpsdkCertificateError",
    "HcpsdkReplicaInitError", "HcpsdkPortError", "HcpsdkBodyNotRewindableError",
    "HcpsdkStatusError", "HcpsdkArgumentError", "HcpsdkTypeError", "HcpsdkConcurrentUseError",
    "HcpsdkNotFoundError", "HcpsdkNotModifiedError", "HcpsdkPreconditionFailedError",
    "HcpsdkRefusedError", "HcpsdkIntegrityError",
    "I_NATIVE", "I_DUMMY", "I_HS3", "I_HSWIFT",
    "RS_READ_ALLOWED", "RS_READ_ON_FAILOVER", "RS_WRITE_ALLOWED", "RS_WRITE_ON_FAILOVER",
    "P_HTTP", "P_HTTPS", "P_MGMT", "P_SEARCH", "P_MAPI", "SSL_PORTS",
]

install_null_handler()

_SUBMODULES = frozenset({"ips", "namespace", "pathbuilder", "mapi", "emulator", "ingest",
                         "objects", "query"})


def version() -> str:
    """Return the full version of hcpsdk (the same string as ``hcpsdk.__version__``)."""
    return __version__


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name == "SSL_NOVERIFY":
        from ._tls import default_context

        return default_context()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
