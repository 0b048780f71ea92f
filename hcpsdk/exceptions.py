"""The exception tree of hcpsdk.

Every error raised by hcpsdk derives from :class:`HcpsdkError`; each keeps the
documented ``reason`` attribute, and ``str(exc) == exc.reason``. The classes below
are the base ones; the modules add a few more specific ones (``hcpsdk.mapi``'s
``LogsStatusError`` and the like, ``hcpsdk.emulator.tls.MissingExtraError``, ...).
The complete tree, with every exception class of the package, is drawn in the
documentation's *Exceptions* chapter (``docs/exceptions.rst``).
"""
from __future__ import annotations

__all__ = [
    "HcpsdkError",
    "HcpsdkArgumentError",
    "HcpsdkTypeError",
    "HcpsdkCantConnectError",
    "HcpsdkTimeoutError",
    "HcpsdkCertificateError",
    "HcpsdkReplicaInitError",
    "HcpsdkPortError",
    "HcpsdkBodyNotRewindableError",
    "HcpsdkStatusError",
    "HcpsdkConcurrentUseError",
    "HcpsdkNotFoundError",
    "HcpsdkNotModifiedError",
    "HcpsdkPreconditionFailedError",
    "HcpsdkRefusedError",
    "HcpsdkIntegrityError",
    "IpsError",
    "PathBuilderError",
    "ReplicationSettingsError",
    "LogsError",
    "LogsNotReadyError",
    "LogsInProgessError",
    "ChargebackError",
    "TenantError",
]


class HcpsdkError(Exception):
    """Used to signal a generic error in hcpsdk.

    :param reason: an error description, kept as :attr:`reason`
    """

    def __init__(self, reason: object = "") -> None:
        super().__init__(reason)
        #: An error description.
        self.reason = str(reason)

    def __str__(self) -> str:
        return self.reason


class HcpsdkArgumentError(HcpsdkError, ValueError):
    """An argument has a bad value; the message names the parameter and the value.

    .. versionadded:: 1.0
    """


class HcpsdkTypeError(HcpsdkError, TypeError):
    """An argument has the wrong type; the message names the parameter and the value.

    .. versionadded:: 1.0
    """


class HcpsdkCantConnectError(HcpsdkError):
    """No connection could be made to any node of the Target."""


class HcpsdkTimeoutError(HcpsdkError):
    """Used to signal a Connection timeout."""


class HcpsdkCertificateError(HcpsdkError):
    """Raised if the SSL context wasn't able to verify a certificate presented by HCP."""


class HcpsdkReplicaInitError(HcpsdkError):
    """The Target for a replica HCP couldn't be initialized (typically name resolution)."""


class HcpsdkPortError(HcpsdkError):
    """A Target was initialized for another port than the call needs (e.g. MAPI on 9090)."""


class HcpsdkBodyNotRewindableError(HcpsdkError):
    """A request failed after part of a non-seekable body was sent, so it can't be resent.

    .. versionadded:: 1.0
    """


class HcpsdkStatusError(HcpsdkError):
    """HCP answered a request with an unexpected HTTP status.

    :param reason: an error description naming the call
    :param status: the HTTP status code
    :param http_reason: the HTTP reason phrase
    :param hcp_message: the ``X-HCP-ErrorMessage`` header, if any

    .. versionadded:: 1.0
    """

    def __init__(self, reason: object, status: int = 0, http_reason: str = "",
                 hcp_message: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.http_reason = http_reason
        self.hcp_message = hcp_message


class HcpsdkConcurrentUseError(HcpsdkError):
    """A second thread called a Connection while another thread was in a call of it.

    A Connection is one conversation on one socket and belongs to one thread at a
    time; use one Connection per thread (they may share a Target).

    .. versionadded:: 1.0
    """


class HcpsdkNotFoundError(HcpsdkStatusError):
    """HCP answered ``404``: the object, version, directory or annotation does not exist.

    .. versionadded:: 1.0
    """


class HcpsdkNotModifiedError(HcpsdkStatusError):
    """HCP answered ``304`` to a conditional GET or HEAD (``If-None-Match`` matched, or the
    object did not change since ``If-Modified-Since``): the copy the caller has is current.

    .. versionadded:: 1.0
    """


class HcpsdkPreconditionFailedError(HcpsdkStatusError):
    """HCP answered ``412``: a condition (``If-Match``, ``If-Unmodified-Since``, or
    ``If-None-Match`` on a PUT) did not hold, so nothing was read or changed.

    .. versionadded:: 1.0
    """


class HcpsdkRefusedError(HcpsdkStatusError):
    """HCP refused to change an object (``400``, ``403`` or ``409`` to a PUT, POST or DELETE):
    shortening retention, changing or deleting a held object, a missing permission, an
    object that exists already... :attr:`status` holds the HTTP status and
    :attr:`hcp_message` HCP's ``X-HCP-ErrorMessage``, which says why.

    .. versionadded:: 1.0
    """


class HcpsdkIntegrityError(HcpsdkError):
    """The bytes sent or received do not have the hash HCP reports in ``X-HCP-Hash``.

    .. versionadded:: 1.0
    """


class IpsError(HcpsdkError):
    """Signal an error in 'ips' - typically a name resolution problem."""


class PathBuilderError(HcpsdkError, ValueError):
    """An error during unique object name generation or object name to path mapping."""


class ReplicationSettingsError(HcpsdkError, ValueError):
    """An invalid action for the given replication link type."""


class LogsError(HcpsdkError):
    """An error in a MAPI log download call."""


class LogsNotReadyError(LogsError):
    """The log download was asked for before the logs were prepared."""


class LogsInProgessError(LogsError):
    """A log preparation is already in progress (the 0.9.5 name, spelling kept)."""


class ChargebackError(HcpsdkError):
    """An error while requesting a chargeback report."""


class TenantError(HcpsdkError):
    """An error while listing or querying tenants."""


# Documented module homes of some exceptions: show them there in reprs and docs.
IpsError.__module__ = "hcpsdk.ips"
PathBuilderError.__module__ = "hcpsdk.pathbuilder"
for _cls in (ReplicationSettingsError, LogsError, LogsNotReadyError, LogsInProgessError,
             ChargebackError, TenantError):
    _cls.__module__ = "hcpsdk.mapi"
del _cls
