"""hcpsdk.mapi — access to selected functions of HCP's management API (MAPI).

MAPI is served on port 9090 (:data:`hcpsdk.P_MAPI`) of ``admin.<hcp>``; every class
here wants an :class:`hcpsdk.Target` on that port and raises
:class:`~hcpsdk.exceptions.HcpsdkPortError` otherwise.

- :class:`Replication` — replication links: list, details, suspend/resume/failover...
- :class:`Logs` — mark, prepare and download HCP's internal logs
- :class:`Chargeback` — chargeback reports as JSON, XML or CSV
- :func:`listtenants`, :class:`Tenant` — the tenants and their settings

Each class keeps one persistent Connection: ``close()`` it, or use it as a context
manager. A refused call raises an :class:`~hcpsdk.exceptions.HcpsdkStatusError`
naming the call, the node, the HTTP status and HCP's ``X-HCP-ErrorMessage``.
"""
from __future__ import annotations

from hcpsdk.exceptions import (
                               ChargebackError,
                               LogsError,
                               LogsInProgessError,
                               LogsNotReadyError,
                               ReplicationSettingsError,
                               TenantError,
)
from hcpsdk.mapi._errors import (
                               ChargebackArgumentError,
                               ChargebackStatusError,
                               LogsArgumentError,
                               LogsInProgressStatusError,
                               LogsStatusError,
                               TenantStatusError,
)
from hcpsdk.mapi.chargeback import Chargeback
from hcpsdk.mapi.logs import Logs
from hcpsdk.mapi.replication import Replication
from hcpsdk.mapi.tenant import Tenant, listtenants

__all__ = [
    "Replication",
    "Logs",
    "Chargeback",
    "Tenant",
    "listtenants",
    "ReplicationSettingsError",
    "LogsError",
    "LogsNotReadyError",
    "LogsInProgessError",
    "ChargebackError",
    "TenantError",
    "LogsStatusError",
    "LogsInProgressStatusError",
    "LogsArgumentError",
    "ChargebackStatusError",
    "ChargebackArgumentError",
    "TenantStatusError",
]
