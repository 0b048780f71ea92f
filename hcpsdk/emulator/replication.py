"""A replication link between two emulated HCP systems.

:func:`link` joins a primary and a replica system (two :class:`~hcpsdk.emulator.Emulator`
instances, or bare :class:`~hcpsdk.emulator.model.System` objects) with one :class:`Link`.
Every change a system announces (:class:`~hcpsdk.emulator.model.ChangeEvent`) is queued on
the link and applied to the other system with
:meth:`~hcpsdk.emulator.model.Namespace.apply_replicated` -- at once in the writing thread
when ``delay`` is 0, else ``delay`` seconds later by one background thread per link.

Link types and what each side sees (``type`` in MAPI)::

    ACTIVE_ACTIVE  both sides ACTIVE_ACTIVE; both accept writes; changes flow both ways
    OUTBOUND       primary OUTBOUND, replica INBOUND; the replica's namespaces are
                   read-only; changes flow primary -> replica

States and the MAPI actions that move between them (``Link.state``)::

    NORMAL      --failOver-->                 FAILED_OVER
    FAILED_OVER --failBack (A/A only)-->      NORMAL
    FAILED_OVER --beginRecovery (A/P only)--> RECOVERING
    RECOVERING  --completeRecovery (A/P)-->   NORMAL
    suspend / resume      stop / restart the flow in any state (``Link.suspended``)
    restore               re-establishes a broken link: clears the error counters and
                          reports "Link restored"; the state and suspension are kept
                          (HCP restores a link whose partner lost its configuration)

What the emulator does on an active/passive link, following HCP's procedures:

* ``failOver`` (from either side): the replica's namespaces become writable. HCP treats the
  primary as unavailable and leaves it alone, so the emulator does too: the primary stays
  writable, but nothing flows in either direction; changes on both sides are queued.
* ``beginRecovery``: the primary's namespaces become read-only (as HCP makes them) and the
  changes made on the replica flow back to the primary.
* ``completeRecovery``: the replica becomes read-only again, the rest of its queue is applied
  to the primary at once, the primary becomes writable, and whatever the primary queued
  since the failover flows to the replica. The link is NORMAL again.

On an active/active link ``failOver`` stops the flow in both directions (both sides stay
writable, changes are queued) and ``failBack`` applies the queues and restarts the flow.
The system the ``failOver`` is requested on is the survivor, the other one the failed system
(HCP fails an active/active link over from the system that still works). While the
survivor's replication service has ``enableDNSFailover`` on (the default; changed with
``POST /mapi/services/replication``), every emulated DNS server answers the failed system's
names with the survivor's node addresses, so clients that look the names up again reach the
survivor, and the survivor's MAPI answers the failed system's ``admin`` host
(:attr:`System.taken_over_domains <hcpsdk.emulator.model.System>`) and its data API the
failed system's namespace hosts, from its replicated namespaces of the same names; after
``failBack`` (or when the link is deleted) the failed system's names resolve to its own
nodes again. Active/passive links do not redirect DNS.

Namespaces are replicated when their ``replicated`` flag is set: :func:`link` sets it on
every namespace of both systems and creates, on each side, the tenants, namespaces and users
the other side has and it lacks (HCP replicates their configuration too). A namespace
created later is mirrored when its first change arrives. What a system stores when the link
is made is replicated first (from the primary only on an active/passive link), through the
same queue, so it counts in the statistics and waits out a ``delay`` like any change.
"""
from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..exceptions import HcpsdkError
from . import dnsserver
from .model import ChangeEvent, Namespace, System, Tenant

__all__ = ["ACTIVE_ACTIVE", "OUTBOUND", "INBOUND", "ACTIONS", "LinkStateError", "Link", "link",
           "close_links"]

log = logging.getLogger(__name__)

ACTIVE_ACTIVE = "ACTIVE_ACTIVE"
OUTBOUND = "OUTBOUND"
INBOUND = "INBOUND"

NORMAL = "NORMAL"
FAILED_OVER = "FAILED_OVER"
RECOVERING = "RECOVERING"

#: The link actions MAPI accepts (``POST .../links/<name>?<action>``).
ACTIONS = ("suspend", "resume", "restore", "failOver", "failBack", "beginRecovery",
           "completeRecovery")

#: HCP's replication port, shown in the link's ``connection``.
REPLICATION_PORT = 5748

#: Seconds over which the ``...PerSecond`` statistics are averaged.
RATE_WINDOW = 10.0

_NAMESPACE_SETTINGS = ("versioning", "retention_mode", "hash_scheme", "hard_quota",
                       "soft_quota_percent", "description", "dpl", "default_index",
                       "default_shred", "default_retention", "search")
_TENANT_SETTINGS = ("system_visible_description", "tenant_visible_description", "hard_quota",
                    "soft_quota")


class LinkStateError(HcpsdkError, ValueError):
    """A link action that the link's type or state does not allow (MAPI answers 400)."""


@dataclass
class _Queued:
    event: ChangeEvent
    nbytes: int
    due: float              # time.monotonic() when it may be applied
    wall_ms: int            # when it was queued, for upToDateAsOf


@dataclass
class _Side:
    """One end of the link: its system and the changes it queued for the other side."""

    system: System
    addresses: list[str]
    queue: collections.deque[_Queued] = field(default_factory=collections.deque)
    deliver_lock: threading.Lock = field(default_factory=threading.Lock)


def _system_of(party: Any) -> System:
    return party if isinstance(party, System) else party.system


def _event_bytes(event: ChangeEvent) -> int:
    if event.kind == "put":
        return int(getattr(event.snapshot, "size", 0) or 0)
    return 0


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Link:
    """A replication link between two systems; made by :func:`link`.

    :attr:`state` is ``NORMAL``, ``FAILED_OVER`` or ``RECOVERING``; :attr:`suspended` tells
    whether the link is suspended. :meth:`act` performs a MAPI link action on behalf of one
    side; :meth:`details` renders that side's view for MAPI. Use :meth:`wait_idle` in tests to
    wait until every deliverable change has been applied, and :meth:`close` (also a context
    manager; the emulator's exit closes its links) to delete the link.
    """

    def __init__(self, primary: Any, replica: Any, name: str, link_type: str,
                 delay: float) -> None:
        self.name = name
        self.id = str(uuid.uuid4())
        self.link_type = link_type
        self.delay = float(delay)
        self.description = (f"{'active/active' if link_type == ACTIVE_ACTIVE else 'active/passive'}"
                            f" link between {_system_of(primary).name} and"
                            f" {_system_of(replica).name}")
        self._primary = _Side(_system_of(primary), list(getattr(primary, "addresses", [])))
        self._replica = _Side(_system_of(replica), list(getattr(replica, "addresses", [])))
        self._cond = threading.Condition()
        self._state = NORMAL
        self._suspended = False
        self._note = ""
        self._dns_failed: _Side | None = None   # the side whose names the survivor answers
        self._busy = 0
        self._closed = False
        # link-wide counters (both directions), as HCP reports them on either side
        self._objects_replicated = 0
        self._bytes_replicated = 0
        self._errors = 0
        self._recent: collections.deque[tuple[float, int, bool]] = collections.deque()
        self._listeners = {id(s): self._listener(s) for s in (self._primary, self._replica)}
        self._thread: threading.Thread | None = None
        if self.delay > 0:
            self._thread = threading.Thread(target=self._run, name=f"hcp-link-{name}",
                                            daemon=True)
            self._thread.start()
        for side in (self._primary, self._replica):
            side.system.add_listener(self._listeners[id(side)])

    # ------------------------------------------------------------------ public state

    @property
    def state(self) -> str:
        """``NORMAL``, ``FAILED_OVER`` or ``RECOVERING``."""
        return self._state

    @property
    def suspended(self) -> bool:
        """True while the link is suspended (changes are queued, not applied)."""
        return self._suspended

    @property
    def systems(self) -> tuple[System, System]:
        """(primary, replica)."""
        return self._primary.system, self._replica.system

    def type_for(self, system: System) -> str:
        """The link type as *system* sees it (``ACTIVE_ACTIVE``, ``OUTBOUND``, ``INBOUND``)."""
        if self.link_type == ACTIVE_ACTIVE:
            return ACTIVE_ACTIVE
        return OUTBOUND if system is self._primary.system else INBOUND

    def pending(self, system: System) -> tuple[int, int]:
        """(objects, bytes) queued on *system*'s side, not yet applied on the other."""
        with self._cond:
            side = self._side(system)
            return len(side.queue), sum(q.nbytes for q in side.queue)

    def __repr__(self) -> str:
        return (f"Link({self.name!r}, {self.link_type}, state={self._state},"
                f" suspended={self._suspended})")

    # ------------------------------------------------------------------ flow

    def _side(self, system: System) -> _Side:
        if system is self._primary.system:
            return self._primary
        if system is self._replica.system:
            return self._replica
        raise ValueError(f"system {system.name} is not part of link {self.name}")

    def _other(self, side: _Side) -> _Side:
        return self._replica if side is self._primary else self._primary

    def _flows(self, side: _Side) -> bool:
        """Whether changes queued on *side* may be applied now (call with the lock held)."""
        if self._suspended or self._closed:
            return False
        if self.link_type == ACTIVE_ACTIVE:
            return self._state == NORMAL
        if side is self._primary:
            return self._state == NORMAL
        return self._state == RECOVERING

    def _listener(self, side: _Side) -> Callable[[ChangeEvent], None]:
        def on_change(event: ChangeEvent) -> None:
            self._enqueue(side, event)
        return on_change

    def _enqueue(self, side: _Side, event: ChangeEvent, deliver: bool = True) -> None:
        ns = side.system.namespace(event.tenant, event.namespace)
        if ns is None or not ns.replicated:
            return
        with self._cond:
            if self._closed:
                return
            side.queue.append(_Queued(event, _event_bytes(event),
                                      time.monotonic() + self.delay, _now_ms()))
            self._cond.notify_all()
        if deliver and self.delay <= 0:
            self._deliver(side)

    def _deliver(self, side: _Side, force: bool = False) -> None:
        """Apply *side*'s due changes in order (all of them when *force*)."""
        target = self._other(side)
        with side.deliver_lock:
            while True:
                with self._cond:
                    if not side.queue or not (force or self._flows(side)):
                        break
                    if not force and side.queue[0].due > time.monotonic():
                        break
                    item = side.queue.popleft()
                    self._busy += 1
                ok = False
                try:
                    ok = self._apply(target.system, item.event)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._account(item, ok)
                        self._cond.notify_all()

    def _account(self, item: _Queued, ok: bool) -> None:
        now = time.monotonic()
        if ok:
            self._objects_replicated += 1
            self._bytes_replicated += item.nbytes
        else:
            self._errors += 1
        self._recent.append((now, item.nbytes, ok))
        while self._recent and self._recent[0][0] < now - RATE_WINDOW:
            self._recent.popleft()

    def _apply(self, system: System, event: ChangeEvent) -> bool:
        try:
            ns = system.namespace(event.tenant, event.namespace)
            if ns is None:
                source = self._other(self._side(system)).system
                ns = _mirror_namespace(source.namespace(event.tenant, event.namespace), system)
            ns.apply_replicated(event)
            return True
        except Exception:  # a failed change counts as a link error, like HCP's
            log.exception("link %s: applying %s %s/%s/%s on %s failed", self.name, event.kind,
                          event.tenant, event.namespace, event.path, system.name)
            return False

    def _run(self) -> None:
        """The delivery thread of a delayed link."""
        while True:
            with self._cond:
                if self._closed:
                    return
                wait = None
                ready = []
                now = time.monotonic()
                for side in (self._primary, self._replica):
                    if side.queue and self._flows(side):
                        due = side.queue[0].due
                        if due <= now:
                            ready.append(side)
                        else:
                            wait = due - now if wait is None else min(wait, due - now)
                if not ready:
                    self._cond.wait(wait)
                    continue
            for side in ready:
                self._deliver(side)

    def _backfill(self, side: _Side) -> None:
        """Queue what *side* already stores, as HCP's initial replication of a new link does:
        every directory, then every version and delete marker in the order they were made."""
        for tenant in list(side.system.tenants.values()):
            for ns in list(tenant.namespaces.values()):
                if not ns.replicated:
                    continue
                store = ns.store
                with store.lock:
                    events = [ChangeEvent("directory", tenant.name, ns.name, path,
                                          {"change_ms": d.change_ms})
                              for path, d in sorted(store.dirs.items()) if path and not d.deleted]
                    versions = sorted(((v.change_ms, path, v)
                                       for path, vs in store.objects.items() for v in vs),
                                      key=lambda t: t[0])
                    events += [ChangeEvent("delete", tenant.name, ns.name, path, {"marker": v})
                               if v.deleted else
                               ChangeEvent("put", tenant.name, ns.name, path,
                                           replace(v, annotations=dict(v.annotations)))
                               for _, path, v in versions]
                for event in events:
                    self._enqueue(side, event, deliver=False)

    def _kick(self) -> None:
        """Restart the flow after a state change."""
        with self._cond:
            self._cond.notify_all()
        if self.delay <= 0:
            for side in (self._primary, self._replica):
                self._deliver(side)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no change that may flow now is queued or being applied.

        Changes held back by a suspension or a failover do not count.

        :param timeout: seconds to wait at most
        :returns: True when idle, False on timeout
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy or any(s.queue and self._flows(s)
                                    for s in (self._primary, self._replica)):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    # ------------------------------------------------------------------ actions

    def act(self, system: System, action: str) -> None:
        """Perform MAPI link *action* as requested on *system*.

        :raises LinkStateError: if the link's type or state does not allow *action*
        :raises ValueError: for an unknown action
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown link action {action}")
        link_type = self.type_for(system)
        if action == "failBack" and link_type != ACTIVE_ACTIVE:
            raise LinkStateError(f"failBack not allowed on {link_type} link")
        if action in ("beginRecovery", "completeRecovery") and link_type == ACTIVE_ACTIVE:
            raise LinkStateError(f"{action} not allowed on {link_type} link")
        getattr(self, "_do_" + action)()
        if action == "failOver" and link_type == ACTIVE_ACTIVE:
            self._dns_take_over(self._side(system))
        elif action == "failBack":
            self._dns_give_back()
        log.info("link %s: %s on %s -> state %s, suspended %s", self.name, action, system.name,
                 self._state, self._suspended)
        self._kick()

    @property
    def dns_failed_over(self) -> str | None:
        """The domain of the failed system whose names the DNS answers with the survivor's
        nodes (A/A failover with ``enableDNSFailover``), else None."""
        failed = self._dns_failed
        if failed is None:
            return None
        survivor = self._other(failed).system
        return failed.system.domain if survivor.replication_settings.get("enableDNSFailover") \
            else None

    def _dns_take_over(self, survivor: _Side) -> None:
        """Let DNS answer the other side's names with *survivor*'s nodes (A/A failover)."""
        failed = self._other(survivor)
        with survivor.system.lock:
            survivor.system.taken_over_domains.add(failed.system.domain)
        self._dns_failed = failed
        if not failed.addresses or not survivor.addresses:
            return      # bare systems: no DNS
        system, addresses = survivor.system, list(survivor.addresses)

        def answer() -> list[str] | None:
            return addresses if system.replication_settings.get("enableDNSFailover") else None

        dnsserver.take_over(failed.system.domain, failed.addresses, answer)

    def _dns_give_back(self) -> None:
        failed, self._dns_failed = self._dns_failed, None
        if failed is None:
            return
        survivor = self._other(failed).system
        with survivor.lock:
            survivor.taken_over_domains.discard(failed.system.domain)
        dnsserver.give_back(failed.system.domain, failed.addresses)

    def _require(self, state: str, action: str) -> None:
        if self._state != state:
            raise LinkStateError(f"{action} not possible: link {self.name} is"
                                 f" {self._state.lower().replace('_', ' ')}")

    def _do_suspend(self) -> None:
        with self._cond:
            if self._suspended:
                raise LinkStateError(f"link {self.name} is already suspended")
            self._suspended = True
            self._note = ""

    def _do_resume(self) -> None:
        with self._cond:
            if not self._suspended:
                raise LinkStateError(f"link {self.name} is not suspended")
            self._suspended = False
            self._note = ""

    def _do_restore(self) -> None:
        with self._cond:
            self._errors = 0
            self._note = "Link restored"

    def _do_failOver(self) -> None:  # named like the MAPI action
        with self._cond:
            self._require(NORMAL, "failOver")
            self._state = FAILED_OVER
            self._note = ""
        if self.link_type != ACTIVE_ACTIVE:
            _set_read_only(self._replica.system, False)

    def _do_failBack(self) -> None:
        with self._cond:
            self._require(FAILED_OVER, "failBack")
            self._state = NORMAL
            self._note = ""

    def _do_beginRecovery(self) -> None:
        with self._cond:
            self._require(FAILED_OVER, "beginRecovery")
            self._state = RECOVERING
            self._note = ""
        _set_read_only(self._primary.system, True)

    def _do_completeRecovery(self) -> None:
        with self._cond:
            self._require(RECOVERING, "completeRecovery")
            if self._suspended:
                raise LinkStateError(f"completeRecovery not possible: link {self.name} is"
                                     " suspended; resume it first")
        _set_read_only(self._replica.system, True)
        self._deliver(self._replica, force=True)
        with self._cond:
            self._state = NORMAL
            self._note = ""
        _set_read_only(self._primary.system, False)

    # ------------------------------------------------------------------ MAPI view

    def status(self) -> tuple[str, str]:
        """(``status``, ``statusMessage``) as MAPI shows them."""
        with self._cond:
            if self._suspended:
                return "WARNING", "Suspended by user"
            if self._state == FAILED_OVER:
                return "WARNING", "Failed over" + ("; link restored" if self._note else "")
            if self._state == RECOVERING:
                return "GOOD", "Recovering data"
            return "GOOD", self._note or "Synchronizing data"

    def statistics(self, system: System) -> dict[str, Any]:
        """The ``statistics`` element of *system*'s view of the link.

        Replicated objects, bytes, errors and rates count both directions; ``...Pending``
        are the changes *system* still has to send, ``...PendingRemote`` those of the other
        side; ``upToDateAsOf`` is when the oldest change still queued was made (now when
        nothing is queued).
        """
        with self._cond:
            local = self._side(system)
            remote = self._other(local)
            now = time.monotonic()
            recent = [r for r in self._recent if r[0] >= now - RATE_WINDOW]
            queued = [q.wall_ms for s in (local, remote) for q in s.queue]
            as_of = min(queued) if queued else _now_ms()
            return {
                "bytesPending": sum(q.nbytes for q in local.queue),
                "bytesPendingRemote": sum(q.nbytes for q in remote.queue),
                "bytesPerSecond": round(sum(r[1] for r in recent if r[2]) / RATE_WINDOW, 1),
                "bytesReplicated": self._bytes_replicated,
                "errors": self._errors,
                "errorsPerSecond": round(sum(1 for r in recent if not r[2]) / RATE_WINDOW, 1),
                "objectsPending": len(local.queue),
                "objectsPendingRemote": len(remote.queue),
                "objectsReplicated": self._objects_replicated,
                "operationsPerSecond": round(sum(1 for r in recent if r[2]) / RATE_WINDOW, 1),
                "upToDateAsOfMillis": as_of,
                "upToDateAsOfString": _time_string(as_of),
            }

    def details(self, system: System, verbose: bool = False) -> dict[str, Any]:
        """*system*'s view of the link, keyed and ordered like HCP's ``<link>`` element."""
        local = self._side(system)
        remote = self._other(local)
        data: dict[str, Any] = {
            "compression": False,
            "connection": {"localHost": ", ".join(local.addresses),
                           "localPort": REPLICATION_PORT,
                           "remoteHost": ", ".join(remote.addresses),
                           "remotePort": REPLICATION_PORT},
            "description": self.description,
            "encryption": False,
        }
        if verbose:
            data["failoverSettings"] = {
                "local": {"autoFailover": False, "autoFailoverMinutes": 120},
                "remote": {"autoFailover": False, "autoFailoverMinutes": 120}}
        data.update(id=self.id, name=self.name, priority="OLDEST_FIRST")
        if verbose:
            status, message = self.status()
            data["statistics"] = self.statistics(system)
            data.update(status=status, statusMessage=message, suspended=self._suspended)
        data["type"] = self.type_for(system)
        return data

    # ------------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Delete the link: no more changes are taken or applied, the thread ends.

        Like deleting a link on HCP, both systems forget it and the namespaces a passive
        side kept read-only become writable; queued changes are dropped.
        """
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._dns_give_back()
        for side in (self._primary, self._replica):
            side.system.remove_listener(self._listeners[id(side)])
            if side.system.links.get(self.name) is self:
                del side.system.links[self.name]
            _set_read_only(side.system, False)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _time_string(ms: int) -> str:
    """``yyyy-MM-ddThh:mm:ss±hhmm`` in the local time zone."""
    return datetime.fromtimestamp(ms / 1000).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")


def _set_read_only(system: System, read_only: bool) -> None:
    for tenant in list(system.tenants.values()):
        for ns in list(tenant.namespaces.values()):
            if ns.replicated:
                ns.read_only = read_only


def _mirror_tenant(tenant: Tenant, system: System) -> Tenant:
    """The tenant of *system* named like *tenant*, created with its settings and users."""
    with system.lock:
        mine = system.tenants.get(tenant.name)
        if mine is None:
            mine = system.add_tenant(tenant.name, **{k: getattr(tenant, k)
                                                     for k in _TENANT_SETTINGS})
        for name, user in list(tenant.users.items()):
            if name not in mine.users:
                mine.add_user(name, user.password, dict(user.permissions), user.roles)
        return mine


def _mirror_namespace(ns: Namespace | None, system: System) -> Namespace:
    """The namespace of *system* named like *ns*, created with its settings if missing."""
    if ns is None:
        raise LookupError("namespace vanished on the source system")
    tenant = _mirror_tenant(ns.tenant, system)
    with system.lock:
        mine = tenant.namespaces.get(ns.name)
        if mine is None:
            settings = {k: getattr(ns, k) for k in _NAMESPACE_SETTINGS}
            mine = tenant.add_namespace(
                ns.name, retention_classes=list(ns.retention_classes.values()),
                permissions=ns.permissions, anonymous_permissions=ns.anonymous_permissions,
                replicated=True, **settings)
        return mine


def _mirror_all(source: System, target: System) -> None:
    for tenant in list(source.tenants.values()):
        _mirror_tenant(tenant, target)
        for ns in list(tenant.namespaces.values()):
            ns.replicated = True
            _mirror_namespace(ns, target).replicated = True



def link(primary: Any, replica: Any, name: str | None = None,
         link_type: str = ACTIVE_ACTIVE, delay: float = 0.0) -> Link:
    """Join *primary* and *replica* with a replication link.

    The link is registered in both systems' ``links`` (MAPI lists it on both), each
    emulator's DNS learns the other's names, and every namespace of both systems is
    replicated (see the module documentation).

    :param primary: an :class:`~hcpsdk.emulator.Emulator` (or a bare ``System``)
    :param replica: the other emulator (or ``System``)
    :param name: the link name (default ``<primary>-a-a-<replica>`` or ``<primary>-a-p-<replica>``)
    :param link_type: ``ACTIVE_ACTIVE`` or ``OUTBOUND`` (active/passive, primary -> replica)
    :param delay: seconds between a change and its arrival on the other side (0 = at once,
        in the writing thread)
    :returns: the :class:`Link`
    :raises ValueError: for a bad type or delay, the same system twice, or a name in use
    """
    if link_type not in (ACTIVE_ACTIVE, OUTBOUND):
        raise ValueError(f"link_type must be {ACTIVE_ACTIVE} or {OUTBOUND}, not {link_type!r}")
    if delay < 0:
        raise ValueError("delay must not be negative")
    psys, rsys = _system_of(primary), _system_of(replica)
    if psys is rsys:
        raise ValueError("a system cannot be linked to itself")
    if name is None:
        kind = "a-a" if link_type == ACTIVE_ACTIVE else "a-p"
        name = f"{psys.name}-{kind}-{rsys.name}"
    if name in psys.links or name in rsys.links:
        raise ValueError(f"a link named {name} exists")
    _mirror_all(psys, rsys)
    _mirror_all(rsys, psys)
    new = Link(primary, replica, name, link_type, delay)
    psys.links[name] = new
    rsys.links[name] = new
    if link_type == OUTBOUND:
        _set_read_only(rsys, True)
    new._backfill(new._primary)
    if link_type == ACTIVE_ACTIVE:
        new._backfill(new._replica)
    new._kick()
    for a, b in ((primary, replica), (replica, primary)):
        serve = getattr(a, "serve_names_of", None)
        if serve is not None:
            serve(b)
    log.info("linked %s and %s as %s (%s, delay %.3fs)", psys.name, rsys.name, name, link_type,
             delay)
    return new


def close_links(system: System) -> None:
    """Close every link of *system* (called when its emulator stops)."""
    for item in list(system.links.values()):
        if isinstance(item, Link):
            item.close()
