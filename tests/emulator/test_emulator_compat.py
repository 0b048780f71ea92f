"""Compatibility: the original ``hcpsdk==0.9.5.post1`` from PyPI works against the emulator.

The original is installed once into a throw-away virtual environment kept in the pytest
cache (or the temp directory) keyed by version, and runs ``compat_hcpsdk095.py`` in a
subprocess. It chooses TLS by port (443/8000/9090), so the emulator serves HTTPS on 8000 and
MAPI on 9090 on its own loopback addresses; the script points dnspython's default resolver
at the emulator's DNS and passes an SSL context trusting the emulator's CA.
The test is skipped only when no package index is reachable.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import venv
from pathlib import Path

import pytest

from hcpsdk.emulator import Emulator

VERSION = "0.9.5.post1"
SCRIPT = Path(__file__).with_name("compat_hcpsdk095.py")
_OFFLINE_HINTS = ("NewConnectionError", "Max retries exceeded", "Temporary failure in name resolution",
                  "Could not fetch URL", "ConnectTimeout", "ProxyError", "Network is unreachable",
                  "No matching distribution found for hcpsdk")


def _cache_dir(config) -> Path:
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir(f"hcpsdk-{VERSION}-venv"))
    return Path(tempfile.gettempdir()) / f"hcpsdk-{VERSION}-venv"


def _python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture(scope="module")
def original(request) -> Path:
    """The python of a venv holding the original hcpsdk (created once, then reused)."""
    env_dir = _cache_dir(request.config)
    marker = env_dir / "installed.ok"
    python = _python(env_dir)
    if marker.exists() and python.exists():
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    proc = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                           "-q", f"hcpsdk=={VERSION}"], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        if any(hint in output for hint in _OFFLINE_HINTS):
            pytest.skip(f"no package index reachable to install hcpsdk=={VERSION}: "
                        f"{output.strip().splitlines()[-1]}")
        pytest.fail(f"pip install hcpsdk=={VERSION} failed:\n{output}")
    marker.write_text(VERSION)
    return python


@pytest.fixture(scope="module")
def pair():
    """Primary (HTTPS data on 8000, MAPI 9090) linked active/active with a replica."""
    primary = Emulator(nodes=2, domain="hcp1.compat.example", https_port=8000, mapi_port=9090)
    try:
        primary.start()
    except OSError as exc:
        pytest.skip(f"cannot bind ports 8000/9090 on loopback: {exc}")
    with primary, Emulator(nodes=2, domain="hcp2.compat.example") as replica:
        primary.serve_names_of(replica)
        link = None
        try:
            link = primary.link(replica, name="hcp1-a-a-hcp2")
        except (ImportError, AttributeError, NotImplementedError):
            pass  # the replication part is missing: the MAPI flows are skipped below
        yield primary, replica, link


def _run(python: Path, hcp: Emulator, link_name: str | None, tmp_path: Path) -> dict:
    info = dict(hcp.connection_info(), link=link_name)
    # cwd and PYTHONPATH must not expose this repository's hcpsdk to the original
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run([str(python), str(SCRIPT), json.dumps(info)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def result(original, pair, tmp_path_factory):
    primary, _, link = pair
    return _run(original, primary, link.name if link is not None else None,
                tmp_path_factory.mktemp("compat"))


def test_the_original_client_is_used(result):
    assert "site-packages" in result["hcpsdk_file"]
    assert result["version"] == "0.9.5-1"


def test_put_head_get_delete(result):
    assert result["put"] == [201, "SHA-256 47FB563CC8F86DC37C86D08BC542968F7986ACD81C97BF76DB7AD744407FE117"]
    status, headers = result["head"]
    assert status == 200
    assert headers["X-HCP-Size"] == "18"
    assert headers["Content-Type"] == "text/plain"
    assert headers["ETag"] == '"68791e1b03badd5e4eb9287660f67745"'
    assert result["get"] == [200, "This is an example"]
    assert result["post"] == 200
    assert result["delete"] == 200
    assert result["get_deleted"] == 404


def test_namespace_info_nsstatistics(result):
    stats = result["nsstatistics"]
    assert stats == {"namespaceName": "n1", "totalCapacityBytes": 53687091200, "usedCapacityBytes": 0,
                     "softQuotaPercent": 85, "objectCount": 0, "shredObjectCount": 0,
                     "shredObjectBytes": 0, "customMetadataObjectCount": 0,
                     "customMetadataObjectBytes": 0}


N1 = {"defaultIndexValue": True, "defaultRetentionValue": 0, "defaultShredValue": False,
      "description": ["replicated", "search", "no versioning"], "dpl": 2, "hashScheme": "SHA-256",
      "name": "n1", "nameIDNA": "n1", "retentionMode": "enterprise", "searchEnabled": True,
      "versioningEnabled": False}


def test_namespace_info_listaccessiblens(result):
    assert result["listaccessiblens"] == {"n1": N1}
    assert result["type_nsstatistics"] == "OrderedDict"
    everything = result["listaccessiblens_all"]
    assert everything["n1"] == N1
    assert everything["n2"] == dict(N1, name="n2", nameIDNA="n2", versioningEnabled=True,
                                    description=["replicated", "search", "versioning"])


def test_namespace_info_listretentionclasses(result):
    assert result["listretentionclasses"] == {
        "initial_unspecified": {"autoDelete": False, "name": "initial_unspecified", "value": -2,
                                "description": "Retention Class with an initial unspecified value."},
        "deletion_prohibited": {"autoDelete": False, "name": "deletion_prohibited", "value": -1,
                                "description": "Class which prohibits deletion."},
        "TAX_DATA": {"autoDelete": True, "name": "TAX_DATA", "value": "A+10y",
                     "description": "Class for tax data - actually 10 years."},
    }


def test_namespace_info_listpermissions(result):
    perms = dict.fromkeys(["browse", "changeOwner", "delete", "privileged", "purge", "read",
                           "readAcl", "search", "write", "writeAcl"], True)
    assert result["listpermissions"] == {"namespacePermissions": perms,
                                         "namespaceEffectivePermissions": perms,
                                         "userPermissions": perms,
                                         "userEffectivePermissions": perms}


def _needs_mapi(pair, result):
    if pair[2] is None or "settings" not in result:
        pytest.skip("emulator MAPI/replication part (engineer C) is not available")


def test_replication_settings_and_link_list(pair, result):
    _needs_mapi(pair, result)
    assert set(result["settings"]) >= {"allowTenantsToMonitorNamespaces", "enableDNSFailover",
                                       "enableDomainAndCertificateSynchronization", "network"}
    assert result["links"] == ["hcp1-a-a-hcp2"]


def test_replication_link_details(pair, result):
    _needs_mapi(pair, result)
    details = result["details"]
    assert details["name"] == "hcp1-a-a-hcp2"
    assert details["type"] == "ACTIVE_ACTIVE"
    assert set(details["connection"]) == {"localHost", "localPort", "remoteHost", "remotePort"}
    assert set(details["failoverSettings"]) == {"local", "remote"}
    assert "upToDateAsOfMillis" in details["statistics"]


def test_replication_failover(pair, result):
    _needs_mapi(pair, result)
    assert pair[2].state == "FAILED_OVER"
    assert result["details_after"] != result["details"]
