"""Lesson 18 on the real lab (qemu:///system): virt-host-validate run here, the KVM check beside the lab's own
probe, the daemons that serve the lab, and a VM that will not start for two real reasons, with virsh's error and
the guest's log read back. The recordings the embedded lab shows must still match what a fresh run prints."""

from __future__ import annotations

import re
import shutil

import pytest

import kvmlab
from kvmlab.concepts import broken_vm, host_check, host_daemons
from kvmlab.lab.probe import cached_verdict
from tests.conftest import VIRSH, run_cmd

pytestmark = pytest.mark.reallab
NAME = "kvmlab-l18-rt"


@pytest.fixture(scope="module")
def conn(real_lab):
    c = kvmlab.connect(real_lab)
    yield c
    broken_vm.remove(c, NAME)
    c.close()


def test_virt_host_validate_runs_here_and_keeps_the_recordings_shape(conn):
    if not shutil.which("virt-host-validate"):
        pytest.fail("virt-host-validate is missing: apt-get install libvirt-clients", pytrace=False)
    live = host_check.host_validate(conn)
    rec = host_check.host_validate(kvmlab.connect())
    assert live.source == "(run now, on this machine)" and live.rows
    assert [r.line for r in live.rows if r.driver == "QEMU"][-3:] == [r.line for r in rec.rows if r.driver == "QEMU"][-3:]
    assert all(r.matters != "unknown" for r in live.rows), [r.line for r in live.rows if r.matters == "unknown"]
    assert (live.returncode != 0) == any(r.status == "FAIL" for r in live.rows)


def test_the_kvm_check_agrees_with_the_labs_probe(conn):
    k = host_check.kvm_check(conn)
    verdict = cached_verdict()
    assert k.source == "(run now, on this machine)" and k.dev_kvm
    if k.kind == "hardware":
        assert {"vmx", "svm"} & set(k.flags)
    if k.kind == "pvm":
        assert "kvm_pvm" in k.modules and not k.flags
    if verdict is not None and verdict.accel == "kvm":
        assert k.kind in ("hardware", "pvm")


def test_the_labs_daemons_are_listed(conn):
    d = host_daemons.daemons(conn)
    names = [r[0] for r in d.rows]
    assert "virtlogd" in names and ("libvirtd" in names or "virtqemud" in names), str(d)


def test_uri_report_is_what_real_virsh_uri_prints(conn):
    out, _, rc = run_cmd([VIRSH, "-c", conn.uri, "uri"])
    assert rc == 0 and str(host_daemons.uri_report(conn)) == out.rstrip("\n") + "\n"


# QEMU's early exit races libvirt's monitor connection: both wordings were measured for the same fault
_NOT_A_KERNEL = re.compile(r"^internal error: (qemu unexpectedly closed the monitor|process exited while connecting "
                           r"to monitor): qemu: invalid kernel header$")


@pytest.mark.parametrize("fault, error, in_log", [
    ("missing-kernel", re.compile("^unable to stat: /var/lib/kvmlab/l18/missing/kvmlab-l18-rt.vmlinuz: No such file "
                                  "or directory$"), "shutting down, reason=failed"),
    ("not-a-kernel", _NOT_A_KERNEL, "qemu: invalid kernel header"),
])
def test_a_broken_vm_fails_for_its_reason_and_its_log_says_so(conn, fault, error, in_log):
    r = broken_vm.broken_vm(conn, NAME, fault)
    assert r.live and r.error[0] == f"Failed to start domain '{NAME}'" and error.match(r.error[1]), r.error
    assert r.state == "shut off (failed)" and conn.domstate(NAME).state == "shut off"
    assert r.log == f"/var/log/libvirt/qemu/{NAME}.log" and "starting up libvirt version" in r.log_lines[0]
    assert in_log in r.highlights() or any(in_log in ln for ln in r.highlights())
    real = run_cmd([VIRSH, "-c", conn.uri, "start", NAME])  # real virsh prints the same error lines
    lines = real[1].strip().splitlines()
    assert real[2] == 1 and lines[0] == f"error: {r.error[0]}" and error.match(lines[1].removeprefix("error: "))
    assert error.match(broken_vm.recorded(fault).error[-1].replace("kvmlab-l18-broken", NAME))
