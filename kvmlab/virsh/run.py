"""Run a virsh batch on a kvmlab Connection, printing exactly what virsh prints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, TextIO

from ..errors import KvmlabError
from ..i18n import _
from . import (commands_domain, commands_hotplug, commands_monitor, commands_network, commands_pool,
               commands_snapshot, commands_volume)
from .parse import STRING, Command, Invocation, Opt
from .streams import HINT_PREFIX, bound, report

if TYPE_CHECKING:
    from ..connection import Connection

__all__ = ["COMMANDS", "HINT_PREFIX", "QUIT_COMMANDS", "run_batch", "report_usage"]

QUIT_COMMANDS = ("quit", "exit")

COMMANDS = {
    c.name: c
    for c in (
        *commands_domain.COMMANDS,
        *commands_hotplug.COMMANDS,
        *commands_monitor.COMMANDS,
        *commands_network.COMMANDS,
        *commands_pool.COMMANDS,
        *commands_snapshot.COMMANDS,
        *commands_volume.COMMANDS,
        # virsh's own: end the interactive terminal, or the rest of a batch
        *(Command(q, (), lambda _conn, _values: "", help="quit this interactive terminal") for q in QUIT_COMMANDS),
    )
}


def _help(_conn, values: dict) -> str:
    from .help import help_text  # the help texts load when help is asked for

    return help_text(COMMANDS, values.get("command"))


COMMANDS["help"] = Command(
    "help", (Opt("command", STRING, help="Prints global help, command specific help, or help for a group of "
                 "related commands"),),  # fmt: skip
    _help, help="print help", needs_connection=False,
)


def _unexpected(inv: Invocation, exc: Exception) -> KvmlabError:
    """A failure no command anticipated still ends as virsh's error lines, never a traceback."""
    return KvmlabError(
        f"{type(exc).__name__}: {exc}",
        hint=_("kvmlab could not run `{command}`; this is a kvmlab bug worth reporting, "
               "and the rest of the batch goes on as in virsh").format(command=inv.command.name),
    )


def run_batch(conn: "Connection", invocations: Sequence[Invocation], out: TextIO, errs: TextIO) -> bool:
    """Run each command; like virsh, go on after a failure and return the last command's status.

    Every command writes to ``out``/``errs`` (see :mod:`kvmlab.virsh.streams`); the process's own
    ``sys.stdout``/``sys.stderr`` are never swapped, so batches on several threads stay apart.
    """
    ok = True
    with bound(out, errs):
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
            except Exception as exc:  # noqa: BLE001 - one command's failure never ends the batch
                report(_unexpected(inv, exc))
                ok = False
            out.write("\n")
        out.flush()
    return ok


def report_usage(err: KvmlabError, out: TextIO, errs: TextIO) -> None:
    """Print a parse-time error (unknown command, bad option) as virsh does."""
    with bound(out, errs):
        report(err)
