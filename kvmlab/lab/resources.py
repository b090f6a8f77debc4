"""The lab's own virtual networks and storage pool for guests, created on demand and owned.

They are persistent and marked autostart: the network and storage drivers start them at the next host boot
(once per boot, virDriverShouldAutostart; a daemon restart alone does not); their names start
with ``kvmlab-``, so `lab reset` and `lab down` remove them and `lab up` makes them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libvirt
from lxml import etree

from ..errors import InvalidInput, Unsupported, attempt, libvirt_errors
from ..i18n import N_, _
from ..ops.result import Message
from .ownership import virconn_of
from .paths import POOL_DIR

__all__ = ["LabNetwork", "LAB_NETWORKS", "LAB_POOL", "network_xml", "pool_xml", "pool_path",
           "ensure_lab_network", "ensure_lab_pool"]


@dataclass(frozen=True)
class LabNetwork:
    """One of the lab's three network shapes (the three forward modes the course teaches)."""

    name: str
    bridge: str
    forward: str | None  # libvirt <forward mode=…>; None = isolated (no forwarding)
    subnet: str  # first three octets of a /24

    @property
    def address(self) -> str:
        return f"{self.subnet}.1"


LAB_NETWORKS = {
    "nat": LabNetwork("kvmlab-nat", "kvmlab-nat0", "nat", "192.168.250"),
    "isolated": LabNetwork("kvmlab-isolated", "kvmlab-iso0", None, "192.168.251"),
    "routed": LabNetwork("kvmlab-routed", "kvmlab-rt0", "route", "192.168.252"),
}
LAB_POOL = "kvmlab-pool"

_SESSION_NET_HINT = N_(
    "qemu:///session (non-root) has no virtual networks: libvirt cannot create bridges or NAT "
    "rules without root. Run `sudo kvmlab lab up` for the real lab, or give guests user-mode "
    "networking (<interface type='user'>)"
)


DNSMASQ_NS = "http://libvirt.org/schemas/network/dnsmasq/1.0"


def network_xml(mode: str, uuid: str | None = None) -> str:
    """The lab network's XML for ``mode`` (nat, isolated or routed), built with lxml."""
    if mode not in LAB_NETWORKS:
        raise InvalidInput(
            _("unknown lab network mode '{mode}'").format(mode=mode),
            hint=_("choose one of: {choices}").format(choices=", ".join(LAB_NETWORKS)),
        )
    spec = LAB_NETWORKS[mode]
    net = etree.Element("network")
    etree.SubElement(net, "name").text = spec.name
    if uuid:
        etree.SubElement(net, "uuid").text = uuid
    if spec.forward:
        etree.SubElement(net, "forward", mode=spec.forward)
    etree.SubElement(net, "bridge", name=spec.bridge, stp="on", delay="0")
    ip = etree.SubElement(net, "ip", address=spec.address, netmask="255.255.255.0")
    dhcp = etree.SubElement(ip, "dhcp")
    etree.SubElement(dhcp, "range", start=f"{spec.subnet}.100", end=f"{spec.subnet}.254")
    # dnsmasq pings each new address before offering it: ~5 s per first lease; the lab's subnets are private
    opts = etree.SubElement(net, f"{{{DNSMASQ_NS}}}options", nsmap={"dnsmasq": DNSMASQ_NS})
    etree.SubElement(opts, f"{{{DNSMASQ_NS}}}option", value="no-ping")
    return etree.tostring(net, pretty_print=True, encoding="unicode")


def pool_path(conn: Any) -> Path:
    """Where the lab pool keeps volumes: /var/lib/kvmlab/pool, or under $HOME for a session."""
    uri = getattr(conn, "uri", None) or virconn_of(conn).getURI()
    if uri.rstrip("/").endswith("/session"):
        return Path.home() / ".local/share/kvmlab/pool"
    return POOL_DIR


def pool_xml(path: Path) -> str:
    pool = etree.Element("pool", type="dir")
    etree.SubElement(pool, "name").text = LAB_POOL
    target = etree.SubElement(pool, "target")
    etree.SubElement(target, "path").text = str(path)
    return etree.tostring(pool, pretty_print=True, encoding="unicode")


def _is_session(v: libvirt.virConnect) -> bool:
    return attempt(lambda: v.getURI().rstrip("/").endswith("/session"), default=False)


def ensure_lab_network(conn: Any, mode: str = "nat") -> Message:
    """Define, start and autostart the lab network for ``mode``; nothing when it already runs.

    ``nat``: kvmlab-nat, 192.168.250.0/24, DHCP; ``isolated``: kvmlab-isolated, 192.168.251.0/24;
    ``routed``: kvmlab-routed, 192.168.252.0/24. In the real lab they live in its namespace.

    Raises:
        Unsupported: on qemu:///session, which has no virtual networks.
    """
    xml = network_xml(mode)
    name = LAB_NETWORKS[mode].name
    v = virconn_of(conn)
    if _is_session(v):
        raise Unsupported(_("cannot create network '{name}' on qemu:///session").format(name=name),
                          hint=_(_SESSION_NET_HINT))
    api = [f"net = conn.networkLookupByName('{name}')"]
    net = attempt(v.networkLookupByName, name, codes=[libvirt.VIR_ERR_NO_NETWORK])
    if net is not None:
        what = "exists"
        with libvirt_errors():
            persistent = net.isPersistent()
        if not persistent:  # undefined while running (a lesson does it): make it persistent again
            with libvirt_errors(f"Failed to define network from {name}.xml"):
                net = v.networkDefineXML(network_xml(mode, uuid=net.UUIDString()))
            api.append("net = conn.networkDefineXML(xml)  # with its <uuid>")
            what = "defined again"
    else:
        with libvirt_errors(f"Failed to define network from {name}.xml"):
            net = v.networkDefineXML(xml)
        api.append("net = conn.networkDefineXML(xml)")
        what = "defined"
    with libvirt_errors(f"failed to start network '{name}'"):
        if not net.isActive():
            net.create()
            api.append("net.create()")
            what += ", started"
        if not net.autostart():
            net.setAutostart(1)
            api.append("net.setAutostart(1)")
    return Message(
        message=f"Network {name} {what} (bridge {LAB_NETWORKS[mode].bridge}, {LAB_NETWORKS[mode].subnet}.0/24)",
        virsh=f"virsh net-define {name}.xml && virsh net-start {name} && virsh net-autostart {name}",
        api=api,
    )


def ensure_lab_pool(conn: Any) -> Message:
    """Define, build, start and autostart the dir pool kvmlab-pool; nothing when it already runs."""
    v = virconn_of(conn)
    path = pool_path(conn)
    api = [f"pool = conn.storagePoolLookupByName('{LAB_POOL}')"]
    pool = attempt(v.storagePoolLookupByName, LAB_POOL, codes=[libvirt.VIR_ERR_NO_STORAGE_POOL])
    what = "exists"
    if pool is None:
        with libvirt_errors(f"Failed to define pool from {LAB_POOL}.xml"):
            pool = v.storagePoolDefineXML(pool_xml(path), 0)
        api.append("pool = conn.storagePoolDefineXML(xml, 0)")
        what = "defined"
    with libvirt_errors(f"Failed to start pool {LAB_POOL}"):
        if not pool.isActive():
            pool.build(0)  # a dir pool's build is mkdir; harmless when the directory exists
            pool.create(0)
            api += ["pool.build(0)", "pool.create(0)"]
            what += ", started"
        if not pool.autostart():
            pool.setAutostart(1)
            api.append("pool.setAutostart(1)")
    return Message(
        message=f"Pool {LAB_POOL} {what} (dir {path})",
        virsh=f"virsh pool-define-as {LAB_POOL} dir --target {path} && virsh pool-build {LAB_POOL} "
        f"&& virsh pool-start {LAB_POOL} && virsh pool-autostart {LAB_POOL}",
        api=api,
    )
