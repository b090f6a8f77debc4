"""Virtual bridges (虚拟网桥) seen from both sides: libvirt's XML, and the host kernel.

A libvirt network in nat, route, open or isolated mode is a Linux **bridge** (a software switch,
e.g. ``virbr0``) that libvirt creates; a bridge-mode network names a bridge that already exists
(``br0``). Each running guest's NIC is a **tap** device (``vnet0`` …) plugged into the bridge as a
port: QEMU holds the tap's file descriptor, the kernel switches its frames like any other port.

- :func:`libvirt_bridge` / :func:`libvirt_bridges`: a network's bridge and the guests' taps, read
  from ``net-dumpxml`` and each running guest's ``dumpxml`` (``<target dev='vnet0'/>``).
- :func:`host_bridges`: the bridges and their ports as the kernel has them (``ip -j -d link``),
  optionally inside a network namespace (the real lab's ``kvmlab-lab``).
- :func:`brif`: one bridge's ports from sysfs (``/sys/class/net/<bridge>/brif``).

Reading only: nothing here creates, changes or deletes an interface.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from lxml import etree

from ..errors import InvalidInput, NotFound, OperationFailed
from ..i18n import N_, _
from ..lab import netns as _netns
from ..lab.paths import NETNS as LAB_NETNS
from ..specs.parser import xml_parser

__all__ = [
    "Port",
    "NetworkBridge",
    "HostPort",
    "HostBridge",
    "libvirt_bridge",
    "libvirt_bridges",
    "ip_links",
    "host_bridges",
    "bridges_from_links",
    "brif",
    "lab_netns",
    "ip_command",
]

_IFNAME = re.compile(r"^[^/\s:]{1,15}$")  # a Linux interface name: at most 15 bytes, no '/', no space
_NETNS = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # a file name under /run/netns


@dataclass(frozen=True)
class Port:
    """One guest NIC on a bridge, as libvirt describes it.

    ``tap`` is the host-side device (``<target dev=…>``): ``vnetN`` under QEMU, ``testnetN`` on
    libvirt's test driver; None when libvirt gave it no name.
    """

    domain: str
    tap: str | None
    mac: str | None
    network: str | None  # <source network=…> (type='network'); None for type='bridge'
    bridge: str | None  # the bridge the tap is plugged into
    model: str | None = None


@dataclass
class NetworkBridge:
    """A libvirt network's bridge and the running guests plugged into it."""

    network: str
    mode: str  # nat, route, open, isolated, bridge …
    bridge: str | None
    active: bool
    ports: list[Port] = field(default_factory=list)
    xml: str = ""  # the network's XML as net-dumpxml printed it
    virsh: list[str] = field(default_factory=list)  # the virsh commands that show the same
    api: list[str] = field(default_factory=list)

    @property
    def taps(self) -> list[str]:
        return [p.tap for p in self.ports if p.tap]

    @property
    def creator(self) -> str:
        """Who makes the bridge: libvirt (nat, route, open, isolated) or the host (bridge mode)."""
        return "already exists on the host" if self.mode == "bridge" else "libvirt creates it at net-start"

    def __str__(self) -> str:
        created = "an existing host bridge" if self.mode == "bridge" else "created by libvirt"
        head = f"network {self.network} ({self.mode}, {'active' if self.active else 'inactive'}): " \
               f"bridge {self.bridge or '-'} ({created})"
        lines = [head] + [f"  port {p.tap or '?'}  <- {p.domain} (mac {p.mac or '?'}, model {p.model or '?'})"
                          for p in self.ports]
        if not self.ports:
            lines.append("  no running guest is plugged in")
        return "\n".join(lines)


@dataclass(frozen=True)
class HostPort:
    """One port of a bridge as the kernel lists it: ``kind`` is tap, veth, dummy … or ether."""

    name: str
    kind: str
    state: str  # operstate: UP, DOWN, UNKNOWN …
    mac: str
    master: str


@dataclass(frozen=True)
class HostBridge:
    """A Linux bridge (``ip -d link`` ``info_kind == 'bridge'``) and its ports."""

    name: str
    state: str
    mac: str
    stp: bool
    ports: tuple[HostPort, ...] = ()

    @property
    def port_names(self) -> list[str]:
        return [p.name for p in self.ports]

    def __str__(self) -> str:
        lines = [f"bridge {self.name} ({self.state}, stp {'on' if self.stp else 'off'})"]
        lines += [f"  port {p.name} ({p.kind}, {p.state})" for p in self.ports] or ["  no ports"]
        return "\n".join(lines)


# -- libvirt's side ---------------------------------------------------------------------------


def _parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode(), xml_parser())


def _mode(root: etree._Element) -> str:
    forward = root.find("forward")
    return "isolated" if forward is None else forward.get("mode", "nat")


def _guest_ports(conn: Any) -> list[Port]:
    """The NICs of every running guest, with their tap names (a stopped guest has no tap)."""
    ports = []
    for name in conn.list().names:  # running (and paused) guests only
        try:
            root = _parse(conn.dumpxml(name).xml)
        except NotFound:  # a transient guest that stopped since the list: no ports
            continue
        for nic in root.iterfind("devices/interface"):
            source, target = nic.find("source"), nic.find("target")
            mac, model = nic.find("mac"), nic.find("model")
            kind = nic.get("type")
            if kind not in ("network", "bridge") or source is None:
                continue
            ports.append(Port(
                domain=name,
                tap=target.get("dev") if target is not None else None,
                mac=mac.get("address") if mac is not None else None,
                network=source.get("network") if kind == "network" else None,
                bridge=source.get("bridge"),  # libvirt fills it in for running type='network' NICs too
                model=model.get("type") if model is not None else None,
            ))  # fmt: skip
    return ports


def libvirt_bridge(conn: Any, network: str, ports: Iterable[Port] | None = None) -> NetworkBridge:
    """``network``'s bridge and the taps of the running guests attached to it, from libvirt.

    Raises:
        NotFound: no such network (as ``virsh net-dumpxml`` would say).
    """
    dump = conn.net_dumpxml(network)
    root = _parse(dump.xml)
    name = root.findtext("name") or str(network)
    bridge_el = root.find("bridge")
    bridge = bridge_el.get("name") if bridge_el is not None else None
    active = bool(conn.net_info(name).active)
    mode = _mode(root)
    mine = []
    for p in _guest_ports(conn) if ports is None else ports:
        on_network = p.network == name
        on_bridge = p.network is None and bridge is not None and p.bridge == bridge
        if on_network or on_bridge:
            mine.append(Port(p.domain, p.tap, p.mac, p.network, p.bridge or bridge, p.model))
    return NetworkBridge(
        network=name, mode=mode, bridge=bridge, active=active, ports=mine, xml=dump.xml,
        virsh=[f"virsh net-info {name}", f"virsh net-dumpxml {name}"]
        + [f"virsh domiflist {d}" for d in dict.fromkeys(p.domain for p in mine)],
        api=[*dump.api, "dom.XMLDesc(0)  # per running guest: <interface><target dev=…/>"],
    )  # fmt: skip


def libvirt_bridges(conn: Any) -> list[NetworkBridge]:
    """Every network's bridge with its ports (inactive networks have none), in net-list order."""
    ports = _guest_ports(conn)
    return [libvirt_bridge(conn, n, ports) for n in conn.net_list(all=True).names]


# -- the host kernel's side -------------------------------------------------------------------


def lab_netns() -> str | None:
    """The real lab's network namespace when it exists (its bridges live there), else None."""
    return LAB_NETNS if _netns.exists(LAB_NETNS) else None


def _check_netns(netns: str | None) -> None:
    if netns is None:
        return
    if not isinstance(netns, str) or not _NETNS.match(netns) or netns in (".", ".."):
        raise InvalidInput(_("'{netns}' is not a network namespace name").format(netns=netns),
                           hint=_("e.g. kvmlab-lab (`ip netns list`)"))
    if not _netns.exists(netns):
        raise NotFound(
            _("network namespace '{netns}' does not exist").format(netns=netns),
            hint=_("`ip netns list` shows them; the real lab's is kvmlab-lab (`kvmlab lab up` makes it)"),
        )


def ip_command(netns: str | None = None, *args: str) -> list[str]:
    """``ip [-n NETNS] -j -d link show …``: what a learner types to see the same."""
    return [_netns.ip_tool(), *(["-n", netns] if netns else []), "-j", "-d", "link", "show", *args]


def ip_links(netns: str | None = None) -> list[dict]:
    """Every link as ``ip -j -d link show`` reports it (inside ``netns`` if given).

    Raises:
        NotFound: the namespace does not exist.
        OperationFailed: ``ip`` failed or printed something that is not JSON.
    """
    _check_netns(netns)
    argv = ip_command(netns)
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise OperationFailed(_("`{command}` did not finish in 15 s").format(command=' '.join(argv))) from exc
    if p.returncode != 0:
        raise OperationFailed(
            _("`{command}` failed: {error}").format(command=' '.join(argv), error=p.stderr.strip()),
            hint=_("reading another network namespace needs root") if netns else "",
        )
    try:
        return json.loads(p.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise OperationFailed(_("`{command}` did not print JSON: {exc}").format(command=' '.join(argv), exc=exc),
                              hint=_("iproute2 older than 4.14 has no -j")) from exc


def _kind(link: dict) -> str:
    info = link.get("linkinfo") or {}
    kind = info.get("info_kind")
    if kind == "tun":
        return (info.get("info_data") or {}).get("type", "tun")  # tap (layer 2) or tun (layer 3)
    return kind or link.get("link_type", "ether")


def bridges_from_links(links: list[dict]) -> list[HostBridge]:
    """The bridges among ``ip -j -d link`` records, each with the links whose master it is."""
    out = []
    for link in links:
        info = link.get("linkinfo") or {}
        if info.get("info_kind") != "bridge":
            continue
        name = link["ifname"]
        ports = tuple(
            HostPort(p["ifname"], _kind(p), p.get("operstate", "UNKNOWN"), p.get("address", ""), name)
            for p in links
            if p.get("master") == name
        )
        stp = (info.get("info_data") or {}).get("stp_state", 0) != 0
        out.append(HostBridge(name, link.get("operstate", "UNKNOWN"), link.get("address", ""), stp, ports))
    return out


def host_bridges(netns: str | None = None) -> list[HostBridge]:
    """The kernel's bridges and their ports, in the host's namespace or in ``netns``."""
    return bridges_from_links(ip_links(netns))


def brif(bridge: str, netns: str | None = None) -> list[str]:
    """The ports of ``bridge`` from sysfs: the names in ``/sys/class/net/<bridge>/brif``.

    In a namespace, sysfs must be mounted from inside it, so ``ip netns exec NETNS ls`` reads it.

    Raises:
        InvalidInput: ``bridge`` is not an interface name.
        NotFound: no such bridge there.
    """
    if not isinstance(bridge, str) or not _IFNAME.match(bridge) or bridge in (".", ".."):
        raise InvalidInput(_("'{bridge}' is not an interface name").format(bridge=bridge),
                           hint=_("e.g. virbr0: at most 15 characters, no '/'"))
    path = f"/sys/class/net/{bridge}/brif"
    if netns is None:
        if not Path(path).is_dir():
            raise NotFound(_("{bridge} is not a bridge on this host").format(bridge=bridge), hint=_(_BRIDGE_HINT))
        return sorted(os.listdir(path))
    _check_netns(netns)
    p = subprocess.run(_netns.exec_argv(netns, ["ls", "-1", path]), capture_output=True, text=True, timeout=15,
                       stdin=subprocess.DEVNULL)  # fmt: skip
    if p.returncode != 0:
        raise NotFound(_("{bridge} is not a bridge in namespace {netns}").format(bridge=bridge, netns=netns),
                       hint=_(_BRIDGE_HINT))
    return sorted(p.stdout.split())


_BRIDGE_HINT = N_("`ip -br link show type bridge` lists the bridges; `virsh net-info NAME` names a network's bridge")
