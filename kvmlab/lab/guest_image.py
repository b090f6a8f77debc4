"""The tiny guest's image: Debian's kernel + a busybox initramfs built here, cached by content.

``build()`` gathers the kernel (/boot/vmlinuz-<version>), busybox-static, the driver modules Debian
builds separately and the small init files in ``kvmlab/data/guest/``; it writes a newc cpio, gzips
it with a fixed mtime, and stores everything under a directory named by the hash of every input.
Same inputs, same bytes, same directory: a second build is a cache hit.

The cache also holds the kernel unpacked from its bzImage (``vmlinux``, an ELF with a PVH entry):
QEMU boots it directly, skipping the kernel's own decompression, which under TCG costs seconds.

Below both users: :mod:`kvmlab.lab.probe` boots this image under KVM, and :mod:`kvmlab.lab.guest`
describes a domain that boots it under libvirt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from ..i18n import _
from .initramfs import gzip_fixed
from .initramfs_guest import BUSYBOX, busybox_bytes, content_key, guest_archive
from .initramfs_modules import (GUEST_MODULES, extract_vmlinux, find_kernel, has_pvh_entry, module_target,
                                read_module, resolve_modules, trim_zero_tails, write_sparse)

__all__ = ["GuestImage", "build", "cache_root"]


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
    say(_("kernel {version}: {image}").format(version=kernel.version, image=kernel.image))
    kernel_bytes = kernel.image.read_bytes()
    busybox = busybox_bytes()
    say(_("busybox: {path} ({kib} KiB, static)").format(path=BUSYBOX, kib=len(busybox) // 1024))
    modules = {module_target(rel): read_module(kernel, rel) for rel in resolve_modules(kernel, GUEST_MODULES)}
    say(_("modules ({n}, in load order): {names}").format(n=len(modules), names=" ".join(Path(m).stem for m in modules)))

    key = content_key(kernel_bytes, kernel.version, busybox, modules)
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    final = root / key[:16]
    if not force:
        image = _load(final / "manifest.json")
        if image is not None:
            say(_("cached: {path}").format(path=final))
            return image

    archive = guest_archive(busybox, modules)
    raw = archive.to_bytes()
    initrd = gzip_fixed(raw)
    digest = hashlib.sha256(initrd).hexdigest()
    say(_("initramfs: {entries} entries, {cpio} KiB cpio, {gzip} KiB gzip, sha256 {digest}").format(
        entries=len(archive.entries), cpio=len(raw) // 1024, gzip=len(initrd) // 1024, digest=digest[:16]))
    elf, compression = extract_vmlinux(kernel_bytes)
    pvh = has_pvh_entry(elf)
    say(_("kernel payload: {compression}; unpacked {mib} MiB ELF, {entry}").format(
        compression=compression, mib=len(elf) // (1 << 20),
        entry=_("PVH entry: QEMU boots it without decompressing") if pvh else _("no PVH entry: boot the bzImage")))

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
    say(_("built: {path}").format(path=final))
    for old in _prune(root, keep=final):
        say(_("removed an older build: {path}").format(path=old))
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
