"""Domain devices (virtinst's Device* classes, small): ``<disk>``, ``<interface>``, and the few others
a small guest needs: ``<serial>``/``<console>``, ``<controller>``, ``<video>``, ``<memballoon>``, ``<panic>``."""

from __future__ import annotations

from typing import Iterable

from ..i18n import _

from .checks_devices import BUS_PREFIX
from .xmlobject import Attr, Flag, XmlObject, _int_or_raw

__all__ = ["DiskSpec", "InterfaceSpec", "SerialSpec", "ConsoleSpec", "ControllerSpec", "VideoSpec", "MemballoonSpec",
           "PanicSpec", "next_target"]


class DiskSpec(XmlObject):
    """``<disk type='file' device='disk'>``: an image file (or /dev block device) the guest sees.

    Args (all optional keywords): type, device (disk|cdrom|floppy|lun), driver, format (qcow2,
    raw…), path, pool and volume (type volume), target (vda), bus (virtio|sata|scsi|ide|usb),
    readonly, boot_order.
    """

    TAG = "disk"
    ORDER = {"": ("driver", "source", "backingStore", "target", "readonly", "shareable", "serial",
                  "boot", "address")}

    type = Attr("", "type", doc="file (an image), block (/dev/…), volume (a pool's volume), network")
    device = Attr("", "device", doc="disk, cdrom, floppy or lun")
    driver = Attr("driver", "name", doc="the hypervisor's driver: qemu")
    format = Attr("driver", "type", doc="image format: qcow2, raw…")
    pool = Attr("source", "pool", doc="the storage pool holding the volume (type volume)")
    volume = Attr("source", "volume", doc="the volume's name in that pool (type volume)")
    target = Attr("target", "dev", doc="the name the guest sees: vda, sda…")
    bus = Attr("target", "bus", doc="virtio (fast, needs guest drivers), sata, scsi, ide, usb")
    boot_order = Attr("boot", "order", conv=_int_or_raw, doc="per-device boot order (1 first)")
    readonly = Flag("readonly", doc="<readonly/>: the guest cannot write (a cdrom always is)")

    @property
    def path(self) -> str | None:
        """The image file (type file) or device node (type block)."""
        attr = "dev" if self.type == "block" else "file"
        el = self.element.find("source")
        return None if el is None else el.get(attr)

    @path.setter
    def path(self, value: str | None) -> None:
        attr = "dev" if self.type == "block" else "file"
        if value is None:
            el = self.element.find("source")
            if el is not None:
                self.element.remove(el)
            return
        self._ensure("source").set(attr, value)

    @classmethod
    def for_path(cls, path: str, *, target: str | None = None, bus: str | None = None,
                 device: str | None = None, format: str | None = None) -> "DiskSpec":
        """A disk for an image path, guessing what virt-install guesses: .iso is a read-only
        cdrom on sata, /dev/… is a block device, .qcow2 is qcow2 and anything else raw."""
        is_iso = path.lower().endswith(".iso")
        device = device or ("cdrom" if is_iso else "disk")
        bus = bus or ("sata" if device == "cdrom" else "virtio")
        if format is None:
            format = "qcow2" if path.endswith(".qcow2") else "raw"
        disk = cls(type="block" if path.startswith("/dev/") else "file", device=device,
                   driver="qemu", format=format)
        disk.path = path
        disk.target = target or f"{BUS_PREFIX.get(bus, 'vd')}a"
        disk.bus = bus
        disk.readonly = device == "cdrom"
        return disk


class InterfaceSpec(XmlObject):
    """``<interface type='network'>``: a virtual NIC plugged into a libvirt network or host bridge."""

    TAG = "interface"
    ORDER = {"": ("mac", "source", "target", "model", "driver", "boot", "rom", "address")}

    type = Attr("", "type", doc="network (a libvirt network), bridge (a host bridge), user, direct")
    network = Attr("source", "network", doc="the libvirt network's name (type network)")
    bridge = Attr("source", "bridge", doc="the host bridge's name (type bridge)")
    mac = Attr("mac", "address", doc="52:54:00:xx:xx:xx; libvirt picks one if absent")
    model = Attr("model", "type", doc="virtio (fast), e1000e, rtl8139")
    boot_order = Attr("boot", "order", conv=_int_or_raw)
    rom = Attr("rom", "enabled", doc="no: no option ROM (iPXE) for this NIC, when nothing boots from it")

    @classmethod
    def for_network(cls, name: str, *, model: str = "virtio", mac: str | None = None) -> "InterfaceSpec":
        return cls(type="network", network=name, model=model, mac=mac)

    @classmethod
    def for_bridge(cls, name: str, *, model: str = "virtio", mac: str | None = None) -> "InterfaceSpec":
        return cls(type="bridge", bridge=name, model=model, mac=mac)


class _CharSpec(XmlObject):
    """A character device (virtinst's _DeviceChar): a host side (type pty, file…) and a guest side."""

    ORDER = {"": ("source", "protocol", "log", "target", "alias", "address")}

    type = Attr("", "type", doc="the host side: pty (a pseudo-terminal, `virsh console`), file, unix…")
    log_file = Attr("log", "file", doc="a host file that records everything the guest writes")
    log_append = Attr("log", "append", doc="off: the log starts empty at each boot")
    target_type = Attr("target", "type", doc="the guest side: serial, virtio…")
    target_port = Attr("target", "port", conv=_int_or_raw, doc="0 is the first serial port (ttyS0)")


class SerialSpec(_CharSpec):
    """``<serial type='pty'>``: a serial port (ttyS0 for port 0)."""

    TAG = "serial"


class ConsoleSpec(_CharSpec):
    """``<console type='pty'>``: what `virsh console` attaches to (with target type serial: the serial port)."""

    TAG = "console"


class ControllerSpec(XmlObject):
    """``<controller type='usb' model='none'>``: a bus controller; model none means no such bus."""

    TAG = "controller"
    type = Attr("", "type", doc="usb, pci, sata, scsi, virtio-serial…")
    model = Attr("", "model", doc="the controller's model; none for no controller at all")
    index = Attr("", "index", conv=_int_or_raw)


class VideoSpec(XmlObject):
    """``<video><model type='none'/></video>``: the graphics card (none: a headless guest)."""

    TAG = "video"
    model = Attr("model", "type", doc="virtio, vga, qxl, none…")


class MemballoonSpec(XmlObject):
    """``<memballoon model='virtio'>``: the balloon device that hands guest memory back to the host."""

    TAG = "memballoon"
    model = Attr("", "model", doc="virtio, or none for no balloon")
    free_page_reporting = Attr("", "freePageReporting", doc="on: pages the guest frees return to the host")


class PanicSpec(XmlObject):
    """``<panic model='isa'>``: a device the guest kernel signals a panic on (the domain shows "crashed")."""

    TAG = "panic"
    model = Attr("", "model", doc="isa (x86), pseries, hyperv, s390")


def next_target(bus: str, used: Iterable[str]) -> str:
    """The first free target name on ``bus``: vda, vdb, … vdz, vdaa …"""
    prefix, taken = BUS_PREFIX.get(bus, "vd"), set(used)
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(26 * 27):
        suffix = letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]
        if prefix + suffix not in taken:
            return prefix + suffix
    raise ValueError(_("no free {bus} target name").format(bus=bus))
