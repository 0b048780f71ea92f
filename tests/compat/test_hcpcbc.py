"""hcpcbc 2.3.1: tenant discovery and chargeback reports through its command line (no charts).

The reports it keeps (locally and in a namespace, its "compliant store") must count what
the emulator really stores at the time of the run.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path


def _config(hcp, tmp_path: Path) -> Path:
    conf = {
        "1 targets": [{"1 fqdn": hcp.domain, "2 user": hcp.admin_user,
                       "3 password": hcp.admin_password, "4 folder": "emu", "9 tenants": {}}],
        "2 parameters": {"1 periode": ["total", "day", "hour"], "2 collection limit": 181,
                         "3 timeout": 60},
        "3 stores": {
            "1 temporary": {"1 tempdir": str(tmp_path / "tmp")},
            "2 local": {"1 enable": True, "2 path": str(tmp_path / "local"), "9 store raw": True},
            "3 compliant": {"1 enable": True, "2 path": f"https://{hcp.fqdn}/rest/chargeback",
                            "3 user": "n", "4 password": "n01", "5 retention": "0",
                            "9 store raw": False}},
        "4 charts": {"1 enable": False, "2 path": str(tmp_path / "charts"),
                     "3 hourly charts": False, "6 daily charts": False, "a linear": False,
                     "b log": False},
        "9 logging": {"1 log to stdout": True, "2 log to file": False,
                      "3 logfile": str(tmp_path / "hcpcbc.log"), "4 rotate MB": 1,
                      "5 backups": 1, "6 debug": False},
    }
    path = tmp_path / "hcpcbc_config.json"
    path.write_text(json.dumps(conf))
    return path


def _stored(ns) -> tuple[int, int]:
    """(objects, bytes of data and annotations) the namespace holds now."""
    count = size = 0
    for versions in ns.store.objects.values():
        for v in versions:
            if not v.deleted:
                count += 1
                size += v.size + sum(len(a.data) for a in v.annotations.values())
    return count, size


def test_discovers_tenants_and_keeps_reports_that_count_the_stored_objects(run, hcp, tmp_path):
    n1 = hcp.system.namespace("m", "n1")
    hcp.put_object("/rest/hcpcbc/counted.bin", b"c" * 4321, namespace="n1")
    config = _config(hcp, tmp_path)
    expected = _stored(n1)
    run(["hcpcbc", "-i", str(config), "--pastdays", "2"], cwd=tmp_path)

    targets = json.loads(config.read_text())["1 targets"]
    assert set(targets[0]["9 tenants"]) == set(hcp.system.tenants) == {"m"}
    tenant = targets[0]["9 tenants"]["m"]
    assert tenant["1 adminAllowed"] is True and tenant["9 last collected"]

    local = tmp_path / "local" / "emu" / "m"
    totals = list((local / "n1" / "total").glob("*.csv"))
    assert len(totals) == 1
    with open(totals[0], newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["namespaceName"] for r in rows] == ["n1"]
    assert (int(rows[0]["objectCount"]), int(rows[0]["ingestedVolume"])) == expected
    assert {p.name for p in local.iterdir()} == {"n1", "n2", "__tenant"}
    for granularity in ("day", "hour"):
        assert list((local / "n1" / granularity).glob("*.csv"))

    archived = {p: vs[-1] for p, vs in n1.store.objects.items() if p.startswith("chargeback/")}
    name = f"chargeback/emu/m/n1/total/{totals[0].name}"
    assert archived[name].blob.read() == totals[0].read_bytes()
    assert len(archived) == len(list(local.glob("*/*/*.csv")))
