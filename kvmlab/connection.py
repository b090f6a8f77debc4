"""connect(uri): the embedded lab (libvirt's test driver), the real lab, or any libvirt URI."""

from __future__ import annotations

import os
from pathlib import Path

import libvirt

from .errors import ConnectionFailed, install_error_handler, libvirt_errors
from .ops.domain import DomainOps
from .ops.network import NetworkOps
from .ops.pool import PoolOps
from .ops.volume import VolumeOps

__all__ = ["Connection", "connect", "embedded_uri", "default_uri"]

EMBEDDED_FILE = "embedded-host.xml"
_DATA = Path(__file__).resolve().parent / "data"

# What a node file cannot say: which networks and pools are stopped, which autostart.
_EMBEDDED_STOPPED_NETWORKS = ("isolated", "host-bridge")
_EMBEDDED_AUTOSTART_NETWORKS = ("default",)
_EMBEDDED_STOPPED_POOLS = ("iso",)
_EMBEDDED_AUTOSTART_POOLS = ("default",)
_EMBEDDED_AUTOSTART_DOMAINS = ("web01",)


def embedded_uri() -> str:
    """The test-driver URI of the embedded lab's node file shipped inside the package."""
    return f"test://{_DATA / EMBEDDED_FILE}"


def default_uri() -> str:
    """``$KVMLAB_URI`` if set, else the embedded lab."""
    return os.environ.get("KVMLAB_URI") or embedded_uri()


class Connection(DomainOps, NetworkOps, PoolOps, VolumeOps):
    """One open libvirt connection and the virsh-equivalent operations on it.

    Every operation returns a result object: ``str()`` is virsh's exact text, it renders as a
    table in a notebook, and ``.virsh`` / ``.api`` show the command line and libvirt calls.
    """

    def __init__(self, virconn: libvirt.virConnect, uri: str):
        self.virconn = virconn
        self.uri = uri

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
        from .virsh.hints import suggest_command

        ops = [n for n in dir(type(self)) if not n.startswith("_")]
        cli_name = name.replace("_", "-")
        hint = suggest_command(cli_name, [o.replace("_", "-") for o in ops])
        guess = hint.split("'")[1].replace("-", "_") if hint.startswith("did you mean") else ""
        more = f": did you mean conn.{guess}()?{hint.split('?', 1)[1]}" if guess else ""
        raise AttributeError(f"kvmlab.Connection has no operation {name!r}{more}")

    def close(self) -> None:
        if self.virconn is not None:
            try:
                self.virconn.close()
            except libvirt.libvirtError:
                pass
            self.virconn = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kvmlab.Connection {self.uri!r}>"


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
            f"failed to connect to the hypervisor at {uri!r}: {msg}",
            hint="run `kvmlab doctor` to see which URIs answer; without a URI kvmlab uses the "
            "embedded lab (libvirt's test driver), and `kvmlab lab up` starts the real one",
            virsh_error=["failed to connect to the hypervisor", msg],
        ) from exc
    if uri == embedded_uri():
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
