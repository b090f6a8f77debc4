"""Small process helpers over /proc: pid files, liveness, polite then firm termination."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from typing import Callable, Iterable

__all__ = [
    "read_pid",
    "alive",
    "comm",
    "netns_inode",
    "wait_until",
    "terminate",
    "socket_answers",
]


def read_pid(path: Path) -> int | None:
    """The pid written in ``path``, or None when the file is missing or not a number."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int | None) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent counts as gone)."""
    if not pid or pid <= 0:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def comm(pid: int) -> str:
    """The process's short command name (``libvirtd``, ``dnsmasq`` …), or '' if gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def netns_inode(target: str | int) -> int | None:
    """Inode of a network namespace: of a pid, or of a path such as /run/netns/NAME."""
    path = f"/proc/{target}/ns/net" if isinstance(target, int) else target
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds pass; return its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def terminate(pids: Iterable[int], timeout: float = 10.0) -> list[int]:
    """SIGTERM the pids, wait up to ``timeout``, SIGKILL the rest; return those still alive."""
    pids = [p for p in pids if alive(p)]
    asked = list(pids)
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        wait_until(lambda: not any(alive(p) for p in pids), wait)
        pids = [p for p in pids if alive(p)]
        if not pids:
            break
    # Give init a moment to reap them, so `ps` shows no zombie either.
    wait_until(lambda: not any(Path(f"/proc/{p}").exists() for p in asked), 3.0)
    return pids


def socket_answers(path: Path, timeout: float = 1.0) -> bool:
    """True if a daemon accepts connections on the Unix socket at ``path``."""
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True
