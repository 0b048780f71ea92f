"""Command line of the standalone emulator: ``python -m hcpsdk.emulator --help``."""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["main", "build_parser", "run_command", "info_text", "connect_snippet"]

DESCRIPTION = """\
Run an emulated Hitachi Content Platform on loopback until interrupted (Ctrl-C).

It starts NODES nodes on their own addresses 127.A.B.2, 127.A.B.3, ..., a DNS server
that resolves <namespace>.<tenant>.<domain>, <tenant>.<domain> and admin.<domain> to
the node addresses, the REST data API on the HTTP and HTTPS ports, /proc, and the
management API (MAPI, always TLS). The certificate comes from a generated CA whose
PEM file is printed: give it to your client to verify the nodes.

Default system: domain hcp1.example.com, tenant "m" with namespaces "n1" (no
versioning) and "n2" (versioning), data user n / n01, MAPI user service / service01.
With --replica, a second system hcp2.example.com is started and linked to it.

"python -m hcpsdk.emulator shell" instead opens a Python prompt in which HCP's own names
and ports work as typed (see "python -m hcpsdk.emulator shell --help").
"""

EPILOG = """\
fault control (one command per line on standard input, while running):
  down NODE | up NODE                 refuse connections on NODE / accept them again
  stall NODE                          accept and read, never answer (until clear)
  close_after NODE NBYTES [COUNT]     close after NBYTES of a response body
  reset_upload NODE NBYTES [COUNT]    reset the connection after NBYTES of a request body
  status NODE CODE [COUNT]            answer the next COUNT requests with CODE
  latency NODE SECONDS                delay every answer
  idle_drop NODE SECONDS              drop keep-alive connections idle longer than SECONDS
  dns_fail on|off                     let the DNS server answer SERVFAIL
  clear [NODE]                        remove faults
  stats [NODE]                        print connection and request counters
  info                                print the connection information again
  failover                            (--replica) fail the link over to the replica
  failback                            (--replica) fail back: A/A failBack, A/P recovery
  link                                (--replica) show the link's state
  quit                                stop the emulator
NODE is a node index (0, 1, ...), a node address, or "all".

connecting with hcpsdk: the banner printed at start (and by "info") ends with Python code,
filled in with the real values, to paste into python3:
  import dns.resolver, ssl, hcpsdk
  res = dns.resolver.Resolver(configure=False)
  res.nameservers, res.port = [DNS_HOST], DNS_PORT
  ctx = ssl.create_default_context(cafile=CAFILE)
  t = hcpsdk.Target(FQDN, hcpsdk.NativeAuthorization("n", "n01"), port=HTTPS_PORT,
                    sslcontext=ctx, tls=True, resolver=res)   # tls=True: port not 443
"""


def _block(text: str) -> tuple[int, int]:
    try:
        a, b = (int(x) for x in text.split("."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A.B (two numbers), got {text!r}") from None
    if not (0 <= a <= 255 and 0 <= b <= 255):
        raise argparse.ArgumentTypeError(f"A and B must be in 0..255, got {text!r}")
    return a, b


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m hcpsdk.emulator``."""
    p = argparse.ArgumentParser(prog="python -m hcpsdk.emulator", description=DESCRIPTION,
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, default=4, help="number of nodes (default: 4)")
    p.add_argument("--domain", default=None,
                   help="system domain (default: the configuration's, else hcp1.example.com)")
    p.add_argument("--http-port", type=int, default=None,
                   help="data HTTP port (default: 80 if possible, else an ephemeral port)")
    p.add_argument("--https-port", type=int, default=None,
                   help="data HTTPS port (default: 443 if possible, else ephemeral)")
    p.add_argument("--mapi-port", type=int, default=None,
                   help="MAPI port, always TLS (default: 9090 if possible, else ephemeral)")
    p.add_argument("--dns-port", type=int, default=0, help="DNS port (default: ephemeral)")
    p.add_argument("--address-block", default=None, metavar="A.B", type=_block,
                   help="use addresses 127.A.B.x (default: a random block)")
    p.add_argument("--no-tls", dest="tls", action="store_false",
                   help="serve data over HTTP only (MAPI stays TLS)")
    p.add_argument("--data-dir", default=None,
                   help="keep objects and the CA in this directory (survives restarts); "
                        "default: in memory")
    p.add_argument("--config", default=None,
                   help="JSON file with tenants, namespaces, users (see hcpsdk.emulator.config)")
    p.add_argument("--replica", choices=("active-active", "active-passive"), default=None,
                   help="also start a replica (hcp2.example.com), linked active/active or "
                        "active/passive (from the first system to the replica)")
    p.add_argument("--json", action="store_true",
                   help="print the connection information as one JSON line")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log requests (-vv: debug)")
    return p


def _tls_argument(port: int, tls: bool) -> str:
    """``, tls=...`` where a Target would guess TLS wrong from the port number."""
    from .._constants import SSL_PORTS

    return "" if (port in SSL_PORTS) == tls else f", tls={tls}"


def connect_snippet(info: dict[str, Any]) -> str:
    """Python code (no indentation, ready to paste) that builds Targets for the emulator.

    :param info: :meth:`Emulator.connection_info() <hcpsdk.emulator.Emulator.connection_info>`
    :returns: lines defining ``res`` (resolver), ``ctx`` (SSL context trusting the CA),
        ``t`` (data Target of the default namespace) and ``admin`` (MAPI Target)
    """
    tls = info["https_port"] is not None
    port = info["https_port"] if tls else info["http_port"]
    data_ctx = ", sslcontext=ctx" if tls else ""
    return "\n".join([
        "import dns.resolver, ssl, hcpsdk",
        "res = dns.resolver.Resolver(configure=False)",
        f"res.nameservers, res.port = [{info['dns'][0]!r}], {info['dns'][1]}",
        f"ctx = ssl.create_default_context(cafile={info['cafile']!r})",
        f"t = hcpsdk.Target({info['fqdn']!r}, hcpsdk.NativeAuthorization({info['user']!r},"
        f" {info['password']!r}), port={port}{data_ctx}{_tls_argument(port, tls)},"
        " resolver=res)",
        f"admin = hcpsdk.Target({info['admin_fqdn']!r}, hcpsdk.NativeAuthorization("
        f"{info['admin_user']!r}, {info['admin_password']!r}), port={info['mapi_port']},"
        f" sslcontext=ctx{_tls_argument(info['mapi_port'], True)}, resolver=res)",
    ])


def info_text(info: dict[str, Any]) -> str:
    """The banner: the connection values, then a :func:`connect_snippet` using them."""
    lines = ["HCP emulator running",
             f"  domain          {info['domain']}",
             f"  namespace fqdn  {info['fqdn']}",
             f"  tenant fqdn     {info['tenant_fqdn']}",
             f"  admin fqdn      {info['admin_fqdn']}",
             f"  node addresses  {' '.join(info['addresses'])}",
             f"  http port       {info['http_port']}",
             f"  https port      {info['https_port']}",
             f"  mapi port       {info['mapi_port']}",
             f"  data user       {info['user']} / {info['password']}",
             f"  admin user      {info['admin_user']} / {info['admin_password']}",
             f"  CA file         {info['cafile']}",
             f"  DNS server      {info['dns'][0]} port {info['dns'][1]}",
             "Type 'help' for fault commands, Ctrl-C or 'quit' to stop.",
             "Connect with hcpsdk (paste into python3):",
             connect_snippet(info)]
    return "\n".join(lines)


def _replica_text(hcp: Any) -> str:
    """The banner's part on the replica and the link ("" without a replica)."""
    link = _link(hcp)
    if link is None:
        return ""
    replica = link.systems[1]
    return "\n".join([f"replica {replica.domain} (same users and ports)",
                      f"  node addresses  {' '.join(replica.addresses)}",
                      f"  link            {link.name} ({link.type_for(hcp.system)}, {link.state})",
                      "Type 'failover', 'failback' or 'link' to drive the link."])


def _link(hcp: Any) -> Any:
    return next(iter(hcp.system.links.values()), None)


def _replication(hcp: Any, cmd: str, out: TextIO) -> None:
    link = _link(hcp)
    if link is None:
        out.write("error: no replica; start with --replica active-active (or active-passive)\n")
        return
    primary, replica = link.systems
    if cmd == "failover":
        # HCP fails a link over on the system that still works: the replica
        link.act(replica, "failOver")
    elif cmd == "failback" and link.type_for(primary) == "ACTIVE_ACTIVE":
        link.act(replica, "failBack")
    elif cmd == "failback":
        link.act(replica, "beginRecovery")
        link.act(replica, "completeRecovery")
    status, message = link.status()
    out.write(f"link {link.name}: {link.state} {status} ({message})\n")


def _node(arg: str) -> int | str | None:
    if arg == "all":
        return None
    return int(arg) if arg.isdigit() else arg


def run_command(hcp: Any, line: str, out: TextIO, as_json: bool = False) -> bool:
    """Execute one control command; returns False for ``quit``.

    :param as_json: ``info`` prints one JSON line instead of the banner
    """
    words = line.split()
    if not words:
        return True
    cmd, args = words[0].lower(), words[1:]
    f = hcp.faults
    try:
        if cmd in ("quit", "exit"):
            return False
        if cmd == "help":
            out.write(EPILOG.split("\n\n")[0] + "\n")
        elif cmd == "info":
            out.write((json.dumps(_json_info(hcp)) if as_json else _banner(hcp)) + "\n")
        elif cmd in ("failover", "failback", "link"):
            _replication(hcp, cmd, out)
        elif cmd == "stats":
            node = _node(args[0]) if args else None
            out.write(json.dumps(hcp.stats(node)) + "\n")
        elif cmd in ("down", "up", "stall"):
            getattr(f, cmd)(_node(args[0]) if args else None)
        elif cmd in ("close_after", "reset_upload"):
            getattr(f, cmd)(_node(args[0]), int(args[1]), int(args[2]) if len(args) > 2 else 1)
        elif cmd == "status":
            f.status(_node(args[0]), int(args[1]) if len(args) > 1 else 503,
                     int(args[2]) if len(args) > 2 else 1)
        elif cmd in ("latency", "idle_drop"):
            getattr(f, cmd)(_node(args[0]), float(args[1]))
        elif cmd == "dns_fail":
            f.dns_fail(not args or args[0].lower() in ("on", "true", "1"))
        elif cmd == "clear":
            f.clear(_node(args[0]) if args else None)
        else:
            out.write(f"unknown command {cmd!r}; type 'help'\n")
            return True
        if cmd not in ("help", "info", "stats", "failover", "failback", "link"):
            out.write("ok\n")
    except (IndexError, ValueError) as exc:
        out.write(f"error: {exc or 'missing argument'}; type 'help'\n")
    out.flush()
    return True


def _banner(hcp: Any) -> str:
    return "\n".join(filter(None, [info_text(hcp.connection_info()), _replica_text(hcp)]))


def _json_info(hcp: Any) -> dict[str, Any]:
    info: dict[str, Any] = hcp.connection_info()
    link = _link(hcp)
    if link is not None:
        replica = link.systems[1]
        info["replica"] = {"domain": replica.domain, "addresses": list(replica.addresses),
                           "link": link.name, "type": link.type_for(hcp.system)}
    return info


def _read_commands(hcp: Any, stop: threading.Event, as_json: bool) -> None:
    for line in sys.stdin:
        if not run_command(hcp, line, sys.stdout, as_json):
            break
    else:
        return  # stdin closed: keep running until interrupted
    stop.set()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until Ctrl-C, SIGTERM or ``quit``; returns the exit status.

    ``shell ...`` as the first argument runs :func:`hcpsdk.emulator.shell.main` instead.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["shell"]:
        from .shell import main as shell_main

        return shell_main(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from ..exceptions import HcpsdkArgumentError, HcpsdkTypeError
    from .shell import start_systems
    from .tls import MissingExtraError

    stop = threading.Event()

    def _terminate(signum: int, frame: Any) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with contextlib.ExitStack() as stack:
            hcp = start_systems(stack, nodes=args.nodes, domain=args.domain,
                                replica=args.replica, http_port=args.http_port,
                                https_port=args.https_port, mapi_port=args.mapi_port, tls=args.tls,
                                dns_port=args.dns_port, data_dir=args.data_dir,
                                config=args.config, address_block=args.address_block)[0]
            print(json.dumps(_json_info(hcp)) if args.json else _banner(hcp), flush=True)
            threading.Thread(target=_read_commands, args=(hcp, stop, args.json), daemon=True,
                             name="hcp-emulator-stdin").start()
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
            print("stopping", flush=True)
    except (MissingExtraError, HcpsdkArgumentError, HcpsdkTypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # installation or usage: like argparse
        return 2
    except (OSError, ImportError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
