"""Round trips: build -> XML -> parse gives an equal spec; libvirt's own dumpxml survives
parse -> to_xml with nothing lost, and the result defines again on the test driver."""

from __future__ import annotations

import libvirt
import pytest
from lxml import etree

import kvmlab
from kvmlab.specs import DomainSpec, NetworkSpec, PoolSpec, VolumeSpec
from kvmlab.specs.parser import canonical, xml_parser

kvmlab.errors.install_error_handler()


def built_specs():
    vm = DomainSpec(name="vm1", memory="1GiB", current_memory="512MiB", vcpus=4, vcpus_current=2,
                    arch="x86_64", machine="q35", boot=["cdrom", "hd"], uuid="4dea22b3-1d52-d8f3-2516-782e98ab3f00",
                    title="web server", description="first VM", on_crash="restart")
    vm.add_disk("/var/lib/libvirt/images/vm1.qcow2")
    vm.add_disk("/var/lib/libvirt/images/data.raw", bus="sata")
    vm.add_disk("/isos/debian.iso")
    vm.add_interface(network="default", mac="52:54:00:12:34:56")
    vm.add_interface(bridge="br0", model="e1000e")
    tiny = DomainSpec(name="tiny", type="qemu", memory=131072, kernel="/boot/vmlinuz", initrd="/boot/initrd.img",
                      cmdline="console=ttyS0")
    net = NetworkSpec(name="lab", mode="nat", bridge="virbr10", domain="lab.test")
    net.add_ip("192.168.150.0/24")
    net.add_ip("2001:db8:150::/64")
    net.ips[0].hosts.append(kvmlab.specs.DhcpHost(mac="52:54:00:12:34:56", name="vm1", ip="192.168.150.10"))
    iso = NetworkSpec(name="iso", mode="isolated")
    iso.add_ip("10.10.0.0/16", dhcp=("10.10.1.1", "10.10.1.50"))
    pools = [PoolSpec(type="dir", name="images", target="/var/lib/libvirt/images/lab"),
             PoolSpec(type="fs", name="fs", target="/mnt/fs", source_devices=["/dev/sdb9"], source_format="ext4"),
             PoolSpec(type="netfs", name="nfs", target="/mnt/nfs", source_host="nfs.example",
                      source_dir="/export/images"),
             PoolSpec(type="logical", name="vg", source_name="vg0", source_devices=["/dev/sdd", "/dev/sde"],
                      target="/dev/vg0")]
    vols = [VolumeSpec(name="vm1.qcow2", capacity="10GiB", format="qcow2"),
            VolumeSpec(name="raw.img", capacity=1048576, allocation=0, format="raw"),
            VolumeSpec(name="overlay.qcow2", capacity="10GiB", format="qcow2", backing_path="/images/base.qcow2",
                       backing_format="qcow2")]
    return [vm, tiny, net, iso, *pools, *vols]


@pytest.mark.parametrize("spec", built_specs(), ids=lambda s: f"{s.KIND}-{s.name}")
def test_build_to_xml_parse_equal(spec):
    xml = spec.to_xml()
    again = type(spec).from_xml(xml)
    assert again == spec
    assert again.to_xml() == xml  # our own output is a fixed point
    assert again.problems() == []
    for field in ("name", "memory", "vcpus", "boot", "mode", "target", "capacity", "format"):
        if hasattr(spec, field):
            assert getattr(again, field) == getattr(spec, field)


def test_equality_sees_differences():
    a, b = DomainSpec(name="a", memory="512MiB"), DomainSpec(name="a", memory="512MiB")
    assert a == b
    b.vcpus = 2
    assert a != b
    assert DomainSpec(name="a", memory="512MiB") != DomainSpec(name="a", memory="524288")  # unit differs


def _dumps():
    """(kind, spec class, XML, define call) for every object of test:///default and the embedded lab."""
    out = []
    for uri in ("test:///default", kvmlab.embedded_uri()):
        c = libvirt.open(uri)
        for d in c.listAllDomains(0):
            out.append(("domain", DomainSpec, d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), uri))
        for n in c.listAllNetworks(0):
            out.append(("network", NetworkSpec, n.XMLDesc(0), uri))
        for p in c.listAllStoragePools(0):
            out.append(("pool", PoolSpec, p.XMLDesc(0), uri))
            if p.isActive():
                out += [("volume", VolumeSpec, v.XMLDesc(0), uri) for v in p.listAllVolumes(0)]
        c.close()
    return out


DUMPS = _dumps()


@pytest.mark.parametrize("kind,cls,xml,uri", DUMPS, ids=[f"{k}-{i}" for i, (k, *_) in enumerate(DUMPS)])
def test_libvirt_dumpxml_round_trip_loses_nothing(kind, cls, xml, uri):
    spec = cls.from_xml(xml)
    original = etree.fromstring(xml.encode(), xml_parser())
    assert canonical(etree.fromstring(spec.to_xml().encode(), xml_parser())) == canonical(original)
    assert spec.problems(schema=True) == [] or all(p.severity == "note" for p in spec.problems())


@pytest.mark.parametrize("kind,cls,xml,uri", [d for d in DUMPS if d[0] != "volume"],
                         ids=[f"{d[0]}-{i}" for i, d in enumerate(d for d in DUMPS if d[0] != "volume")])
def test_libvirt_dumpxml_round_trip_defines_again(kind, cls, xml, uri):
    c = libvirt.open("test:///default")
    spec = cls.from_xml(xml)
    spec.name = spec.name + "-copy"
    spec.uuid = None  # a new object, so libvirt gives it a new UUID
    if kind == "network" and spec.bridge:
        spec.bridge = None  # bridges must be unique among networks
    if kind == "pool":
        spec.target = f"/copies/{spec.name}"  # so must pool targets
    define = {"domain": c.defineXML, "network": c.networkDefineXML, "pool": c.storagePoolDefineXML}[kind]
    obj = define(spec.to_xml())
    assert obj.name() == spec.name
    c.close()


def test_volume_dumpxml_creates_again():
    c = libvirt.open("test:///default")
    pool = c.storagePoolLookupByName("default-pool")
    first = pool.createXML(VolumeSpec(name="a.qcow2", capacity="1GiB", allocation=0, format="qcow2").to_xml(), 0)
    spec = VolumeSpec.from_xml(first.XMLDesc(0))
    spec.name, spec.key, spec.path = "b.qcow2", None, None
    second = pool.createXML(spec.to_xml(), 0)
    assert second.info()[1] == first.info()[1] == 2**30
    c.close()


def test_edits_keep_what_the_spec_does_not_model():
    c = libvirt.open("test:///default")
    xml = c.lookupByName("test").XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    c.close()
    spec = DomainSpec.from_xml(xml)
    spec.memory = "4GiB"
    spec.vcpus = 3
    spec.boot = ["network", "hd"]
    spec.add_disk("/isos/rescue.iso")
    out = spec.to_xml()
    for kept in ("<clock offset=", "<memballoon model=", "<address type=\"pci\"", "<target dev=\"testnet0\"/>",
                 "<on_crash>destroy</on_crash>"):
        assert kept in out
    again = DomainSpec.from_xml(out)
    assert again.memory == 4 * 2**20 and again.vcpus == 3 and again.boot == ["network", "hd"]
    assert [d.target for d in again.disks] == ["vda", "sda"]


def test_unknown_elements_comments_and_namespaces_survive():
    xml = """<domain type='kvm'>
  <name>x</name>
  <!-- keep me -->
  <metadata><app:info xmlns:app="http://example.com/app">hello</app:info></metadata>
  <memory>524288</memory>
  <os><type>hvm</type><smbios mode='host'/></os>
  <features><acpi/><apic/></features>
  <future-element with='attr'/>
</domain>"""
    spec = DomainSpec.from_xml(xml)
    spec.name = "y"
    out = spec.to_xml()
    assert "<!-- keep me -->" in out and 'xmlns:app="http://example.com/app"' in out
    assert "<future-element with=\"attr\"/>" in out and "<smbios mode=\"host\"/>" in out
    assert DomainSpec.from_xml(out).name == "y"


@pytest.mark.parametrize("cls,xml,words", [
    (DomainSpec, "<network><name>n</name></network>", "expected a <domain> document, got <network>"),
    (NetworkSpec, "<network><name>n</name>", "not well-formed"),
    (VolumeSpec, "<!DOCTYPE volume [<!ENTITY n 'v'>]><volume><name>&n;</name></volume>", "DTD entities"),
])
def test_from_xml_refuses(cls, xml, words):
    with pytest.raises(kvmlab.SpecError) as exc:
        cls.from_xml(xml)
    assert words in exc.value.message and exc.value.hint
