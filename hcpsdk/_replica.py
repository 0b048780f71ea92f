"""Replica strategies: which system serves a request, and when a request moves over.

A :class:`~hcpsdk.Target` made with ``replica_fqdn`` and a ``replica_strategy`` owns one
:class:`ReplicaPolicy`. It remembers, for all Connections of the Target, what was learned
about the pair: whether the primary was unreachable a moment ago and whether the
replication link is failed over (from MAPI, when a MAPI Target was given, or from the
replica accepting or refusing a write).

For every request the :class:`~hcpsdk.Connection` asks the policy for a
:class:`ReplicaRoute` and talks to it at three points:

* :meth:`ReplicaRoute.target` — which Target the next attempt goes to;
* :meth:`ReplicaRoute.failed` — an attempt failed; may the next one go to the other system?
* :meth:`ReplicaRoute.answered` — an answer arrived; is it the request's result, or was
  it the replica refusing a write, so that the request goes to the primary after all?

Whether a request may be *sent again* at all stays the retry policy's decision
(:mod:`hcpsdk._retry`): moving to the replica is one more attempt and follows the same
rules — idempotent or nothing sent yet, and a body that can be rewound.

The strategies (ORed ``RS_*`` bits)::

    RS_READ_ALLOWED       GET/HEAD move to the replica whenever the primary fails
                          (unreachable, reset, timeout, 503)
    RS_READ_ON_FAILOVER   GET/HEAD move to the replica when the primary is unreachable,
                          and go there first while the link is known to be failed over
    RS_WRITE_ALLOWED      PUT/POST/DELETE move to the replica whenever the primary fails
                          (for active/active links)
    RS_WRITE_ON_FAILOVER  PUT/POST/DELETE go there first while the link is known to be
                          failed over, and move there when the primary is unreachable
                          unless the link is known to be in normal state
"""
from __future__ import annotations

import http.client
import logging
import time
from typing import Any

from ._constants import RS_READ_ALLOWED, RS_READ_ON_FAILOVER, RS_WRITE_ALLOWED, RS_WRITE_ON_FAILOVER
from ._locks import fork_safe_lock
from .exceptions import HcpsdkError, HcpsdkReplicaInitError
from .target import Target

__all__ = ["ReplicaPolicy", "ReplicaRoute", "check_strategy", "PRIMARY", "REPLICA", "READ_METHODS",
           "MEMORY", "MAPI_TTL"]

log = logging.getLogger(__name__)

#: The values of :attr:`hcpsdk.Connection.served_from`.
PRIMARY = "primary"
REPLICA = "replica"
#: Methods that read; every other method writes.
READ_METHODS = frozenset({"GET", "HEAD"})
#: Seconds a learned fact (primary unreachable, link failed over or not) is trusted.
MEMORY = 30.0
#: Seconds a link state read from MAPI is reused.
MAPI_TTL = 5.0
#: ``statusMessage`` texts of a link whose replica has taken over (lower case, prefixes).
FAILED_OVER_MESSAGES = ("failed over", "recovering")

_ALL = RS_READ_ALLOWED | RS_READ_ON_FAILOVER | RS_WRITE_ALLOWED | RS_WRITE_ON_FAILOVER
_READS = RS_READ_ALLOWED | RS_READ_ON_FAILOVER
_WRITES = RS_WRITE_ALLOWED | RS_WRITE_ON_FAILOVER


def check_strategy(strategy: Any) -> None:
    """Check that ``strategy`` is an ORed combination of the ``RS_*`` modes.

    :raises HcpsdkReplicaInitError: naming the value, when it is not
    """
    if isinstance(strategy, bool) or not isinstance(strategy, int) or strategy & ~_ALL:
        raise HcpsdkReplicaInitError(
            f"replica_strategy must be an ORed combination of the RS_* modes, not {strategy!r}"
            )


class _Fact:
    """A boolean learned at some time and trusted for a while."""

    __slots__ = ("value", "until")

    def __init__(self) -> None:
        self.value: bool | None = None
        self.until = 0.0

    def get(self, now: float) -> bool | None:
        return self.value if self.until > now else None

    def set(self, value: bool | None, until: float) -> None:
        self.value, self.until = value, until


class ReplicaPolicy:
    """What a Target knows about its replica and when requests may use it. Thread-safe.

    :param primary: the primary Target
    :param replica: the replica Target
    :param strategy: ORed ``RS_*`` modes
    :param mapi: a Target on a MAPI port (``admin.<hcp>`` or ``<tenant>.<hcp>``, best the
        replica's) to read the link state from; ``None`` to learn it from the replica's
        answers to writes only
    :param link: the replication link's name; ``None``: the only link MAPI lists
    :param memory: seconds a learned fact is trusted
    :param mapi_ttl: seconds a link state read from MAPI is reused
    :raises HcpsdkReplicaInitError: when ``strategy`` holds anything but ``RS_*`` bits

    .. versionadded:: 1.0
    """

    def __init__(self, primary: Target, replica: Target, strategy: int, *,
                 mapi: Target | None = None, link: str | None = None,
                 memory: float = MEMORY, mapi_ttl: float = MAPI_TTL) -> None:
        check_strategy(strategy)
        self.primary = primary
        self.replica = replica
        self.strategy = strategy
        self.memory = memory
        self._mapi = mapi
        self._link = link
        self._mapi_ttl = mapi_ttl
        self._lock = fork_safe_lock(self)
        self._unreachable = _Fact()   # the primary could not be reached
        self._failed_over = _Fact()   # learned from the replica's answers to writes
        self._mapi_state = _Fact()    # read from MAPI (value None: MAPI did not answer)

    @classmethod
    def for_target(cls, primary: Target, replica: Target | None, strategy: int | None,
                   **kw: Any) -> ReplicaPolicy | None:
        """The policy for ``primary``, or ``None`` when there is no replica or no strategy."""
        if replica is None or strategy is None:
            return None
        return cls(primary, replica, strategy, **kw)

    def route(self, method: str) -> ReplicaRoute | None:
        """A route for one request, or ``None`` when the strategy never sends ``method`` to
        the replica (the request then simply goes to the primary)."""
        read = method in READ_METHODS
        if not self.strategy & (_READS if read else _WRITES):
            return None
        return ReplicaRoute(self, read)

    # -- what the policy knows ------------------------------------------------------------

    def primary_unreachable(self) -> bool:
        """``True`` while the primary is remembered as unreachable."""
        with self._lock:
            return bool(self._unreachable.get(time.monotonic()))

    def failed_over(self) -> bool | None:
        """Whether the link is failed over: MAPI's word if it answers, else what the
        replica's answers taught; ``None`` when unknown."""
        if self._mapi is not None:
            state = self._mapi_failed_over()
            if state is not None:
                return state
        with self._lock:
            return self._failed_over.get(time.monotonic())

    def _mapi_failed_over(self) -> bool | None:
        now = time.monotonic()
        with self._lock:
            if self._mapi_state.until > now:
                return self._mapi_state.value
        state = self._ask_mapi()
        with self._lock:
            self._mapi_state.set(state, time.monotonic() + self._mapi_ttl)
        return state

    def _ask_mapi(self) -> bool | None:
        from .mapi import Replication  # the mapi package imports hcpsdk: import on use

        mapi_target = self._mapi
        if mapi_target is None:
            return None
        try:
            with Replication(mapi_target) as mapi:
                link = self._link
                if link is None:
                    names = mapi.getlinklist()
                    if len(names) != 1:
                        log.warning("replica of %s: MAPI at %s lists %d replication links - "
                                    "name the link to watch", self.primary.fqdn,
                                    mapi_target.fqdn, len(names))
                        return None
                    link = self._link = names[0]
                details = mapi.getlinkdetails(link)
        except HcpsdkError as exc:
            log.warning("replica of %s: link state not available from MAPI at %s: %s",
                        self.primary.fqdn, mapi_target.fqdn, exc)
            return None
        message = str(details.get("statusMessage") or "").lower()
        state = message.startswith(FAILED_OVER_MESSAGES)
        log.debug("link %s: status %s (%s) - failed over: %s", link, details.get("status"),
                  details.get("statusMessage"), state)
        return state

    # -- what the policy learns -----------------------------------------------------------

    def _learn_unreachable(self, value: bool) -> None:
        with self._lock:
            known = self._unreachable.get(time.monotonic())
            self._unreachable.set(value or None, time.monotonic() + self.memory if value else 0.0)
        if known and not value:
            log.info("primary %s answers again", self.primary.fqdn)

    def _learn_failed_over(self, value: bool, why: str) -> None:
        now = time.monotonic()
        with self._lock:
            known = self._failed_over.get(now)
            self._failed_over.set(value, now + self.memory)
        if known is not value:
            log.info("replica %s %s: link taken as %s", self.replica.fqdn, why,
                     "failed over" if value else "not failed over")

    # -- the rules ------------------------------------------------------------------------

    def starts_on_replica(self, read: bool) -> bool:
        """Whether a new request goes to the replica first (the strategy has a mode for
        this kind of request: see :meth:`route`)."""
        strategy = self.strategy
        if read:
            if self.primary_unreachable():
                return True
            return bool(strategy & RS_READ_ON_FAILOVER) and self.failed_over() is True
        if strategy & RS_WRITE_ALLOWED and self.primary_unreachable():
            return True
        if strategy & RS_WRITE_ON_FAILOVER:
            failed_over = self.failed_over()
            return failed_over is True or (failed_over is None and self.primary_unreachable())
        return False

    def allows(self, read: bool, unreachable: bool) -> bool:
        """Whether a request that failed on the primary may go on at the replica.

        :param read: the request reads (GET, HEAD)
        :param unreachable: no node of the primary could be connected to (else the
            request failed later: reset, timeout, 503)
        """
        strategy = self.strategy
        if strategy & (RS_READ_ALLOWED if read else RS_WRITE_ALLOWED):
            return True
        if read:
            return bool(strategy & RS_READ_ON_FAILOVER) and (
                unreachable or self.failed_over() is True)
        if not strategy & RS_WRITE_ON_FAILOVER:
            return False
        failed_over = self.failed_over()
        return failed_over is True or (failed_over is None and unreachable)

    def __repr__(self) -> str:
        names = [name for name, bit in (("RS_READ_ALLOWED", RS_READ_ALLOWED),
                                        ("RS_READ_ON_FAILOVER", RS_READ_ON_FAILOVER),
                                        ("RS_WRITE_ALLOWED", RS_WRITE_ALLOWED),
                                        ("RS_WRITE_ON_FAILOVER", RS_WRITE_ON_FAILOVER))
                 if self.strategy & bit]
        return (f"ReplicaPolicy({self.primary.fqdn} -> {self.replica.fqdn}, "
                f"{' | '.join(names) or '0'})")


class ReplicaRoute:
    """The replica decisions of one request (made by :meth:`ReplicaPolicy.route`).

    The request starts on the primary (or on the replica, see
    :meth:`ReplicaPolicy.starts_on_replica`) and moves only to a system it has not been
    sent to yet, so it tries each system once and always ends.
    """

    __slots__ = ("_policy", "_read", "side", "served", "_visited", "_primary_error",
                 "_refusal")

    def __init__(self, policy: ReplicaPolicy, read: bool) -> None:
        self._policy = policy
        self._read = read
        #: Where the next attempt goes: :data:`PRIMARY` or :data:`REPLICA`.
        self.side = REPLICA if policy.starts_on_replica(read) else PRIMARY
        #: Where the answer came from (``None`` until one came).
        self.served: str | None = None
        self._visited = {self.side}
        self._primary_error: HcpsdkError | None = None
        self._refusal = ""  # how the replica refused this write, if it did
        if self.side == REPLICA:
            log.debug("%s request goes to the replica %s first", "read" if read else "write",
                      policy.replica.fqdn)

    def target(self) -> Target:
        """The Target the next attempt goes to."""
        return self._policy.replica if self.side == REPLICA else self._policy.primary

    def failed(self, target: Target, error: HcpsdkError, unreachable: bool = False) -> bool:
        """An attempt on ``target`` failed; ``True`` when the next one goes to the other system.

        :param target: the Target of the failed attempt
        :param error: the translated error of the attempt
        :param unreachable: no node of ``target`` could be connected to (then ``False``
            means the request has failed)
        :raises HcpsdkError: (``error``'s class) when the primary is unreachable after
            the replica refused the write; the message tells both
        """
        policy = self._policy
        if target is policy.primary:
            self._primary_error = error
            if unreachable:
                policy._learn_unreachable(True)
            if REPLICA not in self._visited and policy.allows(self._read, unreachable):
                return self._move(REPLICA, error)
            if unreachable and self._refusal:
                raise self._both_failed()
            return False
        if PRIMARY in self._visited:
            return False
        return self._move(PRIMARY, error)

    def _move(self, side: str, cause: object) -> bool:
        self._visited.add(side)
        self.side = side
        log.warning("%s request goes on at the %s %s: %s", "read" if self._read else "write",
                    side, self.target().fqdn, cause)
        return True

    def _both_failed(self) -> HcpsdkError:
        error = self._primary_error
        if error is None:
            return HcpsdkError(self._refusal)
        return type(error)(f"{error.reason} - and {self._refusal}")

    def answered(self, target: Target, response: http.client.HTTPResponse,
                 rewindable: bool) -> bool:
        """An answer arrived from ``target``; ``True`` if it is the request's result.

        ``False`` means: the replica refused (403) a write it was sent first because the
        link looked failed over; the response was read, and the request goes to the
        primary. When the primary had failed already, the primary's error is raised,
        telling the replica's refusal too. A refused write that can't be sent again
        (non-seekable body) is the result.

        :param target: the Target that answered
        :param response: its response (headers read, body not yet)
        :param rewindable: the request body can be sent again
        :raises HcpsdkError: (the primary's error class) as said above
        """
        policy = self._policy
        if target is policy.primary:
            policy._learn_unreachable(False)
            self.served = PRIMARY
            return True
        if not self._read:
            status = response.status
            if 200 <= status < 300:
                policy._learn_failed_over(True, "accepts writes")
            elif status == 403:
                policy._learn_failed_over(False, "refuses writes")
                message = response.getheader("X-HCP-ErrorMessage") or "no message"
                self._refusal = (f"the replica {target.fqdn} refused the write: {status} "
                                 f"{response.reason} ({message})")
                if self._primary_error is not None:
                    response.read()
                    raise self._both_failed()
                if rewindable and PRIMARY not in self._visited:
                    response.read()
                    return not self._move(PRIMARY, self._refusal)
        self.served = REPLICA
        return True
