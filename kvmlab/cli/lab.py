"""`kvmlab lab up|status|down|reset`: the real lab's life cycle from a shell."""

from __future__ import annotations

import sys
from typing import Sequence

from ..i18n import _

__all__ = ["main", "USAGE"]

USAGE = """usage: kvmlab lab <command> [options]

commands:
  up       [--bare]      start the real lab (or use the running libvirtd); --bare: no kvmlab-nat/kvmlab-pool
  status   [-c URI]      daemon pid, namespace, URI, KVM or TCG, and the lab's domains, networks, pools
  reset    [-c URI]      remove exactly what the lab made (tagged domains, kvmlab-* networks and pools)
  down                   remove the lab's objects, stop its daemons, delete its namespace

As root with no libvirtd running, the lab is kvmlab's own libvirtd inside network namespace
kvmlab-lab (URI qemu:///system); without root it is qemu:///session.
"""


def _uri(args: list[str]) -> tuple[str | None, list[str]]:
    """Take ``-c URI`` / ``--connect URI`` / ``--connect=URI`` out of the arguments."""
    uri, rest, it = None, [], iter(args)
    for a in it:
        if a in ("-c", "--connect"):
            uri = next(it, None)
            if uri is None:
                raise ValueError(_("option '{option}' needs a URI").format(option=a))
        elif a.startswith("--connect="):
            uri = a.split("=", 1)[1]
        else:
            rest.append(a)
    return uri, rest


def main(argv: Sequence[str] = ()) -> int:
    args = list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    cmd, rest = args[0], args[1:]
    try:
        uri, rest = _uri(rest)
    except ValueError as exc:
        sys.stderr.write(f"kvmlab lab: {exc}\n")
        return 2
    allowed = {"up": {"--bare"}, "status": set(), "reset": set(), "down": set()}
    if cmd not in allowed:
        sys.stderr.write(f"kvmlab lab: unknown command '{cmd}'\n{USAGE}")
        return 2
    extra = [a for a in rest if a not in allowed[cmd]]
    if extra or (uri and cmd in ("up", "down")):
        bad = extra[0] if extra else "-c"
        sys.stderr.write(f"kvmlab lab {cmd}: unexpected argument '{bad}'\n{USAGE}")
        return 2

    from .. import lab
    from ..errors import KvmlabError

    try:
        if cmd == "up":
            result = lab.up(resources="--bare" not in rest)
        elif cmd == "status":
            result = lab.status(uri)
        elif cmd == "reset":
            result = lab.reset(uri)
        else:
            result = lab.down()
    except KvmlabError as exc:
        sys.stderr.write("".join(f"error: {line}\n" for line in exc.virsh_error))
        if exc.message not in exc.virsh_error:
            sys.stderr.write(f"error: {exc.message}\n")
        if exc.hint:
            sys.stderr.write(f"kvmlab hint: {exc.hint}\n")
        return 1
    sys.stdout.write(str(result))
    return 0
