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
import importlib
import os
from _thread import allocate_lock  # threading.Lock itself; threading loads only to reopen (a thread)

import libvirt

from .errors import LOST_HINT, ConnectionFailed, install_error_handler, libvirt_errors
from .i18n import N_, _

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


# Every operation of Connection, by the op mixin that defines it (module:class). Connection takes an
# operation from its mixin on first use, so `kvmlab virsh list` loads ops/domain.py, not the fifty op
# modules (tests/test_lazy_imports.py checks this table against the mixins' own attributes).
_MIXINS = {
    "ops.domain:DomainOps": ("list", "dominfo", "_dominfo_security", "dumpxml"),
    "ops.domain_define:DomainDefineOps": ("define", "create"),
    "ops.domain_lifecycle:DomainLifecycleOps": ("_power", "start", "_force_boot", "suspend", "resume", "shutdown",
                                                "reboot", "destroy"),
    "ops.domain_undefine:DomainUndefineOps": ("undefine", "_count", "_volumes", "_undefine_call", "_delete_volumes"),
    "ops.domain_edit:DomainEditOps": ("edit", "edit_session", "_edit_define"),
    "ops.domain_devices:DomainDeviceOps": ("_domain_xml", "domiflist", "domblklist"),
    "ops.domain_address:DomainAddressOps": ("domifaddr",),
    "ops.domain_ids:DomainIdOps": ("domid", "domuuid", "domname", "domstate"),
    "ops.domain_hotplug:DomainHotplugOps": ("_change", "attach_disk", "attach_interface", "_attach", "detach_disk",
                                            "detach_interface"),
    "ops.domain_resources:DomainResourceOps": ("_memory", "setmem", "setmaxmem", "setvcpus", "vcpucount", "_vcpus",
                                               "autostart"),
    "ops.console:ConsoleOps": ("_private_virconn", "console"),
    "ops.domain_clone:DomainCloneOps": ("clone", "_plan_disk", "_make_volume"),
    "ops.network:NetworkOps": ("net_list", "net_info", "net_dumpxml", "net_start", "net_destroy", "net_undefine",
                               "net_autostart", "_act"),
    "ops.network_define:NetworkDefineOps": ("net_define", "net_create", "_net_from_xml"),
    "ops.network_leases:NetworkLeaseOps": ("net_dhcp_leases",),
    "ops.pool:PoolOps": ("pool_list", "pool_info", "pool_dumpxml"),
    "ops.pool_lifecycle:PoolLifecycleOps": ("pool_define", "pool_create", "pool_build", "pool_start", "pool_destroy",
                                            "pool_undefine", "pool_delete", "pool_autostart"),
    "ops.pool_edit:PoolEditOps": ("pool_edit", "pool_edit_session", "_pool_edit_define"),
    "ops.volume:VolumeOps": ("vol_list", "vol_create_as", "_backing_path", "vol_info", "vol_delete", "vol_dumpxml"),
    "ops.volume_clone:VolumeCloneOps": ("vol_clone", "vol_resize"),
    "ops.volume_transfer:VolumeTransferOps": ("vol_upload", "vol_download", "_pump"),
    "ops.snapshot:SnapshotOps": ("snapshot_list", "_snapshot_rows", "snapshot_info", "snapshot_current",
                                 "snapshot_revert", "snapshot_delete", "snapshot_dumpxml"),
    "ops.snapshot_create:SnapshotCreateOps": ("snapshot_create_as", "_create_snapshot"),
}
_OP_HOME = {name: mixin for mixin, names in _MIXINS.items() for name in names}


class _LazyOps(type):
    """Connection's type: ``Connection.list``, ``dir(Connection)`` and help() see every operation
    before its module is loaded."""

    def __getattr__(cls, name: str):
        if name in _OP_HOME:
            return _take_op(name)
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")  # i18n: not shown

    def __dir__(cls) -> list[str]:
        return sorted(set(type.__dir__(cls)) | set(_OP_HOME))


def embedded_uri() -> str:
    """The test-driver URI of the embedded lab's node file shipped inside the package."""
    return f"test://{os.path.join(_DATA, EMBEDDED_FILE)}"


def default_uri() -> str:
    """``$KVMLAB_URI`` if set, else the embedded lab."""
    return os.environ.get("KVMLAB_URI") or embedded_uri()


class Connection(metaclass=_LazyOps):
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
        try:  # virConnectIsAlive: False once the client saw the socket close (a local check, no round trip)
            alive = dead.isAlive() == 1
        except libvirt.libvirtError:
            alive = False
        if not alive:
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
        if name in _OP_HOME:  # an operation's first use: Connection takes it from its mixin's module
            _take_op(name)
            return getattr(self, name)
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

    def __dir__(self) -> list[str]:
        # every operation, loaded or not: a notebook's completion of `conn.` lists them all
        return sorted(set(object.__dir__(self)) | set(_OP_HOME))

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
        try:  # free when nothing is raised, unlike a `with` around every call
            return method(self, *args, **kwargs)
        except libvirt.libvirtError:
            with mapped:
                raise

    return call


def _take_op(name: str):
    """Put the operation ``name`` (and its mixin's other attributes) on Connection, a public one
    guarded; loads the mixin's module. Returns it as ``Connection.name`` reads."""
    module, cls_name = _OP_HOME[name].split(":")
    mixin = getattr(importlib.import_module(f".{module}", __package__), cls_name)
    for attr in _MIXINS[_OP_HOME[name]]:
        if attr not in Connection.__dict__:
            value = mixin.__dict__[attr]
            setattr(Connection, attr, value if attr.startswith("_") else _guarded(value))
    return type.__getattribute__(Connection, name)


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
