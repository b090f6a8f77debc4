"""Where a domain's snapshots are, measured on its files: the pool's directory, ``qemu-img snapshot -l``
(internal snapshots, inside the qcow2) and ``qemu-img info --backing-chain`` (external ones: an
overlay file whose backing file is the image from before).

Only on a real QEMU whose files are on this machine (the lab, ``qemu:///session``): libvirt's test
driver writes no file at all, and a remote host's files are on that host.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import libvirt
from lxml import etree

from ..errors import attempt, libvirt_errors
from ..ops.result import Result
from ..specs.parser import xml_parser
from ..units import pretty_capacity

if TYPE_CHECKING:
    from .snapshot_guest import SnapshotLab

__all__ = ["DiskFiles", "disk_files", "where_snapshots_are", "QEMU_IMG_TIMEOUT", "NO_GUEST"]

QEMU_IMG_TIMEOUT = 20.0  # seconds; qemu-img reads a few headers
# the lines of `qemu-img info` that say where the data is
_INFO_KEYS = ("image:", "virtual size:", "disk size:", "backing file:")
NO_GUEST = ("embedded lab: no guest runs here (libvirt's test driver keeps snapshot metadata only); on the real lab "
            "this runs in the guest")


def disk_files(pool: libvirt.virStoragePool, volume: str) -> list[libvirt.virStorageVol]:
    """The pool's volumes that belong to the disk ``volume`` (``vm.qcow2``): itself, and the files
    libvirt names after it for external snapshots (``vm.SNAPSHOT``, a memory file ``vm.mem``)."""
    stem = volume.rsplit(".", 1)[0]
    with libvirt_errors():
        vols = pool.listAllVolumes(0) if pool.isActive() else []
    return [v for v in vols if v.name() == volume or v.name().startswith(stem + ".")]


@dataclass
class DiskFiles(Result):
    """The files of the domain's disk, the internal snapshots inside its qcow2, and the chain the
    domain reads now (``steps``: each command and its output). ``note`` when they cannot be seen."""

    files: list[tuple[str, int, int]] = field(default_factory=list)  # (name, size, bytes on disk)
    active: str = ""
    backing: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""

    def text(self) -> str:
        if self.note:
            return f"({self.note})\n"
        lines = [f"the disk's files in {Path(self.active).parent if self.active else '?'}:"]
        lines += [f"  {n:28} {pretty_capacity(size):>12} ({pretty_capacity(used)} used on the host)"
                  for n, size, used in self.files]
        chain = " -> ".join(Path(p).name for p in [self.active, *self.backing])
        lines.append(f"the domain writes to: {Path(self.active).name}" +
                     (f" (backing chain: {chain})" if self.backing else " (no backing file)"))
        for command, output in self.steps:
            lines.append(f"# {command}")
            lines += [f"  {ln}" for ln in output.splitlines()] or ["  (nothing)"]
        return "\n".join(lines) + "\n"

    def body_html(self) -> str:
        return f"<pre>{escape(self.text())}</pre>"


def _qemu_img(*args: str) -> str:
    exe = shutil.which("qemu-img")
    if exe is None:
        return "(qemu-img is not installed: Debian's qemu-utils)"
    try:
        p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=QEMU_IMG_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"(qemu-img gave no answer within {QEMU_IMG_TIMEOUT:g} s)"
    return (p.stdout + p.stderr).rstrip("\n")


def _chain(dom_xml: str) -> tuple[str, list[str]]:
    """vda's file and its backing files, from the live domain XML (``<backingStore>``)."""
    root = etree.fromstring(dom_xml.encode(), xml_parser())
    found = root.xpath("devices/disk[target/@dev='vda']")
    if not found:
        return "", []
    disk = found[0]
    source = disk.find("source")
    active = source.get("file", "") if source is not None else ""
    backing = [s.get("file") for s in disk.iterfind(".//backingStore/source") if s.get("file")]
    return active, backing


def where_snapshots_are(lab: "SnapshotLab") -> DiskFiles:
    """The disk's files with their sizes, ``qemu-img snapshot -l`` of the original qcow2 (internal
    snapshots) and ``qemu-img info --backing-chain`` of the file the domain writes to now."""
    if not lab.real:
        return DiskFiles(note="embedded lab: libvirt's test driver writes no file; on the real lab this lists the "
                              "disk's files and what qemu-img finds in them")
    if not lab.local:
        return DiskFiles(note=f"the files are on the host behind {lab.uri}, not here: run qemu-img there")
    v = lab.conn.virconn
    with libvirt_errors():
        pool = v.storagePoolLookupByName(lab.pool)
        attempt(pool.refresh, 0)
        files = []
        for vol in disk_files(pool, lab.volume):
            try:
                st = os.stat(vol.path())
            except FileNotFoundError:  # gone since the pool's refresh
                continue
            files.append((vol.name(), st.st_size, st.st_blocks * 512))
        dom = attempt(v.lookupByName, lab.domain, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        dom_xml = dom.XMLDesc(0) if dom is not None else ""
    active, backing = _chain(dom_xml) if dom_xml else (lab.disk, [])
    steps = [(f"qemu-img snapshot -l -U {lab.disk}", _qemu_img("snapshot", "-l", "-U", lab.disk))]
    info = _qemu_img("info", "-U", "--backing-chain", active or lab.disk)
    kept = [ln for ln in info.splitlines() if ln.startswith(_INFO_KEYS) or not ln.strip() or ln.startswith("(")]
    steps.append((f"qemu-img info -U --backing-chain {active or lab.disk}  # image, size, backing file", "\n".join(kept).strip()))
    return DiskFiles(files=sorted(files), active=active or lab.disk, backing=backing, steps=steps)
