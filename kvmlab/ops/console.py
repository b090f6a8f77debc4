"""``virsh console``: a running guest's serial line through libvirt's stream API.

The guest's kernel writes to its first serial port (``console=ttyS0`` on its command line, and a
getty or shell reading ttyS0); QEMU connects that port to a pty (``<serial type='pty'>``); libvirt
hands the pty's bytes to a client as a *stream*: ``dom.openConsole(devname, stream, flags)``
(virDomainOpenConsole), as virsh-console.c does. Bytes from the stream are the guest's output;
bytes sent into it are keystrokes. One client at a time: a second one is refused ("Active console
session exists") unless it forces the first one off (``force=True``, ``virsh console --force``).

The stream is non-blocking and driven by libvirt's event loop (:mod:`kvmlab.eventloop`); a remote
connection joins that loop only when it is opened, so a session opens a private connection of its
own to the same URI. Every wait has a timeout. The escape key is virsh's: a read from the terminal
that *starts* with Ctrl-] (byte 0x1d) ends the session (:meth:`ConsoleSession.feed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import libvirt

from ..errors import InvalidInput, KvmlabError, OperationFailed, install_error_handler, libvirt_errors, suppressed
from ..i18n import L_, N_, _
from .calls import virsh_line
from .domain_lookup import lookup_domain
from .vsh import c_string, encodable, require_option

if TYPE_CHECKING:
    from .console_session import ESCAPE, ESCAPE_NAME, ConsoleSession

__all__ = ["ConsoleOps", "ConsoleSession", "ESCAPE", "ESCAPE_NAME", "OPEN_TIMEOUT"]


def __getattr__(name: str):
    """kvmlab.ops.console.ConsoleSession, ESCAPE and ESCAPE_NAME, as before: they live in console_session,
    which (with ``threading``) loads with the first console, not when kvmlab starts."""
    if name in ("ConsoleSession", "ESCAPE", "ESCAPE_NAME"):
        from . import console_session

        return getattr(console_session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown


OPEN_TIMEOUT = 10.0  # seconds for the private connection and virDomainOpenConsole to answer

_OPEN_HINTS = N_({
    "Active console session exists": "another client holds this console (a `virsh console` in a terminal, or "
    "another widget): close it with Ctrl-], or take it over with force=True (`virsh console --force`)",
    "not supported by the connection driver": "libvirt's test driver (the embedded lab) has no consoles: its "
    "guests are descriptions, nothing runs. Start the real lab (`sudo kvmlab lab up`) and set "
    "KVMLAB_URI=qemu:///system to type into a real guest",
    "cannot find character device": "the domain has no such console: `virsh dumpxml NAME --xpath //serial` "
    "lists its serial ports (devname is e.g. serial0)",
})  # fmt: skip


def _bounded(call: Callable[[], object], timeout: float, what: str) -> object:
    """``call()`` on a helper thread, waited for at most ``timeout`` seconds (a hung daemon costs that)."""
    import threading  # loads with the first console, not at start-up

    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box["error"] = exc

    t = threading.Thread(target=run, name="kvmlab-console-open", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise OperationFailed(_("{what}: no answer within {timeout} s").format(what=what, timeout=f"{timeout:g}"),
                              hint=_("the libvirt daemon does not answer: `kvmlab lab status` shows whether it runs"))
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


class ConsoleOps:
    """Mixin for kvmlab.Connection: ``console``."""

    virconn: libvirt.virConnect
    uri: str

    def _private_virconn(self) -> libvirt.virConnect:
        """A new connection to the same URI, opened after the event loop started (Connection's)."""
        raise NotImplementedError

    def console(self, domain: str, devname: str | None = None, force: bool = False, safe: bool = False,
                timeout: float = OPEN_TIMEOUT, ready: Callable[[str], None] | None = None) -> ConsoleSession:
        """virsh console: open a running domain's serial console; returns a :class:`ConsoleSession`.

        Args:
            devname: which console (``serial0``, ``console0`` …); default: the first.
            force: take the console over from another client (``--force``).
            safe: only if the driver guarantees exclusive access (``--safe``).
            timeout: seconds the daemon may take to answer.
            ready: called with the domain's name once it is known to run, before the console opens
                (virsh checks its terminal and prints "Connected to domain …" there).

        Raises:
            NotFound: no such domain. OperationFailed: it is not running. Unsupported: this driver
            has no consoles (the embedded lab); InvalidState: another client holds the console.
        """
        from .console_session import ConsoleSession  # the session (and threading) load with the first console

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        if devname is not None:
            devname = c_string(require_option(devname, "devname"), "devname")
        name = dom.name()
        virsh = virsh_line("console", domain, devname=devname, force=force, safe=safe)
        try:
            with libvirt_errors():
                state = dom.state()[0]
        except KvmlabError as err:
            raise OperationFailed("Unable to get domain status", hint=_("the domain went away")) from err  # i18n: virsh's own words
        if state == libvirt.VIR_DOMAIN_SHUTOFF:
            raise OperationFailed("The domain is not running",  # i18n: virsh's own words
                                  hint=_("a console needs a running guest: start it first (virsh start {name})")
                                  .format(name=name))
        if ready is not None:
            ready(name)
        if devname is not None and not encodable(devname):
            raise InvalidInput(_("the domain has no character device {devname}").format(devname=repr(devname)),
                               hint=_("a devname is text such as serial0 or console0 "
                                      "(`virsh dumpxml NAME --xpath //serial` lists them)"))
        flags = (libvirt.VIR_DOMAIN_CONSOLE_FORCE if force else 0) | (libvirt.VIR_DOMAIN_CONSOLE_SAFE if safe else 0)
        shown = " | ".join(f"libvirt.VIR_DOMAIN_CONSOLE_{f}" for f, on in (("FORCE", force), ("SAFE", safe)) if on)
        install_error_handler()
        with libvirt_errors():
            test_driver = self.virconn.getType().lower() == "test"
        private = None
        if test_driver:  # one process, one test host: the same connection (it has no consoles anyway)
            v, target = self.virconn, dom
        else:
            from .. import eventloop  # libvirt's event loop (a thread) starts with the first remote console

            eventloop.start()
            private = _bounded(self._private_virconn, timeout, L_("failed to connect to {uri}", uri=self.uri))
            v = private
            with libvirt_errors(f"failed to get domain '{domain}'"):
                target = v.lookupByUUIDString(dom.UUIDString())
        try:
            with libvirt_errors():
                stream = v.newStream(libvirt.VIR_STREAM_NONBLOCK)
            with libvirt_errors(hints=_OPEN_HINTS, hint=N_("see `virsh dumpxml NAME --xpath //serial`: a console "
                                                           "needs a <serial> or <console> of type pty")):
                _bounded(lambda: target.openConsole(devname, stream, flags), timeout,
                         L_("failed to open the console of {name}", name=name))
        except BaseException:
            if private is not None:
                with suppressed(lost=True):
                    private.close()
            raise
        api += ["libvirt.virEventRegisterDefaultImpl()  # once: streams need libvirt's event loop",
                "stream = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)",
                f"dom.openConsole({devname!r}, stream, {shown or 0})",
                "stream.eventAddCallback(libvirt.VIR_STREAM_EVENT_READABLE, on_output, None)  # stream.recv()",
                "stream.send(keys)  # typing; stream.finish() ends it (Ctrl-])"]
        return ConsoleSession(name, stream, private, virsh, api)
