"""Shared fixtures: fresh embedded connections, and the real-virsh comparison harness."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kvmlab

ROOT = Path(__file__).resolve().parents[1]
KVMLAB = str(Path(sys.executable).with_name("kvmlab"))
VIRSH = shutil.which("virsh")

# Values that differ run to run (or between two processes) and are not part of the contract.
_SANITIZE = [
    (re.compile(r"^(CPU time:\s+|CPU 时间：\s+)\S+$", re.M), r"\1<cpu-time>"),
]
# The locale both programs run under (tests/cli/test_conformance_zh.py sets zh_CN.UTF-8); an
# empty dict keeps the environment's own, as every other test wants.
LOCALE_ENV: dict[str, str] = {}
HINT = re.compile(r"^kvmlab hint: .*\n", re.M)


def sanitize(text: str) -> str:
    for rx, repl in _SANITIZE:
        text = rx.sub(repl, text)
    return text


def run_cmd(argv, env=None, input=None, timeout=60):
    full_env = {**os.environ, **LOCALE_ENV, **(env or {})}
    p = subprocess.run(argv, capture_output=True, text=True, env=full_env, input=input, timeout=timeout)
    return p.stdout, p.stderr, p.returncode


def both(batch: str | list[str], uri: str = "test:///default", env=None):
    """Run the same batch through real virsh and `kvmlab virsh`; return (real, ours).

    Each is (stdout, stderr, exit code); kvmlab's own hint lines are kept apart in ours[3].
    """
    args = [batch] if isinstance(batch, str) else list(batch)
    real = run_cmd([VIRSH, "-c", uri, *args], env=env)
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", uri, *args], env=env)
    hints = HINT.findall(err)
    return real, (out, HINT.sub("", err), rc, hints)


def assert_same(batch, uri: str = "test:///default", env=None):
    """Assert byte-identical stdout (CPU time aside), stderr error lines and exit code."""
    real, ours = both(batch, uri, env)
    assert sanitize(ours[0]) == sanitize(real[0]), f"stdout differs for {batch!r}"
    assert ours[1] == real[1], f"stderr differs for {batch!r}"
    assert ours[2] == real[2], f"exit code differs for {batch!r}"
    return ours


@pytest.fixture
def conn():
    """A fresh, private embedded lab."""
    c = kvmlab.connect(kvmlab.embedded_uri())
    yield c
    c.close()


def inventory(c) -> dict:
    """Everything a connection holds, with states and XML: compare before/after to prove no change."""
    v = c.virconn
    return {
        "domains": sorted((d.name(), d.state()[0], d.isPersistent(), d.XMLDesc(0)) for d in v.listAllDomains(0)),
        "networks": sorted((n.name(), n.isActive(), n.autostart(), n.XMLDesc(0)) for n in v.listAllNetworks(0)),
        "pools": sorted(
            (p.name(), p.isActive(), p.XMLDesc(0), sorted(vol.name() for vol in (p.listAllVolumes(0) if p.isActive() else [])))
            for p in v.listAllStoragePools(0)
        ),
    }


@pytest.fixture(scope="module")
def lab_conn():
    """A connection to the real lab, brought up if needed (and down again if this module started it)."""
    import kvmlab.lab as lab

    if os.geteuid() != 0:
        pytest.fail("the real-lab tests need root: run them as root (CI does)", pytrace=False)
    before, _ = lab.mode()
    st = lab.up()
    if not st.running:
        pytest.fail(f"the real lab came up but does not answer:\n{st}", pytrace=False)
    c = kvmlab.connect(st.uri)
    yield c
    c.close()
    if before == "down" and lab.mode()[0] == "netns":
        lab.down()
