"""kvmlab's tiny real guest: Debian's kernel + a busybox initramfs built here, cached by content.

``build()`` gathers the kernel (/boot/vmlinuz-<version>), busybox-static, the driver modules Debian
builds separately and the small init files in ``kvmlab/data/guest/``; it writes a newc cpio, gzips
it with a fixed mtime, and stores everything under a directory named by the hash of every input.
Same inputs, same bytes, same directory: a second build is a cache hit.

The cache also holds the kernel unpacked from its bzImage (``vmlinux``, an ELF with a PVH entry):
QEMU boots it directly, skipping the kernel's own decompression, which under TCG costs seconds.

Inside, busybox init runs ``/etc/rc.sysinit`` (mounts, ``insmod`` in dependency order, DHCP on every
NIC, acpid for the power button) and prints ``KVMLAB-GUEST-READY`` on the serial console; a root
shell then waits on ttyS0. ``domain_xml()`` describes a domain that boots it under libvirt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from lxml import etree

from ..errors import InvalidInput
from .console import DHCP_MARKER, PROMPT, READY_MARKER, log_path

from .initramfs import gzip_fixed
from .initramfs_guest import BUSYBOX, busybox_bytes, content_key, guest_archive
from .initramfs_modules import (GUEST_MODULES, extract_vmlinux, find_kernel, has_pvh_entry, module_target,
                                read_module, resolve_modules, trim_zero_tails, write_sparse)
from .ownership import tag_domain_xml

__all__ = ["GuestImage", "build", "cache_root", "domain_xml", "FAST_CMDLINE", "READY_MARKER", "DHCP_MARKER", "PROMPT"]


Progress = Callable[[str], None]


@dataclass(frozen=True)
class GuestImage:
    """A built guest: what a domain's ``<os><kernel>/<initrd>`` point at.

    ``kernel`` is the bzImage as Debian ships it; ``vmlinux`` the same kernel unpacked (None when
    the kernel has no PVH entry, then only the bzImage boots).
    """

    kernel: Path
    vmlinux: Path | None
    initrd: Path
    kernel_version: str
    compression: str
    initrd_sha256: str
    modules: tuple[str, ...]
    key: str
    cached: bool = False

    def boot_kernel(self, boot: str = "pvh") -> Path:
        """``pvh``: the unpacked ELF (fast under TCG); ``bzimage``: the compressed original."""
        if boot == "pvh" and self.vmlinux is not None:
            return self.vmlinux
        return self.kernel

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update({k: str(v) if isinstance(v, Path) else v for k, v in d.items()})
        d["modules"] = list(self.modules)
        return d


def cache_root() -> Path:
    """``$KVMLAB_GUEST_DIR``, else /var/lib/kvmlab/guest as root, else ~/.cache/kvmlab/guest."""
    env = os.environ.get("KVMLAB_GUEST_DIR")
    if env:
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/lib/kvmlab/guest")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kvmlab" / "guest"


def build(
    progress: Progress | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    kernel_version: str | None = None,
    force: bool = False,
) -> GuestImage:
    """Build (or find in the cache) the tiny guest.

    Args:
        progress: called with one short line per step.
        cache_dir: where built guests live (default: :func:`cache_root`).
        kernel_version: a ``/boot/vmlinuz-<version>`` to use (default: running kernel, else newest).
        force: rebuild even when the cache has this exact guest.

    Raises:
        InvalidInput: no kernel, no busybox, a module missing; each with the package to install.
    """
    say = progress or (lambda _line: None)
    kernel = find_kernel(kernel_version)
    say(f"kernel {kernel.version}: {kernel.image}")
    kernel_bytes = kernel.image.read_bytes()
    busybox = busybox_bytes()
    say(f"busybox: {BUSYBOX} ({len(busybox) // 1024} KiB, static)")
    modules = {module_target(rel): read_module(kernel, rel) for rel in resolve_modules(kernel, GUEST_MODULES)}
    say(f"modules ({len(modules)}, in load order): " + " ".join(Path(m).stem for m in modules))

    key = content_key(kernel_bytes, kernel.version, busybox, modules)
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    final = root / key[:16]
    if not force:
        image = _load(final / "manifest.json")
        if image is not None:
            say(f"cached: {final}")
            return image

    archive = guest_archive(busybox, modules)
    raw = archive.to_bytes()
    initrd = gzip_fixed(raw)
    digest = hashlib.sha256(initrd).hexdigest()
    say(f"initramfs: {len(archive.entries)} entries, {len(raw) // 1024} KiB cpio, "
        f"{len(initrd) // 1024} KiB gzip, sha256 {digest[:16]}")
    elf, compression = extract_vmlinux(kernel_bytes)
    pvh = has_pvh_entry(elf)
    say(f"kernel payload: {compression}; unpacked {len(elf) // (1 << 20)} MiB ELF, "
        + ("PVH entry: QEMU boots it without decompressing" if pvh else "no PVH entry: boot the bzImage"))

    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        (tmp / "vmlinuz").write_bytes(kernel_bytes)
        if pvh:
            write_sparse(tmp / "vmlinux", trim_zero_tails(elf))
        (tmp / "initrd.img").write_bytes(initrd)
        image = GuestImage(final / "vmlinuz", final / "vmlinux" if pvh else None, final / "initrd.img",
                           kernel.version, compression, digest, tuple(modules), key)
        (tmp / "manifest.json").write_text(json.dumps(image.to_dict(), indent=2) + "\n")
        for p in (tmp, *tmp.iterdir()):
            p.chmod(0o755 if p.is_dir() else 0o644)  # QEMU may run as another user: readable by all
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"built: {final}")
    for old in _prune(root, keep=final):
        say(f"removed an older build: {old}")
    return image


def _prune(root: Path, keep: Path, count: int = 3) -> list[Path]:
    """Remove all but the ``count`` newest builds (each is ~40 MiB); never ``keep``."""
    builds = sorted((p for p in root.iterdir() if (p / "manifest.json").exists() and p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    old = builds[count - 1:]
    for p in old:
        shutil.rmtree(p, ignore_errors=True)
    return old


def _load(manifest: Path) -> GuestImage | None:
    """The cached image described by ``manifest``, or None if anything is missing."""
    try:
        d = json.loads(manifest.read_text())
        vmlinux = Path(d["vmlinux"]) if d.get("vmlinux") not in (None, "None") else None
        image = GuestImage(Path(d["kernel"]), vmlinux, Path(d["initrd"]), d["kernel_version"], d["compression"],
                           d["initrd_sha256"], tuple(d["modules"]), d["key"], cached=True)
    except (OSError, ValueError, KeyError):
        return None
    files = [image.kernel, image.initrd] + ([image.vmlinux] if image.vmlinux else [])
    return image if all(f.exists() for f in files) else None


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
    """The lab guest's domain XML (libvirt 9.0), built with lxml.

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
        raise InvalidInput(f"invalid guest name {name!r}",
                           hint="use letters, digits, '-', '_' or '.' (it is also the guest's hostname)")
    if accel is None:
        from .probe import accel as probed  # lazy: the probe builds and boots this guest

        accel = probed()
    if accel not in ("kvm", "tcg"):
        raise InvalidInput(f"unknown accelerator {accel!r}", hint="use 'kvm' or 'tcg' (see kvmlab.lab.probe)")
    if nic_model not in ("virtio", "e1000"):
        raise InvalidInput(f"unknown NIC model {nic_model!r}", hint="the guest has drivers for virtio and e1000")
    if not isinstance(memory_mib, int) or not 64 <= memory_mib <= 4096:
        raise InvalidInput(f"memory {memory_mib!r} MiB is out of range", hint="the tiny guest needs 64..4096 MiB")
    image = image or build()
    E = etree.Element
    dom = E("domain", type="kvm" if accel == "kvm" else "qemu")
    etree.SubElement(dom, "name").text = name
    etree.SubElement(dom, "memory", unit="MiB").text = str(memory_mib)
    etree.SubElement(dom, "vcpu").text = "1"
    os_ = etree.SubElement(dom, "os")
    etree.SubElement(os_, "type", arch="x86_64", machine="pc").text = "hvm"
    etree.SubElement(os_, "kernel").text = str(image.boot_kernel(boot))
    etree.SubElement(os_, "initrd").text = str(image.initrd)
    args = ["console=ttyS0", f"kvmlab.name={name}"] + ([FAST_CMDLINE] if fast else []) + ([cmdline] if cmdline else [])
    etree.SubElement(os_, "cmdline").text = " ".join(args)
    features = etree.SubElement(dom, "features")
    etree.SubElement(features, "acpi")  # the power button: virsh shutdown / reboot
    if accel == "tcg" and tb_cache_mib:
        etree.SubElement(etree.SubElement(features, "tcg"), "tb-cache", unit="MiB").text = str(tb_cache_mib)
    etree.SubElement(dom, "on_poweroff").text = "destroy"
    etree.SubElement(dom, "on_reboot").text = "restart"
    etree.SubElement(dom, "on_crash").text = "preserve" if panic else "destroy"
    dev = etree.SubElement(dom, "devices")
    if disk is not None:
        _disk(dev, disk, disk_format)
    for net in [networks] if isinstance(networks, str) else list(networks or ()):
        nic = etree.SubElement(dev, "interface", type="network")
        etree.SubElement(nic, "source", network=net)
        etree.SubElement(nic, "model", type=nic_model)
        etree.SubElement(nic, "rom", enabled="no")  # no iPXE option ROM: the kernel is given directly
    log = log_path(name)
    log.parent.mkdir(parents=True, exist_ok=True)
    serial = etree.SubElement(dev, "serial", type="pty")
    etree.SubElement(serial, "log", file=str(log), append="off")
    etree.SubElement(serial, "target", port="0")
    console = etree.SubElement(dev, "console", type="pty")
    etree.SubElement(console, "target", type="serial", port="0")
    etree.SubElement(dev, "controller", type="usb", model="none")
    etree.SubElement(etree.SubElement(dev, "video"), "model", type="none")
    if balloon:
        etree.SubElement(dev, "memballoon", model="virtio", freePageReporting="on")
    else:
        etree.SubElement(dev, "memballoon", model="none")
    if panic:
        etree.SubElement(dev, "panic", model="isa")
    xml = etree.tostring(dom, pretty_print=True, encoding="unicode")
    return tag_domain_xml(xml) if tag else xml


def _disk(dev: etree._Element, disk, fmt: str) -> None:
    if fmt not in ("qcow2", "raw"):
        raise InvalidInput(f"unknown disk format {fmt!r}", hint="use 'qcow2' or 'raw'")
    if isinstance(disk, tuple):
        el = etree.SubElement(dev, "disk", type="volume", device="disk")
        etree.SubElement(el, "driver", name="qemu", type=fmt)
        etree.SubElement(el, "source", pool=disk[0], volume=disk[1])
    else:
        el = etree.SubElement(dev, "disk", type="file", device="disk")
        etree.SubElement(el, "driver", name="qemu", type=fmt)
        etree.SubElement(el, "source", file=str(disk))
    etree.SubElement(el, "target", dev="vda", bus="virtio")
