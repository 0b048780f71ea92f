"""An emulated Hitachi Content Platform on loopback, for tests, samples and benchmarks.

::

    from hcpsdk.emulator import Emulator

    with Emulator(nodes=4, domain="hcp1.example.com") as hcp:
        print(hcp.fqdn, hcp.addresses, hcp.https_port, hcp.cafile)

Several nodes on their own ``127.A.B.N`` addresses, a DNS server, TLS with a generated CA,
the REST data API, ``/proc``, MAPI and fault injection; see :class:`Emulator`. Also a pytest
plugin (fixture ``hcp_emulator``) and a standalone server (``python -m hcpsdk.emulator``).
"""
from __future__ import annotations

from typing import Any

__all__ = ["Emulator"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the pytest plugin (imported by every pytest run) stays cheap.
    if name == "Emulator":
        from .emulator import Emulator
        return Emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
