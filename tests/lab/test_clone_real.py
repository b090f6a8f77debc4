"""Cloning on the real lab (libvirt 9.0 + QEMU): what lesson 15 says, measured on real guests.

conn.clone's XML is virt-clone 4.1's (--print-xml), but for the serial log virt-clone leaves named after the
template; a full copy holds the template's data and stands alone, an overlay holds almost nothing and reads
the template's disk as its backing file; booted clones, asked from inside, keep the template's hostname and
machine-id, and a hand-made clone that kept the MAC gets the other guest's DHCP address; a running source
is refused, as virt-clone refuses it. One template and three clones for the module (about 30 s under TCG).
"""

from __future__ import annotations

import re
import shutil

import pytest
from lxml import etree

import kvmlab
from kvmlab.concepts.clone_lab import DATA_MIB, clone_lab
from kvmlab.exercises import ExerciseFailed, lesson15
from tests.conftest import run_cmd

pytestmark = pytest.mark.reallab
NAME = "kvmlab-l15-rt"
COPY, THIN, BYHAND = f"{NAME}-copy", f"{NAME}-thin", f"{NAME}-byhand"
MIB = 1 << 20


@pytest.fixture(scope="module")
def lab(real_lab):
    conn = kvmlab.connect(real_lab)
    made = clone_lab(conn, NAME, progress=None)
    yield made
    made.remove()
    conn.close()


def _canonical(xml: str, drop: tuple[str, ...]) -> str:
    root = etree.fromstring(xml.encode(), etree.XMLParser(remove_blank_text=True))
    for path in drop:
        for node in root.xpath(path):
            node.getparent().remove(node)
    return etree.tostring(root, encoding="unicode")


def test_the_clone_xml_is_virt_clones_with_the_log_renamed(lab):
    assert shutil.which("virt-clone"), "virtinst (virt-clone) is part of the lab's set-up"
    path = f"/var/lib/kvmlab/pool/{COPY}.qcow2"
    out, err, rc = run_cmd(["virt-clone", "--connect", lab.uri, "--original", NAME, "--name", COPY,
                            "--file", path, "--print-xml"], timeout=60)
    assert rc == 0, err
    ours = lab.conn.clone(NAME, COPY, print_xml=True)
    assert ours.virsh == f"virt-clone --original {NAME} --name {COPY} --file {path} --print-xml"
    log = f"/var/log/libvirt/qemu/{NAME}.serial.log"
    assert out.count(log) == 2  # virt-clone 4.1: the clone would write its console into the template's log
    theirs = _canonical(out, ("uuid", "devices/interface/mac"))
    mine = _canonical(ours.xml.replace(f"{COPY}.serial.log", f"{NAME}.serial.log"), ("uuid", "devices/interface/mac"))
    assert mine == theirs
    assert COPY not in lab.domains()  # printed only


def test_copy_and_overlay_measured(lab):
    conn = lab.conn
    made = conn.clone(NAME, COPY)
    thin = conn.clone(NAME, THIN, disks="overlay")
    sizes = {v.name(): v.info()[2] for v in conn.virconn.storagePoolLookupByName(lab.pool).listAllVolumes(0)
             if v.name().startswith(NAME)}
    template = sizes[f"{NAME}.qcow2"]
    assert template > DATA_MIB * MIB  # the first boot wrote its data
    assert abs(sizes[f"{COPY}.qcow2"] - template) < MIB  # a copy holds it all
    assert sizes[f"{THIN}.qcow2"] < MIB  # an overlay holds only what its guest will write
    table = str(lab.disks())
    assert re.search(rf"{THIN}\.qcow2 .* {NAME}\.qcow2\s*$", table, re.M)
    info = run_cmd(["qemu-img", "info", "-U", f"/var/lib/kvmlab/pool/{THIN}.qcow2"])[0]
    assert f"backing file: /var/lib/kvmlab/pool/{NAME}.qcow2" in info and "backing file format: qcow2" in info
    assert made.disks[0].how == "copy" and thin.disks[0].how == "overlay"
    assert (made.changes.count("52:54:00:"), thin.changes.count("52:54:00:")) == (2, 2)
    assert f"/var/log/libvirt/qemu/{COPY}.serial.log" in made.changes


def test_clones_asked_from_inside(lab):
    conn = lab.conn
    print(lab.clone_by_hand(COPY, BYHAND))
    booted = lab.boot(COPY, THIN, BYHAND, progress=None)
    assert "3 guest(s) up" in str(booted)
    rows = {r[0]: r[1:] for r in lab.ask(COPY, THIN, BYHAND).rows}
    hosts, macs, ips, ids = zip(*rows.values())
    assert set(hosts) == {NAME}  # the hostname is in what was copied
    assert len(set(ids)) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids[0])  # one machine-id for three guests
    assert rows[COPY][1] == rows[BYHAND][1] != rows[THIN][1]  # the hand-made clone kept the MAC
    assert rows[COPY][2] == rows[BYHAND][2] != rows[THIN][2]  # ... and so got the same address
    assert [m.lower() for m in macs] == [conn.domiflist(n).macs[0] for n in (COPY, THIN, BYHAND)]
    shared = [r for r in lab.macs().rows if r[2].startswith("SAME MAC")]
    assert sorted(r[0] for r in shared) == [BYHAND, COPY]


def test_the_exercise_check_reads_the_real_clones(lab):
    conn = lab.conn
    assert "identity of its own" in lesson15.check_clone(conn, NAME, THIN).title
    with pytest.raises(ExerciseFailed, match=f"has the MAC .* of '{COPY}'"):
        lesson15.check_clone(conn, NAME, BYHAND)


def test_a_running_source_is_refused_as_virt_clone_refuses_it(lab):
    conn = lab.conn
    before = sorted(v.name() for v in conn.virconn.storagePoolLookupByName(lab.pool).listAllVolumes(0))
    with pytest.raises(kvmlab.InvalidState) as info:
        conn.clone(COPY, f"{NAME}-again")
    assert info.value.message.startswith("Domain to clone must be shutoff.".rstrip("."))
    _, err, rc = run_cmd(["virt-clone", "--connect", lab.uri, "--original", COPY, "--auto-clone", "--print-xml"],
                         timeout=60)
    assert rc == 1 and "Domain to clone must be shutoff." in err
    assert sorted(v.name() for v in conn.virconn.storagePoolLookupByName(lab.pool).listAllVolumes(0)) == before
    assert f"{NAME}-again" not in lab.domains()


def test_the_ready_line_shuts_a_real_guest_down_and_then_it_clones(lab):
    conn = lab.conn
    done = lesson15.check_ready_line(conn, f"virsh shutdown {THIN}", THIN)  # the ACPI button; the check waits
    assert "shut off" in done.title and conn.domstate(THIN).state == "shut off"
    again = conn.clone(THIN, f"{NAME}-again")  # a clone of an overlay clone: its own copy, the chain flattened
    info = run_cmd(["qemu-img", "info", "-U", again.disks[0].path])[0]
    assert "backing file" not in info


def test_a_disk_file_made_outside_libvirt_is_found_by_a_pool_refresh(lab, tmp_path):
    """qemu-img made the file after the pool's last refresh (as lesson_guest makes its disks): conn.clone
    refreshes the dir pool that holds it instead of calling it 'in no storage pool'."""
    from kvmlab.lab import guest
    from kvmlab.lab.lesson_guest import disk_dir

    conn, name = lab.conn, f"{NAME}-loose"
    path = disk_dir(lab.uri) / f"{name}.qcow2"
    assert run_cmd(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "16M"])[2] == 0
    try:
        conn.virconn.defineXML(guest.domain_xml(name, networks=None, disk=path))
        made = conn.clone(name, f"{name}-2")
        assert made.disks[0].path == str(path.with_name(f"{name}-2.qcow2"))
    finally:
        for n in (f"{name}-2", name):
            if n in conn.list(all=True).names:
                conn.undefine(n)
        for p in (path, path.with_name(f"{name}-2.qcow2")):
            p.unlink(missing_ok=True)
        # the pool that held them forgets the two files
        for p in conn.virconn.listAllStoragePools(0):
            if p.isActive() and str(path.parent) in p.XMLDesc(0):
                p.refresh(0)
