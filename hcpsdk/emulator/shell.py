"""``python -m hcpsdk.emulator shell``: a Python prompt in which HCP's names and ports just work.

The shell moves itself into a private network (see :mod:`hcpsdk.emulator.sandbox`; no root
privileges needed), starts an emulated HCP ``hcp1.example.com`` there on HCP's own ports
(80, 443 and 9090), makes the emulator's DNS server dnspython's default resolver (the
public setting ``dns.resolver.default_resolver``, which hcpsdk uses for every name it looks
up) and opens an interactive Python prompt. Code written for a real HCP runs unchanged::

    $ python3 -m hcpsdk.emulator shell
    >>> import hcpsdk
    >>> auth = hcpsdk.NativeAuthorization('n', 'n01')
    >>> t = hcpsdk.Target('n1.m.hcp1.example.com', auth, port=443)

In the prompt, ``hcp`` is the running :class:`~hcpsdk.emulator.Emulator` (for faults and
inspection) and, with ``--replica``, ``hcp2`` the replica ``hcp2.example.com`` linked to it.
``-c CODE`` or a script file run instead of the prompt, with the same names defined; the
shell ends (and stops the emulator) when they end.

.. versionadded:: 1.0
"""
from __future__ import annotations

import argparse
import code
import contextlib
import os
import re
import runpy
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from ..exceptions import HcpsdkError
from . import sandbox

__all__ = ["REPLICA_TYPES", "build_parser", "main", "replica_domain", "start_systems"]

#: ``--replica`` choices and the link type each makes.
REPLICA_TYPES = {"active-active": "ACTIVE_ACTIVE", "active-passive": "OUTBOUND"}

DESCRIPTION = """\
Open a Python prompt with an emulated HCP hcp1.example.com running on HCP's own ports
(80, 443, 9090) in a private network, and its DNS as hcpsdk's resolver: examples written
for a real HCP (hcpsdk.Target('n1.m.hcp1.example.com', auth, port=443)) work as typed.
No root privileges are needed (Linux user namespaces). In the prompt, `hcp` is the running
Emulator, and with --replica `hcp2` the linked replica hcp2.example.com.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m hcpsdk.emulator shell``."""
    p = argparse.ArgumentParser(prog="python -m hcpsdk.emulator shell", description=DESCRIPTION)
    p.add_argument("--replica", choices=sorted(REPLICA_TYPES), default=None,
                   help="also start hcp2.example.com, linked to hcp1 (active/active, or "
                        "active/passive from hcp1 to hcp2)")
    p.add_argument("--domain", default="hcp1.example.com",
                   help="the system's domain (default: hcp1.example.com)")
    p.add_argument("--nodes", type=int, default=4, help="number of nodes (default: 4)")
    p.add_argument("-c", dest="command", default=None, metavar="CODE",
                   help="run CODE instead of the prompt")
    p.add_argument("file", nargs="?", default=None,
                   help="run this Python file instead of the prompt")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of the file (sys.argv[1:])")
    return p


def replica_domain(domain: str) -> str:
    """The replica's domain: the first label's number counted up (``hcp1.x`` -> ``hcp2.x``).

    >>> from hcpsdk.emulator.shell import replica_domain
    >>> replica_domain('hcp1.example.com'), replica_domain('hcp.example.com')
    ('hcp2.example.com', 'hcp-replica.example.com')
    """
    first, _, rest = domain.partition(".")
    match = re.fullmatch(r"(.*?)(\d+)", first)
    label = f"{match[1]}{int(match[2]) + 1}" if match else f"{first}-replica"
    return f"{label}.{rest}" if rest else label


def link_name(primary: str, replica: str, link_type: str) -> str:
    """The link's name as HCP administrators often spell it: ``hcp1--<-->--hcp2``."""
    return f"{primary}--<-->--{replica}" if link_type == "ACTIVE_ACTIVE" \
        else f"{primary}-->--{replica}"


def start_systems(stack: contextlib.ExitStack, *, nodes: int = 4,
                  domain: str | None = None, replica: str | None = None,
                  http_port: int | None = None, https_port: int | None = None,
                  mapi_port: int | None = None, **options: Any) -> list[Any]:
    """Start an emulator (and, with *replica*, a second one linked to it) on *stack*.

    :param replica: a key of :data:`REPLICA_TYPES`, or None for a single system
    :param http_port: the data HTTP port (the replica uses the primary's port numbers: a
        Target reaches its replica on its own port); likewise *https_port*, *mapi_port*
    :param options: more arguments of :class:`~hcpsdk.emulator.Emulator`
    :returns: ``[primary]`` or ``[primary, replica]``
    """
    from .emulator import Emulator

    hcp = stack.enter_context(Emulator(nodes=nodes, domain=domain, http_port=http_port,
                                       https_port=https_port, mapi_port=mapi_port, **options))
    if replica is None:
        return [hcp]
    link_type = REPLICA_TYPES[replica]
    # the replica's objects come from the link (in memory), its addresses from a block of its own
    options.pop("data_dir", None)
    options.pop("address_block", None)
    hcp2 = stack.enter_context(Emulator(nodes=nodes, domain=replica_domain(hcp.domain),
                                        http_port=hcp.http_port, https_port=hcp.https_port,
                                        mapi_port=hcp.mapi_port, **options))
    hcp.link(hcp2, name=link_name(hcp.system.name, hcp2.system.name, link_type),
             link_type=link_type)
    return [hcp, hcp2]


_STANDARD: tuple[int | None, int | None, int | None] = sandbox.STANDARD_PORTS
_EPHEMERAL: tuple[int | None, int | None, int | None] = (None, None, None)


def _private_network() -> tuple[tuple[int | None, int | None, int | None], str]:
    """Enter the sandbox; the ports to ask for, and a warning where HCP's can't be had."""
    try:
        sandbox.enter()
    except sandbox.SandboxError as exc:
        if sandbox.can_bind_standard_ports():
            return _STANDARD, ""
        return _EPHEMERAL, (
            f"warning: {exc}.\nThe emulator runs on ephemeral ports instead of 80, 443 and"
            " 9090: write hcp.target() or port=hcp.https_port, tls=True where the examples say"
            " port=443 (or run the shell as root).")
    return _STANDARD, ""


def banner(systems: list[Any]) -> str:
    """What the prompt says first: the systems, their names, users and ports."""
    hcp = systems[0]
    lines = [f"hcpsdk emulator shell (Python {sys.version.split()[0]})"]
    for var, system in zip(("hcp", "hcp2"), systems, strict=False):
        lines.append(f"  {var:4} = {system.domain}: {len(system.addresses)} nodes"
                     f" {system.addresses[0]}..{system.addresses[-1]}, data ports"
                     f" {system.http_port} (http) {system.https_port} (https),"
                     f" MAPI port {system.mapi_port}")
    for link in hcp.system.links.values():
        lines.append(f"  link {link.name!r}: {link.type_for(hcp.system)} ({link.state})")
    lines += [f"  namespace {hcp.fqdn} (user {hcp.user} / {hcp.password}),"
              f" MAPI {hcp.admin_fqdn} (user {hcp.admin_user} / {hcp.admin_password})",
              "  hcpsdk looks names up in the emulator's DNS; Ctrl-D stops the emulator."]
    return "\n".join(lines)


def _line_editing(names: dict[str, Any]) -> None:
    """History and Tab completion at the prompt, as ``python3`` offers them (where readline is)."""
    try:
        import readline
        import rlcompleter
    except ImportError:
        return
    readline.set_completer(rlcompleter.Completer(names).complete)
    readline.parse_and_bind("tab: complete")


def _run(args: argparse.Namespace, names: dict[str, Any], systems: list[Any]) -> int:
    if args.command is not None:
        sys.argv = ["-c", *([args.file] if args.file else []), *args.args]
        exec(compile(args.command, "<string>", "exec"), {**names, "__name__": "__main__"})
    elif args.file is not None:
        sys.argv = [args.file, *args.args]
        sys.path.insert(0, os.path.dirname(os.path.abspath(args.file)))  # as python3 FILE does
        runpy.run_path(args.file, init_globals=names, run_name="__main__")
    else:
        _line_editing(names)
        code.interact(banner=banner(systems), local=names, exitmsg="emulator stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the shell; returns the exit status (1 if the code raised an exception)."""
    args = build_parser().parse_args(argv)
    ports, warning = _private_network()
    if warning:
        print(warning, file=sys.stderr)
    from .tls import MissingExtraError

    with contextlib.ExitStack() as stack:
        try:
            http_port, https_port, mapi_port = ports
            systems = start_systems(stack, nodes=args.nodes, domain=args.domain,
                                    replica=args.replica, http_port=http_port,
                                    https_port=https_port, mapi_port=mapi_port)
        except (MissingExtraError, HcpsdkError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        stack.enter_context(systems[0].use_as_default_resolver())
        names: dict[str, Any] = {"__name__": "__console__", "__doc__": None,
                                 **dict(zip(("hcp", "hcp2"), systems, strict=False))}
        try:
            return _run(args, names, systems)
        except SystemExit as exc:  # as python3 reports it: a number is the status
            if exc.code is None or isinstance(exc.code, int):
                return exc.code or 0
            print(exc.code, file=sys.stderr)
            return 1
        except BaseException:
            traceback.print_exc()
            return 1
