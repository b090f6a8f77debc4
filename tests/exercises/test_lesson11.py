"""Lesson 11 checks on the embedded lab: the guest's address and MAC (against the test driver's lease),
its disk, its serial console; each wrong answer's diagnosis and the hint ladder. The address check
against a real DHCP lease is in tests/lab/test_reach_real.py."""

from __future__ import annotations

import pytest

import kvmlab
import kvmlab.lab
from kvmlab.exercises import ExerciseFailed, Passed
from kvmlab.exercises import lesson11 as l11

from tests.exercises.conftest import climb

IP, MAC = "192.168.122.63", "52:54:00:4b:11:01"  # the embedded guest's: the test driver's made-up lease
DISK = "/var/lib/libvirt/images/kvmlab-reach.qcow2"


@pytest.fixture
def guest(conn):
    return kvmlab.lab.lesson_guest(conn, l11.GUEST, progress=None)


def test_the_truth_is_libvirts(conn, guest):
    assert l11.guest_cards(conn) == [(MAC, "default", IP, 24)]
    assert l11.kernel_console(conn) == "ttyS0"


def test_address_right(conn, guest):
    done = l11.check_address(conn, "virsh domifaddr kvmlab-reach", IP, MAC.upper())
    assert isinstance(done, Passed) and f"{IP}/24" in done.title and "domifaddr" in done.details[0]
    assert l11.check_address(conn, "domifaddr --domain kvmlab-reach --source arp", IP, MAC)


def test_address_with_domiflist_climbs_the_ladder(conn, guest):
    first, second, answer = climb(l11.check_address, conn, "domiflist kvmlab-reach", IP, MAC)
    assert first.message.startswith("domiflist: domiflist lists the guest's cards from its XML")
    assert "DHCP" in first.hint and "domifaddr" not in first.hint  # rung 1: the idea only
    assert "virsh domifaddr DOMAIN" in second.hint and "net-dhcp-leases" in second.hint  # rung 2: where
    assert 'ip_line = "domifaddr kvmlab-reach"' in answer and "card.address" in answer


@pytest.mark.parametrize("line, ip, mac, says", [
    ("TODO", "TODO", "TODO", "no command yet"),
    ("domifaddr web01", IP, MAC, "that line asks about 'web01', not kvmlab-reach"),
    ("domifadr kvmlab-reach", IP, MAC, "unknown command: 'domifadr'"),
    ("domifaddr kvmlab-reach; list", IP, MAC, "that is 2 commands"),
    ("dominfo kvmlab-reach", IP, MAC, "dominfo shows the domain's state"),
    ("net-dhcp-leases isolated", IP, MAC, "card is on network default, not 'isolated'"),
    ("net-dhcp-leases default", IP, MAC, "Failed to get leases info for default"),  # the test driver has no DHCP
    ("domifaddr kvmlab-reach", "TODO", MAC, "ip: no answer yet"),
    ("domifaddr kvmlab-reach", f"{IP}/24", MAC, "carries the prefix length"),
    ("domifaddr kvmlab-reach", "192.168.122.1", MAC, "the network's own address"),
    ("domifaddr kvmlab-reach", "192.168.122.23", MAC, "another address than 192.168.122.23"),  # db01's
    ("domifaddr kvmlab-reach", "192.168.122", MAC, "is not an IP address"),
    ("domifaddr kvmlab-reach", IP, "52:54:00:4d:ea:01", "has another MAC"),  # web01's
    ("domifaddr kvmlab-reach", IP, "TODO", "mac: no answer yet"),
])  # fmt: skip
def test_address_diagnoses(conn, guest, line, ip, mac, says):
    with pytest.raises(ExerciseFailed) as info:
        l11.check_address(conn, line, ip, mac)
    assert says in info.value.message


def test_address_of_a_stopped_guest(conn, guest):
    conn.destroy(l11.GUEST)
    with pytest.raises(ExerciseFailed, match="libvirt knows no address of kvmlab-reach yet"):
        l11.check_address(conn, "domifaddr kvmlab-reach", IP, MAC)


def test_without_the_guest(conn):
    with pytest.raises(ExerciseFailed) as info:
        l11.check_address(conn, "domifaddr kvmlab-reach", IP, MAC)
    assert "libvirt has no domain 'kvmlab-reach'" in info.value.message and "first cell" in info.value.hint


def test_disk_right(conn, guest):
    done = l11.check_disk(conn, "domblklist kvmlab-reach --details", "vda", DISK)
    assert "vda is " + DISK in done.title
    assert l11.check_disk(conn, "virsh domblklist kvmlab-reach", "/dev/vda", DISK)


def test_disk_ladder_and_diagnoses(conn, guest):
    first, second, answer = climb(l11.check_disk, conn, "domblklist kvmlab-reach", DISK, "vda")
    assert first.message == "target and source are swapped" and "<disk>" in first.hint
    assert "Target is the guest's name" in second.hint
    assert "disk.target, disk.source" in answer and "domblklist kvmlab-reach" in answer
    for line, target, source, says in [
        ("domiflist kvmlab-reach", "vda", DISK, "lists network cards, not disks"),
        ("vol-list default", "vda", DISK, "vol-list lists a pool's volumes"),
        ("domblklist web01", "vda", DISK, "asks about 'web01'"),
        ("domblklist kvmlab-reach", "sda", DISK, "is not 'sda' for its guest"),
        ("domblklist kvmlab-reach", "vda", "/var/lib/libvirt/images/web01.qcow2", "the file behind vda is not"),
    ]:
        with pytest.raises(ExerciseFailed) as info:
            l11.check_disk(conn, line, target, source)
        assert says in info.value.message, (line, info.value.message)


def test_console_right(conn, guest):
    for device, key in [("ttyS0", "Ctrl-]"), ("console=ttyS0", "^]"), ("/dev/ttyS0", "ctrl + ]"), ("ttyS0", "\x1d")]:
        assert l11.check_console(conn, device, key)
    with pytest.raises(ExerciseFailed) as info:  # console=ttys0 names no console driver: the kernel is strict
        l11.check_console(conn, "ttys0", "Ctrl-]")
    assert "in case only" in info.value.message


def test_no_answer_yet_never_climbs_and_a_bare_file_name_is_named(conn, guest):
    for _ in range(2):
        with pytest.raises(ExerciseFailed) as info:
            l11.check_console(conn, "TODO", "TODO")
        assert info.value.untried and info.value.rung == 1
    with pytest.raises(ExerciseFailed) as info:
        l11.check_disk(conn, f"domblklist {l11.GUEST}", "vda", "kvmlab-reach.qcow2")
    assert info.value.message == "source: 'kvmlab-reach.qcow2' is the file's name; the host finds it by its whole path"


def test_console_ladder_and_diagnoses(conn, guest):
    first, second, answer = climb(l11.check_console, conn, "tty0", "Ctrl-]")
    assert "graphics card" in first.message and "console=" in first.hint and "ttyS0" not in first.hint
    assert "<cmdline>" in second.hint
    assert "device = 'ttyS0'" in answer and "Ctrl-]" in answer
    for device, key, says in [("hvc0", "Ctrl-]", "virtio console"), ("ttyS1", "Ctrl-]", "second serial port"),
                              ("ttyS0", "Ctrl-C", "Ctrl-C goes to the guest"),
                              ("ttyS0", "exit", "exit ends the guest's shell"),
                              ("ttyS0", "TODO", "key: no answer yet")]:
        with pytest.raises(ExerciseFailed) as info:
            l11.check_console(conn, device, key)
        assert says in info.value.message, (device, key, info.value.message)


def test_the_device_is_read_from_libvirt(conn, guest):
    """Change the guest's kernel command line and the right answer changes with it."""
    xml = conn.dumpxml(l11.GUEST, inactive=True).xml.replace("console=ttyS0", "console=ttyS1")
    conn.virconn.defineXML(xml)
    conn.destroy(l11.GUEST)
    conn.start(l11.GUEST)
    assert l11.kernel_console(conn) == "ttyS1"
    with pytest.raises(ExerciseFailed, match="was not told to use 'ttyS0'"):
        l11.check_console(conn, "ttyS0", "Ctrl-]")


def test_every_check_is_graded():
    from kvmlab.exercises.ladder import ANSWERS

    assert {"11.1", "11.2", "11.3"} <= set(ANSWERS)
    assert kvmlab.exercises.show_answer("11.2").code.startswith('disk_line = "domblklist kvmlab-reach"')
