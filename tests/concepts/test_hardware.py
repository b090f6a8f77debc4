"""Hardware virtualisation: the probe, QEMU's catalogue, a paused QEMU, the loop guest under TCG/KVM."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from kvmlab.concepts import accel, hardware
from kvmlab.errors import Unsupported

QEMU = hardware.qemu_binary()
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")
KVM_OPENS = hardware.probe_kvm().opens


def test_probe_matches_the_machine():
    p = hardware.probe_kvm()
    assert p.dev_kvm == Path("/dev/kvm").exists()
    flags = Path("/proc/cpuinfo").read_text()
    assert p.in_vm == bool(re.search(r"\bhypervisor\b", flags))
    assert p.cpu_flags == sorted(set(re.findall(r"\b(vmx|svm)\b", flags)))
    if p.opens:
        assert p.api_version == 12 and p.max_vcpus and p.max_vcpus >= 1
    else:
        assert p.api_version is None
    assert "verdict" in str(p) and "<table" in p._repr_html_()


@needs_qemu
def test_device_catalog_parses_every_device_line():
    raw = subprocess.run([QEMU, "-device", "help"], capture_output=True, text=True).stdout
    catalog = hardware.device_catalog()
    assert sum(len(v) for v in catalog.values()) == raw.count('\nname "') + raw.startswith('name "')
    net = {d["name"]: d for d in catalog["Network"]}
    assert net["virtio-net-pci"]["bus"] == "PCI" and net["virtio-net-pci"]["alias"] == "virtio-net"
    assert net["e1000"]["desc"] == "Intel Gigabit Ethernet"
    assert "Storage" in catalog and any(d["name"] == "virtio-blk-pci" for d in catalog["Storage"])


@needs_qemu
def test_machine_types_and_accelerators():
    machines = hardware.machine_types()
    assert sum(m["desc"].endswith("(default)") for m in machines) == 1
    assert any(m["name"] == "q35" for m in machines)
    assert "tcg" in hardware.accelerators()


def test_loop_firmware_layout():
    fw = accel.loop_firmware(1000, "io")
    assert len(fw) == 0x10000
    assert fw[0xFFF0:0xFFF5] == b"\xea\x00\x00\x00\xf0"  # reset vector -> f000:0000
    assert fw[3:7] == (1000).to_bytes(4, "little")
    assert b"\xe6\x80" in fw[:16] and b"\xe6\x80" not in accel.loop_firmware(1000, "cpu")[:16]
    for bad in [(0, "cpu"), (2**32, "cpu"), (10, "disk")]:
        with pytest.raises(ValueError):
            accel.loop_firmware(*bad)


@needs_qemu
def test_the_loop_guest_runs_to_its_exit_under_tcg():
    short = accel.time_loop("tcg", 1, "cpu")
    assert short is not None and short < 20
    t = accel._measure("tcg", "cpu", budget=10, enough=0.05)
    assert t.ns_per_turn is not None and t.ns_per_turn > 0 and t.note.endswith("turns")
    assert t.runs[0][0] == 1 and all(s is not None for _, s in t.runs)


@needs_qemu
def test_a_hung_guest_is_cut_off_by_its_timeout():
    assert accel.time_loop("tcg", 2**32 - 1, "io", timeout=1) is None


@needs_qemu
def test_accel_timings_explain_what_cannot_run():
    (t,) = accel.accel_timings(accels=("nosuch",), kinds=("cpu",))
    assert t.ns_per_turn is None and t.note == "not compiled into this QEMU"
    pytest.importorskip("matplotlib").use("Agg")
    fig = accel.plot_accel_timings([t, accel.AccelTiming("tcg", "cpu", 5.0, "1 turns")])
    assert len(fig.axes[0].patches) == 1


@needs_qemu
def test_paused_tcg_qemu_has_a_tcg_vcpu_and_no_kvm_files():
    with hardware.PausedQemu("tcg") as q:
        pid = q.pid
        assert "CPU 0/TCG" in q.threads()
        assert q.kvm_files() == []
        assert q.devices() == ["virtio-net-pci,netdev=n0"] and q.drivers() == ["virtio-net-pci"]
        assert ("02.0", "Ethernet controller", "1af4:1000") in q.pci_devices()
        assert q.qmp("query-status")["status"] == "prelaunch"  # -S: not one guest instruction yet
        assert pid in [p.pid for p in hardware.running_qemus()]
    assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


@needs_qemu
@pytest.mark.skipif(not KVM_OPENS, reason="/dev/kvm does not open here")
def test_paused_kvm_qemu_holds_the_kvm_file_descriptors():
    with hardware.PausedQemu("kvm") as q:
        assert "CPU 0/KVM" in q.threads()
        assert q.kvm_files() == ["/dev/kvm", "anon_inode:kvm-vcpu:0", "anon_inode:kvm-vm"]
        assert q.qmp("query-kvm") == {"enabled": True, "present": True}


@needs_qemu
def test_qmp_errors_are_reported():
    with hardware.PausedQemu("tcg") as q:
        with pytest.raises(Unsupported):
            q.qmp("no-such-command")


def test_no_qemu_means_unsupported(monkeypatch):
    monkeypatch.setattr(hardware, "qemu_binary", lambda: None)
    with pytest.raises(Unsupported) as info:
        hardware.device_catalog()
    assert info.value.hint == "apt-get install qemu-system-x86"
    with pytest.raises(Unsupported):
        hardware.PausedQemu("tcg")


def test_drivers_read_libvirts_json_device_syntax_too():
    class Fake(hardware.QemuProcess):
        def argv(self):
            return ["qemu-system-x86_64", "-device", '{"driver":"e1000","netdev":"hostnet0","id":"net0"}',
                    "-device", "virtio-blk-pci,drive=d0", "-m", "64"]

    assert Fake(1).drivers() == ["e1000", "virtio-blk-pci"]


# --- explain_timings: what the numbers say, for each kind of host ------------------------------------

def _timings(tcg, kvm, kvm_io=None):
    return [accel.AccelTiming("tcg", "cpu", tcg), accel.AccelTiming("kvm", "cpu", kvm),
            accel.AccelTiming("kvm", "io", kvm_io)]


def _probe(flags, in_vm=True):
    return hardware.KvmProbe(True, True, 12, 1024, flags, in_vm)


def test_explain_timings_on_a_host_with_vt_x():
    text = accel.explain_timings(_timings(4.0, 0.5, 2000.0), _probe(["vmx"], in_vm=False), "kvm_intel")
    assert text.splitlines()[0] == "KVM runs the CPU loop 8x faster than TCG: the guest's code runs on the real CPU " \
        "(kvm_intel: Intel VT-x)."
    assert "4000x a CPU loop turn" in text and "port 0x80" in text


def test_explain_timings_on_a_pvm_host_says_why_kvm_is_slower():
    text = accel.explain_timings(_timings(4.0, 1000.0, 10000.0), _probe([]), "kvm_pvm")
    lines = text.splitlines()
    assert lines[0] == "KVM is 250x SLOWER than TCG on this machine."
    assert "kvm_pvm (PVM)" in lines[1] and "without VT-x/AMD-V" in lines[1]
    assert "kvm_intel or kvm_amd" in lines[2]


def test_explain_timings_without_kvm():
    text = accel.explain_timings([accel.AccelTiming("tcg", "cpu", 4.0), accel.AccelTiming("kvm", "cpu", None)],
                                 _probe([]), None)
    assert text == "no KVM measurement on this machine: only TCG runs guests here."


def test_kvm_module_reads_sys_module(tmp_path):
    assert accel.kvm_module(tmp_path) is None
    (tmp_path / "kvm_amd").mkdir()
    assert accel.kvm_module(tmp_path) == "kvm_amd"
