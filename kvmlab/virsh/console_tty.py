"""`virsh console` on a terminal: raw mode, the guest's bytes to stdout, keystrokes to the guest.

As virsh-console.c does: the terminal goes into raw mode (no echo, no line editing, Ctrl-C goes to
the guest), every read from stdin is sent as is, except a read that *starts* with the escape key
Ctrl-] (0x1d), which ends the session; the terminal's settings come back whatever happens.
"""

from __future__ import annotations

import os
import select
import termios
import tty

from ..errors import OperationFailed
from ..i18n import _
from ..ops.console_session import ESCAPE_NAME, ConsoleSession
from .streams import current

__all__ = ["require_tty", "banner", "attach"]

POLL = 0.2  # seconds between looks at the session while no key is pressed


def require_tty(fd: int = 0) -> None:
    """virsh refuses an interactive console without a terminal on stdin."""
    if not os.isatty(fd):
        raise OperationFailed("Cannot run interactive console without a controlling TTY",  # i18n: virsh's own words (render/l10n.py)
                              hint=_("run it in a terminal (`kvmlab virsh console NAME`); in a notebook use "
                                     "kvmlab.widgets.SerialConsole(conn, NAME), or conn.console(NAME) from Python"))


def banner(name: str) -> None:
    """What virsh prints before the guest's first byte."""
    out = current().out
    out.write(f"Connected to domain '{name}'\nEscape character is {ESCAPE_NAME}\n")
    out.flush()


def attach(session: ConsoleSession, fd_in: int = 0, fd_out: int = 1) -> None:
    """Run the session on this terminal until Ctrl-], end of input, or the guest's side closes.

    Raises:
        OperationFailed: the console ended by itself (the guest stopped, another client forced it off).
    """
    saved = termios.tcgetattr(fd_in)
    session.on_output(lambda data: os.write(fd_out, data))
    try:
        tty.setraw(fd_in, termios.TCSANOW)
        while not session.closed:
            ready, _w, _x = select.select([fd_in], [], [], POLL)
            if not ready:
                continue
            keys = os.read(fd_in, 1024)
            if not keys:
                session.close("end of input on the terminal")
                break
            if not session.feed(keys):
                return
    finally:
        termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
        session.close()
    if not session.reason.startswith(("you pressed", "end of input", "closed")):
        raise OperationFailed(session.reason, hint=_("`virsh domstate NAME --reason` says whether the guest still runs"))
