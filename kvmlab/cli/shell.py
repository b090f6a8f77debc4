"""`kvmlab virsh` with no command: virsh's interactive terminal on one connection.

The connection stays open between lines, so state persists (which matters for the embedded lab:
a new `kvmlab virsh` process starts from a fresh one). As in virsh: a banner, the prompt
``virsh # ``, each line parsed and run as a batch, errors never end the session, ``quit`` or
``exit`` (or end of input) do, and the exit status is 0. When stdin is not a terminal, virsh
(readline) echoes each line after the prompt; so does this.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from ..connection import Connection
from ..errors import UsageError
from ..render.l10n import catalog, tr
from ..virsh.parse import parse_batch
from ..virsh.run import COMMANDS, QUIT_COMMANDS, report_usage, run_batch

__all__ = ["BANNER", "PROMPT", "interactive"]

BANNER = (
    "Welcome to virsh, the virtualization interactive terminal.\n\n"
    "Type:  'help' for help with commands\n"
    "       'quit' to quit\n\n"
)
PROMPT = "virsh # "


def _banner() -> str:
    """virsh's banner, from libvirt's catalog under another language."""
    if catalog() is None:
        return BANNER
    return (tr("Welcome to %s, the virtualization interactive terminal.\n\n") % "virsh"
            + tr("Type:  'help' for help with commands\n       'quit' to quit\n\n"))


def _read(tty: bool, stdin: TextIO, out: TextIO, pending: list[str]) -> str | None:
    """The next line as virsh's readline takes it: NUL characters dropped (``te\\0st`` reads ``test``),
    and a carriage return ends a line as a newline does (``list\\r\\n`` is ``list``, then an empty line)."""
    if tty:
        try:
            return input(PROMPT).replace("\0", "")  # readline: line editing and history
        except EOFError:
            return None
    out.write(PROMPT)
    if not pending:
        line = stdin.readline()
        if not line:
            return None
        pending.extend(reversed(line.rstrip("\n").replace("\0", "").split("\r")))
    line = pending.pop()
    out.write(line + "\n")
    return line


def interactive(conn: Connection, out: TextIO, errs: TextIO, stdin: TextIO | None = None) -> int:
    """Read lines until quit/exit or end of input; run each as a virsh batch on ``conn``."""
    stdin = stdin or sys.stdin
    tty = stdin.isatty() and out is sys.stdout
    if tty:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (input() then edits lines and keeps history)
    out.write(_banner())
    pending: list[str] = []  # the rest of a physical line after a carriage return
    while (line := _read(tty, stdin, out, pending)) is not None:
        if not line.strip():
            continue
        try:
            invocations = parse_batch(line, COMMANDS)
        except UsageError as err:
            out.flush()
            report_usage(err, out, errs)
            errs.flush()
            continue
        run_batch(conn, invocations, out, errs)
        if any(inv.command.name in QUIT_COMMANDS for inv in invocations):
            break
    out.write("\n")
    out.flush()
    return 0
