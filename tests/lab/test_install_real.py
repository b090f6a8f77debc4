"""Lesson 17 on the real lab: virt-install (4.1) makes the VM from an imported disk with direct kernel boot,
picks q35, PCIe root ports, virtio, an RNG and a guest-agent channel for `--osinfo linux2022`, and the tiny
guest finds its NoCloud seed by its label and reads it over the serial console."""

from __future__ import annotations

import time

import pytest

import kvmlab
from kvmlab.concepts import install_lab
from kvmlab.exercises import ExerciseFailed, lesson17
from kvmlab.lab.ownership import is_owned

pytestmark = pytest.mark.reallab
NAME = "kvmlab-l17-rt"


@pytest.fixture(scope="module")
def lab(real_lab):
    conn = kvmlab.connect(real_lab)
    t0 = time.monotonic()
    made = install_lab.install_lab(conn, NAME, progress=None)
    made.installed = made.install(progress=None)
    made.seconds = time.monotonic() - t0
    yield made
    made.delete_files()
    conn.close()


def test_virt_install_makes_and_boots_the_vm(lab):
    assert "created by virt-install" in lab.installed.message and lab.seconds < 60
    dom = lab.conn.virconn.lookupByName(NAME)
    assert dom.isActive() and is_owned(dom)  # tagged after virt-install made it: lab reset removes it


def test_virt_install_picks_q35_and_the_devices_of_a_modern_linux(lab):
    cmp = lab.compare()
    assert cmp.labels[0] == "virt-install" and not cmp.note  # run now, not the recording
    assert cmp.row("machine").left == "q35" and "pcie-root-port" in cmp.row("pci controllers").left
    assert cmp.row("channels").left == "org.qemu.guest_agent.0" and cmp.row("rng").left.startswith("virtio")
    assert cmp.row("disks").left == "vda on virtio" and cmp.row("cdroms").left == "sda on sata (readonly)"
    live = lab.conn.dumpxml(NAME).xml
    assert "machine=\"pc-q35" in live or "machine='pc-q35" in live  # libvirt expands q35 to its versioned name


def test_the_guest_reads_its_seed_by_label(lab):
    got = lab.read_seed()
    assert not got.note, got.note
    assert got.device == "/dev/sr0" and got.files == ["meta-data", "network-config", "user-data"]
    assert "#cloud-config" in got.lines and f"local-hostname: {NAME}" in got.lines


def test_exercise_17_1_runs_the_learners_line_on_the_real_daemon(lab):
    conn = lab.conn
    disk = lesson17.exercise_disk(conn)
    try:
        done = lesson17.check_import_line(conn, f"virt-install --name kvmlab-ex17 --memory 128 --import --disk {disk} "
                                                "--osinfo linux2022 --network none --graphics none", disk)
        assert "qemu:///system" in done.details[0] and "machine q35" in done.details[1]
        with pytest.raises(ExerciseFailed, match="virt-install says: ERROR .*Unknown OS name 'debian99'"):
            lesson17.check_import_line(conn, f"virt-install --name kvmlab-ex17 --memory 128 --import --disk {disk} "
                                             "--osinfo debian99", disk)
        assert "kvmlab-ex17" not in [d.name() for d in conn.virconn.listAllDomains(0)]
    finally:
        lesson17.remove_files(conn)
