"""An open ``virsh console``: :class:`ConsoleSession`, the guest's serial line as a libvirt stream.

libvirt's event thread delivers the guest's output (:meth:`ConsoleSession.on_output`, ``output``,
:meth:`ConsoleSession.wait_for`); :meth:`ConsoleSession.send` types into the stream; Ctrl-] at the
start of a read from the terminal ends the session, as in virsh (:meth:`ConsoleSession.feed`).
:meth:`kvmlab.Connection.console` (ops/console.py) opens one; this module, and ``threading``, load
with that first console, not when kvmlab starts.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Callable

import libvirt

from ..i18n import _
from ..errors import (ConsoleTimeout, InvalidInput, InvalidState, KvmlabError, OperationFailed, libvirt_errors,
                      suppressed)

__all__ = ["ConsoleSession", "ESCAPE", "ESCAPE_NAME"]

ESCAPE = b"\x1d"  # Ctrl-]: virsh's default escape character (`virsh -e` changes it)
ESCAPE_NAME = "^] (Ctrl + ])"
SEND_TIMEOUT = 5.0  # seconds a keystroke may wait for room in the stream
KEEP = 1 << 20  # bytes of output a session keeps (the newest)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc")  # terminal escape codes

_EVENTS = libvirt.VIR_STREAM_EVENT_READABLE | libvirt.VIR_STREAM_EVENT_ERROR | libvirt.VIR_STREAM_EVENT_HANGUP


class ConsoleSession:
    """An open console: the guest's output arrives on libvirt's event thread; :meth:`send` types.

    Attributes:
        name: the domain's name.
        output: everything the guest printed since the session opened (the newest 1 MiB).
        closed: the session has ended; ``reason`` says why (Ctrl-], the guest stopped …).
        virsh / api: the virsh line and the libvirt calls behind the session.
    """

    def __init__(self, name: str, stream: libvirt.virStream, private: libvirt.virConnect | None,
                 virsh: str, api: list[str]):
        self.name, self.virsh, self.api = name, virsh, api
        self.output = bytearray()
        self.closed = False
        self.reason = ""
        self.errors: list[BaseException] = []  # raised by output callbacks (kept, never printed)
        self._stream = stream
        self._private = private
        self._listeners: list[Callable[[bytes], None]] = []
        self._closers: list[Callable[[str], None]] = []
        self._dropped = 0  # bytes dropped off the front of ``output``
        self._cond = threading.Condition()
        with libvirt_errors("Failed to watch the console stream"):
            stream.eventAddCallback(_EVENTS, self._on_stream, None)

    # -- what virsh prints ---------------------------------------------------------------------
    def text(self) -> str:
        """What ``virsh console NAME`` prints before the guest's own bytes."""
        return f"Connected to domain '{self.name}'\nEscape character is {ESCAPE_NAME}\n"

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from html import escape

        state = f"closed: {escape(self.reason)}" if self.closed else "open"
        return (f"<div class='kvmlab-result'><pre>{escape(self.text())}</pre><div>console {state}</div>"
                f"<div class='kvmlab-calls' style='font-size:90%;color:#555'><b>virsh:</b> "
                f"<code>{escape(self.virsh)}</code><br><b>libvirt API:</b> "
                + "<br>".join(f"<code>{escape(a)}</code>" for a in self.api) + "</div></div>")

    # -- receiving ----------------------------------------------------------------------------
    def on_output(self, callback: Callable[[bytes], None]) -> None:
        """Call ``callback(data)`` (on libvirt's event thread) for every chunk the guest prints."""
        self._listeners.append(callback)

    def on_close(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(reason)`` once, when the session ends."""
        self._closers.append(callback)
        if self.closed:
            callback(self.reason)

    def _on_stream(self, stream: libvirt.virStream, events: int, _opaque) -> None:
        try:
            if events & libvirt.VIR_STREAM_EVENT_READABLE:
                while not self.closed:
                    try:
                        with libvirt_errors():
                            data = stream.recv(65536)
                    except KvmlabError as err:
                        self._end(f"the console stream failed ({err.message}): the guest stopped, or another "
                                  "client took the console over (`virsh console --force`)", graceful=False)
                        return
                    if data == -2:  # nothing more for now
                        break
                    if not data:  # end of file: the guest's side closed
                        self._end("the console closed: the guest stopped, or another client took it over "
                                  "(`virsh console --force`)", graceful=True)
                        return
                    self._deliver(bytes(data))
            if events & (libvirt.VIR_STREAM_EVENT_ERROR | libvirt.VIR_STREAM_EVENT_HANGUP) and not self.closed:
                self._end("the console stream hung up: the guest stopped, or another client took the console "
                          "over (`virsh console --force`)", graceful=False)
        except Exception as exc:  # noqa: BLE001 - nothing may escape into libvirt's loop
            self.errors.append(exc)

    def _deliver(self, data: bytes) -> None:
        # listeners first: once wait_for() sees the bytes, every view of the session has them too
        for listener in list(self._listeners):
            try:
                listener(data)
            except Exception as exc:  # noqa: BLE001 - a broken listener must not end the session
                self.errors.append(exc)
        with self._cond:
            self.output += data
            if len(self.output) > KEEP:
                cut = len(self.output) - KEEP
                del self.output[:cut]
                self._dropped += cut
            self._cond.notify_all()

    @property
    def mark(self) -> int:
        """A position in the output: :meth:`wait_for` and :meth:`since` look after it."""
        with self._cond:
            return self._dropped + len(self.output)

    def since(self, mark: int) -> str:
        """The output after ``mark``, decoded (invalid UTF-8 replaced)."""
        with self._cond:
            return bytes(self.output[max(0, mark - self._dropped):]).decode("utf-8", "replace")

    def wait_for(self, pattern: str | re.Pattern, timeout: float = 10.0, mark: int = 0, clean: bool = False) -> str:
        """Wait until the output after ``mark`` matches ``pattern``; return the text up to the match's end.

        ``clean=True`` matches the text without terminal escape codes and carriage returns.

        Raises:
            ConsoleTimeout: not seen within ``timeout`` seconds, or the session closed first
                (the last lines seen are attached).
        """
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = bytes(self.output[max(0, mark - self._dropped):]).decode("utf-8", "replace")
                if clean:
                    text = _ANSI.sub("", text).replace("\r", "")
                m = rx.search(text)
                if m:
                    return text[:m.end()]
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    break
                self._cond.wait(min(left, 0.5))
        why = (_("the console closed first ({reason})").format(reason=self.reason) if self.closed
               else _("not within {timeout} s").format(timeout=f"{timeout:g}"))
        tail = [line for line in text.replace("\r", "").split("\n")][-15:]
        raise ConsoleTimeout(_("waited for {pattern} on {name}'s console: {why}").format(
            pattern=repr(rx.pattern), name=self.name, why=why), tail)

    # -- typing -------------------------------------------------------------------------------
    def send(self, data: bytes | str) -> None:
        """Type ``data`` into the guest's serial line (``"\\r"`` is the Enter key of a terminal).

        Raises:
            InvalidState: the session is closed.
            InvalidInput: ``data`` is neither text nor bytes.
        """
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidInput(_("console input must be text or bytes, got {type}").format(type=type(data).__name__),
                               hint=_("pass what you would type, e.g. session.send('uname -r\\r')"))
        if self.closed:
            raise InvalidState(_("the console of {name} is closed ({reason})").format(name=self.name, reason=self.reason),
                               hint=_("open it again: conn.console('{name}') (virsh console {name})").format(
                                   name=self.name))
        left = bytes(data)
        deadline = time.monotonic() + SEND_TIMEOUT
        while left:
            with libvirt_errors(f"failed to type into {self.name}'s console"):
                sent = self._stream.send(left)
            if sent == -2:  # the stream is full for now
                if time.monotonic() > deadline:
                    raise OperationFailed(_("{name}'s console took no input for {timeout} s").format(
                        name=self.name, timeout=f"{SEND_TIMEOUT:g}"),
                        hint=_("the guest does not read its serial line; is it still running?"))
                time.sleep(0.01)
                continue
            left = left[sent:]

    def feed(self, keys: bytes | str) -> bool:
        """Keys from a terminal, with virsh's escape rule: a chunk that *starts* with Ctrl-] ends the
        session (nothing of it is sent); any other chunk goes to the guest. False once ended."""
        raw = keys.encode("utf-8") if isinstance(keys, str) else bytes(keys)
        if raw.startswith(ESCAPE):
            self.close("you pressed Ctrl-] (virsh's escape key)")
            return False
        if raw:
            self.send(raw)
        return not self.closed

    def run(self, command: str, timeout: float = 10.0, prompt: str = r"[#$] ") -> str:
        """Type ``command`` and Enter; return what the guest answered before its next prompt.

        The answer is the text between the echoed command line and the next line that ends in
        ``prompt`` (a regex; a shell's ``# ``), without terminal escape codes and carriage returns.

        Raises:
            ConsoleTimeout: no prompt came back within ``timeout`` seconds.
        """
        mark = self.mark
        self.send(command + "\r")
        rx = re.compile(re.escape(command) + r"[^\n]*\n(?P<out>(?s:.*?\n)?)[^\n]*" + prompt + "$")
        text = self.wait_for(rx, timeout, mark, clean=True)
        return rx.search(text).group("out").removesuffix("\n")

    # -- ending -------------------------------------------------------------------------------
    def _end(self, reason: str, graceful: bool) -> None:
        with self._cond:
            if self.closed:
                return
            self.closed, self.reason = True, reason
            self._cond.notify_all()
        with suppressed(lost=True):
            self._stream.eventRemoveCallback()
        with suppressed(lost=True):
            (self._stream.finish if graceful else self._stream.abort)()
        if self._private is not None:
            private, self._private = self._private, None
            with suppressed(lost=True):
                private.close()
        for closer in list(self._closers):
            try:
                closer(reason)
            except Exception as exc:  # noqa: BLE001
                self.errors.append(exc)

    def close(self, reason: str = "closed") -> None:
        """End the session (as Ctrl-] does in virsh); safe to call twice."""
        self._end(reason, graceful=True)

    def __enter__(self) -> "ConsoleSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
