"""``up``, ``down`` and ``status``: the classroom's life cycle (root only).

``up`` makes the accounts (tagged, recorded in the state file before anything else so ``down``
can always undo), copies the course into each home, writes the hub's config and starts
JupyterHub in a session of its own (the proxy and the teacher's page are its children). A second
``up`` says what runs and changes nothing. ``down`` stops the hub's process group, every process
of every classroom account (learner servers, session libvirtds, guests), removes those accounts
with their homes, then the state directory: nothing of the classroom is left but the learners'
Python environment (installed software; ``purge=True`` removes it too).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field

from ..errors import InvalidInput, InvalidState, OperationFailed
from . import accounts, env, hubconfig, paths, state


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    url: str = ""
    passwords: dict[str, str] = field(default_factory=dict)  # only from the `up` that made them

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _need_root() -> None:
    if os.geteuid() != 0:
        raise InvalidState("the classroom makes local accounts and runs the hub as root",
                           hint="run it as root: sudo kvmlab classroom up --learners 2")


def _alive(pid: int | None, word: str = "jupyterhub") -> bool:
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
        return not cmdline or word.encode() in cmdline  # empty: caught between fork and exec
    except OSError:
        return False


def _url(st: dict) -> str:
    host = st["ip"] if st["ip"] not in ("", "0.0.0.0") else "127.0.0.1"
    return f"http://{host}:{st['port']}/"


def _wait_hub(st: dict, timeout: float = 90) -> None:
    end, url = time.monotonic() + timeout, _url(st) + "hub/api/"
    while time.monotonic() < end:
        if not _alive(st.get("hub_pid")):
            break
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except OSError:
            time.sleep(0.5)
    log = os.path.join(paths.STATE_DIR, "jupyterhub.log")
    tail = open(log).read()[-1500:] if os.path.exists(log) else ""
    raise OperationFailed(f"JupyterHub did not answer at {url} within {timeout:.0f} s:\n{tail}",
                          hint=f"see {log}; `kvmlab classroom down` cleans up")


def _copy_course(name: str) -> None:
    pw = pwd.getpwnam(name)
    root = env.repo_root()
    dest = os.path.join(pw.pw_dir, paths.COURSE_DIR)
    for part in ("notebooks", "exercises"):
        shutil.copytree(root / part, os.path.join(dest, part), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    os.makedirs(os.path.join(pw.pw_dir, os.path.dirname(paths.PROGRESS_FILE)), mode=0o700, exist_ok=True)
    subprocess.run(["chown", "-R", f"{pw.pw_uid}:{pw.pw_gid}", dest,
                    os.path.join(pw.pw_dir, os.path.dirname(paths.PROGRESS_FILE))], check=True)


def _hub_env(bin_dir: str) -> dict:
    """The hub's environment: the classroom's Python first, none of the caller's PYTHONPATH/venv."""
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TZ", "HOME", "USER", "LOGNAME")}
    return {**keep, "PATH": f"{bin_dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}


def _start_hub(st: dict, bin_dir: str) -> int:
    conf = os.path.join(paths.STATE_DIR, "jupyterhub_config.py")
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(hubconfig.render(st, bin_dir))
    log = open(os.path.join(paths.STATE_DIR, "jupyterhub.log"), "ab")
    proc = subprocess.Popen([os.path.join(bin_dir, "jupyterhub"), "-f", conf], cwd=paths.STATE_DIR,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env=_hub_env(bin_dir))
    log.close()
    return proc.pid


def status() -> Report:
    st = state.load()
    if not st:
        return Report(["no classroom here (kvmlab classroom up --learners N starts one)"])
    running = _alive(st.get("hub_pid"))
    lines = [f"classroom {'running' if running else 'NOT running (hub stopped)'} at {_url(st)}",
             f"hub pid {st.get('hub_pid')}; teacher: {st['teacher']}; learners: {', '.join(st['learners'])}",
             f"teacher's page: {_url(st)}services/{hubconfig.PAGE}/"]
    return Report(lines, _url(st))


def up(learners: int, port: int = 8000, ip: str = "127.0.0.1", prefix: str = "learner",
       teacher: str = "teacher", log=print) -> Report:
    """Start the classroom; a running one is reported, not changed."""
    _need_root()
    if not isinstance(learners, int) or not 1 <= learners <= 200:
        raise InvalidInput(f"--learners must be a whole number from 1 to 200, not {learners!r}",
                           hint="kvmlab classroom up --learners 2")
    if not isinstance(port, int) or not 1024 <= port <= 65532:
        raise InvalidInput(f"--port must be from 1024 to 65532, not {port!r}", hint="the default is 8000")
    st = state.load()
    if st and _alive(st.get("hub_pid")):
        rep = status()
        rep.lines.insert(0, "already running, nothing changed (passwords were printed by the first `up`; "
                            "`kvmlab classroom down` then `up` makes new ones)")
        if len(st["learners"]) != learners or st["port"] != port or st["ip"] != ip:
            rep.lines.insert(1, f"note: it runs with {len(st['learners'])} learners on {st['ip']}:{st['port']}, "
                                f"not the {learners} on {ip}:{port} asked for: `down` first to change that")
        return rep
    bin_dir = env.ensure(log)
    passwords: dict[str, str] = {}
    if not st:
        names = [f"{prefix}{i}" for i in range(1, learners + 1)]
        taken = [n for n in [*names, teacher] if accounts.exists(n)]
        if taken:
            raise InvalidState(f"account(s) {', '.join(taken)} already exist and the classroom did not make them",
                               hint="pick other names: --prefix NAME / --teacher NAME; the classroom "
                                    "never touches accounts it did not make")
        st = {"learners": names, "teacher": teacher, "port": port, "ip": ip, "accounts": [],
              "token": secrets.token_hex(32), "created": time.time()}
        state.save(st)
        for name in [teacher, *names]:
            st["accounts"].append(name)  # recorded before it exists: down removes it even if up stops here
            state.save(st)
            passwords[name] = accounts.create(name)
            if name != teacher:
                _copy_course(name)
    st["hub_pid"] = _start_hub(st, bin_dir)
    state.save(st)
    _wait_hub(st)
    rep = status()
    if passwords:
        rep.lines.append("passwords (shown this once; they are not stored):")
        rep.lines += [f"  {n:12} {p}" for n, p in passwords.items()]
    else:
        rep.lines.insert(0, "hub restarted for the existing accounts (their passwords are unchanged)")
    rep.passwords = passwords
    return rep


def _stop_group(pid: int | None) -> None:
    """TERM the hub's process group (hub, proxy, teacher's page), then KILL what is left."""
    if not _alive(pid):
        return
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def down(purge: bool = False) -> Report:
    """Stop everything the classroom started and remove the accounts it made; nothing else."""
    _need_root()
    st = state.load()
    lines = []
    if st:
        _stop_group(st.get("hub_pid"))
        lines.append("hub, proxy and teacher's page stopped")
        for name in st.get("accounts", []):
            if accounts.remove(name):
                lines.append(f"account {name} removed with its home, server, session daemon and guests")
            elif accounts.exists(name):
                lines.append(f"account {name} left alone: it does not carry the tag {paths.TAG}")
    if os.path.isdir(paths.STATE_DIR):
        shutil.rmtree(paths.STATE_DIR)
        lines.append(f"{paths.STATE_DIR} removed")
    if purge and os.path.isdir(paths.ENV_DIR):
        shutil.rmtree(paths.ENV_DIR)
        lines.append(f"{paths.ENV_DIR} removed")
    return Report(lines or ["no classroom here: nothing to stop"])
