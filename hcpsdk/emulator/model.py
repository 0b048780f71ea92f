"""The emulated HCP system: tenants, namespaces, users, change events and authentication.

This module is the contract between the emulator's HTTP core and its MAPI and replication
parts (:mod:`hcpsdk.emulator.mapi`, :mod:`hcpsdk.emulator.replication`)::

    System ── tenants ──> Tenant ── namespaces ──> Namespace ── store ──> ObjectStore
       │                    └──── users ──────> User (password, per-namespace permissions)
       ├── admin_users (system-level MAPI accounts)
       ├── links (owned by the replication part)
       └── listeners <── ChangeEvent emitted after every successful mutation

Every mutation of a namespace's objects is announced to the system's listeners as a
:class:`ChangeEvent`; :meth:`Namespace.apply_replicated` applies such an event coming
from another system without announcing it again (so a replication pair cannot loop).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PERMISSIONS",
    "REPLICATION_SETTINGS",
    "Reply",
    "ChangeEvent",
    "Principal",
    "RetentionClass",
    "User",
    "Namespace",
    "Tenant",
    "System",
    "authenticate",
    "auth_token",
]

log = logging.getLogger(__name__)

#: Permission names of HCP's data access, in the order ``/proc/permissions`` shows them.
PERMISSIONS = ("browse", "read", "write", "readAcl", "writeAcl", "changeOwner", "delete",
               "privileged", "purge", "search")

#: The replication service settings of a new system (``<replicationService>`` in MAPI),
#: as HCP's documentation shows them.
REPLICATION_SETTINGS: Mapping[str, Any] = {
    "allowTenantsToMonitorNamespaces": True,
    "enableDNSFailover": True,
    "enableDomainAndCertificateSynchronization": True,
    "network": "[hcp_system]",
}

#: Kinds of :class:`ChangeEvent`.
EVENT_KINDS = ("put", "delete", "metadata", "annotation", "acl", "directory", "purge")


@dataclass
class Reply:
    """A complete HTTP answer produced by a request handler (MAPI, /proc, errors).

    :param status: the HTTP status code
    :param headers: extra response headers (the common HCP headers are added by the server)
    :param body: the response body
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class ChangeEvent:
    """One successful mutation of a namespace, announced to the system's listeners.

    :param kind: one of ``put``, ``delete``, ``metadata``, ``annotation``, ``acl``,
        ``directory``, ``purge``
    :param tenant: the tenant's name
    :param namespace: the namespace's name
    :param path: the object or directory path below ``/rest`` (no leading slash)
    :param snapshot: what is needed to repeat the change elsewhere (opaque to listeners;
        consumed by :meth:`Namespace.apply_replicated`)
    """

    kind: str
    tenant: str
    namespace: str
    path: str
    snapshot: Any = None


@dataclass
class Principal:
    """The authenticated caller of a request.

    :param name: the user name (``all_users`` for anonymous access)
    :param kind: ``local``, ``ad``, ``anonymous`` or ``admin`` (a system-level MAPI account)
    :param user: the tenant's :class:`User`, or ``None`` for anonymous and system accounts
    :param tenant: the tenant the principal belongs to, ``None`` for system accounts
    """

    name: str
    kind: str
    user: User | None = None
    tenant: Tenant | None = None

    def permissions(self, namespace: Namespace) -> frozenset[str]:
        """Effective permissions of this principal on *namespace*."""
        if self.user is None:
            granted = namespace.anonymous_permissions if self.kind == "anonymous" else frozenset()
        elif self.tenant is not namespace.tenant:
            granted = frozenset()
        else:
            granted = self.user.permissions.get(namespace.name, frozenset())
        return frozenset(granted) & namespace.permissions


@dataclass
class RetentionClass:
    """A retention class of a namespace (``/proc/retentionClasses``)."""

    name: str
    value: str
    auto_delete: bool = False
    description: str = ""


@dataclass
class User:
    """A tenant-level user account.

    :param name: the user name
    :param password: the plain password (never logged)
    :param permissions: namespace name -> set of :data:`PERMISSIONS`
    :param roles: management roles (``ADMINISTRATOR``, ``MONITOR``, ...), used by MAPI
    """

    name: str
    password: str = field(repr=False)
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()

    def grant(self, namespace: str, permissions: Iterable[str] = PERMISSIONS) -> None:
        """Give this user *permissions* on *namespace* (all of them by default).

        :raises ValueError: for an unknown permission name
        """
        perms = frozenset(permissions)
        unknown = perms - set(PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown permission(s): {', '.join(sorted(unknown))}")
        self.permissions[namespace] = perms


class Namespace:
    """A namespace of a tenant, with its settings and its object store.

    The attributes are plain and may be changed at run time (MAPI does); ``read_only``
    makes the data API refuse every write with ``403`` (set on the passive side of a
    replication pair). *storage*, a blob storage, replaces the one the system would give
    the namespace (:meth:`System.storage_for`).
    """

    def __init__(self, name: str, tenant: Tenant, *, versioning: bool = False,
                 retention_mode: str = "enterprise", hash_scheme: str = "SHA-256",
                 hard_quota: int = 53687091200, soft_quota_percent: int = 85,
                 description: str = "", retention_classes: Iterable[RetentionClass] = (),
                 dpl: int = 2, default_index: bool = True, default_shred: bool = False,
                 default_retention: str = "0", search: bool = True, replicated: bool = False,
                 permissions: Iterable[str] = PERMISSIONS,
                 anonymous_permissions: Iterable[str] = (), storage: Any = None) -> None:
        from .store import ObjectStore, hasher  # the store imports this module

        hasher(hash_scheme)  # reject an unknown scheme early
        self.name = name
        self.tenant = tenant
        self.versioning = versioning
        self.retention_mode = retention_mode
        self.hash_scheme = hash_scheme
        self.hard_quota = hard_quota
        self.soft_quota_percent = soft_quota_percent
        self.description = description
        self.retention_classes: dict[str, RetentionClass] = {c.name: c for c in retention_classes}
        self.dpl = dpl
        self.default_index = default_index
        self.default_shred = default_shred
        self.default_retention = default_retention
        self.search = search
        self.replicated = replicated
        #: The namespace-level permission mask (``namespacePermissions``).
        self.permissions = frozenset(permissions)
        self.anonymous_permissions = frozenset(anonymous_permissions)
        #: When True, every write through the data API is answered with 403.
        self.read_only = False
        #: Data-access activity per hour (epoch seconds of the hour's start, UTC) for
        #: chargeback reports: ``{"reads", "writes", "deletes", "bytesIn", "bytesOut"}``.
        self.activity: dict[int, dict[str, int]] = {}
        self._activity_lock = threading.Lock()
        # the current hour's bucket of activity and the epoch seconds it covers
        self._bucket: dict[str, int] = {}
        self._bucket_from = self._bucket_to = 0
        self.store = ObjectStore(self, storage if storage is not None
                                 else tenant.system.storage_for(tenant.name, name))

    @property
    def system(self) -> System:
        """The system this namespace belongs to."""
        return self.tenant.system

    @property
    def fqdn(self) -> str:
        """``<namespace>.<tenant>.<domain>``."""
        return f"{self.name}.{self.tenant.name}.{self.tenant.system.domain}"

    def count(self, key: str, n: int = 1, key2: str | None = None, n2: int = 0) -> None:
        """Add *n* to activity counter *key* (and *n2* to *key2*) of the current hour."""
        now = time.time()
        with self._activity_lock:
            if self._bucket_from <= now < self._bucket_to:
                bucket = self._bucket
            else:
                bucket = self._hour_bucket(now)
            bucket[key] = bucket.get(key, 0) + n
            if key2 is not None:
                bucket[key2] = bucket.get(key2, 0) + n2

    def _hour_bucket(self, now: float) -> dict[str, int]:
        """The activity bucket of the hour of *now*, made current (activity lock held)."""
        hour = int(now) // 3600 * 3600
        bucket = self.activity.get(hour)
        if bucket is None:
            bucket = self.activity[hour] = dict.fromkeys(
                ("reads", "writes", "deletes", "bytesIn", "bytesOut"), 0)
        self._bucket, self._bucket_from, self._bucket_to = bucket, hour, hour + 3600
        return bucket

    def emit(self, kind: str, path: str, snapshot: Any = None) -> None:
        """Announce a mutation of this namespace to the system's listeners."""
        self.tenant.system.emit(ChangeEvent(kind, self.tenant.name, self.name, path, snapshot))

    def apply_replicated(self, event: ChangeEvent) -> None:
        """Apply *event*, taken from another system, without emitting anything.

        Objects written this way show ``X-HCP-Replicated: true``.
        """
        self.store.apply_event(event)

    def __repr__(self) -> str:
        return f"Namespace({self.fqdn!r}, versioning={self.versioning})"


class Tenant:
    """A tenant: a set of namespaces and of user accounts."""

    def __init__(self, name: str, system: System, *, system_visible_description: str = "",
                 tenant_visible_description: str = "", hard_quota: str = "200.00 GB",
                 soft_quota: int = 85) -> None:
        self.name = name
        self.system = system
        self.namespaces: dict[str, Namespace] = {}
        self.users: dict[str, User] = {}
        self.system_visible_description = system_visible_description
        self.tenant_visible_description = tenant_visible_description
        self.hard_quota = hard_quota
        self.soft_quota = soft_quota

    @property
    def fqdn(self) -> str:
        """``<tenant>.<domain>``."""
        return f"{self.name}.{self.system.domain}"

    def add_namespace(self, name: str, **settings: Any) -> Namespace:
        """Create a namespace; *settings* are :class:`Namespace` keywords.

        :raises ValueError: if the namespace exists
        """
        name = name.lower()
        with self.system.lock:
            if name in self.namespaces:
                raise ValueError(f"namespace {name} exists in tenant {self.name}")
            ns = Namespace(name, self, **settings)
            self.namespaces[name] = ns
            return ns

    def add_user(self, name: str, password: str, permissions: Mapping[str, Iterable[str]] | None = None,
                 roles: Iterable[str] = ()) -> User:
        """Create (or replace) a user; *permissions* maps namespace names to permission names."""
        user = User(name, password, roles=frozenset(roles))
        for ns, perms in (permissions or {}).items():
            user.grant(ns, perms)
        self.users[name] = user
        return user

    def __repr__(self) -> str:
        return f"Tenant({self.name!r}, namespaces={sorted(self.namespaces)})"


class System:
    """The emulated HCP system.

    :param domain: the system's DNS domain, e.g. ``hcp1.example.com``
    :param name: the system name (default: the first label of *domain*)
    :param storage: a :class:`hcpsdk.emulator.store.Storage` factory: ``storage(tenant, ns)``
        returns the blob storage of one namespace (in memory by default)
    """

    def __init__(self, domain: str, name: str | None = None,
                 storage: Callable[[str, str], Any] | None = None) -> None:
        self.domain = domain.lower().rstrip(".")
        self.name = name or self.domain.split(".", 1)[0]
        self.tenants: dict[str, Tenant] = {}
        #: System-level (MAPI) accounts: user name -> password.
        self.admin_users: dict[str, str] = {}
        #: Replication links, owned and filled by :mod:`hcpsdk.emulator.replication`.
        self.links: dict[str, Any] = {}
        #: The node addresses (set by the Emulator when it starts).
        self.addresses: list[str] = []
        #: The replication service settings, changed through MAPI
        #: (``POST /mapi/services/replication``); see :data:`REPLICATION_SETTINGS`.
        self.replication_settings: dict[str, Any] = dict(REPLICATION_SETTINGS)
        #: Domains of failed systems this one stands in for after an active/active failover
        #: (kept by :mod:`hcpsdk.emulator.replication`): its MAPI answers their admin host,
        #: its data API their namespace hosts (from its namespaces of the same names).
        self.taken_over_domains: set[str] = set()
        self.lock = threading.RLock()
        self._listeners: list[Callable[[ChangeEvent], None]] = []
        #: Told ``(namespace, kind, path, snapshot)`` of every change of a store, before the
        #: listeners (the change log of :mod:`hcpsdk.emulator.changelog`; ``None``: none).
        self.journal: Callable[[Namespace, str, str, Any], None] | None = None
        self._storage = storage
        self._default_namespace: Namespace | None = None

    def storage_for(self, tenant: str, namespace: str) -> Any:
        """The blob storage for one namespace."""
        from .store import MemoryStorage
        if self._storage is None:
            return MemoryStorage()
        return self._storage(tenant, namespace)

    def add_tenant(self, name: str, **settings: Any) -> Tenant:
        """Create a tenant; *settings* are :class:`Tenant` keywords.

        :raises ValueError: if the tenant exists
        """
        name = name.lower()
        with self.lock:
            if name in self.tenants:
                raise ValueError(f"tenant {name} exists")
            tenant = Tenant(name, self, **settings)
            self.tenants[name] = tenant
            return tenant

    def namespace(self, tenant: str, namespace: str) -> Namespace | None:
        """The namespace *namespace* of tenant *tenant*, or ``None``."""
        t = self.tenants.get(tenant)
        return t.namespaces.get(namespace) if t is not None else None

    def default_namespace(self) -> Namespace:
        """HCP's *Default Namespace* (``default.default.<domain>``), made on first use.

        It belongs to a tenant ``default`` that is not in :attr:`tenants`, so MAPI, the
        tenant listings and replication do not see it; its objects are kept in memory.
        """
        ns = self._default_namespace
        if ns is None:
            from .store import MemoryStorage
            with self.lock:
                ns = self._default_namespace
                if ns is None:
                    ns = Namespace("default", Tenant("default", self), storage=MemoryStorage())
                    self._default_namespace = ns
        return ns

    def add_listener(self, fn: Callable[[ChangeEvent], None]) -> None:
        """Call *fn(event)* after every successful mutation of any namespace."""
        with self.lock:
            self._listeners = [*self._listeners, fn]

    def remove_listener(self, fn: Callable[[ChangeEvent], None]) -> None:
        """Stop calling *fn*; unknown functions are ignored."""
        with self.lock:
            self._listeners = [f for f in self._listeners if f is not fn]

    @property
    def has_listeners(self) -> bool:
        """True if any change listener is registered."""
        return bool(self._listeners)

    def emit(self, event: ChangeEvent) -> None:
        """Deliver *event* to every listener; a failing listener is logged, not raised."""
        for fn in self._listeners:
            try:
                fn(event)
            except Exception:  # a listener must never break the data path
                log.exception("change listener %r failed on %s %s", fn, event.kind, event.path)

    def __repr__(self) -> str:
        return f"System({self.domain!r}, tenants={sorted(self.tenants)})"


def auth_token(user: str, password: str) -> str:
    """The HCP authentication token ``base64(user):md5hex(password)``."""
    return (base64.b64encode(user.encode()).decode() + ":"
            + hashlib.md5(password.encode()).hexdigest())


def _split_host(system: System, host: str) -> tuple[str | None, str | None]:
    """(tenant, namespace) named by a Host header; ``(None, None)`` for admin/unknown hosts."""
    host = host.split(":", 1)[0].lower().rstrip(".") if host else ""
    suffix = "." + system.domain
    if not host.endswith(suffix):
        return None, None
    labels = host[: -len(suffix)].split(".")
    if len(labels) == 1:
        return (None, None) if labels[0] == "admin" else (labels[0], None)
    if len(labels) == 2:
        return labels[1], labels[0]
    return None, None


def _check_token(token: str, accounts: Mapping[str, str]) -> str | None:
    """The account name whose token is *token*, else ``None``."""
    b64, _, md5 = token.strip().partition(":")
    try:
        name = base64.b64decode(b64, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    password = accounts.get(name)
    if password is None or hashlib.md5(password.encode()).hexdigest() != md5.lower():
        return None
    return name


def tenant_account(system: System, headers: Mapping[str, str]) -> str | None:
    """``user@tenant`` when the request's credentials are those of a tenant's user, else ``None``.

    Asked on the admin host, where only system-level accounts are checked: a data user
    who tries MAPI there is told that the account lacks the role, not that the
    credentials are wrong.
    """
    cred = _token_of(headers)
    if cred is None or cred[0] != "HCP":
        return None
    for tenant in system.tenants.values():
        name = _check_token(cred[1], {n: u.password for n, u in tenant.users.items()})
        if name is not None:
            return f"{name}@{tenant.name}"
    return None


def _token_of(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(scheme, credentials) from Authorization, else from the ``hcp-ns-auth`` cookie."""
    value = headers.get("authorization")
    if value:
        scheme, _, cred = value.strip().partition(" ")
        return scheme.upper(), cred.strip()
    cookie = headers.get("cookie")
    if cookie:
        for part in cookie.split(";"):
            key, _, val = part.strip().partition("=")
            if key in ("hcp-ns-auth", "hcp-api-auth"):   # the MAPI's legacy cookie, too
                return "HCP", val.strip()
    return None


def authenticate(system: System, host: str, headers: Mapping[str, str],
                 tenant: Tenant | None = None) -> Principal | None:
    """Identify the caller of a request, or return ``None`` if the credentials are wrong.

    Understood: ``Authorization: HCP <b64 user>:<md5 password>``, the legacy cookie
    ``hcp-ns-auth=<same token>``, ``Authorization: AD <user>[@domain]:<password>`` (checked
    against the tenant's local accounts) and anonymous ``HCP all_users:`` (also: no
    credentials at all). On ``admin.<domain>`` the system's :attr:`System.admin_users` are
    checked; on a tenant or namespace host the tenant's users.

    :param headers: request headers with lower-case keys (or a case-insensitive mapping)
    :param tenant: the tenant, if the caller already knows it from the Host
    :returns: the :class:`Principal`, or ``None`` for invalid credentials
    """
    tenant_name, _ = _split_host(system, host)
    if tenant is None and tenant_name is not None:
        tenant = system.tenants.get(tenant_name)
    cred = _token_of(headers)
    if cred is None or (cred[0] == "HCP" and cred[1].startswith("all_users")):
        return Principal("all_users", "anonymous", None, tenant)
    scheme, value = cred
    if tenant is None:
        if scheme != "HCP":
            return None
        name = _check_token(value, system.admin_users)
        return Principal(name, "admin") if name is not None else None
    if scheme == "HCP":
        name = _check_token(value, {n: u.password for n, u in tenant.users.items()})
        return Principal(name, "local", tenant.users[name], tenant) if name is not None else None
    if scheme == "AD":
        account, _, password = value.partition(":")
        user = tenant.users.get(account.split("@", 1)[0])
        if user is not None and user.password == password:
            return Principal(account, "ad", user, tenant)
    return None
