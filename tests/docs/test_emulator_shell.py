"""``python -m hcpsdk.emulator shell``: the reference's examples typed verbatim, without root.

The examples of chapters 4.4, 7.2 and 9.3 of the hcpsdk 0.9.0 documentation are typed, line
by line as printed there, into the shell's prompt (standard input), by a user without root
privileges. Where the test itself runs as root, the shell is started as ``nobody``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from docs_support import ROOT, environment
from shared_support import DOC_NSSTATISTICS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the shell's private network needs Linux namespaces")

#: Chapter 4.4, as printed (the outputs left out: they are what the prompt prints).
CHAPTER_4_4 = """\
import hcpsdk
hcpsdk.version()
auth = hcpsdk.NativeAuthorization('n', 'n01')
t = hcpsdk.Target('n1.m.hcp1.snomis.local', auth, port=443)
c = hcpsdk.Connection(t)
c.connect_time

r = c.PUT('/rest/hcpsdk/test1.txt', body='This is an example', params={'index': 'true'})
c.response_status, c.response_reason

r = c.HEAD('/rest/hcpsdk/test1.txt')
c.response_status, c.response_reason
c.getheaders()

r = c.GET('/rest/hcpsdk/test1.txt')
c.response_status, c.response_reason
c.read()
c.service_time2

r = c.DELETE('/rest/hcpsdk/test1.txt')
c.response_status, c.response_reason
c.service_time2

c.close()
"""

CHAPTER_7_2 = """\
import hcpsdk.namespace
from pprint import pprint
auth = hcpsdk.NativeAuthorization('n', 'n01')
t = hcpsdk.Target('n1.m.hcp1.snomis.local', auth, port=443)
n = hcpsdk.namespace.Info(t)
pprint(n.nsstatistics())
"""

CHAPTER_9_3 = """\
import hcpsdk.mapi
from pprint import pprint

auth = hcpsdk.NativeAuthorization('service', 'service01')
t = hcpsdk.Target('admin.hcp1.snomis.local', auth, port=9090)
r = hcpsdk.mapi.Replication(t)
l = r.getlinklist()
l
d = r.getlinkdetails(l[0])
pprint(d)
"""

#: Proves who typed: the outer user id of the prompt's user namespace.
WHO = "open('/proc/self/uid_map').read().split()[1]\n"


def _unprivileged(argv: list[str], tmp: str) -> list[str]:
    """*argv* run by a user without root privileges (``nobody`` when the test is root)."""
    if os.geteuid() != 0:
        return argv
    setpriv, unshare = shutil.which("setpriv"), shutil.which("unshare")
    if not (setpriv and unshare):
        pytest.skip("running as root without setpriv/unshare to become nobody")
    drop = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    if subprocess.run([*drop, sys.executable, "-c", "import dns, trustme"],
                      capture_output=True, env=environment()).returncode == 0:
        return [*drop, *argv]
    # The interpreter lives where nobody can't reach it (under /root): show nobody the same
    # installation at a readable place, in a mount namespace of this command only.
    if sys.prefix != sys.base_prefix:
        pytest.skip("the interpreter (a virtual environment) is not readable by nobody")
    view = Path(tmp, "python")
    view.mkdir()
    python = view / Path(sys.executable).relative_to(sys.base_prefix)
    script = ('mount --bind "$1" "$2" && shift 2 && exec "$@"')
    return [unshare, "--mount", "sh", "-c", script, "sh", sys.base_prefix, str(view),
            *drop, "env", f"LD_LIBRARY_PATH={view / 'lib'}", str(python), *argv[1:]]


def _type_into_shell(text: str, *args: str) -> subprocess.CompletedProcess:
    tmp = tempfile.mkdtemp(prefix="hcpsdk-shell-test-")
    try:
        os.chmod(tmp, 0o755)
        argv = _unprivileged([sys.executable, "-m", "hcpsdk.emulator", "shell", *args], tmp)
        return subprocess.run(argv, input=text, capture_output=True, text=True, timeout=120,
                              cwd=tmp, env=environment())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def typed():
    """The three chapters typed into one shell with a replica, as a user without root."""
    proc = _type_into_shell(WHO + CHAPTER_4_4 + CHAPTER_7_2 + CHAPTER_9_3,
                            "--domain", "hcp1.snomis.local", "--replica", "active-active")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_the_reference_examples_are_typed_by_a_user_without_root(typed):
    assert f">>> '{os.geteuid() or 65534}'\n" in typed


def test_chapter_4_4_put_head_get_delete(typed):
    assert typed.count("(201, 'Created')") == 1
    assert typed.count("(200, 'OK')") == 3
    assert "('X-HCP-ServicedBySystem', 'hcp1.snomis.local')" in typed
    assert "('X-HCP-Size', '18')" in typed
    assert "b'This is an example'" in typed


def test_chapter_7_2_prints_the_documented_plain_dict(typed):
    assert DOC_NSSTATISTICS in typed


def test_chapter_9_3_lists_and_details_the_link(typed):
    assert "['hcp1--<-->--hcp2']" in typed
    for line in ("'name': 'hcp1--<-->--hcp2',", "'status': 'GOOD',", "'type': 'ACTIVE_ACTIVE'}"):
        assert line in typed


def test_the_documentation_form_works_with_the_default_domain():
    docs_form = CHAPTER_4_4.replace("hcp1.snomis.local", "hcp1.example.com")
    proc = _type_into_shell(docs_form)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "b'This is an example'" in proc.stdout
    assert "hcp1.example.com" in proc.stderr  # the banner names the system


def test_shell_runs_code_and_files_with_the_emulator_as_hcp(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import sys, hcpsdk\n"
                      "print(sys.argv[1:], hcp.domain, hcp2.domain)\n"
                      "t = hcpsdk.Target('n1.m.hcp1.example.com', "
                      "hcpsdk.NativeAuthorization('n', 'n01'), port=443)\n"
                      "with hcpsdk.Connection(t) as c:\n"
                      "    c.PUT('/rest/x', body=b'x')\n"
                      "    print(c.response_status)\n"
                      "raise SystemExit(3)\n")
    proc = subprocess.run([sys.executable, "-m", "hcpsdk.emulator", "shell", "--replica",
                           "active-passive", str(script), "a", "b"], capture_output=True,
                          text=True, timeout=120, env=environment(), cwd=ROOT)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "['a', 'b'] hcp1.example.com hcp2.example.com\n201\n"
    proc = subprocess.run([sys.executable, "-m", "hcpsdk.emulator", "shell", "-c", "1/0"],
                          capture_output=True, text=True, timeout=120, env=environment())
    assert proc.returncode == 1 and "ZeroDivisionError" in proc.stderr


@pytest.mark.skipif(not all(map(shutil.which, ("unshare", "setpriv", "ip"))),
                    reason="needs unshare(1), setpriv(1) and ip(8)")
def test_without_user_namespaces_the_shell_says_so_and_uses_ephemeral_ports():
    # A user namespace that may not create further ones, and a process without the
    # capability to bind ports below 1024: what a locked-down container gives.
    inner = ("ip link set lo up && echo 0 > /proc/sys/user/max_user_namespaces && "
             "exec setpriv --bounding-set=-all --inh-caps=-all --reuid=0 \"$@\"")
    argv = ["unshare", "-Urn", "sh", "-c", inner, "sh", sys.executable, "-m", "hcpsdk.emulator",
            "shell", "-c", "print(hcp.https_port != 443, hcp.target().port == hcp.https_port)"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=environment())
    if proc.stderr.startswith("unshare:"):
        pytest.skip(f"no user namespaces here at all: {proc.stderr}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "True True\n"
    assert "cannot create a private network" in proc.stderr
    assert "port=hcp.https_port, tls=True" in proc.stderr
