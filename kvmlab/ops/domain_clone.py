"""Cloning a domain: ``conn.clone(source, name, disks="copy"|"overlay")``, kvmlab's twin of virt-clone.

virsh has no clone command; virt-clone (virtinst) does it with libvirt calls anyone can make:

1. ``dom.XMLDesc(INACTIVE | SECURE)``: the source's definition (``virsh dumpxml --inactive``);
2. edit it (:mod:`kvmlab.ops.clone_xml`): a new name, no UUID and no MAC (libvirt picks new ones),
   files named after the source renamed;
3. a new volume for each writable disk: a **full copy** (``pool.createXMLFrom``, ``virsh vol-clone``:
   qemu-img convert on a real host), or an **overlay** (``pool.createXML`` with a ``<backingStore>``,
   ``virsh vol-create-as … --backing-vol``): a small qcow2 that reads what it has not written from the
   source's disk, which must then never change again. virt-clone has no overlay mode;
4. ``conn.defineXML(xml)``: the clone exists, shut off.

The source must not be running: its disk changes under the copy (virt-clone 4.1 wants it shut off;
kvmlab also copies from a paused one, whose disk no longer changes). Nothing is left behind on error.
What lives *inside* the disk (hostname, machine-id, SSH host keys) is copied as it is: that is
virt-sysprep's job (libguestfs), not virt-clone's.
"""

from __future__ import annotations

import re
import time
from typing import Sequence

import libvirt

from ..errors import InvalidInput, InvalidState, NotFound, Unsupported, attempt, libvirt_errors
from ..states import state_name
from .clone_results import CloneDisk, CloneResult, clone_steps, virt_clone_line
from .domain_lookup import lookup_domain
from ..i18n import N_, _
from .lookup import name_ref

__all__ = ["DomainCloneOps", "CloneResult", "CloneDisk", "DISK_MODES"]

DISK_MODES = ("copy", "overlay")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")
_RUNNING_HINT = N_("shut it down first (virsh shutdown {src}; kvmlab: conn.shutdown('{src}')), or pause it "
                 "(virsh suspend {src}) for a full copy: a running guest writes its disk while it is copied, "
                 "so the copy would be a torn mix of before and after")


def _check_args(name: object, disks: object, macs: object) -> tuple[str, list[str]]:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(_("invalid name for the clone: {name}").format(name=f"{name!r:.80}"),
                           hint=_("give the new domain a name of letters, digits, '.', '_', '+' or '-' (up to 64; it "
                                  "also names its disk file), e.g. 'web02'; virt-clone: --name web02"))
    if disks not in DISK_MODES:
        raise InvalidInput(_("disks={disks}: expected 'copy' or 'overlay'").format(disks=f"{disks!r:.60}"),
                           hint=_("'copy': each disk copied whole, independent of the source (virsh vol-clone); "
                                  "'overlay': a small qcow2 on the source's disk as its backing file (virsh "
                                  "vol-create-as … --backing-vol)"))
    if macs is None:
        return name, []
    if isinstance(macs, str):
        macs = [macs]
    if not isinstance(macs, (list, tuple)) or not all(isinstance(m, str) and _MAC.fullmatch(m) for m in macs):
        raise InvalidInput(_("macs={macs}: expected MAC addresses such as '52:54:00:12:34:56'").format(
            macs=f"{macs!r:.80}"),
                           hint=_("one MAC per network card, six hex pairs; or leave macs out and libvirt picks new "
                                  "ones (virt-clone: --mac, or none)"))
    bad = [m for m in macs if int(m[:2], 16) & 1]
    if bad:
        raise InvalidInput(_("{mac} is a multicast address (its first byte is odd)").format(mac=bad[0]),
                           hint=_("a card needs a unicast MAC; QEMU's prefix 52:54:00 is the usual start"))
    return name, [m.lower() for m in macs]


def _macs_in_use(v: libvirt.virConnect) -> dict[str, str]:
    """MAC -> the domain whose card has it, over every domain of the connection."""
    from lxml import etree

    from ..specs.parser import xml_parser

    used: dict[str, str] = {}
    with libvirt_errors():
        for dom in v.listAllDomains(0):
            root = etree.fromstring(dom.XMLDesc(0).encode(), xml_parser())
            for mac in root.xpath("devices/interface/mac/@address"):
                used.setdefault(mac.lower(), dom.name())
    return used


class DomainCloneOps:
    """conn.clone(): virt-clone's work, as libvirt calls."""

    virconn: libvirt.virConnect

    def clone(self, source: str, name: str, *, disks: str = "copy", macs: Sequence[str] | str | None = None,
              print_xml: bool = False) -> CloneResult:
        """A new domain ``name`` like ``source``: a new UUID and new MACs, each writable disk copied
        (``disks="copy"``) or overlaid (``disks="overlay"``). ``macs``: the clone's MACs (virt-clone
        --mac), else libvirt picks. ``print_xml``: only the clone's XML (virt-clone --print-xml).

        Raises:
            InvalidInput: a bad name, mode or MAC; a MAC another domain has.
            NotFound: no such source domain; a disk that is in no storage pool.
            InvalidState: the source runs (or is paused, for an overlay); the name or a volume is taken.
        """
        from .clone_xml import clone_doc, new_file_name, writable_disks

        name, macs = _check_args(name, disks, macs)
        api: list[str] = []
        v = self.virconn
        dom = lookup_domain(v, name_ref(source, "domain"), api)
        with libvirt_errors():
            src, state = dom.name(), dom.state()[0]
        api.append(f"dom.state()  # {state_name(state)}")
        if state not in (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_PAUSED):
            raise InvalidState(f"Domain to clone must be shutoff: '{src}' is {state_name(state)}",  # i18n: virt-clone's own words
                               hint=_(_RUNNING_HINT).format(src=src))
        if state == libvirt.VIR_DOMAIN_PAUSED and disks == "overlay":
            raise InvalidState(_("'{src}' is paused: an overlay's backing file must never change again, and this "
                                 "guest will write its disk when it resumes").format(src=src),
                               hint=_("shut it down for good (virsh shutdown {src}) and keep it as the template, or "
                                      "clone with disks='copy'").format(src=src))
        if attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN]) is not None:
            raise InvalidState(f"Invalid name for new guest: Guest name '{name}' is already in use.",  # i18n: virt-clone's own words
                               hint=_("pick another name, or remove that domain first (virsh undefine {name})").format(
                                   name=name))
        used = _macs_in_use(v)
        taken = [(m, used[m]) for m in macs if m in used]
        if taken:
            raise InvalidInput(f"The MAC address '{taken[0][0]}' is in use by another virtual machine "  # i18n: virt-clone's own words
                               f"('{taken[0][1]}')", hint=_("two guests with one MAC on a network get the same "
                               "DHCP lease and steal each other's packets: leave macs out and libvirt picks a new one"))
        flags = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
        with libvirt_errors():
            src_xml = dom.XMLDesc(flags)
        api.append("xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)")
        doc = clone_doc(src_xml, src, name, macs)
        if doc.root.find("os/nvram") is not None:
            raise Unsupported(_("'{src}' has UEFI NVRAM: kvmlab's clone does not copy it").format(src=src),
                              hint=_("use virt-clone --original {src} --name {name}: it copies the NVRAM file too")
                              .format(src=src, name=name))
        api.append("# edit: <name>; <uuid>, <mac>, <target dev> removed (libvirt picks new ones); log files renamed")
        plans = [self._plan_disk(d, src, name, disks, new_file_name) for d in writable_disks(doc.root)]
        names = [p[3]["name"] for p in plans]
        if len(set(names)) != len(names):
            raise InvalidInput(_("two disks of '{src}' would get the same file name").format(src=src),
                               hint=_("clone it with virt-clone"))
        result = CloneResult(source=src, name=name, source_uuid=doc.old_uuid, renamed=doc.renamed,
                             macs=[(old, macs[i] if i < len(macs) else "") for i, old in enumerate(doc.old_macs)],
                             api=api, virsh=virt_clone_line(src, name, disks, plans, macs, print_xml))
        result.steps = clone_steps(src, name, plans, disks)
        if print_xml:
            for disk_el, _vol, _pool, new, _how in plans:
                _point(disk_el, new, disks)
            result.xml, result.defined = doc.text(), False
            return result
        made: list[libvirt.virStorageVol] = []
        try:
            for disk_el, vol, pool, new, how in plans:
                t0 = time.monotonic()
                new_vol = self._make_volume(vol, pool, new, how, api)
                made.append(new_vol)
                with libvirt_errors():
                    new["path"] = new_vol.path()
                _point(disk_el, new, disks)
                result.disks.append(CloneDisk(new["target"], new["from"], new["path"], pool.name(), new["name"], how,
                                              time.monotonic() - t0))
            with libvirt_errors(f"Failed to define domain {name}"):
                new_dom = v.defineXML(doc.text())
                result.uuid = new_dom.UUIDString()
            api.append("new = conn.defineXML(xml)  # the clone, shut off")
        except BaseException:
            for vol in made:  # nothing left behind: the volumes made so far go
                attempt(vol.delete, 0)
            raise
        result.xml = doc.text()
        result.macs = [(old, new) for (old, _), new in zip(result.macs, _macs_of(new_dom))]
        return result

    def _plan_disk(self, disk_el, src: str, name: str, disks: str, new_file_name):
        """(disk element, source volume, its pool, the new volume's facts, how): nothing made yet."""
        target = disk_el.find("target").get("dev", "?") if disk_el.find("target") is not None else "?"
        source = disk_el.find("source")
        kind = disk_el.get("type", "file")
        v = self.virconn
        if kind == "volume":
            pool = attempt(v.storagePoolLookupByName, source.get("pool", ""), codes=[libvirt.VIR_ERR_NO_STORAGE_POOL])
            vol = attempt(pool.storageVolLookupByName, source.get("volume", ""),
                          codes=[libvirt.VIR_ERR_NO_STORAGE_VOL]) if pool is not None else None
            where = f"volume {source.get('volume')} of pool {source.get('pool')}"
        elif kind == "file":
            where = source.get("file", "")
            vol = attempt(v.storageVolLookupByPath, where, codes=[libvirt.VIR_ERR_NO_STORAGE_VOL])
            if vol is None and _refresh_pool_of(v, where):  # a file made outside libvirt since the last refresh
                vol = attempt(v.storageVolLookupByPath, where, codes=[libvirt.VIR_ERR_NO_STORAGE_VOL])
            pool = None
        else:
            raise Unsupported(_("disk {target} of '{src}' is a {kind} disk: kvmlab clones file and volume disks")
                              .format(target=target, src=src, kind=kind),
                              hint=_("virt-clone --original {src} --name {name} --file NEWPATH copies it").format(
                                  src=src, name=name))
        if vol is None:
            raise NotFound(_("disk {target} of '{src}' ({where}) is in no storage pool: libvirt cannot copy it")
                           .format(target=target, src=src, where=where),
                           hint=_("libvirt copies volumes: put the file's directory in a pool (virsh pool-define-as "
                                  "NAME dir --target DIR; virsh pool-start NAME), or use virt-clone, which copies "
                                  "plain files itself"))
        with libvirt_errors():
            pool = pool or vol.storagePoolLookupByVolume()
            path, vol_name = vol.path(), vol.name()
        new_name = new_file_name(src, name, vol_name)
        if disks == "overlay" and not new_name.endswith(".qcow2"):
            new_name = new_name.rsplit(".", 1)[0] + ".qcow2" if "." in new_name else new_name + ".qcow2"
        if attempt(pool.storageVolLookupByName, new_name, codes=[libvirt.VIR_ERR_NO_STORAGE_VOL]) is not None:
            raise InvalidState(_("pool '{pool}' has a volume '{volume}' already: the clone's disk {target} "
                                 "would overwrite it").format(pool=pool.name(), volume=new_name, target=target),
                               hint=_("pick another name for the clone, or delete that volume "
                                      "(virsh vol-delete {volume} --pool {pool})").format(volume=new_name, pool=pool.name()))
        return disk_el, vol, pool, {"name": new_name, "target": target, "from": path, "path": ""}, disks

    def _make_volume(self, vol, pool, new: dict, how: str, api: list[str]) -> libvirt.virStorageVol:
        from lxml import etree

        from ..specs.parser import xml_parser

        with libvirt_errors():
            root = etree.fromstring(vol.XMLDesc(0).encode(), xml_parser(remove_blank_text=True))
            capacity = vol.info()[1]
        fmt_el = root.find("target/format")
        fmt = fmt_el.get("type") if fmt_el is not None else "raw"
        failed = f"Failed to create vol {new['name']}"
        if how == "copy":
            root.find("name").text = new["name"]
            for tag in ("key", "target/path"):
                node = root.find(tag)
                if node is not None:
                    node.getparent().remove(node)
            with libvirt_errors(failed):
                made = pool.createXMLFrom(etree.tostring(root, encoding="unicode"), vol, 0)
            api.append(f"pool.createXMLFrom(volxml, vol, 0)  # {new['name']}: a full copy (virsh vol-clone)")
            return made
        vol_el = etree.Element("volume")
        etree.SubElement(vol_el, "name").text = new["name"]
        etree.SubElement(vol_el, "capacity", unit="bytes").text = str(capacity)
        etree.SubElement(etree.SubElement(vol_el, "target"), "format", type="qcow2")
        backing = etree.SubElement(vol_el, "backingStore")
        etree.SubElement(backing, "path").text = new["from"]
        etree.SubElement(backing, "format", type=fmt)
        xml = etree.tostring(vol_el, encoding="unicode")
        with libvirt_errors(failed):
            made = pool.createXML(xml, 0)
        api.append(f"pool.createXML(volxml, 0)  # {new['name']}: qcow2 with <backingStore> {new['from']}")
        return made


def _refresh_pool_of(v: libvirt.virConnect, path: str) -> bool:
    """pool-refresh the active dir pool whose directory holds ``path``; whether there was one."""
    import os

    folder = os.path.dirname(path)
    with libvirt_errors():
        pools = v.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)
    for pool in pools:
        with libvirt_errors():
            xml = pool.XMLDesc(0)
        m = re.search(r"<target>\s*<path>([^<]+)</path>", xml)
        if m and m.group(1).rstrip("/") == folder:
            attempt(pool.refresh, 0)
            return True
    return False


def _point(disk_el, new: dict, disks: str) -> None:
    """The clone's disk element reads the new volume (a file path; qcow2 for an overlay)."""
    source = disk_el.find("source")
    if disk_el.get("type") == "volume":
        source.set("volume", new["name"])
    else:
        source.attrib.clear()
        source.set("file", new["path"] or new["from"].rsplit("/", 1)[0] + "/" + new["name"])
    driver = disk_el.find("driver")
    if disks == "overlay":  # say so: a qcow2 file read as raw (no <driver type>) would show its header to the guest
        if driver is None:
            driver = disk_el.makeelement("driver", {"name": "qemu"})
            disk_el.insert(0, driver)
        driver.set("type", "qcow2")
    backing = disk_el.find("backingStore")
    if backing is not None:
        disk_el.remove(backing)


def _macs_of(dom: libvirt.virDomain) -> list[str]:
    from lxml import etree

    from ..specs.parser import xml_parser

    with libvirt_errors():
        root = etree.fromstring(dom.XMLDesc(0).encode(), xml_parser())
    return [m.lower() for m in root.xpath("devices/interface/mac/@address")]
