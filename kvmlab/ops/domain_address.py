"""Where a running guest's addresses come from: ``virsh domifaddr [--source lease|agent|arp]``.

libvirt asks one of three sources (virDomainInterfaceAddresses): ``lease`` (the default) reads
the DHCP leases of the libvirt network the card is on, so it knows only guests that got their
address from that network's dnsmasq; ``agent`` asks the QEMU guest agent inside the guest;
``arp`` reads the host's ARP table. The test driver answers every source with made-up addresses.
The text is cmdDomIfAddr's (virsh-domain-monitor.c), byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libvirt

from ..errors import InvalidInput, libvirt_errors
from .calls import virsh_line
from .domain_lookup import lookup_domain
from .result import Result
from .vsh import c_pad, require_option

__all__ = ["DomainAddressOps", "SOURCES", "IfAddress", "IfAddresses"]

# virshDomainInterfaceAddressesSource, in libvirt's order
SOURCES = {"lease": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
           "agent": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
           "arp": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP}  # fmt: skip
_PROTOCOLS = {libvirt.VIR_IP_ADDR_TYPE_IPV4: "ipv4", libvirt.VIR_IP_ADDR_TYPE_IPV6: "ipv6"}
_HEADER = " %s %s %s     %s\n%s%s\n" % (c_pad("Name", 10), c_pad("MAC address", 20), c_pad("Protocol", 8), "Address",
                                        "-" * 49, "-" * 30)  # fmt: skip
_SOURCE_HINTS = {
    "lease": "the lease source knows guests that got their address from a libvirt network's DHCP "
             "(dnsmasq); a guest with a static address, or on a bridge, has no lease: try --source arp",
    "agent": "the agent source needs the QEMU guest agent running inside the guest and a "
             "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
    "arp": "the arp source reads the host's ARP table: the guest must have sent traffic recently",
}  # fmt: skip


@dataclass(frozen=True)
class IfAddress:
    """One address of one card: ``protocol`` is ``ipv4``/``ipv6``; ``address`` without the prefix."""

    interface: str
    mac: str | None
    protocol: str | None
    address: str
    prefix: int

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefix}"


@dataclass
class IfAddresses(Result):
    """``virsh domifaddr``: each card with its addresses. ``.addresses`` lists them one by one;
    cards without an address are in ``.no_address`` (virsh prints ``N/A`` for them)."""

    cards: list[tuple[str, str | None, list[IfAddress]]] = field(default_factory=list)
    full: bool = False
    source: str = "lease"

    @property
    def addresses(self) -> list[IfAddress]:
        return [a for _, _, addrs in self.cards for a in addrs]

    @property
    def no_address(self) -> list[str]:
        return [name for name, _, addrs in self.cards if not addrs]

    def text(self) -> str:
        out = [_HEADER]
        for name, mac, addrs in self.cards:
            if not addrs:
                out.append(f" {c_pad(name, 10)} {c_pad(mac or 'N/A', 17)}    {c_pad('N/A', 12)} N/A\n")
                continue
            for j, a in enumerate(addrs):
                proto = c_pad(a.protocol if a.protocol is not None else "(null)", 12)
                first = self.full or j == 0
                out.append(f" {c_pad(name if first else '-', 10)} {c_pad((mac or '') if first else '-', 17)}    "
                           f"{proto} {a.cidr}\n")
        return "".join(out)


class DomainAddressOps:
    """Mixin for kvmlab.Connection: ``domifaddr``."""

    virconn: libvirt.virConnect

    def domifaddr(self, domain: str, interface: str | None = None, full: bool = False,
                  source: str | None = None) -> IfAddresses:
        """virsh domifaddr: the IP addresses of a running domain's cards.

        Args:
            interface: only this card (its host-side name, e.g. ``vnet0``, as the table shows it).
            full: repeat the card's name and MAC on every address line.
            source: ``lease`` (default: the libvirt network's DHCP leases), ``agent`` (the QEMU
                guest agent) or ``arp`` (the host's ARP table).
        """
        if interface is not None:
            interface = require_option(interface, "interface")
        if source is not None:
            source = require_option(source, "source")
            if source not in SOURCES:
                raise InvalidInput(f"Unknown data source '{source}'",
                                   hint="--source is one of lease (DHCP leases), agent (guest agent), arp (ARP table)")
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        src = source or "lease"
        with libvirt_errors("Failed to query for interfaces addresses", hint=_SOURCE_HINTS[src],
                            hints={"domain is not running": "domifaddr asks a running guest: start it first "
                                   "(`virsh start NAME`)"}):
            found = dom.interfaceAddresses(SOURCES[src], 0)
        api.append(f"dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_{src.upper()}, 0)")
        cards = []
        for name, card in (found or {}).items():
            if interface is not None and interface != name:
                continue
            mac = card.get("hwaddr")
            addrs = [IfAddress(name, mac, _PROTOCOLS.get(a.get("type")), a.get("addr") or "", int(a.get("prefix") or 0))
                     for a in card.get("addrs") or []]  # fmt: skip
            cards.append((name, mac, addrs))
        return IfAddresses(cards=cards, full=full, source=src, api=api,
                           virsh=virsh_line("domifaddr", domain, interface=interface, full=full, source=source))
