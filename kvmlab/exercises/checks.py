"""The base of every exercise check: a failure that teaches, and a small "passed" result.

A check function looks at the learner's answer and either returns :class:`Passed` (shown as a green
box in a notebook) or raises :class:`ExerciseFailed` whose ``hint`` points at the exact mistake::

    from kvmlab.exercises import Passed, expect

    def check_memory(kib: int) -> Passed:
        expect(kib != 512, "512 is the size in MiB", hint="<memory> is in KiB: 512 MiB = 524288 KiB")
        expect(kib == 524288, f"{kib} KiB is not 512 MiB", hint="multiply MiB by 1024")
        return Passed("memory", "512 MiB = 524288 KiB")
"""

from __future__ import annotations

import difflib
from html import escape
import shlex
from typing import Any, Iterable

from ..virsh.hints import KNOWN_TYPOS
from ..errors import ExerciseFailed, KvmlabError, UsageError

__all__ = ["ExerciseFailed", "Passed", "expect", "choose", "virsh_words", "virsh_line", "run_line"]


class Passed:
    """What a check returns when the answer is right: a title and the facts it confirmed."""

    def __init__(self, title: str, *details: str):
        self.title = title
        self.details = list(details)

    def __repr__(self) -> str:
        return f"Passed({self.title!r})"

    def __str__(self) -> str:
        return "\n".join([f"passed: {self.title}", *(f"  - {d}" for d in self.details)])

    def __bool__(self) -> bool:
        return True

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(d)}</li>" for d in self.details)
        return (
            "<div class='kvmlab-exercise passed' style='border-left:4px solid #070;padding:4px 8px'>"
            f"<div style='color:#070'><b>passed:</b> {escape(self.title)}</div>"
            + (f"<ul style='margin:2px 0'>{items}</ul>" if items else "")
            + "</div>"
        )


def expect(cond: object, message: str, hint: str = "", pointer: str = "") -> None:
    """Raise ExerciseFailed(message, hint=hint, pointer=pointer) unless ``cond`` is true.

    ``hint`` names the concept (the first failure shows it), ``pointer`` the command or element
    (from the second failure on). Neither gives the code: that is the check's ``@graded`` answer.
    """
    if not cond:
        raise ExerciseFailed(message, hint=hint, pointer=pointer)


def choose(answer: object, choices: Iterable[str], what: str = "answer") -> str:
    """The choice ``answer`` names (case-insensitive), or ExerciseFailed saying why not.

    Typos from the course notes (``qume``, ``libirt``, ``destory`` …) are named as such.
    """
    options = list(choices)
    by_key = {c.lower(): c for c in options}
    text = str(answer).strip() if isinstance(answer, str) else ""
    if not text or text.upper() == "TODO":
        raise ExerciseFailed(f"{what}: no answer yet", hint="choose one of: " + ", ".join(options), untried=True)
    if text.lower() in by_key:
        return by_key[text.lower()]
    typo = KNOWN_TYPOS.get(text.lower())
    if typo is not None and typo in by_key:
        raise ExerciseFailed(
            f"{what}: {text!r} is a typo (the course notes make it too)",
            hint=f"it is spelled {by_key[typo]!r}" + _ORIGIN.get(typo, ""),
        )
    close = difflib.get_close_matches(text.lower(), list(by_key), n=1, cutoff=0.75)
    if close:
        raise ExerciseFailed(
            f"{what}: {text!r} is not one of the choices",
            hint=f"did you mean {by_key[close[0]]!r}?" + _ORIGIN.get(close[0], ""),
        )
    raise ExerciseFailed(f"{what}: {text!r} is not one of the choices", hint="choose one of: " + ", ".join(options))


# Where the names come from: a spelling is easier to keep once you know it.
_ORIGIN = {
    "qemu": " (Quick EMUlator)",
    "libvirt": " (lib + virt: the virtualisation library)",
    "libvirtd": " (the libvirt daemon: libvirt + d)",
    "kvm": " (Kernel-based Virtual Machine)",
    "destroy": " (destroy = forced power-off; shutdown = graceful)",
}


def virsh_words(line: object, example: str) -> str:
    """The learner's virsh line without a leading ``virsh``; a missing answer fails with ``example``."""
    if not (isinstance(line, str) and line.strip() and line.strip().upper() != "TODO"):
        raise ExerciseFailed("no command yet", hint=f"write the virsh line, e.g. '{example}'", untried=True)
    text = line.strip()
    words = text.split(None, 1)
    return words[1] if words[0] == "virsh" and len(words) > 1 else text


def virsh_line(line: object, example: str) -> Any:
    """The learner's one virsh command, parsed as virsh does (a typo is refused before anything runs).

    Returns the invocation (``.command.name``, ``.values``); virsh's own error becomes the failure.
    """
    from ..virsh.parse import parse_batch
    from ..virsh.run import COMMANDS

    text = virsh_words(line, example)
    try:
        invocations = parse_batch(text, COMMANDS)
    except UsageError as err:
        try:
            first = shlex.split(text)[0]
        except (ValueError, IndexError):
            first = ""
        same = f" (the course notes spell it '{first}' too)" if first in KNOWN_TYPOS else ""
        raise ExerciseFailed(f"virsh says: error: {err.message}{same}", hint=err.hint or _GRAMMAR,
                             pointer=_help_pointer(first, COMMANDS)) from None
    expect(len(invocations) == 1, f"that is {len(invocations)} commands", hint="one command does it",
           pointer="virsh COMMAND ARGUMENTS, with no ';'")
    return invocations[0]


_GRAMMAR = ("virsh reads a line as one command, then that command's arguments and --options; a word it cannot "
            "place is refused before anything runs")


def _help_pointer(command: str, commands: Any) -> str:
    """The second rung of a line virsh refused: its help for a command it knows, else its list of commands."""
    if command in commands and command != "help":
        return (f"`virsh help {command}` lists its arguments and options (options are long words with two "
                "dashes); the lesson's cell that runs it shows one")
    return ("`virsh help` lists every command by group; `virsh help domain`, `virsh help network` and "
            "`virsh help pool` list one group (a network's commands start with net-, a pool's with pool-)")


def run_line(conn: Any, inv: Any) -> Any:
    """Run a parsed line on ``conn`` as virsh would; libvirt's refusal becomes the failure, in virsh's words."""
    try:
        return inv.command.run(conn, inv.values)
    except KvmlabError as err:
        raise ExerciseFailed("virsh says: " + " / ".join(f"error: {e}" for e in err.virsh_error or [err.message]),
                             hint=err.hint, pointer=_refusal_pointer(inv.command.name)) from None


def _refusal_pointer(command: str) -> str:
    """The second rung of a line libvirt refused: what the command needs, and the state it acted on."""
    listing = ("virsh net-list --all" if command.startswith("net-") else
               "virsh pool-list --all" if command.startswith(("pool-", "vol-")) else "virsh list --all")
    return (f"libvirt's reason is virsh's second error line; `virsh help {command}` says what the command needs, "
            f"and `{listing}` shows the state it found")
