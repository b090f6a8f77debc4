"""Network topologies (虚拟网络组网模式): who reaches whom in each forward mode, as facts and a picture.

    >>> from kvmlab.concepts import topology
    >>> topo = topology.topology(conn.net_dumpxml("default").xml, guests=["web01", "db01"])
    >>> print(topo)                      # the edges: guest -tap-> bridge -> host -NAT-> outside
    >>> topology.draw(topo)              # the same as a matplotlib Figure (deterministic layout)

``MODE_TRAFFIC`` says what each mode does with traffic; :func:`topology` turns one network (its
XML, a NetworkSpec, or a :class:`~kvmlab.concepts.bridges.NetworkBridge` read from libvirt) into
nodes and edges; :func:`draw` only draws those edges, so what a test asserts is what you see.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Iterable

from lxml import etree

from ..errors import InvalidInput
from ..i18n import _
from ..specs.parser import xml_parser
from .bridges import NetworkBridge, Port

__all__ = ["Traffic", "MODE_TRAFFIC", "Edge", "Topology", "topology", "draw", "mode_rows", "HOST", "OUTSIDE"]

HOST = "host"
OUTSIDE = "outside"


@dataclass(frozen=True)
class Traffic:
    """What a forward mode does with a guest's packets."""

    mode: str
    guest_guest: str
    guest_host: str
    to_outside: str
    from_outside: str
    libvirt_makes: str


MODE_TRAFFIC: dict[str, Traffic] = {
    "nat": Traffic(
        "nat", "yes (same bridge)", "yes (the gateway address)",
        "yes, NAT: packets leave with the host's address",
        "no (only replies; a port forward would be needed)",
        "bridge virbrN, gateway address, dnsmasq (DHCP + DNS), NAT and forward firewall rules",
    ),
    "route": Traffic(
        "route", "yes (same bridge)", "yes (the gateway address)",
        "yes, routed: packets keep the guest's own address",
        "yes, if the outside router has a route to this subnet via the host",
        "bridge virbrN, gateway address, dnsmasq, forward firewall rules (no NAT)",
    ),
    "open": Traffic(
        "open", "yes (same bridge)", "yes (the gateway address)",
        "routed, and libvirt adds no firewall rules: the host's own firewall decides",
        "as routed, if the host's firewall lets it in",
        "bridge virbrN, gateway address, dnsmasq; no firewall rules at all",
    ),
    "isolated": Traffic(
        "isolated", "yes (same bridge)", "yes, when the network has an <ip>",
        "no: nothing is forwarded", "no",
        "bridge virbrN (with an <ip>: gateway address and dnsmasq); firewall rules that drop forwarding",
    ),
    "bridge": Traffic(
        "bridge", "yes (same bridge)", "yes, through the host's address on the bridge",
        "yes, directly: guests are on the LAN like any machine",
        "yes: guests are ordinary LAN hosts",
        "nothing: the host bridge (br0, with the physical NIC as a port) must already exist",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Edge:
    """A link in the picture. ``kind``: port (guest tap), gateway, forward (host to outside), uplink."""

    a: str
    b: str
    label: str
    kind: str

    def __str__(self) -> str:
        return f"{self.a} --[{self.label}]-- {self.b}"


@dataclass
class Topology:
    """One network's nodes and edges; ``traffic`` is what its mode does with packets."""

    network: str
    mode: str
    bridge: str
    gateway: str | None  # e.g. 192.168.122.1/24
    dhcp: tuple[str, str] | None
    guests: list[str]
    edges: list[Edge] = field(default_factory=list)

    @property
    def traffic(self) -> Traffic | None:
        return MODE_TRAFFIC.get(self.mode)

    @property
    def nodes(self) -> list[str]:
        """Guests first, then the bridge, the host and the outside (those that have an edge)."""
        linked = {n for e in self.edges for n in (e.a, e.b)}
        return [*self.guests, *(n for n in (self.bridge, HOST, OUTSIDE) if n in linked or n == self.bridge)]

    def edge_tuples(self) -> list[tuple[str, str, str]]:
        return [(e.a, e.b, e.label) for e in self.edges]

    def reaches_outside(self) -> bool:
        """True when some edge leaves the host (forward) or the bridge (uplink) to the outside."""
        return any(OUTSIDE in (e.a, e.b) for e in self.edges)

    def __str__(self) -> str:
        lines = [f"network {self.network}: mode {self.mode}, bridge {self.bridge}"
                 + (f", gateway {self.gateway}" if self.gateway else "")
                 + (f", DHCP {self.dhcp[0]} - {self.dhcp[1]}" if self.dhcp else "")]  # fmt: skip
        lines += [f"  {e}" for e in self.edges]
        if not self.reaches_outside():
            lines.append(f"  (no edge to {OUTSIDE}: nothing is forwarded)")
        return "\n".join(lines)


def _root(network: Any) -> etree._Element:
    """The <network> element of XML text or of a spec object (anything with .to_xml())."""
    xml = network.to_xml() if hasattr(network, "to_xml") else network
    if not isinstance(xml, (str, bytes)):
        raise InvalidInput(
            _("cannot read a network from {type}").format(type=type(network).__name__),
            hint=_("give the network's XML (conn.net_dumpxml(name).xml), a NetworkSpec, or bridges.libvirt_bridge()"),
        )
    try:
        root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(_("the network XML is not well-formed: {exc}").format(exc=exc),
                           hint=_("compare with `virsh net-dumpxml default`")) from exc
    if root.tag != "network":
        raise InvalidInput(_("expected a <network> document, not <{tag}>").format(tag=root.tag),
                           hint=_("use conn.net_dumpxml(name).xml"))
    return root


def _guest_names(guests: Iterable[Any]) -> list[tuple[str, str | None]]:
    out = []
    for g in guests:
        if isinstance(g, Port):
            out.append((g.domain, g.tap))
        elif isinstance(g, str):
            out.append((g, None))
        elif isinstance(g, tuple) and len(g) == 2:
            out.append((str(g[0]), None if g[1] is None else str(g[1])))
        else:
            raise InvalidInput(_("a guest is a name, a (name, tap) pair or a bridges.Port, not {guest}").format(
                               guest=repr(g)),
                               hint=_("e.g. guests=['web01', ('db01', 'vnet1')]"))  # fmt: skip
    return out


def topology(network: Any, guests: Iterable[Any] | None = None) -> Topology:
    """Nodes and edges of ``network`` with ``guests`` plugged into its bridge.

    ``network``: XML text, a NetworkSpec, or a NetworkBridge (whose running guests are the default
    ``guests``). ``guests``: names, ``(name, tap)`` pairs or bridges.Port objects.
    """
    if isinstance(network, NetworkBridge):
        if guests is None:
            guests = network.ports
        network = network.xml
    root = _root(network)
    name = root.findtext("name") or "(unnamed)"
    forward = root.find("forward")
    mode = "isolated" if forward is None else forward.get("mode", "nat")
    bridge_el = root.find("bridge")
    bridge = bridge_el.get("name") if bridge_el is not None else None
    if bridge is None and forward is not None and forward.find("interface") is not None:
        bridge = f"macvtap on {forward.find('interface').get('dev')}"
    gateway, dhcp = _first_ipv4(root)
    bridge = bridge or "virbrN (libvirt picks)"
    pairs = _guest_names(guests or [])
    edges = [Edge(g, bridge, tap or "tap", "port") for g, tap in pairs]
    if mode == "bridge":
        edges.append(Edge(bridge, HOST, "host's address on it", "gateway"))
        edges.append(Edge(bridge, OUTSIDE, "uplink: the host's NIC", "uplink"))
    else:
        if gateway:
            edges.append(Edge(bridge, HOST, f"gateway {gateway}", "gateway"))
        forward_label = {"nat": "NAT (masquerade)", "route": "routed (no NAT)",
                         "open": "routed, no firewall rules"}.get(mode)  # fmt: skip
        if forward_label:
            edges.append(Edge(HOST, OUTSIDE, forward_label, "forward"))
    return Topology(name, mode, bridge, gateway, dhcp, [g for g, _tap in pairs], edges)


def _first_ipv4(root: etree._Element) -> tuple[str | None, tuple[str, str] | None]:
    """The first IPv4 <ip> as 'address/prefix', and its first DHCP range."""
    for ip in root.iterfind("ip"):
        if ip.get("family", "ipv4") != "ipv4" or not ip.get("address"):
            continue
        mask = ip.get("netmask") or ip.get("prefix") or "32"
        try:
            iface = ipaddress.ip_interface(f"{ip.get('address')}/{mask}")
        except ValueError:
            continue
        rng = ip.find("dhcp/range")
        dhcp = (rng.get("start", "?"), rng.get("end", "?")) if rng is not None else None
        return f"{iface.ip}/{iface.network.prefixlen}", dhcp
    return None, None


def mode_rows() -> list[tuple[str, str, str, str, str, str]]:
    """MODE_TRAFFIC as table rows: mode, guest-guest, guest-host, to outside, from outside, libvirt makes."""
    return [(t.mode, t.guest_guest, t.guest_host, t.to_outside, t.from_outside, t.libvirt_makes)
            for t in MODE_TRAFFIC.values()]  # fmt: skip


# -- the picture ------------------------------------------------------------------------------

_COLOURS = {"guest": "#dbe9f6", "bridge": "#fde9c4", HOST: "#e3f1dc", OUTSIDE: "#eeeeee"}
_EDGE_STYLE = {"port": ("#1f5f99", "-"), "gateway": ("#3a7d2c", "-"), "forward": ("#b35a00", "-"),
               "uplink": ("#b35a00", "-")}  # fmt: skip


def _positions(topo: Topology) -> dict[str, tuple[float, float]]:
    n = max(len(topo.guests), 1)
    height = max(n, 3)
    pos = {g: (1.2, height - (i + 0.5) * height / n) for i, g in enumerate(topo.guests)}
    mid = height / 2
    pos[topo.bridge] = (4.0, mid)
    if topo.mode == "bridge":
        pos[HOST] = (7.8, mid - height / 4 - 0.3)
        pos[OUTSIDE] = (7.8, mid + height / 4 + 0.3)
    else:
        pos[HOST] = (6.6, mid)
        pos[OUTSIDE] = (9.3, mid)
    return pos


_FIGURE: type | None = None


def _figure_class() -> type:
    """A matplotlib Figure that shows itself as PNG in Jupyter, with or without pyplot's inline backend."""
    global _FIGURE
    if _FIGURE is None:
        import io

        from matplotlib.figure import Figure

        class TopologyFigure(Figure):
            def _repr_png_(self) -> bytes:
                buf = io.BytesIO()
                self.savefig(buf, format="png", metadata={"Software": None})
                return buf.getvalue()

        _FIGURE = TopologyFigure
    return _FIGURE


def draw(network: Any, guests: Iterable[Any] | None = None, *, ax: Any = None) -> Any:
    """A matplotlib Figure of the topology (or draw on ``ax``). Same input, same picture.

    ``network`` may also be a :class:`Topology` already computed.
    """
    from matplotlib.patches import FancyBboxPatch  # matplotlib only when a picture is asked for

    from ..plots import configure

    configure()  # a CJK fallback font, for the Chinese labels

    topo = network if isinstance(network, Topology) else topology(network, guests)
    pos = _positions(topo)
    height = max(len(topo.guests), 3)
    if ax is None:  # a Figure of its own, not pyplot's: displayed once, as the cell's result
        fig = _figure_class()(figsize=(9, 1.2 + 0.9 * height), dpi=80)
        ax = fig.add_axes((0, 0, 1, 0.9))
    else:
        fig = ax.figure
    ax.set_xlim(0, 10.4)
    ax.set_ylim(-0.4, height + 0.4)
    ax.axis("off")
    traffic = topo.traffic
    title = _("{network}: {mode} mode").format(network=topo.network, mode=topo.mode)
    if traffic:
        title += _(" — outside: {outside}").format(outside=traffic.to_outside)
    ax.set_title(title, fontsize=10)
    for e in topo.edges:
        (x1, y1), (x2, y2) = pos[e.a], pos[e.b]
        colour, style = _EDGE_STYLE.get(e.kind, ("#555", "-"))
        ax.plot([x1, x2], [y1, y2], color=colour, linestyle=style, linewidth=2, zorder=1)
        above = 0.5 if y1 == y2 else 0.1  # a horizontal edge's label goes above the boxes beside it
        ax.text((x1 + x2) / 2, (y1 + y2) / 2 + above, e.label, fontsize=7.5, ha="center", va="bottom",
                color=colour, zorder=3, bbox=dict(facecolor="white", edgecolor="none", pad=0.5))  # fmt: skip
    if not topo.reaches_outside():
        x, y = pos[OUTSIDE]
        hx, hy = pos[HOST]
        ax.plot([hx, x], [hy, y], color="#a00", linestyle=":", linewidth=1.5, zorder=1)
        ax.text((hx + x) / 2, (hy + y) / 2 + 0.5, _("no forwarding"), fontsize=7.5, ha="center", va="bottom",
                color="#a00")
    labels = {topo.bridge: _("{bridge}\n(bridge)").format(bridge=topo.bridge),
              HOST: _("host\n{gateway}").format(gateway=topo.gateway or "").strip(),
              OUTSIDE: _("outside\n(LAN / internet)")}  # fmt: skip
    if topo.dhcp and topo.mode != "bridge":
        labels[HOST] += f"\nDHCP {topo.dhcp[0].rsplit('.', 1)[-1]}-{topo.dhcp[1].rsplit('.', 1)[-1]}"
    for node, (x, y) in pos.items():
        kind = "guest" if node in topo.guests else "bridge" if node == topo.bridge else node
        w, h = (1.7, 0.55) if kind == "guest" else (1.6, 0.8)
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                    facecolor=_COLOURS.get(kind, "#fff"), edgecolor="#444", zorder=2))  # fmt: skip
        ax.text(x, y, labels.get(node, node), ha="center", va="center", fontsize=8.5, zorder=4)
    return fig
