"""Volume operations on the embedded lab: pool ``default`` (running) holds web01.qcow2, db01.qcow2,
build.qcow2 and backup.qcow2; pool ``iso`` (stopped) holds debian-12-netinst.iso."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState, NotFound, Unsupported, Xml

from .test_pool import unchanged, virsh_lab

IMAGES = "/var/lib/libvirt/images"


# --- vol-list -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("details", [False, True])
def test_vol_list_matches_virsh(conn, details):
    result = conn.vol_list("default", details=details)
    assert str(result) == virsh_lab("vol-list default" + (" --details" if details else ""))
    assert result.virsh == "virsh vol-list default" + (" --details" if details else "")
    assert result.api[:2] == ["pool = conn.storagePoolLookupByName('default')", "pool.listAllVolumes(0)"]


def test_vol_list_typed(conn):
    vols = conn.vol_list("default", details=True)
    assert vols.names == ["backup.qcow2", "build.qcow2", "db01.qcow2", "web01.qcow2"]
    web = vols.volumes[-1]
    assert (web.path, web.type) == (f"{IMAGES}/web01.qcow2", "file")
    assert (web.capacity, web.allocation) == (10 * 2**30, 4 * 2**30)
    assert vols.pool == "default" and "db01.qcow2" in vols and len(vols) == 4
    html = vols._repr_html_()
    assert "<table" in html and "web01.qcow2" in html and "vol-list default --details" in html


def test_vol_list_of_a_stopped_pool(conn):
    err = unchanged(conn, lambda: conn.vol_list("iso"), InvalidState)
    assert err.virsh_error == ["Failed to list volumes",
                               "Requested operation is not valid: storage pool is not active"]
    assert "pool-start iso" in err.hint


def test_vol_list_unknown_pool(conn):
    err = unchanged(conn, lambda: conn.vol_list("nosuch"), NotFound)
    assert err.virsh_error[0] == "failed to get pool 'nosuch'"


# --- vol-create-as --------------------------------------------------------------------------------------

def test_create_list_info_delete(conn):
    msg = conn.vol_create_as("default", "new.qcow2", "1G", format="qcow2")
    assert str(msg) == "Vol new.qcow2 created\n"
    assert (msg.vol, msg.pool, msg.path) == ("new.qcow2", "default", f"{IMAGES}/new.qcow2")
    assert msg.virsh == "virsh vol-create-as default new.qcow2 1G --format qcow2"
    assert msg.api == ["pool = conn.storagePoolLookupByName('default')", "vol = pool.createXML(xml, 0)"]
    assert "new.qcow2" in conn.vol_list("default")
    info = conn.vol_info("new.qcow2", pool="default")
    assert (info.name, info.type, info.capacity, info.allocation) == ("new.qcow2", "file", 2**30, 2**30)
    assert "<format type='qcow2'/>" in conn.vol_dumpxml("new.qcow2", pool="default").xml
    gone = conn.vol_delete("new.qcow2", pool="default")
    assert str(gone) == "Vol new.qcow2 deleted\n" and gone.path == f"{IMAGES}/new.qcow2"
    assert "new.qcow2" not in conn.vol_list("default")


@pytest.mark.parametrize("capacity,nbytes", [
    ("1G", 2**30), ("1GiB", 2**30), ("1g", 2**30), ("1gib", 2**30), ("1GB", 10**9), ("1Gb", 10**9),
    ("512M", 512 * 2**20), ("100K", 100 * 1024), ("100KB", 100_000), ("1500", 1500), ("7bytes", 7),
    ("2b", 2), (" 5", 5), ("+3", 3), (4096, 4096), (0, 0),
])
def test_sizes_as_virsh_reads_them(conn, capacity, nbytes):
    conn.vol_create_as("default", "v", capacity)
    assert conn.vol_info("v", pool="default").capacity == nbytes


def test_allocation_and_print_xml(conn):
    shown = conn.vol_create_as("default", "v", "10M", allocation="1M", format="raw", print_xml=True)
    assert isinstance(shown, Xml)
    assert str(shown) == virsh_lab("vol-create-as default v 10M --allocation 1M --format raw --print-xml")
    assert "v" not in conn.vol_list("default")  # only printed
    conn.vol_create_as("default", "v", "10M", allocation="1M")
    info = conn.vol_info("v", pool="default")
    assert (info.capacity, info.allocation) == (10 * 2**20, 2**20)
    assert str(info) == virsh_lab("vol-info v --pool default", setup="vol-create-as default v 10M --allocation 1M")


def test_backing_volume(conn):
    shown = conn.vol_create_as("default", "top.qcow2", "10G", format="qcow2", backing_vol="web01.qcow2",
                               backing_vol_format="qcow2", print_xml=True)
    assert f"<path>{IMAGES}/web01.qcow2</path>" in shown.xml
    assert str(shown) == virsh_lab("vol-create-as default top.qcow2 10G --format qcow2 --backing-vol web01.qcow2 "
                                   "--backing-vol-format qcow2 --print-xml")
    err = unchanged(conn, lambda: conn.vol_create_as("default", "top", "1G", backing_vol="nosuch"), NotFound)
    assert err.virsh_error == ["failed to get vol 'nosuch'",
                               "Storage volume not found: no storage vol with matching path 'nosuch'"]


@pytest.mark.parametrize("capacity,lines", [
    ("1.5G", ["Malformed size 1.5G", "invalid argument: unknown suffix '.5G'"]),
    ("1X", ["Malformed size 1X", "invalid argument: unknown suffix 'X'"]),
    ("-1", ["Malformed size -1"]),
    (-1, ["Malformed size -1"]),
    ("99999999999E", ["Malformed size 99999999999E", "numerical overflow: value too large: 99999999999E"]),
    ("99999999999999999999999", ["Malformed size 99999999999999999999999"]),
    ("lots", ["Malformed size lots"]),
    ("", ["Failed to get option 'capacity': Option argument is empty"]),
    (True, ["Malformed size True"]),
])
def test_bad_sizes_change_nothing(conn, capacity, lines):
    err = unchanged(conn, lambda: conn.vol_create_as("default", "v", capacity), InvalidInput)
    assert err.virsh_error == lines


def test_bad_allocation(conn):
    err = unchanged(conn, lambda: conn.vol_create_as("default", "v", "1G", allocation="zz"), InvalidInput)
    assert err.virsh_error == ["Malformed size zz"]
    assert "1G = 1GiB" in err.hint


def test_no_room(conn):
    err = unchanged(conn, lambda: conn.vol_create_as("default", "huge", "200T"))
    assert err.virsh_error == ["Failed to create vol huge",
                               "internal error: Not enough free space in pool for volume 'huge'"]
    assert "pool-info" in err.hint


def test_duplicate_volume(conn):
    err = unchanged(conn, lambda: conn.vol_create_as("default", "web01.qcow2", "1G"))
    assert err.virsh_error == ["Failed to create vol web01.qcow2", "operation failed: storage vol already exists"]


def test_create_in_a_stopped_pool(conn):
    err = unchanged(conn, lambda: conn.vol_create_as("iso", "v", "1G"), InvalidState)
    assert err.virsh_error[0] == "Failed to create vol v" and "pool-start iso" in err.hint


@pytest.mark.parametrize("kwargs", [
    {"name": "a<b"}, {"name": "a&b"}, {"name": ""}, {"format": "q'x"}, {"format": ""}, {"pool": ""},
    {"pool": "nosuch"},
])
def test_bad_names_change_nothing(conn, kwargs):
    args = {"pool": "default", "name": "v", "capacity": "1M", **kwargs}
    unchanged(conn, lambda: conn.vol_create_as(**args))


def test_unknown_format(conn):
    err = unchanged(conn, lambda: conn.vol_create_as("default", "v", "1M", format="bogus"), InvalidInput)
    assert err.virsh_error == ["Failed to create vol v", "unsupported configuration: unknown volume format type bogus"]


# --- vol-info, vol-dumpxml, vol-delete ---------------------------------------------------------------------

@pytest.mark.parametrize("args,line", [
    (("web01.qcow2", "default", False), "vol-info web01.qcow2 --pool default"),
    ((f"{IMAGES}/db01.qcow2", None, False), f"vol-info {IMAGES}/db01.qcow2"),
    (("build.qcow2", "default", True), "vol-info build.qcow2 --pool default --bytes"),
    (("web01.qcow2", "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566", False),
     "vol-info web01.qcow2 --pool dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"),
])
def test_vol_info_matches_virsh(conn, args, line):
    vol, pool, bytes_ = args
    info = conn.vol_info(vol, pool=pool, bytes=bytes_)
    assert str(info) == virsh_lab(line)
    assert info.virsh == "virsh " + line
    assert "<table" in info._repr_html_()


def test_vol_lookup_errors(conn):
    err = unchanged(conn, lambda: conn.vol_info("web01.qcow2"), NotFound)
    assert err.virsh_error == ["failed to get vol 'web01.qcow2', specifying --pool might help",
                               "Storage volume not found: no storage vol with matching path 'web01.qcow2'"]
    assert "--pool" in err.hint
    err = unchanged(conn, lambda: conn.vol_info("nosuch", pool="default"), NotFound)
    assert err.virsh_error[0] == "failed to get vol 'nosuch'"
    err = unchanged(conn, lambda: conn.vol_info("debian-12-netinst.iso", pool="iso"), InvalidState)
    assert err.virsh_error == ["pool 'iso' is not active"] and "pool-start iso" in err.hint
    err = unchanged(conn, lambda: conn.vol_info(f"{IMAGES}/web01.qcow2", pool="iso"), InvalidState)
    err = unchanged(conn, lambda: conn.vol_info("", pool=""), InvalidInput)
    assert err.virsh_error == ["Failed to get option 'vol': Option argument is empty"]


def test_volume_in_another_pool(conn):
    conn.pool_start("iso")
    err = unchanged(conn, lambda: conn.vol_info(f"{IMAGES}/web01.qcow2", pool="iso"), NotFound)
    assert err.virsh_error == ["Requested volume '/var/lib/libvirt/images/web01.qcow2' is not in pool 'iso'"]


def test_vol_info_physical_is_unsupported_here(conn):
    """virsh prints the Name line, then fails: the error carries that partial output."""
    err = unchanged(conn, lambda: conn.vol_info("web01.qcow2", pool="default", physical=True), Unsupported)
    assert err.partial_stdout == "Name:           web01.qcow2\n"
    assert err.virsh_error == ["this function is not supported by the connection driver: virStorageVolGetInfoFlags"]


def test_vol_dumpxml(conn):
    result = conn.vol_dumpxml("web01.qcow2", pool="default")
    assert str(result) == virsh_lab("vol-dumpxml web01.qcow2 --pool default")
    assert result.api[-1] == "vol.XMLDesc(0)"
    assert str(conn.vol_dumpxml(f"{IMAGES}/web01.qcow2", xpath="//capacity")) == virsh_lab(
        f"vol-dumpxml {IMAGES}/web01.qcow2 --xpath //capacity")


def test_vol_delete_by_path_then_again(conn):
    msg = conn.vol_delete(f"{IMAGES}/build.qcow2")
    assert str(msg) == f"Vol {IMAGES}/build.qcow2 deleted\n"
    assert msg.api == [f"vol = conn.storageVolLookupByKey('{IMAGES}/build.qcow2')", "vol.delete(0)"]
    assert conn.vol_list("default").names == ["backup.qcow2", "db01.qcow2", "web01.qcow2"]
    err = unchanged(conn, lambda: conn.vol_delete("build.qcow2", pool="default"), NotFound)
    assert err.virsh_error[0] == "failed to get vol 'build.qcow2'"


def test_vol_delete_with_unsupported_flag(conn):
    err = unchanged(conn, lambda: conn.vol_delete("web01.qcow2", pool="default", delete_snapshots=True))
    assert err.virsh_error == ["Failed to delete vol web01.qcow2",
                               "unsupported flags (0x2) in function testStorageVolDelete"]
