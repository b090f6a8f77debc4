"""What a clone's domain XML changes, as virt-clone (virtinst/cloner.py, 4.1) changes it: the source's
XML with a new ``<name>``, no ``<uuid>`` and no ``<mac>`` (libvirt picks new ones at define), no
``<target dev>`` on a card (libvirt names the tap), VNC/SPICE ports set to autoport, and files named
after the source (a serial console's log, a file-type serial) renamed after the clone.

The disks are :mod:`kvmlab.ops.domain_clone`'s: only it knows which volume each becomes.
Nothing here touches libvirt: it reads and writes XML text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lxml import etree

from ..specs.parser import xml_parser

__all__ = ["CloneDoc", "clone_doc", "new_file_name", "writable_disks"]


@dataclass
class CloneDoc:
    """The clone's XML tree and what was changed in it, for the result's table."""

    root: etree._Element
    old_uuid: str
    old_macs: list[str]
    renamed: list[tuple[str, str]]  # files named after the source: (old path, new path)

    def text(self) -> str:
        return etree.tostring(self.root, encoding="unicode", pretty_print=True)


def new_file_name(source: str, clone: str, path: str) -> str:
    """virt-clone's rule for a file of the clone: ``SOURCE.qcow2`` -> ``CLONE.qcow2``; any other
    ``name.ext`` -> ``name-clone.ext`` (an extension is up to 7 characters), in the same directory."""
    head, tail = os.path.split(path)
    stem, dot, ext = tail.rpartition(".")
    if not dot or len(ext) > 7:
        stem, ext = tail, ""
    stem = clone if stem == source else stem.replace(source, clone) if source in stem else stem + "-clone"
    return os.path.join(head, stem + ("." + ext if ext else ""))


def writable_disks(root: etree._Element) -> list[etree._Element]:
    """The disks a clone must not share: a disk (not a CD-ROM) with a source, neither read-only nor
    shareable. virt-clone leaves the others as they are, and so does kvmlab."""
    found = []
    for disk in root.iterfind("devices/disk"):
        if disk.get("device", "disk") not in ("disk", "lun"):
            continue
        if disk.find("readonly") is not None or disk.find("shareable") is not None:
            continue
        if disk.find("source") is None:
            continue
        found.append(disk)
    return found


def clone_doc(xml: str, source: str, name: str, macs: list[str] | None = None) -> CloneDoc:
    """The source's XML with the clone's identity: ``name``, no UUID, new MACs (``macs`` in card order,
    or none: libvirt generates ``52:54:00:…``), no tap names, autoport, renamed files."""
    root = etree.fromstring(xml.encode(), xml_parser(remove_blank_text=True))
    root.find("name").text = name
    old_uuid = ""
    for node in root.findall("uuid"):
        old_uuid = node.text or ""
        root.remove(node)
    for node in root.findall("title"):  # virt-clone drops the title too: it described the source
        root.remove(node)
    old_macs: list[str] = []
    for i, card in enumerate(root.iterfind("devices/interface")):
        mac = card.find("mac")
        if mac is not None:
            old_macs.append(mac.get("address", ""))
            card.remove(mac)
        if macs and i < len(macs):
            node = etree.Element("mac", address=macs[i])
            card.insert(0, node)
        target = card.find("target")
        if target is not None:
            card.remove(target)
    for gfx in root.iterfind("devices/graphics"):
        if gfx.get("port") not in (None, "-1"):
            gfx.set("port", "-1")
            gfx.set("autoport", "yes")
    renamed: list[tuple[str, str]] = []
    for dev in (*root.iterfind("devices/serial"), *root.iterfind("devices/console")):
        for node, attr in ((dev.find("log"), "file"), (dev.find("source") if dev.get("type") == "file" else None, "path")):
            old = node.get(attr) if node is not None else None
            if old and source in os.path.basename(old):
                new = new_file_name(source, name, old)
                node.set(attr, new)
                if (old, new) not in renamed:
                    renamed.append((old, new))
    return CloneDoc(root, old_uuid, old_macs, renamed)
