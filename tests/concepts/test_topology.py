"""Topologies: the facts (edges) of each mode, read from libvirt's XML, and a deterministic picture."""

from __future__ import annotations

import io

import pytest

from kvmlab.concepts import bridges, topology
from kvmlab.errors import InvalidInput
from kvmlab.specs import NetworkSpec

pytest.importorskip("matplotlib")


def test_every_mode_has_its_traffic_facts():
    assert set(topology.MODE_TRAFFIC) == {"nat", "route", "open", "isolated", "bridge"}
    assert [r[0] for r in topology.mode_rows()] == list(topology.MODE_TRAFFIC)
    assert topology.MODE_TRAFFIC["isolated"].to_outside.startswith("no")
    assert "NAT" in topology.MODE_TRAFFIC["nat"].to_outside
    assert "no firewall rules" in topology.MODE_TRAFFIC["open"].libvirt_makes


def test_nat_network_from_libvirt_with_its_guests(conn):
    topo = topology.topology(bridges.libvirt_bridge(conn, "default"))  # guests: the running ports
    assert topo.edge_tuples() == [
        ("web01", "virbr0", "testnet0"),
        ("db01", "virbr0", "testnet0"),
        ("virbr0", "host", "gateway 192.168.122.1/24"),
        ("host", "outside", "NAT (masquerade)"),
    ]
    assert topo.nodes == ["web01", "db01", "virbr0", "host", "outside"]
    assert topo.dhcp == ("192.168.122.2", "192.168.122.254")
    assert topo.reaches_outside()


def test_isolated_has_no_way_out(conn):
    topo = topology.topology(conn.net_dumpxml("isolated").xml, guests=["a", ("b", "vnet7")])
    assert topo.edge_tuples() == [("a", "virbr1", "tap"), ("b", "virbr1", "vnet7"),
                                  ("virbr1", "host", "gateway 192.168.100.1/24")]  # fmt: skip
    assert not topo.reaches_outside()
    assert "no edge to outside" in str(topo)


def test_routed_and_bridge_modes(conn):
    routed = topology.topology(conn.net_dumpxml("routed").xml)
    assert ("host", "outside", "routed (no NAT)") in routed.edge_tuples()
    bridged = topology.topology(conn.net_dumpxml("host-bridge").xml, guests=["web01"])
    assert bridged.edge_tuples()[0] == ("web01", "br0", "tap")
    assert [(e.a, e.b, e.kind) for e in bridged.edges[1:]] == [("br0", "host", "gateway"), ("br0", "outside", "uplink")]
    assert bridged.gateway is None and bridged.dhcp is None


def test_a_spec_in_each_mode():
    for mode in ("nat", "route", "open", "isolated"):
        spec = NetworkSpec(name="lab", mode=mode, bridge="virbr10")
        spec.add_ip("192.168.150.0/24")
        topo = topology.topology(spec, guests=["vm1"])
        assert topo.mode == mode and topo.gateway == "192.168.150.1/24"
        assert topo.dhcp == ("192.168.150.2", "192.168.150.254")
        assert topo.reaches_outside() == (mode != "isolated")
    open_ = topology.topology(NetworkSpec(name="o", mode="open", bridge="virbr9"))
    assert open_.edges == [topology.Edge("host", "outside", "routed, no firewall rules", "forward")]


def test_a_network_without_a_bridge_name_says_libvirt_picks():
    topo = topology.topology("<network><name>n</name></network>", guests=["g"])
    assert topo.bridge == "virbrN (libvirt picks)" and topo.mode == "isolated"
    macvtap = topology.topology("<network><name>m</name><forward mode='bridge'><interface dev='eth0'/>"
                                "</forward></network>")  # fmt: skip
    assert macvtap.bridge == "macvtap on eth0"


@pytest.mark.parametrize("bad", ["<domain/>", "<network>", 42])
def test_bad_input_is_refused(bad):
    with pytest.raises(InvalidInput):
        topology.topology(bad)


def test_external_entities_are_never_read():
    xml = "<!DOCTYPE n [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><network><name>&e;</name></network>"
    topo = topology.topology(xml)
    assert "root" not in topo.network and "root" not in str(topo)


def test_bad_guest_is_refused(conn):
    with pytest.raises(InvalidInput):
        topology.topology(conn.net_dumpxml("default").xml, guests=[42])


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


@pytest.mark.parametrize("name", ["default", "isolated", "routed", "host-bridge"])
def test_the_picture_draws_exactly_the_edges_and_is_deterministic(conn, name):
    topo = topology.topology(bridges.libvirt_bridge(conn, name), guests=["web01", "db01"])
    fig = topology.draw(topo)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for e in topo.edges:
        assert e.label in texts
    lines = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
    assert len(lines) == len(topo.edges)
    if not topo.reaches_outside():
        assert "no forwarding" in texts
    assert _png(fig) == _png(topology.draw(topo))  # same input, same bytes
