"""Snapshots on the real lab (libvirt 9.0 + QEMU): what lesson 14 says, measured on a real guest.

A revert takes a file written after the snapshot away from the guest's RAM and its disk (asked from
inside the guest); an internal snapshot lives inside the qcow2; an external one is an overlay file named
after the snapshot, on the old file as its backing file, which libvirt 9.0 cannot revert to and merges
back when it is deleted. `kvmlab virsh` prints what virsh prints on qemu:///system too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kvmlab
from kvmlab.concepts.snapshot_guest import snapshot_lab
from kvmlab.exercises import ExerciseFailed, lesson14
from tests.conftest import HINT, KVMLAB, VIRSH, run_cmd

pytestmark = pytest.mark.reallab
NAME = "kvmlab-snap-rt"
_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")


@pytest.fixture(scope="module")
def lab(real_lab):
    conn = kvmlab.connect(real_lab)
    made = snapshot_lab(conn, NAME, progress=None)
    yield made
    made.remove()
    conn.close()


def _both(uri: str, batch: str):
    real = run_cmd([VIRSH, "-c", uri, batch])
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", uri, batch])
    return (_DATE.sub("DATE", real[0]), real[1], real[2]), (_DATE.sub("DATE", out), HINT.sub("", err), rc)


def test_a_revert_takes_away_what_was_written_after(lab):
    conn = lab.conn
    assert lab.write("before.txt").files == ["before.txt"]
    conn.snapshot_create_as(NAME, "clean", "before.txt only")
    after = lab.write("mistake.txt")
    assert after.files == ["before.txt", "mistake.txt"] and after.disk == ["before.txt", "mistake.txt"]
    conn.snapshot_create_as(NAME, "broken")
    with pytest.raises(ExerciseFailed, match="current snapshot is 'broken'"):
        lesson14.check_undone(lab)
    conn.snapshot_revert(NAME, "clean")
    look = lab.look()  # a new QEMU (-loadvm), a new console pty: asked afresh
    assert (look.files, look.disk) == (["before.txt"], ["before.txt"])
    done = lesson14.check_undone(lab)
    assert "mistake.txt is gone" in done.title and "inside the guest" in done.details[1]


def test_internal_snapshots_are_inside_the_qcow2(lab):
    report = lab.files()
    assert [f[0] for f in report.files] == [f"{NAME}.qcow2"] and not report.backing
    listing = dict(report.steps)[f"qemu-img snapshot -l -U {lab.disk}"]
    assert re.search(r"\bclean\b", listing) and re.search(r"\bbroken\b", listing)
    info = lab.conn.snapshot_info(NAME, "clean")
    assert (info.state, info.location, info.children) == ("running", "internal", 1)


def test_kvmlab_virsh_prints_what_virsh_prints_on_qemu(lab):
    for batch in (f"snapshot-list {NAME}", f"snapshot-list {NAME} --tree", f"snapshot-list {NAME} --parent",
                  f"snapshot-list {NAME} --name --roots", f"snapshot-info {NAME} clean",
                  f"snapshot-info {NAME} --current", f"snapshot-current {NAME} --name",
                  f"snapshot-dumpxml {NAME} clean --xpath /domainsnapshot/memory",
                  f"snapshot-dumpxml {NAME} broken --xpath //disks --wrap", f"snapshot-info {NAME} nosuch",
                  f"snapshot-create-as {NAME} x --print-xml --diskspec vda,snapshot=external"):
        real, ours = _both(lab.uri, batch)
        assert ours == real, batch


def test_an_external_snapshot_is_an_overlay_libvirt_9_cannot_revert(lab):
    conn = lab.conn
    conn.snapshot_delete(NAME, "clean", children=True)  # 9.0 deletes no external snapshot under an internal one
    made = conn.virsh(f"snapshot-create-as {NAME} ext1 --disk-only")
    assert made.ok, made.stderr
    lab.write("overlay.txt")
    report = lab.files()
    overlay = str(Path(lab.disk).with_name(f"{NAME}.ext1"))
    assert report.active == overlay and report.backing == [lab.disk]
    info = conn.snapshot_info(NAME, "ext1")
    assert (info.state, info.location) == ("disk-snapshot", "external")
    real, ours = _both(lab.uri, f"snapshot-revert {NAME} ext1")
    assert ours == real and real[1] == ("error: Failed to revert snapshot ext1\nerror: unsupported configuration: "
                                        "revert to external snapshot not supported yet\n")
    conn.snapshot_delete(NAME, "ext1")  # merged back into the qcow2: the overlay file goes, its data stays
    after = lab.files()
    assert [f[0] for f in after.files] == [f"{NAME}.qcow2"] and after.active == lab.disk
    assert "overlay.txt" in lab.look().disk


def test_remove_leaves_nothing(lab):
    conn = lab.conn
    conn.snapshot_create_as(NAME, "last")
    gone = lab.remove()
    assert "1 snapshot(s)" in str(gone)
    assert NAME not in conn.list(all=True) and not list(Path(lab.disk).parent.glob(f"{NAME}.*"))
