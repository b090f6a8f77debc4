"""``<domain>``: a virtual machine definition (virtinst's Guest, small).

::

    vm = DomainSpec(name="vm1", memory="512MiB", vcpus=2, boot=["hd", "cdrom"])
    vm.add_disk("/var/lib/libvirt/images/vm1.qcow2")
    vm.add_interface(network="default")
    print(vm.to_xml())          # what `virsh define` takes
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..errors import InvalidInput
from ..i18n import _
from .devices import (ConsoleSpec, ControllerSpec, DiskSpec, InterfaceSpec, MemballoonSpec, PanicSpec, SerialSpec,
                      VideoSpec, next_target)
from .validate import Spec
from .xmlobject import Attr, Children, Flag, Size, Text, _int_or_raw

__all__ = ["DomainSpec"]


class DomainSpec(Spec):
    """A domain. Built from scratch it starts as ``<domain type='kvm'>`` with ``<os><type>hvm``.

    Fields: type (kvm|qemu|test…), name, uuid, title, description, memory and current_memory
    (set "512MiB" or a number of KiB; read back in KiB), vcpus, vcpus_current, os_type, arch,
    machine, boot (["hd", "cdrom"]), kernel, initrd, cmdline, acpi, tb_cache, on_poweroff,
    on_reboot, on_crash, emulator, and the device lists disks, interfaces, controllers, serials,
    consoles, videos, memballoons, panics.
    """

    TAG = KIND = "domain"
    ORDER = {
        "": ("name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
             "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
             "iothreadids", "cputune", "numatune", "resource", "sysinfo", "bootloader", "os", "features",
             "cpu", "clock", "on_poweroff", "on_reboot", "on_crash", "pm", "perf", "devices", "seclabel"),
        "os": ("type", "firmware", "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "boot",
               "bootmenu", "smbios", "bios"),
        # libvirt's order (virDomainDefFormatFeatures)
        "features": ("acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm", "pvspinlock",
                     "capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt", "vmcoreinfo", "htm",
                     "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc", "ibs", "tcg", "async-teardown"),
        # libvirt's order (virDomainDefFormatInternal): character devices come before input and video
        "devices": ("emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard", "serial",
                    "parallel", "console", "channel", "input", "graphics", "sound", "audio", "video", "hostdev",
                    "redirdev", "redirfilter", "hub", "watchdog", "memballoon", "rng", "tpm", "shmem", "memory",
                    "iommu", "vsock", "panic"),
    }

    type = Attr("", "type", doc="hypervisor: kvm (hardware-assisted), qemu (emulation, TCG), test")
    name = Text("name")
    uuid = Text("uuid")
    title = Text("title")
    description = Text("description")
    memory = Size("memory", "KiB", doc="maximum allocation at boot (QEMU -m); a bare number is KiB")
    current_memory = Size("currentMemory", "KiB", doc="balloon target (<= memory; omitted: = memory)")
    vcpus = Text("vcpu", conv=_int_or_raw, doc="maximum number of virtual CPUs")
    vcpus_current = Attr("vcpu", "current", conv=_int_or_raw, doc="vCPUs online at boot")
    os_type = Text("os/type", doc="hvm: a full virtual machine")
    arch = Attr("os/type", "arch", doc="x86_64, aarch64…")
    machine = Attr("os/type", "machine", doc="q35, pc…")
    kernel = Text("os/kernel", doc="direct kernel boot: the kernel image on the host")
    initrd = Text("os/initrd")
    cmdline = Text("os/cmdline")
    acpi = Flag("features/acpi", doc="ACPI: the power button that `virsh shutdown` / `virsh reboot` press")
    tb_cache = Size("features/tcg/tb-cache", "KiB", doc="TCG's translation cache (QEMU's default: 1 GiB)")
    on_poweroff = Text("on_poweroff")
    on_reboot = Text("on_reboot")
    on_crash = Text("on_crash")
    emulator = Text("devices/emulator")
    disks = Children("devices/disk", DiskSpec)
    interfaces = Children("devices/interface", InterfaceSpec)
    controllers = Children("devices/controller", ControllerSpec)
    serials = Children("devices/serial", SerialSpec)
    consoles = Children("devices/console", ConsoleSpec)
    videos = Children("devices/video", VideoSpec)
    memballoons = Children("devices/memballoon", MemballoonSpec)
    panics = Children("devices/panic", PanicSpec)

    def __init__(self, element: etree._Element | None = None, **values: Any):
        if element is None:
            values.setdefault("type", "kvm")
            values.setdefault("os_type", "hvm")
        super().__init__(element, **values)

    @property
    def boot(self) -> list[str]:
        """Boot devices in order, from ``<os><boot dev=…/>``: hd, cdrom, network, fd."""
        return [b.get("dev") for b in self.element.findall("os/boot")]

    @boot.setter
    def boot(self, devices: list[str] | str | None) -> None:
        if isinstance(devices, str):
            devices = [d.strip() for d in devices.split(",") if d.strip()]
        os_el = self._ensure("os")
        for old in os_el.findall("boot"):
            os_el.remove(old)
        for dev in devices or []:
            self._insert(os_el, "os", etree.Element("boot", dev=dev))

    def add_disk(self, path: str, *, target: str | None = None, bus: str | None = None,
                 device: str | None = None, format: str | None = None) -> DiskSpec:
        """Attach an image (``.iso`` becomes a cdrom); the target name is the next free one."""
        disk = DiskSpec.for_path(path, bus=bus, device=device, format=format)
        disk.target = target or next_target(disk.bus, (d.target for d in self.disks))
        return self.disks.append(disk)

    def add_interface(self, network: str | None = None, *, bridge: str | None = None,
                      model: str = "virtio", mac: str | None = None) -> InterfaceSpec:
        """A NIC on a libvirt network (``network="default"``) or a host bridge (``bridge="br0"``)."""
        if (network is None) == (bridge is None):
            given = _("both network= and bridge=") if network is not None else _("neither network= nor bridge=")
            raise InvalidInput(
                _("add_interface() got {given}: a NIC plugs into exactly one of them").format(given=given),
                hint=_("add_interface(network='default') for a libvirt network (<interface type='network'>), or "
                       "add_interface(bridge='br0') for a host bridge (<interface type='bridge'>); "
                       "virsh: attach-interface DOMAIN network default, or attach-interface DOMAIN bridge br0"),
            )
        nic = (InterfaceSpec.for_network(network, model=model, mac=mac) if network is not None
               else InterfaceSpec.for_bridge(bridge, model=model, mac=mac))
        return self.interfaces.append(nic)
