"""The one place that decides whether, where and after how long a request is sent again.

A :class:`Retry` is a policy (how many retries, the backoff, the statuses that are
retried, how long a failed node is skipped) and, for one request, the record of what
happened to it so far. A Connection starts every request with its configured Retry,
which has no history, and whenever an attempt fails it calls :meth:`Retry.increment`
with what happened. That returns a *new* Retry — the history one entry longer, the
verdict in :attr:`Retry.last` — or raises the error that ends the request. The
Connection obeys: it passes over the node if told so, waits :meth:`Retry.sleep`, and
sends again to the Target the replica route names. A Retry never changes, so one policy
may serve any number of Connections and threads.

What :meth:`Retry.increment` is told, and what it decides (``stage``):

==============  ==========================================  =======  ==========  ======
stage           what happened                               counted  node        wait
==============  ==========================================  =======  ==========  ======
``connect``     a node refused the connection (or timed     no       skipped     no
                out connecting); the next one is tried
``unreachable`` no node of a system accepted a connection   no       \\-          no
                (the replica route may move the request)
``send``        sending or waiting for the answer failed    yes [1]  skipped     backoff
``status``      the answer's status is retried (503) — or   yes [2]  skipped     backoff
                the replica refused a write it was sent
                first, and the route moved it to the primary
``read``        a GET body broke off; it is resumed         yes      skipped     backoff
==============  ==========================================  =======  ==========  ======

[1] except a kept-alive socket that the server had closed while it was idle: an
idempotent request is sent again at once, once, without using up a retry.
[2] a refused write is not counted, its node not skipped, nothing waited: the replica
answered, and the primary has not been asked yet.
"""
from __future__ import annotations

import http.client
import logging
import random
import time
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from ._check import integer
from ._translate import classify, translate
from .exceptions import (
    HcpsdkBodyNotRewindableError,
    HcpsdkCantConnectError,
    HcpsdkError,
    HcpsdkStatusError,
)
from .target import Target

__all__ = ["Retry", "Attempt", "Route", "IDEMPOTENT_METHODS", "RETRY_STATUSES", "CONNECT", "UNREACHABLE",
           "SEND", "STATUS", "READ"]

log = logging.getLogger(__name__)

#: Methods whose repetition does no harm.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: Statuses after which the request goes to another node (HCP: node busy).
RETRY_STATUSES = frozenset({503})
#: Backoff before retry n is a random value in [d/2, d],
#: d = min(BACKOFF_MAX, BACKOFF_FACTOR * 2**(n-1)).
BACKOFF_FACTOR = 0.1
BACKOFF_MAX = 5.0
#: Seconds a failed node is passed over.
NODE_COOLDOWN = 30.0

#: The stages of a request at which :meth:`Retry.increment` is asked (see the table above).
CONNECT = "connect"
UNREACHABLE = "unreachable"
SEND = "send"
STATUS = "status"
READ = "read"
_STAGES = frozenset({CONNECT, UNREACHABLE, SEND, STATUS, READ})


class Route(Protocol):
    """The replica decisions of one request (``hcpsdk._replica.ReplicaRoute``).

    Described here so that neither a Retry nor a Connection needs the replica module
    before a Target with a replica makes one.
    """

    #: Where the answer came from: ``'primary'``, ``'replica'`` (``None`` until one came).
    served: str | None

    def target(self) -> Target:
        """The Target the next attempt goes to."""
        ...

    def failed(self, target: Target, error: HcpsdkError, unreachable: bool = False) -> bool:
        """An attempt on ``target`` failed; ``True`` when the next one goes to the other system."""
        ...

    def answered(self, target: Target, response: http.client.HTTPResponse,
                 rewindable: bool) -> bool:
        """An answer came from ``target``; ``False`` when the request moves to the other system."""
        ...


class Attempt(NamedTuple):
    """One failed attempt of a request, as :meth:`Retry.increment` booked it."""

    #: The stage the attempt failed at (:data:`SEND`, :data:`STATUS`, ...).
    stage: str
    #: The http method of the request.
    method: str
    #: The node that failed (``None`` when no single node did).
    node: str | None
    #: What happened, in words (logged, and kept for the error message).
    reason: str
    #: ``True`` when the attempt used up one of the ``total`` retries.
    counted: bool
    #: ``True`` when the node is passed over for :attr:`Retry.cooldown` seconds.
    skip_node: bool
    #: Seconds to wait before the next attempt.
    delay: float
    #: ``True`` for a kept-alive socket that the server had closed while it was idle.
    stale: bool = False


class Retry:
    """The retry policy of a :class:`hcpsdk.Connection` (``hcpsdk.Retry``).

    .. code-block:: python

        quick = hcpsdk.Retry(5, backoff_factor=0.05, backoff_max=1.0, cooldown=10)
        c = hcpsdk.Connection(target, retry=quick)

    A Retry is immutable: :meth:`increment` returns a new one. After a request,
    :attr:`hcpsdk.Connection.retries_done` and :attr:`~hcpsdk.Connection.failed_nodes`
    tell what its Retry booked.

    :param total: retries after the first attempt (the Connection's ``retries``)
    :param backoff_factor: base of the exponential backoff (seconds)
    :param backoff_max: cap of the backoff (seconds)
    :param cooldown: seconds a failed node is skipped
    :param statuses: HTTP statuses that are retried on another node
    :raises HcpsdkTypeError: when ``total`` is no int
    :raises HcpsdkArgumentError: when ``total`` is negative

    .. versionadded:: 1.0
    """

    __slots__ = ("_total", "_backoff_factor", "_backoff_max", "_cooldown", "_statuses",
                 "_history")

    def __init__(self, total: int = 3, *, backoff_factor: float = BACKOFF_FACTOR,
                 backoff_max: float = BACKOFF_MAX, cooldown: float = NODE_COOLDOWN,
                 statuses: Iterable[int] = RETRY_STATUSES) -> None:
        integer("Retry", "total", total, 0)
        self._total = total
        self._backoff_factor = backoff_factor
        self._backoff_max = backoff_max
        self._cooldown = cooldown
        self._statuses = frozenset(statuses)
        self._history: tuple[Attempt, ...] = ()

    # -- the policy -------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """Retries allowed after the first attempt."""
        return self._total

    @property
    def backoff_factor(self) -> float:
        """Base of the exponential backoff (seconds)."""
        return self._backoff_factor

    @property
    def backoff_max(self) -> float:
        """Cap of the backoff (seconds)."""
        return self._backoff_max

    @property
    def cooldown(self) -> float:
        """Seconds a failed node is passed over."""
        return self._cooldown

    @property
    def statuses(self) -> frozenset[int]:
        """HTTP statuses that are retried on another node."""
        return self._statuses

    # -- what happened to this request ----------------------------------------------------

    @property
    def history(self) -> tuple[Attempt, ...]:
        """The failed attempts of the request, in order (empty for a policy)."""
        return self._history

    @property
    def last(self) -> Attempt | None:
        """The latest failed attempt (what :meth:`increment` just decided), or ``None``."""
        return self._history[-1] if self._history else None

    @property
    def retries(self) -> int:
        """Retries used up so far."""
        return sum(attempt.counted for attempt in self._history)

    @property
    def failed_nodes(self) -> tuple[str, ...]:
        """The nodes passed over so far, in order."""
        return tuple(a.node for a in self._history if a.skip_node and a.node is not None)

    @property
    def may_have_landed(self) -> bool:
        """``True`` when a PUT broke after it was sent: HCP may have stored it already."""
        return any(a.stage == SEND and a.method == "PUT" and not a.stale for a in self._history)

    # -- the decisions ----------------------------------------------------------------------

    @staticmethod
    def may_resend(method: str, sent: bool) -> bool:
        """Whether a request may be sent again: idempotent, or nothing went out yet."""
        return method in IDEMPOTENT_METHODS or not sent

    def is_retry(self, method: str, status: int, rewindable: bool = True) -> bool:
        """Whether an answer with ``status`` is sent again, to another node.

        :param method: the http method
        :param status: the answer's status code
        :param rewindable: the request body can be sent again
        """
        return (status in self._statuses and self.retries < self._total
                and self.may_resend(method, True) and rewindable)

    def is_final(self, method: str, response: http.client.HTTPResponse, target: Target,
                 rewindable: bool = True, route: Route | None = None) -> bool:
        """Whether ``response`` is the request's result; ``False``: increment at :data:`STATUS`.

        It is not when its status is retried (:meth:`is_retry`), or when the replica
        route moves the request: the replica refused a write it was sent first (the
        route is told of every other answer, and learns from it).

        :param method: the http method
        :param response: the answer (headers read)
        :param target: the Target that answered
        :param rewindable: the request body can be sent again
        :param route: the request's replica decisions, if it has any
        """
        if self.is_retry(method, response.status, rewindable):
            return False
        return route is None or route.answered(target, response, rewindable)

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1-based).

        Exponential, jittered, capped.
        """
        ceiling = min(self._backoff_max, self._backoff_factor * 2.0 ** max(retry_number - 1, 0))
        return ceiling / 2 + random.random() * ceiling / 2

    def sleep(self) -> float:
        """Wait the delay :meth:`increment` decided for the next attempt; returns it."""
        delay = self._history[-1].delay if self._history else 0.0
        if delay > 0:
            time.sleep(delay)
        return delay

    def increment(self, method: str, *, stage: str, target: Target, node: str | None = None,
                  error: BaseException | None = None,
                  response: http.client.HTTPResponse | None = None, action: str = "",
                  reused: bool = False, rewindable: bool = True, note: str = "",
                  route: Route | None = None) -> Retry:
        """Book a failed attempt; return the Retry for the next one, or raise.

        :param method: the http method of the request
        :param stage: where the attempt failed: :data:`CONNECT`, :data:`UNREACHABLE`,
            :data:`SEND`, :data:`STATUS` or :data:`READ` (see the module's table)
        :param target: the Target (the system) the attempt went to
        :param node: the node the attempt went to
        :param error: the exception met (stages other than :data:`STATUS`)
        :param response: the answer (stage :data:`STATUS`)
        :param action: what was being done, for the message (``'PUT /rest/a'``; for
            :data:`READ` the default is ``'read'``)
        :param reused: the attempt went out on a kept-alive socket (stage :data:`SEND`)
        :param rewindable: the body can be sent again (stage :data:`SEND`); for stage
            :data:`READ`: the body can be resumed
        :param note: appended to the reason that is logged
        :param route: the request's replica decisions; the request may move to the other
            system after a failure (not for :data:`CONNECT` and :data:`READ`)
        :returns: a new Retry; its :attr:`last` says whether the node is skipped and how
            long to wait
        :raises HcpsdkError: the translated error (chained to ``error``) when the request
            is not sent again: no retries left, not retryable, not idempotent
        :raises HcpsdkBodyNotRewindableError: a body that can't be rewound would have to
            be sent again
        """
        if stage not in _STAGES:
            raise ValueError(f"Retry.increment: unknown stage {stage!r}")
        if stage == STATUS:
            return self._status(method, target, node, response, action, route)
        if error is None:
            raise ValueError(f"Retry.increment: stage {stage!r} needs the error met")
        if stage == UNREACHABLE:
            return self._unreachable(method, target, error, route)
        rule = classify(error)
        fqdn = target.fqdn
        if stage == CONNECT:
            failed = translate(error, action="connect", node=node or "-", fqdn=fqdn, rule=rule)
            if not rule.retry:
                raise failed from error
            log.warning("%s - trying the next node", failed)
            return self._booked(Attempt(stage, method, node, f"{node}: {rule.cause}",
                                        counted=False, skip_node=True, delay=0.0))
        if stage == READ:
            failed = translate(error, action=action or "read", node=node or "-", fqdn=fqdn,
                               rule=rule)
            if not (rewindable and rule.retry and self.retries < self._total):
                raise failed from error
            return self._counted(stage, method, node, failed.reason + note)
        if (rule.stale and reused and rewindable and method in IDEMPOTENT_METHODS
                and not any(a.stale for a in self._history)):
            log.debug("kept-alive connection to %s was closed by HCP (%s) - resending", node,
                      error)
            return self._booked(Attempt(stage, method, node, rule.cause, counted=False,
                                        skip_node=False, delay=0.0, stale=True))
        refusal = self._refusal(rule.retry, method, rewindable)
        failed = translate(error, action=action, node=node or "-", fqdn=fqdn, rule=rule,
                           note=refusal[1] if refusal else "")
        if refusal is not None:
            raise (refusal[0](failed.reason) if refusal[0] else failed) from error
        following = self._counted(stage, method, node, failed.reason + note)
        if route is not None:
            route.failed(target, failed)
        return following

    def _refusal(self, retryable: bool, method: str, rewindable: bool
                 ) -> tuple[type[HcpsdkError] | None, str] | None:
        """Why a failed attempt is not sent again: ``(error class or None, note)``.

        ``None``: it is sent again.
        """
        if not retryable:
            return None, ""
        if self.retries >= self._total:
            return None, f" - giving up after {self.retries} retries"
        if not self.may_resend(method, True):
            return None, f" - not resent: {method} is not idempotent and was sent already"
        if not rewindable:
            return HcpsdkBodyNotRewindableError, (
                " - can't resend: the body is a non-seekable stream that was (partly) sent "
                "already")
        return None

    def _status(self, method: str, target: Target, node: str | None,
                response: http.client.HTTPResponse | None, action: str,
                route: Route | None) -> Retry:
        if response is None:
            raise ValueError("Retry.increment: stage 'status' needs the response")
        status = response.status
        reason = (f"{action} on node {node} ({target.fqdn}): {status} {response.reason} "
                  f"({response.getheader('X-HCP-ErrorMessage', 'no message')})")
        if status not in self._statuses:  # the replica refused a write: the route moved it
            return self._booked(Attempt(STATUS, method, node, reason, counted=False,
                                        skip_node=False, delay=0.0))
        following = self._counted(STATUS, method, node, reason)
        if route is not None:
            route.failed(target, HcpsdkStatusError(reason, status))
        return following

    def _unreachable(self, method: str, target: Target, error: BaseException,
                     route: Route | None) -> Retry:
        if not isinstance(error, HcpsdkCantConnectError) or route is None:
            raise error
        if not route.failed(target, error, unreachable=True):
            raise error
        # nothing was sent: the move to the other system costs no retry
        return self._booked(Attempt(UNREACHABLE, method, None, error.reason, counted=False,
                                    skip_node=False, delay=0.0))

    def _counted(self, stage: str, method: str, node: str | None, reason: str) -> Retry:
        number = self.retries + 1
        delay = self.backoff(number)
        log.warning("retry %d/%d in %.3f s on another node: %s", number, self._total, delay,
                    reason)
        return self._booked(Attempt(stage, method, node, reason, counted=True, skip_node=True,
                                    delay=delay))

    def _booked(self, attempt: Attempt) -> Retry:
        following = object.__new__(Retry)
        following._total = self._total
        following._backoff_factor = self._backoff_factor
        following._backoff_max = self._backoff_max
        following._cooldown = self._cooldown
        following._statuses = self._statuses
        following._history = (*self._history, attempt)
        return following

    def __repr__(self) -> str:
        history = f", retries done={self.retries}" if self._history else ""
        return (f"Retry(total={self._total}, backoff_factor={self._backoff_factor}, "
                f"backoff_max={self._backoff_max}, cooldown={self._cooldown}, "
                f"statuses={sorted(self._statuses)}{history})")
