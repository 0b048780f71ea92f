"""Object ACLs (``type=acl``): parsing and rendering the XML and JSON bodies."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .errors import RequestRefused

__all__ = ["Grant", "parse", "render", "predefined", "allows"]

ACL_PERMISSIONS = ("READ", "READ_ACL", "WRITE", "WRITE_ACL", "DELETE")
MAX_GRANTS = 1000


@dataclass(frozen=True)
class Grant:
    """One ACL entry: a user or group and its permissions."""

    type: str
    name: str
    domain: str
    permissions: tuple[str, ...]


def _grant(gtype: str, name: str, domain: str, perms: list[str]) -> Grant:
    gtype = (gtype or "user").lower()
    if gtype not in ("user", "group"):
        raise RequestRefused(400, f"invalid grantee type {gtype!r}")
    bad = [p for p in perms if p not in ACL_PERMISSIONS]
    if bad or not name:
        raise RequestRefused(400, f"invalid ACL grant for {name!r}: {', '.join(bad) or 'no name'}")
    return Grant(gtype, name, domain or "", tuple(dict.fromkeys(perms)))


def parse(body: bytes, content_type: str) -> tuple[Grant, ...]:
    """The grants of an ACL body (``application/xml`` or ``application/json``).

    :raises RequestRefused: 415 for another content type, 400 for a malformed body
    """
    ctype = (content_type or "application/xml").split(";", 1)[0].strip().lower()
    try:
        if ctype in ("application/xml", "text/xml"):
            root = ET.fromstring(body)
            grants = [_grant(g.findtext("grantee/type", "user"), g.findtext("grantee/name", ""),
                             g.findtext("grantee/domain", ""),
                             [p.text or "" for p in g.iterfind("permissions/permission")])
                      for g in root.iterfind("grant")]
        elif ctype == "application/json":
            doc = json.loads(body)
            raw = doc.get("grant", [])
            grants = [_grant(g.get("grantee", {}).get("type", "user"),
                             g.get("grantee", {}).get("name", ""),
                             g.get("grantee", {}).get("domain", ""),
                             list(g.get("permissions", {}).get("permission", [])))
                      for g in (raw if isinstance(raw, list) else [raw])]
        else:
            raise RequestRefused(415, f"unsupported ACL content type {ctype}")
    except (ET.ParseError, ValueError, AttributeError, TypeError) as exc:
        raise RequestRefused(400, f"invalid ACL body: {exc}") from None
    if len(grants) > MAX_GRANTS:
        raise RequestRefused(400, f"an ACL can have at most {MAX_GRANTS} grants")
    return tuple(grants)


def render(grants: tuple[Grant, ...], as_json: bool) -> tuple[str, bytes]:
    """(content type, body) of an ACL."""
    if as_json:
        doc = {"grant": [{"grantee": {"type": g.type, "name": g.name, "domain": g.domain},
                          "permissions": {"permission": list(g.permissions)}} for g in grants]}
        return "application/json", json.dumps(doc).encode()
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><accessControlList>']
    for g in grants:
        parts.append(f"<grant><grantee><type>{g.type}</type><name>{escape(g.name)}</name>")
        if g.domain:
            parts.append(f"<domain>{escape(g.domain)}</domain>")
        parts.append("</grantee><permissions>")
        parts.extend(f"<permission>{p}</permission>" for p in g.permissions)
        parts.append("</permissions></grant>")
    parts.append("</accessControlList>")
    return "application/xml", "".join(parts).encode()


def predefined(name: str) -> tuple[Grant, ...]:
    """The canned ACL of ``acl=all_read`` / ``acl=auth_read`` on PUT.

    :raises RequestRefused: 400 for another name
    """
    group = {"all_read": "all_users", "auth_read": "authenticated"}.get(name)
    if group is None:
        raise RequestRefused(400, f"invalid predefined ACL {name!r}")
    return (Grant("group", group, "", ("READ",)),)


def allows(grants: tuple[Grant, ...] | None, user: str, authenticated: bool, perm: str) -> bool:
    """True if the ACL gives *perm* to *user*."""
    for g in grants or ():
        if perm not in g.permissions:
            continue
        if g.type == "group" and (g.name == "all_users" or (g.name == "authenticated"
                                                             and authenticated)):
            return True
        if g.type == "user" and g.name == user:
            return True
    return False
