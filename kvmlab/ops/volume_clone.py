"""Changing a volume: virsh vol-clone (a full copy in the same pool) and vol-resize (a new capacity).

vol-clone reads the volume's XML, puts the new name in ``<name>`` and asks libvirt to create a volume
from that XML *and* the original's data (virStorageVolCreateXMLFrom): on a real host the bytes are
copied (qemu-img convert for qcow2), so the clone is independent of the original, unlike an overlay.
vol-resize changes the capacity the guest sees; shrinking needs ``--shrink`` and loses the data past
the new end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, libvirt_errors
from ..i18n import L_, N_, _
from .calls import libvirt_flags, virsh_line
from .pool_lookup import lookup_volume
from .result import Xml
from .vsh import require_option

if TYPE_CHECKING:  # the results load with the first volume command, lxml with the first clone
    from .volume_results import VolMessage

__all__ = ["VolumeCloneOps", "CloneXml"]

_AMP_HINT = N_("virsh sets the new name as XML content, where '&' starts an entity reference (&amp;), so "
             "the clone would get another name or none: use letters, digits, . - _")


class CloneXml(Xml):
    """``vol-clone --print-xml``: the document as libxml2 dumps it (double quotes, no final newline)."""

    def text(self) -> str:
        return self.xml


def _clone_doc(xml: str, newname: str) -> str:
    """virshMakeCloneXML: the original's XML with ``newname`` in <name>, dumped by xmlNodeDump (format=1,
    blanks dropped as virsh parses) with no newline after the root."""
    from lxml import etree

    from ..specs.parser import xml_parser

    root = etree.fromstring(xml.encode(), xml_parser(remove_blank_text=True))
    root.find("name").text = newname
    return etree.tostring(root, encoding="unicode", pretty_print=True).rstrip("\n")


def _resize_hints(name: str) -> dict[str, object]:
    return {
        "shrink": L_("the new capacity is smaller than '{name}': data past the new end would be lost, so "
                     "libvirt wants --shrink (kvmlab: shrink=True) to do it", name=name),
        "Can't shrink": N_("this format cannot shrink; make a new, smaller volume and copy what you need"),
        "in use": N_("a running guest uses this volume: shut it down first, or resize it live with "
                     "`virsh blockresize DOMAIN vda SIZE`"),
        "not supported by the connection driver": N_("libvirt's test driver cannot resize volumes; "
                                                     "the real lab (qemu:///system) can"),
    }


class VolumeCloneOps:
    """vol-clone and vol-resize."""

    virconn: libvirt.virConnect

    def vol_clone(self, vol: str, newname: str, pool: str | None = None, prealloc_metadata: bool = False,
                  reflink: bool = False, print_xml: bool = False) -> VolMessage | CloneXml:
        """virsh vol-clone VOL NEWNAME [--pool POOL]: a full copy of a volume, in its own pool.

        ``print_xml`` only shows the XML the clone would be made from.
        """
        from .pool_xml import refuse_unsafe  # lxml: loaded with the first vol-clone

        api: list[str] = []
        v, _p = lookup_volume(self.virconn, vol, pool, api)
        flags, flag_text = libvirt_flags(name for on, name in (
            (prealloc_metadata, "VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA"),
            (reflink, "VIR_STORAGE_VOL_CREATE_REFLINK")) if on)
        with libvirt_errors("failed to get parent pool"):
            owner = v.storagePoolLookupByVolume()
            orig = v.name()
        api.append("pool = vol.storagePoolLookupByVolume()")
        newname = require_option(newname, "newname")
        failed = f"Failed to clone vol from {orig}"
        refuse_unsafe(N_("clone name"), newname, "&", failed, hint=_AMP_HINT)
        with libvirt_errors():
            xml = v.XMLDesc(0)
        api.append("xml = vol.XMLDesc(0)  # then <name> set to the new name")
        doc = _clone_doc(xml, newname)
        line = virsh_line("vol-clone", vol, newname, pool=pool, prealloc_metadata=prealloc_metadata,
                          reflink=reflink, print_xml=print_xml)
        if print_xml:
            return CloneXml(xml=doc, virsh=line, api=api)
        taken = L_("pool '{pool}' has a volume '{volume}' already: pick another name "
                   "(`virsh vol-list {pool}`)", pool=owner.name(), volume=newname)
        # the test driver says "already exists", a real dir pool "already in use"
        hints = {"already exists": taken, "already in use": taken, "exists already": taken}
        with libvirt_errors(failed, hints=hints):
            new = owner.createXMLFrom(doc, v, flags)
            made = new.name()
        api.append(f"new = pool.createXMLFrom(xml, vol, {flag_text})")
        from .volume_results import VolMessage

        return VolMessage(message=f"Vol {made} cloned from {orig}", vol=made, pool=owner.name(),
                          path=new.path(), virsh=line, api=api)

    def vol_resize(self, vol: str, capacity: str | int, pool: str | None = None, allocate: bool = False,
                   delta: bool = False, shrink: bool = False) -> VolMessage:
        """virsh vol-resize VOL CAPACITY [--pool POOL]: change what the guest sees as the disk size.

        ``capacity`` reads as in vol-create-as (``"2G"`` = 2 GiB); ``delta``: add it to the current
        capacity; a negative capacity (``"-1G"``) shrinks by that much and needs ``shrink=True``.
        """
        api: list[str] = []
        v, _p = lookup_volume(self.virconn, vol, pool, api)
        text = require_option(capacity, "capacity").lstrip(" \t\n\v\f\r")
        if text.startswith("-"):
            if not shrink:
                raise InvalidInput("negative size requires --shrink",  # i18n: virsh's own words
                                   hint=_("a negative capacity shrinks the volume and loses the data past its new "
                                          "end: say so with --shrink (kvmlab: shrink=True)"))
            text, delta = text[1:], True
        from .pool_sizes import vol_size  # vol-create-as's size parser (a regex) loads when it runs

        size = vol_size(text)
        flags, flag_text = libvirt_flags(name for on, name in (
            (allocate, "VIR_STORAGE_VOL_RESIZE_ALLOCATE"), (delta, "VIR_STORAGE_VOL_RESIZE_DELTA"),
            (shrink, "VIR_STORAGE_VOL_RESIZE_SHRINK")) if on)
        with libvirt_errors():
            name = v.name()
        how = "by" if delta else "to"
        with libvirt_errors(f"Failed to change size of volume '{name}' {how} {text}", hints=_resize_hints(name)):
            v.resize(size, flags)
        api.append(f"vol.resize({size}, {flag_text})")
        from .volume_results import VolMessage

        return VolMessage(message=f"Size of volume '{name}' successfully changed {how} {text}", vol=name,
                          pool=pool or "", path="", api=api,
                          virsh=virsh_line("vol-resize", vol, capacity, pool=pool, allocate=allocate, delta=delta,
                                           shrink=shrink))
