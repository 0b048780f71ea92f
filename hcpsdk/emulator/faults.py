"""Fault injection, per node, switchable at run time (``hcp.faults``).

A *node* argument is an index into the emulator's address list, a node IP string, or
``None`` for all nodes.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["NodeFaults", "Faults"]


@dataclass
class NodeFaults:
    """The fault state of one node (read by the connection loop on every request)."""

    stall: bool = False
    close_after: int | None = None
    close_count: int = 0
    reset_after: int | None = None
    reset_count: int = 0
    status: int | None = None
    status_count: int = 0
    latency: float = 0.0
    idle_drop: float | None = None

    #: True if anything but the idle timeout is set (kept up to date by :class:`Faults`,
    #: so the connection loop checks one attribute per request).
    active: bool = False

    def update(self) -> None:
        """Recompute :attr:`active`."""
        self.active = bool(self.stall or self.close_count or self.reset_count
                           or self.status_count or self.latency)

    def take(self, kind: str) -> int | None:
        """Consume one use of a counted fault (``close``, ``reset``, ``status``)."""
        count = getattr(self, f"{kind}_count")
        if count <= 0:
            return None
        setattr(self, f"{kind}_count", count - 1)
        self.update()
        return {"close": self.close_after, "reset": self.reset_after, "status": self.status}[kind]


class Faults:
    """Fault controls of one emulator.

    :param addresses: the node IPs
    :param set_down: ``set_down(index, down)`` closes or reopens a node's listeners
    :param set_dns_fail: ``set_dns_fail(on)`` switches DNS SERVFAIL answers
    """

    def __init__(self, addresses: Sequence[str], set_down: Callable[[int, bool], None],
                 set_dns_fail: Callable[[bool], None]) -> None:
        self._addresses = list(addresses)
        self._set_down = set_down
        self._set_dns_fail = set_dns_fail
        self.nodes = [NodeFaults() for _ in self._addresses]
        self.lock = threading.Lock()
        #: Set whenever stall is cleared, so stalled connections can re-check.
        self.changed = threading.Condition(self.lock)
        self.down_nodes: set[int] = set()
        self._held = [0] * len(self._addresses)

    def _indexes(self, node: int | str | None) -> list[int]:
        if node is None:
            return list(range(len(self._addresses)))
        if isinstance(node, str):
            try:
                return [self._addresses.index(node)]
            except ValueError:
                raise ValueError(f"{node} is not a node of this emulator") from None
        if not 0 <= node < len(self._addresses):
            raise ValueError(f"node index {node} out of range 0..{len(self._addresses) - 1}")
        return [node]

    def _set(self, node: int | str | None, **values: object) -> None:
        with self.lock:
            for i in self._indexes(node):
                for key, value in values.items():
                    setattr(self.nodes[i], key, value)
                self.nodes[i].update()
            self.changed.notify_all()

    def held(self, node: int | str | None = None) -> int:
        """How many requests :meth:`stall` currently holds on *node* (all nodes if None)."""
        with self.lock:
            return sum(self._held[i] for i in self._indexes(node))

    def hold_while_stalled(self, node: int, stopping: Callable[[], bool]) -> None:
        """Block the calling connection while *node* is stalled (used by the server)."""
        with self.changed:
            self._held[node] += 1
            try:
                while self.nodes[node].stall and not stopping():
                    self.changed.wait(0.5)
            finally:
                self._held[node] -= 1

    def down(self, node: int | str | None = None) -> None:
        """Refuse connections (the node's listeners are closed, open connections dropped)."""
        for i in self._indexes(node):
            self.down_nodes.add(i)
            self._set_down(i, True)

    def up(self, node: int | str | None = None) -> None:
        """Accept connections again after :meth:`down`."""
        for i in self._indexes(node):
            self.down_nodes.discard(i)
            self._set_down(i, False)

    def stall(self, node: int | str | None = None) -> None:
        """Accept and read requests but never answer (until :meth:`clear`)."""
        self._set(node, stall=True)

    def close_after(self, node: int | str | None, nbytes: int, count: int = 1) -> None:
        """Close the connection after sending *nbytes* of a response body, *count* times."""
        self._set(node, close_after=nbytes, close_count=count)

    def reset_upload(self, node: int | str | None, after_bytes: int, count: int = 1) -> None:
        """Reset (RST) the connection after receiving *after_bytes* of a request body."""
        self._set(node, reset_after=after_bytes, reset_count=count)

    def status(self, node: int | str | None = None, code: int = 503, count: int = 1) -> None:
        """Answer the next *count* requests with status *code*."""
        self._set(node, status=code, status_count=count)

    def latency(self, node: int | str | None, seconds: float) -> None:
        """Delay every answer by *seconds*."""
        self._set(node, latency=float(seconds))

    def idle_drop(self, node: int | str | None, seconds: float | None) -> None:
        """Silently close keep-alive connections idle longer than *seconds* (None: never)."""
        self._set(node, idle_drop=None if seconds is None else float(seconds))

    def dns_fail(self, on: bool = True) -> None:
        """Let the DNS server answer SERVFAIL (``on=False`` restores it)."""
        self._set_dns_fail(on)

    def clear(self, node: int | str | None = None) -> None:
        """Remove every fault of *node* (all nodes and DNS when None); brings nodes up."""
        with self.lock:
            for i in self._indexes(node):
                self.nodes[i] = NodeFaults()
            self.changed.notify_all()
        for i in self._indexes(node):
            if i in self.down_nodes:
                self.up(i)
        if node is None:
            self._set_dns_fail(False)

    def __repr__(self) -> str:
        active = {self._addresses[i]: f for i, f in enumerate(self.nodes)
                  if f.active or f.idle_drop is not None}
        return f"Faults(down={sorted(self.down_nodes)}, {active})"
