"""The guest's serial console from Python: read it while the guest boots, type into its shell.

The lab's guests have ``<serial type='pty'>`` with a ``<log file=…>``: virtlogd copies every byte
the guest prints into that file from the first one (even before anyone attaches), and the pty is
what ``virsh console`` uses. :class:`Console` reads the log file for output and writes commands to
the pty; if a domain has no log file it reads the pty instead (output from the moment it attached).
Every wait has a timeout.
"""

from __future__ import annotations

import os
import re
import select
import termios
import threading
import time
import tty
from pathlib import Path
from typing import Callable, Iterator

import libvirt
from lxml import etree

from ..errors import ConsoleTimeout, InvalidState, OperationFailed, attempt, libvirt_errors
from ..i18n import _
from ..specs.parser import xml_parser
from ..states import state_name

__all__ = ["Console", "ConsoleTimeout", "log_path", "clean", "wait_ready", "READY_MARKER", "DHCP_MARKER", "PROMPT"]

READY_MARKER = "KVMLAB-GUEST-READY"  # rc.sysinit's last line: modules loaded, DHCP started, shell next
DHCP_MARKER = "KVMLAB-GUEST-DHCP"  # "<marker> <nic> <ip>" from udhcpc.script, once per lease
PROMPT = "kvmlab# "  # the ttyS0 shell's PS1

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc")
_counter = iter(range(1, 1 << 30))
_PANIC = "Kernel panic - not syncing"  # the kernel's last words, before or without a pvpanic device


def log_path(name: str) -> Path:
    """Where the lab writes a guest's serial console transcript (libvirt's own log directory)."""
    if os.geteuid() == 0:
        return Path("/var/log/libvirt/qemu") / f"{name}.serial.log"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "libvirt" / "qemu" / "log" / f"{name}.serial.log"


def clean(line: str) -> str:
    """A console line without terminal escape sequences and carriage returns."""
    return _ANSI.sub("", line).replace("\r", "")


class Console:
    """The serial console of a running domain.

    Args:
        dom: the libvirt domain (or anything with ``.virconn`` plus ``name``).
        progress: called with each complete line as it is read.
    """

    def __init__(self, dom: libvirt.virDomain, progress: Callable[[str], None] | None = None):
        self.dom = dom
        self.progress = progress
        self.lines_seen: list[str] = []
        self._partial = ""
        self._mark = 0
        self._offset = 0
        self._fd: int | None = None
        self._pty_buf = bytearray()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.log, self.pty = self._paths()

    @classmethod
    def open(cls, conn, name: str, progress: Callable[[str], None] | None = None) -> "Console":
        """The console of domain ``name`` on a kvmlab Connection (or libvirt virConnect)."""
        v = getattr(conn, "virconn", conn)
        with libvirt_errors(f"failed to get domain '{name}'"):
            dom = v.lookupByName(name)
        return cls(dom, progress)

    def _paths(self) -> tuple[Path | None, str | None]:
        with libvirt_errors():
            root = etree.fromstring(self.dom.XMLDesc(0).encode(), xml_parser())
        serial = root.find("devices/serial")
        if serial is None:
            raise InvalidState(_("domain '{name}' has no serial console").format(name=self.dom.name()),
                               hint=_("kvmlab.lab.guest.domain_xml() adds <serial type='pty'> with a log file"))
        log = serial.find("log")
        source = serial.find("source")
        pty = source.get("path") if serial.get("type") == "pty" and source is not None else None
        return (Path(log.get("file")) if log is not None else None), pty

    # -- reading ----------------------------------------------------------------------------
    def _attach(self) -> None:
        """Open the pty in raw mode and keep draining it (a full pty would stall the guest)."""
        if self._fd is not None or not self.pty:
            return
        fd = os.open(self.pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(fd, termios.TCSANOW)  # no echo back into the guest, no line editing
        except termios.error:
            pass
        self._fd = fd
        self._thread = threading.Thread(target=self._drain, name=f"console-{self.dom.name()}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._stop.is_set() and self._fd is not None:
            try:
                ready, _w, _x = select.select([self._fd], [], [], 0.1)
                if ready:
                    data = os.read(self._fd, 65536)
                    if self.log is None:
                        self._pty_buf += data
            except (OSError, ValueError):
                time.sleep(0.1)

    def _read_new(self) -> str:
        if self.log is None:
            self._attach()
            data, self._pty_buf = bytes(self._pty_buf), bytearray()
            return data.decode("utf-8", "replace")
        try:
            size = self.log.stat().st_size
        except FileNotFoundError:
            return ""
        if size < self._offset:  # the log was truncated: the domain started again
            self._offset = 0
        if size == self._offset:
            return ""
        with open(self.log, "rb") as f:
            f.seek(self._offset)
            data = f.read(size - self._offset)
        self._offset += len(data)
        return data.decode("utf-8", "replace")

    def poll(self) -> list[str]:
        """The complete lines that arrived since the last call (cleaned of escape codes)."""
        text = self._partial + self._read_new()
        *complete, self._partial = text.split("\n")
        out = [clean(line) for line in complete]
        for line in out:
            self.lines_seen.append(line)
            if self.progress:
                self.progress(line)
        return out

    def lines(self, timeout: float) -> Iterator[str]:
        """Yield console lines as they come, for at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.poll()
            yield from got
            if not got:
                time.sleep(0.05)

    def wait_for(self, marker: str | re.Pattern, timeout: float = 60.0, *, seen: bool = False) -> str:
        """Read until a line contains ``marker`` (a string or regex); return that line.

        ``seen=True`` also looks at the lines read before (since the last :meth:`skip`).

        Raises:
            ConsoleTimeout: not seen within ``timeout`` seconds (the last lines are attached).
        """
        rx = marker if isinstance(marker, re.Pattern) else re.compile(re.escape(marker))
        deadline = time.monotonic() + timeout
        next_look = time.monotonic() + 1.0  # how often to ask libvirt whether the guest still runs
        gone = ""
        new = self.lines_seen[self._mark:] if seen else []
        stale = None if seen else self._partial  # an unfinished line already read is not news
        while True:
            for line in new:
                if rx.search(line):
                    return line
                if _PANIC in line:  # a panicked kernel prints nothing more (without pvpanic it only spins)
                    gone = "kernel panicked"
            if gone:
                break
            if self._partial and self._partial != stale and rx.search(clean(self._partial)):
                return clean(self._partial)  # a prompt has no newline after it
            if time.monotonic() >= deadline:
                break
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + 1.0
                gone = self._stopped()
                if gone:  # a crashed or stopped guest prints nothing more: no use waiting out the timeout
                    new = self.poll()
                    if not any(rx.search(line) for line in new):
                        break
                    continue
            new = self.poll()
            if not new:
                time.sleep(0.05)
        what = marker.pattern if isinstance(marker, re.Pattern) else marker
        why = _("before the guest {state}").format(state=gone) if gone else _("within {timeout:g} s").format(
            timeout=timeout)
        where = _("; its serial log: {log}").format(log=self.log) if self.log else ""
        raise ConsoleTimeout(_("waited for '{what}' on {name}'s console: it did not appear {why}{where}").format(
                             what=what, name=self.dom.name(), why=why, where=where),
                             self.lines_seen[-15:] + ([clean(self._partial)] if self._partial else []),
                             str(self.log) if self.log else None)

    def _stopped(self) -> str:
        """'crashed' / 'shut off' when libvirt says the domain can print nothing more, else ''."""
        state = attempt(lambda: self.dom.state()[0])
        return state_name(state) if state in (libvirt.VIR_DOMAIN_CRASHED, libvirt.VIR_DOMAIN_SHUTOFF) else ""

    def skip(self) -> None:
        """Forget what is already there: later waits only see new output."""
        self.poll()
        self._partial = ""
        self._mark = len(self.lines_seen)

    # -- writing ----------------------------------------------------------------------------
    def send(self, text: str) -> None:
        """Type ``text`` into the console (add ``\\n`` to press Enter)."""
        if not self.pty:
            raise InvalidState(_("domain '{name}' has no pty console to type into").format(name=self.dom.name()),
                               hint=_("start the domain first: the pty exists only while it runs"))
        self._attach()
        data = text.encode()
        deadline = time.monotonic() + 10
        while data:
            try:
                n = os.write(self._fd, data)
                data = data[n:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationFailed(_("{name}'s console does not accept input").format(name=self.dom.name())) from None
                time.sleep(0.05)

    def run(self, command: str, timeout: float = 30.0) -> tuple[int, list[str]]:
        """Run a shell command in the guest; return (exit status, output lines).

        The command is framed by ``echo KVMLAB-BEGIN-<n>-$((1))`` and ``echo KVMLAB-DONE-<n>-$?``:
        the shell's echo of what we typed shows ``$((1))`` and ``$?`` literally (and may wrap it
        over several lines); only the shell's real answers have digits there. The output is what
        lies between the two answers.
        """
        n = next(_counter)
        self.skip()
        self.send(f"echo KVMLAB-BEGIN-{n}-$((1)); {command}; echo KVMLAB-DONE-{n}-$?\n")
        done = re.compile(rf"KVMLAB-DONE-{n}-(\d+)")
        line = self.wait_for(done, timeout)
        status = int(done.search(line).group(1))
        # the answer may still be an unfinished line (its newline not yet in the log): count it too
        seen = self.lines_seen[self._mark:] + ([clean(self._partial)] if self._partial else [])
        begin = next((i for i, ln in enumerate(seen) if ln.endswith(f"KVMLAB-BEGIN-{n}-1")), -1)
        end = next((i for i, ln in enumerate(seen) if done.search(ln)), len(seen))
        return status, seen[begin + 1:end]

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "Console":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wait_ready(conn, name: str, timeout: float = 120.0, progress: Callable[[str], None] | None = None) -> Console:
    """The console of running domain ``name`` once the guest printed its ready marker.

    Raises:
        ConsoleTimeout: no marker within ``timeout`` s (the console's last lines are attached).
    """
    con = Console.open(conn, name, progress)
    try:
        con.wait_for(READY_MARKER, timeout, seen=True)
    except BaseException:
        con.close()
        raise
    return con
