"""Lesson 17's toolkit on the embedded lab and on the host: the NoCloud seed (built, read back from the
ISO's bytes, its mistakes named), virt-install run for real against a node file of the embedded lab, the
element-by-element comparison with `kvmlab xml domain`, and the lesson's VM made from virt-install's XML.
The real guest reading its seed is tests/lab/test_install_real.py."""

from __future__ import annotations

import dataclasses

import pytest

from kvmlab.concepts import install_lab, nocloud, virt_install, xml_compare
from kvmlab.errors import InvalidInput, KvmlabError, OperationFailed

needs_iso = pytest.mark.skipif(nocloud.seed_tool() is None, reason="no ISO tool (xorriso) installed")  # CI has it


@pytest.fixture
def seed_iso(tmp_path):
    return nocloud.build_seed(nocloud.default_seed("kvmlab-t17"), tmp_path / "seed.iso")


@needs_iso
def test_a_seed_is_built_and_read_back_from_its_bytes(seed_iso):
    got = seed_iso.contents
    assert got.label == "cidata" and got.filesystem == "iso9660 + Joliet"
    assert sorted(got.files) == ["meta-data", "network-config", "user-data"]
    assert got.files["user-data"].splitlines()[0] == "#cloud-config"
    assert "instance-id: iid-kvmlab-t17-1" in got.files["meta-data"] and "local-hostname: kvmlab-t17" in got.files["meta-data"]
    assert "version: 2" in got.files["network-config"]
    assert nocloud.problems(got) == []
    assert "-volid cidata" in seed_iso.command or seed_iso.command.startswith("cloud-localds")
    assert "volume label: 'cidata'" in str(seed_iso)


@needs_iso
@pytest.mark.parametrize("change, words", [
    ({"label": "config-2"}, "OpenStack's ConfigDrive"),
    ({"label": "seed"}, "the volume label is 'seed'"),
    ({"user_data": "# cloud-config\nhostname: x\n"}, "not exactly '#cloud-config'"),
    ({"user_data": "hostname: x\n"}, "without '#cloud-config' on its first line"),
    ({"meta_data": "local-hostname: x\n"}, "no instance-id"),
])
def test_each_mistake_is_named(tmp_path, change, words):
    seed = dataclasses.replace(nocloud.default_seed(), **change)
    found = nocloud.problems(nocloud.build_seed(seed, tmp_path / "bad.iso").contents)
    assert len(found) == 1 and words in found[0], found


@needs_iso
def test_a_script_is_user_data_too(tmp_path):
    seed = dataclasses.replace(nocloud.default_seed(), user_data="#!/bin/sh\necho hi\n")
    assert nocloud.problems(nocloud.build_seed(seed, tmp_path / "s.iso").contents) == []


def test_bad_input_is_refused_with_the_way_out(tmp_path):
    with pytest.raises(InvalidInput, match="expected a nocloud.Seed"):
        nocloud.build_seed({"user-data": "#cloud-config"}, tmp_path / "x.iso")
    with pytest.raises(InvalidInput, match="invalid volume label"):
        nocloud.build_seed(dataclasses.replace(nocloud.default_seed(), label="a b"), tmp_path / "x.iso")
    with pytest.raises(InvalidInput, match="invalid hostname"):
        nocloud.default_seed("bad host")
    with pytest.raises(InvalidInput, match="no seed image"):
        nocloud.read_seed(tmp_path / "none.iso")
    (tmp_path / "plain").write_bytes(b"\0" * 40000)
    with pytest.raises(InvalidInput, match="not an ISO 9660 image"):
        nocloud.read_seed(tmp_path / "plain")
    with pytest.raises(OperationFailed, match="no-such-tool could not run"):
        nocloud.build_seed(nocloud.default_seed(), tmp_path / "x.iso", tool="no-such-tool")
    assert not (tmp_path / "x.iso").exists()


@pytest.mark.parametrize("line, method", [
    ("virt-install --name a --import --disk /x.qcow2", "import"),
    ("virt-install --name a --cdrom /d.iso --disk size=10", "cdrom"),
    ("virt-install --name a --location=http://deb.example/dists/", "location"),
    ("virt-install --name a --pxe", "pxe"),
    ("virt-install --name a --boot kernel=/k,initrd=/i --disk /x.qcow2", "kernel"),
    ("virt-install --name a --disk /x.qcow2", None),
])
def test_install_method(line, method):
    assert virt_install.install_method(line) == method


def test_the_command_imports_and_boots_the_kernel_directly():
    argv = virt_install.command("kvmlab-x", "/d.qcow2", kernel="/k", initrd="/i", kernel_args="console=ttyS0",
                                cdrom="/s.iso", network="default")
    assert "--import" in argv and virt_install.install_method(argv) == "import"
    assert argv[argv.index("--boot") + 1] == "kernel=/k,initrd=/i,kernel_args=console=ttyS0"
    assert "/s.iso,device=cdrom" in argv and "--print-xml" not in argv
    assert "  --import \\\n" in virt_install.shell_line(argv)
    with pytest.raises(InvalidInput, match="invalid lesson VM name"):
        virt_install.command("vm1", "/d.qcow2")


@pytest.fixture
def lab(conn):
    made = install_lab.install_lab(conn, progress=None)
    yield made
    made.delete_files()  # the VM, its disk and seeds


@needs_iso
def test_virt_install_runs_against_the_embedded_lab(conn, lab):
    ran = lab.print_xml()
    assert ran.ok and ran.returncode == 0 and "--print-xml" in ran.argv
    assert '<domain type="test">' in ran.xml and install_lab.EMBEDDED_UUID in ran.xml
    assert f"{lab.seed.path}" in ran.xml and "<kernel>/var/lib/kvmlab/guest/vmlinux</kernel>" in ran.xml
    assert conn.list(all=True).rows and "kvmlab-inst" not in str(conn.list(all=True))  # --print-xml made nothing
    bad = virt_install.print_xml(conn, ["virt-install", "--name", "kvmlab-y", "--import", "--disk",
                                        "/nonexistent/y.qcow2", "--osinfo", "linux2022"])
    assert bad.returncode != 0 and "ERROR" in bad.error and "Size must be specified" in bad.error
    with pytest.raises(InvalidInput, match="not a virt-install command"):
        virt_install.run(conn, ["virsh", "list"])


@needs_iso
def test_the_comparison_names_what_virt_install_adds(lab):
    cmp = lab.compare()
    diff = {r.aspect for r in cmp.differences}
    assert {"machine", "pci controllers", "channels", "rng", "memballoon", "osinfo metadata"} <= diff
    assert cmp.row("machine").left == "q35" and "libvirt's default" in cmp.row("machine").right
    assert "pcie-root-port ×14" in cmp.row("pci controllers").left
    assert cmp.row("channels").left == "org.qemu.guest_agent.0"
    assert cmp.row("boot").same and cmp.row("disks").same and cmp.row("cdroms").same
    assert "recorded on the real lab" in str(cmp)
    kx = lab.kvmlab_xml()
    assert kx.returncode == 0 and "<kernel>/var/lib/kvmlab/guest/vmlinux</kernel>" in kx.xml and "<readonly/>" in kx.xml


def test_compare_refuses_what_is_not_a_domain():
    with pytest.raises(InvalidInput, match="expected <domain>"):
        xml_compare.compare("<network/>", "<domain/>")
    with pytest.raises(InvalidInput, match="not well-formed"):
        xml_compare.compare("<domain>", "<domain/>")
    with pytest.raises(InvalidInput, match="no XML"):
        xml_compare.compare("", "<domain/>")
    with pytest.raises(InvalidInput, match="not a kvmlab xml command"):
        xml_compare.kvmlab_xml(["virsh", "list"])
    both = "<domain type='test'><name>a</name></domain>\n<domain type='qemu'><name>a</name></domain>"
    assert xml_compare.compare(both, "<domain type='qemu'/>").row("domain type").same  # the last document


@needs_iso
def test_the_lab_vm_is_made_from_virt_installs_xml(conn, lab):
    done = lab.install()
    assert "defined from virt-install's XML" in done.message and conn.dominfo("kvmlab-inst").state == "running"
    assert install_lab.EMBEDDED_MAC in conn.dumpxml("kvmlab-inst").xml
    assert "runs no guest" in str(lab.read_seed())
    assert lab.remove().message == "Domain 'kvmlab-inst' removed"
    with pytest.raises(KvmlabError):
        conn.dominfo("kvmlab-inst")


def test_a_bad_lab_name_is_refused(conn):
    with pytest.raises(InvalidInput, match="invalid lesson VM name"):
        install_lab.install_lab(conn, "web01")
