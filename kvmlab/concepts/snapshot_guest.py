"""Lesson 14's guest: a VM with a qcow2 disk that its guest writes to, to snapshot and revert.

On a real QEMU (the lab, ``qemu:///session``) :func:`snapshot_lab` makes the lab's tiny guest with a
64 MiB qcow2 volume in the lab's pool as ``/dev/vda``, boots it and waits (bounded) until its shell
answers on the serial console. The guest has no filesystem on that disk, and needs none: its root
filesystem is the initramfs, in RAM, and the disk is written raw. So one write shows both halves of a
snapshot::

    lab = snapshot_lab(conn)
    lab.write("after.txt")     # a file in /root/files (in the guest's RAM) and a line on /dev/vda
    lab.look()                 # the files the guest has now, and the lines on its disk

On libvirt's test driver (the embedded lab) the same names exist, but the domain is a description:
snapshots keep their metadata, no guest runs, no file is written; the calls above say so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, KvmlabError, attempt, libvirt_errors
from ..i18n import _
from ..ops.result import Message, Result
from .snapshot_files import NO_GUEST, DiskFiles, disk_files, where_snapshots_are

__all__ = ["SnapshotLab", "GuestLook", "snapshot_lab", "DISK_SIZE", "FILES_DIR"]

DISK_SIZE = "64M"
FILES_DIR = "/root/files"  # in the guest: the initramfs, so in RAM
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")
_DISK_MARK = "KVMLAB-DISK-LINES"
# the first 4 KiB of /dev/vda hold one line per write: read it past the page cache, from the disk itself
_READ_DISK = ("echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=4096 count=1 2>/dev/null | tr -d '\\000'")


@dataclass
class GuestLook(Result):
    """What the guest has: its files in ``/root/files`` (RAM) and the lines on its disk (``/dev/vda``).

    ``files`` and ``disk`` are None when no guest could be asked (``note`` says why).
    """

    files: list[str] | None = None
    disk: list[str] | None = None
    note: str = ""
    command: str = ""

    def text(self) -> str:
        if self.files is None:
            return f"({self.note})\n"
        return (f"{'files in its RAM (' + FILES_DIR + '):':32} {', '.join(self.files) or '(none)'}\n"
                f"{'lines on its disk (/dev/vda):':32} {', '.join(self.disk or []) or '(none)'}\n")

    def calls_html(self) -> str:
        shell = f"<div><b>in the guest:</b> <code>{escape(self.command)}</code></div>" if self.command else ""
        return f"<div class='kvmlab-calls' style='font-size:90%;color:#555'>{shell}</div>" if shell else ""


@dataclass
class SnapshotLab:
    """The lesson's domain and its disk. ``real``: a QEMU guest runs and can be typed into;
    ``local``: its files are on this machine (qemu-img can read them)."""

    domain: str
    pool: str
    volume: str
    disk: str
    backend: str
    uri: str
    real: bool
    local: bool
    notes: tuple[str, ...] = ()
    conn: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        guest = ("the lab's tiny guest (Linux in RAM), its disk written raw" if self.real
                 else "a test-driver domain: a description, no guest runs")
        rows = [("backend:", f"{self.backend} ({self.uri})"), ("domain:", f"{self.domain} (running)"),
                ("disk (vda):", f"{self.disk} (qcow2, 64 MiB: volume {self.volume} in pool {self.pool})"),
                ("guest:", guest)]
        return "\n".join([f"{k:13}{v}" for k, v in rows] + [f"note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    # -- the guest -----------------------------------------------------------------------------------
    def _state(self) -> int:
        with libvirt_errors(f"failed to get domain '{self.domain}'"):
            return self.conn.virconn.lookupByName(self.domain).state()[0]

    def _shell(self, command: str, timeout: float = 30.0) -> list[str]:
        """Run ``command`` in the guest's shell on its serial console; its output lines.

        A fresh console each time: a revert may restart QEMU (``-loadvm``), with a new pty.
        """
        from ..lab.console import Console

        with Console.open(self.conn, self.domain) as con:
            status, lines = con.run(command, timeout)
        if status != 0:
            raise InvalidState(_("the guest's shell answered exit status {status} to: {command}").format(
                               status=status, command=command),
                               hint=_("read the guest's console (virsh console DOMAIN) to see why"))
        return lines

    def _not_running(self) -> str:
        state = self._state()
        if state == libvirt.VIR_DOMAIN_RUNNING:
            return ""
        from ..states import state_name

        return (f"{self.domain} is {state_name(state)}: no guest runs to look in. Start it (lab.start()): a fresh "
                "boot begins with empty RAM, from what the disk holds")

    def write(self, name: str, text: str = "") -> GuestLook:
        """Write ``/root/files/NAME`` (RAM) and add NAME as a line on the disk; then look again."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidInput(_("invalid file name {name}").format(name=repr(name)),
                               hint=_("use letters, digits, '.', '-' and '_', e.g. 'after.txt'"))
        if not isinstance(text, str) or not re.fullmatch(r"[\w .,:;!?=+-]*", text):
            raise InvalidInput(_("invalid text {text}").format(text=repr(text)),
                               hint=_("a short line of letters, digits and punctuation"))
        command = (f"mkdir -p {FILES_DIR}; echo '{text or name}' > {FILES_DIR}/{name}; "
                   f"{{ dd if=/dev/vda bs=4096 count=1 2>/dev/null | tr -d '\\000'; echo {name}; }} > /tmp/lines; "
                   "dd if=/tmp/lines of=/dev/vda bs=4096 count=1 conv=notrunc,fsync 2>/dev/null; sync")
        if not self.real:
            return GuestLook(note=NO_GUEST, command=command)
        why = self._not_running()
        if why:
            return GuestLook(note=why, command=command)
        self._shell(command)
        look = self.look()
        look.command = command + "; " + look.command
        return look

    def look(self) -> GuestLook:
        """Ask the guest: ``ls /root/files``, and the lines on its disk (read from the disk itself)."""
        command = f"ls -1 {FILES_DIR} 2>/dev/null; echo {_DISK_MARK}; {_READ_DISK}"
        if not self.real:
            return GuestLook(note=NO_GUEST, command=command)
        why = self._not_running()
        if why:
            return GuestLook(note=why, command=command)
        lines = [ln.strip() for ln in self._shell(command)]
        cut = lines.index(_DISK_MARK) if _DISK_MARK in lines else len(lines)
        return GuestLook(files=[ln for ln in lines[:cut] if ln], disk=[ln for ln in lines[cut + 1:] if ln],
                         command=command)

    def start(self, timeout: float = 120.0, progress: Callable[[str], None] | None = print) -> Message:
        """virsh start DOMAIN, then wait (bounded) until the guest's shell answers."""
        result = self.conn.start(self.domain)
        if self.real:
            _wait_ready(self.conn, self.domain, timeout, progress)
        return result

    def files(self) -> DiskFiles:
        """Where the snapshots are: the disk's files, qemu-img's view of them (the real lab only)."""
        return where_snapshots_are(self)

    # -- tidy up ----------------------------------------------------------------------------------------
    def remove(self) -> Message:
        """Delete the snapshots (libvirt's metadata; their data goes with the files), the domain and
        every file of its disk in the pool (the qcow2, overlays, memory files)."""
        api: list[str] = []
        v = self.conn.virconn
        dom = attempt(v.lookupByName, self.domain, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        gone = _remove_domain(dom, api) if dom is not None else 0
        removed = 0
        pool = attempt(v.storagePoolLookupByName, self.pool, codes=[libvirt.VIR_ERR_NO_STORAGE_POOL])
        if pool is not None:
            attempt(pool.refresh, 0)  # a real pool finds the overlay files libvirt made meanwhile
            for vol in disk_files(pool, self.volume):
                with libvirt_errors(f"Failed to delete vol {vol.name()}"):
                    vol.delete(0)
                removed += 1
            api.append(f"pool.storageVolLookupByName(NAME).delete(0)  # {removed} file(s) of {self.volume}")
        return Message(message=f"Domain '{self.domain}' removed ({gone} snapshot(s)), {removed} disk file(s) deleted",
                       virsh=f"virsh destroy {self.domain}; virsh undefine {self.domain} --snapshots-metadata; "
                             f"virsh vol-delete {self.volume} {self.pool}", api=api)


def _remove_domain(dom: libvirt.virDomain, api: list[str]) -> int:
    """Forget the snapshots (metadata only where the driver can: no merging of files about to go),
    stop the domain, undefine it; how many snapshots it had."""
    with libvirt_errors():
        snaps = dom.listAllSnapshots(0)
    for snap in snaps:
        with libvirt_errors(ignore=[libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT]):  # gone with a parent's children
            try:
                with libvirt_errors():
                    snap.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)
            except KvmlabError as err:  # the test driver knows no metadata-only delete
                if "unsupported flags" not in err.message:
                    raise
                snap.delete(0)
    api.append("snap.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)  # per snapshot")
    with libvirt_errors():
        if dom.isActive():
            dom.destroy()
            api.append("dom.destroy()")
        if dom.isPersistent():
            dom.undefine()
            api.append("dom.undefine()")
    return len(snaps)


def _wait_ready(conn: Any, name: str, timeout: float, progress: Callable[[str], None] | None) -> None:
    from ..lab.console import READY_MARKER, Console

    say = progress or (lambda _line: None)
    t0 = time.monotonic()
    say(_("booting {name} (the lab's tiny guest) ...").format(name=name))
    with Console.open(conn, name) as con:
        con.wait_for(READY_MARKER, timeout, seen=True)
    say(_("{name} ready in {seconds:.1f} s").format(name=name, seconds=time.monotonic() - t0))


def _test_domain_xml(name: str, disk: str) -> str:
    from ..lab.ownership import tag_domain_xml
    from ..specs import DomainSpec

    spec = DomainSpec(type="test", name=name, memory="128MiB", vcpus=1)
    spec.add_disk(disk, format="qcow2", bus="virtio")
    return tag_domain_xml(spec.to_xml())


def snapshot_lab(conn: Any, name: str = "kvmlab-snap", *, timeout: float = 120.0,
                 progress: Callable[[str], None] | None = print) -> SnapshotLab:
    """The lesson's domain ``name``, running, with a fresh 64 MiB qcow2 disk; a previous one of the
    lab's (tagged) by that name is removed first, with its snapshots and files.

    Raises:
        InvalidInput: ``name`` does not start with ``kvmlab-`` (the lab's names, which `lab reset` removes).
        InvalidState: a domain by that name exists and is not the lab's (it is never touched).
        ConsoleTimeout: the guest did not come up within ``timeout`` seconds.
    """
    from ..lab.ownership import NAME_PREFIX, is_owned, tag_domain_xml
    from ..lab.resources import LAB_POOL, ensure_lab_pool

    if not isinstance(name, str) or not name.startswith(NAME_PREFIX) or not _NAME.match(name):
        raise InvalidInput(_("invalid lesson domain name {name}").format(name=repr(name)),
                           hint=_("the lab's objects are named {prefix}…, e.g. '{example}' (lab reset removes them)")
                           .format(prefix=NAME_PREFIX, example="kvmlab-snap"))
    v = conn.virconn
    with libvirt_errors():
        uri, kind = v.getURI(), v.getType().lower()
    real = kind == "qemu"
    old = attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    if old is not None and not is_owned(old):
        raise InvalidState(_("domain '{name}' exists and is not the lab's: the lesson would change it, so nothing "
                             "was done").format(name=name),
                           hint=_("rename yours (virsh domrename {name} my-{name}) or pass another name")
                           .format(name=name))
    notes: list[str] = []
    if real:
        notes.append(ensure_lab_pool(conn).message)
        pool = LAB_POOL
    else:
        pool = next((p.name() for p in v.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)), "")
    lab = SnapshotLab(name, pool, f"{name}.qcow2", "", "embedded" if getattr(conn, "embedded", False) else kind,
                      uri, real, real and "://" in uri and uri.split("://", 1)[1].startswith("/"), conn=conn)
    lab.remove()  # a previous run's domain, snapshots and files, if any
    created = conn.vol_create_as(pool, lab.volume, DISK_SIZE, format="qcow2")
    lab.disk = created.path
    xml = tag_domain_xml(_guest_xml(name, lab.disk)) if real else _test_domain_xml(name, lab.disk)
    with libvirt_errors(f"Failed to define domain from {name}.xml"):
        v.defineXML(xml)
    lab.notes = tuple(notes)
    lab.start(timeout, progress)
    return lab


def _guest_xml(name: str, disk: str) -> str:
    from ..lab import guest

    return guest.domain_xml(name, networks=None, disk=disk, disk_format="qcow2", tag=False)
