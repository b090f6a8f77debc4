"""Lesson 4's readings of the networks on a connection: their modes, their ways out, the real lab's.

- :func:`network_table`: each network's mode, bridge and subnet, read back from libvirt into a spec;
- :func:`ways_out`: for each network, whether an edge of its topology leaves the host, and which;
- :func:`lab_networks`: on the real lab, its networks made sure of and drawn with the guests on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..specs import NetworkSpec
from . import topology
from .bridges import libvirt_bridges

__all__ = ["NetworkRow", "NetworkTable", "network_table", "WayOut", "WaysOut", "ways_out", "LabNetworks",
           "lab_networks"]


class _Lines:
    """A result printed as its lines (and so shown in a notebook)."""

    def lines(self) -> list[str]:
        raise NotImplementedError

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


@dataclass(frozen=True)
class NetworkRow:
    name: str
    mode: str
    bridge: str
    subnets: tuple[str, ...]  # the <ip> interfaces, e.g. 192.168.122.1/24; none in bridge mode


@dataclass
class NetworkTable(_Lines):
    rows: list[NetworkRow] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{r.name:12} mode {r.mode:9} bridge {r.bridge:7} "
                f"{', '.join(r.subnets) or 'no <ip>: the LAN gives addresses'}" for r in self.rows]


def network_table(conn: Any) -> NetworkTable:
    """Every network (``net-list --all``), its XML read into a :class:`NetworkSpec` (what libvirt holds)."""
    rows = []
    for name in conn.net_list(all=True).names:
        spec = NetworkSpec.from_xml(conn.net_dumpxml(name).xml)
        rows.append(NetworkRow(name, spec.mode, spec.bridge or "-", tuple(str(ip.interface) for ip in spec.ips)))
    return NetworkTable(rows)


@dataclass(frozen=True)
class WayOut:
    network: str
    mode: str
    reaches_outside: bool
    edges: tuple[str, ...]  # the topology's edges that touch "outside"
    from_outside: str  # what the mode lets in (topology.MODE_TRAFFIC)


@dataclass
class WaysOut(_Lines):
    rows: list[WayOut] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for r in self.rows:
            out += [f"{r.network:12} ({r.mode:8}) reaches outside: {r.reaches_outside!s:5}  {'; '.join(r.edges)}",
                    f"{'':12} outside -> guest: {r.from_outside}"]
        return out


def ways_out(conn: Any, guest: str = "vm") -> WaysOut:
    """For each network, with one imagined ``guest`` on it: does traffic leave, along which edge, and what
    may come in from outside?"""
    rows = []
    for name in conn.net_list(all=True).names:
        topo = topology.topology(conn.net_dumpxml(name).xml, guests=[guest])
        out = tuple(str(e) for e in topo.edges if topology.OUTSIDE in (e.a, e.b))
        traffic = topology.MODE_TRAFFIC.get(topo.mode)
        rows.append(WayOut(name, topo.mode, topo.reaches_outside(), out, traffic.from_outside if traffic else "?"))
    return WaysOut(rows)


@dataclass
class LabNetworks(_Lines):
    """The real lab's networks (each made sure of), and their topologies with the running guests."""

    messages: list[str] = field(default_factory=list)
    bridges: list[Any] = field(default_factory=list)  # bridges.NetworkBridge, one per network, guests included
    note: str = ""

    def lines(self) -> list[str]:
        return [self.note] if self.note else [*self.messages, *(str(topology.topology(b)) for b in self.bridges)]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        print("\n".join([self.note] if self.note else self.messages))
        for bridge in self.bridges:
            display(topology.draw(bridge))


def lab_networks(conn: Any, host: Any) -> LabNetworks:
    """On the real lab: ``ensure_lab_network`` for each of its modes, then every network's topology.

    Elsewhere nothing is made, and the note says why: the embedded lab only describes its networks,
    and qemu:///session cannot start any.
    """
    if host.embedded:
        return LabNetworks(note="embedded lab: the networks above are libvirt's description only "
                                "(no bridge, dnsmasq or rules exist)")
    if not host.can_start_networks:
        return LabNetworks(note="qemu:///session: no virtual network can start here "
                                "(no root: no bridges, no NAT rules)")
    from ..lab import LAB_NETWORKS, ensure_lab_network

    messages = [str(ensure_lab_network(conn, mode)) for mode in LAB_NETWORKS]
    return LabNetworks(messages, libvirt_bridges(conn))
