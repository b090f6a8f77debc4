"""What the disk lesson (13) works on, on any backend: a pool, and whether a guest can boot.

Unlike :func:`kvmlab.lab.course_host` it makes no stand-in domains: lesson 13 needs a pool for its
volumes and, on a real hypervisor, boots its own tiny guest (:mod:`kvmlab.lab.disk_guest`). On the
embedded lab the pool is ``default`` and nothing boots (libvirt's test driver has no disks and no
guests: the lesson says what the real lab shows instead). On a real libvirt the pool is the lab's
own ``kvmlab-pool`` (made if missing), and the lesson's objects are named ``kvmlab-disk-…``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import attempt, libvirt_errors
from .course import shown_uri
from .ownership import is_owned, virconn_of
from .resources import LAB_POOL, ensure_lab_pool

__all__ = ["DiskHost", "disk_host", "PREFIX"]

PREFIX = "kvmlab-disk-"  # the lesson's volumes and guest: the lab's names, apart from other lessons'


@dataclass(frozen=True)
class DiskHost:
    """The backend, the pool lesson 13 uses, and what this backend can show."""

    uri: str
    backend: str
    pool: str
    sees_files: bool  # the pool's files are on this machine: qemu-img and os.stat can read them
    can_boot: bool  # a real hypervisor: the lesson's tiny guest really boots
    notes: tuple[str, ...] = ()

    @property
    def embedded(self) -> bool:
        return self.backend == "embedded"

    def name(self, suffix: str) -> str:
        """The lesson's name for one of its objects: ``kvmlab-disk-`` + ``suffix``."""
        return PREFIX + suffix

    @property
    def shown_uri(self) -> str:
        """The URI as the lesson prints it (:func:`kvmlab.lab.course.shown_uri`)."""
        return shown_uri(self.uri)

    def __str__(self) -> str:
        rows = [("backend:", f"{self.backend} ({self.shown_uri})"), ("pool:", self.pool),
                ("volume files here:", "yes (qemu-img can read them)" if self.sees_files
                 else "no (libvirt only describes them)"),
                ("guest:", "the lab's tiny guest boots" if self.can_boot else "none (nothing boots here)")]
        return "\n".join([f"{k:19}{v}" for k, v in rows] + [f"note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def disk_host(conn: Any, fresh: bool = True) -> DiskHost:
    """Lesson 13's pool and abilities on ``conn`` (on a real libvirt, the lab pool is made if missing).

    ``fresh``: on a real libvirt, first remove what an interrupted run of the lesson left: its guest
    and its volumes (names starting ``kvmlab-disk-``, in the lab pool only). The embedded lab is fresh
    at every connect.
    """
    v = virconn_of(conn)
    with libvirt_errors():
        uri = v.getURI()
        backend = "embedded" if getattr(conn, "embedded", False) else v.getType().lower()
        pools = [p.name() for p in v.listAllStoragePools(0)]
    if backend in ("embedded", "test"):
        pool = "default" if "default" in pools else "default-pool"
        note = ("libvirt's test driver keeps volumes as descriptions only: no file, no data, no guest that boots; "
                "vol-upload, vol-download and vol-resize are not in it. The real lab (kvmlab lab up; "
                "KVMLAB_URI=qemu:///system) runs every cell for real")
        return DiskHost(uri, backend, pool, sees_files=False, can_boot=False, notes=(note,))
    ensure_lab_pool(conn)
    local = backend == "qemu" and not urlsplit(uri).netloc
    notes = () if local else ("the pool lives on a remote host: qemu-img here cannot read its files",)
    left = _leftovers(v) if fresh else []
    if left:
        notes += (f"removed what an earlier run left: {', '.join(left)}",)
    return DiskHost(uri, backend, LAB_POOL, sees_files=local, can_boot=backend == "qemu", notes=notes)


def _leftovers(v: Any) -> list[str]:
    """Remove the lesson's own objects from an earlier run: lab-tagged domains and lab-pool volumes
    named ``kvmlab-disk-…``. Returns their names."""
    gone = []
    for dom in v.listAllDomains(0):
        with libvirt_errors():
            if not dom.name().startswith(PREFIX) or not is_owned(dom):
                continue
            if dom.isActive():
                dom.destroy()
            dom.undefine()
        gone.append(dom.name())
    pool = attempt(v.storagePoolLookupByName, LAB_POOL)
    if pool is not None and attempt(pool.isActive):
        with libvirt_errors():
            for vol in sorted(pool.listAllVolumes(0), key=lambda x: x.name()):
                if vol.name().startswith(PREFIX):
                    vol.delete(0)
                    gone.append(vol.name())
    return gone
