"""The addresses a libvirt network handed out: ``virsh net-dhcp-leases NETWORK [--mac MAC]``.

A network with ``<dhcp>`` runs dnsmasq, which gives each guest card that asks an address for a
while (a *lease*) and records it: the card's MAC, the address, the guest's hostname and when the
lease expires. libvirt reads that record (virNetworkGetDHCPLeases); ``domifaddr --source lease``
reads the same one. The test driver has no dnsmasq and no leases: it refuses the call.
The table is cmdNetworkDHCPLeases's (virsh-network.c): sorted by MAC, expiry in local time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import KvmlabError, libvirt_errors
from ..i18n import N_
from .calls import virsh_line
from .network_lookup import lookup_network
from .vsh import c_string, encodable, name_order, require_option

if TYPE_CHECKING:
    from .network_results import Lease, LeaseList

__all__ = ["NetworkLeaseOps", "Lease", "LeaseList"]


def __getattr__(name: str):
    """kvmlab.ops.network_leases.Lease and LeaseList, as before: they live in network_results, which
    loads with the first network command (`kvmlab virsh list` needs none of its dataclasses)."""
    if name in ("Lease", "LeaseList"):
        from . import network_results

        return getattr(network_results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown


_NOT_A_MAC = "not-a-mac-address"
_PROTOCOLS = {libvirt.VIR_IP_ADDR_TYPE_IPV4: "ipv4", libvirt.VIR_IP_ADDR_TYPE_IPV6: "ipv6"}
_HINT = N_("net-dhcp-leases reads the leases of a running network with <dhcp> (its dnsmasq); the embedded "
         "lab's test driver has none: use the real lab (KVMLAB_URI=qemu:///system)")  # fmt: skip


class NetworkLeaseOps:
    """Mixin for kvmlab.Connection: ``net-dhcp-leases``."""

    virconn: libvirt.virConnect

    def net_dhcp_leases(self, network: str, mac: str | None = None) -> LeaseList:
        """virsh net-dhcp-leases: the network's DHCP leases (only those of ``mac`` if given)."""
        from .network_results import Lease, LeaseList

        if mac is not None:
            mac = require_option(mac, "mac")
        api: list[str] = []
        net = lookup_network(self.virconn, network, api)
        if mac is not None:
            c_string(mac, "mac")
        # bytes that are not UTF-8 cannot be passed; no MAC is made of them: ask with one that is as invalid
        probe = mac if mac is None or encodable(mac) else _NOT_A_MAC
        try:
            with libvirt_errors(f"Failed to get leases info for {network}", hints={"not supported": _HINT}):
                found = net.DHCPLeases(probe, 0)
        except KvmlabError as err:
            if probe != mac:  # libvirt's words about the MAC it was given, with the learner's bytes in them
                err.virsh_error = [line.replace(_NOT_A_MAC, mac) for line in err.virsh_error]
                err.message = err.message.replace(_NOT_A_MAC, mac)
            raise
        api.append(f"net.DHCPLeases({mac!r}, 0)")
        leases = [Lease(expiry=int(d.get("expirytime") or 0), mac=d.get("mac"), protocol=_PROTOCOLS.get(d.get("type")),
                        address=d.get("ipaddr") or "", prefix=int(d.get("prefix") or 0), hostname=d.get("hostname"),
                        client_id=d.get("clientid"), interface=d.get("iface"))
                  for d in found or []]  # fmt: skip
        leases.sort(key=lambda lease: name_order(lease.mac or ""))  # virshNetworkDHCPLeaseSorter
        return LeaseList(leases=leases, network=net.name(), api=api,
                         virsh=lambda: virsh_line("net-dhcp-leases", network, mac=mac))
