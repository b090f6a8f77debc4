"""kvmlab's own libvirtd: virtlogd then libvirtd, started inside the lab's network namespace.

The Unix sockets under /run/libvirt are files, so ``qemu:///system`` reaches the daemon from the
host while every bridge, dnsmasq, NAT rule and QEMU it starts lives in the namespace. libvirtd
does not stop networks or guests when it exits: :func:`stop` sweeps the namespace itself.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import libvirt

from ..errors import KvmlabError, OperationFailed, install_error_handler, libvirt_errors
from ..i18n import _
from . import netns
from .paths import (
    LIBVIRT_DIRS,
    LIBVIRT_RUN,
    LIBVIRT_SOCK,
    LIBVIRTD_PID,
    LOG_DIR,
    NETNS,
    RUN_DIR,
    SYSTEM_URI,
    VIRTLOGD_PID,
    VIRTLOGD_SOCK,
    VIRTQEMUD_SOCK,
)
from .process import alive, comm, netns_inode, read_pid, socket_answers, terminate, wait_until

__all__ = ["Daemons", "ours", "foreign_daemon", "foreign_pids", "start", "stop", "QEMU_USER"]

QEMU_USER = "libvirt-qemu"  # Debian's qemu.conf runs guests as this user and group
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass
class Daemons:
    """The pids of the daemons kvmlab started (None when that one is not running)."""

    libvirtd: int | None
    virtlogd: int | None


def _our_pid(pidfile: Path, name: str) -> int | None:
    """The pid in our pid file if that process is ``name`` and lives in the lab namespace."""
    pid = read_pid(pidfile)
    if not alive(pid) or comm(pid) != name:
        return None
    lab_ns = netns_inode(f"/run/netns/{NETNS}")
    return pid if lab_ns is not None and netns_inode(pid) == lab_ns else None


def ours() -> Daemons | None:
    """kvmlab's running daemons, or None when kvmlab's libvirtd is not running."""
    libvirtd = _our_pid(LIBVIRTD_PID, "libvirtd")
    if libvirtd is None:
        return None
    return Daemons(libvirtd, _our_pid(VIRTLOGD_PID, "virtlogd"))


def foreign_daemon() -> str | None:
    """Describe a libvirt daemon that answers on /run/libvirt but was not started by kvmlab."""
    if ours() is not None:
        return None
    for sock in (LIBVIRT_SOCK, VIRTQEMUD_SOCK):
        if socket_answers(sock):
            return f"a libvirt daemon not started by kvmlab answers on {sock}"
    return None


def foreign_pids() -> list[int]:
    """Root's libvirtd / virtqemud processes that kvmlab did not start (for `lab status`)."""
    mine = ours()
    skip = {mine.libvirtd, mine.virtlogd} if mine else set()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in skip:
            try:
                if entry.stat().st_uid == 0 and comm(int(entry.name)) in ("libvirtd", "virtqemud"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return sorted(found)


def _check_prerequisites() -> None:
    """Refuse early, with the fix, when this machine cannot run the daemon."""
    if os.geteuid() != 0:
        raise OperationFailed(
            _("starting the lab's libvirtd needs root"),
            hint=_("run `sudo kvmlab lab up`; without root kvmlab uses qemu:///session"),
        )
    for binary in ("libvirtd", "virtlogd"):
        if not shutil.which(binary, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            raise OperationFailed(
                _("`{binary}` is not installed").format(binary=binary),
                hint=_("apt-get install libvirt-daemon-system qemu-system-x86"),
            )
    try:
        pwd.getpwnam(QEMU_USER)
        grp.getgrnam(QEMU_USER)
    except KeyError as exc:
        raise OperationFailed(
            _("the user and group '{user}' that QEMU runs as do not exist").format(user=QEMU_USER),
            hint=_("apt-get install libvirt-daemon-system (its setup creates them)"),
        ) from exc


def _log_tail(name: str, lines: int = 15) -> str:
    parts = []
    for path in (LOG_DIR / f"{name}.log", LOG_DIR / f"{name}.out"):
        try:
            parts += path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            pass
    return "\n".join(parts)


def _spawn(name: str, pidfile: Path) -> None:
    """Run ``name -d -p PIDFILE`` inside the namespace; the daemon forks into the background."""
    argv = netns.exec_argv(NETNS, [shutil.which(name) or f"/usr/sbin/{name}", "-d", "-p", str(pidfile)])
    env = dict(os.environ, LIBVIRT_LOG_OUTPUTS=f"3:file:{LOG_DIR / (name + '.log')}")
    with open(LOG_DIR / f"{name}.out", "w") as out:
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env, timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise OperationFailed(_("`{command}` did not return in {timeout:g} s").format(
                command=f"{name} -d", timeout=START_TIMEOUT)) from exc
    if p.returncode != 0:
        raise OperationFailed(
            _("`{command}` exited with status {status}:\n{log}").format(
                command=f"{name} -d", status=p.returncode, log=_log_tail(name)),
            hint=_("read {log}; `kvmlab lab down` clears half-started state").format(log=f"{LOG_DIR}/{name}.log"),
        )


def _opens(uri: str) -> bool:
    install_error_handler()
    try:
        with libvirt_errors():
            libvirt.open(uri).close()
    except KvmlabError:
        return False
    return True


def start(timeout: float = START_TIMEOUT) -> Daemons:
    """Create the namespace, then start virtlogd and libvirtd in it; wait until both answer."""
    running = ours()
    if running is not None:
        return running
    _check_prerequisites()
    for path in (*LIBVIRT_DIRS, RUN_DIR, LOG_DIR):
        path.mkdir(parents=True, exist_ok=True)
    netns.add(NETNS)
    if _our_pid(VIRTLOGD_PID, "virtlogd") is None:
        VIRTLOGD_PID.unlink(missing_ok=True)
        _spawn("virtlogd", VIRTLOGD_PID)
        if not wait_until(lambda: socket_answers(VIRTLOGD_SOCK), timeout):
            raise OperationFailed(
                _("{daemon} did not answer on {socket} within {timeout:g} s:\n{log}").format(
                    daemon="virtlogd", socket=VIRTLOGD_SOCK, timeout=timeout, log=_log_tail("virtlogd"))
            )
    LIBVIRTD_PID.unlink(missing_ok=True)
    _spawn("libvirtd", LIBVIRTD_PID)
    if not wait_until(lambda: socket_answers(LIBVIRT_SOCK) and _opens(SYSTEM_URI), timeout, 0.25):
        raise OperationFailed(
            _("{daemon} did not answer on {socket} within {timeout:g} s:\n{log}").format(
                daemon="libvirtd", socket=LIBVIRT_SOCK, timeout=timeout, log=_log_tail("libvirtd")),
            hint=_("run `kvmlab lab down` to clear the half-started lab, then read the log above"),
        )
    running = ours()
    if running is None:
        raise OperationFailed(_("libvirtd answered but its pid file {pidfile} names no running libvirtd").format(
            pidfile=LIBVIRTD_PID))
    return running


def stop(timeout: float = STOP_TIMEOUT) -> list[str]:
    """Stop kvmlab's daemons and everything left in the namespace, then delete the namespace.

    Returns what was done, one line each. Call it only when kvmlab's daemon (or nothing) is
    running: it also clears libvirt's runtime directory, as a reboot would.
    """
    done: list[str] = []
    for name, pidfile in (("libvirtd", LIBVIRTD_PID), ("virtlogd", VIRTLOGD_PID)):
        pid = _our_pid(pidfile, name)
        if pid is not None:
            left = terminate([pid], timeout)
            if left:
                raise OperationFailed(_("{name} (pid {pid}) would not stop").format(name=name, pid=pid))
            done.append(f"stopped {name} (pid {pid})")
        pidfile.unlink(missing_ok=True)
    for pid in netns.pids(NETNS):
        done.append(f"stopped {comm(pid) or 'process'} (pid {pid}) left in namespace {NETNS}")
    stuck = netns.kill_all(NETNS, timeout)
    if stuck:
        raise OperationFailed(_("processes {pids} in namespace {ns} would not stop").format(pids=stuck, ns=NETNS))
    if netns.exists(NETNS):
        netns.delete(NETNS)
        done.append(f"deleted network namespace {NETNS}")
    if RUN_DIR.exists() and not any(RUN_DIR.iterdir()):
        RUN_DIR.rmdir()
    # Runtime state of a daemon that no longer runs: status XML, dnsmasq pid files, the
    # "autostarted" markers that would stop the next `lab up` from autostarting.
    if LIBVIRT_RUN.exists() and not socket_answers(LIBVIRT_SOCK) and not socket_answers(VIRTQEMUD_SOCK):
        shutil.rmtree(LIBVIRT_RUN, ignore_errors=True)
    return done
