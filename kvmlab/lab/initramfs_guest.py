"""What goes into the guest's initramfs, and the content key that names a build in the cache.

Layout: busybox and a symlink per applet in /bin (/sbin, /usr/bin -> /bin), ``/init`` -> busybox
(busybox init reads /etc/inittab), the init files from ``kvmlab/data/guest/``, the driver modules
under /lib/modules with their load order in /etc/modules, and /bin/segfault for the crash demo.
"""

from __future__ import annotations

import hashlib
import subprocess
from importlib import resources
from pathlib import Path

from ..errors import InvalidInput
from ..i18n import _
from .initramfs import Archive
from .initramfs_segv import segfault_elf

__all__ = ["BUSYBOX", "DATA_FILES", "FORMAT", "busybox_bytes", "guest_archive", "content_key"]

BUSYBOX = Path("/bin/busybox")
FORMAT = 3  # bump when the layout or boot method changes: it is part of the cache key

# data/guest file -> (path in the guest, mode)
DATA_FILES = {
    "inittab": ("etc/inittab", 0o644),
    "rc.sysinit": ("etc/rc.sysinit", 0o755),
    "rc.shutdown": ("etc/rc.shutdown", 0o755),
    "udhcpc.script": ("etc/udhcpc.script", 0o755),
    "acpi-power": ("etc/acpi/PWRF/00000080", 0o755),  # busybox acpid: event PWRF -> this script
    "profile": ("etc/profile", 0o644),
}


def data_file(name: str) -> bytes:
    return (resources.files("kvmlab") / "data" / "guest" / name).read_bytes()


def busybox_bytes() -> bytes:
    if not BUSYBOX.exists():
        raise InvalidInput(
            _("{path} not found").format(path=BUSYBOX),
            hint=_("install the statically linked busybox: apt-get install busybox-static"),
        )
    return BUSYBOX.read_bytes()


def _applets() -> list[str]:
    """The applet names compiled into this busybox (``busybox --list``)."""
    out = subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True, timeout=10, check=True).stdout
    return sorted(a for a in out.split() if a and "/" not in a and a != "busybox")


def guest_archive(busybox: bytes, modules: dict[str, bytes]) -> Archive:
    """The whole initramfs tree. ``modules``: path under /lib/modules -> ELF bytes, in load order."""
    a = Archive()
    for d in ("proc", "sys", "dev", "tmp", "run", "root", "var"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)  # the kernel opens it for init before devtmpfs is mounted
    a.chardev("dev/null", 1, 3, 0o666)
    a.file("bin/busybox", busybox, 0o755)
    for applet in _applets():
        a.symlink(f"bin/{applet}", "busybox")
    a.symlink("sbin", "bin")
    a.symlink("usr/bin", "../bin")
    a.symlink("usr/sbin", "../bin")
    a.symlink("init", "bin/busybox")  # busybox init as PID 1, reading /etc/inittab
    a.file("bin/segfault", segfault_elf(), 0o755)
    for name, (target, mode) in DATA_FILES.items():
        a.file(target, data_file(name), mode)
    for rel, data in modules.items():
        a.file(f"lib/modules/{rel}", data, 0o644)
    a.file("etc/modules", "".join(f"{rel}\n" for rel in modules).encode(), 0o644)
    return a


def content_key(kernel: bytes, version: str, busybox: bytes, modules: dict[str, bytes]) -> str:
    """sha256 over every input (and the layout version): equal key, byte-identical guest."""
    h = hashlib.sha256(f"kvmlab-guest format {FORMAT}\n{version}\n".encode())
    parts = [("kernel", kernel), ("busybox", busybox), ("segfault", segfault_elf())]
    parts += [(f"data/{n}", data_file(n)) for n in sorted(DATA_FILES)]
    parts += [(f"module/{r}", d) for r, d in modules.items()]
    for name, data in parts:
        h.update(f"{name} {len(data)} {hashlib.sha256(data).hexdigest()}\n".encode())
    return h.hexdigest()
