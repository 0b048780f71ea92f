"""Every sample runs against the embedded emulator and prints what the documentation shows.

The documentation includes the outputs in ``docs/sample_output/``; a sample whose output
no longer has that shape (times, addresses, UUIDs masked) fails here, so the documented
output can't drift from what the samples print.
"""
from __future__ import annotations

import re

import pytest
from docs_support import DOCS, SAMPLE_NAMES, sample

_MASKS = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"/[0-9a-f]{2}/[0-9a-f]{2}(?=/<uuid>|\")"), "/<xx>/<yy>"),
    (re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"), "<ip>"),
    (re.compile(r"\[(?:'<ip>'(?:, )?)+\]"), "[<ips>]"),
    (re.compile(r"\{(?:'<ip>': \d+(?:, )?)+\}"), "{<per node>}"),
    (re.compile(r"\d+\.\d+(?:e-?\d+)?"), "<float>"),
    # the SDK's own wording of an error is its business; the sample shows where it goes
    (re.compile(r"(PUT failed - |PUT before failover refused: ).*"), r"\1<error>"),
]


def normalized(text: str) -> list[str]:
    """The lines of a sample's output, with what changes from run to run masked.

    The SDK's own WARNING messages (its retries) are left out: their wording belongs to
    the SDK, and the tests of the samples that must show some check for them separately.
    """
    lines = []
    for line in text.splitlines():
        if line.startswith("WARNING"):
            continue
        for pattern, mask in _MASKS:
            line = pattern.sub(mask, line)
        lines.append(line.rstrip())
    return lines


def documented(name: str) -> list[str]:
    return normalized((DOCS / "sample_output" / (name + ".txt")).read_text())


def test_every_sample_is_documented_and_tested():
    assert SAMPLE_NAMES == sorted(["datastack_progress", "namespace_info",
                                   "pathbuilder_ingest", "query_to_csv",
                                   "replication_failover",
                                   "retries_failing_node", "simple_primary_only",
                                   "simple_primary_only_certverify"])
    for name in SAMPLE_NAMES:
        assert (DOCS / "sample_output" / (name + ".txt")).is_file(), name
        assert f"sample_output/{name}.txt" in (DOCS / "samples.rst").read_text()


def _finished(runs, key):
    run = runs[key]
    proc = run.result()
    assert proc.returncode == 0, run.describe()
    return proc


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_prints_the_documented_output(runs, name):
    proc = _finished(runs, name)
    assert normalized(proc.stdout) == documented(name)
    assert proc.stderr == ""


def test_simple_sample_reports_the_documented_hash_and_content(runs):
    out = _finished(runs, "simple_primary_only").stdout
    # the documentation's 128 KiB test file, and the hash HCP computed for it there
    assert "hash = SHA-256 A2706A20394E48179A86C71E82C360C2960D3652340F9B9FDB355A42E3AC7691" in out
    assert "b'0123456789abcdef0123456789abcdef01234567'..." in out


def test_certverify_sample_shows_the_verification_failure(runs):
    out = _finished(runs, "simple_primary_only_certverify").stdout
    failure = [line for line in out.splitlines() if "PUT failed - " in line]
    assert len(failure) == 1 and "certificate" in failure[0], out


def test_retries_sample_shows_the_sdks_retries(runs):
    out = _finished(runs, "retries_failing_node").stdout
    warnings = [line for line in out.splitlines() if line.startswith("WARNING")]
    assert any("retry" in line for line in warnings), out
    assert "all stored once with the right content" in out


def test_debug_adds_the_sdks_messages_to_the_same_output(runs):
    proc = _finished(runs, "simple_primary_only --debug")
    # the documentation's two variants: " INFO message" with --debug, the bare message without
    info = [line[len(" INFO "):] if line.startswith(" INFO") else line
            for line in normalized(proc.stdout) if not line.startswith("DEBUG")]
    assert info == documented("simple_primary_only")
    debug = [line for line in proc.stdout.splitlines() if line.startswith("DEBUG")]
    assert any("issued IP address" in line for line in debug), proc.stdout
    assert any(line.startswith("DEBUG") for line in documented("simple_primary_only_debug"))


def test_sample_uses_a_configured_hcp_instead_of_the_emulator(docs_emulator):
    hcp = docs_emulator
    before = len(hcp.requests)
    run = sample("simple_primary_only", "--port", str(hcp.http_port),
                 "--nameserver", "{}:{}".format(*hcp.dns),
                 env={"HCP_FQDN": hcp.fqdn, "HCP_USER": hcp.user, "HCP_PASSWORD": hcp.password})
    assert run.result().returncode == 0, run.describe()
    assert normalized(run.result().stdout) == documented("simple_primary_only")
    served = [(r.method, r.path, r.status) for r in hcp.requests[before:]]
    assert served == [("PUT", "/rest/hcpsdk/sample_primary_only.txt", 201),
                      ("HEAD", "/rest/hcpsdk/sample_primary_only.txt", 200),
                      ("GET", "/rest/hcpsdk/sample_primary_only.txt", 200),
                      ("DELETE", "/rest/hcpsdk/sample_primary_only.txt", 200)]


def test_incomplete_hcp_configuration_is_refused_with_a_message():
    proc = sample("simple_primary_only", "--fqdn", "n1.m.hcp1.example.com").result()
    assert proc.returncode != 0
    assert "--fqdn needs --user and --password" in proc.stderr


def test_documented_pytest_example_passes_with_the_fixture(runs):
    run = runs["pytest-example"]
    assert run.result().returncode == 0, run.describe()
    assert "2 passed" in run.result().stdout
