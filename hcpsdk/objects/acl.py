"""Object ACLs: who besides the namespace's users may read, write or delete an object."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, fromstring, tostring

from .._check import bad_value, wrong_type
from ..connection import Connection
from ..exceptions import HcpsdkError
from ._wire import check_connection, read_all, send, version_param

__all__ = ["Grant", "get_acl", "set_acl", "delete_acl", "PERMISSIONS"]

#: The permissions an ACL can grant.
PERMISSIONS = ("READ", "READ_ACL", "WRITE", "WRITE_ACL", "DELETE")
_TYPES = ("user", "group")
_XML = "application/xml"
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Grant:
    """One entry of an ACL: a user or group and what it may do.

    ``Grant('all_users', 'group', ('READ',))`` lets everybody read the object;
    ``'authenticated'`` is the group of every authenticated user.

    .. versionadded:: 1.0
    """

    #: User or group name.
    name: str
    #: ``'user'`` or ``'group'``.
    type: str = "user"
    #: Some of ``READ``, ``READ_ACL``, ``WRITE``, ``WRITE_ACL``, ``DELETE``.
    permissions: tuple[str, ...] = ("READ",)
    #: The Active Directory domain of an AD user or group (``''`` for local ones).
    domain: str = ""


def _check(call: str, grants: Any) -> list[Grant]:
    if isinstance(grants, (str, bytes, Grant)) or not isinstance(grants, Iterable):
        raise wrong_type(call, "grants", "a list of hcpsdk.objects.Grant", grants)
    checked = []
    for grant in grants:
        if not isinstance(grant, Grant):
            raise wrong_type(call, "grants", "a list of hcpsdk.objects.Grant", grant)
        if grant.type not in _TYPES:
            raise bad_value(call, "Grant.type", "'user' or 'group'", grant.type)
        if not grant.name:
            raise bad_value(call, "Grant.name", "a user or group name", grant.name)
        bad = [p for p in grant.permissions if p not in PERMISSIONS]
        if bad or isinstance(grant.permissions, str) or not grant.permissions:
            raise bad_value(call, "Grant.permissions", f"some of {', '.join(PERMISSIONS)}",
                            grant.permissions)
        checked.append(grant)
    return checked


def _xml(grants: list[Grant]) -> bytes:
    root = Element("accessControlList")
    for grant in grants:
        node = SubElement(root, "grant")
        grantee = SubElement(node, "grantee")
        SubElement(grantee, "type").text = grant.type
        SubElement(grantee, "name").text = grant.name
        if grant.domain:
            SubElement(grantee, "domain").text = grant.domain
        perms = SubElement(node, "permissions")
        for permission in grant.permissions:
            SubElement(perms, "permission").text = permission
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _json(grants: list[Grant]) -> bytes:
    items = []
    for grant in grants:
        grantee = {"type": grant.type, "name": grant.name}
        if grant.domain:
            grantee["domain"] = grant.domain
        items.append({"grantee": grantee, "permissions": {"permission": list(grant.permissions)}})
    return json.dumps({"grant": items}).encode()


def _from_xml(body: bytes) -> list[Grant]:
    return [Grant(g.findtext("grantee/name") or "", g.findtext("grantee/type") or "user",
                  tuple(p.text or "" for p in g.iterfind("permissions/permission")),
                  g.findtext("grantee/domain") or "")
            for g in fromstring(body).iter("grant")]


def _from_json(body: bytes) -> list[Grant]:
    items = json.loads(body).get("grant", [])
    if isinstance(items, dict):  # one grant may come as an object, not a list
        items = [items]
    grants = []
    for item in items:
        grantee = item.get("grantee", {})
        perms = item.get("permissions", {}).get("permission", [])
        grants.append(Grant(grantee.get("name", ""), grantee.get("type", "user"),
                            tuple([perms] if isinstance(perms, str) else perms),
                            grantee.get("domain", "") or ""))
    return grants


def get_acl(connection: Connection, path: str, *, version: int | None = None,
            as_json: bool = False) -> list[Grant]:
    """The ACL of an object (an empty list when it has none).

    The request::

        GET /rest/<path>?type=acl[&version=<id>]
        Accept: application/xml | application/json

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param version: a version id
    :param as_json: ask for the JSON form instead of XML (the result is the same)
    :returns: a list of :class:`Grant`
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkStatusError: ``403``: no *read ACL* permission

    .. versionadded:: 1.0
    """
    call = "get_acl"
    connection = check_connection(call, connection)
    params = {"type": "acl"}
    if version is not None:
        params["version"] = version_param(call, version)
    response = send(connection, f"GET {call}", path, params=params, stream=True,
                    headers={"Accept": _JSON if as_json else _XML})
    body = read_all(connection)
    if not body.strip():
        return []
    ctype = response.getheader("Content-Type") or ""
    try:
        return _from_json(body) if "json" in ctype else _from_xml(body)
    except (ParseError, ValueError, AttributeError, TypeError) as exc:
        raise HcpsdkError(f"GET {call} {path}: the ACL cannot be read ({exc})") from exc


def set_acl(connection: Connection, path: str, grants: Iterable[Grant], *,
            as_json: bool = False) -> None:
    """Give an object an ACL (it replaces the ACL the object had).

    The request::

        PUT /rest/<path>?type=acl
        Content-Type: application/xml | application/json

        <accessControlList><grant><grantee><type>user</type><name>...</name></grantee>
          <permissions><permission>READ</permission></permissions></grant>...

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param grants: the :class:`Grant` entries
    :param as_json: send the JSON form instead of XML
    :raises HcpsdkTypeError: ``grants`` is no list of Grant
    :raises HcpsdkArgumentError: a grant with a bad type, name or permission
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkRefusedError: HCP refused (ACLs not enabled, an unknown user...)

    .. versionadded:: 1.0
    """
    call = "set_acl"
    connection = check_connection(call, connection)
    checked = _check(call, grants)
    body = _json(checked) if as_json else _xml(checked)
    send(connection, f"PUT {call}", path, params={"type": "acl"}, body=body,
         headers={"Content-Type": _JSON if as_json else _XML}, ok=(200, 201))


def delete_acl(connection: Connection, path: str) -> None:
    """Remove the ACL of an object.

    The request::

        DELETE /rest/<path>?type=acl

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :raises HcpsdkNotFoundError: no such object (or, in the emulator, no ACL)

    .. versionadded:: 1.0
    """
    call = "delete_acl"
    connection = check_connection(call, connection)
    send(connection, f"DELETE {call}", path, params={"type": "acl"}, ok=(200, 204))
