"""The emulator behind the documentation's examples (used by ``sphinx-build -b doctest``).

``doctest_global_setup`` in ``conf.py`` calls :func:`start` once per page; the
returned :class:`contextlib.ExitStack` stops the emulator and restores dnspython's
default resolver in ``doctest_global_cleanup``.
"""
from __future__ import annotations

import contextlib
import os
import socket

__all__ = ["STANDARD_PORTS", "start", "start_replica"]


def _may_bind_privileged_ports() -> bool:
    """Whether HCP's ports can be bound here (root, and nothing else holds them)."""
    if os.environ.get("HCPSDK_DOCS_EPHEMERAL_PORTS"):
        return False  # to try what a user without root privileges gets
    for port in (80, 443, 9090):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


#: True when the emulator can serve on HCP's own ports (80, 443, 9090), so that the
#: examples run exactly as printed.
STANDARD_PORTS = _may_bind_privileged_ports()


def start(**options) -> tuple[object, contextlib.ExitStack]:
    """Start an emulator for one page of examples and make its DNS the default resolver.

    :param options: passed to :class:`hcpsdk.emulator.Emulator`
    :returns: the emulator handle and the stack that undoes everything
    """
    from hcpsdk.emulator import Emulator

    if STANDARD_PORTS:
        # Ask for the ports explicitly: a silent fallback would break the examples.
        options.setdefault("http_port", 80)
        options.setdefault("https_port", 443)
        options.setdefault("mapi_port", 9090)
    stack = contextlib.ExitStack()
    try:
        hcp = stack.enter_context(Emulator(**options))
        stack.enter_context(hcp.use_as_default_resolver())
    except BaseException:
        stack.close()
        raise
    return hcp, stack


def start_replica(hcp, stack: contextlib.ExitStack, name: str | None = None, **options):
    """Start a second system ``hcp2.example.com`` and link ``hcp`` to it (active/active).

    :param hcp: the page's emulator, which then also answers DNS queries for ``hcp2``
    :param stack: the page's stack; it stops the second system too
    :param name: the name of the replication link
    :returns: the second emulator
    """
    from hcpsdk.emulator import Emulator

    options.setdefault("domain", "hcp2.example.com")
    # A Target's replica is reached on the Target's port: use the same port numbers.
    options.setdefault("http_port", hcp.http_port)
    options.setdefault("https_port", hcp.https_port)
    options.setdefault("mapi_port", hcp.mapi_port)
    hcp2 = stack.enter_context(Emulator(**options))
    hcp.link(hcp2, name=name)
    return hcp2
