"""The emulator's --data-dir store never loses an acknowledged write, even under SIGKILL."""
from __future__ import annotations

import contextlib
import json
import os

import dns.resolver
import pytest
from shared_support import emulator_cli

import hcpsdk

pytestmark = pytest.mark.skipif(not hasattr(os, "kill"), reason="needs signals")


@contextlib.contextmanager
def emulator_process(data_dir):
    """A real ``python -m hcpsdk.emulator --data-dir`` process and its connection info."""
    with emulator_cli("--nodes", "1", "--json", "--no-tls", "--data-dir", str(data_dir)) as proc:
        yield proc, json.loads(proc.stdout.readline())


def target_of(info):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [info["dns"][0]]
    resolver.port = info["dns"][1]
    return hcpsdk.Target(info["fqdn"], hcpsdk.NativeAuthorization(info["user"], info["password"]),
                         port=info["http_port"], tls=False, resolver=resolver)


def test_a_write_acknowledged_before_sigkill_survives_the_restart(tmp_path):
    data = {f"/rest/crash/object{i}.bin": os.urandom(1000 + i) for i in range(5)}
    with emulator_process(tmp_path) as (proc, info):
        with hcpsdk.Connection(target_of(info)) as c:
            for name, body in data.items():
                c.PUT(name, body)
                assert c.response_status == 201
            c.PUT("/rest/crash/meta.bin", b"m", params={"index": "true"})
            c.PUT("/rest/crash/meta.bin", b"<a/>", params={"type": "custom-metadata"})
            assert c.response_status == 201
            c.DELETE("/rest/crash/object4.bin")
            assert c.response_status == 200
        proc.kill()  # at once after the last answer: no time for a background save
        proc.wait()
    with emulator_process(tmp_path) as (_, info):
        with hcpsdk.Connection(target_of(info)) as c:
            for name, body in list(data.items())[:4]:
                c.GET(name)
                assert c.response_status == 200, name
                assert c.read() == body
            c.HEAD("/rest/crash/object4.bin")
            assert c.response_status == 404
            c.GET("/rest/crash/meta.bin", params={"type": "custom-metadata"})
            assert c.read() == b"<a/>"


def test_strays_are_removed_on_start(tmp_path):
    with emulator_process(tmp_path) as (proc, info):
        with hcpsdk.Connection(target_of(info)) as c:
            c.PUT("/rest/kept.bin", b"kept")
        proc.kill()
        proc.wait()
    folders = [root for root, _, files in os.walk(tmp_path / "objects") if files]
    assert len(folders) == 1
    stray, part = os.path.join(folders[0], "stray-blob"), os.path.join(folders[0], "x.part")
    for name in (stray, part):
        with open(name, "wb") as f:
            f.write(b"left over from a crash")
    with emulator_process(tmp_path) as (_, info):
        with hcpsdk.Connection(target_of(info)) as c:
            c.GET("/rest/kept.bin")
            assert c.read() == b"kept"
    assert not os.path.exists(stray) and not os.path.exists(part)
    assert len(os.listdir(folders[0])) == 1


def test_a_replicated_write_is_journaled_on_a_disk_backed_replica(tmp_path):
    from hcpsdk.emulator import Emulator

    with Emulator(nodes=1, domain="prim.example.com") as primary, \
            Emulator(nodes=1, domain="repl.example.com", data_dir=str(tmp_path)) as replica:
        primary.link(replica)
        primary.put_object("/rest/replicated.bin", b"from the primary")
        assert replica.get_object("/rest/replicated.bin") == b"from the primary"
        # what a replica restarted after a kill at this moment would load
        with Emulator(nodes=1, domain="repl.example.com", data_dir=str(tmp_path)) as restarted:
            assert restarted.get_object("/rest/replicated.bin") == b"from the primary"
