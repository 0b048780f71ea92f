"""The one place that decides about retries (DECISIONS "Retries").

:class:`Retry` holds the policy: how many retries, the backoff, which statuses
are retried, how long a failed node is skipped, and which requests may be sent
again at all.
"""
from __future__ import annotations

import random
import time

from ._check import integer

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time; annotations are strings here
    from collections.abc import Iterable

__all__ = ["Retry", "IDEMPOTENT_METHODS", "RETRY_STATUSES"]

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


class Retry:
    """The retry policy of a :class:`hcpsdk.Connection` (``hcpsdk.Retry``).

    .. code-block:: python

        quick = hcpsdk.Retry(5, backoff_factor=0.05, backoff_max=1.0, cooldown=10)
        c = hcpsdk.Connection(target, retry=quick)

    :param total: retries after the first attempt (the Connection's ``retries``)
    :param backoff_factor: base of the exponential backoff (seconds)
    :param backoff_max: cap of the backoff (seconds)
    :param cooldown: seconds a failed node is skipped
    :param statuses: HTTP statuses that are retried on another node
    :raises HcpsdkTypeError: when ``total`` is no int
    :raises HcpsdkArgumentError: when ``total`` is negative

    .. versionadded:: 1.0
    """

    def __init__(self, total: int = 3, *, backoff_factor: float = BACKOFF_FACTOR,
                 backoff_max: float = BACKOFF_MAX, cooldown: float = NODE_COOLDOWN,
                 statuses: Iterable[int] = RETRY_STATUSES) -> None:
        integer("Retry", "total", total, 0)
        self.total = total
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.cooldown = cooldown
        self.statuses = frozenset(statuses)

    @staticmethod
    def may_resend(method: str, sent: bool) -> bool:
        """Whether a request may be sent again: idempotent, or nothing went out yet."""
        return method in IDEMPOTENT_METHODS or not sent

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1-based).

        Exponential, jittered, capped.
        """
        ceiling = min(self.backoff_max, self.backoff_factor * (2 ** max(retry_number - 1, 0)))
        return ceiling / 2 + random.random() * ceiling / 2

    def sleep(self, retry_number: int) -> float:
        """Wait the backoff of ``retry_number``; returns the seconds waited."""
        delay = self.backoff(retry_number)
        if delay > 0:
            time.sleep(delay)
        return delay

    def __repr__(self) -> str:
        return (f"Retry(total={self.total}, backoff_factor={self.backoff_factor}, "
                f"backoff_max={self.backoff_max}, cooldown={self.cooldown}, "
                f"statuses={sorted(self.statuses)})")
