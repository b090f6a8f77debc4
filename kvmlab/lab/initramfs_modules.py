"""Which kernel to boot and which of its modules the guest needs, in load order.

Debian builds virtio, e1000, pvpanic-mmio and the ACPI button as modules, so the initramfs must carry
them and ``insmod`` them before the devices work. ``modules.dep`` says what each needs first; compressed
modules (``.ko.xz``/``.ko.gz``/``.ko.zst``) are decompressed here so busybox ``insmod`` can load them.
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput
from ..i18n import _

__all__ = ["Kernel", "GUEST_MODULES", "find_kernel", "resolve_modules", "read_module", "module_target",
           "extract_vmlinux", "has_pvh_entry", "trim_zero_tails", "write_sparse"]

# What the guest loads, in this order (dependencies are pulled in before each one):
GUEST_MODULES = (
    "virtio_pci",  # the PCI transport every virtio device sits on
    "virtio_net",  # <interface><model type='virtio'/>
    "virtio_blk",  # <disk bus='virtio'> -> /dev/vda
    "e1000",  # <interface><model type='e1000'/> (an emulated Intel NIC)
    "pvpanic",  # the panic notifier core
    "pvpanic-mmio",  # <panic model='isa'/>: tells QEMU "this kernel panicked"
    "button",  # ACPI power button: `virsh shutdown` / `virsh reboot`
    "evdev",  # /dev/input/event*: how busybox acpid sees the power button
    "virtio_balloon",  # <memballoon freePageReporting='on'>: free guest pages go back to the host
)

_BOOT = Path("/boot")
_MODULES = Path("/lib/modules")


@dataclass(frozen=True)
class Kernel:
    version: str
    image: Path
    modules_dir: Path


def _version_key(v: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\-+~]", v)]


def find_kernel(version: str | None = None) -> Kernel:
    """The guest kernel: ``version`` if given, else the running one if its modules are here, else the
    newest ``/boot/vmlinuz-*`` that has ``/lib/modules/<version>/modules.dep`` (Debian's linux-image-amd64)."""
    candidates = sorted(
        (p.name[len("vmlinuz-"):] for p in _BOOT.glob("vmlinuz-*") if (_MODULES / p.name[8:] / "modules.dep").exists()),
        key=_version_key,
    )
    if version is None:
        running = os.uname().release
        version = running if running in candidates else (candidates[-1] if candidates else None)
    if version is None or version not in candidates:
        raise InvalidInput(
            _("no guest kernel found (wanted {wanted}; have {have})").format(
                wanted=version or "any", have=", ".join(candidates) or "none"),
            hint=_("install Debian's kernel package: apt-get install linux-image-amd64 (kvmlab boots "
                   "/boot/vmlinuz-<version> with the modules from /lib/modules/<version>)"),
        )
    image = _BOOT / f"vmlinuz-{version}"
    if not os.access(image, os.R_OK):
        raise InvalidInput(
            _("{path} is not readable by this user").format(path=image),
            hint=_("build the guest once as root (`sudo kvmlab guest build`), or make the kernel readable"),
        )
    return Kernel(version, image, _MODULES / version)


def _dep_table(modules_dir: Path) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in (modules_dir / "modules.dep").read_text().splitlines():
        if ":" in line:
            path, deps = line.split(":", 1)
            table[path] = deps.split()
    return table


def _builtin(modules_dir: Path) -> set[str]:
    f = modules_dir / "modules.builtin"
    return {_name(p) for p in f.read_text().split()} if f.exists() else set()


def _name(path: str) -> str:
    """'kernel/drivers/net/virtio_net.ko.xz' -> 'virtio_net' (dashes and underscores are one name)."""
    return re.sub(r"\.ko(\.\w+)?$", "", path.rsplit("/", 1)[-1]).replace("-", "_")


def resolve_modules(kernel: Kernel, wanted=GUEST_MODULES) -> list[str]:
    """Paths (relative to the modules dir) of ``wanted`` and their dependencies, in load order.

    Built-in ones are skipped; a module this kernel lacks altogether is an error.
    """
    table = _dep_table(kernel.modules_dir)
    by_name = {_name(p): p for p in table}
    builtin = _builtin(kernel.modules_dir)
    order: list[str] = []
    for want in wanted:
        key = want.replace("-", "_")
        if key in builtin:
            continue
        if key not in by_name:
            raise InvalidInput(
                _("kernel {version} has no module {module}").format(version=kernel.version, module=repr(want)),
                hint=_("kvmlab's guest expects a Debian linux-image-amd64 kernel (virtio, e1000, pvpanic)"),
            )
        path = by_name[key]
        # modules.dep lists every (transitive) dependency; modprobe loads them last-first.
        for dep in [*reversed(table[path]), path]:
            if dep not in order:
                order.append(dep)
    return order


def read_module(kernel: Kernel, relpath: str) -> bytes:
    """A module's ELF bytes, decompressed if the distribution ships it compressed."""
    data = (kernel.modules_dir / relpath).read_bytes()
    if relpath.endswith(".xz"):
        return lzma.decompress(data)
    if relpath.endswith(".gz"):
        return gzip.decompress(data)
    if relpath.endswith(".zst"):
        if not shutil.which("zstd"):
            raise InvalidInput(_("{path} is zstd-compressed").format(path=relpath), hint=_("apt-get install zstd"))
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    return data


def module_target(relpath: str) -> str:
    """Where a module goes inside the initramfs: always an uncompressed ``.ko``."""
    return re.sub(r"\.ko\.\w+$", ".ko", relpath)


# The bzImage's compressed payload, by magic: (name, magic, decompress)
def _zstd(data: bytes) -> bytes:
    if not shutil.which("zstd"):
        raise InvalidInput(_("the kernel is zstd-compressed"), hint=_("apt-get install zstd"))
    return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout


_PAYLOADS = (
    ("xz", b"\xfd7zXZ\x00", lambda d: lzma.LZMADecompressor().decompress(d)),
    ("gzip", b"\x1f\x8b\x08", lambda d: gzip.GzipFile(fileobj=__import__("io").BytesIO(d)).read()),
    ("zstd", b"\x28\xb5\x2f\xfd", _zstd),
)
_PVH_NOTE = 18  # XEN_ELFNOTE_PHYS32_ENTRY: "boot me in 32-bit protected mode at this address"


def extract_vmlinux(bzimage: bytes) -> tuple[bytes, str]:
    """The uncompressed ELF kernel inside a bzImage, and the compression it had.

    The bzImage header says where its payload is (``payload_offset`` at 0x248, relative to the
    protected-mode code after ``setup_sects``). Booting the ELF directly (QEMU's PVH entry) skips
    the in-guest decompression, which costs seconds when QEMU emulates the CPU (TCG).
    """
    if bzimage[0x202:0x206] != b"HdrS":
        raise InvalidInput(_("the kernel image is not a bzImage (no 'HdrS' boot header)"))
    setup_sects = bzimage[0x1F1] or 4
    offset = int.from_bytes(bzimage[0x248:0x24C], "little")
    length = int.from_bytes(bzimage[0x24C:0x250], "little")
    start = (setup_sects + 1) * 512 + offset
    payload = bzimage[start:start + length]
    for name, magic, decompress in _PAYLOADS:
        if payload.startswith(magic):
            elf = decompress(payload)
            if not elf.startswith(b"\x7fELF"):
                raise InvalidInput(_("the {compression} payload of the kernel is not an ELF image").format(
                    compression=name))
            return elf, name
    raise InvalidInput(_("unsupported kernel compression (payload starts {magic})").format(magic=payload[:4].hex()),
                       hint=_("kvmlab can unpack xz, gzip and zstd kernels"))


def has_pvh_entry(elf: bytes) -> bool:
    """True if the ELF kernel carries a PVH entry note (CONFIG_PVH): QEMU can boot it directly."""
    import struct

    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == _PVH_NOTE:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def write_sparse(path: Path, data: bytes, block: int = 1 << 16) -> None:
    """Write ``data`` leaving all-zero blocks as holes (an ELF kernel is mostly .bss zeros)."""
    zero = bytes(block)
    with open(path, "wb") as f:
        for i in range(0, len(data), block):
            chunk = data[i:i + block]
            if chunk == zero[:len(chunk)]:
                f.seek(len(chunk), os.SEEK_CUR)
            else:
                f.write(chunk)
        f.truncate(len(data))


def trim_zero_tails(elf: bytes) -> bytes:
    """Shorten each loadable segment's file part where only zeros (its .bss) remain.

    Debian's vmlinux stores ~20 MiB of .bss zeros inside its last segment. With ``p_filesz`` cut to
    where the first NOBITS section starts, QEMU zero-fills the rest itself (``p_memsz`` is
    unchanged), so the guest sees the same memory while each QEMU maps less of the file.
    """
    import struct

    out = bytearray(elf)
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    nobits = [struct.unpack_from("<IIQQ", elf, shoff + i * shentsize)[3]
              for i in range(shnum) if struct.unpack_from("<I", elf, shoff + i * shentsize + 4)[0] == 8]
    for i in range(phnum):
        base = phoff + i * phentsize
        p_type, _flags, offset, vaddr, _paddr, filesz, memsz = struct.unpack_from("<IIQQQQQ", elf, base)
        starts = [a - vaddr for a in nobits if p_type == 1 and vaddr <= a < vaddr + filesz]
        if starts:
            cut = min(starts)
            if not any(elf[offset + cut:offset + filesz]):  # only ever drop zeros
                struct.pack_into("<Q", out, base + 32, cut)
    return bytes(out)
