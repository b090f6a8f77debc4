"""The lab's tiny guest with a disk from a pool: write to it from inside, reboot, read it back.

The guest's userland is busybox in an initramfs (no mkfs for ext4, no filesystem driver loaded), so
it writes and reads the disk's raw blocks: ``dd`` of one 512-byte sector at the start of ``/dev/vda``.
That is what a filesystem does underneath, too. Each step returns a :class:`GuestLog` with the command
typed into the guest's serial console and its answer; every wait is bounded.

On the embedded lab nothing boots: each step returns a note saying what the real lab shows.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable

from ..errors import InvalidInput, InvalidState, attempt, libvirt_errors
from ..i18n import _
from ..ops.result import Result
from .console import READY_MARKER, Console
from .disk_host import DiskHost
from .ownership import is_owned, virconn_of

__all__ = ["DiskGuest", "GuestLog", "SECTOR"]

SECTOR = 512
DEVICE = "/dev/vda"
_TEXT = re.compile(r"^[A-Za-z0-9 .,:_@+=/-]{1,200}$")  # what a sector's note may say: no shell quoting needed


@dataclass
class GuestLog(Result):
    """What one step did: the lines to show (commands typed into the guest, and its answers)."""

    lines: list[str] = field(default_factory=list)
    answer: str = ""  # the guest's answer to the step's question (read: the text found)
    skipped: bool = False  # nothing ran: the backend has no guest

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def body_html(self) -> str:
        return f"<pre>{escape(self.text())}</pre>"


class DiskGuest:
    """The tiny guest ``name`` with volume ``volume`` of ``host.pool`` as its disk (/dev/vda).

    Args:
        conn: a kvmlab Connection.
        host: :func:`kvmlab.lab.disk_host`'s answer for ``conn``.
        volume: the volume (raw or qcow2) the guest gets as its disk.
        progress: called with each line as it happens (default: nothing).
    """

    def __init__(self, conn: Any, host: DiskHost, volume: str, name: str = "kvmlab-disk-guest",
                 progress: Callable[[str], None] | None = None):
        if not isinstance(name, str) or not name.startswith("kvmlab-"):
            raise InvalidInput(_("the guest's name {name} does not start with kvmlab-").format(name=repr(name)),
                               hint=_("the lab's objects are named kvmlab-…, so `kvmlab lab reset` removes them"))
        self.conn, self.host, self.volume, self.name = conn, host, volume, name
        self.progress = progress or (lambda _line: None)
        self._console: Console | None = None

    def _skip(self, what: str) -> GuestLog:
        return GuestLog(lines=[f"{self.host.backend} lab: nothing boots here, so this step ({what}) did not run.",
                               "On the real lab (kvmlab lab up; KVMLAB_URI=qemu:///system) it runs in the tiny "
                               "guest."], skipped=True)

    def _say(self, lines: list[str], line: str) -> None:
        lines.append(line)
        self.progress(line)

    def boot(self, timeout: float = 120.0) -> GuestLog:
        """Define the guest with the volume as /dev/vda, start it, and wait (bounded) for its shell."""
        if not self.host.can_boot:
            return self._skip("boot")
        from . import guest

        v = virconn_of(self.conn)
        lines: list[str] = []
        self.remove()
        fmt = _volume_format(self.conn, self.volume, self.host.pool)
        xml = guest.domain_xml(self.name, networks=None, disk=(self.host.pool, self.volume), disk_format=fmt)
        self.conn.define(xml)
        self._say(lines, f"$ virsh define {self.name}.xml   # the tiny guest, disk: volume {self.volume} "
                         f"({fmt}) of pool {self.host.pool} as vda")
        t0 = time.monotonic()
        self.conn.start(self.name)
        self._say(lines, f"$ virsh start {self.name}")
        self._console = Console(v.lookupByName(self.name))
        self._console.wait_for(READY_MARKER, timeout, seen=True)
        self._say(lines, f"(the guest is up in {time.monotonic() - t0:.0f} s; its serial console answers)")
        lines += self._typed(f"grep vda /proc/partitions", "the kernel's view: major, minor, size in KiB, name")
        return GuestLog(lines=lines, virsh=f"virsh start {self.name}", api=["conn.defineXML(xml)", "dom.create()"])

    def _typed(self, command: str, comment: str = "", timeout: float = 30.0) -> list[str]:
        """Type ``command`` into the guest's shell; the lines to show (the prompt, the command, its answer)."""
        if self._console is None:
            raise InvalidState(_("{name} has not been booted by this DiskGuest").format(name=self.name),
                               hint=_("call boot() first"))
        status, out = self._console.run(command, timeout)
        lines = [f"{self.name}# {command}" + (f"   # {comment}" if comment else ""), *out]
        if status:
            lines.append(f"(exit status {status})")
        for line in lines:
            self.progress(line)
        return lines

    def write(self, text: str) -> GuestLog:
        """Write ``text`` (and zeros up to 512 bytes) into the first sector of /dev/vda, then sync."""
        if not isinstance(text, str) or not _TEXT.match(text):
            raise InvalidInput(_("{text} cannot be written as a note").format(text=repr(text)),
                               hint=_("use up to 200 letters, digits, spaces and . , : _ @ + = / -"))
        if not self.host.can_boot:
            return self._skip("write")
        cmd = f"printf '%s\\n' '{text}' | dd of={DEVICE} bs={SECTOR} count=1 conv=sync 2>/dev/null && sync && echo written"
        return GuestLog(lines=self._typed(cmd, f"{SECTOR} bytes: the text, then zeros"), answer=text)

    def read(self) -> GuestLog:
        """Read the first sector of /dev/vda and show its text (the zeros dropped)."""
        if not self.host.can_boot:
            return self._skip("read")
        lines = self._typed(f"head -c {SECTOR} {DEVICE} | tr -d '\\000'", "the first sector, zeros dropped")
        body = [ln for ln in lines[1:] if not ln.startswith("(exit status")]
        return GuestLog(lines=lines, answer=body[0] if body else "")

    def reboot(self, timeout: float = 120.0) -> GuestLog:
        """``virsh reboot``: the guest powers off at the ACPI button and QEMU starts it again; wait for it."""
        if not self.host.can_boot:
            return self._skip("reboot")
        if self._console is None:
            raise InvalidState(_("{name} has not been booted by this DiskGuest").format(name=self.name),
                               hint=_("call boot() first"))
        lines: list[str] = []
        self._console.skip()
        t0 = time.monotonic()
        done = self.conn.reboot(self.name)
        self._say(lines, f"$ {done.virsh}")
        self._console.wait_for(READY_MARKER, timeout)
        self._say(lines, f"(the guest booted again in {time.monotonic() - t0:.0f} s: memory and page cache are gone, "
                         "the disk file stayed)")
        return GuestLog(lines=lines, virsh=done.virsh, api=done.api)

    def remove(self) -> list[str]:
        """Stop and undefine the guest if it exists (the lab's only; its volume stays)."""
        v = virconn_of(self.conn)
        dom = attempt(v.lookupByName, self.name)
        if dom is None:
            return []
        if not is_owned(dom):
            raise InvalidState(_("domain '{name}' exists and is not the lab's: nothing was done").format(name=self.name),
                               hint=_("rename yours (virsh domrename {name} my-vm)").format(name=self.name))
        if self._console is not None:
            self._console.close()
            self._console = None
        done = []
        with libvirt_errors():
            if dom.isActive():
                dom.destroy()
                done.append(f"virsh destroy {self.name}")
            dom.undefine()
        done.append(f"virsh undefine {self.name}")
        return done


def _volume_format(conn: Any, volume: str, pool: str) -> str:
    """The volume's format from its XML (raw unless it says qcow2)."""
    from ..specs import VolumeSpec

    fmt = VolumeSpec.from_xml(conn.vol_dumpxml(volume, pool=pool).xml).format
    return "qcow2" if fmt == "qcow2" else "raw"
