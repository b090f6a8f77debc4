"""The status line every widget reports through: the virsh command, the libvirt calls, the
result — or virsh's error lines and kvmlab's hint. Progress for work of several steps.

Widgets never print (a print inside an ipywidgets Output breaks nbval); they set HTML here.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable, Sequence

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import N_, _
from ..ops.result import Result

__all__ = ["Status", "Steps", "problems_html"]

_BOX = "border-left:3px solid {color};padding:2px 8px;margin:4px 0"


class Status(W.HTML):
    """An HTML widget that shows what the last action did (``.value`` is the HTML)."""

    def busy(self, attempted: str) -> None:
        """Show the command about to run (long work: the learner sees something is happening)."""
        running = _("running {command} …").format(command=f"<code>{escape(attempted)}</code>")
        self.value = f"<div style='{_BOX.format(color='#888')}'>{running}</div>"

    def note(self, text: str) -> None:
        self.value = f"<div style='{_BOX.format(color='#888')}'>{escape(text)}</div>"

    def show(self, *results: Result, note: str = "") -> None:
        """Show one or more results: virsh's text, the virsh command line and the libvirt calls."""
        parts = [f"<div>{escape(note)}</div>"] if note else []
        parts += [r._repr_html_() for r in results]
        self.value = f"<div style='{_BOX.format(color='#2a2')}'>{''.join(parts)}</div>"

    def fail(self, err: KvmlabError, attempted: str = "") -> None:
        """Show a teaching error: the virsh line that failed, virsh's ``error:`` lines, the hint.

        The line is the operation's own (``err.virsh``) when it recorded one, else ``attempted``.
        """
        attempted = err.virsh or attempted
        tried = f"<div><b>virsh:</b> <code>{escape(attempted)}</code></div>" if attempted else ""
        self.value = f"<div style='{_BOX.format(color='#a00')}'>{tried}{err._repr_html_()}</div>"

    def run(self, attempted: str, fn: Callable[..., Result], *args: Any, **kwargs: Any) -> Result | None:
        """Call one operation; show its result, or its error. Returns the result or None."""
        self.busy(attempted)
        try:
            result = fn(*args, **kwargs)
        except KvmlabError as err:
            self.fail(err, attempted)
            return None
        self.show(result)
        return result


class Steps(W.IntProgress):
    """A progress bar for an action of several operations (pool define → build → start …)."""

    def __init__(self, **kwargs: Any):
        super().__init__(value=0, min=0, max=1, description="", bar_style="", **kwargs)
        self.layout.visibility = "hidden"

    def run(self, status: Status, steps: Sequence[tuple[str, Callable[[], Result]]]) -> list[Result] | None:
        """Run ``(virsh_line, thunk)`` steps in order, showing each; stop at the first error.

        Returns every result, or None when a step failed (the status then shows the error and
        the results of the steps that did run).
        """
        self.max, self.value, self.bar_style = len(steps), 0, "info"
        self.layout.visibility = "visible"
        done: list[Result] = []
        for attempted, thunk in steps:
            self.description = attempted.split()[1] if len(attempted.split()) > 1 else attempted
            status.busy(attempted)
            try:
                done.append(thunk())
            except KvmlabError as err:
                self.bar_style = "danger"
                before = "".join(r._repr_html_() for r in done)
                status.fail(err, attempted)
                status.value = before + status.value
                return None
            self.value += 1
        self.bar_style = "success"
        status.show(*done)
        return done


def problems_html(problems: Sequence[str], ok: str = N_("valid")) -> str:
    """Validation messages: errors in red; ``note:`` lines only teach and do not block."""
    errors = [p for p in problems if not p.startswith("note: ")]
    notes = [p for p in problems if p.startswith("note: ")]
    head = "" if errors else f"<span style='color:#2a2'>✔ {escape(_(ok))}</span>"
    items = "".join(f"<li>{escape(p)}</li>" for p in errors)
    items += "".join(f"<li style='color:#666'>{escape(p)}</li>" for p in notes)
    return head + (f"<ul style='color:#a00;margin:0'>{items}</ul>" if items else "")
