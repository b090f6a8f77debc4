"""Every virsh command kvmlab runs, every option that takes a value, with hostile values:
each ends as virsh's error lines (or succeeds), never the runner's last resort, and a refusal
changes nothing. The fallback in run_batch must stay unreachable by input."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.virsh.parse import BOOL, ALIAS
from kvmlab.virsh.run import COMMANDS

from .conftest import full_inventory

HOSTILE = {
    "undecodable": "a\udcffb",  # argv bytes that are not UTF-8
    "control": "a\x01b",
    "escape": "\x1b[2J",
    "newline": "a\nb",
    "empty": "",
    "blank": " ",
    "negative": "-1",
    "huge-number": "99999999999999999999999",
    "long": "x" * 5000,
    "quotes": "a'b\"c",
    "format": "%s%n%x",
    "traversal": "../../../etc/passwd",
    "rtl": "\u202eevil",
    "cjk": "名前",
    "dash": "-",
}
FILL = {"domain": "backup", "network": "isolated", "pool": "iso", "vol": "backup.qcow2", "file": "/dev/null",
        "name": "x.img", "capacity": "1M", "newname": "x.img", "snapshotname": "s1", "source": "default",
        "target": "vdb", "type": "network", "size": "1M", "count": "1"}
SKIP = {"edit", "pool-edit"}  # they open an editor


def quote(value: str) -> str:
    """One virsh word holding ``value`` exactly (single quotes; a quote as '\\'')."""
    return "'" + value.replace("'", "'\\''") + "'"


CASES = [
    (name, opt.name, key)
    for name, cmd in sorted(COMMANDS.items()) if name not in SKIP
    for opt in cmd.opts if opt.kind not in (BOOL, ALIAS)
    if all(o.name == opt.name or not o.required or o.name in FILL for o in cmd.opts)
    for key in HOSTILE
]


@pytest.mark.parametrize("command,option,value", CASES)
def test_hostile_option_value(command, option, value):
    cmd = COMMANDS[command]
    words = [command, f"--{option}", quote(HOSTILE[value])]
    words += [f"--{o.name} {quote(FILL[o.name])}" for o in cmd.opts if o.required and o.name != option]
    with kvmlab.connect(kvmlab.embedded_uri()) as c:
        before = full_inventory(c)
        res = c.virsh(" ".join(words))
        assert "kvmlab bug" not in res.stderr and "Traceback" not in res.stderr, res.stderr
        if res.exit_code:
            assert res.stderr.startswith(("error: ", "XPath error", "kvmlab hint")), res.stderr
            assert full_inventory(c) == before


def test_the_sweep_reaches_every_command():
    assert {c for c, _, _ in CASES} >= set(COMMANDS) - SKIP - {"exit", "quit", "list", "net-list"}
