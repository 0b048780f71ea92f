"""Errors name the real cause: the caller's body, TLS or not, the resolver, the role."""
from __future__ import annotations

import io

import pytest

import hcpsdk
from hcpsdk import mapi


class FailingFile(io.RawIOBase):
    """A binary file whose second read fails (a disk error, a vanished network share)."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.reads += 1
        if self.reads > 1:
            raise OSError(5, "Input/output error")
        buffer[:4] = b"data"
        return 4


def failing_iterator():
    yield b"first"
    raise OSError(5, "Input/output error")


@pytest.mark.parametrize("make_body", [failing_iterator, FailingFile])
def test_a_failing_body_source_is_the_callers_failure(hcp, http_target, path, make_body):
    with hcpsdk.Connection(http_target, retries=3) as c:
        with pytest.raises(hcpsdk.HcpsdkError) as info:
            c.PUT(path, make_body())
        assert c.retries_done == 0  # no node was blamed
    error = info.value
    assert not isinstance(error, (hcpsdk.HcpsdkCantConnectError, hcpsdk.HcpsdkTimeoutError))
    assert "network error" not in str(error)
    assert "body" in str(error) and "Input/output error" in str(error)
    assert isinstance(error.__cause__, OSError)
    assert hcp.get_object(path) is None


def test_plain_http_to_a_tls_port_hints_at_tls(hcp):
    target = hcp.target(port=hcp.https_port, tls=False)
    with hcpsdk.Connection(target, retries=0) as c:
        with pytest.raises(hcpsdk.HcpsdkError, match="tls=True"):
            c.HEAD("/rest/x")


def test_tls_to_a_plain_port_hints_at_tls(hcp):
    target = hcp.target(port=hcp.http_port, tls=True)
    with hcpsdk.Connection(target, retries=0) as c:
        with pytest.raises(hcpsdk.HcpsdkError, match="tls=False"):
            c.HEAD("/rest/x")


def test_an_unresolvable_name_hints_at_the_resolver(hcp):
    # the emulator's names are known to its own DNS server only
    with pytest.raises(hcpsdk.ips.IpsError) as info:
        hcpsdk.Target(hcp.fqdn, hcpsdk.NativeAuthorization("n", "n01"), port=hcp.http_port,
                      tls=False)
    message = str(info.value)
    assert "resolver=" in message
    assert "hcp.resolver()" in message and "use_as_default_resolver()" in message


def test_a_data_user_on_the_admin_host_learns_the_account_lacks_the_role(hcp):
    target = hcpsdk.Target(hcp.admin_fqdn, hcpsdk.NativeAuthorization(hcp.user, hcp.password),
                           port=hcp.mapi_port, resolver=hcp.resolver())
    with mapi.Replication(target) as r:
        with pytest.raises(hcpsdk.HcpsdkStatusError) as info:
            r.getreplicationsettings()
    message = str(info.value)
    assert "role" in message
    assert "invalid credentials" not in message
