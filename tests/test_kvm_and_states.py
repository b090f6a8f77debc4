"""Two small vocabularies, one table each: the /dev/kvm probe (three callers, three wordings) and the
domain state names (virsh's words, libvirt's constants)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import libvirt

from kvmlab import doctor, kvm
from kvmlab.concepts import hardware
from kvmlab.lab import probe
from kvmlab.states import STATE_NAMES, reason_constant, state_constant, state_name
from tests.specs.virsh import virsh


def test_open_kvm_matches_the_machine():
    dev = kvm.open_kvm()
    assert dev.exists == Path("/dev/kvm").exists()
    if dev.opens:
        assert dev.api_version == kvm.KVM_API_VERSION and dev.speaks_kvm and dev.max_vcpus >= 1
    else:
        assert dev.api_version is None and not dev.speaks_kvm
    cpuinfo = Path("/proc/cpuinfo").read_text()
    assert kvm.cpu_flags() >= set(re.findall(r"\b(vmx|svm|hypervisor)\b", cpuinfo))


def test_no_dev_kvm_in_each_callers_words(monkeypatch):
    real = os.path.exists
    monkeypatch.setattr(os.path, "exists", lambda p: False if p == "/dev/kvm" else real(p))
    assert kvm.open_kvm() == kvm.KvmDevice(False)
    assert hardware.probe_kvm().verdict == "no /dev/kvm: QEMU can only emulate the CPU (TCG)"
    checks: list = []
    assert probe._open_kvm(checks).startswith("no /dev/kvm: the CPU has no VT-x/AMD-V exposed here")
    line = next(c for c in doctor._kvm_checks() if c.name == "/dev/kvm")
    assert line.ok is None and line.detail.startswith("absent: guests run under TCG")


def test_a_dev_kvm_that_does_not_open_in_each_callers_words(monkeypatch):
    real_open, real_exists = os.open, os.path.exists

    def refuse(path, *args, **kwargs):
        if path == "/dev/kvm":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os.path, "exists", lambda p: True if p == "/dev/kvm" else real_exists(p))
    monkeypatch.setattr(os, "open", refuse)
    assert kvm.open_kvm() == kvm.KvmDevice(True, error="Permission denied")
    hw = hardware.probe_kvm()
    assert not hw.opens and hw.api_version is None
    assert hw.verdict == "/dev/kvm does not open (Permission denied): run as root or join the kvm group"
    checks: list = []
    assert probe._open_kvm(checks) == ("/dev/kvm exists but does not open (Permission denied): "
                                       "not root and not in group 'kvm'?")
    line = next(c for c in doctor._kvm_checks() if c.name == "/dev/kvm")
    assert (line.ok, line.detail) == (False, "exists but does not open: Permission denied")


def test_this_machines_dev_kvm_in_each_callers_words():
    dev, checks = kvm.open_kvm(), []
    why = probe._open_kvm(checks)
    line = next(c for c in doctor._kvm_checks() if c.name == "/dev/kvm")
    assert hardware.probe_kvm().api_version == dev.api_version
    if dev.speaks_kvm:
        assert why is None and checks == [("/dev/kvm", True, "opens; KVM_GET_API_VERSION = 12")]
        assert line.ok is True and line.detail.startswith("exists and opens")
    else:
        assert why and checks[0][1] is False
        assert line.ok is (True if dev.opens else False if dev.exists else None)


def _doctor_lines(flags: set[str], dev: kvm.KvmDevice, module: str | None) -> dict[str, str]:
    return {c.name: c.detail for c in doctor._kvm_checks(flags, dev, module) if c.name != "KVM boots a guest"}


def test_doctor_reads_the_cpu_flags_and_dev_kvm_together():
    opens = kvm.KvmDevice(True, True, api_version=12, max_vcpus=1024)
    # a PVM host (the course's own): no vmx/svm, yet /dev/kvm works, and the flags line says why
    pvm = _doctor_lines(set(), opens, "kvm_pvm")
    assert pvm["CPU virtualisation flags"].startswith("no vmx/svm in /proc/cpuinfo, yet /dev/kvm exists: it comes "
                                                      "from kvm_pvm (PVM)")
    assert "TCG only" not in pvm["CPU virtualisation flags"]
    assert pvm["/dev/kvm"] == "exists and opens (kvm_pvm: PVM, no hardware virtualisation)"
    # a normal PC: VT-x, used by kvm_intel
    pc = _doctor_lines({"vmx", "sse2"}, opens, "kvm_intel")
    assert pc["CPU virtualisation flags"] == "vmx (Intel VT-x): hardware virtualisation, used by /dev/kvm (kvm_intel)"
    assert pc["/dev/kvm"] == "exists and opens (kvm_intel: Intel VT-x)"
    # VT-x offered, module not loaded; and neither (a VM without nested virtualisation)
    unloaded = _doctor_lines({"svm"}, kvm.KvmDevice(False), None)
    assert unloaded["CPU virtualisation flags"] == "svm (AMD-V), but no /dev/kvm: load kvm_intel or kvm_amd (modprobe) to use it"
    bare = _doctor_lines(set(), kvm.KvmDevice(False), None)
    assert bare["CPU virtualisation flags"].endswith("and no /dev/kvm: guests run under TCG only")
    assert bare["/dev/kvm"].startswith("absent: guests run under TCG")


def test_kvm_module_reads_sys_module(tmp_path):
    assert kvm.kvm_module(tmp_path) is None
    (tmp_path / "kvm_pvm").mkdir()
    assert kvm.kvm_module(tmp_path) == "kvm_pvm"


def test_state_names_are_virshs():
    assert [state_name(s) for s in sorted(STATE_NAMES)] == [
        "no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended"]
    assert state_name(99) == "no state"  # virshDomainStateToString's default


def test_state_and_reason_constants():
    assert state_constant(libvirt.VIR_DOMAIN_SHUTOFF) == "VIR_DOMAIN_SHUTOFF" and state_constant(99) == "99"
    assert reason_constant(libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED) == \
        "VIR_DOMAIN_SHUTOFF_DESTROYED"
    # virDomainShutdownFlagValues share the prefix but are no reasons: 1 is USER, not ACPI_POWER_BTN
    assert reason_constant(libvirt.VIR_DOMAIN_SHUTDOWN, 1) == "VIR_DOMAIN_SHUTDOWN_USER"
    assert reason_constant(libvirt.VIR_DOMAIN_SHUTDOWN, 0) == "VIR_DOMAIN_SHUTDOWN_UNKNOWN"
    assert reason_constant(libvirt.VIR_DOMAIN_PMSUSPENDED, 0) == "VIR_DOMAIN_PMSUSPENDED_UNKNOWN"
    assert reason_constant(libvirt.VIR_DOMAIN_RUNNING, 77) == "77"


def test_state_names_match_real_virsh(tmp_path):
    run = virsh("domstate test; suspend test; domstate test; destroy test; domstate test", tmp_path)
    assert run.returncode == 0, run.stderr
    shown = [line for line in run.stdout.splitlines() if line in STATE_NAMES.values()]
    assert shown == [state_name(libvirt.VIR_DOMAIN_RUNNING), state_name(libvirt.VIR_DOMAIN_PAUSED),
                     state_name(libvirt.VIR_DOMAIN_SHUTOFF)]
