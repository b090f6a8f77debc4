"""virt-install, the usual way to make a VM, run for real against the lesson's connection (lesson 17).

virt-install (Debian package virtinst, from the virt-manager project) turns a command line into a
domain XML, defines it and starts it; ``--print-xml`` stops after printing the XML. It picks many
devices itself from the OS named by ``--osinfo`` (libosinfo's database): for a modern Linux a q35
machine, PCIe root ports, virtio disk and network, an RNG, a guest-agent channel.

    >>> argv = virt_install.command("kvmlab-inst", disk, kernel=…, initrd=…, kernel_args="console=ttyS0")
    >>> virt_install.print_xml(conn, argv)      # runs `virt-install --connect URI … --print-xml`
    >>> virt_install.install_method(line)       # 'import', 'cdrom', 'location', 'pxe', 'kernel' or None

On the embedded lab (libvirt's test driver, inside this process) virt-install opens a node file written
from the connection (:mod:`kvmlab.concepts.node_file`): the test driver's capabilities are not QEMU's
(an i686 "test" guest, IDE disks), and the lesson says which printed what.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import InvalidInput, libvirt_errors
from ..i18n import _
from ..ops.result import Result
from .node_file import write_node_file

__all__ = ["INSTALL", "METHODS", "VirtInstallRun", "command", "shell_line", "print_xml", "run", "install_method",
           "available"]

INSTALL = "apt-get install virtinst (./kvmlab.sh installs it)"
# How virt-install gets the OS onto the disk: an install method, or none (the disk already holds it).
METHODS = {
    "--import": "import",  # the disk already holds an OS: define and boot it, nothing is installed
    "--cdrom": "cdrom",  # boot an installer ISO
    "--location": "location",  # an install tree (ISO or URL): virt-install fetches its kernel/initrd
    "--pxe": "pxe",  # boot the installer from the network
    "--install": "install",  # --install kernel=…/os=…: a named install
}
TIMEOUT = 60.0


def available() -> bool:
    return shutil.which("virt-install") is not None


def command(name: str, disk: str, *, kernel: str | None = None, initrd: str | None = None,
            kernel_args: str | None = None, cdrom: str | None = None, network: str | None = None,
            mac: str | None = None, osinfo: str = "linux2022", memory_mib: int = 128, vcpus: int = 1,
            virt_type: str | None = None, uuid: str | None = None, extra: Sequence[str] = ()) -> list[str]:
    """virt-install's argv (without --connect): ``--import`` of ``disk``, direct kernel boot when
    ``kernel`` is given, the seed ``cdrom`` as a read-only CD-ROM, one NIC on ``network`` (None: no NIC)."""
    if not isinstance(name, str) or not name.startswith("kvmlab-"):
        raise InvalidInput(_("invalid lesson VM name {name}").format(name=repr(name)),
                           hint=_("the lab's names start with kvmlab- (lab reset)"))
    argv = ["virt-install", "--name", name, "--memory", str(memory_mib), "--vcpus", str(vcpus), "--import",
            "--disk", f"{disk},format=qcow2,bus=virtio"]
    if cdrom:
        argv += ["--disk", f"{cdrom},device=cdrom"]
    if kernel:
        boot = [f"kernel={kernel}"] + ([f"initrd={initrd}"] if initrd else [])
        if kernel_args:
            boot.append(f"kernel_args={kernel_args}")
        argv += ["--boot", ",".join(boot)]
    argv += ["--osinfo", osinfo]
    argv += ["--network", f"network={network}" + (f",mac={mac}" if mac else "")] if network else ["--network", "none"]
    argv += ["--graphics", "none"]
    if virt_type:
        argv += ["--virt-type", virt_type]
    if uuid:
        argv += ["--uuid", uuid]
    return argv + list(extra)


def shell_line(argv: Sequence[str]) -> str:
    """The command as one would type it, one option per line."""
    parts, line = [], shlex.quote(argv[0])
    for arg in argv[1:]:
        if arg.startswith("--"):
            parts.append(line)
            line = "  " + arg
        else:
            line += " " + shlex.quote(arg)
    return " \\\n".join(parts + [line])


@dataclass
class VirtInstallRun(Result):
    """One virt-install run: the command, the URI it opened, its exit status, the XML or the error."""

    argv: list[str] = field(default_factory=list)
    uri: str = ""
    returncode: int = 0
    xml: str = ""
    error: str = ""
    seconds: float = 0.0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.note

    def text(self) -> str:
        head = f"$ {shell_line(self.argv)}\n"
        if self.note:
            return head + f"({self.note})\n"
        if self.returncode:
            return head + self.error.rstrip() + "\n"
        return head + self.xml + ("" if self.xml.endswith("\n") else "\n")


def _target_uri(conn: Any, work: Path) -> str:
    """The URI virt-install opens: the connection's own; for the embedded test driver a node file of it."""
    if getattr(conn, "embedded", False):
        return write_node_file(conn, work / "embedded-host.xml")
    with libvirt_errors():
        return conn.virconn.getURI()


def _argv(argv: object) -> list[str]:
    """A command line as a list of words; a string is split as a shell would."""
    if isinstance(argv, str):
        try:
            return shlex.split(argv)
        except ValueError as err:
            raise InvalidInput(_("the shell cannot split this line: {err}").format(err=err),
                               hint=_("close every quote you open")) from None
    if not isinstance(argv, (list, tuple)) or not all(isinstance(a, str) and "\0" not in a for a in argv):
        raise InvalidInput(_("expected the command's words as a list of text, got {argv}").format(argv=repr(argv))[:200],
                           hint=_("e.g. ['virt-install', '--name', 'kvmlab-x', '--import', '--disk', '/d.qcow2']"))
    return list(argv)


def run(conn: Any, argv: Sequence[str], timeout: float = TIMEOUT) -> VirtInstallRun:
    """Run ``argv`` (a virt-install command line) against ``conn``'s URI; never raises for virt-install's
    own errors: the result holds its exit status and its ``ERROR`` line, as a terminal would show."""
    argv = _argv(argv)
    if not argv or Path(argv[0]).name != "virt-install":
        raise InvalidInput(_("not a virt-install command: {line}").format(line=repr(' '.join(argv)[:60])),
                           hint=_("start the line with virt-install, e.g. virt-install --name … --import --disk …"))
    if not available():
        return VirtInstallRun(argv=argv, note=f"virt-install is not installed here: {INSTALL}",
                              virsh="(no virsh twin)", api=[])
    with tempfile.TemporaryDirectory(prefix="kvmlab-virt-install-") as work:
        uri = _target_uri(conn, Path(work))
        full = [argv[0], "--connect", uri, *argv[1:]]
        t0 = time.monotonic()
        try:
            out = subprocess.run(full, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return VirtInstallRun(argv=argv, uri=uri, returncode=124, seconds=timeout,
                                  error=f"virt-install did not finish within {timeout:g} s", api=[])
    seconds = time.monotonic() - t0
    lines = out.stderr.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.startswith(("ERROR", "usage:", "virt-install: error"))), None)
    errors = [" ".join(" ".join(lines[first:]).split())] if first is not None else []  # its message may wrap
    define = "virsh define FILE; virsh start NAME" if "--print-xml" not in argv else "(nothing defined: --print-xml)"
    return VirtInstallRun(argv=argv, uri=uri if not getattr(conn, "embedded", False) else "test:///…/embedded-host.xml",
                          returncode=out.returncode, xml=out.stdout, error="\n".join(errors) or out.stderr.strip(),
                          seconds=seconds, virsh=define,
                          api=["virConnectGetCapabilities / virConnectGetDomainCapabilities (virt-install asks)",
                               *([] if "--print-xml" in argv else ["virDomainDefineXML", "virDomainCreate"])])


def print_xml(conn: Any, argv: Sequence[str], timeout: float = TIMEOUT) -> VirtInstallRun:
    """``virt-install … --print-xml`` against ``conn``: the XML it would define; nothing is made."""
    argv = _argv(argv)
    return run(conn, argv if "--print-xml" in argv else argv + ["--print-xml"], timeout)


def install_method(line: str | Sequence[str]) -> str | None:
    """How a virt-install line puts an OS on the disk: 'import', 'cdrom', 'location', 'pxe', 'install',
    'kernel' (``--boot kernel=``, direct kernel boot) or None (no method given)."""
    words = _argv(line)
    for word in words:
        key = word.split("=", 1)[0]
        if key in METHODS:
            return METHODS[key]
    for i, word in enumerate(words):
        if word == "--boot" and i + 1 < len(words) and "kernel=" in words[i + 1]:
            return "kernel"
        if word.startswith("--boot=") and "kernel=" in word:
            return "kernel"
    return None
