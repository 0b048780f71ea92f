"""hcpsdk.namespace — namespace information.

Access to the actual namespace's parameters and statistics through HCP's ``/proc``
requests. The :class:`hcpsdk.Target` must have been initialized with a namespace
FQDN (``n1.m.hcp1.example.com``)::

    import hcpsdk.namespace
    auth = hcpsdk.NativeAuthorization('n', 'n01')
    t = hcpsdk.Target('n1.m.hcp1.example.com', auth, port=443)
    with hcpsdk.namespace.Info(t) as n:
        print(n.nsstatistics()['objectCount'])

All four methods share one persistent Connection; :meth:`Info.close` (or leaving the
``with`` block) releases it.
"""
from __future__ import annotations

import logging as _logging
import re as _re
import xml.etree.ElementTree as _ET
from collections import OrderedDict
from typing import Any

import hcpsdk
from hcpsdk._session import Session, parse_xml
from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError

__all__ = ["Info"]

log = _logging.getLogger(__name__)

# Attributes that are names even when they look like numbers (a namespace named "2015").
_NAME_ATTRIBUTES = frozenset({"name", "nameIDNA", "namespaceName", "tenantHostName", "hashScheme",
                              "retentionMode", "httpScheme"})
_INTEGER_RE = _re.compile(r"[+-]?[0-9]+")
# hcpsdk convention: a namespace description lists its properties separated by '°'
_DESCRIPTION_SEPARATOR = "\N{DEGREE SIGN}"


def _cast(name: str, value: str) -> Any:
    if name in _NAME_ATTRIBUTES:
        return value
    if value in ("true", "false"):
        return value == "true"
    if _INTEGER_RE.fullmatch(value):
        return int(value)
    return value


def _attributes(element: _ET.Element) -> dict[str, Any]:
    # XML-Schema attributes (xsi:noNamespaceSchemaLocation) are not namespace information
    return {key: _cast(key, value) for key, value in element.attrib.items() if not key.startswith("{")}


def _description(element: _ET.Element) -> str:
    description = element.find("description")
    return (description.text or "").strip() if description is not None else ""


class Info(Session):
    """Access to a namespace's metadata information.

    :param target: an :class:`hcpsdk.Target` initialized with a namespace FQDN
    :param debuglevel: 0..9 (propagated to ``http.client``)

    Every method raises :class:`~hcpsdk.exceptions.HcpsdkStatusError` (an
    :class:`~hcpsdk.HcpsdkError`) naming the call, the HTTP status and HCP's
    ``X-HCP-ErrorMessage`` when HCP refuses, and the Connection's errors otherwise.
    Not thread-safe (like :class:`hcpsdk.Connection`): one Info per thread.

    .. versionadded:: 1.0
       One persistent Connection for all calls, :meth:`close` and the context manager.
    """

    def __init__(self, target: hcpsdk.Target, debuglevel: int = 0) -> None:
        super().__init__(target, debuglevel=debuglevel)

    def __repr__(self) -> str:
        state = f"connected to {self._con.address}" if self._con.con is not None else "not connected"
        return f"<hcpsdk.namespace.Info {self._target.fqdn}:{self._target.port} {state}>"

    def _proc(self, call: str, url: str, params: dict[str, str] | None = None) -> _ET.Element:
        data = self._fetch(call, "GET", url, params=params, error=HcpsdkStatusError)
        return parse_xml(call, data, HcpsdkError)

    def nsstatistics(self) -> dict[str, Any]:
        """Query for namespace statistic information.

        :returns: the statistics as a plain :class:`dict`, e.g. ``{'namespaceName': 'n1',
            'objectCount': 0, 'totalCapacityBytes': 53687091200, 'softQuotaPercent': 85, ...}``
        :raises HcpsdkError: see the class description
        """
        return _attributes(self._proc("nsstatistics", "/proc/statistics"))

    def listaccessiblens(self, all: bool = False) -> OrderedDict[str, dict[str, Any]]:
        """List the settings of the actual (or all accessible) namespace(s).

        :param all: list all accessible namespaces if True, else the actual one only
        :returns: a dict holding a dict per namespace, its ``description`` split
            into a list at each ``°``
        :raises HcpsdkError: see the class description
        """
        root = self._proc("listaccessiblens", "/proc", params=None if all else {"single": "true"})
        result: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for namespace in root.findall("namespace"):
            settings = _attributes(namespace)
            text = _description(namespace)
            settings["description"] = text.split(_DESCRIPTION_SEPARATOR) if text else []
            result[namespace.get("name", "")] = settings
        return result

    def listretentionclasses(self) -> OrderedDict[str, dict[str, Any]]:
        """List the retention classes available for the actual namespace.

        :returns: a dict holding a dict per retention class (``value`` is an int for
            the special values ``0``, ``-1``, ``-2``, else a string like ``'A+10y'``)
        :raises HcpsdkError: see the class description
        """
        root = self._proc("listretentionclasses", "/proc/retentionClasses")
        result: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for retention_class in root.findall("retentionClass"):
            settings = _attributes(retention_class)
            settings["description"] = _description(retention_class)
            result[retention_class.get("name", "")] = settings
        return result

    def listpermissions(self) -> OrderedDict[str, dict[str, Any]]:
        """List the namespace and user permissions for the actual namespace.

        :returns: a dict holding a dict per permission domain
            (``namespacePermissions``, ``namespaceEffectivePermissions``,
            ``userPermissions``, ``userEffectivePermissions``), each mapping a
            permission to a bool
        :raises HcpsdkError: see the class description
        """
        root = self._proc("listpermissions", "/proc/permissions")
        return OrderedDict((child.tag, _attributes(child)) for child in root)
