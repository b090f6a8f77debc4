"""connect(uri): the embedded lab (libvirt's test driver), the real lab, or any libvirt URI.

A Connection outlives its daemon. When libvirtd exits or restarts under an open connection, the
operation that meets the dead socket raises :class:`ConnectionFailed` (errors.py chooses it by
what failed, with ``LOST_HINT``: `kvmlab lab up` for the lab). The operation is not retried (a
write may have been half done); instead the next call finds the old virConnect dead
(``virConnectIsAlive``) and reopens the same URI first, within ``REOPEN_TIMEOUT`` seconds. So the
learner's next click works once the daemon is back, and widgets holding the Connection recover
on their next refresh, without re-running the notebook.
"""

from __future__ import annotations

import functools
import os
from _thread import allocate_lock  # threading.Lock itself; threading loads only to reopen (a thread)

import libvirt

from .errors import LOST_HINT, ConnectionFailed, install_error_handler, libvirt_errors
from .i18n import N_, _
from .ops.domain import DomainOps
from .ops.network import NetworkOps
from .ops.pool import PoolOps
from .ops.snapshot import SnapshotOps
from .ops.volume import VolumeOps

__all__ = ["Connection", "connect", "embedded_uri", "default_uri", "REOPEN_TIMEOUT"]

REOPEN_TIMEOUT = 10.0  # seconds to wait for a daemon that accepts the socket but does not answer

EMBEDDED_FILE = "embedded-host.xml"
_DATA = os.path.join(os.path.dirname(os.path.realpath(__file__)), "data")

# What a node file cannot say: which networks and pools are stopped, which autostart.
_EMBEDDED_STOPPED_NETWORKS = ("isolated", "host-bridge")
_EMBEDDED_AUTOSTART_NETWORKS = ("default",)
_EMBEDDED_STOPPED_POOLS = ("iso",)
_EMBEDDED_AUTOSTART_POOLS = ("default",)
_EMBEDDED_AUTOSTART_DOMAINS = ("web01",)


def embedded_uri() -> str:
    """The test-driver URI of the embedded lab's node file shipped inside the package."""
    return f"test://{os.path.join(_DATA, EMBEDDED_FILE)}"


def default_uri() -> str:
    """``$KVMLAB_URI`` if set, else the embedded lab."""
    return os.environ.get("KVMLAB_URI") or embedded_uri()


class Connection(DomainOps, NetworkOps, PoolOps, VolumeOps, SnapshotOps):
    """One open libvirt connection and the virsh-equivalent operations on it.

    Every operation returns a result object: ``str()`` is virsh's exact text, it renders as a
    table in a notebook, and ``.virsh`` / ``.api`` show the command line and libvirt calls.
    """

    def __init__(self, virconn: libvirt.virConnect, uri: str):
        self._virconn: libvirt.virConnect | None = virconn
        self.uri = uri
        self.reopened = 0  # how many times the URI was opened again after its daemon went away
        self._reopening = allocate_lock()  # threads sharing this Connection reopen it once, not each
        self._reopen_tries = 0  # attempts so far; a thread that waited for the lock compares it
        self._failed_reopen: ConnectionFailed | None = None  # the last attempt's failure, if it failed

    @property
    def virconn(self) -> libvirt.virConnect:
        """The open libvirt connection; opened again first if its daemon went away meanwhile.

        Raises:
            ConnectionFailed: the daemon still does not answer (the hint says how to bring it back),
                or this Connection was closed.
        """
        dead = self._virconn
        if dead is None:
            raise ConnectionFailed(
                _("this Connection to {uri} was closed").format(uri=self.uri), virsh_error=["no valid connection"],
                hint=_("open a new one: conn = kvmlab.connect() (virsh: `connect URI` in its terminal)"))
        if not _alive(dead):
            tried = self._reopen_tries
            with self._reopening:
                if self._virconn is dead:  # another thread may have reopened it meanwhile
                    self._reopen_once(dead, tried)
        return self._virconn  # type: ignore[return-value]

    @virconn.setter
    def virconn(self, value: libvirt.virConnect | None) -> None:
        self._virconn = value

    def _reopen_once(self, dead: libvirt.virConnect, tried: int) -> None:
        """Reopen, unless another thread tried (and failed) while this one waited for the lock: then
        its answer is ours (four clicks on a hung daemon wait one REOPEN_TIMEOUT, not four). A later
        call tries again, so the Connection recovers as soon as the daemon is back."""
        if self._reopen_tries != tried and self._failed_reopen is not None:
            raise self._failed_reopen
        self._reopen_tries += 1
        try:
            self._reopen()
        except ConnectionFailed as err:
            self._failed_reopen = err
            raise
        self._failed_reopen = None

    def _reopen(self) -> None:
        """Open ``uri`` again (bounded by REOPEN_TIMEOUT) in place of the dead connection."""
        old = self._virconn
        try:
            self._virconn = _open_within(self.uri, REOPEN_TIMEOUT)
        except ConnectionFailed as err:
            raise ConnectionFailed(
                _("the libvirt daemon behind {uri} went away and does not answer yet: {reason}").format(
                    uri=self.uri, reason=err.virsh_error[-1]),
                hint=_(LOST_HINT), virsh_error=err.virsh_error,
            ) from err
        self.reopened += 1
        _close_quietly(old)

    @property
    def embedded(self) -> bool:
        return self.uri == embedded_uri()

    @property
    def backend(self) -> str:
        """``embedded``, ``test``, ``qemu`` … : the driver behind this connection."""
        if self.embedded:
            return "embedded"
        with libvirt_errors():
            return self.virconn.getType().lower()

    def _private_virconn(self) -> libvirt.virConnect:
        """A second connection to this URI (a console's stream needs one opened after the event loop)."""
        return _open_within(self.uri, REOPEN_TIMEOUT)

    def virsh(self, line: str):
        """Run a virsh line (or a ``;`` batch) on this connection; returns what virsh would print.

        >>> print(conn.virsh("list --all; dominfo web01"))
        """
        from .virsh.line import run_line

        return run_line(self, line)

    def __getattr__(self, name: str):
        # Only reached for names that do not exist: teach the right spelling (conn.destory -> destroy).
        if name.startswith("_"):
            raise AttributeError(name)
        from .virsh.hints import ELSEWHERE, command_guess, meaning_of

        ops = [n for n in dir(type(self)) if not n.startswith("_")]
        cli_name = name.replace("_", "-")
        guess = None if cli_name in ELSEWHERE else command_guess(cli_name, [o.replace("_", "-") for o in ops])
        more = (_(": did you mean conn.{guess}()?").format(guess=guess.replace("-", "_")) + meaning_of(guess)
                if guess else "")
        raise AttributeError(_("kvmlab.Connection has no operation {name}{more}").format(name=repr(name), more=more))

    def close(self) -> None:
        _close_quietly(self._virconn)
        self._virconn = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kvmlab.Connection {self.uri!r}>"


def _guarded(method):
    """The operation with any libvirt error that escapes it mapped, so a dead daemon is one
    ConnectionFailed, never a raw libvirtError, whichever call met it first."""

    mapped = libvirt_errors()  # holds no state per use: one for every call

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        with mapped:
            return method(self, *args, **kwargs)

    return call


for _name in dir(Connection):
    if not _name.startswith("_") and _name not in ("virsh", "close") and callable(
            getattr(Connection, _name, None)) and not isinstance(Connection.__dict__.get(_name), property):
        setattr(Connection, _name, _guarded(getattr(Connection, _name)))


def _alive(virconn: libvirt.virConnect) -> bool:
    """virConnectIsAlive: False once the client saw the socket close (a local check, no round trip)."""
    try:
        return virconn.isAlive() == 1
    except libvirt.libvirtError:
        return False


def _close_quietly(virconn: libvirt.virConnect | None) -> None:
    """Close a connection that may be dead already; there is nothing to report about that."""
    if virconn is None:
        return
    try:
        virconn.close()
    except libvirt.libvirtError:
        pass


def _open_within(uri: str, timeout: float) -> libvirt.virConnect:
    """open_virconn on a helper thread: a daemon that accepts but never answers costs ``timeout``, not forever."""
    import threading

    box: dict[str, object] = {}
    handoff = threading.Lock()  # the caller giving up and the opener finishing never cross

    def run() -> None:
        try:
            conn = open_virconn(uri)
        except ConnectionFailed as err:
            box["err"] = err
            return
        except Exception as exc:  # noqa: BLE001 - any failure of the opener is the caller's answer
            box["err"] = ConnectionFailed(_("failed to connect to the hypervisor at {uri}: {reason}").format(
                uri=repr(uri), reason=exc), hint=_(LOST_HINT))
            return
        with handoff:
            if box.get("late"):  # the caller gave up meanwhile: do not leak the connection
                _close_quietly(conn)
            else:
                box["conn"] = conn

    t = threading.Thread(target=run, name="kvmlab-reopen", daemon=True)
    t.start()
    t.join(timeout)
    with handoff:
        if "conn" not in box and "err" not in box:
            box["late"] = True
            raise ConnectionFailed(_("failed to connect to the hypervisor at {uri}: no answer within {timeout} s")
                                   .format(uri=repr(uri), timeout=f"{timeout:g}"),
                                   hint=_(LOST_HINT), virsh_error=["failed to connect to the hypervisor",
                                                                f"no answer within {timeout:g} s"])
    if "err" in box:
        raise box["err"]  # type: ignore[misc]
    return box["conn"]  # type: ignore[return-value]


def _shape_embedded(virconn: libvirt.virConnect) -> None:
    """Give a fresh embedded host its stopped networks and pools and its autostart flags."""
    for name in _EMBEDDED_STOPPED_NETWORKS:
        virconn.networkLookupByName(name).destroy()
    for name in _EMBEDDED_AUTOSTART_NETWORKS:
        virconn.networkLookupByName(name).setAutostart(1)
    for name in _EMBEDDED_STOPPED_POOLS:
        virconn.storagePoolLookupByName(name).destroy()
    for name in _EMBEDDED_AUTOSTART_POOLS:
        virconn.storagePoolLookupByName(name).setAutostart(1)
    for name in _EMBEDDED_AUTOSTART_DOMAINS:
        virconn.lookupByName(name).setAutostart(1)


def open_virconn(uri: str) -> libvirt.virConnect:
    """Open ``uri`` read-write with libvirt's stderr printing silenced; map failures."""
    install_error_handler()
    try:
        virconn = libvirt.open(uri)
    except libvirt.libvirtError as exc:
        msg = exc.get_error_message() or "unknown error"
        raise ConnectionFailed(
            _("failed to connect to the hypervisor at {uri}: {reason}").format(uri=repr(uri), reason=msg),
            hint=_("run `kvmlab doctor` to see which URIs answer; without a URI kvmlab uses the "
                   "embedded lab (libvirt's test driver), and `kvmlab lab up` starts the real one"),
            virsh_error=["failed to connect to the hypervisor", msg],
        ) from exc
    if uri == embedded_uri():
        with libvirt_errors("failed to shape the embedded lab", cls=ConnectionFailed,
                            hint=N_("the node file shipped with kvmlab is damaged: reinstall kvmlab")):
            _shape_embedded(virconn)
    return virconn


def connect(uri: str | None = None) -> Connection:
    """Open a libvirt connection.

    Args:
        uri: any libvirt URI (``test:///default``, ``qemu:///system``,
            ``qemu+ssh://root@host/system`` …). ``None`` means ``$KVMLAB_URI``, else the
            embedded lab: a small host on libvirt's test driver, fresh and private per open.

    Raises:
        ConnectionFailed: the URI did not answer.
    """
    uri = uri or default_uri()
    return Connection(open_virconn(uri), uri)
