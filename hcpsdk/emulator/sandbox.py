"""A private network for the emulator shell, entered without root privileges.

HCP's ports (80, 443, 9090) are below 1024, which only root may bind, and the names the
documentation uses (``n1.m.hcp1.example.com``) exist only in the emulator's DNS. Linux lets
any user create a *user namespace* (in which the user is root) together with a *network
namespace* (a loopback interface of its own): in there the emulator can serve on HCP's own
ports, and nothing outside sees it or is disturbed by it. :func:`enter` moves the calling
process into such a pair of namespaces; everything it starts afterwards (threads, programs)
lives in there too.

Where user namespaces are switched off (``kernel.unprivileged_userns_clone=0``, some
container runtimes) :func:`enter` raises :class:`SandboxError` saying so.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys

from ..exceptions import HcpsdkError

__all__ = ["SandboxError", "enter", "can_bind_standard_ports"]

# from <sched.h> and <linux/sockios.h>, <net/if.h>
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1

#: HCP's data HTTP, data HTTPS and MAPI ports.
STANDARD_PORTS: tuple[int, int, int] = (80, 443, 9090)


class SandboxError(HcpsdkError):
    """The private network namespace could not be entered (the message says why).

    .. versionadded:: 1.0
    """


def can_bind_standard_ports(address: str = "127.0.0.1") -> bool:
    """Whether this process may bind HCP's ports 80, 443 and 9090 on *address*."""
    for port in STANDARD_PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((address, port))
            except OSError:
                return False
    return True


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _loopback_up() -> None:
    # A new network namespace has its loopback interface down; 127.0.0.0/8 works once it is up.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s.fileno(), _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))


def enter() -> None:
    """Move this process into a new user namespace (as its root) with a network of its own.

    Call it before any thread is started: the kernel refuses a multi-threaded process.

    :raises SandboxError: where the kernel does not allow it (with the reason)
    """
    if not sys.platform.startswith("linux"):
        raise SandboxError(f"cannot create a private network: Linux namespaces are not"
                           f" available on {sys.platform}")
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        hint = {errno.EPERM: "user namespaces are not permitted here (container, or"
                              " kernel.unprivileged_userns_clone=0)",
                errno.EINVAL: "the process already runs threads",
                errno.ENOSPC: "the limit of user namespaces is reached"}.get(code, "")
        raise SandboxError(f"cannot create a private network: {os.strerror(code)}"
                           + (f" ({hint})" if hint else ""))
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
        _loopback_up()
    except OSError as exc:
        raise SandboxError(f"cannot set up the private network: {exc}") from exc
