"""kvmlab's tiny real guest: its image (built here, cached by content) and the domain that boots it.

The image is :mod:`kvmlab.lab.guest_image`'s: Debian's kernel and a busybox initramfs, the same
bytes for the same inputs (``build()`` here is that module's). Inside, busybox init runs
``/etc/rc.sysinit`` (mounts, ``insmod`` in dependency order, DHCP on every NIC, acpid for the power
button) and prints ``KVMLAB-GUEST-READY`` on the serial console; a root shell then waits on ttyS0.

``domain_xml()`` describes a domain that boots it under libvirt, built on
:class:`kvmlab.specs.DomainSpec` like any other domain in the course.
"""

from __future__ import annotations

import os
import re
from typing import Sequence

from ..errors import InvalidInput
from ..i18n import _
from ..specs import DomainSpec
from ..specs.devices import (ConsoleSpec, ControllerSpec, DiskSpec, InterfaceSpec, MemballoonSpec, PanicSpec,
                             SerialSpec, VideoSpec)
from . import probe
from .console import DHCP_MARKER, PROMPT, READY_MARKER, log_path
from .guest_image import GuestImage, build, cache_root
from .ownership import tag_domain_xml

__all__ = ["GuestImage", "build", "cache_root", "domain_xml", "FAST_CMDLINE", "READY_MARKER", "DHCP_MARKER", "PROMPT"]


# -- the domain -------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Under TCG every one of these saves a little: no crypto self-tests, trust the TSC, no PS/2 mouse probe.
FAST_CMDLINE = "quiet cryptomgr.notests tsc=reliable no_timer_check i8042.noaux"


def domain_xml(
    name: str = "kvmlab-guest",
    image: GuestImage | None = None,
    *,
    networks: Sequence[str] | str | None = ("kvmlab-nat",),
    nic_model: str = "virtio",
    disk: str | os.PathLike | tuple[str, str] | None = None,
    disk_format: str = "qcow2",
    accel: str | None = None,
    memory_mib: int = 128,
    tb_cache_mib: int | None = 32,
    boot: str = "pvh",
    panic: bool = True,
    balloon: bool = False,
    fast: bool = True,
    cmdline: str = "",
    tag: bool = True,
) -> str:
    """The lab guest's domain XML (libvirt 9.0), built on :class:`~kvmlab.specs.DomainSpec`.

    Args:
        name: domain name; also the guest's hostname and DHCP client name.
        image: a built guest (default: :func:`build`, cached).
        networks: libvirt networks, one NIC each (None or () for no NIC).
        nic_model: ``virtio`` or ``e1000``.
        disk: a file path or ``(pool, volume)``: attached as /dev/vda (virtio).
        accel: ``kvm`` (``<domain type='kvm'>``) or ``tcg`` (``type='qemu'``: QEMU emulates the CPU);
            default: :func:`kvmlab.lab.probe.accel`, which boots this guest under KVM once (bounded)
            and caches whether that worked.
        tb_cache_mib: TCG's translation cache (``<features><tcg><tb-cache>``); QEMU's default is 1 GiB
            of address space per guest, which limits how many tiny guests fit.
        boot: ``pvh`` (unpacked kernel, no decompression) or ``bzimage``.
        panic: add ``<panic model='isa'/>`` with on_crash=preserve, so a kernel panic shows as
            "crashed" instead of a vCPU spinning forever. Keep it.
        balloon: a virtio balloon with free page reporting (pages the guest frees go back to the
            host). Measured here it saves nothing for this guest (its free pages were never touched),
            so it is off by default.
        fast: add :data:`FAST_CMDLINE` to the kernel command line.
        tag: mark the domain as the lab's (``lab reset`` removes it).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput(_("invalid guest name {name}").format(name=repr(name)),
                           hint=_("use letters, digits, '-', '_' or '.' (it is also the guest's hostname)"))
    if accel is None:
        accel = probe.accel()  # boots this guest under KVM once (bounded), then cached
    if accel not in ("kvm", "tcg"):
        raise InvalidInput(_("unknown accelerator {accel}").format(accel=repr(accel)),
                           hint=_("use 'kvm' or 'tcg' (see kvmlab.lab.probe)"))
    if nic_model not in ("virtio", "e1000"):
        raise InvalidInput(_("unknown NIC model {model}").format(model=repr(nic_model)),
                           hint=_("the guest has drivers for virtio and e1000"))
    if not isinstance(memory_mib, int) or not 64 <= memory_mib <= 4096:
        raise InvalidInput(_("memory {memory} MiB is out of range").format(memory=repr(memory_mib)),
                           hint=_("the tiny guest needs 64..4096 MiB"))
    image = image or build()
    args = ["console=ttyS0", f"kvmlab.name={name}"] + ([FAST_CMDLINE] if fast else []) + ([cmdline] if cmdline else [])
    spec = DomainSpec(
        type="kvm" if accel == "kvm" else "qemu", name=name, memory=f"{memory_mib}MiB", vcpus=1,
        arch="x86_64", machine="pc", kernel=str(image.boot_kernel(boot)), initrd=str(image.initrd),
        cmdline=" ".join(args),
        acpi=True,  # the power button: virsh shutdown / reboot
        tb_cache=f"{tb_cache_mib}MiB" if accel == "tcg" and tb_cache_mib else None,
        on_poweroff="destroy", on_reboot="restart", on_crash="preserve" if panic else "destroy",
    )
    if disk is not None:
        spec.disks.append(_disk(disk, disk_format))
    for net in [networks] if isinstance(networks, str) else list(networks or ()):
        # rom off: no iPXE option ROM, the kernel is given directly
        spec.interfaces.append(InterfaceSpec(type="network", network=net, model=nic_model, rom=False))
    log = log_path(name)
    log.parent.mkdir(parents=True, exist_ok=True)
    spec.serials.append(SerialSpec(type="pty", log_file=str(log), log_append="off", target_port=0))
    spec.consoles.append(ConsoleSpec(type="pty", target_type="serial", target_port=0))
    spec.controllers.append(ControllerSpec(type="usb", model="none"))
    spec.videos.append(VideoSpec(model="none"))
    spec.memballoons.append(MemballoonSpec(model="virtio", free_page_reporting="on") if balloon
                            else MemballoonSpec(model="none"))
    if panic:
        spec.panics.append(PanicSpec(model="isa"))
    xml = spec.to_xml()
    return tag_domain_xml(xml) if tag else xml


def _disk(disk, fmt: str) -> DiskSpec:
    """/dev/vda (virtio): a ``(pool, volume)`` of a storage pool, or an image file."""
    if fmt not in ("qcow2", "raw"):
        raise InvalidInput(_("unknown disk format {format}").format(format=repr(fmt)), hint=_("use 'qcow2' or 'raw'"))
    where = {"pool": disk[0], "volume": disk[1]} if isinstance(disk, tuple) else {"path": str(disk)}
    return DiskSpec(type="volume" if isinstance(disk, tuple) else "file", device="disk", driver="qemu", format=fmt,
                    **where, target="vda", bus="virtio")
