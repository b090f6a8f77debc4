"""Real virsh beside kvmlab, byte for byte (lesson 1): the same command, two programs, one output.

- :func:`real_virsh`: run the real ``virsh`` (libvirt-clients) with a connection URI; a result that
  says so when virsh is not installed.
- :func:`session`: type the same lines into kvmlab's virsh terminal (``kvmlab virsh``) and into the
  real one, and compare what each printed.

Both run separate processes: on a test-driver URI each one starts from a fresh copy of the node file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..lab.course import shown_uri

__all__ = ["RealVirsh", "real_virsh", "Session", "session"]

INSTALL = "(virsh is not installed: apt-get install libvirt-clients)"


@dataclass
class RealVirsh:
    """One run of the real virsh: what it printed, or ``installed`` False."""

    argv: list[str]
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None
    installed: bool = True

    def command(self) -> str:
        return " ".join(shown_uri(a) for a in self.argv)

    def same_as(self, result: object) -> bool:
        """virsh wrote exactly what ``print(result)`` writes (True where virsh is missing: nothing to compare)."""
        return not self.installed or self.stdout == f"{result}\n"

    def __str__(self) -> str:
        return f"$ {self.command()}\n" + (self.stdout if self.installed else INSTALL + "\n")

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def real_virsh(uri: str, *args: str, input: str | None = None, timeout: float = 30) -> RealVirsh:
    """``virsh -c URI ARGS…`` (LANG=C: the English texts the course stores)."""
    argv = ["virsh", "-c", uri, *args]
    exe = shutil.which("virsh")
    if exe is None:
        return RealVirsh(argv, installed=False)
    p = subprocess.run([exe, *argv[1:]], input=input, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "LANG": "C", "LC_ALL": "C"})  # fmt: skip
    return RealVirsh(argv, p.stdout, p.stderr, p.returncode)


@dataclass
class Session:
    """The same interactive session typed into kvmlab's virsh and into the real one."""

    script: str
    ours: str
    real: RealVirsh

    @property
    def same(self) -> bool | None:
        """Both printed the same bytes (None: the real virsh is not installed)."""
        return self.real.stdout == self.ours if self.real.installed else None

    def __str__(self) -> str:
        tail = f"virsh prints the same bytes: {self.same}" if self.real.installed else INSTALL
        return self.ours + tail

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def session(uri: str, script: str, timeout: float = 60) -> Session:
    """Type ``script`` (lines ending in ``quit``) into ``kvmlab virsh -c URI``, then into ``virsh -c URI``."""
    cli = str(Path(sys.executable).with_name("kvmlab"))
    ours = subprocess.run([cli, "virsh", "-c", uri], input=script, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "LANG": "C", "LC_ALL": "C"})  # fmt: skip
    return Session(script, ours.stdout, real_virsh(uri, input=script, timeout=timeout))
