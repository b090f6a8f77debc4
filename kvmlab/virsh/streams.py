"""How a virsh command writes besides its result: ``error:`` lines, the hint, libxml2's own lines.

A command writes to the streams of the batch it runs in, never to the process's ``sys.stdout``:
:func:`bound` sets them for the current thread (a context variable), so four threads running
``conn.virsh()`` on one Connection each get their own output and ``print()`` is never redirected.
Like vshError, stdout is flushed before each write to stderr so a terminal shows both in order.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
from typing import Iterator, NamedTuple, Sequence, TextIO

from ..errors import KvmlabError, XPathSyntax
from ..ops.result import Xml
from ..render.l10n import catalog, tr, tr_line

__all__ = ["HINT_PREFIX", "Streams", "bound", "current", "say_errors", "report", "xpath_quirk"]

HINT_PREFIX = "kvmlab hint: "


class Streams(NamedTuple):
    out: TextIO
    err: TextIO


_CURRENT: contextvars.ContextVar[Streams | None] = contextvars.ContextVar("kvmlab_virsh_streams", default=None)


def current() -> Streams:
    """The streams of the batch running in this thread (the process's own outside a batch)."""
    return _CURRENT.get() or Streams(sys.stdout, sys.stderr)


@contextlib.contextmanager
def bound(out: TextIO, err: TextIO) -> Iterator[Streams]:
    """Make ``out``/``err`` the streams every command in this block writes to (this thread only)."""
    token = _CURRENT.set(Streams(out, err))
    try:
        yield Streams(out, err)
    finally:
        _CURRENT.reset(token)


def say_errors(lines: Sequence[str] = (), hint: str = "", raw: str = "", libvirt_last: bool = False) -> None:
    """Write ``raw`` as is, then one ``error: `` line per entry, then kvmlab's hint line.

    Under another language virsh's own lines come from libvirt's catalog; ``libvirt_last``: the last
    line is libvirt's message, which libvirt wrote in the language already (or its daemon did).
    """
    out, err = current()
    out.flush()
    err.write(raw)
    prefix = "error: "
    if lines and catalog() is not None:
        prefix = tr(prefix)
        own = len(lines) - libvirt_last
        lines = [tr_line(line) if i < own else line for i, line in enumerate(lines)]
    for line in lines:
        err.write(f"{prefix}{line}\n")
    if hint:
        err.write(HINT_PREFIX + " ".join(hint.split()) + "\n")
    err.flush()


def report(err: KvmlabError) -> None:
    """A failed command: the stdout virsh printed before failing, then its error lines and the hint."""
    if err.partial_stdout:
        current().out.write(err.partial_stdout)
    say_errors(err.virsh_error, err.hint, libvirt_last=err.libvirt_code is not None)


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
