"""The base of every exercise check: a failure that teaches, and a small "passed" result.

A check function looks at the learner's answer and either returns :class:`Passed` (shown as a green
box in a notebook) or raises :class:`ExerciseFailed`: its message is the diagnosis, its ``hint`` the idea
(rung 1) and its ``pointer`` where to look (rung 2)::

    from kvmlab.exercises import Passed, expect

    def check_memory(kib: int) -> Passed:
        expect(kib != 512, "512 is the size in MiB", hint="<memory> is in KiB: 512 MiB = 524288 KiB")
        expect(kib == 524288, f"{kib} KiB is not 512 MiB", hint="multiply MiB by 1024")
        return Passed("memory", "512 MiB = 524288 KiB")
"""

from __future__ import annotations

import difflib
import re
import shlex
from html import escape
from typing import Any, Iterable

from ..virsh.hints import KNOWN_TYPOS
from ..errors import ExerciseFailed, KvmlabError, UsageError
from ..i18n import N_, _

__all__ = ["ExerciseFailed", "Passed", "expect", "untouched", "answered", "choose", "virsh_words", "virsh_line",
           "run_line"]


class Passed:
    """What a check returns when the answer is right: a title and the facts it confirmed."""

    def __init__(self, title: str, *details: str):
        self.title = title
        self.details = list(details)

    def __repr__(self) -> str:
        return f"Passed({self.title!r})"

    def __str__(self) -> str:
        return "\n".join([f"{_('passed')}: {self.title}", *(f"  - {d}" for d in self.details)])

    def __bool__(self) -> bool:
        return True

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(d)}</li>" for d in self.details)
        return (
            "<div class='kvmlab-exercise passed' style='border-left:4px solid #070;padding:4px 8px'>"
            f"<div style='color:#070'><b>{escape(_('passed'))}:</b> {escape(self.title)}</div>"
            + (f"<ul style='margin:2px 0'>{items}</ul>" if items else "")
            + "</div>"
        )


def expect(cond: object, message: str, hint: str = "", pointer: str = "", untried: bool = False) -> None:
    """Raise ExerciseFailed(message, hint=hint, pointer=pointer) unless ``cond`` is true.

    ``hint`` names the concept (the first failure shows it), ``pointer`` the command or element
    (from the second failure on). Neither gives the code: that is the check's ``@graded`` answer.
    ``untried``: the answer is still the notebook's placeholder, which never climbs the ladder.
    """
    if not cond:
        raise ExerciseFailed(message, hint=hint, pointer=pointer, untried=untried)


def untouched(answer: object) -> bool:
    """True for the notebook's placeholder: "TODO", an empty string, None."""
    return answer is None or (isinstance(answer, str) and answer.strip().upper() in ("", "TODO"))


def answered(answer: object, what: str, hint: str) -> str:
    """The learner's text answer, stripped; the placeholder fails as "no answer yet" (it does not climb)."""
    if untouched(answer) or not isinstance(answer, str):
        if isinstance(answer, str) or answer is None:
            raise ExerciseFailed(_("{what}: no answer yet").format(what=what), hint=hint, untried=True)
        raise ExerciseFailed(_("{what}: {answer} is not a string").format(what=what, answer=repr(answer)), hint=hint)
    return answer.strip()


def choose(answer: object, choices: Iterable[str], what: str = "answer") -> str:
    """The choice ``answer`` names (case-insensitive), or ExerciseFailed saying why not.

    Typos from the course notes (``qume``, ``libirt``, ``destory`` …) are named as such.
    """
    options = list(choices)
    by_key = {c.lower(): c for c in options}
    text = str(answer).strip() if isinstance(answer, str) else ""
    if not text or text.upper() == "TODO":
        raise ExerciseFailed(_("{what}: no answer yet").format(what=what), hint=_("choose one of: ") + ", ".join(options),
                             untried=True)
    if text.lower() in by_key:
        return by_key[text.lower()]
    typo = KNOWN_TYPOS.get(text.lower())
    if typo is not None and typo in by_key:
        raise ExerciseFailed(
            _("{what}: {text} is a typo (the course notes make it too)").format(what=what, text=repr(text)),
            hint=_("it is spelled {right}").format(right=repr(by_key[typo])) + _origin(typo),
        )
    close = difflib.get_close_matches(text.lower(), list(by_key), n=1, cutoff=0.75)
    if close:
        raise ExerciseFailed(
            _("{what}: {text} is not one of the choices").format(what=what, text=repr(text)),
            hint=_("did you mean {right}?").format(right=repr(by_key[close[0]])) + _origin(close[0]),
        )
    raise ExerciseFailed(_("{what}: {text} is not one of the choices").format(what=what, text=repr(text)),
                         hint=_("choose one of: ") + ", ".join(options))


# Where the names come from: a spelling is easier to keep once you know it.
_ORIGIN = N_({
    "qemu": " (Quick EMUlator)",
    "libvirt": " (lib + virt: the virtualisation library)",
    "libvirtd": " (the libvirt daemon: libvirt + d)",
    "kvm": " (Kernel-based Virtual Machine)",
    "destroy": " (destroy = forced power-off; shutdown = graceful)",
})


def _origin(name: str) -> str:
    return _(_ORIGIN[name]) if name in _ORIGIN else ""


def virsh_words(line: object, example: str) -> str:
    """The learner's virsh line without a leading ``virsh``; a missing answer fails with ``example``."""
    if not (isinstance(line, str) and line.strip() and line.strip().upper() != "TODO"):
        raise ExerciseFailed(_("no command yet"), hint=_("write the virsh line, e.g. '{example}'").format(example=example),
                             untried=True)
    text = line.strip()
    if _FIELD.search(text):  # "virsh pool-define {backup_file}" written without the f
        raise ExerciseFailed(_("the line holds {field} literally: Python fills in a {{name}} only in an f-string")
                             .format(field=_FIELD.search(text).group(0)),
                             hint=_("a plain string keeps its braces and the name in them as typed; an f-string "
                                    "(f before the opening quote) puts the variable's value there"),
                             pointer=_('put f before the opening quote: f"virsh … {{name}}"').format())
    words = text.split(None, 1)
    return words[1] if words[0] == "virsh" and len(words) > 1 else text


_FIELD = re.compile(r"\{[A-Za-z_][\w.]*(\[[^]]*\])?\}")


def virsh_line(line: object, example: str) -> Any:
    """The learner's one virsh command, parsed as virsh does (a typo is refused before anything runs).

    Returns the invocation (``.command.name``, ``.values``); virsh's own error becomes the failure.
    """
    from ..virsh.parse import parse_batch, tokenize
    from ..virsh.run import COMMANDS

    text = virsh_words(line, example)
    try:
        commands = tokenize(text)
        if len(commands) > 1:  # before parsing: "virsh a; virsh b" would read as an unknown command 'virsh'
            raise ExerciseFailed(_("that is {n} commands in one line: ").format(n=len(commands))
                                 + " / ".join(" ".join(c) for c in commands),
                                 hint=_("one line holds one command here: the check runs it and reads its result"),
                                 pointer=_("virsh COMMAND ARGUMENTS, with no ';'"))
        invocations = parse_batch(text, COMMANDS)
    except UsageError as err:
        try:
            first = shlex.split(text)[0]
        except (ValueError, IndexError):
            first = ""
        if first in _REAL_ONLY and err.message.startswith("unknown command"):  # real virsh has it: say so
            does, hint, pointer = _REAL_ONLY[first]
            raise ExerciseFailed(_("kvmlab's virsh twin does not run '{command}' (real virsh has it: {does})")
                                 .format(command=first, does=_(does)), hint=_(hint), pointer=_(pointer)) from None
        same = _(" (the course notes spell it '{command}' too)").format(command=first) if first in KNOWN_TYPOS else ""
        hint, pointer = _refused(err, first, COMMANDS)
        raise ExerciseFailed(_("virsh says: error: {message}{same}").format(message=err.message, same=same),
                             hint=hint, pointer=pointer) from None
    return invocations[0]


_GRAMMAR = N_("virsh reads a line as one command, then that command's arguments and --options; a word it cannot "
            "place is refused before anything runs")
_SPELLING = N_("virsh looks a command up by its exact name before anything runs: a name it does not know is never "
             "sent to libvirt (real virsh only says 'unknown command', it suggests nothing)")

# Commands virsh does not have, though a learner may guess them (real virsh 9.0 prints only "unknown
# command"): the idea (rung 1), then the command that does it (rung 2). Never a near spelling: difflib's
# guess for net-stop is net-list, for boot reboot, both wrong.
_STOP_VM = N_(("virsh has no {w}: a VM stops one of two ways, its guest OS asked to power off or the VM forced off "
            "like a pulled plug, and each way has its own command",
            'print(conn.virsh("help domain")) (virsh help domain): shutdown asks the guest, destroy forces it off'))
_NOT_VIRSH = N_({
    "net-stop": ("virsh has no net-stop: the net- command that stops a network is named for what happens to the "
                 "running network, and its definition stays",
                 "did you mean 'net-destroy'? It stops a network and keeps its definition (the course notes write "
                 'net-destory); print(conn.virsh("help network")) lists the net- commands'),
    "pool-stop": ("virsh has no pool-stop: the pool- command that stops a pool is named for what happens to the "
                  "running pool, and deletes nothing",
                  "did you mean 'pool-destroy'? It stops a pool and keeps its definition and volumes"),
    "stop": _STOP_VM, "kill": _STOP_VM, "halt": _STOP_VM, "poweroff": _STOP_VM,
    "boot": ("virsh has no {w}: booting a domain that is defined is the API call virDomainCreate, and its "
             "virsh command has another name",
             'print(conn.virsh("help domain")) (virsh help domain): the command that boots a defined, shut-off '
             "domain (not reboot: that restarts a running one)"),
    "delete": ("virsh has no {w}: a VM's definition is deleted by the opposite of define",
               'print(conn.virsh("help domain")): undefine deletes a definition (a running VM is stopped first)'),
    "net-delete": ("virsh has no {w}: a network's definition is deleted by the opposite of net-define",
                   "net-undefine deletes a network's definition (net-destroy stops it first)"),
    "snapshot": ("virsh has no snapshot command of that name: each snapshot command is snapshot-SOMETHING, one per "
                 "action (create, list, revert, delete …)",
                 'print(conn.virsh("help snapshot")) (virsh help snapshot) lists the snapshot commands'),
})
_NOT_VIRSH.update({"run": _NOT_VIRSH["boot"], "poweron": _NOT_VIRSH["boot"], "remove": _NOT_VIRSH["delete"],
                   "rm": _NOT_VIRSH["delete"], "net-remove": _NOT_VIRSH["net-delete"]})


# Real virsh commands (virsh 9.0) that kvmlab's twin does not run, and that an exercise invites: what each does,
# the idea, and where to look. Without this, "unknown command" would be kvmlab's word, not virsh's.
_REAL_ONLY = N_({
    "attach-device": ("it adds a device described in an XML file",
                      "attach-disk and attach-interface write the device's XML themselves from their arguments",
                      'print(conn.virsh("help attach-disk")) (virsh help attach-disk)'),
    "save": ("it stops the guest and writes its memory to a file",
             "a saved memory file is no snapshot: libvirt neither lists it nor reverts to it",
             'print(conn.virsh("help snapshot")) lists the snapshot commands'),
    "managedsave": ("it stops the guest and keeps its memory for the next start",
                    "a managed save is no snapshot: the next start consumes it, nothing is kept to go back to",
                    'print(conn.virsh("help snapshot")) lists the snapshot commands'),
    "vol-create": ("it makes a volume from an XML file",
                   "the task gives a name, a size and a format, not a file: one vol- command takes those as arguments",
                   'print(conn.virsh("help volume")) lists the vol- commands'),
    "pool-define-as": ("it defines a pool from arguments, without a file",
                       "this exercise defines the pool from its XML file, the way the course notes' pool-define does",
                       'print(conn.virsh("help pool-define")) (virsh help pool-define)'),
    "pool-create-as": ("it starts a transient pool from arguments",
                       "a transient pool keeps no definition once it stops",
                       'print(conn.virsh("help pool")) lists the pool- commands'),
    "reset": ("it presses the VM's reset button: the guest restarts at once",
              "a reset restarts the guest; the task stops it", 'print(conn.virsh("help domain"))'),
    "net-edit": ("it opens the network's XML in an editor to change it",
                 "the task only reads a network's XML", 'print(conn.virsh("help network"))'),
})


def _refused(err: UsageError, first: str, commands: Any) -> tuple[str, str]:
    """(concept, pointer) for a line virsh refused before running it."""
    from ..virsh.hints import MEANING

    if err.message.startswith("unknown command"):
        right = KNOWN_TYPOS.get(first)
        if right in commands:
            meaning = f" ({MEANING[right]})" if right in MEANING else ""
            return _(_SPELLING), _("did you mean '{right}'?{meaning}. {help}").format(
                right=right, meaning=meaning, help=_group_help(right))
        if first in _NOT_VIRSH:
            concept, pointer = _NOT_VIRSH[first]
            return _(concept).format(w=first), _(pointer)
        close = difflib.get_close_matches(first, list(commands), n=1, cutoff=0.75)  # rung 2 only
        if close:
            return _(_SPELLING), _("did you mean '{right}'? {help}").format(right=close[0], help=_group_help(close[0]))
        return _(_SPELLING), _help_pointer("", commands)
    if "doesn't support option" in err.message:  # the near spelling (virsh's twin guesses it) is the second rung
        return (_("each virsh command has its own list of --options; an option that is not in it is refused before "
                  "anything runs"), f"{err.hint}" if err.hint else _help_pointer(first, commands))
    if err.message.startswith("unexpected data '-"):  # `list -all`: one dash makes it data
        return (_("virsh's options are long words with two dashes; a word with one dash is read as data"),
                _('print(conn.virsh("help {command}")) (virsh help {command}) shows how its options are spelled')
                .format(command=first))
    return err.hint or _(_GRAMMAR), _help_pointer(first, commands)


def _group_help(command: str) -> str:
    group = next((g for prefix, g in (("net-", "network"), ("pool-", "pool"), ("vol-", "volume"),
                                      ("snapshot-", "snapshot")) if command.startswith(prefix)), "domain")
    return _('print(conn.virsh("help {group}")) lists that group\'s commands').format(group=group)


def _help_pointer(command: str, commands: Any) -> str:
    """The second rung of a line virsh refused: its help for a command it knows, else its list of commands."""
    if command in commands and command != "help":
        return _('print(conn.virsh("help {command}")) (virsh help {command}) lists its arguments and options '
                 "(options are long words with two dashes); the lesson's cell that runs the command shows an example"
                 ).format(command=command)
    return _('print(conn.virsh("help")) (virsh help) lists every command by group; "help domain", "help network" '
             'and "help pool" list one group (a network\'s commands start with net-, a pool\'s with pool-)')


def run_line(conn: Any, inv: Any) -> Any:
    """Run a parsed line on ``conn`` as virsh would; libvirt's refusal becomes the failure, in virsh's words."""
    try:
        return inv.command.run(conn, inv.values)
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: ") + " / ".join(f"error: {e}" for e in err.virsh_error or [err.message]),
                             hint=err.hint, pointer=_refusal_pointer(inv.command.name)) from None


def _refusal_pointer(command: str) -> str:
    """The second rung of a line libvirt refused: what the command needs, and the state it acted on."""
    listing = ("virsh net-list --all" if command.startswith("net-") else
               "virsh pool-list --all" if command.startswith(("pool-", "vol-")) else "virsh list --all")
    return _("libvirt's reason is virsh's second error line; print(conn.virsh(\"help {command}\")) says what the "
             "command needs, and `{listing}` shows the state it found").format(command=command, listing=listing)
