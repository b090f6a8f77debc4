"""How a virsh command writes besides its result: ``error:`` lines, the hint, libxml2's own lines.

Commands write through ``sys.stdout``/``sys.stderr``; the runner points those at its streams while a
command runs, so ``main(argv, out=…, errs=…)`` captures everything. Like vshError, stdout is
flushed before each write to stderr so a terminal shows both in order.
"""

from __future__ import annotations

import sys
from typing import Sequence

from ...errors import KvmlabError
from ...ops.result import Xml
from ...ops.xpath import XPathSyntax

__all__ = ["HINT_PREFIX", "say_errors", "report", "xpath_quirk"]

HINT_PREFIX = "kvmlab hint: "


def say_errors(lines: Sequence[str] = (), hint: str = "", raw: str = "") -> None:
    """Write ``raw`` as is, then one ``error: `` line per entry, then kvmlab's hint line."""
    sys.stdout.flush()
    sys.stderr.write(raw)
    for line in lines:
        sys.stderr.write(f"error: {line}\n")
    if hint:
        sys.stderr.write(HINT_PREFIX + " ".join(hint.split()) + "\n")
    sys.stderr.flush()


def report(err: KvmlabError) -> None:
    """A failed command: the stdout virsh printed before failing, then its error lines and the hint."""
    if err.partial_stdout:
        sys.stdout.write(err.partial_stdout)
    say_errors(err.virsh_error, err.hint)


def xpath_quirk(call):
    """virsh prints libxml2's complaint about a malformed --xpath on stderr and still succeeds:
    no nodes, so nothing on stdout (``<nodes/>`` with --wrap)."""

    def run(conn, v: dict):
        try:
            return call(conn, v)
        except XPathSyntax as err:
            say_errors(raw=err.stderr_text, hint=err.hint)
            return Xml(xml="<nodes/>\n" if v.get("wrap") else "")

    return run
