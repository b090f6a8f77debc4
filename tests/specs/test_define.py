"""Every spec kvmlab can build defines (and starts) on libvirt's test driver via libvirt-python,
and passes kvmlab's own validation and libvirt's virt-xml-validate."""

from __future__ import annotations

import itertools

import libvirt
import pytest

import kvmlab
from kvmlab.specs import DomainSpec, NetworkSpec, PoolSpec, VolumeSpec

from .test_roundtrip import built_specs
from .virsh import xml_validate

kvmlab.errors.install_error_handler()


def domains():
    out = []
    for virt, (mem, cur), vcpus, boot in itertools.product(
            ("kvm", "qemu", "test"), (("512MiB", None), ("2GiB", "1GiB"), (1048576, 524288)), (1, 4),
            ([], ["hd"], ["cdrom", "hd", "network"])):
        vm = DomainSpec(name=f"vm-{len(out)}", type=virt, memory=mem, current_memory=cur, vcpus=vcpus,
                        arch="x86_64", boot=boot)
        vm.add_disk(f"/var/lib/libvirt/images/vm-{len(out)}.qcow2")
        if "cdrom" in boot:
            vm.add_disk("/isos/installer.iso")
        if "network" in boot:
            vm.add_interface(network="default")
        out.append(vm)
    return out


def networks():
    out = []
    for i, (mode, subnet) in enumerate(itertools.product(("nat", "route", "open", "isolated"),
                                                         ("192.168.150.0/24", "10.8.0.0/16", "fd00:1::/64"))):
        net = NetworkSpec(name=f"net-{i}", mode=mode, bridge=f"virbr{100 + i}")
        net.add_ip(subnet)
        out.append(net)
    out.append(NetworkSpec(name="isolated-bare", mode="isolated"))
    out.append(NetworkSpec(name="lan", mode="bridge", bridge="br0"))
    return out


def pools():
    return [PoolSpec(type="dir", name="dir1", target="/var/lib/kvmlab/dir1"),
            PoolSpec(type="fs", name="fs1", target="/mnt/fs1", source_devices=["/dev/sdb1"], source_format="ext4"),
            PoolSpec(type="netfs", name="nfs1", target="/mnt/nfs1", source_host="nfs.example", source_dir="/export"),
            PoolSpec(type="logical", name="vg1", target="/dev/vg1", source_name="vg1", source_devices=["/dev/sdc"])]


def volumes():
    return [VolumeSpec(name=f"v{i}.{fmt}", capacity=cap, allocation=alloc, format=fmt)
            for i, (fmt, cap, alloc) in enumerate(itertools.product(("qcow2", "raw"), ("1GiB", 10**9, "512MiB"),
                                                                    (None, 0)))]


ALL = domains() + networks() + pools() + volumes() + built_specs()


@pytest.fixture
def virconn():
    c = libvirt.open("test:///default")
    yield c
    c.close()


@pytest.mark.parametrize("spec", [s for s in ALL if s.KIND == "domain"], ids=lambda s: s.name)
def test_domains_define_and_start(spec, virconn):
    spec.validate()
    dom = virconn.defineXML(spec.to_xml())
    dom.create()
    state, maxmem, mem, ncpu, _ = dom.info()
    assert state == libvirt.VIR_DOMAIN_RUNNING
    assert (maxmem, ncpu) == (spec.memory, spec.vcpus_current or spec.vcpus or 1)
    assert DomainSpec.from_xml(dom.XMLDesc(0)).boot == (spec.boot or ["hd"])


@pytest.mark.parametrize("spec", [s for s in ALL if s.KIND == "network"], ids=lambda s: s.name)
def test_networks_define_and_start(spec, virconn):
    spec.validate()
    net = virconn.networkDefineXML(spec.to_xml())
    net.create()
    assert net.isActive()
    back = NetworkSpec.from_xml(net.XMLDesc(0))
    assert back.mode == spec.mode
    assert [str(ip.interface) for ip in back.ips] == [str(ip.interface) for ip in spec.ips]


@pytest.mark.parametrize("spec", [s for s in ALL if s.KIND == "pool"], ids=lambda s: s.name)
def test_pools_define_and_start(spec, virconn):
    spec.validate()
    pool = virconn.storagePoolDefineXML(spec.to_xml())
    pool.create()
    assert pool.isActive() and PoolSpec.from_xml(pool.XMLDesc(0)).target == spec.target


@pytest.mark.parametrize("spec", [s for s in ALL if s.KIND == "volume"], ids=lambda s: s.name)
def test_volumes_create(spec, virconn):
    spec.validate()
    vol = virconn.storagePoolLookupByName("default-pool").createXML(spec.to_xml(), 0)
    assert vol.info()[1] == spec.capacity
    assert VolumeSpec.from_xml(vol.XMLDesc(0)).format == spec.format


def test_all_of_them_pass_virt_xml_validate(tmp_path):
    for i, spec in enumerate(ALL):
        run = xml_validate(spec.to_xml(), tmp_path, f"{i}.xml")
        assert run.returncode == 0, (spec.to_xml(), run.stderr)


def test_kvmlab_operations_take_specs(conn):
    vm = DomainSpec(name="from-spec", type="test", memory="256MiB")
    result = conn.define(vm)
    assert "from-spec" in str(result)
    assert conn.virconn.lookupByName("from-spec").info()[1] == 256 * 1024
