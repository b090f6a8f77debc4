"""The KVM/TCG probe: a verdict with reasons, a real boot under KVM that never hangs, a cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kvmlab.lab import probe

KVMLAB = str(Path(sys.executable).with_name("kvmlab"))


@pytest.mark.reallab
def test_probe_boots_under_kvm_with_a_bound_and_caches():
    t0 = time.monotonic()
    v = probe.probe(force=True, timeout=15)
    took = time.monotonic() - t0
    assert v.accel in ("kvm", "tcg") and v.reason and not v.cached
    assert took < 15 + 30, "the probe must never hang"
    names = [c[0] for c in v.checks]
    assert names[0] == "/dev/kvm"
    if os.path.exists("/dev/kvm") and v.checks[0][1]:
        booted = v.checks[1][1]
        assert booted == (v.accel == "kvm")  # KVM only when the guest really booted under it
    if v.accel == "kvm":
        assert v.boot_seconds and v.domain_type == "kvm"
    else:
        assert v.domain_type == "qemu"
    again = probe.probe()
    assert again.cached and again.accel == v.accel and again.reason == v.reason
    assert "cached verdict" in again.explain()


def test_env_overrides_the_verdict(monkeypatch):
    monkeypatch.setenv("KVMLAB_ACCEL", "tcg")
    v = probe.probe()
    assert v.accel == "tcg" and "KVMLAB_ACCEL" in v.reason and v.domain_type == "qemu"


def test_missing_kvm_device_is_explained(monkeypatch):
    checks: list = []
    real_exists = os.path.exists
    monkeypatch.setattr(probe.os.path, "exists", lambda p: False if p == "/dev/kvm" else real_exists(p))
    why = probe._open_kvm(checks)
    assert why and "no /dev/kvm" in why and checks[0][1] is False


@pytest.mark.reallab
def test_cli_probe_prints_the_reason():
    p = subprocess.run([KVMLAB, "guest", "probe"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.startswith("accelerator: ")
    assert "/dev/kvm" in p.stdout
