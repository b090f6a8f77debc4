"""Teaching checks for a domain's ``<devices>``: disks and network interfaces."""

from __future__ import annotations

import re

from lxml import etree

from ..i18n import _
from .problems import STRICT, Problem, Severity

__all__ = ["device_problems", "problem", "strict", "BUS_PREFIX"]

# which target name goes with which bus: vda on virtio, sda on sata/scsi/usb, hda on ide
BUS_PREFIX = {"virtio": "vd", "sata": "sd", "scsi": "sd", "usb": "sd", "ide": "hd", "fdc": "fd", "xen": "xvd"}
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]|\\\\")  # a drive letter (C:\ or C:/) or a UNC share
_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")


def problem(el: etree._Element, message: str, fix: str, severity: Severity = "error") -> Problem:
    """A check problem located at ``el`` (its XPath and line)."""
    return Problem(el.getroottree().getpath(el), message, fix, "check", el.sourceline, severity)


def strict(el: etree._Element, message: str, fix: str) -> Problem:
    """An error libvirt itself accepts: kvmlab refuses it on purpose, and the message says so."""
    return Problem(el.getroottree().getpath(el), f"{message} ({_(STRICT)})", fix, "check", el.sourceline, "error", True)


def device_problems(root: etree._Element) -> list[Problem]:
    return _disks(root) + _interfaces(root)


def _disks(root: etree._Element) -> list[Problem]:
    found = []
    seen: dict[str, etree._Element] = {}
    for disk in root.findall("devices/disk"):
        target = disk.find("target")
        dev = target.get("dev") if target is not None else None
        if not dev:
            found.append(problem(disk, _("a <disk> has no <target dev=…>"), _("name the disk as the guest sees it: "
                                 "<target dev='vda' bus='virtio'/> (vda, vdb… on virtio; sda on sata)")))
            continue
        if dev in seen:
            found.append(problem(target, _("two disks use target dev='{dev}'").format(dev=dev),
                                 _("each disk needs its own name: vda, vdb, vdc…")))
        seen[dev] = disk
        bus = target.get("bus")
        prefix = BUS_PREFIX.get(bus or "")
        if prefix and not dev.startswith(prefix):
            found.append(problem(target, _("dev='{dev}' on bus='{bus}': {bus} disks are usually named {prefix}a, "
                                           "{prefix}b…").format(dev=dev, bus=bus, prefix=prefix),
                                 _("use dev='{prefix}a' (the name is only a hint to the guest)").format(prefix=prefix),
                                 "note"))
        source = disk.find("source")
        kind = disk.get("type", "file")
        if kind == "file" and source is not None and source.get("file") is not None:
            found += _file_source(source, source.get("file"))
        if kind == "block" and source is not None and not (source.get("dev") or "").startswith("/dev/"):
            found.append(problem(source, _("block disk source dev='{dev}' is not under /dev: libvirt "
                                           "takes it as written (other hypervisors, such as Hyper-V, name disks their "
                                           "own way), but QEMU needs a host block device").format(dev=source.get("dev")),
                                 _("for QEMU/KVM use a /dev/ path (<source dev='/dev/sdb'/>), or type='file' for an "
                                   "image file"), "note"))
    return found


def _file_source(source: etree._Element, path: str) -> list[Problem]:
    """A file path that is not absolute: libvirt keeps it as written; kvmlab explains what follows."""
    if path.startswith("/"):
        return []
    if _WINDOWS_PATH.match(path):
        return [problem(source, _("disk source file='{path}' is a Windows path: only the Hyper-V driver reads it"
                                  ).format(path=path),
                        _("for QEMU/KVM give the image's absolute path on the host, e.g. "
                          "/var/lib/libvirt/images/vm1.qcow2"), "note")]
    return [problem(source, _("disk source file='{path}' is a relative path: libvirt accepts it, but QEMU then "
                              "looks for it relative to the daemon's working directory, not yours").format(path=path),
                    _("use an absolute path, e.g. /var/lib/libvirt/images/vm1.qcow2"), "note")]


def _interfaces(root: etree._Element) -> list[Problem]:
    found = []
    macs: dict[str, etree._Element] = {}
    for nic in root.findall("devices/interface"):
        kind = nic.get("type")
        source = nic.find("source")
        if kind == "network" and (source is None or not source.get("network")):
            found.append(problem(nic, _("an <interface type='network'> needs <source network='NAME'/>"),
                                 _("name a libvirt network: `virsh net-list --all` shows them (e.g. default)")))
        if kind == "bridge" and (source is None or not source.get("bridge")):
            found.append(problem(nic, _("an <interface type='bridge'> needs <source bridge='NAME'/>"),
                                 _("name a host bridge such as br0 (`ip link show type bridge`)")))
        mac_el = nic.find("mac")
        mac = mac_el.get("address") if mac_el is not None else None
        if mac is None:
            continue
        if not _MAC.fullmatch(mac):
            found.append(problem(mac_el, _("'{mac}' is not a MAC address").format(mac=mac),
                                 _("write six hex pairs: 52:54:00:12:34:56")))
        elif int(mac[:2], 16) & 1:
            found.append(problem(mac_el, _("'{mac}' is a multicast address (first byte is odd)").format(mac=mac),
                                 _("a NIC needs a unicast MAC; QEMU's prefix 52:54:00 is a safe start")))
        elif mac.lower() in macs:
            # libvirt and QEMU define and start it; the two NICs then answer for each other on the LAN
            found.append(strict(mac_el, _("two interfaces share the MAC {mac}: on one network their frames "
                                          "collide").format(mac=mac),
                                _("every NIC needs its own MAC (or leave <mac> out: libvirt picks one)")))
        macs[mac.lower()] = nic
    return found
