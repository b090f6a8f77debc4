"""Lesson 5 checks: a guest's bridge and tap, and the network whose bridge libvirt does not create."""

from __future__ import annotations

import libvirt
import pytest
from lxml import etree

from kvmlab.exercises import ExerciseFailed, Passed
from kvmlab.exercises import lesson05 as l5


def _nic(conn, guest):
    """(network, tap, mac) of the guest's NIC, read with libvirt-python directly."""
    root = etree.fromstring(conn.virconn.lookupByName(guest).XMLDesc(0).encode())
    nic = root.find("devices/interface")
    return nic.find("source").get("network"), nic.find("target").get("dev"), nic.find("mac").get("address")


@pytest.mark.parametrize("guest", ["web01", "db01"])
def test_the_right_bridge_and_tap_pass(conn, guest):
    network, tap, _ = _nic(conn, guest)
    bridge = conn.virconn.networkLookupByName(network).bridgeName()
    assert isinstance(l5.check_bridge(conn, bridge, guest=guest), Passed)
    assert l5.check_bridge(conn, f"  {bridge} ", guest=guest)
    done = l5.check_tap(conn, tap, guest=guest)
    assert done.title == f"{guest}'s tap is {tap}"
    assert any("vnet0, vnet1" in d for d in done.details)  # the test driver's shared testnet0, explained


@pytest.mark.parametrize("answer, words", [
    ("default", "is the libvirt network, not the Linux bridge"),
    ("testnet0", "is a tap"),
    ("virbr1", "is the bridge of network 'isolated'"),
    ("br0", "is the bridge of network 'host-bridge'"),
    ("52:54:00:4d:ea:01", "MAC address"),
    ("eth0", "inside a machine"),
    ("virbr9", "is not a bridge of any network here"),
    ("TODO", "no answer yet"),
    ("", "no answer yet"),
])  # fmt: skip
def test_bridge_mistakes(conn, answer, words):
    with pytest.raises(ExerciseFailed) as info:
        l5.check_bridge(conn, answer)
    assert words in info.value.message
    assert info.value.hint


@pytest.mark.parametrize("answer, words", [
    ("virbr0", "is a bridge (the switch)"),
    ("vda", "is a disk's target"),
    ("default", "is the network the NIC is on"),
    ("52:54:00:4d:ea:01", "MAC address"),
    ("eth0", "inside a machine"),
    ("vnet0", "is not web01's tap"),
    (None, "no answer yet"),
])  # fmt: skip
def test_tap_mistakes(conn, answer, words):
    with pytest.raises(ExerciseFailed) as info:
        l5.check_tap(conn, answer)
    assert words in info.value.message
    assert "<target dev=" in info.value.hint or "dumpxml" in info.value.hint


def test_the_answers_follow_libvirt_not_a_list(conn):
    """Move web01 to the routed network: its bridge is then virbr2, and virbr0 is wrong."""
    dom = conn.virconn.lookupByName("web01")
    xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE).replace("network='default'", "network='routed'")
    dom.destroy()
    conn.virconn.defineXML(xml)
    conn.start("web01")
    assert l5.check_bridge(conn, "virbr2")
    with pytest.raises(ExerciseFailed, match="bridge of network 'default'"):
        l5.check_bridge(conn, "virbr0")


def test_a_stopped_guest_has_no_tap(conn):
    conn.destroy("web01")
    for check in (l5.check_tap, l5.check_bridge):
        with pytest.raises(ExerciseFailed) as info:
            check(conn, "testnet0")
        assert info.value.message == "'web01' is not running, so it has no tap (no port on any bridge)"
        assert "conn.start('web01')" in info.value.hint
    with pytest.raises(ExerciseFailed, match="there is no guest 'ghost'"):
        l5.check_tap(conn, "vnet0", guest="ghost")
    with pytest.raises(ExerciseFailed, match="has no NIC on a libvirt network"):
        l5.check_tap(conn, "vnet0", guest="build")  # paused: running, but without a NIC


def test_existing_bridge(conn):
    modes = {n.name(): n.XMLDesc(0) for n in conn.virconn.listAllNetworks(0)}
    (right,) = [n for n, xml in modes.items() if "mode='bridge'" in xml]
    done = l5.check_existing_bridge(conn, right)
    assert "joins the existing bridge br0" in done.title
    for answer, words in [("br0", "is the bridge; the question asks for the network"),
                          ("isolated", "libvirt creates its bridge virbr1"),
                          ("default", "libvirt creates its bridge virbr0"),
                          ("lan", "there is no network 'lan'")]:  # fmt: skip
        with pytest.raises(ExerciseFailed) as info:
            l5.check_existing_bridge(conn, answer)
        assert words in info.value.message


def test_existing_bridge_needs_a_bridge_network(conn):
    conn.net_undefine("host-bridge")
    with pytest.raises(ExerciseFailed, match="no network here is in bridge mode"):
        l5.check_existing_bridge(conn, "host-bridge")
