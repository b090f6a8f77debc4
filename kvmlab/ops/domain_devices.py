"""A domain's network cards and disks as virsh lists them: ``domiflist`` and ``domblklist``.

Both read the domain's XML (virsh-domain-monitor.c cmdDomiflist / cmdDomblklist): one row per
``<interface>`` or ``<disk>``, the values taken with the same XPath expressions virsh uses, so a
source is the first of ``bridge|dev|network|name|path`` in document order, and an empty value is
``-``. ``inactive=True`` reads the definition the next boot will use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import OperationFailed, libvirt_errors
from ..i18n import _
from .calls import virsh_line
from .domain_lookup import lookup_domain

if TYPE_CHECKING:  # lxml and the results load with the first domiflist / domblklist, not at start-up
    from lxml import etree

    from .monitor_results import DiskList, DiskRow, InterfaceList, InterfaceRow

__all__ = ["DomainDeviceOps", "InterfaceRow", "InterfaceList", "DiskRow", "DiskList"]

# The results (dataclasses) load with the first of these commands: `kvmlab virsh list` needs none.
_RESULTS = ("InterfaceRow", "InterfaceList", "DiskRow", "DiskList")


def __getattr__(name: str):
    """kvmlab.ops.domain_devices.InterfaceRow and its siblings, as before: they live in monitor_results."""
    if name in _RESULTS:
        from . import monitor_results

        return getattr(monitor_results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown


_IF_SOURCE = "string(./source/@bridge|./source/@dev|./source/@network|./source/@name|./source/@path)"
_DISK_SOURCE = ("string(./source/@file|./source/@dev|./source/@dir|./source/@name|./source/@volume"
                "|./source/@path)")  # fmt: skip


def _text(node: etree._Element, xpath: str) -> str | None:
    """virXPathString: the string value, or None when it is empty."""
    return str(node.xpath(xpath)) or None


def _nvme_source(disk: etree._Element) -> str:
    """``nvme://0000:01:00.0/1``, as virsh prints an NVMe disk's PCI address and namespace."""
    ns, addr = _text(disk, "string(./source/@namespace)"), disk.find("source/address")
    try:
        parts = [int(addr.get(k, "0"), 0) for k in ("domain", "bus", "slot", "function")] if addr is not None else None
    except ValueError:
        parts = None
    if not ns or parts is None:
        raise OperationFailed("Unable to query NVMe disk address", hint=_("the <disk type='nvme'> has no "  # i18n: virsh's own words
                              "<source namespace=…><address …/></source>: see `virsh dumpxml` for the disk"))
    return "nvme://%04x:%02x:%02x.%d/%s" % (*parts, ns)


class DomainDeviceOps:
    """Mixin for kvmlab.Connection: ``domiflist`` and ``domblklist``."""

    virconn: libvirt.virConnect

    def _domain_xml(self, domain: str, inactive: bool, api: list[str]) -> etree._Element:
        """virshDomainGetXML: look the domain up (id, UUID, name) and parse its XML."""
        from lxml import etree

        from ..specs.parser import xml_parser

        dom = lookup_domain(self.virconn, domain, api)
        flags = "libvirt.VIR_DOMAIN_XML_INACTIVE" if inactive else "0"
        with libvirt_errors():
            xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE if inactive else 0)
        api.append(f"dom.XMLDesc({flags})")
        return etree.fromstring(xml.encode(), xml_parser())

    def domiflist(self, domain: str, inactive: bool = False) -> InterfaceList:
        """virsh domiflist: the domain's network cards — host device, type, source network or
        bridge, model and MAC address. ``inactive=True``: as the next boot will have them."""
        from .monitor_results import InterfaceList, InterfaceRow

        api: list[str] = []
        root = self._domain_xml(domain, inactive, api)
        rows = [InterfaceRow(target=_text(i, "string(./target/@dev)"), type=str(i.xpath("string(./@type)")),
                             source=_text(i, _IF_SOURCE), model=_text(i, "string(./model/@type)"),
                             mac=_text(i, "string(./mac/@address)"))
                for i in root.xpath("./devices/interface")]  # fmt: skip
        api.append("root.xpath('./devices/interface')  # then each one's target, type, source, model, mac")
        return InterfaceList(interfaces=rows, virsh=lambda: virsh_line("domiflist", domain, inactive=inactive), api=api)

    def domblklist(self, domain: str, inactive: bool = False, details: bool = False) -> DiskList:
        """virsh domblklist: the domain's disks — the guest's device name (vda) and the file or
        device behind it; ``details=True`` adds the disk type (file, block, network …) and device
        (disk, cdrom)."""
        from .monitor_results import DiskList, DiskRow

        api: list[str] = []
        root = self._domain_xml(domain, inactive, api)
        rows = []
        for disk in root.xpath("./devices/disk"):
            kind = str(disk.xpath("string(./@type)"))
            target = _text(disk, "string(./target/@dev)")
            if target is None:
                raise OperationFailed("unable to query block list", hint=_("a <disk> without <target dev=…>: "  # i18n: virsh's own words
                                      "libvirt never writes one; check the XML with `virsh dumpxml`"))
            source = _nvme_source(disk) if kind == "nvme" else _text(disk, _DISK_SOURCE)
            rows.append(DiskRow(type=kind, device=str(disk.xpath("string(./@device)")), target=target, source=source))
        api.append("root.xpath('./devices/disk')  # then each one's type, device, target, source")
        return DiskList(disks=rows, details=details, api=api,
                        virsh=lambda: virsh_line("domblklist", domain, inactive=inactive, details=details))
