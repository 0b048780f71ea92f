"""Tenants through the management API (MAPI)."""
from __future__ import annotations

import logging
from typing import Any

import hcpsdk
from hcpsdk._session import Session, parse_json
from hcpsdk.exceptions import TenantError
from hcpsdk.mapi._call import quote_name
from hcpsdk.mapi._errors import TenantStatusError

__all__ = ["Tenant", "listtenants", "TenantError"]

log = logging.getLogger(__name__)

_JSON = {"Accept": "application/json"}


class Tenant(Session):
    """One tenant of an HCP system.

    :param target: an :class:`hcpsdk.Target` for ``admin.<hcp>`` on the MAPI port (9090)
    :param name: the tenant's name
    :param timeout: the Connection's timeout
    :param debuglevel: 0..9 (used in ``http.client``)
    :raises HcpsdkPortError: if the Target is not on the MAPI port

    .. versionadded:: 0.9.5
    """

    def __init__(self, target: hcpsdk.Target, name: str, timeout: float = 60, debuglevel: int = 0) -> None:
        super().__init__(target, timeout=timeout, debuglevel=debuglevel, port=hcpsdk.P_MAPI)
        #: the tenant's name
        self.name = name
        self._info: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"Tenant(<Target {self.target.fqdn}:{self.target.port}>, {self.name!r})"

    def info(self, cache: bool = True) -> dict[str, Any]:
        """The tenant's settings, as HCP's JSON has them.

        :param cache: if True, a second call returns the first answer without asking HCP
        :returns: e.g. ``{'name': 'm', 'hardQuota': '200.00 GB', 'softQuota': 85, ...}``
        :raises TenantStatusError: (a :class:`TenantError`) if HCP refuses, e.g. HTTP 404
            for an unknown tenant
        """
        if self._info is None or not cache:
            call = f"info of tenant {self.name!r}"
            data = self._fetch(call, "GET", f"/mapi/tenants/{quote_name(self.name)}", headers=_JSON,
                               error=TenantStatusError)
            self._info = parse_json(call, data, TenantError)
        return self._info


def listtenants(target: hcpsdk.Target, timeout: float = 60, debuglevel: int = 0) -> list[Tenant]:
    """List the tenants of an HCP system.

    :param target: an :class:`hcpsdk.Target` for ``admin.<hcp>`` on the MAPI port (9090)
    :param timeout: the Connection's timeout
    :param debuglevel: 0..9 (used in ``http.client``)
    :returns: a :class:`Tenant` per tenant (each with its own Connection, opened when
        first used: close them when done)
    :raises HcpsdkPortError: if the Target is not on the MAPI port
    :raises TenantStatusError: (a :class:`TenantError`) if HCP refuses

    .. versionadded:: 0.9.5
    """
    with Session(target, timeout=timeout, debuglevel=debuglevel, port=hcpsdk.P_MAPI) as session:
        call = "listtenants"
        data = session._fetch(call, "GET", "/mapi/tenants", params={"verbose": "true"}, headers=_JSON,
                              error=TenantStatusError)
    listing = parse_json(call, data, TenantError)
    names = listing.get("name", []) if isinstance(listing, dict) else None
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise TenantError(f"{call}: unexpected answer from HCP: {listing!r:.200}")
    return [Tenant(target, name, timeout=timeout, debuglevel=debuglevel) for name in names]
