"""virsh's command-line grammar (tools/vsh.c), reproduced so errors match byte for byte.

A batch is parsed whole before anything runs: one unknown command or option anywhere and
virsh runs nothing. Options that are not booleans are also positional, in table order.
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..errors import UsageError
from ..i18n import _

__all__ = ["Opt", "Command", "Invocation", "tokenize", "parse_batch", "parse_argv", "bool_options", "ARGV"]

BOOL, STRING, DATA, INT, ALIAS, ARGV = "bool", "string", "data", "number", "alias", "argv"


class Opt:
    """One option of a virsh command (vshCmdOptDef).

    ``kind`` is bool, string, data (positional string), number, alias or argv (VSH_OT_ARGV: given
    any number of times, and it takes every positional word left over; its value is a list).
    ``required`` marks VSH_OFLAG_REQ; ``named_only`` marks VSH_OFLAG_REQ_OPT (never positional).
    For an alias, ``alias_of`` names the real option (``"name=value"`` form gives a value too).
    ``positional``: the option may be given without its ``--name`` (not a bool, alias or named-only).

    A plain class, not a dataclass: the tables hold a few hundred of them, built at every start.
    """

    __slots__ = ("name", "kind", "required", "named_only", "alias_of", "help", "positional")

    def __init__(self, name: str, kind: str = BOOL, required: bool = False, named_only: bool = False,
                 alias_of: str = "", help: str = "") -> None:
        self.name = name
        self.kind = kind
        self.required = required
        self.named_only = named_only
        self.alias_of = alias_of
        self.help = help
        self.positional = kind not in (BOOL, ALIAS) and not named_only

    def __repr__(self) -> str:
        return f"Opt({self.name!r}, {self.kind!r}, required={self.required!r})"


class Command:
    """A virsh command: its name, options and the handler that runs it on a Connection."""

    __slots__ = ("name", "opts", "run", "help", "needs_connection", "_by_name")

    def __init__(self, name: str, opts: Sequence[Opt], run: Callable, help: str = "",
                 needs_connection: bool = True) -> None:
        self.name = name
        self.opts = opts
        self.run = run  # (conn, values: dict) -> result with __str__
        self.help = help
        self.needs_connection = needs_connection
        self._by_name = {o.name: o for o in opts}

    def opt(self, name: str) -> Opt | None:
        return self._by_name.get(name)

    def __repr__(self) -> str:
        return f"Command({self.name!r})"


class Invocation:
    """One parsed command of a batch: the command, its option values, and the words it was read from."""

    __slots__ = ("command", "values", "argv")

    def __init__(self, command: Command, values: dict | None = None, argv: list | None = None) -> None:
        self.command = command
        self.values = {} if values is None else values
        self.argv = [] if argv is None else argv

    @property
    def line(self) -> str:
        return " ".join(self.argv)

    def __repr__(self) -> str:
        return f"Invocation({self.command.name!r}, {self.values!r})"


def bool_options(values: dict, *names: str) -> dict[str, bool]:
    """BOOL options as keyword arguments of an operation: ``--no-overwrite`` -> ``no_overwrite=True``."""
    return {n.replace("-", "_"): bool(values.get(n)) for n in names}


def _tokens_of(text: str):
    """Yield tokens of one batch string; ``None`` marks the end of a command (vsh.c's GetArg)."""
    p, n = 0, len(text)
    while True:
        while p < n and (text[p] in " \t" or (text[p] == "\\" and p + 1 < n and text[p + 1] == "\n")):
            p += 1 + (text[p] == "\\")
        if p >= n:
            return
        if text[p] in ";\n":
            p += 1
            yield None
            continue
        if text[p] == "#":  # a comment to the end of the line
            while p < n and text[p] != "\n":
                p += 1
            p += p < n
            yield None
            continue
        single = double = False
        out = []
        while p < n:
            c = text[p]
            if not single and not double and c in " \t;\n":
                break
            if not double and c == "'":
                single = not single
                p += 1
                continue
            if not single and c == "\\":
                p += 1
                if p >= n:
                    raise UsageError("dangling \\")  # i18n: virsh's own words (render/l10n.py)
                if text[p] == "\n":
                    p += 1
                    continue
            elif not single and c == '"':
                double = not double
                p += 1
                continue
            out.append(text[p])
            p += 1
        if double:
            raise UsageError('missing "')  # i18n: virsh's own words (render/l10n.py)
        yield "".join(out)


def tokenize(text: str) -> list[list[str]]:
    """Split a batch string into commands of tokens."""
    cmds: list[list[str]] = [[]]
    for tok in _tokens_of(text):
        if tok is None:
            cmds.append([])
        else:
            cmds[-1].append(tok)
    return [c for c in cmds if c]


def _parse_one(words: list[str], commands: dict[str, Command]) -> Invocation:
    name, args = words[0], words[1:]
    cmd = commands.get(name)
    if cmd is None:
        raise UsageError(f"unknown command: '{name}'", hint=_typo_hint(name, commands))  # i18n: virsh's own words (render/l10n.py)
    values: dict = {}
    positional = [o for o in cmd.opts if o.positional]
    data_only = False
    i = 0
    while i < len(args):
        tok = args[i]
        if not data_only and tok == "--":
            data_only = True
            i += 1
            continue
        if not data_only and tok.startswith("--") and len(tok) > 2 and tok[2].isascii() and tok[2].isalnum():
            oname, eq, value = tok[2:].partition("=")
            opt = cmd.opt(oname)
            if opt is None:
                raise UsageError(f"command '{cmd.name}' doesn't support option --{oname}",  # i18n: virsh's own words (render/l10n.py)
                                 hint=_option_hint(oname, cmd))
            if opt.kind == ALIAS:
                target, _, implied = opt.alias_of.partition("=")
                opt = cmd.opt(target)
                if implied:
                    eq, value = "=", implied
            if opt.name in values and opt.kind != ARGV:
                raise UsageError(f"option --{opt.name} already seen")  # i18n: virsh's own words (render/l10n.py)
            if opt.kind == BOOL:
                if eq:
                    raise UsageError(f"invalid '=' after option --{opt.name}")  # i18n: virsh's own words (render/l10n.py)
                values[opt.name] = True
            else:
                if not eq:
                    i += 1
                    if i >= len(args):
                        shown = "number" if opt.kind == INT else "string"
                        raise UsageError(f"expected syntax: --{opt.name} <{shown}>")  # i18n: virsh's own words (render/l10n.py)
                    value = args[i]
                _store(values, opt, value)
            i += 1
            continue
        # the first positional option still free, in table order; an argv option is never used up
        opt = next((o for o in positional if o.name not in values or o.kind == ARGV), None)
        if opt is None:
            raise UsageError(f"unexpected data '{tok}'")  # i18n: virsh's own words (render/l10n.py)
        _store(values, opt, tok)
        i += 1
    missing = [
        f"command '{cmd.name}' requires " + (f"<{o.name}>" if o.kind == DATA else f"--{o.name}") + " option"
        for o in cmd.opts
        if o.required and o.name not in values
    ]
    if missing:
        raise UsageError(missing[0], virsh_error=missing, hint=_usage_hint(cmd))
    # a number option stays text here: virsh reads it when the command runs (vshCommandOptULongLong),
    # so a malformed one fails that command only and the batch goes on
    return Invocation(cmd, values, words)


def _store(values: dict, opt: Opt, value: str) -> None:
    """An option's value; an argv option collects every value it is given, in order."""
    if opt.kind == ARGV:
        values.setdefault(opt.name, []).append(value)
    else:
        values[opt.name] = value


def parse_batch(text: str, commands: dict[str, Command]) -> list[Invocation]:
    """Parse a whole batch; any error raises before a single command runs."""
    return [_parse_one(words, commands) for words in tokenize(text)]


def parse_argv(argv: Sequence[str], commands: dict[str, Command]) -> list[Invocation]:
    """virsh's argv form (``virsh dominfo test``): one command, each argument one token."""
    return [_parse_one(list(argv), commands)] if argv else []


def _typo_hint(name: str, commands: dict[str, Command]) -> str:
    from .hints import suggest_command

    return suggest_command(name, list(commands))


def _option_hint(oname: str, cmd: Command) -> str:
    from .hints import suggest_option

    return suggest_option(oname, cmd)


def _usage_hint(cmd: Command) -> str:
    def shown(o: Opt) -> str:
        name = f"<{o.name}>" if o.positional else f"--{o.name}"
        return name if o.required else f"[{name}]"

    return _("usage: {command}").format(command=f"{cmd.name} " + " ".join(shown(o) for o in cmd.opts if o.kind != ALIAS))
