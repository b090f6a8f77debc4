"""Network teaching checks: modes, subnets, gateway, DHCP ranges, routes."""

from __future__ import annotations

import pytest

from kvmlab.specs import NetworkSpec, check_xml

from .virsh import define

IP = "<ip address='192.168.150.1' netmask='255.255.255.0'>{}</ip>"


def net(body: str, name: str = "<name>n1</name>") -> str:
    return f"<network>{name}{body}</network>"


def checks(xml: str, severity: str = "error"):
    return [p for p in check_xml("network", xml) if p.source == "check" and p.severity == severity]


@pytest.mark.parametrize("body", [
    "<forward mode='nat'/>" + IP.format("<dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp>"),
    "<forward mode='route'/>" + IP.format(""),
    "<forward mode='open'/>" + IP.format(""),
    "",  # isolated, no addresses: guests talk among themselves
    IP.format("<dhcp><host mac='52:54:00:00:00:01' ip='192.168.150.9'/></dhcp>"),
    "<forward mode='bridge'/><bridge name='br0'/>",
    "<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><range start='2001:db8::100' end='2001:db8::1ff'/>"
    "</dhcp></ip>" + IP.format("") + "<route address='10.0.0.0' prefix='8' gateway='192.168.150.2'/>",
])
def test_good_networks_pass_and_define(body, tmp_path):
    xml = net(body)
    assert check_xml("network", xml) == []
    assert define("network", xml, tmp_path, then="net-start n1").returncode == 0


# (body, path, words in message, words in fix, what virsh says or None)
CASES = [
    ("", "/network", "has no <name>", "<name>lab</name>", "missing name information"),
    ("<forward mode='nat'/>", "/network/forward", "forward mode='nat' needs an <ip>", "192.168.150.1",
     "nat forwarding requested, but no IP address provided"),
    ("<forward mode='route'/>", "/network/forward", "mode='route' needs an <ip>", "netmask", "route forwarding"),
    ("<forward mode='open'/>", "/network/forward", "mode='open' needs an <ip>", "netmask", "open forwarding"),
    ("<forward mode='bridge'/><bridge name='br0'/>" + IP.format(""), "/network/ip",
     "bridge-mode network cannot have <ip>", "mode nat/route", None),
    ("<bridge name='virbr-much-too-long'/>", "/network/bridge", "at most 15", "virbr10", None),
    ("<ip address='192.168.150.1' netmask='255.255.255.0' prefix='24'/>", "/network/ip", "both netmask= and prefix=",
     "prefix='24'", None),
    ("<ip address='192.168.150.1' netmask='255.0.255.0'/>", "/network/ip", "netmask or prefix", "run of 1 bits",
     None),
    ("<ip address='192.168.150.1' prefix='33'/>", "/network/ip", "netmask or prefix", "up to 32",
     "Invalid IPv4 prefix '33'"),
    ("<ip address='192.168.150.0' prefix='24'/>", "/network/ip", "is the network address of 192.168.150.0/24",
     "address='192.168.150.1'", None),
    ("<ip address='192.168.150.255' prefix='24'/>", "/network/ip", "broadcast address", "192.168.150.1", None),
    (IP.format("<dhcp><range start='10.0.0.2' end='10.0.0.254'/></dhcp>"), "/network/ip/dhcp/range",
     "not inside the subnet 192.168.150.0/24", "192.168.150.2 - 192.168.150.254",
     "is not entirely within network"),
    (IP.format("<dhcp><range start='192.168.150.254' end='192.168.150.2'/></dhcp>"), "/network/ip/dhcp/range",
     "is reversed", "lower address", "is reversed"),
    (IP.format("<dhcp><range start='192.168.150.0' end='192.168.150.255'/></dhcp>"), "/network/ip/dhcp/range",
     "network or broadcast address", "192.168.150.2 - 192.168.150.254", "is the network address"),
    ("<ip address='10.0.0.1' prefix='8'><dhcp><range start='10.0.0.2' end='10.255.255.254'/></dhcp></ip>",
     "/network/ip/dhcp/range", "more than 65535 addresses", "/24", "is too large (> 65535)"),
    (IP.format("<dhcp><range start='2001:db8::2' end='2001:db8::9'/></dhcp>"), "/network/ip/dhcp/range",
     "is not IPv4 like its subnet", "own subnet", None),
    (IP.format("<dhcp><range start='x' end='y'/></dhcp>"), "/network/ip/dhcp/range", "is not two IP addresses",
     "start='192.168.150.2'", "Cannot parse socket address 'x'"),
    (IP.format("<dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.5'/></dhcp>"), "/network/ip/dhcp/host",
     "ip='10.0.0.5' is not inside the subnet", "own subnet", None),
    # what networkValidate counts: a <dhcp> that serves something (a range or a host)
    (IP.format("<dhcp><range start='192.168.150.2' end='192.168.150.9'/></dhcp>") + "<ip address='10.1.0.1' "
     "prefix='24'><dhcp><host mac='52:54:00:00:00:01' ip='10.1.0.9'/></dhcp></ip>", "/network",
     "more than one IPv4 <ip> has <dhcp>", "one <ip>", None),
    (IP.format("") + "<route address='10.0.0.0' prefix='8' gateway='172.16.0.1'/>", "/network/route",
     "gateway 172.16.0.1 is not on this network", "reachable", None),
    (IP.format("") + "<route address='10.0.0.0' prefix='8' gateway='nope'/>", "/network/route",
     "is not an IP address", "gateway=", None),
]


@pytest.mark.parametrize("body,path,what,fix,virsh_says", CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_check(body, path, what, fix, virsh_says, tmp_path):
    xml = net(body, name="" if "has no <name>" in what else "<name>n1</name>")
    found = [p for p in checks(xml) if p.path == path]
    assert len(found) == 1, check_xml("network", xml)
    assert what in found[0].message and fix in found[0].fix
    if virsh_says:
        run = define("network", xml, tmp_path)
        assert run.returncode == 1 and virsh_says in run.stderr


@pytest.mark.parametrize("body,path,what,fix", [
    ("<forward mode='bridge'/>", "/network/forward", "names no host bridge to join: libvirt accepts",
     "<bridge name='br0'/>"),
    ("<ip address='192.168.150.1'/>", "/network/ip", "libvirt assumes /24 (the natural prefix of its old address "
     "class), so the subnet is 192.168.150.0/24", "prefix='24'"),
    ("<ip address='10.24.10.1'/>", "/network/ip", "libvirt assumes /8", "prefix='8'"),
    ("<ip family='ipv6' address='2001:db8::1'/>", "/network/ip", "libvirt assumes /64 (the IPv6 default)",
     "prefix='64'"),
])
def test_what_libvirt_accepts_is_a_note(body, path, what, fix, tmp_path):
    """libvirt defines these networks (real virsh shows it): kvmlab explains, it does not refuse."""
    xml = net(body)
    [note] = [p for p in checks(xml, "note") if p.path == path]
    assert what in note.message and fix in note.fix
    assert checks(xml) == []
    assert define("network", xml, tmp_path).returncode == 0


def test_a_natural_prefix_still_bounds_the_dhcp_range():
    xml = net("<ip address='192.168.150.1'><dhcp><range start='192.168.151.2' end='192.168.151.9'/></dhcp></ip>")
    [err] = checks(xml)
    assert "not inside the subnet 192.168.150.0/24" in err.message


def test_range_over_the_gateway_is_a_note():
    [note] = checks(net(IP.format("<dhcp><range start='192.168.150.1' end='192.168.150.9'/></dhcp>")), "note")
    assert "includes the gateway 192.168.150.1" in note.message


def test_spec_built_networks_are_clean_for_every_mode():
    for mode in ("nat", "route", "open", "isolated"):
        spec = NetworkSpec(name=f"n-{mode}", mode=mode)
        spec.add_ip("10.20.0.0/24")
        assert spec.problems() == [], mode
    assert NetworkSpec(name="b", mode="bridge", bridge="br0").problems() == []
