"""A guest's serial console in a notebook: xterm.js, live, taking keystrokes (like Cockpit's).

The terminal is xterm.js (the terminal of VS Code and JupyterLab), vendored in the package under
``static/xterm`` (``scripts/vendor-xterm.sh`` fetches it from the npm registry; no CDN is needed)
and run through anywidget. The back end is :meth:`kvmlab.Connection.console`: libvirt's stream
API (virDomainOpenConsole), as ``virsh console`` uses. Keys typed in the terminal go to the
guest; a key press that starts with Ctrl-] ends the session, as in virsh, and **Connect** opens it
again. On the embedded lab (libvirt's test driver has no consoles) the terminal says so and how to
reach the real lab.

    >>> term = SerialConsole(conn, "kvmlab-reach")   # shows the terminal in the output
    >>> term.type("uname -r\\r")                     # what a learner would type (Enter is \\r)
    >>> term.run("uname -r")                         # the same, and the guest's answer back
    >>> term.wait_for("kvmlab# ")                    # bounded wait on what the guest printed
"""

from __future__ import annotations

import codecs
import json
import re
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

import anywidget
import traitlets

from ..errors import InvalidState, KvmlabError, Unsupported
from ..i18n import N_, _
from ..ops.console_session import ESCAPE_NAME, ConsoleSession

__all__ = ["SerialConsole"]

KEEP = 256 * 1024  # characters of transcript kept for a view that renders late
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc")
REAL_LAB = N_("start the real lab (`sudo kvmlab lab up`), set KVMLAB_URI=qemu:///system and run the lesson again: "
              "its guest then boots and this terminal types into it")  # fmt: skip


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    """The widget's ES module (xterm.js's ESM build first, as a string it imports) and its CSS."""
    static = resources.files("kvmlab.widgets") / "static"
    try:
        xterm = (static / "xterm" / "xterm.mjs").read_text(encoding="utf-8")
        xterm_css = (static / "xterm" / "xterm.css").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise Unsupported(_("xterm.js is missing from kvmlab/widgets/static/xterm"),
                          hint=_("run ./kvmlab.sh setup (it runs scripts/vendor-xterm.sh, which fetches xterm.js "
                                 "from the npm registry)")) from exc
    esm = f"const XTERM_SOURCE = {json.dumps(xterm)};\n" + (static / "console.js").read_text(encoding="utf-8")
    return esm, xterm_css + (static / "console.css").read_text(encoding="utf-8")


class SerialConsole(anywidget.AnyWidget):
    """The serial console of running domain ``name`` on ``conn``, in a terminal that takes keys.

    Args:
        conn: a kvmlab.Connection.
        name: the domain (name, id or UUID).
        force: take the console over from another client (``virsh console --force``).
        connect: open the console at once (else press Connect, or call :meth:`connect`).

    Attributes:
        session: the open :class:`~kvmlab.ops.console_session.ConsoleSession`, or None.
        error: the KvmlabError that kept the console closed, or None.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    connected = traitlets.Bool(False).tag(sync=True)
    can_connect = traitlets.Bool(True).tag(sync=True)
    cols = traitlets.Int(80).tag(sync=True)
    rows = traitlets.Int(24).tag(sync=True)

    def __init__(self, conn: Any, name: str, *, force: bool = False, connect: bool = True, **kwargs: Any):
        esm, css = _assets()
        super().__init__(_esm=esm, _css=css, title=f"virsh console {name}", **kwargs)
        self.conn, self.name = conn, name
        self.session: ConsoleSession | None = None
        self.error: KvmlabError | None = None
        self._lock = threading.Lock()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._transcript = ""
        self.on_msg(self._on_frontend)
        if connect:
            self.connect(force=force)
        else:
            self.status = _("not connected: press Connect")

    # -- the session --------------------------------------------------------------------------
    def connect(self, force: bool = False) -> bool:
        """Open the console (``virsh console NAME``); True when it is open. A failure is shown in
        the terminal and kept in :attr:`error`, never raised."""
        if self.session is not None and not self.session.closed:
            return True
        try:
            session = self.conn.console(self.name, force=force)
        except KvmlabError as err:
            self.error = err
            self.connected = False
            unsupported = isinstance(err, Unsupported)
            self.can_connect = not unsupported
            lines = [f"error: {line}" for line in err.virsh_error]
            if unsupported:
                self.status = _("no console here: the embedded lab (libvirt's test driver) runs no guest")
                lines += ["", *_("The embedded lab has no serial consoles: its guests are descriptions, nothing\n"
                                 "boots. To type into a real guest, {real_lab}.").format(real_lab=_(REAL_LAB)).split("\n")]
            else:
                self.status = _("not connected: {message}").format(message=err.message)
                lines += [_("hint: {hint}").format(hint=err.hint)] if err.hint else []
            self._show("\r\n".join(lines) + "\r\n")
            return False
        self.error = None
        self.session = session
        session.on_output(self._from_guest)
        session.on_close(self._closed)
        self.connected, self.can_connect = True, True
        self.status = _("connected: keys go to {name}; Ctrl-] disconnects (escape character {escape})").format(
            name=self.name, escape=ESCAPE_NAME)
        self._show(f"\r\n[{session.text().strip().replace(chr(10), ' ')}]\r\n")
        return True

    def disconnect(self) -> None:
        """Close the console, as Ctrl-] does."""
        if self.session is not None:
            self.session.close(_("disconnected from the notebook"))

    def _closed(self, reason: str) -> None:
        self.connected = False
        self.status = _("disconnected: {reason} — press Connect to open it again").format(reason=reason)
        self._show("\r\n[" + _("disconnected: {reason}").format(reason=reason) + "]\r\n")

    # -- bytes both ways ----------------------------------------------------------------------
    def _from_guest(self, data: bytes) -> None:
        self._show(self._decoder.decode(data))

    def _show(self, text: str) -> None:
        if not text:
            return
        with self._lock:  # sent under the lock: a replay sends what the transcript held, then this, never across
            self._transcript = (self._transcript + text)[-KEEP:]
            self.send({"type": "output", "data": text})

    def _on_frontend(self, _widget: Any, content: dict, _buffers: list) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "input" and isinstance(content.get("data"), str):
            self._keys(content["data"])
        elif kind == "connect":
            self.connect()
        elif kind == "replay":  # the view clears itself (in order with what it was sent) and draws it all
            with self._lock:
                self.send({"type": "reset"})
                self.send({"type": "output", "data": self._transcript})

    def _keys(self, keys: str) -> None:
        """What the terminal typed: virsh's rule for Ctrl-], the rest to the guest."""
        if self.session is None or self.session.closed:
            if not keys.startswith("\x1b"):  # a key, not the terminal's own answer (e.g. to ESC[6n)
                self._show("\r\n[" + _("not connected: press Connect") + "]\r\n")
            return
        try:
            self.session.feed(keys)
        except KvmlabError as err:
            self._show("\r\n[" + _("error: {message}").format(message=err.message) + "]\r\n")

    def type(self, keys: str) -> bool:
        """Type ``keys`` into the guest as if pressed in the terminal (``\\r`` is Enter; a string that
        starts with ``\\x1d``, Ctrl-], disconnects). False, with nothing sent, when the console is not open
        (:attr:`status` says why)."""
        if self.session is None or self.session.closed:
            return False
        self.session.feed(keys)
        return True

    def run(self, command: str, timeout: float = 10.0) -> str:
        """Type ``command`` and Enter in the terminal; return the guest's answer (up to its next prompt).

        Where there is no console (the embedded lab) nothing runs: the answer says so.

        Raises:
            ConsoleTimeout: the guest's shell did not answer within ``timeout`` seconds.
        """
        if self.session is None or self.session.closed:
            if not self.can_connect:
                return _("(nothing ran: the embedded lab runs no guest, so there is no serial console to type into; "
                         "on the real lab this is the guest's answer)")
            return _("(nothing ran: {status})").format(status=self.status)
        return self.session.run(command, timeout)

    # -- reading back -------------------------------------------------------------------------
    @property
    def transcript(self) -> str:
        """Everything the terminal showed (guest output and kvmlab's own lines), escape codes removed."""
        with self._lock:
            return _ANSI.sub("", self._transcript).replace("\r", "")

    def wait_for(self, text: str, timeout: float = 10.0) -> str:
        """Wait (bounded) until the guest printed ``text`` since the console opened; returns the output.

        Raises:
            InvalidState: the console is not open. ConsoleTimeout: not seen in time.
        """
        if self.session is None:
            raise InvalidState(_("the console of {name} is not open").format(name=self.name),
                               hint=(self.error.hint if self.error else "") or _("call .connect() first"))
        return self.session.wait_for(text, timeout, clean=True)

    def close(self) -> None:
        self.disconnect()
        super().close()

