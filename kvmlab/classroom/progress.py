"""Progress records: each graded check appends one line to a file in the learner's own home.

Written only where ``KVMLAB_PROGRESS`` names a file (the classroom sets it to
``~/.kvmlab/progress.jsonl`` for every learner's server); unset, empty or ``off``: nothing is
written, so tests and ordinary runs never leave files behind. The file is the learner's, mode 0600:
other learners cannot read it; the teacher's page reads it as root, through :func:`read`, which
follows no symlink and takes only a regular file the learner owns.

One line per check: ``{"exercise": "8.2", "attempts": 3, "passed": true, "rung": 1, "time": ...}``.
"""

from __future__ import annotations

import os

ENV = "KVMLAB_PROGRESS"
MAX_BYTES = 1 << 20  # the teacher's page reads at most this much of one learner's file


def target() -> str:
    """The file records go to, or "" when recording is off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in ("", "0", "off", "no", "false"):
        return ""
    return os.path.expanduser(value)


def record(exercise: str, attempts: int, passed: bool, rung: int, answer_shown: bool = False) -> bool:
    """Append one record; never raises (a full disk must not break a learner's check)."""
    path = target()
    if not path:
        return False
    import json
    import time

    line = json.dumps({"exercise": exercise, "attempts": attempts, "passed": passed, "rung": rung,
                       "answer_shown": answer_shown, "time": round(time.time(), 3)}) + "\n"
    try:
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        return False
    return True


def read(home: str, uid: int, relpath: str = ".kvmlab/progress.jsonl") -> list[dict]:
    """A learner's records, read safely as root: no symlink anywhere below ``home``, owner ``uid``."""
    import json
    import stat

    flags = os.O_RDONLY | os.O_NOFOLLOW
    fds = []
    try:
        fd = os.open(home, flags | os.O_DIRECTORY)
        fds.append(fd)
        parts = relpath.split("/")
        for part in parts[:-1]:
            fd = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            fds.append(fd)
        fd = os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=fd)
        fds.append(fd)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != uid:
            return []
        data = os.read(fd, MAX_BYTES)
    except OSError:
        return []
    finally:
        for f in fds:
            os.close(f)
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and isinstance(rec.get("exercise"), str):
            out.append({"exercise": rec["exercise"][:16], "attempts": int(rec.get("attempts", 0) or 0),
                        "passed": bool(rec.get("passed")), "rung": int(rec.get("rung", 0) or 0),
                        "time": float(rec.get("time", 0) or 0)})
    return out


def summary(records: list[dict]) -> dict[str, dict]:
    """Exercise -> its latest state: attempts, passed (ever), highest rung reached."""
    out: dict[str, dict] = {}
    for rec in records:
        cur = out.setdefault(rec["exercise"], {"attempts": 0, "passed": False, "rung": 0, "time": 0.0})
        cur["attempts"] = max(cur["attempts"], rec["attempts"])
        cur["passed"] = cur["passed"] or rec["passed"]
        cur["rung"] = max(cur["rung"], rec["rung"])
        cur["time"] = max(cur["time"], rec["time"])
    return out
