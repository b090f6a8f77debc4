"""One teaching line after virsh's own error: the typo a learner made and what the command does."""

from __future__ import annotations

import difflib

from ..i18n import N_, _

__all__ = ["KNOWN_TYPOS", "MEANING", "ELSEWHERE", "suggest_command", "suggest_option"]

# Typos from the course notes (and their siblings) -> the right spelling.
KNOWN_TYPOS = {
    "destory": "destroy",
    "net-destory": "net-destroy",
    "pool-destory": "pool-destroy",
    "undefien": "undefine",
    "shutdwon": "shutdown",
    "dumxml": "dumpxml",
    "qume": "qemu",
    "libirt": "libvirt",
}

# What a command does, in a few words, so the hint also teaches.
MEANING = N_({
    "destroy": "destroy = forced power-off; shutdown = graceful",
    "shutdown": "shutdown = graceful (guest agent or ACPI); destroy = forced power-off",
    "net-destroy": "net-destroy stops a network; net-undefine deletes its definition",
    "pool-destroy": "pool-destroy stops a pool (data stays); pool-delete removes its storage",
    "define": "define = register the VM, do not start it; create = start a transient VM (no definition kept)",
    "create": "create = start a transient VM from XML; define + start = a persistent one",
    "undefine": "undefine deletes the definition; a running VM keeps running as transient",
    "dumpxml": "dumpxml prints the live XML; --inactive prints what the next boot will use",
    "resume": "resume continues a VM paused by suspend",
    "suspend": "suspend pauses the vCPUs; resume continues",
})


# Commands a learner expects in virsh that live in another tool.
ELSEWHERE = N_({
    "clone": "virsh has no clone command: virt-clone --original SRC --name NEW does it "
             "(kvmlab: conn.clone(SRC, NEW); by hand: dumpxml, vol-clone, define)",
    "virt-clone": "virt-clone is a tool of its own, not a virsh command: run it in a shell "
                  "(kvmlab: conn.clone(SRC, NEW))",
})


def command_guess(name: str, commands: list[str]) -> str | None:
    """The command ``name`` was probably meant to be (a known typo, else the closest), or None."""
    guess = KNOWN_TYPOS.get(name)
    if guess not in commands:
        close = difflib.get_close_matches(name, commands, n=1, cutoff=0.75)
        guess = close[0] if close else None
    return guess


def meaning_of(command: str) -> str:
    """`` (destroy = forced power-off; shutdown = graceful)`` for a command often confused, else ``""``."""
    meaning = MEANING.get(command)
    return _(" ({meaning})").format(meaning=_(meaning)) if meaning else ""


def suggest_command(name: str, commands: list[str]) -> str:
    """`did you mean 'destroy'? (destroy = forced power-off; shutdown = graceful)` or ``""``."""
    if name in ELSEWHERE:
        return _(ELSEWHERE[name])
    guess = command_guess(name, commands)
    if not guess:
        return _("run `virsh help` for the list of commands")
    return _("did you mean '{guess}'?").format(guess=guess) + meaning_of(guess)


def suggest_option(oname: str, cmd) -> str:
    names = [o.name for o in cmd.opts]
    close = difflib.get_close_matches(oname, names, n=1, cutoff=0.6)
    if close:
        return _("did you mean --{option}? (`virsh help {command}` lists its options)").format(
            option=close[0], command=cmd.name)
    return _("`virsh help {command}` lists its options: {options}").format(
        command=cmd.name, options=", ".join("--" + n for n in names))
