"""Teaching checks for ``<pool>`` and ``<volume>``.

A pool is a place for disk images: a directory (``dir``), a filesystem to mount (``fs``: a
device, ``netfs``: an NFS export), an LVM volume group (``logical``) and more. A volume is one
image in a pool; its ``<capacity>`` is what the guest sees, its format how the bytes are stored.
"""

from __future__ import annotations

from lxml import etree

from ..i18n import _
from .checks_devices import problem as _p
from .parser import text_of
from .problems import Problem
from .values import scaled

__all__ = ["pool_problems", "volume_problems", "TARGET_POOLS", "FILE_FORMATS", "PARTITION_TYPES", "DISK_LABELS",
           "SOURCE_NAME_POOLS"]

# pool types whose <target><path> libvirt needs (where the images or the mount point live);
# a logical pool's defaults to /dev/VGNAME
TARGET_POOLS = ("dir", "fs", "netfs", "disk", "iscsi", "scsi", "mpath")
# virStorageFileFormat names (file volumes) and the partition types of disk pools
FILE_FORMATS = ("raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
                "cow", "qcow", "qcow2", "qed", "vmdk", "luks", "none")
# the labels libvirt prints for volumes of iscsi, scsi and disk pools (virStoragePoolFormatDisk)
DISK_LABELS = ("unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2")
# pool types whose name libvirt takes from <source><name> when <name> is missing
SOURCE_NAME_POOLS = ("logical", "rbd", "sheepdog", "gluster", "zfs", "vstorage")
PARTITION_TYPES = ("none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended")


def pool_problems(root: etree._Element) -> list[Problem]:
    found: list[Problem] = []
    kind = root.get("type")
    name = text_of(root.find("name"))
    source_name = (text_of(root.find("source/name")) or "").strip()
    if not name and kind in SOURCE_NAME_POOLS and source_name:
        found.append(_p(root, _("the pool has no <name>: libvirt names it after its source, '{source}'").format(
                            source=source_name),
                        _("say it: <name>{source}</name> (pool-list, pool-start and friends use it)").format(
                            source=source_name), "note"))
    elif not name:
        found.append(_p(root, _("the pool has no <name> (libvirt: \"missing pool source name element\")"),
                        _("add <name>images</name>")))
    elif "/" in name:
        found.append(_p(root.find("name"), _("the name '{name}' contains '/'").format(name=name),
                        _("use letters, digits, - and _")))
    path = text_of(root.find("target/path"))
    if kind in TARGET_POOLS and not (path or "").strip():
        where = {"dir": _("the directory that holds the images"), "fs": _("where the filesystem is mounted"),
                 "netfs": _("where the export is mounted")}
        found.append(_p(root, _("a {kind} pool needs <target><path> (libvirt: \"missing storage pool target path\")"
                                ).format(kind=kind),
                        _("add <target><path>/var/lib/libvirt/images</path></target>: {where}").format(
                            where=where.get(kind) or _("its path"))))
    elif path and not path.startswith("/"):
        found.append(_p(root.find("target/path"), _("target path '{path}' is relative. libvirt's schema refuses it "
                        "(`virsh pool-define --validate`: storagepool.rng wants an absolute path); the test driver "
                        "accepts it without --validate").format(path=path),
                        _("use an absolute path such as /var/lib/libvirt/images/lab")))
    devices = [d.get("path") for d in root.findall("source/device") if d.get("path")]
    if kind == "fs" and not devices:
        found.append(_p(root, _("an fs pool needs the block device to mount: <source><device path='/dev/sdb1'/>"),
                        _("add <source><device path='/dev/sdb1'/><format type='ext4'/></source>")))
    if kind == "netfs":
        host = root.find("source/host")
        if host is None or not host.get("name"):
            found.append(_p(root, _("a netfs pool needs the server: <source><host name='…'/>"),
                            _("add <source><host name='nfs.example.com'/><dir path='/export/images'/></source>")))
        if not (root.find("source/dir") is not None and root.find("source/dir").get("path")):
            found.append(_p(root, _("a netfs pool needs the exported directory: <source><dir path='…'/>"),
                            _("add <dir path='/export/images'/> inside <source>")))
    if kind == "logical" and not devices and not source_name:
        found.append(_p(root, _("a logical pool is an LVM volume group, and this one does not say which: libvirt "
                                "assumes the group is named like the pool ('{name}')").format(name=name or "?"),
                        _("say it: <source><name>vg0</name></source> for an existing VG, or "
                          "<source><device path='/dev/sdb'/></source> for pool-build to create it"), "note"))
    if kind == "disk" and not devices:
        found.append(_p(root, _("a disk pool needs the disk to partition: <source><device path='/dev/sdb'/>"),
                        _("add <source><device path='/dev/sdb'/></source>")))
    return found


def volume_problems(root: etree._Element) -> list[Problem]:
    found: list[Problem] = []
    name = text_of(root.find("name"))
    if not name:
        found.append(_p(root, _("the volume has no <name>"), _("add <name>vm1.qcow2</name>: it becomes the file name")))
    elif "/" in name or name in (".", ".."):
        found.append(_p(root.find("name"), _("the volume name '{name}' is not a plain file name").format(name=name),
                        _("volumes are files directly inside the pool: no '/', not '.' or '..' (the dir, fs and netfs "
                          "pools refuse it at vol-create: \"volume name '…' cannot contain '/'\", and so does "
                          "libvirt's schema, `vol-create --validate`; the test driver accepts it)")))
    cap_el = root.find("capacity")
    cap, why = scaled(cap_el, "bytes")
    backing = text_of(root.find("backingStore/path"))
    if (cap_el is None or not (text_of(cap_el) or "").strip()) and backing:
        found.append(_p(root, _("the volume has no <capacity>: libvirt makes it as large as its backing file {backing}"
                                ).format(backing=backing),
                        _("say it when you want more: <capacity unit='GiB'>20</capacity>"), "note"))
    elif cap_el is None or not (text_of(cap_el) or "").strip():
        found.append(_p(root, _("the volume has no <capacity> (libvirt: \"missing capacity element\")"),
                        _("add <capacity unit='GiB'>1</capacity>: the size the guest sees")))
    elif why:
        found.append(_p(cap_el, _("<capacity> is not a size libvirt accepts: {why}").format(why=why),
                        _("write a whole number and a unit, e.g. <capacity unit='GiB'>10</capacity>")))
    elif cap == 0:
        found.append(_p(cap_el, _("<capacity> is 0: libvirt accepts it (a directory or a placeholder has no size), "
                                  "but a guest would see an empty disk"),
                        _("for a disk image give it a size, e.g. <capacity unit='GiB'>10</capacity>"), "note"))
    alloc_el = root.find("allocation")
    alloc, why = scaled(alloc_el, "bytes")
    if why:
        found.append(_p(alloc_el, _("<allocation> is not a size libvirt accepts: {why}").format(why=why),
                        _("allocation is how much to reserve now: 0 for a sparse image")))
    elif alloc is not None and cap and alloc > cap:
        found.append(_p(alloc_el, _("<allocation> ({allocation} bytes) is more than <capacity> ({capacity} bytes)"
                                    ).format(allocation=f"{alloc:,}", capacity=f"{cap:,}"),
                        _("allocation is what is reserved on the host now, capacity what the guest sees: "
                          "keep allocation <= capacity"), "note"))
    fmt_el = root.find("target/format")
    fmt = fmt_el.get("type") if fmt_el is not None else None
    if fmt in DISK_LABELS:
        found.append(_p(fmt_el, _("format '{format}' belongs to volumes of iSCSI, SCSI and disk pools (libvirt prints "
                                  "'unknown' when it cannot tell); a dir pool refuses it").format(format=fmt),
                        _("for a new image say qcow2 or raw"), "note"))
    elif fmt is not None and fmt not in FILE_FORMATS + PARTITION_TYPES:
        found.append(_p(fmt_el, _("format '{format}' is not a volume format libvirt knows").format(format=fmt),
                        _("qcow2 (copy-on-write: grows as written, snapshots, backing files) or "
                          "raw (plain bytes: simplest and fastest)")))
    return found
