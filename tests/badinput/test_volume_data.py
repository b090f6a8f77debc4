"""Bad input to lesson 13's commands: vol-clone, vol-resize, vol-upload, vol-download, pool-delete (from
Python and as argv bytes, against real virsh) and the qemu-img wrappers. Each is a KvmlabError with a
hint, never a bare Python exception, and nothing changes."""

from __future__ import annotations

import os

import pytest

from kvmlab import InvalidInput, NotFound, OperationFailed, UsageError
from kvmlab.concepts.disk_images import ImageFiles

from .conftest import URI, assert_batch_unchanged, assert_virsh_same, refused

FF = b"a\xffb".decode("utf-8", "surrogateescape")

WRONG = [
    ("clone list name", lambda c: c.vol_clone("web01.qcow2", ["x"], pool="default"), InvalidInput),
    ("clone bytes vol", lambda c: c.vol_clone(b"web01.qcow2", "x", pool="default"), InvalidInput),
    ("clone NUL name", lambda c: c.vol_clone("web01.qcow2", "a\0b", pool="default"), InvalidInput),
    ("clone & name", lambda c: c.vol_clone("web01.qcow2", "R&D", pool="default"), InvalidInput),
    ("resize float", lambda c: c.vol_resize("web01.qcow2", 1.5, pool="default"), InvalidInput),
    ("resize bool", lambda c: c.vol_resize("web01.qcow2", True, pool="default"), InvalidInput),
    ("resize huge", lambda c: c.vol_resize("web01.qcow2", "99999999999E", pool="default"), InvalidInput),
    ("resize negative", lambda c: c.vol_resize("web01.qcow2", "-1G", pool="default"), InvalidInput),
    ("upload bytes file", lambda c: c.vol_upload("web01.qcow2", b"/etc/hostname", pool="default"), InvalidInput),
    ("upload NUL file", lambda c: c.vol_upload("web01.qcow2", "/etc\0/x", pool="default"), InvalidInput),
    ("upload float offset", lambda c: c.vol_upload("web01.qcow2", "/etc/hostname", offset=1.5), InvalidInput),
    ("upload negative offset", lambda c: c.vol_upload("web01.qcow2", "/etc/hostname", offset=-1), InvalidInput),
    ("upload 2**64 length", lambda c: c.vol_upload("web01.qcow2", "/etc/hostname", length=2**64), InvalidInput),
    ("download list file", lambda c: c.vol_download("web01.qcow2", ["x"], pool="default"), InvalidInput),
    ("download a directory", lambda c: c.vol_download("web01.qcow2", "/", pool="default"), OperationFailed),
    ("download unit length", lambda c: c.vol_download("web01.qcow2", "/dev/null", length="1M"), InvalidInput),
    ("pool-delete dict", lambda c: c.pool_delete({"pool": "iso"}), InvalidInput),
    ("pool-delete NUL", lambda c: c.pool_delete("is\0o"), InvalidInput),
    ("pool-delete undecodable", lambda c: c.pool_delete(FF), NotFound),
]


@pytest.mark.parametrize("call,cls", [(c, k) for _, c, k in WRONG], ids=[n for n, _, _ in WRONG])
def test_wrong_values_from_python(lab, call, cls):
    refused(lambda: call(lab), cls)


@pytest.mark.parametrize("argv", [
    ["vol-clone", FF, "x"], ["vol-clone", "--pool", "default-pool", FF, "x"], ["vol-upload", FF, "/etc/hostname"],
    ["vol-download", FF, "/dev/null"], ["pool-delete", FF], ["vol-resize", FF, "1M"],
    ["vol-upload", "x", "/etc/hostname", "--offset", FF], ["vol-download", "x", "/dev/null", "--length", "\x01"],
    ["vol-upload", "x", "/etc/hostname", "--length", "99999999999999999999999"],
], ids=repr)
def test_argv_bytes_as_virsh(argv):
    assert_virsh_same(["-c", URI, *argv])


@pytest.mark.parametrize("batch", [
    f"vol-create-as default-pool v 1M; vol-upload v /nonexistent/{FF} --pool default-pool",
    f"vol-create-as default-pool v 1M; vol-download v /nonexistent/{FF} --pool default-pool",
    f"vol-create-as default-pool v 1M; vol-clone v '' --pool default-pool",
    f"vol-create-as default-pool v 1M; vol-resize v '\x01' --pool default-pool",
    f"vol-create-as default-pool v 1M; vol-upload v /etc/hostname --pool default-pool --offset '%n'",
])
def test_batches_as_virsh_and_nothing_changes(batch):
    assert_batch_unchanged(f"{batch}; vol-delete v --pool default-pool")


def test_a_download_to_an_undecodable_path_leaves_nothing(lab, tmp_path):
    target = os.fsdecode(bytes(tmp_path) + b"/\xff.bin")
    refused(lambda: lab.vol_download("web01.qcow2", target, pool="default"))
    assert os.listdir(tmp_path) == []


QEMU_IMG = [
    ("a path out of the workspace", lambda ws: ws.create("../x.qcow2", "1M")),
    ("a protocol prefix", lambda ws: ws.create("nbd:x", "1M")),
    ("a size read as an option", lambda ws: ws.create("x.qcow2", "-1M")),
    ("a size with a space", lambda ws: ws.create("x.qcow2", "1 G")),
    ("a float size", lambda ws: ws.create("x.qcow2", 1.5)),
    ("no size and no backing file", lambda ws: ws.create("x.qcow2")),
    ("a format with shell in it", lambda ws: ws.create("x.qcow2", "1M", format="qcow2;rm")),
    ("NUL in a name", lambda ws: ws.create("x\0.qcow2", "1M")),
    ("unknown preallocation", lambda ws: ws.create("x.raw", "1M", preallocation="lots")),
    ("a pattern that is no byte", lambda ws: ws.write("b.qcow2", 0, "1k", pattern=256)),
    ("a name as bytes", lambda ws: ws.info(b"b.qcow2")),
    ("an existing file", lambda ws: ws.create("b.qcow2", "2M")),
]


@pytest.mark.parametrize("call", [c for _, c in QEMU_IMG], ids=[n for n, _ in QEMU_IMG])
def test_qemu_img_bad_input_is_refused_before_it_runs(tmp_path, call):
    ws = ImageFiles(tmp_path)
    ws.create("b.qcow2", "1M")
    before = sorted(os.listdir(tmp_path))
    err = refused(lambda: call(ws))
    assert not isinstance(err, UsageError) and sorted(os.listdir(tmp_path)) == before


def test_an_undecodable_file_name_is_a_file_like_any_other(tmp_path):
    """Linux file names are bytes: qemu-img makes one, and its report (which quotes the name) still reads."""
    ws = ImageFiles(tmp_path)
    done = ws.create(FF, "1M", format="raw")
    assert "Formatting 'a\ufffdb'" in str(done) and ws.info(FF).virtual_size == 2**20
