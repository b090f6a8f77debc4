"""The files lesson 17's VM is made from: its empty qcow2 disk, the tiny guest's initrd with the CD-ROM
drivers appended, and the serial log the lab reads the guest's console from."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..errors import InvalidState
from ..i18n import _

__all__ = ["CDROM_MODULES", "DISK_MIB", "cdrom_initrd", "make_disk", "log_file"]

CDROM_MODULES = ("ahci", "ata_piix", "sr_mod", "isofs")  # SATA (q35) and IDE (pc) CD-ROMs, and ISO 9660
DISK_MIB = 64


def log_file(name: str) -> str:
    """The guest's serial log (libvirt writes it; the lab's console reads it); its folder made."""
    from ..lab.console import log_path

    path = log_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def cdrom_initrd(base: Path, target: Path) -> Path:
    """The guest's initrd with a second archive appended: the CD-ROM modules and /etc/modules-cdrom."""
    from ..lab.initramfs import Archive, gzip_fixed
    from ..lab.initramfs_modules import find_kernel, module_target, read_module, resolve_modules

    kernel = find_kernel(None)
    modules = {module_target(rel): read_module(kernel, rel) for rel in resolve_modules(kernel, CDROM_MODULES)}
    extra = Archive()
    for rel, data in modules.items():
        extra.file(f"lib/modules/{rel}", data, 0o644)
    extra.file("etc/modules-cdrom", "".join(f"{rel}\n" for rel in modules).encode(), 0o644)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(base.read_bytes() + gzip_fixed(extra.to_bytes()))
    target.chmod(0o644)
    return target


def make_disk(path: Path) -> None:
    """An empty qcow2 image of DISK_MIB MiB (qemu-img create), readable by QEMU."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), f"{DISK_MIB}M"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise InvalidState(_("qemu-img could not create {path}: {error}").format(path=path, error=out.stderr.strip()),
                           hint=_("install qemu-utils (qemu-img) and check the folder is writable"))
    os.chmod(path, 0o644)
