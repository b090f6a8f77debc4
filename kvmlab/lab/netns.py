"""The lab's network namespace, driven with iproute2's `ip netns` (what a learner would type)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from ..errors import OperationFailed
from ..i18n import _
from .process import terminate

__all__ = ["ip_tool", "exists", "add", "delete", "exec_argv", "pids", "links", "kill_all"]

NETNS_DIR = Path("/run/netns")


def ip_tool() -> str:
    """Path of the `ip` tool (iproute2), or a clear error when it is missing."""
    path = shutil.which("ip") or ("/usr/sbin/ip" if Path("/usr/sbin/ip").exists() else None)
    if not path:
        raise OperationFailed(
            _("the `ip` command (iproute2) is missing"),
            hint=_("install it: apt-get install iproute2"),
        )
    return path


def _ip(*args: str, timeout: float = 15.0) -> subprocess.CompletedProcess:
    argv = [ip_tool(), *args]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise OperationFailed(_("`{command}` did not finish in {timeout:g} s").format(
            command=" ".join(argv), timeout=timeout)) from exc
    if p.returncode != 0:
        raise OperationFailed(
            _("`{command}` failed: {why}").format(command=" ".join(argv), why=p.stderr.strip() or p.stdout.strip()),
            hint=_("network namespaces need root (CAP_SYS_ADMIN); run `kvmlab lab up` as root"),
        )
    return p


def exists(name: str) -> bool:
    """True if the named namespace exists (`ip netns list` shows it)."""
    return (NETNS_DIR / name).exists()


def add(name: str) -> None:
    """`ip netns add NAME` and bring its loopback up; nothing if it already exists."""
    if not exists(name):
        _ip("netns", "add", name)
    _ip("-n", name, "link", "set", "lo", "up")


def delete(name: str) -> None:
    """`ip netns del NAME`: its links (bridges, taps) and firewall tables vanish with it."""
    if exists(name):
        _ip("netns", "del", name)


def exec_argv(name: str, argv: Sequence[str]) -> list[str]:
    """The command line that runs ``argv`` inside the namespace."""
    return [ip_tool(), "netns", "exec", name, *argv]


def pids(name: str) -> list[int]:
    """Processes whose network namespace is this one (`ip netns pids NAME`)."""
    if not exists(name):
        return []
    return [int(p) for p in _ip("netns", "pids", name).stdout.split() if p.isdigit()]


def links(name: str) -> list[str]:
    """Interface names inside the namespace (`ip -n NAME -br link`)."""
    if not exists(name):
        return []
    out = _ip("-n", name, "-br", "link").stdout
    return [line.split()[0].split("@")[0] for line in out.splitlines() if line.strip()]


def kill_all(name: str, timeout: float = 10.0) -> list[int]:
    """Terminate every process left in the namespace; return the pids that would not die."""
    return terminate(pids(name), timeout)
