"""vol-clone, vol-resize, vol-upload, vol-download and pool-delete on the embedded lab (pool ``default``
holds web01.qcow2 …; pool ``iso`` is stopped). What the test driver cannot do (resize, upload,
download) fails with virsh's lines and a hint that names the real lab; tests/lab/test_disk_real.py
runs them for real."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState, NotFound, Unsupported
from kvmlab.ops.volume_clone import CloneXml
from kvmlab.ops.vsh import ull_option

from .test_pool import unchanged, virsh_lab

IMAGES = "/var/lib/libvirt/images"


# --- vol-clone ------------------------------------------------------------------------------------

def test_clone_copies_the_definition_under_a_new_name(conn):
    done = conn.vol_clone("web01.qcow2", "web02.qcow2", pool="default")
    assert str(done) == "Vol web02.qcow2 cloned from web01.qcow2\n"
    assert done.virsh == "virsh vol-clone web01.qcow2 web02.qcow2 --pool default"
    assert done.api[-1] == "new = pool.createXMLFrom(xml, vol, 0)" and done.path == f"{IMAGES}/web02.qcow2"
    assert str(conn.vol_info("web02.qcow2", pool="default")) == virsh_lab(
        "vol-info web02.qcow2 --pool default", setup="vol-clone web01.qcow2 web02.qcow2 --pool default")


def test_clone_by_path_names_both_volumes_as_libvirt_does(conn):
    done = conn.vol_clone(f"{IMAGES}/db01.qcow2", "db02.qcow2")
    assert done.message == "Vol db02.qcow2 cloned from db01.qcow2" and done.pool == "default"


def test_clone_print_xml_is_virshs_document_and_creates_nothing(conn):
    shown = unchanged_ok(conn, lambda: conn.vol_clone("web01.qcow2", "web02.qcow2", pool="default", print_xml=True))
    assert isinstance(shown, CloneXml)
    assert str(shown) == virsh_lab("vol-clone web01.qcow2 web02.qcow2 --pool default --print-xml")
    assert shown.xml.startswith('<volume type="file">') and "<name>web02.qcow2</name>" in shown.xml
    assert not shown.xml.endswith("\n")  # libxml2's node dump: virsh's separator is the only newline


def unchanged_ok(conn, call):
    from tests.conftest import inventory

    before = inventory(conn)
    result = call()
    assert inventory(conn) == before
    return result


@pytest.mark.parametrize("newname", ["a&b", "a&amp;b", "x\x01y"])
def test_clone_names_virsh_would_read_as_xml_are_refused(conn, newname):
    err = unchanged(conn, lambda: conn.vol_clone("web01.qcow2", newname, pool="default"), InvalidInput)
    assert err.virsh_error[0] == "Failed to clone vol from web01.qcow2"
    assert ("entity reference" in err.hint) == ("&" in newname)


def test_clone_errors_are_virshs(conn):
    err = unchanged(conn, lambda: conn.vol_clone("web01.qcow2", "db01.qcow2", pool="default"))
    assert err.virsh_error[0] == "Failed to clone vol from web01.qcow2" and "pick another name" in err.hint
    err = unchanged(conn, lambda: conn.vol_clone("web01.qcow2", "", pool="default"), InvalidInput)
    assert err.virsh_error == ["Failed to get option 'newname': Option argument is empty"]
    err = unchanged(conn, lambda: conn.vol_clone("nosuch", "x", pool="default"), NotFound)
    assert err.virsh_error[0] == "failed to get vol 'nosuch'"
    err = unchanged(conn, lambda: conn.vol_clone("web01.qcow2", "x", pool="default", reflink=True), Unsupported)
    assert "unsupported flags (0x2)" in err.virsh_error[1]
    unchanged(conn, lambda: conn.vol_clone("debian-12-netinst.iso", "x", pool="iso"), InvalidState)


# --- vol-resize -----------------------------------------------------------------------------------

def test_resize_is_not_in_the_test_driver_and_says_where_it_is(conn):
    err = unchanged(conn, lambda: conn.vol_resize("web01.qcow2", "20G", pool="default"), Unsupported)
    assert err.virsh_error == ["Failed to change size of volume 'web01.qcow2' to 20G",
                               "this function is not supported by the connection driver: virStorageVolResize"]
    assert "real lab" in err.hint


def test_resize_checks_its_size_before_libvirt(conn):
    err = unchanged(conn, lambda: conn.vol_resize("web01.qcow2", "-1G", pool="default"), InvalidInput)
    assert err.virsh_error == ["negative size requires --shrink"] and "--shrink" in err.hint
    err = unchanged(conn, lambda: conn.vol_resize("web01.qcow2", "1.5G", pool="default"), InvalidInput)
    assert err.virsh_error == ["Malformed size 1.5G", "invalid argument: unknown suffix '.5G'"]
    err = unchanged(conn, lambda: conn.vol_resize("web01.qcow2", " -1G", pool="default", shrink=True), Unsupported)
    assert err.virsh_error[0] == "Failed to change size of volume 'web01.qcow2' by 1G"  # a negative size is a delta


# --- vol-upload / vol-download ------------------------------------------------------------------

def test_upload_and_download_are_not_in_the_test_driver(conn, tmp_path):
    src = tmp_path / "up.txt"
    src.write_text("data\n")
    err = unchanged(conn, lambda: conn.vol_upload("web01.qcow2", src, pool="default"), Unsupported)
    assert err.virsh_error == ["cannot upload to volume web01.qcow2",
                               "this function is not supported by the connection driver: virStorageVolUpload"]
    assert "real lab" in err.hint
    dst = tmp_path / "down.bin"
    err = unchanged(conn, lambda: conn.vol_download("web01.qcow2", dst, pool="default"), Unsupported)
    assert err.virsh_error[0] == "cannot download from volume web01.qcow2"
    assert not dst.exists(), "a download that never ran leaves no file behind (virsh unlinks it too)"


def test_a_refused_download_leaves_an_existing_file_as_it_was(conn, tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("precious\n")
    unchanged(conn, lambda: conn.vol_download("web01.qcow2", keep, pool="default"), Unsupported)
    assert keep.read_text() == "precious\n"


def test_file_errors_are_virshs_own_lines(conn, tmp_path):
    err = unchanged(conn, lambda: conn.vol_upload("web01.qcow2", tmp_path / "none", pool="default"))
    assert err.virsh_error == [f"cannot read {tmp_path / 'none'}"] and "THIS machine" in err.hint
    err = unchanged(conn, lambda: conn.vol_download("web01.qcow2", tmp_path / "no" / "x", pool="default"))
    assert err.virsh_error == [f"cannot create {tmp_path / 'no' / 'x'}"]


@pytest.mark.parametrize("bad", [b"x", 3.5, None, "a\0b"])
def test_file_must_be_a_path(conn, bad):
    unchanged(conn, lambda: conn.vol_upload("web01.qcow2", bad, pool="default"), InvalidInput)


@pytest.mark.parametrize("text,wrap,value", [
    ("0", False, 0), (" 5", False, 5), ("+7", False, 7), (12, False, 12), ("-1", True, 2**64 - 1),
    ("-0", True, 0), ("18446744073709551615", False, 2**64 - 1),
])
def test_numbers_as_virsh_reads_them(text, wrap, value):
    assert ull_option(text, "length", wrap=wrap) == value


@pytest.mark.parametrize("text,wrap", [("", False), ("5 ", False), ("-0", False), ("-1", False), ("1M", False),
                                       ("0x10", False), ("18446744073709551616", True), ("٣", False),
                                       ("5\n", False), (True, False), (1.5, False)])
def test_malformed_numbers_are_refused_in_virshs_words(text, wrap):
    with pytest.raises(InvalidInput) as info:
        ull_option(text, "offset", wrap=wrap)
    if isinstance(text, str):
        assert info.value.virsh_error == [f"Numeric value '{text}' for <offset> option is malformed or out of range"]
    assert info.value.hint


# --- pool-delete ----------------------------------------------------------------------------------

def test_pool_delete_needs_a_stopped_pool(conn):
    err = unchanged(conn, lambda: conn.pool_delete("default"), InvalidState)
    assert err.virsh_error == ["Failed to delete pool default",
                               "Requested operation is not valid: storage pool 'default' is active"]
    assert "pool-destroy default" in err.hint
    done = conn.pool_delete("iso")
    assert (str(done), done.virsh, done.api[-1]) == ("Pool iso deleted\n", "virsh pool-delete iso", "pool.delete(0)")
    assert conn.pool_info("iso").state == "inactive"  # the definition stays: pool-undefine forgets it
    unchanged(conn, lambda: conn.pool_delete("nosuch"), NotFound)
