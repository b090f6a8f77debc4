"""`kvmlab classroom up|status|down`: JupyterHub with one lab per learner (root)."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

__all__ = ["main"]

USAGE = """usage: kvmlab classroom <command> [options]

commands:
  up --learners N [--port P] [--ip ADDR] [--prefix learner] [--teacher teacher]
           start JupyterHub on ADDR:P (127.0.0.1:8000): N learner accounts and a teacher, each
           learner's JupyterLab on its own qemu:///session; prints the URL and passwords once
  status   what runs, where
  down [--purge]
           stop the hub, every learner server, session daemon and guest; remove the accounts
           the classroom made (and only those); --purge: the learners' Python environment too
"""


def main(argv: Sequence[str] = ()) -> int:
    args = list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    cmd, rest = args[0], args[1:]
    p = argparse.ArgumentParser(prog=f"kvmlab classroom {cmd}", add_help=False)
    if cmd == "up":
        p.add_argument("--learners", type=int, required=True)
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--ip", default="127.0.0.1")
        p.add_argument("--prefix", default="learner")
        p.add_argument("--teacher", default="teacher")
    elif cmd == "down":
        p.add_argument("--purge", action="store_true")
    elif cmd != "status":
        sys.stderr.write(f"kvmlab classroom: unknown command '{cmd}'\n{USAGE}")
        return 2
    try:
        opts = p.parse_args(rest)
    except SystemExit:
        sys.stderr.write(USAGE)
        return 2

    from .. import classroom
    from ..errors import KvmlabError

    try:
        if cmd == "up":
            rep = classroom.up(opts.learners, port=opts.port, ip=opts.ip, prefix=opts.prefix,
                               teacher=opts.teacher, log=lambda m: print(f"[classroom] {m}", file=sys.stderr))
        elif cmd == "down":
            rep = classroom.down(purge=opts.purge)
        else:
            rep = classroom.status()
    except KvmlabError as exc:
        sys.stderr.write(f"kvmlab classroom {cmd}: {exc}\n")
        return 1
    print(rep)
    return 0
