"""Wait for many guests at once: each one's serial console read until a marker shows, all in one loop.

Booting eleven tiny guests one after the other would take eleven boots; started together they share the
CPUs, and :func:`wait_all` follows every console at once: a progress line per guest as it comes, a line every
5 s naming who is still missing, a guest that stops or crashes ends the wait at once, and one still silent
after the timeout raises :class:`~kvmlab.errors.ConsoleTimeout` with its console's last lines.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import libvirt

from ..errors import ConsoleTimeout, attempt, libvirt_errors
from ..i18n import N_, _
from .console import READY_MARKER, Console
from .ownership import virconn_of

__all__ = ["wait_all", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 90.0
Progress = Callable[[str], None]


def wait_all(conn: Any, names: list[str], marker: str = READY_MARKER, timeout: float = DEFAULT_TIMEOUT,
             progress: Progress | None = None, what: str = N_("ready")) -> dict[str, str]:  # fmt: skip
    """Wait (bounded) until each guest's console shows ``marker``; name -> that line.

    Progress: a line per guest as it comes, and every 5 s who is still missing. A guest that stops or
    crashes ends the wait at once; one that is still silent after ``timeout`` s raises ConsoleTimeout with
    the last lines of its console.
    """
    say = progress or (lambda _line: None)
    what = _(what)
    v = virconn_of(conn)
    with libvirt_errors("failed to get domain"):
        doms = {n: v.lookupByName(n) for n in names}
    consoles = {n: Console(d) for n, d in doms.items()}
    found: dict[str, str] = {}
    t0 = next_note = next_look = time.monotonic()
    try:
        while len(found) < len(names):
            for n, con in consoles.items():
                if n not in found:
                    con.poll()
                    line = next((ln for ln in con.lines_seen if marker in ln), None)
                    if line is not None:
                        found[n] = line
                        say(_("  {what} {found:2}/{total} after {seconds:4.1f} s: {name}").format(
                            what=what, found=len(found), total=len(names), seconds=time.monotonic() - t0, name=n))
            late = [n for n in names if n not in found]
            now = time.monotonic()
            if not late:
                break
            if now >= next_look:  # a stopped or crashed guest prints nothing more: do not wait out the timeout
                next_look = now + 1.0
                gone = [n for n in late if attempt(lambda n=n: doms[n].state()[0]) in
                        (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_CRASHED)]  # fmt: skip
                if gone:
                    con = consoles[gone[0]]
                    raise ConsoleTimeout(_("{names} stopped before it was {what}: its console's last lines say why").format(
                        names=", ".join(gone), what=what), con.lines_seen[-12:], str(con.log) if con.log else None)
            if now - t0 > timeout:
                con = consoles[late[0]]
                raise ConsoleTimeout(_("{n} guest(s) not {what} within {timeout:g} s: {names} (the console below is "
                                       "{first}'s)").format(n=len(late), what=what, timeout=timeout,
                                                            names=", ".join(late), first=late[0]), con.lines_seen[-12:],
                                     str(con.log) if con.log else None)  # fmt: skip
            if now >= next_note + 5.0:
                next_note = now
                say(_("  … {found}/{total} {what} after {seconds:.0f} s; waiting for {names}").format(
                    found=len(found), total=len(names), what=what, seconds=now - t0, names=", ".join(late)))
            time.sleep(0.1)
    finally:
        for con in consoles.values():
            con.close()
    return found
