"""Who printed that error? Lesson 1 makes each layer refuse something and shows its words.

virsh's parser and libvirt's drivers answer through ``conn.virsh(…)`` (its ``stderr``); the two
here need a process or a connection of their own:

- :func:`unreachable_daemon`: the client library (libvirt's remote driver) finds no daemon socket;
- :func:`qemu_refuses`: QEMU's option parser rejects ``-m 64X``; its line starts with the program's name.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field

from ..errors import ConnectionFailed

__all__ = ["Voice", "unreachable_daemon", "qemu_refuses", "NO_SOCKET"]

NO_SOCKET = "/run/kvmlab-no-such-dir/libvirt-sock"  # a path where no daemon ever listens
# QEMU 7.2's words, shown where QEMU is not installed (quoted, and said so)
_QEMU_M_64X = "qemu-system-x86_64: -m 64X: Parameter 'size' expects a non-negative number below 2^64"


@dataclass
class Voice:
    """What one layer printed when it refused: ``lines`` as they appear on the terminal."""

    layer: str
    command: str
    lines: list[str] = field(default_factory=list)
    quoted: bool = False  # not run here: the lines are quoted (the program is missing)

    def __str__(self) -> str:
        return "\n".join(self.lines) + ("  (QEMU not installed: quoted)" if self.quoted else "")

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def unreachable_daemon(socket: str = NO_SOCKET) -> Voice:
    """Open ``qemu+unix:///system?socket=SOCKET``: the remote driver, inside the client, cannot connect."""
    uri = f"qemu+unix:///system?socket={socket}"
    from ..connection import connect

    try:
        connect(uri).close()
    except ConnectionFailed as err:
        return Voice("libvirt (client library)", f"virsh -c '{uri}' list",
                     ["error: " + line for line in err.virsh_error])
    return Voice("libvirt (client library)", f"virsh -c '{uri}' list", [f"(a daemon answered on {socket})"])


def qemu_refuses(size: str = "64X") -> Voice:
    """``qemu-system-x86_64 -m SIZE``: QEMU's own parser, before any guest exists."""
    qemu = shutil.which("qemu-system-x86_64")
    command = f"qemu-system-x86_64 -m {size} -display none"
    if qemu is None:
        return Voice("QEMU", command, [_QEMU_M_64X], quoted=True)
    bad = subprocess.run([qemu, "-m", size, "-display", "none"], capture_output=True, text=True, timeout=30,
                         stdin=subprocess.DEVNULL)  # fmt: skip
    return Voice("QEMU", command, bad.stderr.splitlines()[:1])
