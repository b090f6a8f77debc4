"""Local accounts for the learners and the teacher: made with a tag, removed only if tagged.

Each account gets a random password (PAM checks it at the hub's login), a home of mode 0700, no
extra groups (so no sudo, no libvirt or kvm group: no way to the system libvirt socket), and is
removed with its home and every process it runs (its session libvirtd and its guests included).
"""

from __future__ import annotations

import os
import pwd
import secrets
import signal
import subprocess
import time

from ..errors import InvalidState, OperationFailed
from . import paths


def tagged(name: str) -> bool:
    """Does account ``name`` exist and carry the classroom's tag?"""
    try:
        return pwd.getpwnam(name).pw_gecos.split(",")[0] == paths.TAG
    except KeyError:
        return False


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _run(*cmd: str, stdin: str | None = None) -> None:
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if r.returncode:
        raise OperationFailed(f"{' '.join(cmd[:2])} failed: {r.stderr.strip()}",
                              hint="the classroom needs root and the shadow tools (useradd, chpasswd)")


def create(name: str) -> str:
    """Make account ``name`` (tagged, home 0700) and return its new random password."""
    if exists(name):
        raise InvalidState(f"account '{name}' already exists and the classroom did not make it",
                           hint="choose other names (--prefix) or remove that account yourself; "
                                "the classroom never touches accounts it did not make")
    _run("useradd", "--create-home", "--shell", "/bin/bash", "--user-group", "--comment", paths.TAG, name)
    home = pwd.getpwnam(name).pw_dir
    os.chmod(home, 0o700)
    password = secrets.token_urlsafe(12)
    _run("chpasswd", stdin=f"{name}:{password}\n")
    return password


def pids(name: str) -> list[int]:
    """Every process owned by account ``name`` (read from /proc: real uid)."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def stop_processes(name: str, grace: float = 3.0) -> list[int]:
    """TERM, then KILL, every process of ``name`` (by pid): its server, session daemons, guests."""
    first = pids(name)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids(name):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        end = time.monotonic() + grace
        while pids(name) and time.monotonic() < end:
            time.sleep(0.1)
    return first


def remove(name: str) -> bool:
    """Remove a tagged account with its home and processes; an untagged one is left alone."""
    if not tagged(name):
        return False
    stop_processes(name)
    _run("userdel", "--remove", "--force", name)
    return True
