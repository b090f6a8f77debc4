"""Lesson 4 checks: virtual network modes (虚拟网络组网模式) and a network's subnet and DHCP range.

- :func:`check_modes`: which forward mode fits each scenario (nat, route, open, isolated, bridge).
- :func:`check_dhcp_network`: the network ``lab`` as libvirt holds it — its subnet, gateway and DHCP
  range; when libvirt refused it, the attempted XML says which address lies outside which subnet.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping

from lxml import etree

from ..errors import KvmlabError, NotFound
from ..specs.parser import xml_parser
from .checks import ExerciseFailed, Passed, choose, expect

__all__ = ["MODES", "SCENARIOS", "check_modes", "check_dhcp_network", "TASK"]

MODES = ("nat", "route", "open", "isolated", "bridge")

# scenario -> (the situation, the mode that fits)
SCENARIOS: dict[str, tuple[str, str]] = {
    "internet": ("guests must reach the internet, the host has one address on the LAN, and nobody on the "
                 "LAN may open connections to the guests", "nat"),
    "lab_only": ("a test network: guests talk to each other and to the host, and nothing may leave it",
                 "isolated"),
    "office_lan": ("guests must sit on the office LAN like physical PCs and get their addresses from the "
                   "office's DHCP server", "bridge"),
    "routed": ("the office router has a route to 192.168.200.0/24 via this host; LAN machines must reach "
               "the guests at their own addresses", "route"),
    "own_firewall": ("like the routed case, but the host's firewall is managed by another tool and libvirt "
                     "must not add any rules", "open"),
}  # fmt: skip

# (scenario, wrong mode) -> why not; a missing pair falls back to _WRONG_MODE.
_HINTS = {
    ("internet", "route"): "routed packets keep the guests' private addresses: the LAN's router has no "
    "route back to them. Which mode rewrites them to the host's address?",
    ("internet", "bridge"): "a bridged guest is a LAN machine: anyone on the LAN can connect to it",
    ("internet", "open"): "open forwards without NAT (and without libvirt's firewall): replies would need a "
    "route back to the guests' subnet",
    ("internet", "isolated"): "isolated forwards nothing: no internet",
    ("lab_only", "nat"): "nat forwards to the outside (through the host's address); this network must not leave",
    ("lab_only", "route"): "route forwards to the outside; the lab must stay closed",
    ("lab_only", "bridge"): "bridge puts the guests on the LAN itself",
    ("lab_only", "open"): "open forwards everything the host's firewall allows",
    ("office_lan", "nat"): "with nat the guests hide behind the host's address on a private subnet; the "
    "office's DHCP server never sees them",
    ("office_lan", "route"): "routed guests live on their own subnet with libvirt's DHCP; the office DHCP "
    "server only serves its own LAN segment",
    ("office_lan", "open"): "open is routed without firewall rules: still a separate subnet",
    ("routed", "nat"): "with nat the LAN sees only the host's address; a route to the guests' subnet "
    "would point at addresses that never appear",
    ("routed", "bridge"): "bridged guests would take addresses on the LAN's own subnet, not 192.168.200.0/24",
    ("routed", "open"): "open would work too, but then libvirt adds no firewall rules at all; the "
    "scenario does not ask to switch them off",
    ("routed", "isolated"): "isolated forwards nothing to or from the LAN",
    ("own_firewall", "route"): "route makes libvirt add its own forward rules; which mode adds none?",
    ("own_firewall", "nat"): "nat needs libvirt's masquerade rules",
}
_WRONG_MODE = "reread the table of modes: who may reach the guests, and with which address?"

TASK = {"name": "lab", "subnet": "192.168.150.0/24", "gateway": "192.168.150.1",
        "dhcp": ("192.168.150.100", "192.168.150.200"), "mode": "nat"}  # fmt: skip


def check_modes(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each key of SCENARIOS to a mode name."""
    expect(isinstance(answers, Mapping), "answers must be a dict like {'internet': '…', …}",
           hint="keys: " + ", ".join(SCENARIOS))
    missing = [k for k in SCENARIOS if k not in answers]
    expect(not missing, f"no answer for {', '.join(missing)}", hint="keys: " + ", ".join(SCENARIOS))
    for key, (situation, right) in SCENARIOS.items():
        got = choose(answers[key], MODES, what=key)
        if got != right:
            raise ExerciseFailed(f"{key}: not {got} — {situation}", hint=_HINTS.get((key, got), _WRONG_MODE))
    return Passed("every scenario has its mode",
                  "nat: out through the host's address; route / open: out with the guests' own addresses",
                  "isolated: nothing leaves; bridge: the guests are LAN machines")


# -- the DHCP range exercise ------------------------------------------------------------------


def _ipv4(root: etree._Element) -> list[etree._Element]:
    return [ip for ip in root.findall("ip") if ip.get("family", "ipv4") == "ipv4"]


def _subnet(ip: etree._Element) -> ipaddress.IPv4Interface | None:
    mask = ip.get("netmask") or ip.get("prefix")
    try:
        return ipaddress.IPv4Interface(f"{ip.get('address')}/{mask}" if mask else ip.get("address", ""))
    except ValueError:
        return None


def _hosts(net: ipaddress.IPv4Network) -> str:
    if net.num_addresses <= 2:
        return f"{net.network_address} - {net.broadcast_address}"
    return f"{net.network_address + 2} - {net.broadcast_address - 1}"


def _range_problem(ip: etree._Element, iface: ipaddress.IPv4Interface) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for the first DHCP range not inside the subnet, else None."""
    net = iface.network
    for rng in ip.findall("dhcp/range"):
        start, end = rng.get("start", ""), rng.get("end", "")
        outside = []
        for label, text in (("start", start), ("end", end)):
            try:
                addr = ipaddress.ip_address(text)
            except ValueError:
                return (f"the DHCP range's {label} '{text}' is not an IP address",
                        f"write <range start='{net.network_address + 2}' end='{net.broadcast_address - 1}'/>")
            if addr not in net:
                outside.append(f"{label} {addr}")
        if outside:
            return (f"the DHCP range {start} - {end} is outside the subnet {net} (gateway {iface.ip}, prefix "
                    f"{net.prefixlen} = netmask {net.netmask}): {' and '.join(outside)} "
                    f"{'is' if len(outside) == 1 else 'are'} not in it",
                    f"a DHCP range must come from its <ip>'s own subnet: use addresses in {_hosts(net)}")
    return None


def _read_attempt(attempted: Any) -> etree._Element | None:
    if attempted is None:
        return None
    xml = attempted.to_xml() if hasattr(attempted, "to_xml") else attempted
    if not isinstance(xml, str):
        return None
    try:
        root = etree.fromstring(xml.encode(), xml_parser())
    except etree.XMLSyntaxError:
        return None
    return root if root.tag == "network" else None


def check_dhcp_network(conn: Any, attempted: Any = None, task: Mapping[str, Any] = TASK) -> Passed:
    """The network ``task['name']`` as libvirt holds it: mode, subnet, gateway and DHCP range.

    ``attempted`` (a NetworkSpec or XML) is what you tried to define: when libvirt holds no such
    network, it is read to tell you why libvirt refused it.
    """
    name, want_net = task["name"], ipaddress.IPv4Network(task["subnet"])
    first, last = task["dhcp"]
    try:
        xml = conn.net_dumpxml(name).xml  # what libvirt holds, not what the notebook has
    except NotFound:
        root = _read_attempt(attempted)
        if root is not None:
            for ip in _ipv4(root):
                iface = _subnet(ip)
                problem = iface and _range_problem(ip, iface)
                if problem:
                    raise ExerciseFailed(f"libvirt has no network '{name}': it refused the definition because "
                                         + problem[0], hint=problem[1] + f" — the task asks for {first} - {last}")
        raise ExerciseFailed(f"libvirt has no network '{name}'",
                             hint=f"define it: conn.net_define(spec) (virsh net-define {name}.xml); "
                                  "if libvirt refused it, read the second error line")  # fmt: skip
    except KvmlabError as err:  # any other refusal: say so, do not hide it
        raise ExerciseFailed(f"could not read network '{name}': {err.message}", hint=err.hint) from err
    root = etree.fromstring(xml.encode(), xml_parser())
    ips = _ipv4(root)
    expect(ips, f"network '{name}' has no IPv4 <ip>", hint=f"add <ip address='{task['gateway']}' prefix='24'> "
           "with a <dhcp><range …/></dhcp> inside: without it the guests get no address")
    iface = _subnet(ips[0])
    expect(iface is not None, f"the <ip> of '{name}' has no valid address/netmask",
           hint=f"address='{task['gateway']}' netmask='{want_net.netmask}'")
    if iface.network != want_net:
        have = iface.network
        if have.prefixlen != want_net.prefixlen:
            why = f"prefix {have.prefixlen} (netmask {have.netmask}) makes it {have}"
        else:
            why = f"the gateway {iface.ip} puts it in {have}"
        raise ExerciseFailed(f"the subnet of '{name}' is {have}, the task asks for {want_net}: {why}",
                             hint=f"address='{task['gateway']}' with prefix='{want_net.prefixlen}' "
                                  f"(= netmask='{want_net.netmask}')")  # fmt: skip
    expect(str(iface.ip) == task["gateway"], f"the gateway (the host's address) is {iface.ip}",
           hint=f"the task puts the host at {task['gateway']}, the subnet's first address")
    problem = _range_problem(ips[0], iface)  # libvirt refuses these, but say it precisely if one slips in
    if problem:
        raise ExerciseFailed(problem[0], hint=problem[1])
    ranges = [(r.get("start"), r.get("end")) for r in ips[0].findall("dhcp/range")]
    expect(ranges, f"'{name}' has no DHCP range: guests would get no address",
           hint=f"add <dhcp><range start='{first}' end='{last}'/></dhcp> inside <ip>")
    expect(ranges == [(first, last)], f"the DHCP range is {', '.join(f'{s} - {e}' for s, e in ranges)}",
           hint=f"the task asks for exactly {first} - {last}")
    forward = root.find("forward")
    mode = "isolated" if forward is None else forward.get("mode", "nat")
    expect(mode == task["mode"], f"'{name}' is in {mode} mode", hint=f"the task asks for {task['mode']}: "
           "NetworkSpec(mode=…) writes <forward mode=…/> (isolated: no <forward>)")
    return Passed(f"network '{name}': {want_net}, gateway {iface.ip}, DHCP {first} - {last}",
                  "libvirt accepted it: every DHCP address lies inside the <ip>'s subnet",
                  f"read back with {conn.net_dumpxml(name).virsh}")
