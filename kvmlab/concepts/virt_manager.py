"""virt-manager, libvirt's graphical client, run for real on a virtual display: pictures for lesson 1.

    >>> from kvmlab.concepts import virt_manager
    >>> shots = virt_manager.screenshots(conn, "web01")   # its main window, then web01's details window
    >>> shots.show()                                       # in a notebook: each caption, then the picture

virt-manager is started as a learner would start it, ``virt-manager --connect URI`` (and
``--show-domain-editor NAME`` for a VM's details), under Xvfb, and each window is photographed once
it has stopped changing. On a real libvirt URI (``qemu:///system``) it connects to the same daemon
as this notebook. The test driver's host lives inside the process that opened it, so for the
embedded lab virt-manager opens a node file written from this connection's state just before
(:mod:`kvmlab.concepts.node_file`): it shows the lab as the notebook left it.

Nothing here raises for a missing program or a window that does not come: the answer is a
:class:`Screenshots` without pictures whose ``note`` says what is missing and the command that
installs it. virt-manager's own chatter (GTK warnings) goes to a log, never to the notebook.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import KvmlabError, OperationFailed, libvirt_errors
from ..i18n import _
from ..ops.domain_lookup import lookup_domain
from .node_file import write_node_file
from .xdisplay import Program, VirtualDisplay

__all__ = ["INSTALL", "TIMEOUT", "Screenshot", "Screenshots", "screenshots", "missing"]

INSTALL = "apt-get install virt-manager xvfb (Debian/Ubuntu; ./kvmlab.sh installs both)"
TIMEOUT = 20.0  # seconds for both windows together; a typical run takes about 5
_WHAT = ("virt-manager is libvirt's graphical client, the GUI peer of virsh: it opens the same URI and "
         "calls the same API, with windows and buttons instead of commands")  # fmt: skip


@dataclass(frozen=True)
class Screenshot:
    """One virt-manager window as a PNG; shows as the picture in a notebook."""

    title: str  # "main window", "details of web01"
    command: str  # the command line that drew it
    png: bytes = field(repr=False)

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels, read from the PNG's header."""
        return int.from_bytes(self.png[16:20], "big"), int.from_bytes(self.png[20:24], "big")

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return f"<virt-manager screenshot: {self.title}>"


@dataclass(frozen=True)
class Screenshots:
    """What :func:`screenshots` made: the pictures, or a note saying why there are none."""

    uri: str  # the URI virt-manager was connected to
    shots: tuple[Screenshot, ...] = ()
    note: str = ""  # empty when every window was photographed
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.shots) and not self.note

    def __iter__(self):
        return iter(self.shots)

    def __len__(self) -> int:
        return len(self.shots)

    def __str__(self) -> str:
        lines = [f"virt-manager --connect {self.uri}"]
        lines += [f"  {s.title}: {s.size[0]} x {s.size[1]} PNG  ($ {s.command})" for s in self.shots]
        return "\n".join(lines + ([f"note: {self.note}"] if self.note else []))

    def show(self) -> None:
        """In a notebook: each window's caption, then its picture; or the note."""
        if self.note:
            print("note:", self.note)
        for shot in self.shots:
            print(f"virt-manager's {shot.title}, connected to {self.uri}:")
            _display(shot)


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def missing() -> str:
    """What this machine lacks to run virt-manager on a virtual display ('' when nothing)."""
    lack = [prog for prog in ("virt-manager", "Xvfb") if shutil.which(prog) is None]
    if lack:
        verb = "are" if len(lack) > 1 else "is"
        return f"{' and '.join(lack)} {verb} not installed here, so no screenshot: {INSTALL}. {_WHAT}."
    try:
        from PIL import ImageGrab  # noqa: F401
        from PIL import features
    except ImportError:
        return f"Pillow is not installed, so no screenshot: pip install pillow. {_WHAT}."
    if not features.check("xcb"):
        return f"this Pillow cannot read an X display (built without XCB): pip install --force-reinstall pillow. {_WHAT}."
    return ""


def _target_uri(conn: Any, work: Path) -> str:
    """The URI virt-manager opens: the connection's own, or for the test driver a node file of it now."""
    with libvirt_errors("failed to read the connection's driver"):
        driver = conn.virconn.getType()
    if driver.lower() == "test":
        return write_node_file(conn, work / "embedded-host.xml")
    return conn.uri


def _log_tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def _windows(windows: list[tuple[str, list[str]]], uri: str, work: Path, deadline: float,
             say: Callable[[str], None], shots: list[Screenshot]) -> None:  # fmt: skip
    """Each window on its own Xvfb, all started at once (they draw side by side); each picture
    appended to ``shots`` as it settles. Every Xvfb and virt-manager is stopped, whatever happens."""
    with contextlib.ExitStack() as stack:
        running = []
        for title, extra in windows:
            log_path = work / (re.sub(r"[^\w.-]+", "-", title) + ".log")  # Xvfb's and virt-manager's own output
            log = stack.enter_context(open(log_path, "w"))
            try:
                xd = stack.enter_context(VirtualDisplay.start(log, work))
            except KvmlabError as err:
                raise OperationFailed(f"{title}: {err}", hint=_log_tail(log_path)) from err
            app = Program.start(["virt-manager", "--no-fork", "--connect", uri, *extra], xd.env(), log)
            stack.callback(app.stop)  # before its display stops: the stack unwinds last in, first out
            running.append((title, extra, xd, app, log_path))
        for title, extra, xd, app, log_path in running:
            try:
                png = xd.settled_frame(app, deadline)
            except KvmlabError as err:
                raise OperationFailed(f"{title}: {err}", hint=_log_tail(log_path)) from err
            say(_("{title}: drawn").format(title=title))
            shots.append(Screenshot(title, " ".join(["virt-manager", "--connect", uri, *extra]), png))


def screenshots(conn: Any, domain: str, timeout: float = TIMEOUT,
                progress: Callable[[str], None] | None = print) -> Screenshots:  # fmt: skip
    """Run virt-manager against ``conn``'s host and photograph its main window and ``domain``'s details.

    Args:
        conn: a :class:`kvmlab.Connection`; the embedded lab is shown as it is now.
        domain: the VM whose details window to show (a name, as virt-manager takes it).
        timeout: seconds for both windows together; past it the answer is a note, not a hang.
        progress: called with one short line per step (``None``: quiet).

    Returns:
        :class:`Screenshots`: two pictures, or none and a ``note`` saying what is missing or what
        went wrong (with the end of virt-manager's log).

    Raises:
        NotFound: no domain ``domain`` on ``conn`` (virsh: ``failed to get domain``).
    """
    say = progress or (lambda _line: None)
    dom = lookup_domain(conn.virconn, domain, [])
    name = dom.name()
    lack = missing()
    if lack:
        return Screenshots(conn.uri, note=lack)
    start = time.monotonic()
    deadline = start + timeout
    with tempfile.TemporaryDirectory(prefix="kvmlab-virt-manager-") as tmp:
        work = Path(tmp)
        work.chmod(0o700)
        uri = _target_uri(conn, work)
        say(_("starting virt-manager on a virtual display (Xvfb) …"))
        shots: list[Screenshot] = []
        try:
            _windows([("main window", []), (f"details of {name}", ["--show-domain-editor", name])],
                     uri, work, deadline, say, shots)  # fmt: skip
        except KvmlabError as err:
            tail = f" (its log ends: {err.hint})" if err.hint else ""
            return Screenshots(uri, tuple(shots), f"virt-manager could not be photographed: {err}{tail}. {_WHAT}.",
                               time.monotonic() - start)  # fmt: skip
        except OSError as err:  # a program that is there but cannot be executed
            return Screenshots(uri, tuple(shots), f"virt-manager could not start: {err}. {INSTALL}. {_WHAT}.",
                               time.monotonic() - start)  # fmt: skip
    return Screenshots(uri, tuple(shots), "", time.monotonic() - start)
