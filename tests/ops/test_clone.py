"""conn.clone on the embedded lab (libvirt's test driver): what changes in a clone (name, UUID, MAC,
disk), a full copy vs an overlay (vol-clone vs a <backingStore>), the state rule (shut off, or paused
for a copy), and every refusal changing nothing. The real lab's half is tests/lab/test_clone_real.py."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState, NotFound
from tests.conftest import inventory

IMAGES = "/var/lib/libvirt/images"


def _refused(conn, call, cls):
    before = inventory(conn)
    with pytest.raises(cls) as info:
        call()
    assert info.value.hint, info.value.message
    assert inventory(conn) == before, "a refused clone changed the host"
    return info.value


def test_a_full_copy_has_a_new_name_uuid_and_disk(conn):
    made = conn.clone("backup", "backup2")
    assert str(made) == "Allocating 'backup2.qcow2'\n\nClone 'backup2' created successfully.\n"
    assert made.virsh == f"virt-clone --original backup --name backup2 --file {IMAGES}/backup2.qcow2"
    assert made.api[0] == "dom = conn.lookupByName('backup')" and made.api[-1].startswith("new = conn.defineXML(xml)")
    assert any("createXMLFrom" in a for a in made.api)
    assert conn.domstate("backup2").state == "shut off"
    assert conn.domuuid("backup2").message != conn.domuuid("backup").message == made.source_uuid
    assert made.uuid == conn.domuuid("backup2").message
    disk = conn.dumpxml("backup2", xpath="//disk/source/@file").xml.strip()
    assert disk == f'file="{IMAGES}/backup2.qcow2"'
    vol = conn.vol_dumpxml("backup2.qcow2", "default").xml
    assert "<backingStore>" not in vol  # a copy stands alone
    assert made.steps[1] == "virsh vol-clone backup.qcow2 backup2.qcow2 --pool default"
    assert "disk vda (copy)" in made.changes and "backup2.qcow2" in made._repr_html_()


def test_an_overlay_reads_the_source_disk_as_its_backing_file(conn):
    made = conn.clone("backup", "thin", disks="overlay")
    vol = conn.vol_dumpxml("thin.qcow2", "default").xml
    assert f"<path>{IMAGES}/backup.qcow2</path>" in vol and "<backingStore>" in vol
    assert "vol-create-as default thin.qcow2 8G --format qcow2 --backing-vol backup.qcow2" in made.virsh
    assert made.virsh.endswith("--preserve-data")
    assert conn.dumpxml("thin", xpath="//disk/source/@file").xml.strip() == f'file="{IMAGES}/thin.qcow2"'
    assert made.disks[0].how == "overlay" and made.disks[0].source == f"{IMAGES}/backup.qcow2"


def test_a_paused_source_copies_with_new_macs(conn):
    conn.suspend("web01")
    made = conn.clone("web01", "web02")
    (old, new), = made.macs
    assert old == "52:54:00:4d:ea:01" and new and new != old and new.startswith("52:54:00")
    assert conn.domiflist("web02").macs == [new]
    assert "<target dev" not in made.xml.split("<interface")[1]  # the test driver names its own at define
    assert conn.domstate("web01").state == "paused"  # the source is left as it was


def test_chosen_macs_and_print_xml(conn):
    conn.suspend("db01")
    shown = conn.clone("db01", "db02", macs="52:54:00:aa:bb:cc", print_xml=True)
    assert "<mac address=\"52:54:00:aa:bb:cc\"/>" in str(shown) and "<uuid>" not in str(shown)
    assert shown.virsh.endswith("--mac 52:54:00:aa:bb:cc --print-xml")
    assert "db02" not in conn.list(all=True).names  # printed only
    made = conn.clone("db01", "db02", macs=["52:54:00:AA:BB:CC"])
    assert made.macs == [("52:54:00:4d:ea:02", "52:54:00:aa:bb:cc")]


def test_read_only_disks_are_shared(conn):
    made = conn.clone("installer", "installer2")
    assert made.disks == [] and "Allocating" not in str(made)
    assert "debian-12-netinst.iso" in conn.dumpxml("installer2", xpath="//disk/source/@file").xml
    assert "Allocating" not in str(made)


def test_a_running_source_is_refused(conn):
    err = _refused(conn, lambda: conn.clone("web01", "web02"), InvalidState)
    assert err.message == "Domain to clone must be shutoff: 'web01' is running"
    assert "virsh shutdown web01" in err.hint and "virsh suspend web01" in err.hint


def test_an_overlay_on_a_paused_source_is_refused(conn):
    err = _refused(conn, lambda: conn.clone("build", "b2", disks="overlay"), InvalidState)
    assert "must never change again" in err.message and "disks='copy'" in err.hint


@pytest.mark.parametrize("kwargs, cls, words", [
    (dict(name="web01"), InvalidState, "Guest name 'web01' is already in use"),
    (dict(name="build"), InvalidState, "already in use"),
    (dict(name=""), InvalidInput, "invalid name for the clone"),
    (dict(name="a/b"), InvalidInput, "invalid name for the clone"),
    (dict(name=["x"]), InvalidInput, "invalid name for the clone"),
    (dict(name="x", disks="thin"), InvalidInput, "expected 'copy' or 'overlay'"),
    (dict(name="x", disks=None), InvalidInput, "expected 'copy' or 'overlay'"),
    (dict(name="x", macs="52:54:00:zz:00:01"), InvalidInput, "expected MAC addresses"),
    (dict(name="x", macs=[1]), InvalidInput, "expected MAC addresses"),
    (dict(name="x", macs="01:00:5e:00:00:01"), InvalidInput, "multicast"),
    (dict(name="x", macs="52:54:00:4d:ea:01"), InvalidInput, "in use by another virtual machine ('web01')"),
])
def test_bad_input_teaches_and_changes_nothing(conn, kwargs, cls, words):
    name = kwargs.pop("name")
    err = _refused(conn, lambda: conn.clone("backup", name, **kwargs), cls)
    assert words in err.message


def test_no_such_source(conn):
    err = _refused(conn, lambda: conn.clone("nosuch", "x"), NotFound)
    assert err.message == "failed to get domain 'nosuch'"


def test_a_taken_volume_name_is_refused_before_anything_is_made(conn):
    conn.vol_create_as("default", "backup2.qcow2", "1M")
    err = _refused(conn, lambda: conn.clone("backup", "backup2"), InvalidState)
    assert "has a volume 'backup2.qcow2' already" in err.message and "vol-delete backup2.qcow2" in err.hint


def test_a_disk_in_no_pool_is_refused(conn):
    conn.define(conn.dumpxml("backup").xml.replace("backup</name>", "loose</name>")
                .replace(f"{IMAGES}/backup.qcow2", "/srv/loose.qcow2").replace("<uuid>", "<!--").replace("</uuid>", "-->"))
    err = _refused(conn, lambda: conn.clone("loose", "loose2"), NotFound)
    assert "in no storage pool" in err.message and "pool-define-as" in err.hint


def test_virsh_has_no_clone_and_says_where_it_is(conn):
    res = conn.virsh("clone backup backup2")
    assert res.exit_code == 1 and "error: unknown command: 'clone'" in res.stderr
    assert "virt-clone --original SRC --name NEW" in res.stderr and "conn.clone(SRC, NEW)" in res.stderr
    assert "backup2" not in conn.list(all=True).names


def test_a_volume_disk_becomes_the_clones_volume(conn):
    xml = conn.dumpxml("backup").xml.replace("<name>backup</name>", "<name>vold</name>")
    xml = xml.split("<uuid>")[0] + xml.split("</uuid>")[1]
    xml = xml.replace("<disk type='file' device='disk'>", "<disk type='volume' device='disk'>").replace(
        f"<source file='{IMAGES}/backup.qcow2'/>", "<source pool='default' volume='backup.qcow2'/>")
    conn.define(xml)
    made = conn.clone("vold", "vold2", disks="overlay")
    assert str(made).startswith("Allocating 'backup-clone.qcow2'")  # virt-clone's name: not named after the domain
    disk = conn.dumpxml("vold2", xpath="//disk/source|//disk/driver").xml
    assert "volume=\"backup-clone.qcow2\"" in disk and "type=\"qcow2\"" in disk  # an overlay is read as qcow2
