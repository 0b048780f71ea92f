"""The original hcpsdk 0.9.5 client's MAPI classes, unchanged, against the emulator.

``hcpsdk==0.9.5.post1`` is installed from the package index into a virtual environment
that is kept between runs (in the temp directory, keyed by the version). The client runs
in that environment as a separate process, with dnspython pointed at the emulator's DNS
and an SSL context trusting the emulator's CA, and prints what its calls returned as JSON.

Skipped, saying why, when no package index is reachable or the emulator could not bind
the MAPI port 9090 the 0.9.5 client insists on.
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import venv

import pytest

from hcpsdk.emulator import Emulator
from hcpsdk.emulator.mapi_log_package import unpack

ORIGINAL = "hcpsdk==0.9.5.post1"

CLIENT = textwrap.dedent('''
    import datetime, json, ssl, sys
    import dns.resolver
    info = json.loads(sys.argv[1])
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [info["dns"][0]], info["dns"][1]
    dns.resolver.default_resolver = resolver
    import hcpsdk, hcpsdk.mapi
    context = ssl.create_default_context(cafile=info["cafile"])
    context.check_hostname = False
    def target(name):
        auth = hcpsdk.NativeAuthorization(info["admin_user"], info["admin_password"])
        return hcpsdk.Target(name, auth, port=9090, sslcontext=context)
    out = {}
    rep = hcpsdk.mapi.Replication(target(info["admin_fqdn"]))
    out["settings"] = rep.getreplicationsettings()
    out["links"] = links = rep.getlinklist()
    out["details"] = rep.getlinkdetails(links[0])
    rep.setreplicationlinkstate(links[0], rep.R_SUSPEND)
    out["suspended"] = rep.getlinkdetails(links[0])["suspended"]
    rep.setreplicationlinkstate(links[0], rep.R_RESUME)
    rep.setreplicationlinkstate(links[0], rep.R_FAILOVER, rep.R_ACTIVE_ACTIVE)
    out["failed_over"] = rep.getlinkdetails(links[0])["statusMessage"]
    try:
        rep.setreplicationlinkstate(links[0], rep.R_BEGINRECOVERY, rep.R_INBOUND)
    except hcpsdk.HcpsdkError as e:
        out["refused"] = str(e)
    rep.setreplicationlinkstate(links[0], rep.R_FAILBACK, rep.R_ACTIVE_ACTIVE)
    out["failed_back"] = rep.getlinkdetails(links[0])["statusMessage"]
    logs = hcpsdk.mapi.Logs(target(info["admin_fqdn"]))
    logs.mark("compat mark")
    logs.prepare(datetime.date.today() - datetime.timedelta(days=1))
    out["log_status"] = list(logs.status().items())
    hdl, out["log_name"] = logs.download(nodes=[info["node"]], logs=["SYSTEM"])
    out["log_zip"] = hdl.read().hex()
    out["log_cancel"] = logs.cancel()
    logs.close()
    cb = hcpsdk.mapi.Chargeback(target(info["admin_fqdn"]))
    out["chargeback_json"] = cb.request("m", granularity=cb.CBG_TOTAL, fmt=cb.CBM_JSON).read()
    out["chargeback_csv"] = cb.request("m", granularity=cb.CBG_DAY, fmt=cb.CBM_CSV).read()
    cb.close()
    out["tenants"] = {t.name: t.info() for t in hcpsdk.mapi.listtenants(target(info["admin_fqdn"]))}
    print(json.dumps(out))
''')


def _original_client() -> str:
    """The python of a virtual environment holding the original client (made once)."""
    home = os.path.join(tempfile.gettempdir(), "hcpsdk-compat-" + ORIGINAL.replace("==", "-"))
    python = os.path.join(home, "bin", "python")
    os.makedirs(tempfile.gettempdir(), exist_ok=True)
    with open(home + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(os.path.join(home, "ready")):
            venv.create(home, clear=True, with_pip=False)
            done = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install",
                                   "--quiet", "--disable-pip-version-check", ORIGINAL],
                                  capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                pytest.skip(f"cannot install {ORIGINAL} (no package index?): "
                            f"{done.stderr.strip().splitlines()[-1:]}")
            open(os.path.join(home, "ready"), "w").close()
    return python


@pytest.fixture(scope="module")
def result():
    python = _original_client()
    with Emulator(nodes=2, domain="hcp1.example.com") as one, \
            Emulator(nodes=2, domain="hcp2.example.com") as two:
        if one.mapi_port != 9090:
            pytest.skip("the emulator could not bind port 9090, which the 0.9.5 client needs")
        one.put_object("compat/object.txt", b"0123456789")
        one.link(two)
        info = one.connection_info()
        info["node"] = one.addresses[0].rsplit(".", 1)[1]
        # the original client, not this checkout: a PYTHONPATH naming the checkout would
        # make the venv import our hcpsdk instead of 0.9.5
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run([python, "-c", CLIENT, json.dumps(info)], capture_output=True,
                              text=True, timeout=120, cwd=tempfile.gettempdir(), env=env)
        assert done.returncode == 0, done.stderr
        yield json.loads(done.stdout), one, two


def test_replication_settings_and_links(result):
    out, one, two = result
    assert out["settings"] == {"allowTenantsToMonitorNamespaces": "true",
                               "enableDNSFailover": "true",
                               "enableDomainAndCertificateSynchronization": "true",
                               "network": "[hcp_system]"}
    assert out["links"] == ["hcp1-a-a-hcp2"]
    details = out["details"]
    assert details["connection"] == {"localHost": ", ".join(one.addresses), "localPort": "5748",
                                     "remoteHost": ", ".join(two.addresses),
                                     "remotePort": "5748"}
    assert details["failoverSettings"]["remote"] == {"autoFailover": "false",
                                                     "autoFailoverMinutes": "120"}
    # the initial copy: directory "compat" and the object in it
    assert details["statistics"]["objectsReplicated"] == "2"
    assert details["statistics"]["bytesReplicated"] == "10"
    assert (details["type"], details["status"], details["suspended"]) == (
        "ACTIVE_ACTIVE", "GOOD", "false")


def test_replication_link_actions(result):
    out = result[0]
    assert out["suspended"] == "true"
    assert out["failed_over"] == "Failed over"
    assert out["refused"] == ("400 - Bad Request (beginRecovery not allowed on "
                              "ACTIVE_ACTIVE link)")
    assert out["failed_back"] == "Synchronizing data"


def test_logs(result):
    out, one, _ = result
    assert out["log_status"] == [["readyForStreaming", True], ["streamingInProgress", False],
                                 ["started", True], ["error", False],
                                 ["content", ["ACCESS", "SYSTEM", "SERVICE", "APPLICATION"]]]
    assert out["log_name"].startswith(f"HCPLogs-admin.{one.domain}-all-")
    assert out["log_name"].endswith(".zip")
    node = one.addresses[0].rsplit(".", 1)[1]
    files = unpack(bytes.fromhex(out["log_zip"]))
    assert list(files) == [node] and list(files[node]) == ["system.log.0"]
    assert "MARK compat mark" in files[node]["system.log.0"].decode()
    assert out["log_cancel"] is True


def test_chargeback(result):
    out = result[0]
    records = json.loads(out["chargeback_json"])["chargebackData"]
    assert [r.get("namespaceName") for r in records] == ["n1", "n2", None]
    assert (records[0]["objectCount"], records[0]["ingestedVolume"]) == (1, 10)
    assert '\n  "chargebackData" : [' in out["chargeback_json"]
    lines = out["chargeback_csv"].strip().split("\n")
    assert lines[0].startswith("systemName,tenantName,namespaceName,startTime,endTime")
    assert len(lines) > 3


def test_tenants(result):
    out = result[0]
    assert list(out["tenants"]) == ["m"]
    assert out["tenants"]["m"]["name"] == "m"
    assert out["tenants"]["m"]["authenticationTypes"] == {"authenticationType": ["LOCAL",
                                                                                 "EXTERNAL"]}
