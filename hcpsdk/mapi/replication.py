"""Replication links through the management API (MAPI)."""
from __future__ import annotations

import logging
from typing import Any
from xml.sax.saxutils import escape

import hcpsdk
from hcpsdk._encoding import unencodable
from hcpsdk._session import Session, element_to_dict, parse_xml
from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError, ReplicationSettingsError
from hcpsdk.mapi._call import quote_name

__all__ = ["Replication", "ReplicationSettingsError"]

log = logging.getLogger(__name__)

_LINKS_URL = "/mapi/services/replication/links"


class Replication(Session):
    """Access replication link information, modify the replication link state.

    :param target: an :class:`hcpsdk.Target` for ``admin.<hcp>`` on the MAPI port (9090)
    :param debuglevel: 0..9 (used in ``http.client``)
    :raises HcpsdkPortError: if the Target is not on the MAPI port

    ::

        auth = hcpsdk.NativeAuthorization('service', 'service01')
        with hcpsdk.mapi.Replication(hcpsdk.Target('admin.hcp1.example.com', auth, port=9090)) as r:
            for link in r.getlinklist():          # ['hcp1--<-->--hcp2']
                r.setreplicationlinkstate(link, r.R_SUSPEND)

    A refused call raises :class:`~hcpsdk.exceptions.HcpsdkStatusError` naming the call,
    the HTTP status and HCP's ``X-HCP-ErrorMessage``. Not thread-safe: one object per thread.

    .. versionadded:: 1.0
       One persistent Connection for all calls, ``close()`` and the context manager.
    """

    # link types
    R_ACTIVE_ACTIVE = "ACTIVE_ACTIVE"  #: Active/Active link
    R_OUTBOUND = "OUTBOUND"  #: Outbound link (active/passive)
    R_INBOUND = "INBOUND"  #: Inbound link (active/passive)

    # link activities
    R_SUSPEND = "suspend"  #: Suspend a link (all link types)
    R_RESUME = "resume"  #: Resume a suspended link (all link types)
    R_RESTORE = "restore"  #: Restore a link (all link types)
    R_FAILOVER = "failOver"  #: Initiate a failover (all link types)
    R_FAILBACK = "failBack"  #: Initiate a failback (ACTIVE/ACTIVE links only)
    R_BEGINRECOVERY = "beginRecovery"  #: Begin recovery (INBOUND links only)
    R_COMPLETERECOVERY = "completeRecovery"  #: Complete recovery (INBOUND links only)

    #: The link types each action is valid for; None: the action needs no link type.
    _VALID_LINKTYPES: dict[str, frozenset[str] | None] = {
        R_SUSPEND: None,
        R_RESUME: None,
        R_RESTORE: None,
        R_FAILOVER: frozenset({R_ACTIVE_ACTIVE, R_OUTBOUND, R_INBOUND}),
        R_FAILBACK: frozenset({R_ACTIVE_ACTIVE}),
        R_BEGINRECOVERY: frozenset({R_INBOUND}),
        R_COMPLETERECOVERY: frozenset({R_INBOUND}),
    }
    _LINKTYPES = (R_ACTIVE_ACTIVE, R_OUTBOUND, R_INBOUND)

    def __init__(self, target: hcpsdk.Target, debuglevel: int = 0) -> None:
        super().__init__(target, debuglevel=debuglevel, port=hcpsdk.P_MAPI)

    def _get(self, call: str, url: str, params: dict[str, str] | None = None) -> Any:
        data = self._fetch(call, "GET", url, params=params, error=HcpsdkStatusError)
        return parse_xml(call, data, HcpsdkError)

    def getreplicationsettings(self) -> dict[str, Any]:
        """Query MAPI for the general settings of the replication service.

        :returns: a dict of the settings (strings, as HCP sends them), e.g.
            ``{'allowTenantsToMonitorNamespaces': 'true', 'enableDNSFailover': 'true',
            'enableDomainAndCertificateSynchronization': 'true', 'network': '[hcp_system]'}``
        :raises HcpsdkError: if the request fails
        """
        return element_to_dict(self._get("getreplicationsettings", "/mapi/services/replication"))

    #: What :meth:`setreplicationsettings` can change: setting → ``bool`` (a flag) or ``str``.
    _SETTINGS: dict[str, type] = {
        "allowTenantsToMonitorNamespaces": bool,
        "enableDNSFailover": bool,
        "enableDomainAndCertificateSynchronization": bool,
        "network": str,
    }

    def setreplicationsettings(self, *, allowTenantsToMonitorNamespaces: bool | None = None,
                               enableDNSFailover: bool | None = None,
                               enableDomainAndCertificateSynchronization: bool | None = None,
                               network: str | None = None) -> None:
        """Change general settings of the replication service (a system administrator's call).

        Only the settings given are sent; HCP keeps the others as they are.

        :param allowTenantsToMonitorNamespaces: tenant administrators may watch the
            replication of their namespaces
        :param enableDNSFailover: after an active/active failover, HCP's DNS answers the
            failed system's names with the surviving system's nodes
        :param enableDomainAndCertificateSynchronization: keep the linked systems' domains
            and certificates alike
        :param network: the network replication uses, e.g. ``'[hcp_system]'``
        :raises ReplicationSettingsError: (a ValueError, too) when no setting is given, a flag
            is no bool or *network* no non-empty str; nothing is sent then
        :raises HcpsdkStatusError: when HCP refuses the change (400 names the bad value in
            ``X-HCP-ErrorMessage``; 403: the account is no system administrator)

        .. versionadded:: 1.0
        """
        given = {name: value for name, value in (
            ("allowTenantsToMonitorNamespaces", allowTenantsToMonitorNamespaces),
            ("enableDNSFailover", enableDNSFailover),
            ("enableDomainAndCertificateSynchronization",
             enableDomainAndCertificateSynchronization),
            ("network", network)) if value is not None}
        if not given:
            raise ReplicationSettingsError("setreplicationsettings: give at least one setting")
        fields = []
        for name, value in given.items():
            kind = self._SETTINGS[name]
            if type(value) is not kind or (kind is str and not value):
                raise ReplicationSettingsError("setreplicationsettings: {} must be {}, not {!r}"
                                               .format(name, "True or False" if kind is bool
                                                       else "a non-empty str", value))
            unfit = (unencodable("setreplicationsettings", name, value)
                     if isinstance(value, str) else None)
            if unfit is not None:
                raise ReplicationSettingsError(unfit.reason)
            text = escape(value) if isinstance(value, str) else "true" if value else "false"
            fields.append(f"<{name}>{text}</{name}>")
        body = "<replicationService>{}</replicationService>".format("".join(fields))
        self._fetch("setreplicationsettings", "POST", "/mapi/services/replication",
                    body=body.encode("utf-8"), headers={"Content-Type": "application/xml"},
                    error=HcpsdkStatusError)

    def getlinklist(self) -> list[str]:
        """Query MAPI for a list of replication links.

        :returns: the names of the replication links, e.g. ``['hcp1-a-a-hcp2']``
        :raises HcpsdkError: if the request fails (never an ``'Error: ...'`` list)
        """
        return [name.text or "" for name in self._get("getlinklist", _LINKS_URL).findall("name")]

    def getlinkdetails(self, link: str) -> dict[str, Any]:
        """Query MAPI for the details of a replication link.

        :param link: the name of the link as retrieved by :meth:`getlinklist`
        :returns: a dict holding the details; nested elements (``connection``,
            ``failoverSettings``, ``statistics``) are dicts, values are strings
        :raises HcpsdkError: if the request fails (HTTP 404: no such link)
        """
        url = f"{_LINKS_URL}/{quote_name(link, 'getlinkdetails', 'link')}"
        root = self._get(f"getlinkdetails({link!r})", url, params={"verbose": "true"})
        return element_to_dict(root)

    def setreplicationlinkstate(self, linkname: str, action: str, linktype: str | None = None) -> None:
        """Failover and failback a replication link (or suspend, resume, restore it).

        The combination of *action* and *linktype* is checked before anything is sent.

        :param linkname: name of the link to change the state
        :param action: one of R_SUSPEND, R_RESUME, R_RESTORE, R_FAILOVER, R_FAILBACK,
            R_BEGINRECOVERY, R_COMPLETERECOVERY
        :param linktype: one of R_ACTIVE_ACTIVE, R_OUTBOUND, R_INBOUND; not required
            for R_SUSPEND, R_RESUME, R_RESTORE
        :raises ReplicationSettingsError: (also a ValueError) for an unknown action or
            link type, or an action not allowed on the link type
        :raises HcpsdkStatusError: if HCP refuses the action
        """
        if action not in self._VALID_LINKTYPES:
            raise ReplicationSettingsError(f"setreplicationlinkstate: unknown action {action!r}"
                                           f" (use one of {', '.join(self._VALID_LINKTYPES)})")
        if linktype is not None and linktype not in self._LINKTYPES:
            raise ReplicationSettingsError(f"setreplicationlinkstate: unknown link type {linktype!r}"
                                           f" (use one of {', '.join(self._LINKTYPES)})")
        allowed = self._VALID_LINKTYPES[action]
        if allowed is not None and linktype not in allowed:
            raise ReplicationSettingsError(f"{action} not allowed on {linktype} link"
                                           f" (allowed on: {', '.join(sorted(allowed))})")
        url = f"{_LINKS_URL}/{quote_name(linkname, 'setreplicationlinkstate', 'linkname')}"
        self._fetch(f"setreplicationlinkstate({linkname!r}, {action!r})", "POST", url,
                    params={action: ""}, error=HcpsdkStatusError)
