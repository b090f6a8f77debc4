"""Run a virsh batch on a kvmlab Connection, printing exactly what virsh prints."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Sequence, TextIO

from ..errors import KvmlabError
from ..i18n import _
from .parse import STRING, Command, Invocation, Opt
from .streams import HINT_PREFIX, bound, report

if TYPE_CHECKING:
    from ..connection import Connection

__all__ = ["COMMANDS", "HINT_PREFIX", "QUIT_COMMANDS", "run_batch", "report_usage"]

QUIT_COMMANDS = ("quit", "exit")

# Each family's commands, by the table (commands_*.py) that defines them, in virsh's order. A table
# loads with the first of its commands asked for: `kvmlab virsh list` compiles commands_domain.py, not
# the six others (tests/test_lazy_imports.py checks these names against the tables).
_FAMILIES = {
    "commands_domain": ("list", "define", "create", "start", "dominfo", "suspend", "resume", "edit", "shutdown",
                        "destroy", "reboot", "undefine", "dumpxml"),
    "commands_hotplug": ("attach-disk", "detach-disk", "attach-interface", "detach-interface", "setmem", "setmaxmem",
                         "setvcpus", "vcpucount", "autostart"),
    "commands_monitor": ("domiflist", "domblklist", "domifaddr", "domstate", "domid", "domuuid", "domname", "console"),
    "commands_network": ("net-list", "net-dhcp-leases", "net-define", "net-create", "net-start", "net-info",
                         "net-dumpxml", "net-destroy", "net-autostart", "net-undefine"),
    "commands_pool": ("pool-list", "pool-define", "pool-create", "pool-build", "pool-start", "pool-info",
                      "pool-dumpxml", "pool-edit", "pool-destroy", "pool-undefine", "pool-delete", "pool-autostart"),
    "commands_snapshot": ("snapshot-create-as", "snapshot-current", "snapshot-delete", "snapshot-dumpxml",
                          "snapshot-info", "snapshot-list", "snapshot-revert"),
    "commands_volume": ("vol-list", "vol-create-as", "vol-info", "vol-delete", "vol-dumpxml", "vol-clone",
                        "vol-resize", "vol-upload", "vol-download"),
}


class _Commands(MutableMapping):
    """name -> Command, as a dict in virsh's order; a family's table loads when one of its commands is
    looked up, and every table when all are listed (help, a typo's hint)."""

    def __init__(self) -> None:
        self._found: dict[str, Command] = {}
        self._home = {name: family for family, names in _FAMILIES.items() for name in names}
        self._complete = False

    def _load(self, family: str) -> None:
        for cmd in importlib.import_module(f".{family}", __package__).COMMANDS:
            self._found.setdefault(cmd.name, cmd)  # one set meanwhile (a test's stand-in) stays
            self._home.pop(cmd.name, None)

    def _all(self) -> dict[str, Command]:
        if not self._complete:
            for family in _FAMILIES:
                self._load(family)
            order = [n for names in _FAMILIES.values() for n in names if n in self._found]
            self._found = {**{n: self._found[n] for n in order}, **self._found}  # then virsh's own, in their order
            self._complete = True
        return self._found

    def __getitem__(self, name: str) -> Command:
        found = self._found.get(name)
        if found is None:
            if name not in self._home:
                raise KeyError(name)
            self._load(self._home[name])
            found = self._found[name]
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._found or name in self._home

    def __setitem__(self, name: str, cmd: Command) -> None:
        self._found[name] = cmd
        self._home.pop(name, None)

    def __delitem__(self, name: str) -> None:
        del self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


COMMANDS: MutableMapping[str, Command] = _Commands()
for _quit in QUIT_COMMANDS:  # virsh's own: end the interactive terminal, or the rest of a batch
    COMMANDS[_quit] = Command(_quit, (), lambda _conn, _values: "", help="quit this interactive terminal")


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
