"""A virtual X display (Xvfb) for one desktop program, and pictures of what it draws.

    >>> with VirtualDisplay.start(log, workdir) as xd:        # Xvfb picks a free display itself
    ...     app = Program.start(["virt-manager", ...], xd.env(), log)
    ...     frame = xd.settled_frame(app, deadline)         # PNG bytes once the window stops changing
    ...     app.stop()

Every process started here runs in its own session (its own process group), and :meth:`Program.stop`
ends that whole group: nothing is left behind when a cell finishes, fails or times out. The frame
is read with Pillow's ``ImageGrab.grab(xdisplay=…)`` (XCB, in Pillow's wheels).
"""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Sequence

from ..errors import OperationFailed
from ..i18n import _

__all__ = ["SCREEN", "Program", "VirtualDisplay", "grab_frame"]

SCREEN = (1280, 1024)  # big enough for virt-manager's details window (about 1024 x 830)
POLL = 0.25  # seconds between two frames
SETTLED = 3  # this many identical frames in a row: the window has finished drawing


@dataclass
class Program:
    """One process started in its own session; :meth:`stop` ends its whole process group."""

    proc: subprocess.Popen
    name: str

    @classmethod
    def start(cls, argv: Sequence[str], env: dict[str, str], log: IO, pass_fds: Sequence[int] = ()) -> "Program":
        proc = subprocess.Popen(list(argv), env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                pass_fds=tuple(pass_fds), start_new_session=True)  # fmt: skip
        return cls(proc, Path(argv[0]).name)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 3.0) -> None:
        """SIGTERM to the process group, SIGKILL to what is left after ``timeout``; the leader is reaped."""
        group = self.proc.pid  # start_new_session: the leader's pid is the group's id
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break  # nobody left in the group
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                self.proc.poll()  # reap the leader as soon as it exits
                if not _members(group):
                    return
                time.sleep(0.05)
        self.proc.poll()


def _members(group: int) -> list[int]:
    """The live (not zombie) processes of process group ``group``, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(group) and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


def grab_frame(display: str):
    """The whole screen of ``display`` as a Pillow RGB image."""
    from PIL import ImageGrab

    return ImageGrab.grab(xdisplay=display).convert("RGB")


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class VirtualDisplay:
    """A running Xvfb: ``name`` is ``:N``, chosen by Xvfb itself (``-displayfd``)."""

    server: Program
    name: str
    runtime_dir: Path

    @classmethod
    def start(cls, log: IO, runtime_dir: Path, timeout: float = 10.0) -> "VirtualDisplay":
        """Start Xvfb on a free display with a black root window (so a window is what is not black).

        Raises:
            OperationFailed: Xvfb exited or did not name its display within ``timeout`` seconds.
        """
        read, write = os.pipe()
        try:
            server = Program.start(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                                    "-nolisten", "tcp", "-br", "-noreset"], os.environ.copy(), log,
                                   pass_fds=(write,))  # fmt: skip
        finally:
            os.close(write)
        try:
            number = _read_line(read, timeout)
        finally:
            os.close(read)
        if not number.isdigit():
            server.stop()
            raise OperationFailed(_("Xvfb did not start within {timeout:g} s").format(timeout=timeout))
        return cls(server, f":{number}", runtime_dir)

    def env(self) -> dict[str, str]:
        """The environment of a program on this display, kept away from the user's desktop session:
        no session bus (``disabled:``: GLib neither joins nor autolaunches one), no accessibility bus,
        settings in memory (nothing is written to the user's dconf: not even the URI it opened), and
        config, cache and runtime files under ``runtime_dir``."""
        keep = ("XDG_DATA_DIRS", "XDG_CONFIG_DIRS")  # where the system's icons and schemas are
        env = {k: v for k, v in os.environ.items()
               if k in keep or not k.startswith(("DBUS_", "WAYLAND_", "XDG_"))}  # fmt: skip
        env.update(DISPLAY=self.name, GSETTINGS_BACKEND="memory", NO_AT_BRIDGE="1", GDK_BACKEND="x11",
                   DBUS_SESSION_BUS_ADDRESS="disabled:",
                   XDG_RUNTIME_DIR=str(self.runtime_dir), XDG_CONFIG_HOME=str(self.runtime_dir / "config"),
                   XDG_CACHE_HOME=str(self.runtime_dir / "cache"), XDG_DATA_HOME=str(self.runtime_dir / "data"))
        env.pop("XAUTHORITY", None)
        return env

    def settled_frame(self, app: Program, deadline: float) -> bytes:
        """A PNG of the window ``app`` draws, cropped to it, once ``SETTLED`` frames in a row are the same.

        Without a window manager a window has no frame and sits at the top left; the root window
        is black, so the window is the bounding box of what is not black.

        Raises:
            OperationFailed: ``app`` exited, or drew nothing steady before ``deadline`` (time.monotonic()).
        """
        last, same = None, 0
        while time.monotonic() < deadline:
            if not app.running():
                raise OperationFailed(_("{name} exited (status {status}) before it drew a window").format(
                                      name=app.name, status=app.proc.returncode))
            frame = grab_frame(self.name)
            box = frame.getbbox()
            if box is not None:
                window = frame.crop(box)
                same = same + 1 if last is not None and window.tobytes() == last.tobytes() else 0
                last = window
                if same >= SETTLED - 1:
                    return _png(window)
            time.sleep(POLL)
        raise OperationFailed((_("{name} drew nothing in time") if last is None else
                               _("{name} drew no steady window in time")).format(name=app.name))

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> "VirtualDisplay":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _read_line(fd: int, timeout: float) -> str:
    """What a child writes on ``fd`` up to its first newline (or EOF), waiting at most ``timeout``."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip()
