"""``<domainsnapshot>``: one snapshot of a domain (libvirt's formatsnapshot, small).

On input only ``name``, ``description``, ``memory`` and ``disks`` count; libvirt fills in the rest
(``state``, ``parent``, ``creationTime``, the ``<domain>`` as it was) and ``snapshot-dumpxml``
prints it all::

    snap = SnapshotSpec(name="clean", description="before the upgrade")
    snap.disks.append(SnapshotDiskSpec(name="vda", snapshot="external", file="/pool/vm.clean"))
    print(snap.to_xml())                          # what `virsh snapshot-create DOMAIN FILE` takes
    SnapshotSpec.from_xml(xml).location           # "internal" or "external", as snapshot-info says

Where the data goes: an **internal** snapshot lives inside the domain's qcow2 file (memory too);
an **external** one starts a new overlay file for each disk (``<source file=…>``), and the file
the domain used so far becomes that overlay's read-only backing file.
"""

from __future__ import annotations

from .validate import Spec
from .xmlobject import Attr, Children, Text, XmlObject

__all__ = ["SnapshotSpec", "SnapshotDiskSpec", "SNAPSHOT_MODES", "SNAPSHOT_STATES"]

SNAPSHOT_MODES = ("no", "internal", "external")
# the domain's state when the snapshot was taken; disk-snapshot: disks only, no memory
SNAPSHOT_STATES = ("running", "blocked", "paused", "shutdown", "shutoff", "crashed", "disk-snapshot")


class SnapshotDiskSpec(XmlObject):
    """``<disk name='vda' snapshot='external'>``: how one disk takes part in the snapshot.

    Fields: name (the disk's target, ``vda``), snapshot (no, internal or external), type (file or
    block, for an external one), driver (the overlay's format: qcow2), file (the new overlay).
    """

    TAG = "disk"
    ORDER = {"": ("driver", "source")}

    name = Attr("", "name", doc="the disk's <target dev=…> (vda), or its source file")
    snapshot = Attr("", "snapshot", doc="no, internal (inside its qcow2) or external (a new overlay file)")
    type = Attr("", "type", doc="file or block: what the external overlay is")
    driver = Attr("driver", "type", doc="the overlay's format (qcow2): it must hold a backing file")
    file = Attr("source", "file", doc="the overlay file; the disk's old file becomes its backing file")


class SnapshotSpec(Spec):
    """A snapshot. Settable: name, description, memory (no, internal, external), memory_file, disks.

    Read back from libvirt (``SnapshotSpec.from_xml(conn.snapshot_dumpxml(dom, snap).xml)``):
    state, parent, creation_time (Unix time), domain_name, and :attr:`location` as snapshot-info
    prints it.
    """

    TAG = "domainsnapshot"
    KIND = "snapshot"
    ORDER = {"": ("name", "description", "state", "parent", "creationTime", "memory", "disks", "active",
                  "domain", "inactiveDomain", "cookie")}

    name = Text("name", doc="libvirt names it after the time (Unix seconds) when absent")
    description = Text("description")
    state = Text("state", doc="read-only: the domain's state then (running, shutoff …) or disk-snapshot")
    parent = Text("parent/name", doc="read-only: the snapshot this one was taken after")
    creation_time = Text("creationTime", conv=int, doc="read-only: seconds since 1970 (UTC)")
    memory = Attr("memory", "snapshot", doc="no (disks only), internal (in the qcow2) or external (a file)")
    memory_file = Attr("memory", "file", doc="where an external snapshot saves the guest's RAM")
    disks = Children("disks/disk", SnapshotDiskSpec)

    @property
    def domain_name(self) -> str | None:
        """The name in the ``<domain>`` libvirt saved with the snapshot (the domain as it was then)."""
        return self.element.findtext("domain/name")

    @property
    def location(self) -> str:
        """``internal`` or ``external``, by virsh's rule (cmdSnapshotInfo): with a ``<memory>``
        element, external when the memory or any disk is; without one, when the state is disk-snapshot."""
        if self.element.find("memory") is not None:
            external = self.memory == "external" or any(d.snapshot == "external" for d in self.disks)
        else:
            external = self.state == "disk-snapshot"
        return "external" if external else "internal"
