"""Lesson 15's template and its clones: what a clone keeps, what must change, measured from inside.

:func:`clone_lab` makes the template ``kvmlab-tmpl``: the lab's tiny guest with a 64 MiB qcow2 disk in
the lab's pool and a card on the lab's NAT network. On a real QEMU it boots it once, as an installed
system's first boot would: the guest writes a *machine-id* on its disk (systemd writes
/etc/machine-id the same way) and some data (so copying has something to copy), then it is shut down
for good. Clones made from it (``conn.clone``) carry that disk, machine-id included::

    lab = clone_lab(conn)
    conn.clone(lab.template, "kvmlab-tmpl-copy")            # virt-clone's work
    lab.clone_by_hand("kvmlab-tmpl-copy", "kvmlab-tmpl-byhand")  # the mistake: the MAC kept
    lab.boot("kvmlab-tmpl-copy", "kvmlab-tmpl-byhand")
    lab.ask("kvmlab-tmpl-copy", "kvmlab-tmpl-byhand")        # hostname, MAC, address, machine-id

On libvirt's test driver (the embedded lab) the domains and volumes exist, nothing boots: libvirt's
view (the XML, the MACs, the volumes) works, the cells that ask a guest say so. The guests' side (first
boot, boot, asking) is :mod:`kvmlab.concepts.clone_guests`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, attempt, libvirt_errors
from ..i18n import _
from ..ops.result import Message, Table

__all__ = ["CloneLab", "clone_lab", "TEMPLATE", "DISK_SIZE", "DATA_MIB", "NO_GUEST"]

TEMPLATE = "kvmlab-tmpl"
DISK_SIZE = "64M"
DATA_MIB = 4  # what the template's first boot writes (about 1 MiB/s under TCG), so a full copy has something to copy
EMBEDDED_MAC = "52:54:00:4b:15:01"  # fixed: the embedded lab's outputs are the same at every run
_NAME = re.compile(r"kvmlab-[A-Za-z0-9][A-Za-z0-9._-]{0,40}")
NO_GUEST = ("embedded lab: no guest runs here (libvirt's test driver boots nothing); on the real lab each guest is "
            "asked over its serial console")
@dataclass
class CloneLab:
    """The template and the lesson's clones. ``real``: QEMU guests boot and can be asked."""

    template: str
    pool: str
    network: str
    backend: str
    uri: str
    real: bool
    notes: tuple[str, ...] = ()
    conn: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        guest = ("the lab's tiny guest; its first boot wrote a machine-id and data on its disk, then it was shut "
                 "down for good" if self.real else "a test-driver domain: a description, no guest runs")
        from ..states import state_name

        dom = attempt(self.conn.virconn.lookupByName, self.template, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        state = state_name(dom.state()[0]) if dom is not None else "gone"
        rows = [("backend:", f"{self.backend} ({self.uri})"), ("template:", f"{self.template} ({state})"),
                ("disk (vda):", f"{self.template}.qcow2 (qcow2, 64 MiB) in pool {self.pool}"),
                ("network:", self.network or "(none: qemu:///session has no virtual networks)"), ("guest:", guest)]
        return "\n".join([f"{k:13}{v}" for k, v in rows] + [f"note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    # -- libvirt's view: works on every backend ----------------------------------------------------
    def domains(self) -> list[str]:
        """The template and every domain named after it (its clones), template first."""
        with libvirt_errors():
            names = [d.name() for d in self.conn.virconn.listAllDomains(0)]
        return sorted((n for n in names if n == self.template or n.startswith(self.template + "-")),
                      key=lambda n: (n != self.template, n))

    def macs(self) -> Table | str:
        """``virsh domiflist`` of each domain, one row per card: a MAC two domains share is marked."""
        if not self.network:
            return "(no network cards: on qemu:///session the guests have none, so there is no MAC to share)\n"
        rows, seen = [], {}
        for name in self.domains():
            for mac in self.conn.domiflist(name).macs:
                rows.append([name, mac, ""])
                seen.setdefault(mac, []).append(name)
        for row in rows:
            others = [n for n in seen[row[1]] if n != row[0]]
            row[2] = f"SAME MAC as {', '.join(others)}" if others else "unique"
        return Table(header=("Domain", "MAC", ""), rows=[tuple(r) for r in rows],
                     virsh="; ".join(f"virsh domiflist {n}" for n in self.domains()),
                     api=["dom.XMLDesc(0)  # per domain: devices/interface/mac/@address"])

    def disks(self) -> Table:
        """The volumes of the template and its clones: capacity, bytes used on the host, backing file."""
        with libvirt_errors():
            pool = self.conn.virconn.storagePoolLookupByName(self.pool)
            attempt(pool.refresh, 0)
            vols = [v for v in pool.listAllVolumes(0) if v.name().startswith(self.template)]
        from ..units import pretty_capacity

        rows = []
        for vol in sorted(vols, key=lambda v: (v.name() != f"{self.template}.qcow2", v.name())):
            with libvirt_errors():
                _t, cap, alloc = vol.info()
                xml = vol.XMLDesc(0)
            back = re.search(r"<backingStore>\s*<path>([^<]+)</path>", xml)
            rows.append((vol.name(), pretty_capacity(cap), pretty_capacity(alloc),
                         back.group(1).rsplit("/", 1)[-1] if back else "-"))
        return Table(header=("Volume", "Capacity", "Allocation", "Backing file"), rows=rows,
                     virsh=f"virsh vol-list {self.pool} --details; virsh vol-dumpxml VOL --pool {self.pool}",
                     api=["pool.refresh(0)", "vol.info(); vol.XMLDesc(0)  # per volume"])

    def clone_by_hand(self, source: str, name: str) -> Message:
        """The classic hand-made clone: ``virsh dumpxml``, a new ``<name>``, the ``<uuid>`` deleted, a copy
        of the disk... and the ``<mac>`` forgotten. What conn.clone refuses to do."""
        _check(name)
        from lxml import etree

        from ..specs.parser import xml_parser

        api: list[str] = []
        v = self.conn.virconn
        made = self.conn.vol_clone(f"{source}.qcow2", f"{name}.qcow2", pool=self.pool)
        api += made.api
        with libvirt_errors():
            root = etree.fromstring(v.lookupByName(source).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE).encode(),
                                    xml_parser())
        api.append(f"xml = conn.lookupByName('{source}').XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)")
        root.find("name").text = name
        root.remove(root.find("uuid"))
        root.find("devices/disk/source").set("file", made.path)
        for log in root.iterfind("devices/serial/log"):
            log.set("file", log.get("file").replace(source, name))
        for target in root.iterfind("devices/interface/target"):
            target.getparent().remove(target)
        with libvirt_errors(f"Failed to define domain from {name}.xml"):
            v.defineXML(etree.tostring(root, encoding="unicode"))
        api.append("conn.defineXML(xml)  # <name> and <uuid> changed, <mac> kept")
        kept = f"the MAC of {source} kept" if self.network else "no card here, so no MAC to keep"
        return Message(message=f"Domain '{name}' defined from {name}.xml (by hand: {kept})",
                       virsh=f"virsh dumpxml {source} > {name}.xml; virsh vol-clone {source}.qcow2 {name}.qcow2 "
                             f"--pool {self.pool}; (edit {name}.xml: <name>, <uuid> deleted, disk); "
                             f"virsh define {name}.xml", api=api)

    # -- the guests: the real lab only ------------------------------------------------------------
    def boot(self, *names: str, timeout: float = 150.0, progress: Callable[[str], None] | None = print) -> Message:
        """``virsh start`` each, all at once, then wait (bounded) for each shell and each DHCP lease."""
        from .clone_guests import boot_guests

        return boot_guests(self.conn, names, self.network, self.backend, self.real, timeout, progress)

    def ask(self, *names: str) -> Table | str:
        """Each guest, asked from inside over its serial console: its hostname, its card's MAC and
        address, and the machine-id on its disk."""
        if not self.real:
            return f"({NO_GUEST})\n"
        from .clone_guests import ask_guests

        return ask_guests(self.conn, names)

    # -- tidy up ------------------------------------------------------------------------------------
    def remove_clone(self, name: str) -> Message:
        """Destroy and undefine one clone (the lab's), and delete its own volumes, never the template's:
        a hand-made clone may write the template's disk."""
        from ..lab.ownership import is_owned

        _check(name)
        if name == self.template:
            raise InvalidInput(_("{name} is the template, not a clone").format(name=name),
                               hint=_("lab.remove() removes the template too"))
        v = self.conn.virconn
        dom = attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        if dom is not None and is_owned(dom):
            with libvirt_errors(f"failed to remove domain '{name}'"):
                if dom.isActive():
                    dom.destroy()
                if dom.isPersistent():
                    dom.undefine()
        removed = 0
        with libvirt_errors():
            pool = v.storagePoolLookupByName(self.pool)
            attempt(pool.refresh, 0)
            for vol in pool.listAllVolumes(0):
                if vol.name().rsplit(".", 1)[0] == name:
                    vol.delete(0)
                    removed += 1
        return Message(message=f"Domain '{name}' removed, {removed} volume(s) of its own deleted",
                       virsh=f"virsh destroy {name}; virsh undefine {name}; virsh vol-delete {name}.qcow2 "
                             f"--pool {self.pool}", api=["dom.destroy(); dom.undefine()", "vol.delete(0)"])

    def remove(self) -> Message:
        """Destroy and undefine the template and its clones (the lab's only), delete their volumes."""
        from ..lab.ownership import is_owned

        v = self.conn.virconn
        gone = 0
        for name in self.domains():
            dom = attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
            if dom is None or not is_owned(dom):
                continue
            with libvirt_errors(f"failed to remove domain '{name}'"):
                if dom.isActive():
                    dom.destroy()
                if dom.isPersistent():
                    dom.undefine()
            gone += 1
        removed = 0
        pool = attempt(v.storagePoolLookupByName, self.pool, codes=[libvirt.VIR_ERR_NO_STORAGE_POOL])
        if pool is not None and pool.isActive():
            attempt(pool.refresh, 0)
            # overlays first: a backing file goes last
            vols = [x for x in pool.listAllVolumes(0) if x.name().startswith(self.template)]
            for vol in sorted(vols, key=lambda x: x.name() == f"{self.template}.qcow2"):
                with libvirt_errors(f"Failed to delete vol {vol.name()}"):
                    vol.delete(0)
                removed += 1
        return Message(message=f"{gone} domain(s) removed, {removed} volume(s) deleted",
                       virsh=f"virsh destroy/undefine {self.template}*; virsh vol-delete {self.template}*.qcow2 "
                             f"--pool {self.pool}", api=["dom.destroy(); dom.undefine()", "vol.delete(0)"])


def _check(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(_("invalid lesson domain name {name}").format(name=repr(name)[:60]),
                           hint=_("the lab's objects are named kvmlab-…, e.g. '{example}' (lab reset removes them)")
                           .format(example="kvmlab-tmpl"))
    return name


def _test_xml(name: str, disk: str) -> str:
    from ..lab.ownership import tag_domain_xml
    from ..specs import DomainSpec
    from ..specs.devices import DiskSpec, InterfaceSpec, SerialSpec

    spec = DomainSpec(type="test", name=name, memory="128MiB", vcpus=1)
    spec.disks.append(DiskSpec(type="file", device="disk", driver="qemu", format="qcow2", path=disk, target="vda",
                               bus="virtio"))
    spec.interfaces.append(InterfaceSpec(type="network", network="default", mac=EMBEDDED_MAC, model="virtio"))
    spec.serials.append(SerialSpec(type="pty", target_port=0))
    return tag_domain_xml(spec.to_xml())


def clone_lab(conn: Any, name: str = TEMPLATE, *, timeout: float = 120.0,
              progress: Callable[[str], None] | None = print) -> CloneLab:
    """The template ``name``, fresh and shut off (on a real QEMU: booted once, its first boot written on
    its disk); a previous run's template and clones (the lab's, by name) are removed first.

    Raises:
        InvalidInput: ``name`` does not start with ``kvmlab-``.
        InvalidState: a domain by that name exists and is not the lab's (it is never touched).
        ConsoleTimeout: the template did not boot within ``timeout`` seconds.
    """
    from ..lab.ownership import is_owned, tag_domain_xml
    from ..lab.resources import LAB_NETWORKS, LAB_POOL, ensure_lab_network, ensure_lab_pool

    _check(name)
    v = conn.virconn
    with libvirt_errors():
        uri, kind = v.getURI(), v.getType().lower()
    real = kind == "qemu"
    old = attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    if old is not None and not is_owned(old):
        raise InvalidState(_("domain '{name}' exists and is not the lab's: the lesson would change it, so nothing was "
                             "done").format(name=name),
                           hint=_("rename yours (virsh domrename {name} my-{name}) or pass another name")
                           .format(name=name))
    session = uri.rstrip("/").endswith("/session")
    notes: list[str] = []
    if real:
        notes.append(ensure_lab_pool(conn).message)
        pool, network = LAB_POOL, "" if session else LAB_NETWORKS["nat"].name
        if network:
            ensure_lab_network(conn, "nat")
        if session:
            notes.append("qemu:///session: no virtual networks, so the guests have no card: no MAC to compare")
    else:
        pool, network = "default", "default"
    lab = CloneLab(name, pool, network, "embedded" if getattr(conn, "embedded", False) else kind, uri, real,
                   tuple(notes), conn=conn)
    lab.remove()
    disk = conn.vol_create_as(pool, f"{name}.qcow2", DISK_SIZE, format="qcow2").path
    if real:
        from ..lab import guest

        xml = tag_domain_xml(guest.domain_xml(name, networks=[network] if network else None, disk=disk,
                                              disk_format="qcow2", tag=False))
    else:
        xml = _test_xml(name, disk)
    with libvirt_errors(f"Failed to define domain from {name}.xml"):
        dom = v.defineXML(xml)
    if real:
        from .clone_guests import first_boot

        first_boot(conn, dom, name, timeout, progress, DATA_MIB)
    return lab
