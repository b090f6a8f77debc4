"""Learners x exercises: the teacher's table, from each learner's progress file."""

from __future__ import annotations

import pwd
import time
from html import escape

from . import paths, progress


def collect(learners: list[str]) -> dict[str, dict[str, dict]]:
    """learner -> exercise -> {attempts, passed, rung, time} (an account gone: no row data)."""
    out = {}
    for name in learners:
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            out[name] = {}
            continue
        out[name] = progress.summary(progress.read(pw.pw_dir, pw.pw_uid, paths.PROGRESS_FILE))
    return out


def _order(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


def cell(s: dict | None) -> str:
    if not s:
        return "·"
    mark = "✓" if s["passed"] else "✗"
    return f"{mark} {s['attempts']} tr{'y' if s['attempts'] == 1 else 'ies'}, rung {s['rung']}"


def last(row: dict[str, dict]) -> str:
    """When the learner's latest check ran, HH:MM UTC ("·" before any)."""
    t = max((s["time"] for s in row.values()), default=0)
    return time.strftime("%H:%M", time.gmtime(t)) if t else "·"


def html(data: dict[str, dict[str, dict]]) -> str:
    exercises = sorted({e for row in data.values() for e in row}, key=_order)
    head = "".join(f"<th>{escape(e)}</th>" for e in exercises)
    rows = "".join(
        f"<tr><th>{escape(name)}</th>" + "".join(f"<td>{escape(cell(row.get(e)))}</td>" for e in exercises)
        + f"<td>{last(row)}</td></tr>" for name, row in data.items())
    return ("<!doctype html><html><head><meta charset='utf-8'><title>kvmlab classroom: progress</title>"
            "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px 8px}"
            "table{border-collapse:collapse}</style></head><body><h1>Progress</h1>"
            "<p>Each cell: passed (✓) or not yet (✗), the checks run, the highest hint rung reached "
            "(1 concept, 2 pointer, 3 answer shown).</p>"
            f"<table><tr><th>learner</th>{head}<th>last check (UTC)</th></tr>{rows}</table></body></html>")
