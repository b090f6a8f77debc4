"""``<network>``: a libvirt virtual network (virtinst's Network, small).

::

    net = NetworkSpec(name="lab", mode="nat", bridge="virbr10")
    net.add_ip("192.168.150.0/24", dhcp=True)    # gateway .1, DHCP .2 - .254
    print(net.to_xml())                          # what `virsh net-define` takes
"""

from __future__ import annotations

import ipaddress

from .validate import Spec
from .xmlobject import Attr, Children, Text, XmlObject, _int_or_raw

__all__ = ["NetworkSpec", "IpSpec", "DhcpRange", "DhcpHost", "MODES"]

MODES = ("nat", "route", "open", "isolated", "bridge")


class DhcpRange(XmlObject):
    """``<range start='…' end='…'/>``: addresses the network's DHCP server hands out."""

    TAG = "range"
    start = Attr("", "start")
    end = Attr("", "end")


class DhcpHost(XmlObject):
    """``<host mac='…' name='…' ip='…'/>``: a fixed address for one guest."""

    TAG = "host"
    mac = Attr("", "mac")
    name = Attr("", "name")
    ip = Attr("", "ip")


class IpSpec(XmlObject):
    """``<ip address='192.168.150.1' netmask='255.255.255.0'>``: the gateway and its subnet."""

    TAG = "ip"
    ORDER = {"": ("tftp", "dhcp"), "dhcp": ("range", "host", "bootp")}
    family = Attr("", "family", doc="ipv4 (default) or ipv6")
    address = Attr("", "address", doc="the host's (gateway's) address on the network")
    netmask = Attr("", "netmask", doc="IPv4 netmask, e.g. 255.255.255.0")
    prefix = Attr("", "prefix", conv=_int_or_raw, doc="prefix length, e.g. 24 (use this or netmask)")
    ranges = Children("dhcp/range", DhcpRange)
    hosts = Children("dhcp/host", DhcpHost)

    @property
    def interface(self) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
        """Gateway address plus subnet, e.g. ``IPv4Interface('192.168.150.1/24')``."""
        mask = self.netmask if self.netmask is not None else self.prefix
        return ipaddress.ip_interface(f"{self.address}/{mask}" if mask is not None else self.address)

    @classmethod
    def from_subnet(cls, subnet: str, *, dhcp: bool | tuple[str, str] = True) -> "IpSpec":
        """The first host address is the gateway; ``dhcp=True`` hands out the rest.

        ``subnet`` is ``192.168.150.0/24`` (or ``2001:db8:1::/64``); ``dhcp`` may also be a
        ``(start, end)`` pair.

        Raises:
            ValueError: ``subnet`` is not a network address with a prefix.
        """
        net = ipaddress.ip_network(subnet, strict=True)
        hosts = list(_first_last_hosts(net))
        ip = cls(address=str(hosts[0]))
        if net.version == 4:
            ip.netmask = str(net.netmask)
        else:
            ip.family, ip.prefix = "ipv6", net.prefixlen
        if dhcp is True and hosts[0] != hosts[1]:
            ip.ranges.append(DhcpRange(start=str(hosts[0] + 1), end=str(hosts[1])))
        elif isinstance(dhcp, tuple):
            ip.ranges.append(DhcpRange(start=dhcp[0], end=dhcp[1]))
        return ip


def _first_last_hosts(net: ipaddress.IPv4Network | ipaddress.IPv6Network):
    if net.version == 4 and net.prefixlen < 31:
        return net.network_address + 1, net.broadcast_address - 1
    if net.version == 6 and net.prefixlen < 127:
        return net.network_address + 1, min(net.broadcast_address, net.network_address + 0xFFFF)
    return net.network_address, net.broadcast_address


class NetworkSpec(Spec):
    """A network. ``mode`` is nat, route, open, bridge or isolated (no ``<forward>``).

    Fields: name, uuid, mode, bridge (the bridge's name, e.g. virbr10), stp, delay, mac,
    domain (DNS domain of the guests), ips.
    """

    TAG = KIND = "network"
    ORDER = {"": ("name", "uuid", "metadata", "forward", "bridge", "mtu", "mac", "domain", "dns", "ip",
                  "route", "portgroup")}

    name = Text("name")
    uuid = Text("uuid")
    bridge = Attr("bridge", "name", doc="the Linux bridge: created for nat/route/isolated, existing for bridge mode")
    stp = Attr("bridge", "stp", doc="spanning tree: on/off")
    delay = Attr("bridge", "delay", conv=_int_or_raw)
    mac = Attr("mac", "address")
    domain = Attr("domain", "name", doc="DNS domain of the guests")
    ips = Children("ip", IpSpec)

    @property
    def mode(self) -> str:
        """nat, route, open, bridge… or ``isolated`` when there is no ``<forward>``."""
        forward = self.element.find("forward")
        return "isolated" if forward is None else forward.get("mode", "nat")

    @mode.setter
    def mode(self, value: str) -> None:
        forward = self.element.find("forward")
        if value == "isolated":
            if forward is not None:
                self.element.remove(forward)
            return
        self._ensure("forward").set("mode", value)

    def add_ip(self, subnet: str, *, dhcp: bool | tuple[str, str] = True) -> IpSpec:
        """Add ``<ip>`` for ``subnet`` (gateway = first host); see :meth:`IpSpec.from_subnet`."""
        return self.ips.append(IpSpec.from_subnet(subnet, dhcp=dhcp))
