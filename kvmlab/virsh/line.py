"""Run a virsh line on an open Connection from Python: what a lesson shows next to the Python twin."""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape

from ..errors import UsageError
from ..i18n import _
from .parse import parse_batch
from .run import COMMANDS, report_usage, run_batch

__all__ = ["VirshRun", "run_line"]


@dataclass
class VirshRun:
    """What ``virsh -c URI '<line>'`` would print: stdout, stderr (with kvmlab's hint lines) and the exit code."""

    line: str
    stdout: str
    stderr: str
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __str__(self) -> str:
        return self.stdout + self.stderr

    def _repr_html_(self) -> str:
        err = f"<pre style='color:#a00'>{escape(self.stderr)}</pre>" if self.stderr else ""
        return f"<div><code>$ virsh {escape(self.line)}</code><pre>{escape(self.stdout)}</pre>{err}</div>"


def run_line(conn, line: str) -> VirshRun:
    """Parse ``line`` with virsh's grammar (a whole batch, ``;``-separated) and run it on ``conn``.

    Raises:
        UsageError: ``line`` is not text (virsh's argument is a string of words).
    """
    if not isinstance(line, str):
        decode = _("; decode bytes first: conn.virsh(data.decode())") if isinstance(line, (bytes, bytearray)) else ""
        raise UsageError(
            _("conn.virsh() takes a virsh command line as text, got {type}: {line}").format(
                type=type(line).__name__, line=f"{line!r:.60}"),
            hint=_("pass a str such as conn.virsh('list --all') or 'dominfo web01; domstate web01'{decode}").format(
                decode=decode),
        )
    out, errs = io.StringIO(), io.StringIO()
    try:
        if "\0" in line:  # virsh's argument is a C string: it cannot carry one, so nothing runs
            raise UsageError(
                _("the command line holds a NUL character at position {position}").format(position=line.index(chr(0))),
                hint=_("no virsh word can hold NUL (\\0); remove it (`virsh` reads its argument up to the first NUL)"),
            )
        invocations = parse_batch(line, COMMANDS)
    except UsageError as err:
        report_usage(err, out, errs)
        return VirshRun(line, out.getvalue(), errs.getvalue(), 1)
    if not invocations:
        return VirshRun(line, "", "", 1 if line == "" else 0)
    ok = run_batch(conn, invocations, out, errs)
    return VirshRun(line, out.getvalue(), errs.getvalue(), 0 if ok else 1)
