"""The board for many objects: one HTML table (name, state) and one action bar for the rows picked.

A row of buttons per object costs about a dozen widgets each: 1,000 domains took 4 s to build. The
table is two widgets whatever the count; a refresh rebuilds only the rows whose state changed.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Sequence

import ipywidgets as W

from ..i18n import _

__all__ = ["BoardTable", "Listed"]

_HEAD = ("<table class='kvmlab-board' style='border-collapse:collapse'>"
         "<tr><th style='text-align:left;padding-right:2em'>{name}</th><th style='text-align:left'>{state}</th></tr>")


class Listed:
    """One object of a big board: its name and its state at the last refresh (no buttons of its own)."""

    __slots__ = ("name", "state")

    def __init__(self, name: str, state: str):
        self.name, self.state = name, state

    def __repr__(self) -> str:
        return f"Listed({self.name!r}, {self.state!r})"


class BoardTable(W.VBox):
    """``grid`` (the HTML table), ``pick`` (the names the action bar acts on) and one
    ``<key>_button`` per action; ``on_act(action, names)`` runs an action on the picked names."""

    def __init__(self, actions: Sequence, on_act: Callable[[object, list[str]], None],
                 badge: Callable[[str], str]):  # fmt: skip
        self._badge = badge
        self._rows: dict[tuple[str, str], str] = {}  # (name, state) -> its <tr>, reused while unchanged
        self.count = W.HTML()
        self.grid = W.HTML(layout=W.Layout(max_height="24em", overflow="auto"))
        self.pick = W.SelectMultiple(options=(), rows=8, layout=W.Layout(width="20em"))
        self.buttons: dict[str, W.Button] = {}
        for action in actions:
            what = _(action.tooltip) if action.tooltip else "virsh " + action.virsh
            button = W.Button(description=_(action.label), button_style=action.style,
                              tooltip=_("{what} (each picked row)").format(what=what),
                              layout=W.Layout(width="auto", flex="0 0 auto"))  # fmt: skip
            button.on_click(lambda _b, a=action: on_act(a, list(self.pick.value)))
            self.buttons[action.key] = button
            setattr(self, f"{action.key}_button", button)
        bar = W.VBox([W.HTML(_("<small>pick rows (Ctrl- or Shift-click), then an action for each:</small>")),
                      W.HBox(list(self.buttons.values()), layout=W.Layout(flex_flow="row wrap"))])  # fmt: skip
        super().__init__([self.count, self.grid, W.HBox([self.pick, bar])])

    def show(self, items: Sequence[tuple[str, str]]) -> dict[str, Listed]:
        """Show ``(name, state)`` rows; returns name -> Listed."""
        rows = {}
        for name, state in items:
            key = (name, state)
            rows[key] = self._rows.get(key) or (f"<tr><td style='padding-right:2em'><b>{escape(name)}</b></td>"
                                                f"<td style='white-space:nowrap'>{self._badge(state)}</td></tr>")
        self._rows = rows
        html = _HEAD.format(name=_("Name"), state=_("State")) + "".join(rows.values()) + "</table>"
        if html != self.grid.value:
            self.grid.value = html
        names = tuple(name for name, _state in items)
        if names != tuple(self.pick.options):
            kept = tuple(n for n in self.pick.value if n in set(names))
            self.pick.options = names
            self.pick.value = kept
        self.count.value = _("<small>{count} objects: one table, and one action bar for the rows you pick</small>").format(
            count=len(names))
        return {name: Listed(name, state) for name, state in items}
