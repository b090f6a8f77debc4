"""Where a running guest's addresses come from: ``virsh domifaddr [--source lease|agent|arp]``.

libvirt asks one of three sources (virDomainInterfaceAddresses): ``lease`` (the default) reads
the DHCP leases of the libvirt network the card is on, so it knows only guests that got their
address from that network's dnsmasq; ``agent`` asks the QEMU guest agent inside the guest;
``arp`` reads the host's ARP table. The test driver answers every source with made-up addresses.
The text is cmdDomIfAddr's (virsh-domain-monitor.c), byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, libvirt_errors
from ..i18n import N_, _
from .calls import virsh_line
from .domain_lookup import lookup_domain
from .vsh import require_option

if TYPE_CHECKING:
    from .monitor_results import IfAddress, IfAddresses

__all__ = ["DomainAddressOps", "SOURCES", "IfAddress", "IfAddresses"]

# The results (dataclasses) load with the first of these commands: `kvmlab virsh list` needs none.
_RESULTS = ("IfAddress", "IfAddresses")


def __getattr__(name: str):
    """kvmlab.ops.domain_address.IfAddress and its siblings, as before: they live in monitor_results."""
    if name in _RESULTS:
        from . import monitor_results

        return getattr(monitor_results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown


# virshDomainInterfaceAddressesSource, in libvirt's order
SOURCES = {"lease": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
           "agent": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
           "arp": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP}  # fmt: skip
_PROTOCOLS = {libvirt.VIR_IP_ADDR_TYPE_IPV4: "ipv4", libvirt.VIR_IP_ADDR_TYPE_IPV6: "ipv6"}
_SOURCE_HINTS = N_({
    "lease": "the lease source knows guests that got their address from a libvirt network's DHCP "
             "(dnsmasq); a guest with a static address, or on a bridge, has no lease: try --source arp",
    "agent": "the agent source needs the QEMU guest agent running inside the guest and a "
             "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
    "arp": "the arp source reads the host's ARP table: the guest must have sent traffic recently",
})  # fmt: skip


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
        from .monitor_results import IfAddress, IfAddresses

        if interface is not None:
            interface = require_option(interface, "interface")
        if source is not None:
            source = require_option(source, "source")
            if source not in SOURCES:
                raise InvalidInput(f"Unknown data source '{source}'",  # i18n: virsh's own words
                                   hint=_("--source is one of lease (DHCP leases), agent (guest agent), arp (ARP table)"))
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        src = source or "lease"
        with libvirt_errors("Failed to query for interfaces addresses", hint=_SOURCE_HINTS[src],
                            hints={"domain is not running": N_("domifaddr asks a running guest: start it first "
                                                                  "(`virsh start NAME`)")}):
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
                           virsh=lambda: virsh_line("domifaddr", domain, interface=interface, full=full, source=source))
