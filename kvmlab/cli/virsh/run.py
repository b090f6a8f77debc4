"""Run a virsh batch on a kvmlab Connection, printing exactly what virsh prints."""

from __future__ import annotations

import contextlib
import sys
from typing import Sequence, TextIO

from ...connection import Connection, connect
from ...errors import KvmlabError, UsageError
from . import commands_domain, commands_network, commands_pool, commands_volume
from .help import help_text
from .parse import STRING, Command, Invocation, Opt, parse_argv, parse_batch
from .shell import QUIT_COMMANDS, interactive
from .streams import HINT_PREFIX, report

__all__ = ["COMMANDS", "HINT_PREFIX", "run_batch", "main"]

COMMANDS = {
    c.name: c
    for c in (
        *commands_domain.COMMANDS,
        *commands_network.COMMANDS,
        *commands_pool.COMMANDS,
        *commands_volume.COMMANDS,
        # virsh's own: end the interactive terminal, or the rest of a batch
        *(Command(q, (), lambda _conn, _values: "", help="quit this interactive terminal") for q in QUIT_COMMANDS),
    )
}
COMMANDS["help"] = Command(
    "help", (Opt("command", STRING, help="Prints global help, command specific help, or help for a group of "
                 "related commands"),),  # fmt: skip
    lambda _conn, values: help_text(COMMANDS, values.get("command")), help="print help", needs_connection=False,
)


def run_batch(conn: Connection, invocations: Sequence[Invocation], out: TextIO, errs: TextIO) -> bool:
    """Run each command; like virsh, go on after a failure and return the last command's status."""
    ok = True
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errs):
        for inv in invocations:
            if inv.command.name in QUIT_COMMANDS:  # virsh: stop here, print nothing, succeed
                ok = True
                break
            try:
                result = inv.command.run(conn, inv.values)
                out.write(str(result))
                ok = True
            except KvmlabError as err:
                report(err)
                ok = False
            out.write("\n")
        out.flush()
    return ok


USAGE = """usage: kvmlab virsh [-c URI] COMMAND [ARGS...]
       kvmlab virsh [-c URI] 'CMD1 ARGS; CMD2 ARGS; ...'
       kvmlab virsh [-c URI]                      (the interactive terminal: virsh # ...; quit)
"""


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, errs: TextIO | None = None) -> int:
    """virsh's own argv handling: ``-c URI`` / ``--connect URI``, then one batch or one command."""
    out, errs = out or sys.stdout, errs or sys.stderr
    args = list(sys.argv[1:] if argv is None else argv)
    uri = None
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a in ("-c", "--connect"):
            if not args:
                errs.write("error: option '-c' requires an argument\n" if a == "-c" else
                           "error: option '--connect' requires an argument\n")
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
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errs):
            report(err)
        return 1
    if not invocations and args:
        return 0
    try:
        conn = connect(uri)
    except KvmlabError as err:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errs):
            report(err)
        return 1
    try:
        if not args:  # no command: virsh's interactive terminal
            return interactive(conn, COMMANDS, run_batch, out, errs)
        return 0 if run_batch(conn, invocations, out, errs) else 1
    finally:
        conn.close()
