"""The one way hcpsdk's namespace, information and MAPI classes talk to HCP.

:class:`Session` owns one persistent :class:`hcpsdk.Connection`; its ``_fetch`` /
``_send`` methods send a request, check the HTTP status and, when HCP answered with
anything else than expected, raise an :class:`~hcpsdk.exceptions.HcpsdkStatusError`
(or the given subclass) that names the call, the node, the status and HCP's
``X-HCP-ErrorMessage``. Errors of the connection itself (timeouts, refused
connections, TLS) come from :class:`hcpsdk.Connection` unchanged.

:func:`parse_xml`, :func:`parse_json` and :func:`element_to_dict` turn HCP's answers
into Python objects and name the call when an answer can't be parsed.

This module is shared by :mod:`hcpsdk.namespace` and :mod:`hcpsdk.mapi`; it imports
neither of them.
"""
from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Self

import hcpsdk
from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError

__all__ = ["Session", "parse_xml", "parse_json", "element_to_dict"]

log = logging.getLogger(__name__)


def parse_xml(call: str, data: bytes, error: type[HcpsdkError] = HcpsdkError) -> ET.Element:
    """Parse an XML answer of *call*.

    :raises error: naming *call* if *data* is not well-formed XML
    """
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise error(f"{call}: HCP's answer is not well-formed XML ({exc})") from exc


def parse_json(call: str, data: bytes, error: type[HcpsdkError] = HcpsdkError) -> Any:
    """Parse a JSON answer of *call*.

    :raises error: naming *call* if *data* is not valid UTF-8 JSON
    """
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{call}: HCP's answer is not valid JSON ({exc})") from exc


def element_to_dict(element: ET.Element) -> dict[str, Any]:
    """Turn the children of *element* into a dict, recursively.

    A child with children of its own becomes a dict, any other child its text
    (``''`` when empty). Whitespace between elements (pretty-printed XML) is ignored.
    A tag that occurs more than once gives a list of its values.
    """
    result: dict[str, Any] = {}
    for child in element:
        value: Any = element_to_dict(child) if len(child) else (child.text or "")
        if child.tag not in result:
            result[child.tag] = value
        elif isinstance(result[child.tag], list):
            result[child.tag].append(value)
        else:
            result[child.tag] = [result[child.tag], value]
    return result


class Session:
    """Base of the classes that own one persistent Connection to a Target.

    :param target: an :class:`hcpsdk.Target`
    :param timeout: the Connection's timeout (seconds)
    :param debuglevel: 0..9, propagated to ``http.client``
    :param port: if given, the port the Target must be initialized for
    :raises HcpsdkPortError: if the Target is not on *port*
    """

    def __init__(self, target: hcpsdk.Target, *, timeout: float = 30, debuglevel: int = 0,
                 port: int | None = None) -> None:
        if port is not None:
            hcpsdk.checkport(target, port)
        self._target = target
        self._debuglevel = debuglevel
        self._con = hcpsdk.Connection(target, timeout=timeout, debuglevel=debuglevel)
        # log under the subclass' module (hcpsdk.namespace, hcpsdk.mapi.logs, ...)
        self._log = logging.getLogger(type(self).__module__)

    @property
    def target(self) -> hcpsdk.Target:
        """The Target this object talks to."""
        return self._target

    @property
    def debuglevel(self) -> int:
        """The debug level given to ``http.client``."""
        return self._debuglevel

    @property
    def connect_time(self) -> float:
        """The time the last connect took (seconds)."""
        return self._con.connect_time

    @property
    def service_time(self) -> float:
        """The time the last request took until its answer was complete (seconds)."""
        return self._con.service_time2

    def close(self) -> None:
        """Close the Connection; a later call opens a new one."""
        self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<Target {self._target.fqdn}:{self._target.port}>)"

    def _send(self, call: str, method: str, url: str, *, params: Any = None,
              headers: dict[str, str] | None = None, body: bytes | None = None,
              error: type[HcpsdkStatusError] = HcpsdkStatusError,
              errors_by_status: Mapping[int, type[HcpsdkStatusError]] | None = None) -> None:
        """Send a GET or POST and check that HCP answered 200; the body is left to read.

        :param call: what the caller is doing, for messages (``'getlinklist'``)
        :raises error: (or the class *errors_by_status* gives for the status) on any other status
        """
        if method == "GET":
            self._con.GET(url, params=params, headers=headers)
        else:
            self._con.POST(url, body=body, params=params, headers=headers)
        status = self._con.response_status or 0
        self._log.debug("%s: %s %s -> %s", call, method, url, status)
        if status == 200:
            return
        self._con.read()
        reason = self._con.response_reason or ""
        message = self._con.getheader("X-HCP-ErrorMessage", "") or ""
        cls = (errors_by_status or {}).get(status, error)
        text = f"{call} failed on node {self._con.address}: HTTP {status} {reason}"
        raise cls(f"{text} ({message})" if message else text, status, reason, message)

    def _fetch(self, call: str, method: str, url: str, **kwargs: Any) -> bytes:
        """Like :meth:`_send`, then read and return the whole answer."""
        self._send(call, method, url, **kwargs)
        return self._con.read()
