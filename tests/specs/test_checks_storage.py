"""Pool and volume teaching checks."""

from __future__ import annotations

import pytest

from kvmlab.specs import PoolSpec, VolumeSpec, check_xml

from .virsh import define

T = "<target><path>/var/lib/kvmlab/p1</path></target>"


def pool(kind: str, body: str, name: str = "<name>p1</name>") -> str:
    return f"<pool type='{kind}'>{name}{body}</pool>"


def vol(body: str, name: str = "<name>v1</name>") -> str:
    return f"<volume>{name}{body}</volume>"


def checks(kind: str, xml: str, severity: str = "error"):
    return [p for p in check_xml(kind, xml) if p.source == "check" and p.severity == severity]


@pytest.mark.parametrize("kind,xml", [
    ("pool", pool("dir", T)),
    ("pool", pool("fs", "<source><device path='/dev/sdb1'/><format type='ext4'/></source>" + T)),
    ("pool", pool("netfs", "<source><host name='nfs.example'/><dir path='/export'/></source>" + T)),
    ("pool", pool("logical", "<source><name>vg0</name></source><target><path>/dev/vg0</path></target>")),
    ("volume", vol("<capacity unit='GiB'>1</capacity><target><format type='qcow2'/></target>")),
    ("volume", vol("<capacity>1048576</capacity><allocation>0</allocation><target><format type='raw'/></target>")),
])
def test_good_storage_passes_and_defines(kind, xml, tmp_path):
    assert check_xml(kind, xml) == []
    assert define(kind, xml, tmp_path).returncode == 0


# (kind, XML, path, words in message, words in fix, what virsh says or None)
CASES = [
    ("pool", pool("dir", T, name=""), "/pool", "has no <name>", "<name>images</name>", None),
    ("pool", pool("dir", T, name="<name>a/b</name>"), "/pool/name", "contains '/'", "letters", "cannot contain '/'"),
    ("pool", pool("dir", ""), "/pool", "a dir pool needs <target><path>", "the directory that holds the images",
     "missing storage pool target path"),
    ("pool", pool("netfs", "<source><host name='h'/><dir path='/e'/></source>"), "/pool",
     "a netfs pool needs <target><path>", "mounted", "missing storage pool target path"),
    ("pool", pool("dir", "<target><path>images</path></target>"), "/pool/target/path", "is relative",
     "absolute path", None),
    ("pool", pool("fs", T), "/pool", "an fs pool needs the block device", "/dev/sdb1",
     "missing storage pool source device name"),
    ("pool", pool("netfs", "<source><dir path='/export'/></source>" + T), "/pool", "needs the server", "nfs.example",
     "missing storage pool source host name"),
    ("pool", pool("netfs", "<source><host name='nfs'/></source>" + T), "/pool", "needs the exported directory",
     "/export/images", None),
    ("pool", pool("disk", "<target><path>/dev</path></target>"), "/pool", "a disk pool needs the disk",
     "/dev/sdb", None),
    ("volume", vol("<capacity>1</capacity>", name=""), "/volume", "has no <name>", "file name",
     "missing volume name element"),
    ("volume", vol("<capacity>1</capacity>", name="<name>../escape</name>"), "/volume/name",
     "is not a plain file name", "cannot contain '/'", None),
    ("volume", vol("<capacity>1</capacity>", name="<name>..</name>"), "/volume/name", "is not a plain file name",
     "not '.' or '..'", None),
    ("volume", vol(""), "/volume", "has no <capacity>", "unit='GiB'", "missing capacity element"),
    ("volume", vol("<capacity>-1</capacity>"), "/volume/capacity", "'-1' is not a whole number", "unit='GiB'",
     "malformed capacity element"),
    ("volume", vol("<capacity unit='EiB'>16</capacity>"), "/volume/capacity", "numerical overflow", "unit",
     "numerical overflow"),
    ("volume", vol("<capacity unit='parsec'>1</capacity>"), "/volume/capacity", "not a unit libvirt knows", "GiB",
     "unknown suffix 'parsec'"),
    ("volume", vol("<capacity>1</capacity><allocation>-5</allocation>"), "/volume/allocation",
     "not a size libvirt accepts", "sparse", "malformed capacity element"),
    ("volume", vol("<capacity>1</capacity><target><format type='teleport'/></target>"), "/volume/target/format",
     "format 'teleport' is not a volume format", "qcow2 (copy-on-write", "unknown volume format type teleport"),
]


@pytest.mark.parametrize("kind,xml,path,what,fix,virsh_says", CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_check(kind, xml, path, what, fix, virsh_says, tmp_path):
    found = [p for p in checks(kind, xml) if p.path == path]
    assert len(found) == 1, check_xml(kind, xml)
    assert what in found[0].message and fix in found[0].fix
    if virsh_says:
        run = define(kind, xml, tmp_path)
        assert run.returncode == 1 and virsh_says in run.stderr


# (kind, XML, path, words in message, words in fix): libvirt defines each (real virsh shows it)
NOTES = [
    ("pool", pool("logical", "<target><path>/dev/vg0</path></target>"), "/pool",
     "libvirt assumes the group is named like the pool ('p1')", "<source><name>vg0</name></source>"),
    ("pool", pool("logical", "<source><name>vg7</name></source>", name=""), "/pool",
     "libvirt names it after its source, 'vg7'", "<name>vg7</name>"),
    ("volume", vol("<capacity>0</capacity>"), "/volume/capacity", "<capacity> is 0: libvirt accepts it", "GiB"),
]


@pytest.mark.parametrize("kind,xml,path,what,fix", NOTES, ids=[str(i) for i in range(len(NOTES))])
def test_what_libvirt_accepts_is_a_note(kind, xml, path, what, fix, tmp_path):
    [note] = [p for p in checks(kind, xml, "note") if p.path == path]
    assert what in note.message and fix in note.fix
    assert checks(kind, xml) == []
    assert define(kind, xml, tmp_path).returncode == 0


def test_a_backing_store_gives_the_capacity():
    """libvirt's storage driver takes the size from the backing file (the test driver's vol-create does not)."""
    xml = vol("<target><format type='qcow2'/></target><backingStore><path>/var/lib/libvirt/images/base.qcow2"
              "</path><format type='qcow2'/></backingStore>")
    [note] = checks("volume", xml, "note")
    assert "as large as its backing file /var/lib/libvirt/images/base.qcow2" in note.message
    assert checks("volume", xml) == []


def test_iscsi_volume_formats_are_notes_not_refusals(tmp_path):
    """'unknown' is what libvirt itself prints for iSCSI volumes; a dir pool (virsh's default-pool) refuses it."""
    xml = vol("<capacity>1</capacity><target><format type='unknown'/></target>")
    [note] = checks("volume", xml, "note")
    assert "iSCSI, SCSI and disk pools" in note.message and "a dir pool refuses it" in note.message
    assert checks("volume", xml) == []
    run = define("volume", xml, tmp_path)
    assert run.returncode == 1 and "unknown volume format type unknown" in run.stderr


def test_the_test_driver_takes_names_real_dir_pools_refuse(tmp_path):
    """The check teaches what libvirt's dir backend enforces; the test driver does not."""
    xml = vol("<capacity>1</capacity>", name="<name>a/b</name>")
    assert checks("volume", xml)
    assert define("volume", xml, tmp_path).returncode == 0


def test_allocation_over_capacity_is_a_note():
    [note] = checks("volume", vol("<capacity unit='MiB'>1</capacity><allocation unit='MiB'>2</allocation>"), "note")
    assert "is more than <capacity>" in note.message


def test_specs_for_every_cli_pool_type_are_clean():
    for spec in (PoolSpec(type="dir", name="a", target="/a"),
                 PoolSpec(type="fs", name="b", target="/b", source_devices=["/dev/sdb1"]),
                 PoolSpec(type="netfs", name="c", target="/c", source_host="h", source_dir="/e"),
                 PoolSpec(type="logical", name="d", target="/dev/d", source_name="d"),
                 VolumeSpec(name="e", capacity="1GiB", format="raw")):
        assert spec.problems() == []
