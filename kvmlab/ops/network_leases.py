"""The addresses a libvirt network handed out: ``virsh net-dhcp-leases NETWORK [--mac MAC]``.

A network with ``<dhcp>`` runs dnsmasq, which gives each guest card that asks an address for a
while (a *lease*) and records it: the card's MAC, the address, the guest's hostname and when the
lease expires. libvirt reads that record (virNetworkGetDHCPLeases); ``domifaddr --source lease``
reads the same one. The test driver has no dnsmasq and no leases: it refuses the call.
The table is cmdNetworkDHCPLeases's (virsh-network.c): sorted by MAC, expiry in local time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import libvirt

from ..errors import KvmlabError, libvirt_errors
from .calls import virsh_line
from .network_lookup import lookup_network
from .result import Table
from .vsh import c_string, encodable, name_order, require_option

__all__ = ["NetworkLeaseOps", "Lease", "LeaseList"]

_NOT_A_MAC = "not-a-mac-address"
_PROTOCOLS = {libvirt.VIR_IP_ADDR_TYPE_IPV4: "ipv4", libvirt.VIR_IP_ADDR_TYPE_IPV6: "ipv6"}
_HINT = ("net-dhcp-leases reads the leases of a running network with <dhcp> (its dnsmasq); the embedded "
         "lab's test driver has none: use the real lab (KVMLAB_URI=qemu:///system)")  # fmt: skip


@dataclass(frozen=True)
class Lease:
    """One DHCP lease: ``expiry`` is seconds since the epoch; ``address`` without the prefix."""

    expiry: int
    mac: str | None
    protocol: str | None
    address: str
    prefix: int
    hostname: str | None
    client_id: str | None
    interface: str | None = None

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefix}"

    @property
    def expiry_text(self) -> str:
        """virsh's ``%Y-%m-%d %H:%M:%S`` in the local time zone."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.expiry))

    def cells(self) -> tuple[str, ...]:
        return (self.expiry_text, self.mac or "-", self.protocol or "-", self.cidr, self.hostname or "-",
                self.client_id or "-")


@dataclass
class LeaseList(Table):
    """``virsh net-dhcp-leases``: one row a lease. ``.leases`` holds them; ``.by_mac(mac)`` finds one."""

    leases: list[Lease] = field(default_factory=list)
    network: str = ""

    def __post_init__(self) -> None:
        self.header = ("Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID")
        self.rows = [lease.cells() for lease in self.leases]

    def by_mac(self, mac: str) -> list[Lease]:
        return [lease for lease in self.leases if (lease.mac or "").lower() == mac.lower()]

    def __len__(self) -> int:
        return len(self.leases)


class NetworkLeaseOps:
    """Mixin for kvmlab.Connection: ``net-dhcp-leases``."""

    virconn: libvirt.virConnect

    def net_dhcp_leases(self, network: str, mac: str | None = None) -> LeaseList:
        """virsh net-dhcp-leases: the network's DHCP leases (only those of ``mac`` if given)."""
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
                         virsh=virsh_line("net-dhcp-leases", network, mac=mac))
