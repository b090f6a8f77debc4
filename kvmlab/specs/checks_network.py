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

from ..i18n import N_, _

from .checks_devices import problem as _p
from .checks_devices import strict
from .parser import text_of
from .problems import Problem

__all__ = ["network_problems", "natural_prefix", "MAX_DHCP_RANGE", "IFNAMSIZ"]

MAX_DHCP_RANGE = 65535  # libvirt refuses bigger ranges ("is too large (> 65535)")
IFNAMSIZ = 15  # longest Linux interface name
# who refuses what the test driver accepts: the network driver (bridge_driver.c, networkValidate) at define
NET_DRIVER_REFUSES = N_("The network driver refuses it at net-define")
TEST_ACCEPTS = N_("the test driver accepts it")


def network_problems(root: etree._Element) -> list[Problem]:
    found: list[Problem] = []
    name = text_of(root.find("name"))
    if not name:
        found.append(_p(root, _("the network has no <name>"), _("add <name>lab</name>: net-start/net-info use it")))
    elif "/" in name:
        found.append(_p(root.find("name"), _("the name '{name}' contains '/'").format(name=name),
                        _("use letters, digits, - and _")))
    forward = root.find("forward")
    mode = "isolated" if forward is None else forward.get("mode", "nat")
    ips = root.findall("ip")
    bridge = root.find("bridge")
    bridge_name = bridge.get("name") if bridge is not None else None
    if mode in ("nat", "route", "open") and not ips:
        found.append(_p(forward, _("forward mode='{mode}' needs an <ip> (libvirt: \"{mode} forwarding requested, "
                                   "but no IP address provided\")").format(mode=mode),
                        _("add the gateway and subnet: <ip address='192.168.150.1' netmask='255.255.255.0'/>")))
    if mode == "bridge":
        if not bridge_name and forward.find("interface") is None and not forward.get("dev"):
            found.append(_p(forward, _("forward mode='bridge' names no host bridge to join: libvirt accepts the "
                                       "definition, but guests can only be plugged in once it names one"),
                            _("add <bridge name='br0'/> naming a bridge that exists on the host"), "note"))
        for ip in ips:
            found.append(_p(ip, _("a bridge-mode network cannot have <ip>: libvirt does not run a gateway or "
                                  "DHCP there, the LAN behind the bridge does. {refuses}: "
                                  "\"Unsupported <ip> element in network {name} with forward "
                                  "mode='bridge'\"; {accepts}").format(
                                refuses=_(NET_DRIVER_REFUSES), name=name or "NAME", accepts=_(TEST_ACCEPTS)),
                            _("remove <ip> (or use mode nat/route to let libvirt give addresses)")))
    if bridge_name is not None and len(bridge_name) > IFNAMSIZ:
        found.append(_p(bridge, _("bridge name '{bridge}' is {length} characters; Linux interface "
                                  "names are at most {most}. The network driver fails at net-start, when it creates "
                                  "the bridge (\"Network interface name '…' is too long\", or the kernel's refusal); "
                                  "{accepts}").format(bridge=bridge_name, length=len(bridge_name), most=IFNAMSIZ,
                                                      accepts=_(TEST_ACCEPTS)),
                        _("use a short name such as virbr10")))
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
        found.append(_p(root, _("more than one IPv4 <ip> has <dhcp>; libvirt serves DHCP on one IPv4 subnet only. "
                                "{refuses}: \"Multiple IPv4 dhcp sections found -- dhcp is supported only for a "
                                "single IPv4 address on each network\"; {accepts}").format(
                            refuses=_(NET_DRIVER_REFUSES), accepts=_(TEST_ACCEPTS)),
                        _("keep <dhcp> in one <ip> element")))
    for route in root.findall("route"):
        found += _route(route, subnets)
    return found


def _ip(ip: etree._Element) -> tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface | None, list[Problem]]:
    """The interface (gateway address + subnet) of an <ip>, and its problems."""
    address, netmask, prefix = ip.get("address"), ip.get("netmask"), ip.get("prefix")
    if address is None:
        return None, [_p(ip, _("<ip> has no address"), _("give the gateway: <ip address='192.168.150.1' prefix='24'/>"))]
    if netmask is not None and prefix is not None:
        return None, [_p(ip, _("<ip> has both netmask= and prefix="),
                         _("use one: prefix='24' means netmask='255.255.255.0'"))]
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return None, [_p(ip, _("address='{address}' is not an IP address").format(address=address),
                         _("e.g. address='192.168.150.1'"))]
    found = []
    if netmask is None and prefix is None:
        prefix = natural_prefix(addr)
        if prefix is None:
            return None, [_p(ip, _("<ip address='{address}'> has no netmask or prefix, and libvirt derives none for "
                                   "a multicast or reserved address").format(address=address),
                             _("add prefix='24' (and use a private address)"))]
        why = _("the natural prefix of its old address class") if addr.version == 4 else _("the IPv6 default")
        subnet = ipaddress.ip_interface(f"{address}/{prefix}").network
        found.append(_p(ip, _("<ip address='{address}'> has no netmask or prefix: libvirt assumes /{prefix} ({why}), "
                              "so the subnet is {subnet}").format(address=address, prefix=prefix, why=why, subnet=subnet),
                        _("say what you mean: prefix='{prefix}', or the prefix you wanted (e.g. prefix='24')").format(
                            prefix=prefix), "note"))
    try:
        if netmask is not None:
            if addr.version != 4:
                raise ValueError(_("netmask= is for IPv4; IPv6 uses prefix="))
            iface = ipaddress.ip_interface(f"{address}/{netmask}")
        else:
            iface = ipaddress.ip_interface(f"{address}/{prefix}")
    except ValueError as exc:
        return None, [_p(ip, _("the netmask or prefix of {address} is not valid ({error})").format(address=address, error=exc),
                         _("a netmask is a run of 1 bits: 255.255.255.0 (= prefix 24); IPv4 prefixes go up to 32"))]
    net = iface.network
    if net.num_addresses > 2 and addr in (net.network_address, getattr(net, "broadcast_address", None)):
        which = _("network") if addr == net.network_address else _("broadcast")
        # network_conf.c parses any address and the kernel assigns it: no part of libvirt refuses it
        found.append(strict(ip, _("address='{address}' is the {which} address of {net}; the gateway needs a host "
                                  "address").format(address=address, which=which, net=net),
                            _("use the first host address: address='{first}'").format(first=next(net.hosts()))))
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
            found.append(_p(rng, _("DHCP range {start} - {end} is not two IP addresses").format(
                                start=rng.get("start"), end=rng.get("end")),
                            _("write <range start='192.168.150.2' end='192.168.150.254'/>")))
            continue
        if start.version != net.version or end.version != net.version:
            found.append(_p(rng, _("DHCP range {start} - {end} is not IPv{version} like its subnet {net}").format(
                                start=start, end=end, version=net.version, net=net),
                            _("use addresses from the <ip>'s own subnet")))
            continue
        last = net.network_address + max(net.num_addresses - 2, 0)
        hosts = f"{min(gateway + 1, last) if gateway in net else net.network_address + 1} - {last}"
        if start not in net or end not in net:
            found.append(_p(rng, _("DHCP range {start} - {end} is not inside the subnet {net}").format(
                                start=start, end=end, net=net),
                            _("pick addresses between {hosts}").format(hosts=hosts)))
        elif start > end:
            found.append(_p(rng, _("DHCP range {start} - {end} is reversed").format(start=start, end=end),
                            _("start must be the lower address")))
        elif net.version == 4 and net.num_addresses > 2 and (
                start == net.network_address or end == net.broadcast_address):
            found.append(_p(rng, _("DHCP range {start} - {end} includes the network or broadcast address of {net}"
                                   ).format(start=start, end=end, net=net),
                            _("stay within {hosts}").format(hosts=hosts)))
        elif int(end) - int(start) + 1 > MAX_DHCP_RANGE:
            found.append(_p(rng, _("DHCP range {start} - {end} has more than {most} addresses "
                                   "(libvirt refuses it)").format(start=start, end=end, most=MAX_DHCP_RANGE),
                            _("a /24 range such as .2 - .254 is plenty for a lab")))
        elif start <= gateway <= end:
            found.append(_p(rng, _("DHCP range {start} - {end} includes the gateway {gateway}").format(
                                start=start, end=end, gateway=gateway),
                            _("start the range after the gateway, e.g. .2 when the gateway is .1"), "note"))
    for host in dhcp.findall("host"):
        ip = host.get("ip")
        try:
            inside = ip is None or ipaddress.ip_address(ip) in net
        except ValueError:
            inside = False
        if not inside and ip is not None and _is_ip(ip):
            # virNetworkDHCPHostDefParseXML does not compare it with the subnet; dnsmasq never hands it out
            found.append(strict(host, _("DHCP host ip='{ip}' is not inside the subnet {net}: no guest ever gets it"
                                        ).format(ip=ip, net=net),
                                _("a reserved address must come from the network's own subnet")))
        elif not inside:  # libvirt: "Invalid IP address in static host definition"
            found.append(_p(host, _("DHCP host ip='{ip}' is not inside the subnet {net}").format(ip=ip, net=net),
                            _("a reserved address must come from the network's own subnet")))
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
        return [_p(route, _("route gateway='{gateway}' is not an IP address").format(gateway=gateway),
                   _("e.g. gateway='192.168.150.2'"))]
    if not any(gw in s.network for s in subnets if s.version == gw.version):
        nets = ", ".join(str(s.network) for s in subnets) or _("none")
        return [_p(route, _("route gateway {gateway} is not on this network (its subnets: {nets})").format(
                    gateway=gw, nets=nets),
                   _("the gateway of a static route must be reachable on the network's own subnet"))]
    return []
