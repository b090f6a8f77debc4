"""virsh's domain commands: option tables (as in tools/virsh-domain*.c) bound to DomainOps."""

from __future__ import annotations

from .parse import BOOL, Command, Opt

COMMANDS = [
    Command(
        "list",
        [
            Opt("inactive", BOOL, help="list inactive domains"),
            Opt("all", BOOL, help="list inactive & active domains"),
        ],
        lambda conn, v: conn.list(all=bool(v.get("all")), inactive=bool(v.get("inactive"))),
        help="list domains",
    ),
]
