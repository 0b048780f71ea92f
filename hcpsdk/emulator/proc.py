"""Namespace information: ``GET /proc``, ``/proc/statistics``, ``/proc/retentionClasses``,
``/proc/permissions``, in the XML shapes HCP answers."""
from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

from .errors import error_reply
from .model import PERMISSIONS, Namespace, Principal, Reply

__all__ = ["handle"]

_XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<?xml-stylesheet type="text/xsl" href="/static/xsl/{}.xsl"?>\n')


def _b(value: bool) -> str:
    return "true" if value else "false"


def _cdata(text: str) -> str:
    # HCP never sends an empty <description/>, and the 0.9.5 client crashes on one.
    text = (text or " ").replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[\n{text}\n]]>"


def _xml(name: str, body: str) -> Reply:
    doc = _HEAD.format(name) + body
    return Reply(200, [("Content-Type", "application/xml")], doc.encode())


def _namespace_element(ns: Namespace) -> str:
    attrs = [("name", ns.name), ("nameIDNA", ns.name.encode("idna").decode()),
             ("versioningEnabled", _b(ns.versioning)), ("searchEnabled", _b(ns.search)),
             ("retentionMode", ns.retention_mode), ("defaultShredValue", _b(ns.default_shred)),
             ("defaultIndexValue", _b(ns.default_index)),
             ("defaultRetentionValue", ns.default_retention), ("hashScheme", ns.hash_scheme),
             ("dpl", ns.dpl)]
    text = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs)
    return (f" <namespace {text}>\n  <description>{_cdata(ns.description)}</description>\n"
            " </namespace>\n")


def _namespaces(namespaces: Iterable[Namespace], tenant_host: str, scheme: str) -> Reply:
    body = "".join(_namespace_element(ns) for ns in namespaces)
    root = (f'<namespaces {_XSI} xsi:noNamespaceSchemaLocation="/static/xsd/proc-namespaces.xsd" '
            f'tenantHostName={quoteattr(tenant_host)} httpScheme="{scheme}"')
    return _xml("proc-namespaces", f"{root}>\n{body}</namespaces>\n" if body else f"{root}/>\n")


def _statistics(ns: Namespace) -> Reply:
    stats = ns.store.statistics()
    attrs = {"namespaceName": ns.name, "totalCapacityBytes": ns.hard_quota,
             "usedCapacityBytes": stats["usedCapacityBytes"],
             "softQuotaPercent": ns.soft_quota_percent, "objectCount": stats["objectCount"],
             "shredObjectCount": stats["shredObjectCount"],
             "shredObjectBytes": stats["shredObjectBytes"],
             "customMetadataObjectCount": stats["customMetadataObjectCount"],
             "customMetadataObjectBytes": stats["customMetadataObjectBytes"]}
    text = " ".join(f'{k}="{v}"' if k != "namespaceName" else f"{k}={quoteattr(str(v))}"
                    for k, v in attrs.items())
    return _xml("proc-statistics", f'<statistics {_XSI} xsi:noNamespaceSchemaLocation='
                f'"/static/xsd/proc-statistics.xsd" {text}/>\n')


def _retention_classes(ns: Namespace) -> Reply:
    items = "".join(
        f" <retentionClass name={quoteattr(c.name)} value={quoteattr(str(c.value))} "
        f'autoDelete="{_b(c.auto_delete)}">\n  <description>{_cdata(c.description)}'
        "</description>\n </retentionClass>\n" for c in ns.retention_classes.values())
    root = (f'<retentionClasses {_XSI} xsi:noNamespaceSchemaLocation='
            f'"/static/xsd/proc-retention-classes.xsd" namespaceName={quoteattr(ns.name)}')
    return _xml("proc-retention-classes",
                f"{root}>\n{items}</retentionClasses>\n" if items else f"{root}/>\n")


def _perm_element(tag: str, perms: frozenset[str]) -> str:
    return f" <{tag} " + " ".join(f'{p}="{_b(p in perms)}"' for p in PERMISSIONS) + "/>\n"


def _permissions(ns: Namespace, principal: Principal) -> Reply:
    user = principal.user.permissions.get(ns.name, frozenset()) if principal.user else \
        ns.anonymous_permissions
    body = (_perm_element("namespacePermissions", ns.permissions)
            + _perm_element("namespaceEffectivePermissions", ns.permissions)
            + _perm_element("userPermissions", frozenset(user))
            + _perm_element("userEffectivePermissions", principal.permissions(ns)))
    return _xml("proc-permissions", f'<permissions {_XSI} xsi:noNamespaceSchemaLocation='
                f'"/static/xsd/proc-permissions.xsd" namespaceName={quoteattr(ns.name)}>\n'
                f"{body}</permissions>\n")


def handle(path: str, query: dict[str, str], ns: Namespace, principal: Principal,
           scheme: str) -> Reply:
    """Answer a ``/proc`` request for namespace *ns* (already authorized)."""
    sub = path[len("/proc"):].strip("/")
    if sub == "":
        if query.get("single", "").lower() == "true":
            return _namespaces([ns], ns.tenant.fqdn, scheme)
        visible = [n for n in ns.tenant.namespaces.values() if principal.permissions(n)]
        return _namespaces(visible, ns.tenant.fqdn, scheme)
    if sub == "statistics":
        return _statistics(ns)
    if sub == "retentionClasses":
        return _retention_classes(ns)
    if sub == "permissions":
        return _permissions(ns, principal)
    return error_reply(404, f"no such resource /proc/{sub}")
