"""qemu-img and qemu-io run for real on files in a temporary directory: the commands shown, the numbers
read back, thin provisioning measured with os.stat, backing chains, and errors in qemu-img's own words."""

from __future__ import annotations

import os
import subprocess

import pytest

from kvmlab import InvalidInput, NotFound, OperationFailed, Unsupported
from kvmlab.concepts import disk_images, qemu_img
from kvmlab.concepts.disk_images import ImageFiles

MiB, GiB = 2**20, 2**30


@pytest.fixture
def ws(tmp_path):
    return ImageFiles(tmp_path)


def test_create_shows_the_command_and_what_qemu_img_printed(ws):
    done = ws.create("disk.qcow2", "1G")
    assert done.command == "qemu-img create -f qcow2 disk.qcow2 1G"
    assert str(done).startswith("Formatting 'disk.qcow2', fmt=qcow2 ") and "size=1073741824" in str(done)
    assert "$ qemu-img create -f qcow2 disk.qcow2 1G" in done._repr_html_()
    real = subprocess.run(["qemu-img", "info", "--output=json", str(ws.path("disk.qcow2"))], capture_output=True,
                          text=True, check=True).stdout
    assert '"virtual-size": 1073741824' in real


def test_info_reads_back_format_and_sizes(ws):
    ws.create("disk.raw", "1.5G", format="raw")  # qemu-img takes fractions, unlike virsh
    info = ws.info("disk.raw")
    assert (info.format, info.virtual_size, info.backing_file) == ("raw", 3 * GiB // 2, None)
    assert info.command == "qemu-img info disk.raw" and "virtual size: 1.5 GiB (1610612736 bytes)" in str(info)


def test_a_sparse_raw_file_and_a_short_qcow2_file(ws):
    ws.create("disk.raw", "1G", format="raw")
    ws.create("disk.qcow2", "1G")
    use = ws.usage("disk.raw", "disk.qcow2")
    raw, qcow = use["disk.raw"], use["disk.qcow2"]
    st = os.stat(ws.path("disk.raw"))
    assert (raw.apparent, raw.allocated) == (st.st_size, st.st_blocks * 512) == (GiB, raw.allocated)
    assert raw.sparse and raw.allocated < MiB  # a 1 GiB hole
    assert qcow.apparent < MiB and not qcow.sparse  # not sparse: short
    assert "du -B1 disk.raw disk.qcow2" in use.command and "1.00 GiB (1073741824)" in str(use)


def test_writing_allocates_and_preallocation_full_is_thick(ws):
    ws.create("disk.raw", "64M", format="raw")
    assert str(ws.write("disk.raw", 0, "4M", pattern=0x11)) == "wrote 4194304/4194304 bytes at offset 0\n"
    grown = ws.usage("disk.raw")["disk.raw"]
    assert 4 * MiB <= grown.allocated < 5 * MiB and grown.apparent == 64 * MiB
    ws.create("thick.raw", "8M", format="raw", preallocation="full")
    thick = ws.usage("thick.raw")["thick.raw"]
    assert thick.allocated >= thick.apparent == 8 * MiB and not thick.sparse


def test_an_overlay_reads_through_and_keeps_its_own_writes(ws):
    ws.create("base.qcow2", "64M")
    ws.write("base.qcow2", 0, "1M", pattern=0x5A)
    made = ws.create("top.qcow2", backing="base.qcow2", backing_format="qcow2")
    assert made.command == "qemu-img create -f qcow2 -b base.qcow2 -F qcow2 top.qcow2"
    chain = ws.info("top.qcow2", backing_chain=True)
    assert chain.chain() == "top.qcow2 (qcow2) -> base.qcow2 (qcow2)"
    assert (chain.top.backing_file, chain.top.backing_format, chain.virtual_size) == ("base.qcow2", "qcow2", 64 * MiB)
    assert ws.pattern_at("top.qcow2", 0, "1M", 0x5A)  # read through
    assert [p["depth"] for p in ws.image_map("top.qcow2")] == [1, 1]
    ws.write("top.qcow2", 0, "64k", pattern=0xA5)
    assert ws.pattern_at("top.qcow2", 0, "64k", 0xA5) and ws.pattern_at("base.qcow2", 0, "1M", 0x5A)
    assert not ws.pattern_at("base.qcow2", 0, "64k", 0xA5)
    assert ws.image_map("top.qcow2")[0] | {"offset": 0} == {"start": 0, "length": 65536, "depth": 0, "present": True,
                                                          "zero": False, "data": True, "offset": 0}


def test_convert_flattens_and_resize_needs_shrink_to_cut(ws):
    ws.create("base.qcow2", "16M")
    ws.write("base.qcow2", 0, "1M", pattern=0x5A)
    ws.create("top.qcow2", backing="base.qcow2", backing_format="qcow2")
    ws.convert("top.qcow2", "flat.raw", "raw")
    assert ws.info("flat.raw").backing_file is None and ws.pattern_at("flat.raw", 0, "1M", 0x5A)
    assert str(ws.resize("flat.raw", "+16M")) == "Image resized.\n" and ws.info("flat.raw").virtual_size == 32 * MiB
    with pytest.raises(OperationFailed) as info:
        ws.resize("flat.raw", "-8M")
    assert info.value.virsh_error[0] == "qemu-img: Use the --shrink option to perform a shrink operation."
    assert "shrink=True" in info.value.hint and ws.info("flat.raw").virtual_size == 32 * MiB
    ws.resize("flat.raw", "-8M", shrink=True)
    assert ws.info("flat.raw").virtual_size == 24 * MiB


@pytest.mark.parametrize("call,said,hint", [
    (lambda ws: ws.create("x.qcow2", "1GB"), "Invalid image size specified", "there is no 'GB'"),
    (lambda ws: ws.create("x.qcow2", backing="none.qcow2", backing_format="qcow2"), "Could not open 'none.qcow2'",
     "backing file must exist"),
    (lambda ws: ws.info("none.qcow2"), "No such file or directory", "no such image"),
    (lambda ws: ws.create("x.raw", "1M", format="raw", backing="b.qcow2", backing_format="qcow2"),
     "Backing file not supported for file format 'raw'", "must be qcow2"),
    (lambda ws: ws.create("x.qcow2", backing="b.qcow2"), "Backing file specified without backing format",
     "backing_format='qcow2'"),
    (lambda ws: ws.create("x.img", "1M", format="bogus"), "Unknown file format 'bogus'", "formats: qcow2"),
])
def test_failures_are_qemu_imgs_own_words_with_a_hint(ws, call, said, hint):
    ws.create("b.qcow2", "1M")
    with pytest.raises(OperationFailed) as info:
        call(ws)
    err = info.value
    assert any(said in line for line in err.virsh_error), err.virsh_error
    assert hint in err.hint and err.virsh.startswith("qemu-")


def test_an_existing_file_is_never_overwritten_silently(ws):
    ws.create("disk.qcow2", "1M")
    ws.write("disk.qcow2", 0, "64k", pattern=0x42)
    with pytest.raises(InvalidInput) as info:
        ws.create("disk.qcow2", "2M")
    assert "replace it without asking" in info.value.hint and ws.pattern_at("disk.qcow2", 0, "64k", 0x42)
    with pytest.raises(InvalidInput):
        ws.convert("disk.qcow2", "disk.qcow2", "raw")
    ws.create("disk.qcow2", "2M", overwrite=True)
    assert ws.info("disk.qcow2").virtual_size == 2 * MiB


def test_a_name_starting_with_a_dash_is_a_file_not_an_option(tmp_path):
    done = qemu_img.create("-x.qcow2", "1M", cwd=tmp_path)
    assert "./-x.qcow2" in done.command and (tmp_path / "-x.qcow2").exists()


def test_a_hung_tool_ends_as_an_error(tmp_path):
    with pytest.raises(OperationFailed) as info:
        qemu_img.run("qemu-img", ["info", "/dev/stdin"], cwd=tmp_path, timeout=0.001)
    assert "did not finish within" in info.value.message


def test_a_missing_tool_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(Unsupported) as info:
        qemu_img.info("x.qcow2")
    assert "qemu-utils" in info.value.hint


def test_workspace_lifecycle():
    ws = disk_images.workspace()
    assert ws.dir.name.startswith("kvmlab-disk-") and ws.files == [] and repr(ws) == "<ImageFiles: 0 file(s)>"
    ws.create("a.raw", "1M", format="raw")
    assert ws.files == ["a.raw"]
    with pytest.raises(InvalidInput):
        ws.path("../a.raw")
    with pytest.raises(NotFound):
        ws.usage("none.raw")
    ws.remove("a.raw")
    assert ws.tidy() == "removed the workspace and its 0 file(s)" and not ws.dir.exists()
