"""The device XML virsh writes for attach-disk / attach-interface, and the one it picks for detach.

virsh builds ``<disk>`` and ``<interface>`` from its options as text (tools/virsh-domain.c, virsh 9.0):
attribute values that go through virBufferEscapeString are XML-escaped, the others (target, bus,
serial, alias, MAC …) are written as given — so ``--print-xml`` shows exactly what libvirt would get.
For detach, virsh finds the device in the domain's XML and sends that node back, serialized by libxml2.
"""

from __future__ import annotations

import os
import re
import stat
from typing import TYPE_CHECKING

from ..errors import InvalidInput, OperationFailed
from ..i18n import _

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["disk_xml", "interface_xml", "find_disk", "find_interface", "node_text", "NET_TYPES"]

# virDomainNetType's words; attach-interface writes a source for network, bridge, direct, hostdev, vhostuser
NET_TYPES = ("user", "ethernet", "vhostuser", "server", "client", "mcast", "network", "bridge", "internal",
             "direct", "hostdev", "udp", "vdpa", "null", "vds")
_SOURCE_TYPES = ("file", "block", "network")


def _esc(text: str) -> str:
    """virBufferEscapeString: the five XML specials as entities."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&apos;").replace('"', "&quot;"))


def _attrs(*pairs: tuple[str, str | None]) -> str:
    return "".join(f" {k}='{_esc(v)}'" for k, v in pairs if v is not None)


def _element(name: str, attrs: str, children: list[str], indent: str) -> list[str]:
    """virXMLFormatElement: nothing when empty, ``<x a=''/>`` without children, else open, children, close."""
    if not attrs and not children:
        return []
    if not children:
        return [f"{indent}<{name}{attrs}/>"]
    return [f"{indent}<{name}{attrs}>", *children, f"{indent}</{name}>"]


def _is_block(path: str) -> bool:
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _wwn_ok(wwn: str) -> bool:
    """virValidateWWN: 16 hex digits, optionally after ``0x``."""
    return re.fullmatch(r"[0-9a-fA-F]{16}", wwn[2:] if wwn.startswith("0x") else wwn) is not None


def disk_xml(source: str, target: str, *, targetbus: str | None = None, driver: str | None = None,
             subdriver: str | None = None, iothread: str | None = None, cache: str | None = None,
             io: str | None = None, type: str | None = None, mode: str | None = None,
             sourcetype: str | None = None, serial: str | None = None, wwn: str | None = None,
             alias: str | None = None, rawio: bool = False, source_protocol: str | None = None,
             source_host_name: str | None = None, source_host_transport: str | None = None,
             source_host_socket: str | None = None) -> str:
    """cmdAttachDisk's ``<disk>``: a file (or, for a local block device, a block) disk unless told.

    Raises:
        InvalidInput: an unknown --sourcetype or --mode, a protocol without a network source, a bad WWN.
    """
    if sourcetype is not None and sourcetype not in ("", *_SOURCE_TYPES):
        raise InvalidInput(f"Unknown source type: '{sourcetype}'",  # i18n: virsh's own words
                           hint=_("--sourcetype is file (an image file), block (/dev/… on the host) or network"))
    kind = sourcetype or ""
    if not kind:
        if source_protocol:
            kind = "network"
        elif driver not in ("file", "tap") and _is_block(source):
            kind = "block"
        else:
            kind = "file"
    if (kind == "network") != bool(source_protocol):
        raise InvalidInput("--source-protocol option requires --sourcetype network",  # i18n: virsh's own words
                           hint=_("a network disk needs both: --sourcetype network --source-protocol nbd (or "
                                  "rbd, iscsi …); a file or block disk takes neither"))
    if mode is not None and mode not in ("readonly", "shareable"):
        raise InvalidInput(f"No support for {mode} in command 'attach-disk'",  # i18n: virsh's own words
                           hint=_("--mode is readonly or shareable (leave it out for a normal read-write disk)"))
    if wwn is not None and not _wwn_ok(wwn):
        raise InvalidInput(f"Malformed wwn: {wwn}", virsh_error=[f"internal error: Malformed wwn: {wwn}"],  # i18n: virsh's own words
                           hint=_("a WWN is 16 hex digits, e.g. 5000c50015ea71ac (0x in front is allowed)"))
    disk_attrs = f" type='{kind}'" + _attrs(("device", type)) + (" rawio='yes'" if rawio else "")
    kids = _element("driver", _attrs(("name", driver), ("type", subdriver), ("iothread", iothread),
                                     ("cache", cache), ("io", io)), [], "  ")
    host: list[str] = []
    if kind == "file":
        src = _attrs(("file", source))
    elif kind == "block":
        src = _attrs(("dev", source))
    else:
        src = _attrs(("protocol", source_protocol), ("name", source))
        name, port = (source_host_name.split(":", 1) + [None])[:2] if source_host_name else (None, None)
        host = _element("host", _attrs(("transport", source_host_transport), ("socket", source_host_socket),
                                       ("name", name), ("port", port)), [], "    ")
    kids += _element("source", src, host, "  ")
    kids.append(f"  <target dev='{target}'" + (f" bus='{targetbus}'" if targetbus else "") + "/>")
    if mode:
        kids.append(f"  <{mode}/>")
    if serial:
        kids.append(f"  <serial>{serial}</serial>")
    if alias:
        kids.append(f"  <alias name='{alias}'/>")
    if wwn:
        kids.append(f"  <wwn>{wwn}</wwn>")
    return "\n".join(_element("disk", disk_attrs, kids, "")) + "\n"


def _rate(text: str, which: str) -> list[int]:
    """virshParseRateStr: ``average,peak,burst,floor``, any of them empty (0)."""
    fields = text.split(",")
    if len(fields) > 4:
        raise InvalidInput(f"Rate string '{text}' has too many fields",  # i18n: virsh's own words
                           hint=_("--{which} is average[,peak[,burst[,floor]]] in KiB/s (burst in KiB)").format(which=which))
    out = []
    for name, value in zip(("average", "peak", "burst", "floor"), fields + [""] * 4):
        if value and not re.fullmatch(r"[ \t\n\v\f\r]*\+?[0-9]+", value) or value and int(value) >= 2**64:
            raise InvalidInput(f"field '{name}' is malformed",  # i18n: virsh's own words
                               hint=_("--{which} fields are whole numbers: average,peak,burst,floor (KiB/s)").format(
                                   which=which))
        out.append(int(value) if value else 0)
    return out


def _no_support(type: str) -> InvalidInput:
    return InvalidInput(f"No support for {type} in command 'attach-interface'",  # i18n: virsh's own words
                        hint=_("attach-interface writes network (a libvirt network), bridge (a host bridge), "
                               "direct (macvtap on a host NIC) or vhostuser cards; for others write the XML "
                               "and use attach-device"))


def interface_xml(type: str, source: str, *, target: str | None = None, mac: str | None = None,
                  script: str | None = None, model: str | None = None, alias: str | None = None,
                  inbound: str | None = None, outbound: str | None = None, managed: bool = False,
                  source_mode: str | None = None) -> str:
    """cmdAttachInterface's ``<interface>`` (network, bridge, direct, vhostuser; hostdev is not built here).

    Raises:
        InvalidInput: a type attach-interface cannot write, a bad --source-mode or bandwidth.
    """
    if type not in NET_TYPES:
        raise _no_support(type)
    if source_mode is not None and source_mode not in ("server", "client"):
        raise InvalidInput(f"Invalid source mode: {source_mode}", hint=_("--source-mode is server or client"))  # i18n: virsh's own words
    rates = {}
    if inbound is not None:
        rates["inbound"] = r = _rate(inbound, "inbound")
        if not r[0] and not r[3]:
            raise InvalidInput("either inbound average or floor is mandatory",  # i18n: virsh's own words
                               hint=_("--inbound average[,peak[,burst[,floor]]]: give an average (KiB/s) or a floor"))
    if outbound is not None:
        rates["outbound"] = r = _rate(outbound, "outbound")
        if r[0] == 0:
            raise InvalidInput("outbound average is mandatory", hint=_("--outbound average[,peak[,burst]] in KiB/s"))  # i18n: virsh's own words
        if r[3]:
            raise InvalidInput("outbound floor is unsupported yet", hint=_("a floor applies to inbound traffic only"))  # i18n: virsh's own words
    if type not in ("network", "bridge", "direct", "vhostuser", "hostdev"):
        raise _no_support(type)
    if type == "hostdev":
        raise InvalidInput(_("kvmlab does not write a hostdev card ({source})").format(source=source),
                           hint=_("a hostdev card passes a host PCI device through: write the <interface "
                                  "type='hostdev'> XML and use `virsh attach-device`"))
    lines = [f"<interface type='{type}'" + (" managed='yes'>" if managed else ">")]
    if type in ("network", "bridge"):
        lines.append(f"  <source {type}='{source}'/>")
    elif type == "direct":
        lines.append(f"  <source dev='{source}'/>")
    else:  # vhostuser
        if source_mode is None:
            raise InvalidInput("source-mode is mandatory", hint=_("a vhostuser card needs --source-mode server or client"))  # i18n: virsh's own words
        lines.append(f"  <source type='unix' path='{source}' mode='{source_mode}'/>")
    for name, attr, value in (("target", "dev", target), ("mac", "address", mac), ("script", "path", script),
                              ("model", "type", model), ("alias", "name", alias)):
        if value is not None:
            lines.append(f"  <{name} {attr}='{value}'/>")
    if rates:
        lines.append("  <bandwidth>")
        if "inbound" in rates:
            attrs = "".join(f" {k}='{v}'" for k, v in zip(("average", "peak", "burst", "floor"), rates["inbound"]) if v)
            lines.append(f"    <inbound{attrs}/>")
        if "outbound" in rates:
            attrs = "".join(f" {k}='{v}'" for k, v in zip(("average", "peak", "burst"), rates["outbound"]) if v)
            lines.append(f"    <outbound{attrs}/>")
        lines.append("  </bandwidth>")
    lines.append("</interface>")
    return "\n".join(lines) + "\n"


def node_text(node: etree._Element) -> str:
    """virXMLNodeToString: the node as libxml2 writes it (double quotes, its inner spacing, no tail)."""
    from lxml import etree

    return etree.tostring(node, encoding="unicode", with_tail=False)


def find_disk(root: etree._Element, path: str) -> etree._Element:
    """virshFindDisk: the first ``<disk>`` whose source (file, dev, dir or name) or target dev is ``path``.

    A copy, its ``<backingStore>`` dropped (virsh sends no backing chain back); the text around it stays.
    """
    import copy

    for disk in root.xpath("/domain/devices/disk"):
        for child in disk:
            if child.tag == "source":
                value = next((child.get(a) for a in ("file", "dev", "dir", "name") if child.get(a) is not None), None)
            elif child.tag == "target":
                value = child.get("dev")
            else:
                continue
            if value == path:
                found = copy.deepcopy(disk)
                for store in found.findall("backingStore"):
                    prev = store.getprevious()
                    tail = store.tail or ""
                    if prev is not None:
                        prev.tail = (prev.tail or "") + tail
                    else:
                        found.text = (found.text or "") + tail
                    found.remove(store)
                return found
    raise OperationFailed(f"No disk found whose source path or target is {path}",  # i18n: virsh's own words
                          hint=_("name the disk by its target (vdb) or its file; `virsh domblklist DOMAIN` lists both"))


def _mac_equal(a: str, b: str) -> bool:
    """virMacAddrCompare: the same six bytes, however written."""
    try:
        return [int(x, 16) for x in a.split(":")] == [int(x, 16) for x in b.split(":")]
    except ValueError:
        return False


def find_interface(root: etree._Element, type: str, mac: str | None) -> etree._Element:
    """virshDomainDetachInterface's pick: the one card of ``type``, or the one with ``mac``."""
    cards = [i for i in root.xpath("/domain/devices/interface") if i.get("type") == type]
    if not cards:
        raise OperationFailed(f"No interface found whose type is {type}",  # i18n: virsh's own words
                              hint=_("detach-interface takes the card's type (network, bridge …); "
                                     "`virsh domiflist DOMAIN` lists each card's type and MAC"))
    if mac is not None:
        for card in cards:
            found = card.find("mac")
            if found is not None and _mac_equal(found.get("address", ""), mac):
                return card
        raise OperationFailed(f"No interface with MAC address {mac} was found",  # i18n: virsh's own words
                              hint=_("copy the MAC from `virsh domiflist DOMAIN`"))
    if len(cards) > 1:
        raise OperationFailed(f"Domain has {len(cards)} interfaces. Please specify which one to detach using --mac",  # i18n: virsh's own words
                              hint=_("`virsh domiflist DOMAIN` lists the MACs; add --mac to pick one"))
    return cards[0]
