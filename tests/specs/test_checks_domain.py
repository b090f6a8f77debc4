"""Domain teaching checks: each problem, its message and fix; where a check says libvirt refuses
(or silently changes) something, real virsh shows it does."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.specs import DomainSpec, check_xml, validate_xml

from .virsh import define


def dom(body: str = "<memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type>{boot}</os>",
        devices: str = "", name: str = "<name>g1</name>", boot: str = "", dtype: str = "test") -> str:
    return f"<domain type='{dtype}'>{name}{body.format(boot=boot)}<devices>{devices}</devices></domain>"


def problems(xml: str, severity: str | None = None):
    return [p for p in check_xml("domain", xml) if p.source == "check" and severity in (None, p.severity)]


def only(xml: str, severity: str = "error"):
    found = problems(xml, severity)
    assert len(found) == 1, found
    return found[0]


def test_a_good_domain_has_no_problems():
    assert check_xml("domain", dom(devices="<disk type='file' device='disk'><source file='/x.qcow2'/>"
                                           "<target dev='vda' bus='virtio'/></disk>", boot="<boot dev='hd'/>")) == []


# (XML, path, words in message, words in fix, what virsh says about the same XML or None)
CASES = [
    (dom(name=""), "/domain", "has no <name>", "<name>vm1</name>", "missing name information"),
    (dom(name="<name>a/b</name>"), "/domain/name", "contains '/'", "NAME.xml", "cannot contain '/'"),
    (dom("<memory unit='MiB'>512</memory><os/>"), "/domain/os", "<os> has no <type>", "hvm",
     "an os <type> must be specified"),
    (dom("<os><type>hvm</type></os>"), "/domain", "no <memory>", "unit='MiB'", "Memory size must be specified"),
    (dom("<memory>0</memory><os><type>hvm</type></os>"), "/domain/memory", "<memory> is 0", "MiB",
     "Memory size must be specified"),
    (dom("<memory>512</memory><os><type>hvm</type></os>"), "/domain/memory",
     "is 512 KiB = 0.50 MiB, far too small to boot. A bare number is KiB", "<memory unit='MiB'>512</memory>", None),
    (dom("<memory unit='k'>2048</memory><os><type>hvm</type></os>"), "/domain/memory", "far too small", "MiB", None),
    (dom("<memory unit='KB'>8000</memory><os><type>hvm</type></os>"), "/domain/memory",
     "is 8,000,000 bytes, far too small", "at least 64 MiB", None),
    (dom("<memory>lots</memory><os><type>hvm</type></os>"), "/domain/memory", "'lots' is not a whole number",
     "unit='MiB'", "Invalid value 'lots'"),
    (dom("<memory unit='EiB'>16</memory><os><type>hvm</type></os>"), "/domain/memory", "numerical overflow",
     "unit", "numerical overflow"),
    (dom("<memory unit='MiB'>512</memory><currentMemory unit='GiB'>1</currentMemory><os><type>hvm</type></os>"),
     "/domain/currentMemory", "more than <memory>", "<= <memory>", None),
    (dom("<memory unit='MiB'>512</memory><vcpu>0</vcpu><os><type>hvm</type></os>"), "/domain/vcpu",
     "at least one vCPU", "<vcpu>2</vcpu>", "exceed the <vcpu> count"),
    (dom("<memory unit='MiB'>512</memory><vcpu>-4294967295</vcpu><os><type>hvm</type></os>"), "/domain/vcpu",
     "is negative; libvirt reads it as 1", "<vcpu>2</vcpu>", None),
    (dom("<memory unit='MiB'>512</memory><vcpu>two</vcpu><os><type>hvm</type></os>"), "/domain/vcpu",
     "not a whole number", "<vcpu>2</vcpu>", "maximum vcpus count must be an integer"),
    (dom("<memory unit='MiB'>512</memory><vcpu>5000</vcpu><os><type>hvm</type></os>"), "/domain/vcpu",
     "5000 vCPUs is unreasonable", "overhead", None),
    (dom("<memory unit='MiB'>512</memory><vcpu>300</vcpu><os><type>hvm</type></os>", dtype="kvm"), "/domain/vcpu",
     "runs at most 288", "at most 288", None),
    (dom("<memory unit='MiB'>512</memory><vcpu current='3'>2</vcpu><os><type>hvm</type></os>"), "/domain/vcpu",
     "current='3' is more than the maximum", "must not exceed", "must not be less than current vCPU count"),
    (dom("<memory unit='MiB'>512</memory><vcpu current='0'>2</vcpu><os><type>hvm</type></os>"), "/domain/vcpu",
     "current='0' must be a whole number from 1", "online at boot", None),
    (dom(boot="<boot dev='floppyz'/>"), "/domain/os/boot", "not a boot device", "hd (first disk)",
     "Invalid value for attribute 'dev'"),
    (dom(boot="<boot dev='network'/><boot dev='network'/>",
         devices="<interface type='network'><source network='default'/></interface>"),
     "/domain/os/boot[1]", "listed twice", "each device once", None),
    (dom(boot="<boot dev='hd'/>", devices="<disk type='file' device='disk'><source file='/x'/>"
         "<target dev='vda' bus='virtio'/><boot order='1'/></disk>"), "/domain/devices/disk/boot",
     "both used", "one style", "cannot be used together"),
    (dom(devices="<disk type='file'><source file='/a'/><target dev='vda'/><boot order='1'/></disk>"
                 "<disk type='file'><source file='/b'/><target dev='vdb'/><boot order='1'/></disk>"),
     "/domain/devices/disk[2]/boot", "boot order 1 is used twice", "its own number", None),
    (dom(devices="<disk type='file' device='disk'><source file='/x'/></disk>"), "/domain/devices/disk",
     "no <target dev=", "vda", None),
    (dom(devices="<disk type='file'><source file='/a'/><target dev='vda'/></disk>"
                 "<disk type='file'><source file='/b'/><target dev='vda'/></disk>"), "/domain/devices/disk[2]/target",
     "two disks use target dev='vda'", "vdb", None),
    (dom(devices="<interface type='network'/>"), "/domain/devices/interface", "needs <source network=",
     "net-list", None),
    (dom(devices="<interface type='bridge'><source/></interface>"), "/domain/devices/interface",
     "needs <source bridge=", "br0", None),
    (dom(devices="<interface type='network'><mac address='ff:ff:ff:ff:ff:ff'/><source network='default'/>"
                 "</interface>"), "/domain/devices/interface/mac", "multicast", "52:54:00",
     "expected unicast mac address"),
    (dom(devices="<interface type='network'><mac address='52:54:00'/><source network='default'/></interface>"),
     "/domain/devices/interface/mac", "is not a MAC address", "six hex pairs", None),
    (dom(devices="".join("<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/>"
                         "</interface>" for _ in range(2))), "/domain/devices/interface[2]/mac",
     "share the MAC", "its own MAC", None),
]


@pytest.mark.parametrize("xml,path,what,fix,virsh_says", CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_check(xml, path, what, fix, virsh_says, tmp_path):
    found = [p for p in problems(xml, "error") if p.path == path]
    assert len(found) == 1, problems(xml)
    p = found[0]
    assert what in p.message and fix in p.fix and p.line == 1
    if virsh_says:
        run = define("domain", xml, tmp_path)
        assert run.returncode == 1 and virsh_says in run.stderr


def test_libvirt_silently_cuts_current_memory(tmp_path):
    xml = dom("<memory unit='MiB'>512</memory><currentMemory unit='GiB'>1</currentMemory><os><type>hvm</type></os>")
    run = define("domain", xml, tmp_path, then="dumpxml g1")
    assert "<currentMemory unit='KiB'>524288</currentMemory>" in run.stdout  # what the check warns about


@pytest.mark.parametrize("body,what", [
    ("<memory unit='KB'>1024000</memory>", "unit='KB' is a power of 1000: 1024000 KB = 1,024,000,000 bytes"),
    ("<memory unit='MB'>512</memory>", "libvirt's KiB/MiB/GiB are powers of 1024"),
    ("<memory unit='b'>536870913</memory>", "not a whole number of KiB; libvirt rounds it up"),
])
def test_notes_teach_without_failing(body, what):
    xml = dom(body + "<os><type>hvm</type></os>")
    note = only(xml, "note")
    assert what in note.message
    validate_xml("domain", xml)  # notes alone do not fail validation


def test_boot_device_missing_is_a_note():
    note = only(dom(boot="<boot dev='cdrom'/>"), "note")
    assert "boots from 'cdrom' but the domain has no such device" in note.message


def test_bus_name_mismatch_is_a_note():
    note = only(dom(devices="<disk type='file'><source file='/a'/><target dev='sda' bus='virtio'/></disk>"), "note")
    assert "virtio disks are usually named vda" in note.message


def test_validate_lists_all_problems_at_once():
    xml = dom("<memory>512</memory><vcpu current='4'>2</vcpu><os/>", boot="",
              devices="<interface type='network'/>")
    with pytest.raises(kvmlab.SpecError) as exc:
        validate_xml("domain", xml)
    err = exc.value
    assert err.message.startswith("domain XML has 5 problems:")
    assert len(err.problems) == 5 and len(err.virsh_error) == 11
    assert [p.source for p in err.problems] == ["schema"] + ["check"] * 4  # libvirt's verdict first
    assert "1. /domain/os" in err.message and "fix: add <os><type arch='x86_64'>hvm</type></os>" in err.message


def test_spec_validate_uses_the_same_checks():
    vm = DomainSpec(name="vm", memory=512)
    with pytest.raises(kvmlab.SpecError) as exc:
        vm.validate()
    assert "far too small to boot" in exc.value.message
    assert exc.value.hint == ("if you meant 512 MiB write <memory unit='MiB'>512</memory>; or, since libvirt itself "
                              "accepts it: to go on anyway, send the XML text instead of the spec, "
                              "conn.define(spec.to_xml()) (like `virsh define FILE`), which runs only the crash guard")
    vm.memory = "512MiB"
    vm.validate()


def test_schema_verdict_comes_first_and_no_teaching_message_hides_it():
    xml = dom("<memory unit='MiB'>512</memory><vcpu>-1</vcpu><os><type>hvm</type></os>")
    found = check_xml("domain", xml)
    assert [p.source for p in found] == ["schema", "guard", "check"]  # all three about <vcpu>-1</vcpu>
    assert {p.path for p in found} == {"/domain/vcpu"} and "'-1' is not allowed" in found[0].message


@pytest.mark.parametrize("disk,what,fix", [
    ("<disk type='file'><source file='images/a.qcow2'/><target dev='vda'/></disk>", "is a relative path: libvirt "
     "accepts it", "absolute path"),
    ("<disk type='file'><source file='X:\\vm.vhdx'/><target dev='sda'/></disk>", "is a Windows path",
     "/var/lib/libvirt/images"),
    ("<disk type='block'><source dev='sdb'/><target dev='vda'/></disk>", "is not under /dev", "/dev/sdb"),
])
def test_paths_libvirt_takes_as_written_are_notes(disk, what, fix, tmp_path):
    """libvirt defines these (real virsh shows it); kvmlab explains why QEMU will not find them."""
    xml = dom(devices=disk)
    note = only(xml, "note")
    assert what in note.message and fix in note.fix and note.path == "/domain/devices/disk/source"
    assert problems(xml, "error") == []
    assert define("domain", xml, tmp_path).returncode == 0
