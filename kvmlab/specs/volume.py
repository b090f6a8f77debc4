"""``<volume>``: one disk image in a pool (virtinst's StorageVolume, small).

::

    vol = VolumeSpec(name="vm1.qcow2", capacity="10GiB", format="qcow2")
    print(vol.to_xml())           # what `virsh vol-create POOL FILE` takes
"""

from __future__ import annotations

from .validate import Spec
from .xmlobject import Attr, Size, Text

__all__ = ["VolumeSpec", "VOLUME_FORMATS"]

VOLUME_FORMATS = ("qcow2", "raw")  # what `kvmlab xml volume` offers; any format parses


class VolumeSpec(Spec):
    """A volume. Sizes are set as ``"10GiB"`` or bytes and read back in bytes.

    Fields: type, name, key, capacity (what the guest sees), allocation (reserved on the host
    now: 0 = sparse), format (qcow2, raw…), path (libvirt fills it in), backing_path and
    backing_format (a qcow2 overlay on a base image).
    """

    TAG = KIND = "volume"
    ORDER = {
        "": ("name", "key", "source", "capacity", "allocation", "physical", "target", "backingStore"),
        "target": ("path", "format", "permissions", "timestamps", "compat", "clusterSize", "features"),
        "backingStore": ("path", "format", "permissions"),
    }

    type = Attr("", "type", doc="file, block, dir, network…; libvirt decides when absent")
    name = Text("name", doc="the file name inside the pool")
    key = Text("key")
    capacity = Size("capacity", "bytes", doc="the disk size the guest sees")
    allocation = Size("allocation", "bytes", doc="space reserved on the host now")
    format = Attr("target/format", "type", doc="qcow2 (copy-on-write, snapshots) or raw (plain)")
    path = Text("target/path")
    backing_path = Text("backingStore/path", doc="the base image this qcow2 overlay reads from")
    backing_format = Attr("backingStore/format", "type")
