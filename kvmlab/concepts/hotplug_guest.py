"""Lesson 16's guest: a running VM with no disk and no network card, to plug devices into and ask.

On a real QEMU (the lab, ``qemu:///session``) :func:`hotplug_lab` boots the lab's tiny guest (Linux in
RAM) without devices and makes a small raw volume to attach. :meth:`HotplugLab.inside` asks the guest
over its serial console what it sees: ``/proc/partitions``, ``/sys/block`` and ``ip -o link``::

    lab = hotplug_lab(conn)
    conn.attach_disk(lab.domain, lab.disk, "vdb", live=True)
    lab.inside()          # the guest's disks and network links, read inside the guest

On libvirt's test driver (the embedded lab) the domain is a description: it cannot hot-plug (only
``--print-xml`` and the ``--config`` paths work there), and no guest can be asked; the calls say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, attempt, libvirt_errors
from ..i18n import _
from ..ops.result import Message, Result

__all__ = ["HotplugLab", "GuestView", "hotplug_lab", "DISK_SIZE", "INSIDE"]

DISK_SIZE = "8M"
# what the guest is asked: its block devices (two views) and its network links
INSIDE = "cat /proc/partitions; echo ==; ls /sys/block; echo ==; ip -o link"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")
NO_GUEST = "the test driver boots nothing: there is no guest to ask; on the real lab it answers from inside"


@dataclass
class GuestView(Result):
    """What the guest sees: ``disks`` (name, size in KiB) from /proc/partitions, ``block`` (/sys/block)
    and ``links`` (name, MAC) from ``ip -o link``. All None when no guest could be asked (``note``)."""

    disks: list[tuple[str, int]] | None = None
    block: list[str] | None = None
    links: list[tuple[str, str]] | None = None
    note: str = ""
    command: str = INSIDE

    def text(self) -> str:
        if self.disks is None:
            return f"({self.note})\n"
        disks = ", ".join(f"{n} ({kib} KiB)" for n, kib in self.disks) or "(none)"
        links = ", ".join(f"{n} {mac}" for n, mac in self.links or []) or "(none)"
        return (f"{'/proc/partitions:':20} {disks}\n{'/sys/block:':20} {' '.join(self.block or []) or '(none)'}\n"
                f"{'ip -o link:':20} {links}\n")

    def calls_html(self) -> str:
        return (f"<div class='kvmlab-calls' style='font-size:90%;color:#555'><div><b>in the guest:</b> "
                f"<code>{escape(self.command)}</code></div></div>")


def parse_view(lines: list[str]) -> GuestView:
    """The three answers of :data:`INSIDE`, split at its ``==`` lines."""
    parts, cur = [], []
    for line in lines:
        if line.strip() == "==":
            parts.append(cur)
            cur = []
        else:
            cur.append(line)
    parts.append(cur)
    parts += [[]] * (3 - len(parts))
    disks = [(f[3], int(f[2])) for f in (ln.split() for ln in parts[0]) if len(f) == 4 and f[2].isdigit()]
    block = " ".join(parts[1]).split()
    links = []
    for line in parts[2]:
        m = re.match(r"\d+: ([^:@]+)[:@].*?link/\S+ ([0-9a-f:]{17})", line)
        if m:
            links.append((m.group(1), m.group(2)))
    return GuestView(disks=disks, block=block, links=links)


@dataclass
class HotplugLab:
    """The lesson's running domain and the volume to plug in. ``real``: a QEMU guest runs and answers."""

    domain: str
    pool: str
    volume: str
    disk: str
    backend: str
    uri: str
    real: bool
    notes: tuple[str, ...] = ()
    conn: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        guest = ("the lab's tiny guest (Linux in RAM), booted with no disk and no network card" if self.real
                 else "a test-driver domain: a description, no guest runs, no device can be hot-plugged")
        rows = [("backend:", f"{self.backend} ({self.uri})"), ("domain:", f"{self.domain} (running)"),
                ("disk to plug:", f"{self.disk} (raw, {DISK_SIZE}iB: volume {self.volume} in pool {self.pool})"),
                ("guest:", guest)]
        return "\n".join([f"{k:15}{v}" for k, v in rows] + [f"note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def inside(self, timeout: float = 30.0) -> GuestView:
        """Ask the guest (serial console) for its block devices and network links."""
        if not self.real:
            return GuestView(note=NO_GUEST)
        from ..lab.console import Console

        with Console.open(self.conn, self.domain) as con:
            status, lines = con.run(INSIDE, timeout)
        if status != 0:
            raise InvalidState(_("the guest's shell answered exit status {status}").format(status=status),
                               hint=_("read the guest's console (virsh console DOMAIN) to see why"))
        return parse_view(lines)

    def cpus_inside(self, timeout: float = 30.0) -> int | None:
        """How many CPUs the guest's kernel has (``/proc/cpuinfo``); None when no guest can be asked."""
        if not self.real:
            return None
        from ..lab.console import Console

        with Console.open(self.conn, self.domain) as con:
            status, lines = con.run("grep -c ^processor /proc/cpuinfo", timeout)
        numbers = [ln.strip() for ln in lines if ln.strip().isdigit()]
        if status != 0 or not numbers:
            raise InvalidState(_("the guest did not say how many CPUs it has: {lines}").format(lines=repr(lines)[:200]),
                               hint=_("read the guest's console (virsh console DOMAIN) to see why"))
        return int(numbers[-1])

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Wait (bounded) until a freshly started guest's shell answers on its console (the real lab only)."""
        if not self.real:
            return
        from ..lab.console import READY_MARKER, Console

        with Console.open(self.conn, self.domain) as con:
            con.wait_for(READY_MARKER, timeout, seen=True)

    def wait_inside(self, gone: str = "", seen: str = "", timeout: float = 15.0) -> GuestView:
        """:meth:`inside` again until ``seen`` appears in (or ``gone`` leaves) its text: a guest takes a
        moment to let a device go (bounded by ``timeout`` seconds)."""
        import time

        end = time.monotonic() + timeout
        while True:
            view = self.inside()
            text = view.text()
            if not self.real or ((not gone or gone not in text) and (not seen or seen in text)) \
                    or time.monotonic() > end:
                return view
            time.sleep(0.5)

    def remove(self) -> Message:
        """Destroy and undefine the domain, delete the volume."""
        v = self.conn.virconn
        api: list[str] = []
        dom = attempt(v.lookupByName, self.domain, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        if dom is not None:
            if dom.isActive():
                dom.destroy()
                api.append("dom.destroy()")
            if dom.isPersistent():
                dom.undefine()
                api.append("dom.undefine()")
        pool = attempt(v.storagePoolLookupByName, self.pool, codes=[libvirt.VIR_ERR_NO_STORAGE_POOL])
        vol = attempt(pool.storageVolLookupByName, self.volume, codes=[libvirt.VIR_ERR_NO_STORAGE_VOL]) if pool else None
        if vol is not None:
            with libvirt_errors(f"Failed to delete vol {self.volume}"):
                vol.delete(0)
            api.append(f"pool.storageVolLookupByName('{self.volume}').delete(0)")
        return Message(message=f"Domain '{self.domain}' removed, volume {self.volume} deleted",
                       virsh=f"virsh destroy {self.domain}; virsh undefine {self.domain}; "
                             f"virsh vol-delete {self.volume} {self.pool}", api=api)


def _test_xml(name: str) -> str:
    from ..lab.ownership import tag_domain_xml
    from ..specs import DomainSpec

    return tag_domain_xml(DomainSpec(type="test", name=name, memory="128MiB", vcpus=1).to_xml())


def hotplug_lab(conn: Any, name: str = "kvmlab-hot", *, timeout: float = 120.0,
                progress: Callable[[str], None] | None = print) -> HotplugLab:
    """The lesson's domain ``name``, running with no disk and no card, and a raw volume to plug in.
    A previous one of the lab's by that name is removed first.

    Raises:
        InvalidInput: ``name`` does not start with ``kvmlab-``.
        InvalidState: a domain by that name exists and is not the lab's (it is never touched).
        ConsoleTimeout: the guest did not come up within ``timeout`` seconds.
    """
    from ..lab.ownership import NAME_PREFIX, is_owned, tag_domain_xml
    from ..lab.resources import LAB_POOL, ensure_lab_pool

    if not isinstance(name, str) or not name.startswith(NAME_PREFIX) or not _NAME.match(name):
        raise InvalidInput(_("invalid lesson domain name {name}").format(name=repr(name)),
                           hint=_("the lab's objects are named {prefix}…, e.g. '{example}' (lab reset removes them)")
                           .format(prefix=NAME_PREFIX, example="kvmlab-hot"))
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
    if uri.rstrip("/").endswith("/session"):
        notes.append("qemu:///session (no root): disks hot-plug here; a card needs a libvirt network, which "
                     "session mode cannot start, so attach-interface fails")
    backend = "embedded" if getattr(conn, "embedded", False) else kind
    lab = HotplugLab(name, pool, f"{name}.img", "", backend, uri, real, conn=conn)
    lab.remove()  # a previous run's domain and volume, if any
    lab.disk = conn.vol_create_as(pool, lab.volume, DISK_SIZE, format="raw").path
    if real:
        from ..lab import guest

        xml = tag_domain_xml(guest.domain_xml(name, networks=None, tag=False))
    else:
        xml = _test_xml(name)
    with libvirt_errors(f"Failed to define domain from {name}.xml"):
        dom = v.defineXML(xml)
    with libvirt_errors(f"Failed to start domain '{name}'"):
        dom.create()
    if real:
        from ..lab.console import READY_MARKER, Console

        if progress:
            progress(_("booting {name} (the lab's tiny guest) ...").format(name=name))
        with Console.open(conn, name) as con:
            con.wait_for(READY_MARKER, timeout, seen=True)
    lab.notes = tuple(notes)
    return lab
