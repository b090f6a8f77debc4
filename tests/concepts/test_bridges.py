"""Bridges from both sides: libvirt's XML (embedded lab), the kernel (a scratch namespace, the real lab)."""

from __future__ import annotations

import os
import subprocess
import uuid

import libvirt
import pytest
from lxml import etree

from kvmlab.concepts import bridges
from kvmlab.errors import InvalidInput, NotFound

ROOT = os.geteuid() == 0


def _taps_by_libvirt(v: libvirt.virConnect, network: str) -> dict[str, str]:
    """domain -> tap, straight from libvirt-python (the independent reading)."""
    out = {}
    for dom in v.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
        root = etree.fromstring(dom.XMLDesc(0).encode())
        for nic in root.iterfind("devices/interface[@type='network']"):
            if nic.find("source").get("network") == network:
                out[dom.name()] = nic.find("target").get("dev")
    return out


def test_a_network_bridge_and_its_ports_are_what_libvirt_says(conn):
    b = bridges.libvirt_bridge(conn, "default")
    assert b.bridge == conn.virconn.networkLookupByName("default").bridgeName() == "virbr0"
    assert (b.network, b.mode, b.active) == ("default", "nat", True)
    assert {p.domain: p.tap for p in b.ports} == _taps_by_libvirt(conn.virconn, "default")
    assert {p.domain for p in b.ports} == {"web01", "db01"}
    assert all(p.bridge == "virbr0" and p.network == "default" and p.model == "virtio" for p in b.ports)
    assert {p.mac for p in b.ports} == {"52:54:00:4d:ea:01", "52:54:00:4d:ea:02"}
    assert "virsh net-info default" in b.virsh and "virsh domiflist web01" in b.virsh
    assert b.xml == conn.net_dumpxml("default").xml
    assert "port testnet0  <- web01" in str(b)


def test_a_stopped_guest_has_no_port(conn):
    conn.destroy("web01")
    b = bridges.libvirt_bridge(conn, "default")
    assert [p.domain for p in b.ports] == ["db01"]
    conn.destroy("db01")
    assert bridges.libvirt_bridge(conn, "default").ports == []
    assert "no running guest is plugged in" in str(bridges.libvirt_bridge(conn, "default"))


def test_every_network_and_its_mode(conn):
    seen = {b.network: (b.mode, b.bridge, b.active) for b in bridges.libvirt_bridges(conn)}
    assert list(seen) == conn.net_list(all=True).names
    for name, (mode, bridge, active) in seen.items():
        net = conn.virconn.networkLookupByName(name)
        assert bridge == net.bridgeName() and active == bool(net.isActive())
    assert seen["host-bridge"][0] == "bridge" and seen["isolated"][0] == "isolated"
    assert seen["routed"][0] == "route"


def test_a_missing_network_is_not_found(conn):
    with pytest.raises(NotFound) as info:
        bridges.libvirt_bridge(conn, "nope")
    assert info.value.virsh_error[0] == "failed to get network 'nope'"


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", "x" * 16, "has space", ".."])
def test_brif_refuses_what_is_not_an_interface_name(bad):
    with pytest.raises(InvalidInput):
        bridges.brif(bad)


@pytest.mark.parametrize("bad", ["../x", "a/b", "", ".."])
def test_a_namespace_name_is_checked_before_anything_runs(bad):
    with pytest.raises(InvalidInput):
        bridges.host_bridges(bad)


def test_a_missing_namespace_is_not_found():
    with pytest.raises(NotFound) as info:
        bridges.host_bridges("kvmlab-no-such-ns")
    assert "ip netns list" in info.value.hint


def test_the_host_namespace_bridges_agree_with_ip_brief():
    """Read-only: whatever bridges this host has, both ways of listing them agree."""
    out = subprocess.run(["ip", "-br", "link", "show", "type", "bridge"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    names = sorted(line.split()[0] for line in out.splitlines() if line.strip())
    found = bridges.host_bridges()
    assert sorted(b.name for b in found) == names
    for b in found:
        assert sorted(b.port_names) == bridges.brif(b.name)


def test_a_bridge_that_does_not_exist_is_not_found():
    with pytest.raises(NotFound):
        bridges.brif("kvmlabnobr0")


# -- a scratch namespace with a bridge, a tap and a veth (root only; the host's links are untouched) --


@pytest.fixture(scope="module")
def scratch_ns():
    if not ROOT:
        pytest.skip("creating a network namespace needs root (CI runs as root)")
    name = f"kvmlab-test-{uuid.uuid4().hex[:8]}"
    ip = ["ip", "-n", name]
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for argv in (["link", "add", "brt0", "type", "bridge"], ["tuntap", "add", "dev", "tapt0", "mode", "tap"],
                     ["link", "add", "vetht0", "type", "veth", "peer", "name", "vetht1"],
                     ["link", "set", "tapt0", "master", "brt0"], ["link", "set", "vetht0", "master", "brt0"],
                     ["link", "add", "brlone", "type", "bridge"], ["link", "set", "brt0", "up"]):  # fmt: skip
            subprocess.run(ip + argv, check=True, capture_output=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=True)


def test_bridges_and_ports_inside_a_namespace(scratch_ns):
    found = {b.name: b for b in bridges.host_bridges(scratch_ns)}
    assert set(found) == {"brt0", "brlone"}
    ports = {p.name: p for p in found["brt0"].ports}
    assert set(ports) == {"tapt0", "vetht0"}
    assert ports["tapt0"].kind == "tap" and ports["vetht0"].kind == "veth"
    assert all(p.master == "brt0" for p in ports.values())
    assert found["brlone"].ports == () and "no ports" in str(found["brlone"])
    assert not found["brt0"].stp
    # The same from sysfs, mounted inside the namespace by `ip netns exec`.
    assert bridges.brif("brt0", scratch_ns) == ["tapt0", "vetht0"]
    assert bridges.brif("brlone", scratch_ns) == []
    with pytest.raises(NotFound):
        bridges.brif("vetht1", scratch_ns)  # a link, not a bridge
    # Nothing of it is visible in the host's namespace.
    assert "brt0" not in {b.name for b in bridges.host_bridges()}


def test_ip_command_is_what_a_learner_types(scratch_ns):
    argv = bridges.ip_command(scratch_ns)
    assert argv[1:] == ["-n", scratch_ns, "-j", "-d", "link", "show"]
    names = {link["ifname"] for link in bridges.ip_links(scratch_ns)}
    assert {"lo", "brt0", "brlone", "tapt0", "vetht0", "vetht1"} == names


# -- the real lab: libvirt's taps are the kernel's bridge ports ---------------------------------------


@pytest.mark.reallab
def test_real_lab_taps_are_ports_of_the_bridge(lab_conn):
    import kvmlab.lab as lab

    v = lab_conn.virconn
    lab.ensure_lab_network(lab_conn, "nat")
    xml = ("<domain type='qemu'><name>kvmlab-brtest</name><memory unit='MiB'>32</memory>"
           "<os><type arch='x86_64'>hvm</type><boot dev='hd'/></os><devices>"
           "<interface type='network'><source network='kvmlab-nat'/><model type='virtio'/><rom enabled='no'/>"
           "</interface><video><model type='none'/></video><memballoon model='none'/></devices></domain>")
    dom = v.createXML(lab.tag_domain_xml(xml), 0)
    try:
        b = bridges.libvirt_bridge(lab_conn, "kvmlab-nat")
        assert b.bridge == "kvmlab-nat0"
        (port,) = [p for p in b.ports if p.domain == "kvmlab-brtest"]
        assert port.tap.startswith("vnet")
        ns = bridges.lab_netns() if lab.mode()[0] == "netns" else None
        host = {h.name: h for h in bridges.host_bridges(ns)}
        assert port.tap in host["kvmlab-nat0"].port_names
        assert {p.kind for p in host["kvmlab-nat0"].ports if p.name == port.tap} == {"tap"}
        assert port.tap in bridges.brif("kvmlab-nat0", ns)
    finally:
        dom.destroy()
