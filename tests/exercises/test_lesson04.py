"""Lesson 4 checks: modes for scenarios; the network 'lab' read back from libvirt, and why libvirt refused it."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson04 as l4
from kvmlab.specs import DhcpRange, IpSpec, NetworkSpec

from tests.conftest import inventory

RIGHT = {key: mode for key, (_, mode) in l4.SCENARIOS.items()}


def test_modes_pass_case_insensitive():
    assert l4.check_modes(RIGHT)
    assert l4.check_modes({k: f" {v.upper()} " for k, v in RIGHT.items()})


@pytest.mark.parametrize("key", list(RIGHT))
@pytest.mark.parametrize("wrong", l4.MODES)
def test_each_wrong_mode_is_named_with_a_hint(key, wrong):
    if RIGHT[key] == wrong:
        return
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, key: wrong})
    assert info.value.message.startswith(f"{key}: not {wrong} — ")
    assert info.value.hint == l4._HINTS.get((key, wrong), l4._WRONG_MODE)


def test_modes_missing_todo_and_typos():
    with pytest.raises(ExerciseFailed, match="no answer for lab_only"):
        l4.check_modes({k: v for k, v in RIGHT.items() if k != "lab_only"})
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, "internet": "TODO"})
    assert "choose one of: nat, route, open, isolated, bridge" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, "routed": "routed"})  # the embedded network's name, not the mode
    assert "did you mean 'route'?" in info.value.hint


def _lab(dhcp=("192.168.150.100", "192.168.150.200"), prefix=24, gateway="192.168.150.1", mode="nat"):
    spec = NetworkSpec(name="lab", mode=mode, bridge="virbr10")
    ip = IpSpec(address=gateway, prefix=prefix)
    if dhcp:
        ip.ranges.append(DhcpRange(start=dhcp[0], end=dhcp[1]))
    spec.ips.append(ip)
    return spec


def _define(conn, spec):
    try:
        conn.net_define(spec)
    except kvmlab.KvmlabError as err:
        return err
    return None


def test_the_solution_passes_reading_libvirt(conn):
    assert _define(conn, _lab()) is None
    done = l4.check_dhcp_network(conn)
    assert "192.168.150.0/24, gateway 192.168.150.1, DHCP 192.168.150.100 - 192.168.150.200" in done.title
    assert "virsh net-dumpxml lab" in str(done)


@pytest.mark.parametrize("dhcp, outside", [
    (("192.168.15.100", "192.168.15.200"), "start 192.168.15.100 and end 192.168.15.200 are not in it"),
    (("192.168.150.100", "192.168.151.200"), ": end 192.168.151.200 is not in it"),
    (("10.0.0.100", "192.168.150.200"), ": start 10.0.0.100 is not in it"),
])  # fmt: skip
def test_a_range_outside_the_subnet_names_the_address_and_the_subnet(conn, dhcp, outside):
    before = inventory(conn)
    err = _define(conn, _lab(dhcp))
    # a spec is checked before libvirt sees it (as spec.validate() would refuse it), so kvmlab refuses it
    assert isinstance(err, kvmlab.SpecError) and err.virsh_error[0] == "Failed to define network"
    assert "is not inside the subnet 192.168.150.0/24" in err.virsh_error[-1]
    assert inventory(conn) == before  # refused: nothing to read back
    with pytest.raises(ExerciseFailed) as info:
        l4.check_dhcp_network(conn, attempted=_lab(dhcp))
    msg = info.value.message
    assert msg.startswith("libvirt has no network 'lab': it refused the definition because the DHCP range")
    assert outside in msg
    assert "outside the subnet 192.168.150.0/24 (gateway 192.168.150.1, prefix 24 = netmask 255.255.255.0)" in msg
    assert "use addresses in 192.168.150.2 - 192.168.150.254" in info.value.hint
    assert "192.168.150.100 - 192.168.150.200" in info.value.hint
    # the XML text of the attempt works as well as the spec
    with pytest.raises(ExerciseFailed) as again:
        l4.check_dhcp_network(conn, attempted=_lab(dhcp).to_xml())
    assert again.value.message == msg


def test_nothing_defined_and_nothing_attempted(conn):
    with pytest.raises(ExerciseFailed) as info:
        l4.check_dhcp_network(conn)
    assert info.value.message == "libvirt has no network 'lab'"
    assert "conn.net_define(spec)" in info.value.hint


@pytest.mark.parametrize("kwargs, message, hint", [
    ({"prefix": 16}, "the subnet of 'lab' is 192.168.0.0/16, the task asks for 192.168.150.0/24: prefix 16 "
     "(netmask 255.255.0.0) makes it 192.168.0.0/16", "prefix='24'"),
    ({"dhcp": ("192.168.150.10", "192.168.150.200")}, "the DHCP range is 192.168.150.10 - 192.168.150.200",
     "exactly 192.168.150.100 - 192.168.150.200"),
    ({"dhcp": None}, "'lab' has no DHCP range: guests would get no address", "<dhcp><range"),
    ({"mode": "route"}, "'lab' is in route mode", "the task asks for nat"),
    ({"mode": "isolated"}, "'lab' is in isolated mode", "the task asks for nat"),
    ({"gateway": "192.168.150.254", "dhcp": ("192.168.150.100", "192.168.150.200")},
     "the gateway (the host's address) is 192.168.150.254", "192.168.150.1"),
])  # fmt: skip
def test_accepted_by_libvirt_but_not_the_task(conn, kwargs, message, hint):
    assert _define(conn, _lab(**kwargs)) is None
    with pytest.raises(ExerciseFailed) as info:
        l4.check_dhcp_network(conn)
    assert info.value.message == message
    assert hint in info.value.hint


def test_the_check_reads_libvirt_not_the_notebook(conn):
    """A right spec in the notebook does not pass while libvirt holds a wrong network."""
    assert _define(conn, _lab(prefix=16)) is None
    with pytest.raises(ExerciseFailed, match="192.168.0.0/16"):
        l4.check_dhcp_network(conn, attempted=_lab())
    conn.net_undefine("lab")
    assert _define(conn, _lab()) is None
    assert l4.check_dhcp_network(conn, attempted=_lab(prefix=16))
