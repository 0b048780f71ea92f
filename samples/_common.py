"""Plumbing shared by the samples: command line, logging, and an HCP to talk to.

Every sample talks to a real HCP when one is configured — with ``--fqdn``, ``--user``
and ``--password`` or the environment variables ``HCP_FQDN``, ``HCP_USER`` and
``HCP_PASSWORD`` — and otherwise starts the embedded emulator
(:class:`hcpsdk.emulator.Emulator`) for the time it runs. The samples themselves only
see an :class:`Hcp` record with the names, credentials and ports to use, so their code
reads the same in both cases.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat
from typing import Any

import hcpsdk

__all__ = ["Hcp", "argument_parser", "hcp_from_args", "log", "log_lines", "make_testfile",
           "open_target", "scratch_directory", "setup_logging", "start"]

#: The logger of the samples; its lines are what a sample prints.
log = logging.getLogger("sample")

#: The content of the documentation's 128 KiB test file (its SHA-256 hash starts with A2706A20).
TESTFILE_PATTERN = b"0123456789abcdef"
TESTFILE_SIZE = 128 * 1024


@dataclasses.dataclass(frozen=True)
class Hcp:
    """Where and how to reach HCP: a real one, or the embedded emulator.

    :param fqdn: the namespace's full name (``namespace.tenant.hcp-domain``)
    :param user: the data access user
    :param password: the data access user's password
    :param port: the port of the namespace's REST interface
    :param tls: ``None`` to let the port decide (443 means HTTPS), else force TLS on/off
    :param admin_fqdn: the name of the admin (MAPI) interface
    :param admin_user: a system level user for MAPI
    :param admin_password: that user's password
    :param mapi_port: the MAPI port
    :param cafile: a PEM file with the CA that signed HCP's certificates, if known
    :param emulator: the running emulator, or ``None`` for a real HCP
    """

    fqdn: str
    user: str
    password: str = dataclasses.field(repr=False)
    port: int = 443
    tls: bool | None = None
    admin_fqdn: str | None = None
    admin_user: str | None = None
    admin_password: str | None = dataclasses.field(default=None, repr=False)
    mapi_port: int = 9090
    cafile: str | None = None
    emulator: Any = None

    @property
    def emulated(self) -> bool:
        """True when the sample runs against the embedded emulator."""
        return self.emulator is not None


#: The options that name a real HCP: option, environment variable, type, help.
_HCP_OPTIONS = [
    ("--fqdn", "HCP_FQDN", str, "namespace FQDN, e.g. n1.m.hcp1.example.com"),
    ("--user", "HCP_USER", str, "data access user"),
    ("--password", "HCP_PASSWORD", str, "the user's password"),
    ("--port", "HCP_PORT", int, "port of the REST interface (default 443)"),
    ("--admin-user", "HCP_ADMIN_USER", str, "system user for MAPI calls"),
    ("--admin-password", "HCP_ADMIN_PASSWORD", str, "the system user's password"),
    ("--cafile", "HCP_CAFILE", str, "PEM file of the CA that signed HCP's certificate"),
    ("--nameserver", "HCP_NAMESERVER", str, "ask this DNS server (IP[:PORT]) instead of the "
                                            "system's"),
]


def argument_parser(description: str) -> argparse.ArgumentParser:
    """Return a parser with the options every sample understands.

    :param description: what the sample does (``--help`` shows it)
    :returns: a parser a sample may add its own options to
    """
    parser = argparse.ArgumentParser(
        description=description,
        epilog="Without --fqdn (or HCP_FQDN) the sample starts an embedded HCP emulator.")
    real = parser.add_argument_group("a real HCP (default: the embedded emulator)")
    for option, variable, kind, text in _HCP_OPTIONS:
        real.add_argument(option, type=kind, default=os.environ.get(variable),
                          help=f"{text} [{variable}]")
    parser.add_argument("--debug", action="store_true",
                        help="also show the SDK's debug messages")
    return parser


class _SampleFormatter(logging.Formatter):
    """``LEVEL message`` in the debug variant and for warnings, else the bare message."""

    def __init__(self, debug: bool) -> None:
        super().__init__("%(levelname)5s %(message)s")
        self._debug = debug

    def format(self, record: logging.LogRecord) -> str:
        if self._debug or record.levelno >= logging.WARNING:
            return super().format(record)
        return record.getMessage()


def setup_logging(debug: bool) -> None:
    """Print the samples' messages (and with ``debug`` the SDK's) in the documented shape.

    :param debug: show debug messages of hcpsdk too
    """
    # As in the documentation: plain lines, level names only in the debug variant
    # (and on the SDK's warnings, which stand out from the sample's own lines).
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_SampleFormatter(debug))
    logging.basicConfig(handlers=[handler], level=logging.DEBUG if debug else logging.INFO)
    # The SDK's own messages are the point of --debug; the emulator's are noise here.
    logging.getLogger("hcpsdk.emulator").setLevel(logging.WARNING)
    if not debug:
        logging.getLogger("hcpsdk").setLevel(logging.WARNING)


def start(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line, set up logging and say which sample runs.

    :param parser: the sample's parser (see :func:`argument_parser`)
    :returns: the parsed command line
    """
    args = parser.parse_args()
    setup_logging(args.debug)
    log.info("running *%s*", Path(sys.argv[0]).name)
    return args


def log_lines(value: Any) -> None:
    """Log a (pretty-printed) value line by line.

    :param value: anything :func:`pprint.pformat` can format
    """
    for line in pformat(value, width=88).splitlines():
        log.info("%s", line)


def make_testfile(directory: str) -> Path:
    """Write the documentation's 128 KiB test file into ``directory``.

    :param directory: where to put the file
    :returns: its path
    """
    path = Path(directory, "128kbfile")
    path.write_bytes(TESTFILE_PATTERN * (TESTFILE_SIZE // len(TESTFILE_PATTERN)))
    return path


def _use_nameserver(spec: str) -> None:
    import dns.resolver

    host, _, port = spec.partition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    if port:
        resolver.port = int(port)
    # Targets resolve with dnspython's default resolver unless given another one.
    dns.resolver.default_resolver = resolver


@contextlib.contextmanager
def hcp_from_args(args: argparse.Namespace, **emulator_options: Any) -> Iterator[Hcp]:
    """Provide the HCP the sample talks to, for the duration of a ``with`` block.

    :param args: the parsed command line (see :func:`argument_parser`)
    :param emulator_options: passed to :class:`hcpsdk.emulator.Emulator` when one is started
    :returns: a context manager yielding an :class:`Hcp`
    :raises SystemExit: when a real HCP is configured incompletely
    """
    if args.fqdn:
        missing = [name for name in ("user", "password") if not getattr(args, name)]
        if missing:
            sys.exit("--fqdn needs --{} (or HCP_{})".format(
                " and --".join(missing), " and HCP_".join(m.upper() for m in missing)))
        if args.nameserver:
            _use_nameserver(args.nameserver)
        tenant_domain = args.fqdn.split(".", 1)[1]
        yield Hcp(fqdn=args.fqdn, user=args.user, password=args.password,
                  port=int(args.port or 443),
                  admin_fqdn="admin." + tenant_domain.split(".", 1)[1],
                  admin_user=args.admin_user, admin_password=args.admin_password,
                  cafile=args.cafile)
        return

    from hcpsdk.emulator import Emulator

    with contextlib.ExitStack() as stack:
        hcp = stack.enter_context(Emulator(**emulator_options))
        # The emulator's DNS server answers the names the sample uses, as HCP's DNS would.
        stack.enter_context(hcp.use_as_default_resolver())
        log.debug("embedded emulator %s on %s", hcp.domain, ", ".join(hcp.addresses))
        yield Hcp(fqdn=hcp.fqdn, user=hcp.user, password=hcp.password, port=hcp.https_port,
                  tls=True, admin_fqdn=hcp.admin_fqdn, admin_user=hcp.admin_user,
                  admin_password=hcp.admin_password, mapi_port=hcp.mapi_port,
                  cafile=hcp.cafile, emulator=hcp)


def open_target(hcp: Hcp, **options: Any) -> hcpsdk.Target:
    """Create the Target for the namespace; exit with the reason if that fails.

    :param hcp: where HCP is
    :param options: more arguments for :class:`hcpsdk.Target` (``sslcontext``, ...)
    :returns: the Target, with the data access user's authorization
    """
    auth = hcpsdk.NativeAuthorization(hcp.user, hcp.password)
    try:
        t = hcpsdk.Target(hcp.fqdn, auth, port=hcp.port, tls=hcp.tls, **options)
    except hcpsdk.HcpsdkError as e:
        sys.exit(f"init of *Target* failed - {e}")
    log.info("Target *t* was initialized with IP addresses: %s", t.addresses)
    return t


@contextlib.contextmanager
def scratch_directory() -> Iterator[str]:
    """A temporary directory for files a sample creates, removed afterwards.

    :returns: a context manager yielding the directory's path
    """
    with tempfile.TemporaryDirectory(prefix="hcpsdk-sample-") as directory:
        yield directory
