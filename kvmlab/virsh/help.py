"""virsh's `help`, for the commands kvmlab runs: the same groups, order and one-line help as virsh.

`help` lists kvmlab's commands the way `virsh help` lists all of virsh's (a hint on stderr says it
is a subset); `help KEYWORD` lists one group; `help COMMAND` shows NAME, SYNOPSIS and OPTIONS from
kvmlab's own option tables.
"""

from __future__ import annotations

from typing import Mapping

from ..errors import UsageError
from ..i18n import _
from ..render.l10n import ljust_bytes, tr
from .descriptions import DESCRIPTIONS
from .parse import ALIAS, ARGV, BOOL, INT, Command, Opt
from .streams import HINT_PREFIX, current

__all__ = ["GROUPS", "group_of", "help_text"]

# virsh's command groups (tools/virsh.c cmdGroups), in virsh's order: title, help keyword
GROUPS = [("Domain Management", "domain"), ("Domain Monitoring", "monitor"), ("Networking", "network"),
          ("Snapshot", "snapshot"), ("Storage Pool", "pool"), ("Storage Volume", "volume"),
          ("Virsh itself", "virsh")]  # fmt: skip
_MONITOR = {"list", "dominfo", "domstate", "domiflist", "domblklist", "domifaddr"}
_VIRSH = {"quit", "exit", "help"}


def group_of(name: str) -> str:
    if name in _MONITOR:
        return "monitor"
    if name in _VIRSH:
        return "virsh"
    for prefix, keyword in (("net-", "network"), ("snapshot-", "snapshot"), ("pool-", "pool"), ("vol-", "volume")):
        if name.startswith(prefix):
            return keyword
    return "domain"


def _group(title: str, keyword: str, commands: Mapping[str, Command]) -> str:
    names = sorted(n for n in commands if group_of(n) == keyword)
    lines = "".join(f"    {n:<30} {tr(commands[n].help)}\n" for n in names)
    return tr(" %s (help keyword '%s'):\n") % (tr(title), keyword) + f"{lines}\n" if names else ""


def _type(o: Opt) -> str:
    return "number" if o.kind == INT else "string"  # virsh shows DATA as <string> too


def _synopsis(o: Opt) -> str:
    if o.kind == BOOL:
        return f"[--{o.name}]"
    if o.kind == ARGV:
        return f"{{[--{o.name}] <string>}}..." if o.required else f"[[--{o.name}] <string>]..."
    if o.required:
        return f"<{o.name}>" if o.positional else f"--{o.name} <{_type(o)}>"
    return f"[--{o.name} <{_type(o)}>]"


def _option(o: Opt) -> str:
    if o.kind == BOOL:
        left = f"--{o.name}"
    elif o.positional and (o.required or o.kind == ARGV):
        left = f"[--{o.name}] <{_type(o)}>"
    else:
        left = f"--{o.name} <{_type(o)}>"
    return f"    {ljust_bytes(left, 15)}  {tr(o.help)}\n"


def _command(cmd: Command) -> str:
    opts = [o for o in cmd.opts if o.kind != ALIAS]
    # virsh's headings, one-line help, description and option help all go through _()
    text = (f"{tr('  NAME' + chr(10))}    {cmd.name} - {tr(cmd.help)}\n{tr(chr(10) + '  SYNOPSIS' + chr(10))}"
            f"    {' '.join([cmd.name] + [_synopsis(o) for o in opts])}\n")
    if cmd.name in DESCRIPTIONS:
        # virsh prints "    %s\n" of one msgid; its lines after the first carry their own indent
        text += tr("\n  DESCRIPTION\n") + f"    {tr(chr(10).join('    ' * bool(i) + line for i, line in enumerate(DESCRIPTIONS[cmd.name])))}\n"
    if opts:
        text += tr("\n  OPTIONS\n") + "".join(_option(o) for o in opts)
    return text + "\n"


def help_text(commands: Mapping[str, Command], topic: str | None = None) -> str:
    """What `help [TOPIC]` prints for ``commands``.

    Raises:
        UsageError: TOPIC is neither a command nor a group keyword (virsh's words).
    """
    if not topic:
        current().err.write(HINT_PREFIX + _("these are the virsh commands kvmlab runs; `virsh help` lists all of virsh's")
                            + "\n")
        return tr("Grouped commands:\n\n") + "".join(_group(t, k, commands) for t, k in GROUPS)
    for title, keyword in GROUPS:
        if topic == keyword:
            return _group(title, keyword, commands)[:-1]  # virsh: no blank line after a single group
    if topic in commands:
        return _command(commands[topic])
    raise UsageError(f"command or command group '{topic}' doesn't exist",  # i18n: virsh's own words (render/l10n.py)
                     hint=_("`help` lists the commands kvmlab runs and their groups"))  # fmt: skip
