"""The reach operations as data: typed fields, the virsh line and the libvirt calls behind each."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.ops.domain_ids import REASONS, reason_name
from kvmlab.ops.vsh import c_pad


def test_domiflist_rows_are_typed(conn):
    res = conn.domiflist("web01")
    assert [(i.target, i.type, i.source, i.model) for i in res.interfaces] == [("testnet0", "network", "default",
                                                                                 "virtio")]
    assert res.macs == ["52:54:00:4d:ea:01"]
    assert res.virsh == "virsh domiflist web01"
    assert res.api == ["dom = conn.lookupByName('web01')", "dom.XMLDesc(0)",
                       "root.xpath('./devices/interface')  # then each one's target, type, source, model, mac"]
    assert conn.domiflist("web01", inactive=True).api[1] == "dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)"


def test_domblklist_rows_are_typed(conn):
    res = conn.domblklist("db01", details=True)
    assert res.targets == ["vda"]
    assert res.disks[0].source == "/var/lib/libvirt/images/db01.qcow2" and res.disks[0].type == "file"
    assert res.header == ("Type", "Device", "Target", "Source") and res.virsh == "virsh domblklist db01 --details"
    assert conn.domblklist("db01").header == ("Target", "Source")


def test_domifaddr_addresses_are_typed(conn):
    res = conn.domifaddr("db01", source="arp")
    (addr,) = res.addresses
    assert (addr.interface, addr.mac, addr.protocol, addr.address, addr.prefix) == (
        "testnet0", "52:54:00:4d:ea:02", "ipv4", "192.168.122.23", 24)
    assert addr.cidr == "192.168.122.23/24" and res.no_address == []
    assert res.virsh == "virsh domifaddr db01 --source arp"
    assert res.api[-1] == "dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, 0)"


def test_domifaddr_of_a_stopped_domain_says_start_it(conn):
    with pytest.raises(kvmlab.InvalidState) as info:
        conn.domifaddr("backup")
    assert info.value.virsh_error == ["Failed to query for interfaces addresses",
                                      "Requested operation is not valid: domain is not running"]
    assert "start it first" in info.value.hint


def test_ids_and_state(conn):
    assert (conn.domid("web01").value, conn.domid("backup").value) == ("1", "-")
    uuid = conn.domuuid("web01").value
    assert conn.domname(uuid).value == "web01" and conn.domname("1").name == "web01"
    st = conn.domstate("build", reason=True)
    assert (st.state, st.reason, st.state_code, str(st)) == ("paused", "unknown", 3, "paused (unknown)\n")
    conn.destroy("web01")
    st = conn.domstate("web01", reason=True)
    assert (str(st), st.reason_code) == ("shut off (destroyed)\n", 2)
    assert str(conn.domstate("web01")) == "shut off\n"


def test_the_reason_words_are_virsh_9s():
    # virsh 9.0 has no "api error" for paused (added later); a reason past the table is "unknown"
    assert len(REASONS[3]) == 14 and REASONS[3][-1] == "post-copy failed"
    assert reason_name(5, 2) == "destroyed" and reason_name(6, 1) == "panicked"
    assert reason_name(3, 14) == "unknown" and reason_name(99, 0) == "unknown"


def test_net_dhcp_leases_is_refused_by_the_test_driver_with_its_reason(conn):
    with pytest.raises(kvmlab.Unsupported) as info:
        conn.net_dhcp_leases("default")
    assert info.value.virsh_error[0] == "Failed to get leases info for default"
    assert "dnsmasq" in info.value.hint and "real lab" in info.value.hint


def test_console_on_the_test_driver(conn):
    with pytest.raises(kvmlab.Unsupported) as info:
        conn.console("web01")
    assert "virDomainOpenConsole" in info.value.message and "kvmlab lab up" in info.value.hint
    with pytest.raises(kvmlab.OperationFailed, match="The domain is not running"):
        conn.console("backup")
    seen = []
    with pytest.raises(kvmlab.Unsupported):
        conn.console("web01", ready=seen.append)  # called once the domain is known to run, before opening
    assert seen == ["web01"]


def test_c_pad_counts_bytes_as_printf_does():
    assert c_pad("eth0", 6) == "eth0  " and c_pad("toolongname", 4) == "toolongname"
    assert c_pad("网卡", 8) == "网卡  "  # six bytes of UTF-8: two spaces, as %-8s pads
