"""Teaching checks for ``<network>``: forward modes, subnets, gateway and DHCP ranges.

The modes, as libvirt defines them:

* no ``<forward>`` — *isolated*: guests talk to each other and to the host, nothing else.
* ``nat`` — guests reach outside through the host's address (needs an ``<ip>``: the gateway).
* ``route`` — like nat without address translation: the outside must route back to the subnet.
* ``open`` — like route, but libvirt adds no firewall rules at all.
* ``bridge`` — guests join an existing host bridge (``<bridge name='br0'/>``); the LAN gives
  them addresses, so the network has no ``<ip>`` and no DHCP of its own.
"""

from __future__ import annotations

import ipaddress

from lxml import etree

from ..i18n import _

from .checks_devices import problem as _p
from .checks_devices import strict
from .parser import text_of
from .problems import Problem

__all__ = ["network_problems", "natural_prefix", "MAX_DHCP_RANGE", "IFNAMSIZ"]

MAX_DHCP_RANGE = 65535  # libvirt refuses bigger ranges ("is too large (> 65535)")
IFNAMSIZ = 15  # longest Linux interface name
# who refuses what the test driver accepts: the network driver (bridge_driver.c, networkValidate) at define
NET_DRIVER_REFUSES = "The network driver refuses it at net-define"
TEST_ACCEPTS = "the test driver accepts it"


def network_problems(root: etree._Element) -> list[Problem]:
    found: list[Problem] = []
    name = text_of(root.find("name"))
    if not name:
        found.append(_p(root, "the network has no <name>", "add <name>lab</name>: net-start/net-info use it"))
    elif "/" in name:
        found.append(_p(root.find("name"), f"the name '{name}' contains '/'", "use letters, digits, - and _"))
    forward = root.find("forward")
    mode = "isolated" if forward is None else forward.get("mode", "nat")
    ips = root.findall("ip")
    bridge = root.find("bridge")
    bridge_name = bridge.get("name") if bridge is not None else None
    if mode in ("nat", "route", "open") and not ips:
        found.append(_p(forward, f"forward mode='{mode}' needs an <ip> (libvirt: \"{mode} forwarding requested, "
                        "but no IP address provided\")",
                        "add the gateway and subnet: <ip address='192.168.150.1' netmask='255.255.255.0'/>"))
    if mode == "bridge":
        if not bridge_name and forward.find("interface") is None and not forward.get("dev"):
            found.append(_p(forward, "forward mode='bridge' names no host bridge to join: libvirt accepts the "
                            "definition, but guests can only be plugged in once it names one",
                            "add <bridge name='br0'/> naming a bridge that exists on the host", "note"))
        for ip in ips:
            found.append(_p(ip, "a bridge-mode network cannot have <ip>: libvirt does not run a gateway or "
                            f"DHCP there, the LAN behind the bridge does. {NET_DRIVER_REFUSES}: "
                            f"\"Unsupported <ip> element in network {name or 'NAME'} with forward "
                            f"mode='bridge'\"; {TEST_ACCEPTS}",
                            "remove <ip> (or use mode nat/route to let libvirt give addresses)"))
    if bridge_name is not None and len(bridge_name) > IFNAMSIZ:
        found.append(_p(bridge, f"bridge name '{bridge_name}' is {len(bridge_name)} characters; Linux interface "
                        f"names are at most {IFNAMSIZ}. The network driver fails at net-start, when it creates the "
                        f"bridge (\"Network interface name '…' is too long\", or the kernel's refusal); "
                        f"{TEST_ACCEPTS}", "use a short name such as virbr10"))
    subnets = []
    dhcp4 = 0
    for ip in ips:
        net, ip_found = _ip(ip)
        found += ip_found
        if net is not None:
            subnets.append(net)
            if net.version == 4 and ip.xpath("./dhcp[range or host]"):  # what networkValidate counts
                dhcp4 += 1
    if dhcp4 > 1:
        found.append(_p(root, "more than one IPv4 <ip> has <dhcp>; libvirt serves DHCP on one IPv4 subnet only. "
                        f"{NET_DRIVER_REFUSES}: \"Multiple IPv4 dhcp sections "
                        f"found -- dhcp is supported only for a single IPv4 address on each network\"; {TEST_ACCEPTS}",
                        "keep <dhcp> in one <ip> element"))
    for route in root.findall("route"):
        found += _route(route, subnets)
    return found


def _ip(ip: etree._Element) -> tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface | None, list[Problem]]:
    """The interface (gateway address + subnet) of an <ip>, and its problems."""
    address, netmask, prefix = ip.get("address"), ip.get("netmask"), ip.get("prefix")
    if address is None:
        return None, [_p(ip, "<ip> has no address", "give the gateway: <ip address='192.168.150.1' prefix='24'/>")]
    if netmask is not None and prefix is not None:
        return None, [_p(ip, "<ip> has both netmask= and prefix=",
                         "use one: prefix='24' means netmask='255.255.255.0'")]
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return None, [_p(ip, f"address='{address}' is not an IP address", "e.g. address='192.168.150.1'")]
    found = []
    if netmask is None and prefix is None:
        prefix = natural_prefix(addr)
        if prefix is None:
            return None, [_p(ip, f"<ip address='{address}'> has no netmask or prefix, and libvirt derives none for "
                             "a multicast or reserved address", "add prefix='24' (and use a private address)")]
        why = "the natural prefix of its old address class" if addr.version == 4 else "the IPv6 default"
        subnet = ipaddress.ip_interface(f"{address}/{prefix}").network
        found.append(_p(ip, f"<ip address='{address}'> has no netmask or prefix: libvirt assumes /{prefix} ({why}), "
                        f"so the subnet is {subnet}",
                        f"say what you mean: prefix='{prefix}', or the prefix you wanted (e.g. prefix='24')", "note"))
    try:
        if netmask is not None:
            if addr.version != 4:
                raise ValueError(_("netmask= is for IPv4; IPv6 uses prefix="))
            iface = ipaddress.ip_interface(f"{address}/{netmask}")
        else:
            iface = ipaddress.ip_interface(f"{address}/{prefix}")
    except ValueError as exc:
        return None, [_p(ip, f"the netmask or prefix of {address} is not valid ({exc})",
                         "a netmask is a run of 1 bits: 255.255.255.0 (= prefix 24); IPv4 prefixes go up to 32")]
    net = iface.network
    if net.num_addresses > 2 and addr in (net.network_address, getattr(net, "broadcast_address", None)):
        which = "network" if addr == net.network_address else "broadcast"
        # network_conf.c parses any address and the kernel assigns it: no part of libvirt refuses it
        found.append(strict(ip, f"address='{address}' is the {which} address of {net}; the gateway needs a host "
                            "address", f"use the first host address: address='{next(net.hosts())}'"))
    dhcp = ip.find("dhcp")
    if dhcp is not None:
        found += _dhcp(dhcp, iface)
    return iface, found


def natural_prefix(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int | None:
    """The prefix libvirt assumes for an <ip> without netmask= or prefix= (virSocketAddrGetIPPrefix):
    the old address class for IPv4 (A: /8, B: /16, C: /24), /64 for IPv6; None for class D and E."""
    if addr.version == 6:
        return 64
    first = int(addr) >> 24
    return 8 if first < 128 else 16 if first < 192 else 24 if first < 224 else None


def _dhcp(dhcp: etree._Element, iface) -> list[Problem]:
    found = []
    net, gateway = iface.network, iface.ip
    for rng in dhcp.findall("range"):
        try:
            start, end = ipaddress.ip_address(rng.get("start", "")), ipaddress.ip_address(rng.get("end", ""))
        except ValueError:
            found.append(_p(rng, f"DHCP range {rng.get('start')} - {rng.get('end')} is not two IP addresses",
                            "write <range start='192.168.150.2' end='192.168.150.254'/>"))
            continue
        if start.version != net.version or end.version != net.version:
            found.append(_p(rng, f"DHCP range {start} - {end} is not IPv{net.version} like its subnet {net}",
                            "use addresses from the <ip>'s own subnet"))
            continue
        last = net.network_address + max(net.num_addresses - 2, 0)
        hosts = f"{min(gateway + 1, last) if gateway in net else net.network_address + 1} - {last}"
        if start not in net or end not in net:
            found.append(_p(rng, f"DHCP range {start} - {end} is not inside the subnet {net}",
                            f"pick addresses between {hosts}"))
        elif start > end:
            found.append(_p(rng, f"DHCP range {start} - {end} is reversed", "start must be the lower address"))
        elif net.version == 4 and net.num_addresses > 2 and (
                start == net.network_address or end == net.broadcast_address):
            found.append(_p(rng, f"DHCP range {start} - {end} includes the network or broadcast address of {net}",
                            f"stay within {hosts}"))
        elif int(end) - int(start) + 1 > MAX_DHCP_RANGE:
            found.append(_p(rng, f"DHCP range {start} - {end} has more than {MAX_DHCP_RANGE} addresses "
                            "(libvirt refuses it)", "a /24 range such as .2 - .254 is plenty for a lab"))
        elif start <= gateway <= end:
            found.append(_p(rng, f"DHCP range {start} - {end} includes the gateway {gateway}",
                            "start the range after the gateway, e.g. .2 when the gateway is .1", "note"))
    for host in dhcp.findall("host"):
        ip = host.get("ip")
        try:
            inside = ip is None or ipaddress.ip_address(ip) in net
        except ValueError:
            inside = False
        if not inside and ip is not None and _is_ip(ip):
            # virNetworkDHCPHostDefParseXML does not compare it with the subnet; dnsmasq never hands it out
            found.append(strict(host, f"DHCP host ip='{ip}' is not inside the subnet {net}: no guest ever gets it",
                                "a reserved address must come from the network's own subnet"))
        elif not inside:  # libvirt: "Invalid IP address in static host definition"
            found.append(_p(host, f"DHCP host ip='{ip}' is not inside the subnet {net}",
                            "a reserved address must come from the network's own subnet"))
    return found


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _route(route: etree._Element, subnets) -> list[Problem]:
    gateway = route.get("gateway")
    try:
        gw = ipaddress.ip_address(gateway or "")
    except ValueError:
        return [_p(route, f"route gateway='{gateway}' is not an IP address", "e.g. gateway='192.168.150.2'")]
    if not any(gw in s.network for s in subnets if s.version == gw.version):
        nets = ", ".join(str(s.network) for s in subnets) or "none"
        return [_p(route, f"route gateway {gw} is not on this network (its subnets: {nets})",
                   "the gateway of a static route must be reachable on the network's own subnet")]
    return []
