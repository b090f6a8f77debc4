"""``<pool>``: a storage pool, a place where volumes (disk images) live (virtinst's StoragePool, small).

::

    pool = PoolSpec(type="dir", name="lab", target="/var/lib/libvirt/images/lab")
    print(pool.to_xml())                          # what `virsh pool-define` takes
"""

from __future__ import annotations

from lxml import etree

from .validate import Spec
from .xmlobject import Attr, Size, Text

__all__ = ["PoolSpec", "POOL_TYPES"]

POOL_TYPES = ("dir", "fs", "netfs", "logical")  # the ones `kvmlab xml pool` builds; any type parses


class PoolSpec(Spec):
    """A pool. Fields: type (dir|fs|netfs|logical|…), name, uuid, target (the path), source_host,
    source_dir, source_devices (list of paths), source_name (VG name), source_format, and the
    sizes libvirt reports (capacity, allocation, available, in bytes)."""

    TAG = KIND = "pool"
    ORDER = {
        "": ("name", "uuid", "capacity", "allocation", "available", "source", "target"),
        "source": ("host", "device", "dir", "adapter", "name", "format", "auth", "vendor", "product"),
        "target": ("path", "permissions"),
    }

    type = Attr("", "type", doc="dir (a directory), fs (a device to mount), netfs (NFS), logical (LVM)")
    name = Text("name")
    uuid = Text("uuid")
    target = Text("target/path", doc="dir: the directory; fs/netfs: the mount point; logical: /dev/VG")
    source_host = Attr("source/host", "name", doc="netfs: the NFS server")
    source_dir = Attr("source/dir", "path", doc="netfs: the exported directory")
    source_name = Text("source/name", doc="logical: the volume group's name")
    source_format = Attr("source/format", "type", doc="fs: ext4, xfs…; netfs: nfs; logical: lvm2")
    capacity = Size("capacity", "bytes")
    allocation = Size("allocation", "bytes")
    available = Size("available", "bytes")

    @property
    def source_devices(self) -> list[str]:
        """fs: the block device; logical: the disks (PVs) of the volume group."""
        return [d.get("path") for d in self.element.findall("source/device")]

    @source_devices.setter
    def source_devices(self, paths: list[str] | None) -> None:
        source = self._ensure("source")
        for old in source.findall("device"):
            source.remove(old)
        for path in paths or []:
            self._insert(source, "source", etree.Element("device", path=path))
        if len(source) == 0 and not source.attrib:
            self.element.remove(source)
