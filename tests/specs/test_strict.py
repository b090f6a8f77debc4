"""Issue 9: a teaching check refuses only what libvirt itself refuses.

Each check that libvirt's test driver accepts is classified here:

* refused by some part of libvirt (a real driver, or libvirt's schema): an error that says who refuses
  it and when, and that the test driver accepts it;
* refused by no part of libvirt: ``strict`` — still an error for ``validate()``, but it says kvmlab is
  stricter on purpose, and the hint says how to go on: send the XML text, which libvirt then defines.
"""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.specs import DomainSpec, NetworkSpec, PoolSpec, VolumeSpec, check_xml
from kvmlab.specs.problems import STRICT, go_on_hint

from .virsh import DEFINE as VIRSH_DEFINE
from .virsh import define, virsh

OS = "<os><type arch='x86_64'>hvm</type>{boot}</os>"
NIC = "<interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>"
DISK = "<disk type='file'><source file='/var/lib/libvirt/images/s1.qcow2'/><target dev='vda' bus='virtio'/></disk>"
IP = "<ip address='192.168.150.1' netmask='255.255.255.0'>{}</ip>"


def dom(body: str, boot: str = "", devices: str = "", dtype: str = "test") -> str:
    return (f"<domain type='{dtype}'><name>s1</name>{body}{OS.format(boot=boot)}<devices>{devices}</devices>"
            "</domain>")


def net(body: str) -> str:
    return f"<network><name>s1</name>{body}</network>"


MIB = "<memory unit='MiB'>256</memory>"

# (kind, XML, path, words of the message) — libvirt itself accepts each of these
STRICT_CASES = [
    ("domain", dom("<memory>512</memory>"), "/domain/memory", "far too small to boot"),
    ("domain", dom("<memory unit='KB'>8000</memory>"), "/domain/memory", "far too small to boot"),
    ("domain", dom("<memory unit='MiB'>256</memory><currentMemory unit='MiB'>512</currentMemory>"),
     "/domain/currentMemory", "quietly cut it down"),
    ("domain", dom(MIB + "<vcpu>5000</vcpu>"), "/domain/vcpu", "5000 vCPUs is unreasonable"),
    ("domain", dom(MIB, boot="<boot dev='hd'/><boot dev='hd'/>", devices=DISK), "/domain/os/boot[1]", "listed twice"),
    ("domain", dom(MIB, devices=NIC + NIC), "/domain/devices/interface[2]/mac", "share the MAC"),
    ("network", net("<forward mode='nat'/><ip address='192.168.150.0' netmask='255.255.255.0'/>"), "/network/ip",
     "is the network address"),
    ("network", net("<forward mode='nat'/><ip address='192.168.150.255' netmask='255.255.255.0'/>"), "/network/ip",
     "is the broadcast address"),
    ("network", net("<forward mode='nat'/>" + IP.format("<dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.5'/></dhcp>")),
     "/network/ip/dhcp/host", "is not inside the subnet"),
]

SPEC = {"domain": DomainSpec, "network": NetworkSpec, "pool": PoolSpec, "volume": VolumeSpec}
DEFINE = {"domain": "define", "network": "net_define", "pool": "pool_define"}


@pytest.mark.parametrize("kind,xml,path,what", STRICT_CASES, ids=[str(i) for i in range(len(STRICT_CASES))])
def test_strict_checks_say_so_and_libvirt_defines_the_xml_text(kind, xml, path, what, conn, tmp_path):
    found = [p for p in check_xml(kind, xml) if p.severity == "error"]
    assert [(p.path, p.source, p.strict) for p in found] == [(path, "check", True)], found
    assert what in found[0].message and found[0].message.endswith(f"({STRICT})")
    spec = SPEC[kind].from_xml(xml)
    with pytest.raises(kvmlab.SpecError) as exc:  # still fails validate(): exercise 7 keeps its lesson
        spec.validate()
    call = f"conn.{DEFINE[kind]}(spec.to_xml())"
    alone = len(check_xml(kind, xml)) == 1  # a lone problem's hint is its fix; notes make a list
    head = found[0].fix if alone else "fix each problem above (each says how), then validate again"
    assert exc.value.hint == f"{head}; or, since {go_on_hint(kind)}"
    assert go_on_hint(kind).startswith("libvirt itself accepts it: to go on anyway, send the XML text instead of the")
    assert call in exc.value.hint and "runs only the crash guard" in exc.value.hint
    getattr(conn, DEFINE[kind])(spec.to_xml())  # the go-on path really works, on the embedded lab
    assert define(kind, xml, tmp_path).returncode == 0  # and real virsh agrees: libvirt accepts it


def test_several_strict_problems_share_one_go_on_hint(conn):
    spec = DomainSpec.from_xml(dom("<memory>512</memory>", boot="<boot dev='hd'/><boot dev='hd'/>", devices=DISK))
    with pytest.raises(kvmlab.SpecError) as exc:
        spec.validate()
    assert exc.value.message.startswith("domain XML has 2 problems:") and exc.value.message.count(STRICT) == 2
    assert exc.value.hint == ("fix each problem above (each says how), then validate again; or, since libvirt "
                              "itself accepts it: to go on anyway, send the XML text instead of the spec, "
                              "conn.define(spec.to_xml()) (like `virsh define FILE`), which runs only the crash guard")
    conn.define(spec.to_xml())


def test_no_go_on_hint_when_libvirt_refuses_one_of_them():
    spec = DomainSpec.from_xml(dom("<memory>512</memory><vcpu current='0'>2</vcpu>"))
    with pytest.raises(kvmlab.SpecError) as exc:
        spec.validate()
    assert STRICT in exc.value.message and "go on anyway" not in exc.value.hint


# (kind, XML, path, who refuses it (words of the message or fix), the refusal of a real libvirt, if virsh shows it)
REFUSED_CASES = [
    ("domain", dom(MIB + "<vcpu>300</vcpu>", dtype="kvm"), "/domain/vcpu",
     "The QEMU driver refuses it at define: \"Maximum CPUs greater than specified machine type limit\"", None),
    ("domain", dom(MIB + "<vcpu>5000</vcpu>", dtype="qemu"), "/domain/vcpu",
     "The QEMU driver refuses it at define", None),
    ("domain", dom(MIB + "<vcpu current='0'>2</vcpu>"), "/domain/vcpu",
     ("libvirt's schema refuses it (`virsh define --validate`), and the QEMU driver at define: \"Domain requires "
      "at least 1 vCPU\""), "Extra element vcpu in interleave"),
    ("network", net("<forward mode='nat'/>" + IP.format("<dhcp><range start='192.168.150.2' end='192.168.150.9'/>"
                                                        "</dhcp>")
                    + "<ip address='192.168.151.1' prefix='24'><dhcp><range start='192.168.151.2' "
                      "end='192.168.151.9'/></dhcp></ip>"), "/network",
     "The network driver refuses it at net-define: \"Multiple IPv4 dhcp sections found", None),
    ("network", net("<bridge name='virbr-very-long-name'/>" + IP.format("")), "/network/bridge",
     "The network driver fails at net-start, when it creates the bridge", None),
    ("network", net("<forward mode='bridge'/><bridge name='br0'/>" + IP.format("")), "/network/ip",
     ("The network driver refuses it at net-define: \"Unsupported <ip> element in network s1 with forward "
      "mode='bridge'\""), None),
    ("pool", "<pool type='dir'><name>s1</name><target><path>images/rel</path></target></pool>", "/pool/target/path",
     "libvirt's schema refuses it (`virsh pool-define --validate`", "Element path failed to validate content"),
    ("volume", "<volume><name>sub/vm1.qcow2</name><capacity unit='MiB'>10</capacity></volume>", "/volume/name",
     ("the dir, fs and netfs pools refuse it at vol-create: \"volume name '…' cannot contain '/'\", and so does "
      "libvirt's schema"), "failed to validate against schema"),
]


@pytest.mark.parametrize("kind,xml,path,who,schema_says", REFUSED_CASES,
                         ids=[str(i) for i in range(len(REFUSED_CASES))])
def test_what_libvirt_refuses_stays_an_error_that_says_who_refuses_it(kind, xml, path, who, schema_says, tmp_path):
    found = [p for p in check_xml(kind, xml) if p.source == "check" and p.severity == "error" and p.path == path]
    assert len(found) == 1, check_xml(kind, xml)
    p = found[0]
    assert not p.strict and STRICT not in p.message
    assert who in p.message + p.fix and "the test driver accepts it" in p.message + p.fix
    with pytest.raises(kvmlab.SpecError) as exc:
        SPEC[kind].from_xml(xml).validate()
    assert "go on anyway" not in exc.value.hint
    assert define(kind, xml, tmp_path).returncode == 0  # the test driver accepts it, as the message says
    if schema_says:  # and libvirt's schema does not
        (tmp_path / "v.xml").write_text(xml)
        refused = virsh(VIRSH_DEFINE[kind].replace("FILE", "--validate v.xml"), tmp_path)
        assert refused.returncode == 1 and schema_says in refused.stderr


def test_two_bare_dhcp_elements_are_not_refused():
    """networkValidate counts only a <dhcp> with a range or a host; two empty ones pass libvirt, and kvmlab."""
    xml = net("<forward mode='nat'/>" + IP.format("<dhcp/>") + "<ip address='10.1.0.1' prefix='24'><dhcp/></ip>")
    assert [p for p in check_xml("network", xml) if p.severity == "error"] == []
