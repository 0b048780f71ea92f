"""``python -m hcpsdk.emulator --replica ...``: a linked pair, failed over and back from the
prompt, as docs/emulator.rst shows it; MAPI and DNS follow."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import dns.resolver
import pytest
from docs_support import DOCS, environment

import hcpsdk
import hcpsdk.mapi


def _documented_session() -> list[tuple[str, str]]:
    """(command, what it prints) of the replica session of docs/emulator.rst."""
    text = (DOCS / "emulator.rst").read_text()
    block = re.search(r"^\.\. code-block:: console\n   :name: replica-session\n\n((?:   .*\n|\n)+)",
                      text, re.M)[1]
    lines = [line[3:] for line in block.splitlines() if line]
    typed = lines[lines.index("Type 'failover', 'failback' or 'link' to drive the link.") + 1:]
    return list(zip(typed[::2], typed[1::2], strict=True))


@pytest.fixture
def pair():
    proc = subprocess.Popen([sys.executable, "-m", "hcpsdk.emulator", "--replica",
                             "active-active", "--nodes", "2", "--json"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment())
    try:
        yield proc, json.loads(proc.stdout.readline())
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _ask(proc, command: str) -> str:
    proc.stdin.write(command + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().rstrip("\n")


def _names(info, name: str) -> list[str]:
    res = dns.resolver.Resolver(configure=False)
    res.nameservers, res.port = [info["dns"][0]], info["dns"][1]
    return sorted(rr.address for rr in res.resolve(name, "A"))


def test_pair_fails_over_and_back_from_the_prompt_as_documented(pair):
    proc, info = pair
    replica = info["replica"]
    assert (replica["domain"], replica["link"], replica["type"]) == \
        ("hcp2.example.com", "hcp1--<-->--hcp2", "ACTIVE_ACTIVE")
    res = dns.resolver.Resolver(configure=False)
    res.nameservers, res.port = [info["dns"][0]], info["dns"][1]
    admin = hcpsdk.Target(info["admin_fqdn"], hcpsdk.NativeAuthorization("service", "service01"),
                          port=info["mapi_port"], tls=True, resolver=res)
    session = _documented_session()
    assert [command for command, _ in session] == ["failover", "failback", "quit"]
    with hcpsdk.mapi.Replication(admin) as mapi:
        assert mapi.getlinklist() == ["hcp1--<-->--hcp2"]
        assert _ask(proc, "failover") == session[0][1]
        assert mapi.getlinkdetails("hcp1--<-->--hcp2")["statusMessage"] == "Failed over"
        assert _names(info, info["fqdn"]) == sorted(replica["addresses"])
        assert _ask(proc, "failback") == session[1][1]
        assert mapi.getlinkdetails("hcp1--<-->--hcp2")["status"] == "GOOD"
        assert _names(info, info["fqdn"]) == sorted(info["addresses"])
    assert _ask(proc, "quit") == session[2][1]
    assert proc.wait(timeout=30) == 0


def test_link_commands_without_a_replica_say_how_to_get_one():
    proc = subprocess.run([sys.executable, "-m", "hcpsdk.emulator", "--nodes", "1"],
                          input="failover\nquit\n", capture_output=True, text=True, timeout=60,
                          env=environment())
    assert "error: no replica; start with --replica active-active" in proc.stdout
