"""Lesson 1 checks: the tools (KVM管理工具) and the layers a call travels through.

- :func:`check_layers`: which layer printed each error message?
- :func:`check_three_ways`: the same action as a virsh line, a kvmlab call and a libvirt-python call.
"""

from __future__ import annotations

import shlex
from typing import Mapping, Sequence

import libvirt

from ..errors import UsageError, libvirt_errors
from .checks import ExerciseFailed, Passed, choose, expect

__all__ = ["LAYERS", "MESSAGES", "check_layers", "check_three_ways"]

LAYERS = ("virsh", "libvirt", "libvirtd", "QEMU", "KVM")

# Real messages, each printed by a different layer (A, B and D were captured on Debian 12, libvirt 9.0,
# QEMU 7.2; C is the network driver's text in a real daemon, libvirt's src/network/bridge_driver.c,
# networkStartNetwork(); E is the kvm module's line in the kernel log). These are the English texts
# (LANG=C): virsh and libvirt translate their messages, so with libvirt's translations installed (Debian:
# libvirt-l10n) and LANG=zh_CN.UTF-8 the lines of A, B and C come out in Chinese where a translation exists.
MESSAGES = {
    "A": "error: unknown command: 'destory'",
    "B": "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
    "C": "error: Requested operation is not valid: network is already active",
    "D": "qemu-system-x86_64: -m 64X: Parameter 'size' expects a non-negative number below 2^64",
    "E": "kvm: disabled by bios",
}

# Where each message was seen, so the question is fair.
CONTEXT = {
    "A": "`virsh destory web01` (a typo)",
    "B": "`virsh -c qemu:///system list` while the daemon is stopped",
    "C": "`virsh -c qemu:///system net-start default` (a real libvirtd), second error line",
    "D": "`qemu-system-x86_64 -m 64X` typed by hand",
    "E": "`dmesg` on a host whose firmware has VT-x/AMD-V switched off",
}

# The same failure on the embedded lab: libvirt's test driver (src/test/test_driver.c) words it differently.
TEST_DRIVER_C = "error: Requested operation is not valid: Network 'default' is already running"

_ANSWER = {"A": "virsh", "B": "libvirt", "C": "libvirtd", "D": "QEMU", "E": "KVM"}

_WHY = {
    "A": "virsh parses the whole command line before it connects: an unknown command never leaves virsh",
    "B": "the library's remote driver (inside the virsh process) tried the daemon's socket",
    "C": "the daemon's network driver holds the network's state and refused (the embedded lab's test driver "
    "says the same in other words: Network 'default' is already running)",
    "D": "QEMU's own option parser rejected the value (the line starts with its name)",
    "E": "the kvm kernel module found the CPU's virtualisation extensions disabled",
}

# (message, wrong answer) -> what to look at; a missing pair falls back to the message's own hint.
_HINTS = {
    ("A", "libvirt"): "nothing reached libvirt: 'destory' is not a command, and the program you typed it "
    "into reads the command line before it opens any connection",
    ("A", "libvirtd"): "no request was sent: a misspelled command is rejected by the program you typed it "
    "into, before any connection (it is spelled destroy)",
    ("B", "libvirtd"): "the daemon is not running: that is why its socket is missing. The code that tried the "
    "socket runs inside the client process: the library's remote driver",
    ("B", "virsh"): "virsh only called virConnectOpen(); the socket path and the connect() belong to the "
    "library it is linked with",
    ("C", "virsh"): "virsh's own line comes first ('Failed to start network default'); this second line is "
    "the reason, from the driver that owns networks: on qemu:///system it runs in the daemon",
    ("C", "libvirt"): "the library only carried the call over the socket; 'already active' is known where the "
    "network's state lives: the daemon",
    ("D", "libvirtd"): "libvirtd builds QEMU's command line and would relay this as 'internal error: process "
    "exited …', but the line starts with the program that wrote it",
    ("D", "KVM"): "KVM never sees command-line options: it is a kernel module driven through /dev/kvm; "
    "the line starts with the name of the program that wrote it",
    ("E", "QEMU"): "QEMU messages start with 'qemu-system-x86_64:'; this one is in the kernel log (dmesg), "
    "written when a kernel module loaded",
}

_DEFAULT_HINT = {
    "A": "which program reads the command line before anything is sent?",
    "B": "the daemon is not running: which piece, inside the client process, tried its socket?",
    "C": "virsh prints its own line first; this is the reason it got back. Who holds a network's state?",
    "D": "look at the first word of the message: it names the program that printed it",
    "E": "this line is in the kernel log (dmesg): which of the five layers is a kernel module?",
}


def check_layers(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each message letter (A-E) to the layer that printed it (one of LAYERS)."""
    expect(isinstance(answers, Mapping), "answers must be a dict like {'A': 'virsh', …}",
           hint="one key per message letter: " + ", ".join(MESSAGES))
    wrong = []
    for letter in MESSAGES:
        layer = choose(answers.get(letter), LAYERS, what=f"message {letter}")
        if layer != _ANSWER[letter]:
            wrong.append((letter, layer))
    if wrong:
        letter, layer = wrong[0]
        others = f" (also check {', '.join(w[0] for w in wrong[1:])})" if len(wrong) > 1 else ""
        raise ExerciseFailed(
            f"{len(wrong)} of {len(MESSAGES)} not right: message {letter} was not printed by {layer}{others}",
            hint=_HINTS.get((letter, layer), _DEFAULT_HINT[letter]),
        )
    return Passed("every message traced to its layer", *(f"{k} {_ANSWER[k]}: {_WHY[k]}" for k in MESSAGES))


def _virsh_words(line: str) -> list[str]:
    words = shlex.split(line)
    expect(words and words[0] == "virsh", f"{line!r} is not a virsh command line",
           hint="start with the program: virsh COMMAND [OPTIONS]")
    words = words[1:]
    while words and words[0] in ("-c", "--connect"):  # the URI picks the host, not the action
        words = words[2:]
    return words


def check_three_ways(conn, virsh_line: str, result, names: Sequence[str]) -> Passed:
    """List every domain, running or not, three ways.

    Args:
        conn: the kvmlab Connection the notebook uses.
        virsh_line: the virsh command line, as a string (``"virsh …"``).
        result: what the kvmlab call returned.
        names: the domain names from a libvirt-python call on ``conn.virconn``.
    """
    from ..virsh import COMMANDS
    from ..virsh.parse import parse_argv
    from ..ops.result import Table

    expect(isinstance(virsh_line, str) and virsh_line.strip() and virsh_line.strip().upper() != "TODO",
           "no virsh line yet", hint="write it as a string: \"virsh COMMAND --OPTION\"")
    try:
        (inv,) = parse_argv(_virsh_words(virsh_line), COMMANDS)
    except UsageError as err:
        raise ExerciseFailed(f"virsh would answer: error: {err.virsh_error[0]}",
                             hint=err.hint or "options take two dashes: --all") from None
    except ValueError:
        raise ExerciseFailed("one command only, please", hint="no ';' needed: one virsh command") from None
    expect(inv.command.name == "list", f"`{inv.command.name}` is not the command that lists domains",
           hint="the seed's section 8 starts with it: virsh list")
    expect(not inv.values.get("inactive"), "--inactive shows only the domains that are not running",
           hint="every domain, running or not, is --all")
    expect(inv.values.get("all"), "without --all, virsh list shows only running (and paused) domains",
           hint="add --all to see the shut-off ones too")

    expect(isinstance(result, Table), "result is not what a kvmlab operation returns",
           hint="call the operation on the connection: conn.list(...) — and keep its return value")
    expect(result.virsh == "virsh list --all", f"your kvmlab call is the twin of `{result.virsh}`",
           hint="conn.list() lists running domains only; pass all=True")

    with libvirt_errors():
        every = sorted(d.name() for d in conn.virconn.listAllDomains(0))
    expect(not isinstance(names, str), "names should be a list of names, not one string",
           hint="[dom.name() for dom in conn.virconn.listAllDomains(0)]")
    names = list(names)
    expect(all(isinstance(n, str) for n in names), "names holds objects, not names",
           hint="listAllDomains() returns virDomain objects: take dom.name() of each")
    with libvirt_errors():
        running = sorted(d.name() for d in conn.virconn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE))
    expect(sorted(names) != running or running == every, "your libvirt call returned the running domains only",
           hint="flags=0 means every domain; VIR_CONNECT_LIST_DOMAINS_ACTIVE means running ones")
    expect(sorted(names) == every, f"libvirt holds {every}, your list is {sorted(names)}",
           hint="conn.virconn.listAllDomains(0) returns every domain; take .name() of each")
    shown = sorted(row[1] for row in result.rows)
    expect(shown == every, "the kvmlab result and libvirt disagree", hint="use the same connection for both")
    return Passed("three ways, one answer",
                  f"virsh: {' '.join(shlex.split(virsh_line))}",
                  "kvmlab: conn.list(all=True)",
                  "libvirt-python: conn.virconn.listAllDomains(0)",
                  f"{len(every)} domains: {', '.join(every)}")
