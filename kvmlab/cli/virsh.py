"""`kvmlab virsh`: virsh's own argv handling (``-c URI``), then one batch, one command or the terminal."""

from __future__ import annotations

import sys
from typing import Sequence, TextIO

from ..connection import connect
from ..errors import KvmlabError, UsageError
from ..render.l10n import virsh_setlocale
from ..virsh.parse import parse_argv, parse_batch
from ..virsh.run import COMMANDS, report_usage, run_batch
from .encoding import bytes_through

__all__ = ["main"]

USAGE = """usage: kvmlab virsh [-c URI] COMMAND [ARGS...]
       kvmlab virsh [-c URI] 'CMD1 ARGS; CMD2 ARGS; ...'
       kvmlab virsh [-c URI]                      (the interactive terminal: virsh # ...; quit)
"""


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, errs: TextIO | None = None) -> int:
    """virsh's own argv handling: ``-c URI`` / ``--connect URI``, then one batch or one command."""
    if out is None and errs is None:  # the process's own streams: bytes go through as in virsh
        bytes_through()
    out, errs = out or sys.stdout, errs or sys.stderr
    virsh_setlocale(errs)  # virsh's setlocale(LC_ALL, ""): the language of every text below
    args = list(sys.argv[1:] if argv is None else argv)
    uri = None
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a in ("-c", "--connect"):
            if not args:
                errs.write("error: option '-c'/'--connect' requires an argument\n")
                return 1
            uri = args.pop(0)
        elif a.startswith("--connect="):
            uri = a.split("=", 1)[1]
        elif a in ("-h", "--help"):
            out.write(USAGE)
            return 0
        elif a == "--":
            break
        else:
            errs.write(f"error: unsupported option '{a}'. See --help.\n")
            return 1
    if args == [""]:  # virsh: an empty command string is a failure that prints nothing
        return 1
    try:
        invocations = parse_batch(args[0], COMMANDS) if len(args) == 1 else parse_argv(args, COMMANDS)
    except UsageError as err:
        report_usage(err, out, errs)
        return 1
    if not invocations and args:
        return 0
    try:
        conn = connect(uri)
    except KvmlabError as err:
        report_usage(err, out, errs)
        return 1
    try:
        if not args:  # no command: virsh's interactive terminal
            from .shell import interactive

            return interactive(conn, out, errs)
        return 0 if run_batch(conn, invocations, out, errs) else 1
    finally:
        conn.close()
