"""Run real virsh on test:///default in a subprocess: crashes stay in the child."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

VIRSH = shutil.which("virsh")
VALIDATE = shutil.which("virt-xml-validate")
MEMORY_LIMIT = 3 * 1024**3  # "huge" allocations fail fast instead of eating the host's RAM

# how each kind is defined by virsh, FILE being the XML file
DEFINE = {"domain": "define FILE", "network": "net-define FILE", "pool": "pool-define FILE",
          "volume": "vol-create default-pool FILE"}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def aborted(self) -> bool:
        """Killed by SIGTRAP (GLib's allocation failure) or SIGABRT (glibc heap checks)."""
        return self.returncode in (-signal.SIGTRAP, -signal.SIGABRT)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def virsh(batch: str, cwd: Path, timeout: int = 60) -> Run:
    p = subprocess.run([VIRSH, "-c", "test:///default", batch], cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, preexec_fn=_limit)
    return Run(p.returncode, p.stdout, p.stderr)


def define(kind: str, xml: str, tmp_path: Path, then: str = "") -> Run:
    """Write ``xml`` and define it with virsh (``then`` runs after, in the same batch)."""
    f = tmp_path / f"{kind}.xml"
    f.write_text(xml)
    batch = DEFINE[kind].replace("FILE", f.name) + (f"; {then}" if then else "")
    return virsh(batch, tmp_path)


def xml_validate(xml: str, tmp_path: Path, name: str = "doc.xml") -> subprocess.CompletedProcess:
    """libvirt's own virt-xml-validate (xmllint against the same schemas)."""
    f = tmp_path / name
    f.write_text(xml)
    return subprocess.run([VALIDATE, str(f)], capture_output=True, text=True, timeout=60)
