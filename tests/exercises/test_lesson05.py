"""Lesson 5 checks: a guest's bridge and tap, the network whose bridge libvirt does not create, and the
network a new guest's card names (with the virsh line that registers it, run and read back)."""

from __future__ import annotations

import libvirt
import pytest
from lxml import etree

from kvmlab.exercises import ExerciseFailed, Passed
from kvmlab.exercises import lesson05 as l5

from tests.conftest import inventory
from tests.exercises.conftest import climb


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


def test_bridge_ladder_network_for_bridge(conn):
    first, second, answer = climb(l5.check_bridge, conn, "default")
    assert first.message == "'default' is the libvirt network, not the Linux bridge"
    assert "switch in the host kernel" in first.hint and "net-info" not in first.hint
    assert "Bridge: line of virsh net-info" in second.hint
    for err in (first, second):
        assert "virbr0" not in err.hint  # no rung gives the bridge's name
    assert 'bridge = "virbr0"' in answer and "virsh net-info default" in answer


def test_bridge_of_another_network_points_at_the_guests_source(conn):
    first, second, _ = climb(l5.check_bridge, conn, "virbr1")
    assert first.message == "virbr1 is the bridge of network 'isolated'"
    assert "chooses its network" in first.hint and "'default'" not in first.hint + second.hint
    assert "<source network=…> inside <interface> of virsh dumpxml web01" in second.hint


@pytest.mark.parametrize("answer, words", [
    ("virbr0", "is a bridge (the switch)"),
    ("vda", "is a disk's target"),
    ("default", "is the network the NIC is on"),
    ("52:54:00:4d:ea:01", "MAC address"),
    ("eth0", "inside a machine"),
    ("vnet0", "how QEMU's driver names taps on a real host"),
])  # fmt: skip
def test_tap_mistakes(conn, answer, words):
    first, second, code = climb(l5.check_tap, conn, answer)
    assert words in first.message
    assert first.hint and "testnet0" not in first.hint + second.hint
    assert "<target dev=" in second.hint or "dumpxml" in second.hint
    assert 'tap = "testnet0"' in code


@pytest.mark.parametrize("check", [l5.check_bridge, l5.check_tap, l5.check_existing_bridge])
def test_no_answer_yet_never_climbs(conn, check):
    for answer in (None, "TODO", "TODO"):
        with pytest.raises(ExerciseFailed) as info:
            check(conn, answer)
        assert "no answer yet" in info.value.message and info.value.untried and info.value.rung == 1


def test_vnet0_is_named_a_tap_not_a_bridge(conn):
    with pytest.raises(ExerciseFailed) as info:
        l5.check_bridge(conn, "vnet0")
    assert info.value.message == "'vnet0' is a tap name: a guest's own port on the bridge, not the bridge itself"


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
        first, second, _ = climb(check, conn, "testnet0")
        assert first.message == "'web01' is not running, so it has no tap (no port on any bridge)"
        assert "only while its guest runs" in first.hint and "virsh start" in second.hint
        assert "conn.start('web01')" not in first.hint + second.hint
    with pytest.raises(ExerciseFailed, match="there is no guest 'ghost'"):
        l5.check_tap(conn, "vnet0", guest="ghost")
    with pytest.raises(ExerciseFailed, match="has no NIC on a libvirt network"):
        l5.check_tap(conn, "vnet0", guest="build")  # paused: running, but without a NIC


def test_existing_bridge(conn):
    modes = {n.name(): n.XMLDesc(0) for n in conn.virconn.listAllNetworks(0)}
    (right,) = [n for n, xml in modes.items() if "mode='bridge'" in xml]
    done = l5.check_existing_bridge(conn, right)
    assert "joins the existing bridge br0" in done.title
    # libvirt adds an address only for <ip> and DHCP only for <dhcp>: an isolated network may be a bare bridge
    assert "gateway address when the XML has <ip>, and DHCP when it has <dhcp>" in done.details[0]
    bare = conn.net_define("<network><name>bare</name><bridge name='virbr9'/></network>")
    assert bare.virsh == "virsh net-define bare.xml" and "<ip" not in conn.net_dumpxml("bare").xml
    for answer, words in [("br0", "is the bridge; the question asks for the network"),
                          ("isolated", "libvirt creates its bridge virbr1"),
                          ("default", "libvirt creates its bridge virbr0"),
                          ("lan", "there is no network 'lan'")]:  # fmt: skip
        with pytest.raises(ExerciseFailed) as info:
            l5.check_existing_bridge(conn, answer)
        assert words in info.value.message
    first, second, code = climb(l5.check_existing_bridge, conn, "isolated")
    assert "even an isolated one" in first.hint and "<forward mode=…>" in second.hint
    assert "host-bridge" not in first.hint + second.hint and 'existing = "host-bridge"' in code


def test_existing_bridge_needs_a_bridge_network(conn):
    conn.net_undefine("host-bridge")
    with pytest.raises(ExerciseFailed, match="no network here is in bridge mode"):
        l5.check_existing_bridge(conn, "host-bridge")


# -- 5.4: the network a new guest's card names, and the virsh line that registers it ------------


def _card(conn, guest="web03", flags=libvirt.VIR_DOMAIN_XML_INACTIVE):
    """(type, source network) of the guest's card as libvirt keeps it, read with libvirt-python directly."""
    nic = etree.fromstring(conn.virconn.lookupByName(guest).XMLDesc(flags).encode()).find("devices/interface")
    return nic.get("type"), nic.find("source").get("network")


def test_nic_network_defines_web03_and_reads_it_back(conn, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = l5.check_nic_network(conn, "virsh define web03.xml", "routed")
    dom = conn.virconn.lookupByName("web03")
    assert dom.isPersistent() and dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF  # registered, not started
    assert _card(conn) == ("network", "routed")
    assert conn.virconn.networkLookupByName("routed").bridgeName() == "virbr2"
    assert done.title == "web03's card joins virbr2: <source network='routed'/>"
    assert done.details[0].startswith("Domain 'web03' defined from web03.xml  (virsh define web03.xml; ")
    assert list(tmp_path.iterdir()) == []  # the file was written in a scratch directory, then removed
    again = l5.check_nic_network(conn, "define web03.xml", "routed")  # the cell run twice
    assert again.title.startswith("web03 is registered already")


def test_nic_network_follows_libvirt(conn):
    """Another bridge, another right network: the check asks libvirt which network has it."""
    assert l5.check_nic_network(conn, "define web03.xml", "isolated", bridge="virbr1")
    assert _card(conn) == ("network", "isolated")
    assert l5.check_nic_network(conn, "define web03.xml", "default", bridge="virbr0")  # defined again: replaced
    assert _card(conn) == ("network", "default")


def test_the_bridge_name_in_source_network_is_named_and_nothing_is_defined(conn):
    before = inventory(conn)
    first, second, answer = climb(l5.check_nic_network, conn, "virsh define web03.xml", "virbr2")
    assert first.message == ("'virbr2' is the name of a bridge: <source network='virbr2'/> names a libvirt "
                             "network, and there is none by that name")
    assert "the network names its bridge" in first.hint
    assert "Bridge: line" in second.hint
    for err in (first, second):
        assert "routed" not in str(err)  # no rung gives the network away
    assert answer.startswith('network = "routed"') and 'line = "virsh define web03.xml"' in answer
    assert inventory(conn) == before


@pytest.mark.parametrize("network, line, words", [
    ("default", "define web03.xml", "the network 'default' has the bridge virbr0, not virbr2"),
    ("host-bridge", "define web03.xml", "the network 'host-bridge' has the bridge br0, not virbr2"),
    ("lan", "define web03.xml", "there is no network 'lan'"),
    ("TODO", "define web03.xml", "network: no answer yet"),
    ("routed", "TODO", "no command yet"),
    ("routed", "create web03.xml", "create does not register web03 from its file without starting it"),
    ("routed", "start web03", "start does not register web03"),
    ("routed", "net-define web03.xml", "net-define does not register web03"),
    ("routed", "net-start routed", "net-start does not register web03"),
    ("routed", "define web3.xml", "the line reads 'web3.xml'"),
    ("routed", "define /etc/web03.xml", "the line reads '/etc/web03.xml'"),
    ("routed", "defne web03.xml", "unknown command: 'defne'"),
    ("routed", "define web03.xml; start web03", "that is 2 commands"),
])  # fmt: skip
def test_wrong_answers_change_nothing(conn, network, line, words):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l5.check_nic_network(conn, line, network)
    assert words in info.value.message
    assert inventory(conn) == before


def test_the_xml_helper_refuses_a_network_that_is_not_a_name():
    from kvmlab.errors import InvalidInput

    assert "<source network=\"routed\"/>" in l5.web03_xml("routed")
    for bad in (None, "", 2):
        with pytest.raises(InvalidInput) as info:
            l5.web03_xml(bad)
        assert "must be a name" in info.value.message and "web03_xml(" in info.value.hint


def test_create_is_told_apart_from_define(conn):
    first, second, _ = climb(l5.check_nic_network, conn, "virsh create web03.xml", "routed")
    assert "transient" in first.hint and "net-define" in second.hint
    assert "virsh define" not in first.hint + second.hint


def test_a_started_web03_has_its_tap_on_the_chosen_bridge(conn):
    """What the Passed note promises: once started, its port is on virbr2 (read by lesson 5's own reader)."""
    assert l5.check_nic_network(conn, "define web03.xml", "routed")
    conn.start("web03")
    assert l5.guest_port(conn, "web03").network == "routed"
    assert _card(conn, flags=0) == ("network", "routed")
