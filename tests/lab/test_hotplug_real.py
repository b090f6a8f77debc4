"""Hot-plug on the real lab (libvirt 9.0 + QEMU): what lesson 16 says, seen from inside the tiny guest.

One guest for the module (no disk, no card, booted once): a disk attached --live appears in the guest's
/proc/partitions and /sys/block at once and is not in the saved definition; detached, it is gone; a card
attached --live shows in `ip link`; --config changes only the definition; a running guest's vCPUs cannot
pass its maximum. `kvmlab virsh` prints what virsh prints on qemu:///system for the same changes.
"""

from __future__ import annotations

import re
import time

import pytest

import kvmlab
from kvmlab import KvmlabError
from kvmlab.lab import guest
from kvmlab.lab.console import READY_MARKER, Console
from tests.conftest import HINT, KVMLAB, VIRSH, run_cmd

pytestmark = pytest.mark.reallab
NAME = "kvmlab-l16-hot"
VOL = "kvmlab-l16-hot.img"
POOL = "kvmlab-pool"


def _remove(conn):
    v = conn.virconn
    try:
        dom = v.lookupByName(NAME)
        if dom.isActive():
            dom.destroy()
        dom.undefine()
    except Exception:  # noqa: BLE001 - nothing to remove
        pass
    try:
        conn.vol_delete(VOL, pool=POOL)
    except KvmlabError:
        pass


@pytest.fixture(scope="module")
def lab(real_lab):
    conn = kvmlab.connect(real_lab)
    _remove(conn)
    conn.virconn.defineXML(guest.domain_xml(NAME, networks=None)).create()
    with Console.open(conn, NAME) as con:
        con.wait_for(READY_MARKER, 120, seen=True)
    path = conn.vol_create_as(POOL, VOL, "8M", format="raw").path
    yield conn, real_lab, path
    _remove(conn)
    conn.close()


def sh(conn, command: str) -> str:
    with Console.open(conn, NAME) as con:
        status, lines = con.run(command, 30)
    assert status == 0, lines
    return "\n".join(lines)


def _until(conn, command: str, gone: str, timeout: float = 15.0) -> str:
    end = time.monotonic() + timeout
    while True:
        out = sh(conn, command)
        if gone not in out or time.monotonic() > end:
            return out
        time.sleep(0.5)


def test_a_live_disk_appears_inside_and_leaves_the_definition_alone(lab):
    conn, _, path = lab
    assert "vda" not in sh(conn, "ls /sys/block")
    done = conn.attach_disk(NAME, path, "vdb", live=True)
    assert done.affects == ["live"] and "attachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)" in done.api[-1]
    # the guest names its first virtio disk vda, whatever libvirt's target says
    assert " 8192 vda" in sh(conn, "cat /proc/partitions") and "vda" in sh(conn, "ls /sys/block")
    assert [d.target for d in conn.domblklist(NAME).disks] == ["vdb"]
    assert conn.domblklist(NAME, inactive=True).disks == []  # --live: the next boot has no such disk
    conn.detach_disk(NAME, "vdb", live=True)
    assert "vda" not in _until(conn, "ls /sys/block", "vda")
    assert conn.domblklist(NAME).disks == []


def test_config_changes_the_definition_only(lab):
    conn, _, path = lab
    conn.attach_disk(NAME, path, "vdc", config=True)
    try:
        assert [d.target for d in conn.domblklist(NAME, inactive=True).disks] == ["vdc"]
        assert conn.domblklist(NAME).disks == [] and "vd" not in sh(conn, "ls /sys/block")
    finally:
        conn.detach_disk(NAME, "vdc", config=True)
    assert conn.domblklist(NAME, inactive=True).disks == []


def test_a_live_card_shows_in_ip_link(lab):
    conn, *_ = lab
    done = conn.attach_interface(NAME, "network", "kvmlab-nat", model="virtio", live=True)
    mac = conn.domiflist(NAME).interfaces[0].mac
    assert done.affects == ["live"] and mac in sh(conn, "ip -o link")
    conn.detach_interface(NAME, "network", mac=mac, live=True)
    assert mac not in _until(conn, "ip -o link", mac)


def test_vcpus_cannot_pass_the_maximum_live(lab):
    conn, *_ = lab
    assert conn.vcpucount(NAME).counts[("maximum", "live")] == 1
    with pytest.raises(KvmlabError) as info:
        conn.setvcpus(NAME, 2, live=True)
    assert "max allowable vcpus" in info.value.message and "--maximum --config" in info.value.hint
    with pytest.raises(KvmlabError, match="cannot resize the maximum memory on an active domain"):
        conn.setmaxmem(NAME, "256M", live=True)


def _disk_gone(conn, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while conn.domblklist(NAME).disks and time.monotonic() < end:
        time.sleep(0.3)


def test_kvmlab_virsh_is_virsh_on_the_real_lab(lab):
    conn, uri, path = lab
    # each batch leaves the guest as it found it, so virsh and kvmlab run it on the same guest
    for batch in (f"attach-disk {NAME} {path} vdb --live; domblklist {NAME}; detach-disk {NAME} vdb --print-xml; "
                  f"detach-disk {NAME} vdb --live", f"setvcpus {NAME} 2 --live", f"setmaxmem {NAME} 1G",
                  f"vcpucount {NAME}; domstate {NAME} --reason; autostart {NAME}; autostart {NAME} --disable"):
        real = run_cmd([VIRSH, "-c", uri, batch])
        _disk_gone(conn)
        out, err, rc = run_cmd([KVMLAB, "virsh", "-c", uri, batch])
        _disk_gone(conn)
        index = re.compile(r'index="\d+"')  # QEMU numbers each attached image: one more for the second run
        assert (index.sub("I", out), HINT.sub("", err), rc) == (index.sub("I", real[0]), real[1], real[2]), batch


def test_the_exercise_checks_ask_the_guest(lab):
    from kvmlab.concepts.hotplug_guest import HotplugLab
    from kvmlab.exercises import ExerciseFailed, lesson16

    conn, uri, path = lab
    hot = HotplugLab(NAME, POOL, VOL, path, "qemu", uri, True, conn=conn)
    try:
        done = lesson16.check_attach_line(hot, f"virsh attach-disk {NAME} {path} vdb --persistent", NAME, path)
        assert "inside the guest: /proc/partitions lists vda (8192 KiB)" in done.details[-1]
        assert lesson16.disk_targets(conn, NAME, inactive=True) == {"vdb": path}
    finally:
        conn.detach_disk(NAME, "vdb", persistent=True)
    with pytest.raises(ExerciseFailed, match="the maximum is 1"):
        lesson16.check_two_vcpus(hot, 2, NAME)
    assert hot.cpus_inside() == 1


def test_the_disk_panel_attaches_and_detaches_a_volume_live(lab):
    """The DiskPanel's Attach and Detach buttons on the running guest: the disk shows inside, then goes."""
    from kvmlab.notebook import widget_text
    from kvmlab.widgets import DiskPanel

    conn, *_ = lab
    panel = DiskPanel(conn, POOL, events=False)
    try:
        panel.volume.value, panel.guest.value, panel.target.value, panel.affects.value = VOL, NAME, "vdb", "live"
        panel.attach_button.click()
        assert f"virsh attach-disk {NAME} " in widget_text(panel.status.value) and "--live" in widget_text(panel.status.value)
        assert "Disk attached successfully" in widget_text(panel.status.value)
        assert " 8192 vda" in sh(conn, "cat /proc/partitions")
        assert conn.domblklist(NAME, inactive=True).disks == []
        panel.detach_button.click()
        assert "Disk detached successfully" in widget_text(panel.status.value)
        assert "vda" not in _until(conn, "ls /sys/block", "vda")
    finally:
        panel.close()
        _disk_gone(conn)
