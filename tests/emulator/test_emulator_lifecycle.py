"""The Emulator's life: created (nothing runs), started on ``with`` / ``start()``, closed once.

Argument checks of the constructor are here too.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import threading

import pytest
from emulator_support import Client

from hcpsdk.emulator import Emulator
from hcpsdk.emulator.config import DEFAULT_CONFIG
from hcpsdk.exceptions import HcpsdkArgumentError, HcpsdkError, HcpsdkTypeError


def _threads(block: str) -> set[str]:
    """Names of the running threads that serve addresses of *block* (``"127.A.B."``)."""
    return {t.name for t in threading.enumerate() if block in t.name}


def _run_python(code: str) -> subprocess.CompletedProcess:
    """*code* in a fresh interpreter in development mode with every warning an error."""
    return subprocess.run([sys.executable, "-X", "dev", "-W", "error", "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=60)


def test_created_emulator_runs_nothing_until_with():
    emu = Emulator(nodes=1, domain="life.example.com", address_block=(253, 8))
    assert _threads("127.253.8.") == set()
    assert not emu.running and "not started" in repr(emu)
    # the model is there without starting
    assert (emu.fqdn, emu.user, emu.admin_user) == ("n1.m.life.example.com", "n", "service")
    assert emu.system.domain == "life.example.com"
    assert _threads("127.253.8.") == set()
    with emu as hcp:
        assert hcp is emu and emu.running
        assert len(_threads("127.253.8.")) >= 4  # DNS + http, https, mapi accept loops
        with Client(emu) as c:
            assert c.PUT("/rest/life/o", b"1").status == 201
    assert not emu.running and "closed" in repr(emu)
    assert emu.wait_for(lambda: not _threads("127.253.8."))


def test_reentering_a_closed_emulator_is_a_clear_error():
    emu = Emulator(nodes=1)
    with emu:
        pass
    with pytest.raises(HcpsdkError, match="closed.*create a new one"):
        with emu:
            pass  # pragma: no cover
    with pytest.raises(HcpsdkError, match="closed"):
        emu.start()
    emu.close()  # again: nothing happens


def test_start_is_idempotent_and_close_stops_it():
    emu = Emulator(nodes=1)
    try:
        assert emu.start() is emu
        ports = (emu.addresses, emu.http_port, emu.https_port, emu.mapi_port, emu.dns)
        block = emu.addresses[0].rsplit(".", 1)[0] + "."
        threads = _threads(block)
        assert emu.start() is emu
        with emu:  # with on a started emulator: the same one, closed at the end
            assert (emu.addresses, emu.http_port, emu.https_port, emu.mapi_port,
                    emu.dns) == ports
            assert _threads(block) == threads
            address, port = emu.addresses[0], emu.http_port
    finally:
        emu.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, port), timeout=5).close()


@pytest.mark.parametrize("read", [
    lambda e: e.addresses, lambda e: e.http_port, lambda e: e.https_port, lambda e: e.mapi_port,
    lambda e: e.dns, lambda e: e.cafile, lambda e: e.requests, lambda e: e.faults,
    lambda e: e.stats(), lambda e: e.client_context(), lambda e: e.connection_info()])
def test_reading_a_running_attribute_before_start_is_a_clear_error(read):
    """Nothing starts servers behind the caller's back: the error says what to do."""
    emu = Emulator(nodes=1, address_block=(253, 9))
    with pytest.raises(HcpsdkError, match=r"not started; use 'with Emulator\(...\) as hcp:'"
                                          r" or call start\(\) first"):
        read(emu)
    assert not emu.running and _threads("127.253.9.") == set()
    emu.close()
    with pytest.raises(HcpsdkError, match="closed without being started"):
        read(emu)
    with pytest.raises(AttributeError):
        emu.no_such_attribute  # noqa: B018


def test_running_attributes_stay_readable_after_close():
    with Emulator(nodes=1) as emu:
        ports = (emu.addresses, emu.http_port, emu.https_port, emu.mapi_port)
    assert (emu.addresses, emu.http_port, emu.https_port, emu.mapi_port) == ports
    assert emu.addresses[0] in repr(emu) and "closed" in repr(emu)


def test_unstarted_and_closed_emulators_leak_nothing_at_exit():
    done = _run_python("""
        from hcpsdk.emulator import Emulator
        never = Emulator()
        closed_unstarted = Emulator(); closed_unstarted.close()
        started = Emulator(nodes=1).start(); started.close(); started.close()
        with Emulator(nodes=1) as hcp:
            pass
        print("done")
    """)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "done", "")


def test_failed_start_on_a_taken_port_closes_the_emulator():
    with socket.socket() as taken:
        taken.bind(("127.253.7.2", 0))
        taken.listen()
        emu = Emulator(nodes=1, address_block=(253, 7), http_port=taken.getsockname()[1])
        with pytest.raises(OSError, match="cannot bind http port"):
            emu.start()
    assert not emu.running
    with pytest.raises(HcpsdkError, match="closed"):
        emu.start()


@pytest.mark.parametrize("domain", ["", "bad domain", "a..b", "-x.example.com", "x-.example.com",
                                    "a" * 64 + ".com", "hcp1.example.com/", "ü.example.com"])
def test_bad_domain_is_an_argument_error_naming_it(domain):
    with pytest.raises(HcpsdkArgumentError, match=r"domain must be a DNS name") as info:
        Emulator(domain=domain)
    assert isinstance(info.value, ValueError) and repr(domain) in str(info.value)


def test_bad_argument_types_and_values_name_the_parameter():
    with pytest.raises(HcpsdkTypeError, match="domain must be a str"):
        Emulator(domain=42)
    with pytest.raises(HcpsdkArgumentError, match="nodes must be in 1..200, not 0"):
        Emulator(nodes=0)
    with pytest.raises(HcpsdkTypeError, match="nodes must be an int"):
        Emulator(nodes="2")
    with pytest.raises(HcpsdkArgumentError, match="https_port must be in 0..65535, not 70000"):
        Emulator(https_port=70000)
    with pytest.raises(HcpsdkArgumentError, match="the configuration's domain"):
        Emulator(config=dict(DEFAULT_CONFIG, domain="no good"))


def test_domain_defaults_to_the_configuration_and_is_case_insensitive():
    assert Emulator(config=dict(DEFAULT_CONFIG, domain="cfg.example.com")).domain == \
        "cfg.example.com"
    assert Emulator(domain="Mixed.Example.COM").domain == "mixed.example.com"
    assert Emulator().domain == "hcp1.example.com"
