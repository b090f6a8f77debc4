"""A dashboard base: one row per object with its state and action buttons, read from libvirt.

The board keeps nothing libvirt already knows: every refresh reads the list again (after its
own actions, and when a lifecycle event arrives from libvirt's event loop — never by polling).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from html import escape
from typing import Any, Callable, Sequence

import ipywidgets as W

from ..errors import ConnectionFailed, KvmlabError
from ..i18n import _
from ..ops.result import Result
from .board_table import BoardTable, Listed
from .events import Watch
from .panel import Panel
from .status import Status

__all__ = ["Action", "Board", "Row"]


@dataclass(frozen=True)
class Action:
    """One button of a row: ``call(conn, name)`` runs the operation; ``virsh`` names the command."""

    key: str
    label: str
    virsh: str
    call: Callable[[Any, str], Result]
    tooltip: str = ""
    style: str = ""

    def attempted(self, name: str) -> str:
        return f"virsh {self.virsh} {name}"


class Row(W.HBox):
    """One object: ``name_label``, ``state_label`` and ``<key>_button`` for each action.

    The labels never shrink or wrap (``state_width`` is the state column's minimum, so the
    buttons line up while the states fit in it); the buttons keep their full text and wrap onto
    a second line, under the first button, when the output is too narrow for all of them.
    """

    def __init__(self, name: str, actions: Sequence[Action], on_click: Callable[[Action, str], None],
                 state_width: str = "14em"):  # fmt: skip
        self.name_label = W.HTML(f"<b>{escape(name)}</b>", layout=W.Layout(min_width="9em", flex="0 0 auto"))
        self.state_label = W.HTML(layout=W.Layout(min_width=state_width, flex="0 0 auto",
                                                  margin="2px 1em 2px 2px"))  # 1em: space when a state overflows
        self.buttons: dict[str, W.Button] = {}
        for action in actions:
            button = W.Button(
                description=_(action.label),
                tooltip=_(action.tooltip) if action.tooltip else action.attempted(name),
                button_style=action.style,
                layout=W.Layout(width="auto", flex="0 0 auto"),
            )
            button.on_click(lambda _b, a=action: on_click(a, name))
            self.buttons[action.key] = button
            setattr(self, f"{action.key}_button", button)
        self.button_box = W.HBox(list(self.buttons.values()),
                                 layout=W.Layout(flex_flow="row wrap", flex="1 1 0%", margin="0"))
        super().__init__([self.name_label, self.state_label, self.button_box])
        self.name = name
        self.state = ""

    def show_state(self, state: str, badge: str) -> None:
        """Show ``state`` as the HTML ``badge`` on one line."""
        self.state = state
        self.state_label.value = f"<span style='white-space:nowrap'>{badge}</span>"

    def close(self) -> None:
        for widget in (self.name_label, self.state_label, *self.buttons.values(), self.button_box):
            widget.close()
        super().close()


class Board(Panel):
    """Base of the dashboards. Subclasses set ``kind``, ``actions`` and ``read()``.

    Attributes:
        rows: name -> Row, as libvirt listed them at the last refresh (name -> Listed above ``row_limit``).
        grid: the BoardTable shown above ``row_limit`` objects (None until then).
        status: the last action's virsh line, libvirt calls and result (or error).
        source: where the rows came from (the list command) and what triggered the refresh.
        refresh_button: read the list again now.
        watch: the lifecycle-event registration (None with ``events=False``); ``listening``
            shows the libvirt call behind it.
        disconnected: the ConnectionFailed of the last refresh when the daemon did not answer
            (the board says "disconnected" with its hint and keeps the old rows), else None. The
            next refresh that works (the Refresh button) clears it and registers for events again.
    """

    kind = ""
    title = ""
    actions: Sequence[Action] = ()
    state_width = "14em"  # the state column: wide enough for the usual states, so rows line up
    row_limit = 60  # above this many objects: one table and one action bar (BoardTable), not a row each
    grid: BoardTable | None = None

    disconnected: ConnectionFailed | None = None

    def __init__(self, conn, events: bool = True):
        self.conn = conn
        self.rows: dict[str, Row | Listed] = {}
        self.status = Status()
        self.source = W.HTML()
        self.refresh_button = W.Button(description=_("Refresh"), icon="refresh",
                                       layout=W.Layout(width="auto", flex="0 0 auto"))  # never "Refr…"
        self.refresh_button.on_click(lambda _b: self.refresh(_("refresh button")))
        self.table = W.VBox()
        self.listening = W.HTML()
        self._lock = threading.RLock()
        super().__init__([W.HTML(f"<h4>{escape(_(self.title))}</h4>"), self.table,
                          W.HBox([self.refresh_button, self.source]), self.listening, self.status])  # fmt: skip
        self.refresh(_("opened"))
        if events:
            self.watch = Watch(conn, self.kind, self._on_event)
            self.listening.value = _("<small style='color:#555'>refreshes on libvirt events: "
                                     "<code>{api}</code></small>").format(api=escape(self.watch.api))

    # -- subclasses ---------------------------------------------------------------------------

    def read(self) -> tuple[Result, list[tuple[str, str]]]:
        """Return the list result and ``(name, state)`` per object."""
        raise NotImplementedError

    def badge(self, state: str) -> str:
        """The state as HTML."""
        return escape(state)

    # -- behaviour ----------------------------------------------------------------------------

    def state(self, name: str) -> str:
        """The state of ``name`` as libvirt reported it at the last refresh."""
        return self.rows[name].state

    def row(self, name: str) -> Row | Listed:
        """The row of one object (KeyError if libvirt did not list it at the last refresh); above
        ``row_limit`` objects a Listed (name and state: the actions are ``grid``'s bar)."""
        return self.rows[name]

    @property
    def names(self) -> list[str]:
        return list(self.rows)

    def refresh(self, why: str = "") -> None:
        """Read the list from libvirt again and rebuild the rows that changed."""
        with self._lock:
            try:
                listing, items = self.read()
            except ConnectionFailed as err:  # the daemon went away: say so, keep the rows, wait for Refresh
                self.disconnected = err
                self.source.value = ("<b class='kvmlab-disconnected' style='color:#a00'>" + _("disconnected") + "</b>"
                                     + err._repr_html_())
                return
            except KvmlabError as err:
                self.source.value = err._repr_html_()
                return
            if self.disconnected is not None:  # back: the Connection reopened its URI
                self.disconnected = None
                if self.watch is not None:
                    try:
                        self.watch.renew()
                    except KvmlabError as err:  # listed fine, yet events refused: Refresh still works
                        self.listening.value = err._repr_html_()
                why = _("{why} (reconnected)").format(why=why) if why else _("reconnected")
            if len(items) > self.row_limit:
                self._show_table(items)
            else:
                self._show_rows(items)
            api = "; ".join(listing.api[:1])
            read = _("read with {command} ({api})").format(command=f"<code>{escape(listing.virsh)}</code>",
                                                            api=f"<code>{escape(api)}</code>")
            after = _(" after {why}").format(why=escape(why)) if why else ""
            self.source.value = f"<span style='color:#555;font-size:90%'>{read}{after}</span>"

    def _show_rows(self, items: list[tuple[str, str]]) -> None:
        """A row of buttons per object; rows of objects still listed are kept, not rebuilt."""
        rows: dict[str, Row] = {}
        for name, state in items:
            old = self.rows.get(name)
            row = old if isinstance(old, Row) else Row(name, self.actions, self._act, self.state_width)
            row.show_state(state, self.badge(state))
            rows[name] = row
        self._close_rows(keep=rows)
        self.rows = rows
        self.table.children = tuple(rows.values())

    def _show_table(self, items: list[tuple[str, str]]) -> None:
        """Many objects: one table and one action bar (see BoardTable)."""
        if self.grid is None:
            self.grid = BoardTable(self.actions, self._act_many, self.badge)
        self._close_rows(keep={})
        self.rows = self.grid.show(items)  # type: ignore[assignment]  # name -> Listed
        self.table.children = (self.grid,)

    def _close_rows(self, keep: dict) -> None:
        for name, old in self.rows.items():
            if isinstance(old, Row) and keep.get(name) is not old:
                old.close()

    def _act_many(self, action: Action, names: list[str]) -> None:
        """Run ``action`` on each picked name in turn; stop at the first error (the status shows it)."""
        if not names:
            self.status.note(_("pick one or more rows first, then {action}").format(action=_(action.label)))
            return
        done = []
        for name in names:
            result = self.status.run(action.attempted(name), action.call, self.conn, name)
            if result is None:
                break
            done.append(result)
        else:
            self.status.show(*done)
        self.refresh(_("{command} on {done} of {picked} picked").format(command=action.virsh, done=len(done),
                                                                           picked=len(names)))

    def _act(self, action: Action, name: str) -> None:
        self.status.run(action.attempted(name), action.call, self.conn, name)
        self.refresh(f"{action.virsh} {name}")

    def _on_event(self, name: str, event: str) -> None:
        self.refresh(f"event: {self.kind} {name} {event}")
