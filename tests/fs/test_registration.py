"""The protocol 'hcp' reaches fsspec through the entry point that setup.py declares."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fsspec

from hcpsdk.fs import HcpFileSystem

ROOT = Path(__file__).resolve().parents[2]


def _setup_call() -> dict:
    tree = ast.parse((ROOT / "setup.py").read_text())
    call = next(node for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup")
    return {kw.arg: kw.value for kw in call.keywords}


def test_setup_declares_the_entry_point_and_the_extras():
    setup = _setup_call()
    entry_points = ast.literal_eval(setup["entry_points"])
    assert "hcp = hcpsdk.fs:HcpFileSystem" in entry_points["fsspec.specs"]
    extras = ast.literal_eval(setup["extras_require"])
    assert any(req.startswith("fsspec") for req in extras["fsspec"])
    assert any(req.startswith("dask[distributed]") for req in extras["dask"])
    assert ast.literal_eval(setup["install_requires"]) == ["dnspython>=2"]


def test_built_metadata_lets_fsspec_find_the_class_without_importing_it(tmp_path):
    """Build the distribution's metadata, then ask fsspec in a fresh interpreter."""
    subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    code = ("import sys, fsspec; cls = fsspec.get_filesystem_class('hcp'); "
            "print(cls.__module__, cls.__name__, 'hcpsdk.fs' in sys.modules)")
    # the freshly built metadata first on the path, so it is the hcpsdk fsspec sees
    env_path = f"{tmp_path}:{ROOT}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True, env={"PYTHONPATH": env_path, "PATH": ""})
    assert done.stdout.split() == ["hcpsdk.fs._filesystem", "HcpFileSystem", "True"]


def test_importing_hcpsdk_fs_registers_the_protocol():
    assert fsspec.get_filesystem_class("hcp") is HcpFileSystem
