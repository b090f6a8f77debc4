"""A guest's tap from both sides (lesson 5): libvirt's ``<target dev='vnetN'/>`` and the kernel's port.

:func:`both_sides` starts a tiny transient guest on the real lab's NAT network (no disk: it only needs
a NIC), reads its port from libvirt (:func:`bridges.libvirt_bridge`) and from the kernel
(``ip -d link``, sysfs ``brif``) in the lab's network namespace, and destroys the guest again. Where
no kernel holds the bridges (the embedded lab, qemu:///session) nothing starts: the result says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import bridges

__all__ = ["DEMO_GUEST", "TapSides", "both_sides", "demo_xml"]

DEMO_GUEST = "kvmlab-bridge-demo"


def demo_xml(network: str) -> str:
    """A TCG guest with one virtio NIC on ``network`` and nothing else (no disk, no display, no balloon)."""
    return (f"<domain type='qemu'><name>{DEMO_GUEST}</name><memory unit='MiB'>32</memory>"
            "<os><type arch='x86_64'>hvm</type></os><devices><interface type='network'>"
            f"<source network='{network}'/><model type='virtio'/><rom enabled='no'/></interface>"
            "<video><model type='none'/></video><memballoon model='none'/></devices></domain>")


@dataclass
class TapSides:
    """libvirt's view of the network's ports, the kernel's view of the same bridge, and each tap's MACs."""

    libvirt: bridges.NetworkBridge | None = None
    kernel: bridges.HostBridge | None = None
    sysfs: list[str] = field(default_factory=list)
    macs: list[tuple[str, str, str]] = field(default_factory=list)  # (tap, guest MAC, tap MAC)
    note: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.note:
            return list(self.note)
        return [f"libvirt: {self.libvirt}", f"kernel:  {self.kernel}", f"sysfs:   {self.sysfs}",
                *(f"{tap}: guest MAC {guest}, tap MAC {mac}" for tap, guest, mac in self.macs)]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def both_sides(conn: Any, host: Any) -> TapSides:
    """On the real lab: start the demo guest on the NAT network, read its tap from libvirt, ``ip`` and
    sysfs, and destroy it (also on failure). Elsewhere: a note, and nothing runs."""
    if host.embedded:
        return TapSides(note=[
            "embedded lab: libvirt's test driver only describes bridges and taps; none exists in a kernel.",
            "With the real lab (kvmlab lab up; KVMLAB_URI=qemu:///system) this cell shows both sides."])
    if not host.can_start_networks:
        return TapSides(note=["qemu:///session: no virtual network can start here, so no bridge exists to look at"])
    from ..lab import ensure_lab_network, tag_domain_xml

    ensure_lab_network(conn, "nat")
    conn.create(tag_domain_xml(demo_xml(host.nat)))
    try:
        ns = bridges.lab_netns()  # None when the lab uses the system's own libvirtd
        seen = bridges.libvirt_bridge(conn, host.nat)
        kernel = {b.name: b for b in bridges.host_bridges(ns)}[seen.bridge]
        by_name = {p.name: p for p in kernel.ports}
        macs = [(p.tap, p.mac or "?", by_name[p.tap].mac) for p in seen.ports if p.tap in by_name]
        return TapSides(seen, kernel, bridges.brif(seen.bridge, ns), macs)
    finally:
        conn.destroy(DEMO_GUEST)
