"""Lesson 12's lab on paper: five networks (one per forward mode), two guests on each, and "outside".

Everything is named ``kvmlab-net12…`` (networks and guests: ``lab reset`` removes them; the hand-made
bridge carries the lab's alias mark, so ``lab reset`` deletes it too)::

    mode      libvirt network        kernel bridge     the lab namespace's address   guests
    nat       kvmlab-net12-nat       kvmlab-net12nat   10.112.1.1/24 (DHCP)          …-nat-a, …-nat-b
    route     kvmlab-net12-route     kvmlab-net12rt    10.112.2.1/24 (DHCP)          …-route-a, …-route-b
    open      kvmlab-net12-open      kvmlab-net12opn   10.112.3.1/24 (DHCP)          …-open-a, …-open-b
    isolated  kvmlab-net12-isolated  kvmlab-net12iso   10.112.4.1/24 (DHCP)          …-isolated-a, …-isolated-b
    bridge    kvmlab-net12-bridge    kvmlab-net12br    203.0.113.2/24 (no DHCP)      …-bridge-a (.10), …-bridge-b (.11)

The bridge ``kvmlab-net12br`` plays a host's ``br0``: libvirt's bridge-mode network only plugs guests
into it; the lab namespace (the "host") has its address on it, as a host has on br0. Beyond br0 a real
host has the LAN. Here the LAN is 203.0.113.0/24 (TEST-NET-3, an address block reserved for
documentation, RFC 5737) and **outside** is one more tiny guest on that bridge, ``kvmlab-net12-outside``,
at 203.0.113.1: the LAN's router and everything beyond it. It routes 10.112.0.0/16 back through the host
(203.0.113.2), as a LAN router must for routed networks. Every packet stays in the lab's namespace.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..errors import InvalidInput
from ..i18n import _

__all__ = ["ModeNet", "NETS", "MODES", "PREFIX", "OUTSIDE", "OUTSIDE_GUEST", "LAN", "RETURN_ROUTE", "LabGuest",
           "GUESTS", "guest", "network_xml", "DNSMASQ_NS"]

PREFIX = "kvmlab-net12"
DNSMASQ_NS = "http://libvirt.org/schemas/network/dnsmasq/1.0"
LAN = "203.0.113.0/24"
OUTSIDE = "203.0.113.1"  # the stand-in outside: the LAN's router, a guest of its own
RETURN_ROUTE = ("10.112.0.0/16", "203.0.113.2")  # the outside's way back to the routed subnets: via the host


@dataclass(frozen=True)
class ModeNet:
    """One network of the lesson: its forward mode, libvirt name, kernel bridge and the host's address."""

    mode: str  # nat, route, open, isolated, bridge
    name: str
    bridge: str
    host: str  # the lab namespace's address on the bridge
    subnet: str  # a.b.c.0/24
    dhcp: bool  # libvirt's dnsmasq hands out addresses (not on the bridge: a LAN's own DHCP would)

    @property
    def forward(self) -> str | None:
        """``<forward mode=…>``; None for isolated (no <forward> element at all)."""
        return None if self.mode == "isolated" else self.mode

    @property
    def libvirt_managed_bridge(self) -> bool:
        """libvirt makes the bridge (and its address, dnsmasq and rules) for every mode but bridge."""
        return self.mode != "bridge"


def _net(mode: str, bridge: str, third: int) -> ModeNet:
    return ModeNet(mode, f"{PREFIX}-{mode}", bridge, f"10.112.{third}.1", f"10.112.{third}.0/24", True)


NETS: dict[str, ModeNet] = {
    "nat": _net("nat", f"{PREFIX}nat", 1),
    "route": _net("route", f"{PREFIX}rt", 2),
    "open": _net("open", f"{PREFIX}opn", 3),
    "isolated": _net("isolated", f"{PREFIX}iso", 4),
    "bridge": ModeNet("bridge", f"{PREFIX}-bridge", f"{PREFIX}br", "203.0.113.2", LAN, False),
}
MODES = tuple(NETS)


@dataclass(frozen=True)
class LabGuest:
    """A guest of the lesson: its domain name, network, and its address when the lab sets it by hand."""

    name: str
    mode: str  # the network's mode, or "outside"
    role: str  # a, b or outside
    static: str = ""  # an address the lab gives it over the console (no DHCP on the LAN)

    @property
    def network(self) -> str:
        return NETS["bridge" if self.mode == "outside" else self.mode].name


OUTSIDE_GUEST = LabGuest(f"{PREFIX}-outside", "outside", "outside", OUTSIDE)
GUESTS: tuple[LabGuest, ...] = tuple(
    LabGuest(f"{PREFIX}-{mode}-{role}", mode, role, f"203.0.113.{10 + i}" if mode == "bridge" else "")
    for mode in MODES for i, role in enumerate("ab")) + (OUTSIDE_GUEST,)  # fmt: skip


def guest(mode: str, role: str = "a") -> LabGuest:
    """The lesson's guest on ``mode``'s network (role a or b), or the outside (mode "outside")."""
    for g in GUESTS:
        if g.mode == mode and (g.role == role or mode == "outside"):
            return g
    raise InvalidInput(_("no lesson-12 guest for mode {mode}, role {role}").format(mode=repr(mode), role=repr(role)),
                       hint=_("modes: {modes} or 'outside'; roles: a, b").format(modes=", ".join(MODES)))


def network_xml(mode: str) -> str:
    """The libvirt XML of the lesson's network for ``mode``, built with lxml."""
    if mode not in NETS:
        raise InvalidInput(_("unknown forward mode {mode}").format(mode=repr(mode)),
                           hint=_("one of: {choices}").format(choices=", ".join(MODES)))
    n = NETS[mode]
    net = etree.Element("network")
    etree.SubElement(net, "name").text = n.name
    if n.forward:
        etree.SubElement(net, "forward", mode=n.forward)
    if not n.libvirt_managed_bridge:  # bridge mode: an existing bridge, no <ip>, no DHCP, no rules
        etree.SubElement(net, "bridge", name=n.bridge)
        return etree.tostring(net, pretty_print=True, encoding="unicode")
    etree.SubElement(net, "bridge", name=n.bridge, stp="on", delay="0")
    ip = etree.SubElement(net, "ip", address=n.host, netmask="255.255.255.0")
    base = n.host.rsplit(".", 1)[0]
    etree.SubElement(etree.SubElement(ip, "dhcp"), "range", start=f"{base}.100", end=f"{base}.199")
    # dnsmasq pings each address before offering it (~5 s per first lease); the subnets are the lab's own
    opts = etree.SubElement(net, f"{{{DNSMASQ_NS}}}options", nsmap={"dnsmasq": DNSMASQ_NS})
    etree.SubElement(opts, f"{{{DNSMASQ_NS}}}option", value="no-ping")
    return etree.tostring(net, pretty_print=True, encoding="unicode")
