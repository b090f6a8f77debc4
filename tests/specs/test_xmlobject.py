"""The declarative base: fields read and write the tree, in libvirt's element order."""

from __future__ import annotations

import pytest
from lxml import etree

import kvmlab
from kvmlab.specs import DiskSpec, DomainSpec, InterfaceSpec, NetworkSpec, PoolSpec, VolumeSpec
from kvmlab.specs.devices import next_target


def tags(el) -> list[str]:
    return [c.tag for c in el if isinstance(c.tag, str)]


def test_new_elements_go_where_libvirt_puts_them():
    vm = DomainSpec()
    vm.interfaces.append(InterfaceSpec.for_network("default"))
    vm.vcpus = 2
    vm.boot = ["hd"]
    vm.memory = "1GiB"
    vm.add_disk("/a.qcow2")
    vm.name = "late"
    vm.emulator = "/usr/bin/qemu-system-x86_64"
    assert tags(vm.element) == ["name", "memory", "vcpu", "os", "devices"]
    assert tags(vm.element.find("os")) == ["type", "boot"]
    assert tags(vm.element.find("devices")) == ["emulator", "disk", "interface"]


def test_scratch_domain_defaults_and_parsed_domain_does_not():
    assert DomainSpec().type == "kvm" and DomainSpec().os_type == "hvm"
    parsed = DomainSpec.from_xml("<domain type='test'><name>x</name></domain>")
    assert parsed.type == "test" and parsed.os_type is None


@pytest.mark.parametrize("value,xml,kib", [
    ("512MiB", '<memory unit="MiB">512</memory>', 524288),
    ("512mib", '<memory unit="mib">512</memory>', 524288),  # libvirt's units are case-insensitive
    ("1000kb", '<memory unit="kb">1000</memory>', 977),  # and kb is still 1000 bytes
    ("2G", '<memory unit="G">2</memory>', 2097152),
    (1024, '<memory unit="KiB">1024</memory>', 1024),
    ("1000KB", '<memory unit="KB">1000</memory>', 977),  # 1,000,000 bytes, rounded up to KiB like libvirt
    ("512", '<memory unit="KiB">512</memory>', 512),  # a bare number is KiB, as in the XML
])
def test_size_fields_keep_the_unit_and_read_kib(value, xml, kib):
    vm = DomainSpec(memory=value)
    assert etree.tostring(vm.element.find("memory"), encoding="unicode") == xml
    assert vm.memory == kib


def test_size_reads_what_libvirt_reads():
    assert DomainSpec.from_xml("<domain><memory>2048</memory></domain>").memory == 2048
    assert DomainSpec.from_xml("<domain><memory unit='kib'>2048</memory></domain>").memory == 2048
    assert DomainSpec.from_xml("<domain><memory unit='bytes'>1025</memory></domain>").memory == 2
    assert DomainSpec.from_xml("<domain><memory>lots</memory></domain>").memory == "lots"  # kept, for checks
    assert VolumeSpec(capacity="1GiB").capacity == 2**30


@pytest.mark.parametrize("bad", ["-1", "lots", "5 parsecs", True, 1.5])
def test_size_refuses_bad_values(bad):
    with pytest.raises((kvmlab.InvalidInput, TypeError)):
        VolumeSpec(capacity=bad)


def test_none_removes_and_unknown_fields_raise():
    vm = DomainSpec(name="x", title="t", vcpus=2)
    vm.title = None
    vm.vcpus_current = None  # absent: nothing to do
    assert vm.element.find("title") is None and vm.title is None
    with pytest.raises(TypeError):
        DomainSpec(nmae="typo")
    with pytest.raises(kvmlab.SpecError):
        DomainSpec(etree.Element("network"))


def test_numbers_read_as_int_or_as_written():
    vm = DomainSpec.from_xml("<domain><vcpu current='1'>4</vcpu></domain>")
    assert (vm.vcpus, vm.vcpus_current) == (4, 1)
    assert DomainSpec.from_xml("<domain><vcpu>four</vcpu></domain>").vcpus == "four"


def test_child_lists_are_live_views():
    vm = DomainSpec(name="x")
    a = vm.add_disk("/a.qcow2")
    b = vm.add_disk("/b.raw")
    cd = vm.add_disk("/c.iso")
    assert [d.target for d in vm.disks] == ["vda", "vdb", "sda"]
    assert (cd.device, cd.bus, cd.readonly, cd.format) == ("cdrom", "sata", True, "raw")
    b.bus, b.target = "scsi", "sdb"  # editing the returned object edits the domain
    assert vm.disks[1].target == "sdb"
    vm.disks.remove(a)
    assert len(vm.disks) == 2 and vm.disks[0] == b
    vm.disks = [a]
    assert vm.disks == [a]
    vm.disks.clear()
    assert len(vm.disks) == 0 and vm.element.find("devices") is not None
    with pytest.raises(TypeError):
        vm.disks.append(InterfaceSpec())


def test_disk_paths_and_kinds():
    blk = DiskSpec.for_path("/dev/sdb")
    assert blk.type == "block" and blk.path == "/dev/sdb" and blk.element.find("source").get("dev") == "/dev/sdb"
    assert DiskSpec.for_path("/x.qcow2").format == "qcow2"
    disk = DiskSpec.for_path("/x.img")
    disk.path = None
    assert disk.element.find("source") is None
    disk.readonly = True
    disk.readonly = False
    assert disk.element.find("readonly") is None


def test_next_target():
    assert next_target("virtio", []) == "vda"
    assert next_target("sata", ["sda", "sdb"]) == "sdc"
    assert next_target("virtio", [f"vd{c}" for c in "abcdefghijklmnopqrstuvwxyz"]) == "vdaa"


@pytest.mark.parametrize("kwargs, given", [({}, "neither network= nor bridge="),
                                            ({"network": "default", "bridge": "br0"}, "both network= and bridge=")])
def test_interfaces_need_exactly_one_source(kwargs, given):
    from kvmlab.errors import InvalidInput

    with pytest.raises(InvalidInput) as info:
        DomainSpec().add_interface(**kwargs)
    assert info.value.message == f"add_interface() got {given}: a NIC plugs into exactly one of them"
    assert "add_interface(network='default')" in info.value.hint and "add_interface(bridge='br0')" in info.value.hint
    assert "virsh: attach-interface" in info.value.hint


def test_interfaces_with_one_source():
    vm = DomainSpec()
    nic = vm.add_interface(bridge="br0", mac="52:54:00:00:00:01")
    assert (nic.type, nic.bridge, nic.network, nic.mac, nic.model) == (
        "bridge", "br0", None, "52:54:00:00:00:01", "virtio")


def test_network_mode_and_subnets():
    net = NetworkSpec(name="n", mode="route")
    assert net.element.find("forward").get("mode") == "route"
    net.mode = "isolated"
    assert net.element.find("forward") is None and net.mode == "isolated"
    assert NetworkSpec.from_xml("<network><forward/></network>").mode == "nat"  # libvirt's default
    ip = net.add_ip("10.0.0.0/30")
    assert (ip.address, ip.netmask, [(r.start, r.end) for r in ip.ranges]) == ("10.0.0.1", "255.255.255.252",
                                                                              [("10.0.0.2", "10.0.0.2")])
    assert str(ip.interface) == "10.0.0.1/30"
    v6 = net.add_ip("fd00::/120", dhcp=False)
    assert (v6.family, v6.prefix, len(v6.ranges)) == ("ipv6", 120, 0)
    with pytest.raises(ValueError):
        net.add_ip("10.0.0.1/24")  # host bits set: not a subnet


def test_pool_devices_and_repr():
    pool = PoolSpec(type="logical", name="vg", source_devices=["/dev/sdb"], source_name="vg0")
    assert tags(pool.element.find("source")) == ["device", "name"]
    pool.source_name = None
    pool.source_devices = []  # the now-empty <source> goes too
    assert pool.element.find("source") is None
    assert repr(PoolSpec(type="dir", name="p")) == "PoolSpec(name='p', type='dir')"
