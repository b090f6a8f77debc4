"""User mode vs kernel mode on the real guest: a segfault is survived, a kernel panic is not (but is contained)."""

from __future__ import annotations

import libvirt
import pytest

import kvmlab
from kvmlab.concepts.crash import crash_ready, kernel_crash, user_crash
from kvmlab.errors import InvalidInput
from kvmlab.lab import guest, probe
from kvmlab.lab.console import wait_ready

pytestmark = pytest.mark.reallab

BOOT = 150.0


@pytest.fixture(scope="module")
def lab(real_lab):
    conn = kvmlab.connect(real_lab)
    yield conn
    conn.close()


def _remove(conn, name: str) -> None:
    try:
        dom = conn.virconn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    dom.undefine()


@pytest.fixture
def crash_guest(lab):
    """A running tiny guest (no NIC) with the panic device; destroyed and undefined afterwards."""
    name = "kvmlab-crash"
    _remove(lab, name)
    lab.define(guest.domain_xml(name, guest.build(), networks=None, accel=probe.accel()))
    lab.start(name)
    con = wait_ready(lab, name, BOOT)
    con.wait_for("kvmlab# ", 30, seen=True)
    yield name, con
    con.close()
    _remove(lab, name)


def test_user_mode_crash_is_survived(lab, crash_guest):
    name, con = crash_guest
    report = user_crash(lab, name, con)
    assert report.guest_alive and report.state_after == "running" and report.host_ok
    assert report["Exit status"].startswith("139")  # 128 + SIGSEGV
    assert "segfault at 0" in report["Guest kernel"]
    assert lab.dominfo(name)["State"] == "running"
    assert "Segmentation fault" in "\n".join(con.lines_seen)


def test_kernel_crash_is_contained(lab, crash_guest):
    name, con = crash_guest
    report = kernel_crash(lab, name, con, timeout=90, destroy=False)
    dom = lab.virconn.lookupByName(name)
    assert tuple(dom.state(0)) == (libvirt.VIR_DOMAIN_CRASHED, libvirt.VIR_DOMAIN_CRASHED_PANICKED)
    assert report.state_after == "crashed" and "panicked" in report["State"]
    assert "Kernel panic" in report["Guest console"]
    assert report.guest_cpu_after is not None and report.guest_cpu_after < 0.05  # no host core burnt
    assert report.host_ok and lab.virconn.getLibVersion() > 0
    lab.destroy(name)
    assert dom.state(0)[0] == libvirt.VIR_DOMAIN_SHUTOFF


def test_refuses_to_crash_a_kernel_without_panic_device(lab):
    name = "kvmlab-nopanic"
    _remove(lab, name)
    try:
        dom = lab.virconn.defineXML(guest.domain_xml(name, guest.build(), networks=None, panic=False))
        with pytest.raises(InvalidInput) as e:
            crash_ready(dom)
        assert "burns a host core" in e.value.hint
    finally:
        _remove(lab, name)
