"""Errors of hcpsdk.mapi that are two things at once.

A failed MAPI call raises the error of its module (``LogsError``, ``ChargebackError``,
``TenantError``, as 0.9.5 did) that is at the same time an
:class:`~hcpsdk.exceptions.HcpsdkStatusError` carrying ``status``, ``http_reason``
and ``hcp_message``; a bad argument raises one that is also a :class:`ValueError`.
"""
from __future__ import annotations

from hcpsdk.exceptions import (
    ChargebackError,
    HcpsdkStatusError,
    LogsError,
    LogsInProgessError,
    TenantError,
)

__all__ = [
    "LogsStatusError",
    "LogsInProgressStatusError",
    "LogsArgumentError",
    "ChargebackStatusError",
    "ChargebackArgumentError",
    "TenantStatusError",
]


class LogsStatusError(LogsError, HcpsdkStatusError):
    """A logs call got an unexpected HTTP status.

    .. versionadded:: 1.0
    """


class LogsInProgressStatusError(LogsInProgessError, LogsStatusError):
    """``prepare`` was refused (HTTP 400): a log preparation is already in progress.

    .. versionadded:: 1.0
    """


class LogsArgumentError(LogsError, ValueError):
    """A logs call was given a bad argument.

    .. versionadded:: 1.0
    """


class ChargebackStatusError(ChargebackError, HcpsdkStatusError):
    """A chargeback report request got an unexpected HTTP status.

    .. versionadded:: 1.0
    """


class ChargebackArgumentError(ChargebackError, ValueError):
    """A chargeback report was asked for with a bad argument.

    .. versionadded:: 1.0
    """


class TenantStatusError(TenantError, HcpsdkStatusError):
    """A tenant call got an unexpected HTTP status.

    .. versionadded:: 1.0
    """


for _cls in (LogsStatusError, LogsInProgressStatusError, LogsArgumentError, ChargebackStatusError,
             ChargebackArgumentError, TenantStatusError):
    _cls.__module__ = "hcpsdk.mapi"
del _cls
