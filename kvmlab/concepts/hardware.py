"""Hardware virtualisation (硬件虚拟化): what KVM does, what QEMU does, measured on this machine.

- :func:`probe_kvm`: /dev/kvm, the KVM API version, the CPU's vmx/svm flags.
- :func:`device_catalog`, :func:`machine_types`, :func:`accelerators`: what this QEMU can emulate.
- :class:`PausedQemu`: a real QEMU process, paused before its first instruction, to look inside
  (its vCPU threads, its /dev/kvm file descriptors, the PCI devices it emulates).

The KVM-vs-TCG timing (``loop_firmware``, ``accel_timings``, ``plot_accel_timings`` …) lives in
:mod:`kvmlab.concepts.accel`, which builds on this module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput, Unsupported
from ..i18n import _
from ..kvm import cpu_flags, open_kvm

__all__ = [
    "KvmProbe",
    "probe_kvm",
    "qemu_binary",
    "require_qemu",
    "device_catalog",
    "machine_types",
    "accelerators",
    "QemuProcess",
    "running_qemus",
    "PausedQemu",
]

QEMU = "qemu-system-x86_64"


# --- the probe --------------------------------------------------------------------------------------

@dataclass
class KvmProbe:
    """What the CPU and the kernel offer for hardware virtualisation."""

    dev_kvm: bool  # the kvm module made /dev/kvm
    opens: bool  # this user may open it (root, or the kvm group)
    api_version: int | None  # KVM_GET_API_VERSION: 12 since Linux 2.6.22
    max_vcpus: int | None  # KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS)
    cpu_flags: list[str]  # vmx (Intel VT-x) / svm (AMD-V) as /proc/cpuinfo lists them
    in_vm: bool  # the "hypervisor" flag: this Linux itself runs in a virtual machine
    error: str = ""

    @property
    def verdict(self) -> str:
        if not self.dev_kvm:
            return "no /dev/kvm: QEMU can only emulate the CPU (TCG)"
        if not self.opens:
            return f"/dev/kvm does not open ({self.error}): run as root or join the kvm group"
        if not self.cpu_flags and self.in_vm:
            return ("/dev/kvm opens, but the CPU shows no vmx/svm: nested KVM inside a VM "
                    "(it may run guests slowly or not at all; measure it)")
        return "/dev/kvm opens: QEMU can run guest code on the real CPU (-accel kvm)"

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("/dev/kvm exists", str(self.dev_kvm)),
            ("/dev/kvm opens", str(self.opens) + (f" ({self.error})" if self.error else "")),
            ("KVM API version", str(self.api_version)),
            ("max vCPUs per VM", str(self.max_vcpus)),
            ("CPU flags vmx/svm", ", ".join(self.cpu_flags) or "none"),
            ("running inside a VM", str(self.in_vm)),
            ("verdict", self.verdict),
        ]

    def __str__(self) -> str:
        return "\n".join(f"{k + ':':<22}{v}" for k, v in self.rows())

    def _repr_html_(self) -> str:
        from ..render import html_fields

        return html_fields(self.rows())


def probe_kvm() -> KvmProbe:
    """Open /dev/kvm and ask it two questions; read the CPU flags. Never starts a guest."""
    flags = cpu_flags()
    kvm = open_kvm()
    return KvmProbe(kvm.exists, kvm.opens, kvm.api_version, kvm.max_vcpus, sorted(flags & {"vmx", "svm"}),
                    "hypervisor" in flags, kvm.error)


# --- what this QEMU can emulate ---------------------------------------------------------------------

def qemu_binary() -> str | None:
    return shutil.which(QEMU)


def require_qemu() -> str:
    """The QEMU binary's path; Unsupported (with the package to install) when there is none."""
    qemu = qemu_binary()
    if qemu is None:
        raise Unsupported(_("{program} is not installed").format(program=QEMU),
                          hint=_("apt-get install qemu-system-x86"))
    return qemu


def _qemu_help(*args: str) -> str:
    return subprocess.run([require_qemu(), *args], capture_output=True, text=True, timeout=30, check=True).stdout


_DEVICE = re.compile(r'name "([^"]+)"(?:, bus ([^,]+))?(?:, alias "([^"]+)")?(?:, desc "([^"]*)")?')


def device_catalog() -> dict[str, list[dict[str, str]]]:
    """``qemu-system-x86_64 -device help`` as {category: [{name, bus, alias, desc}, …]}."""
    catalog: dict[str, list[dict[str, str]]] = {}
    current = None
    for line in _qemu_help("-device", "help").splitlines():
        if line.endswith(" devices:"):
            current = catalog.setdefault(line[: -len(" devices:")], [])
        elif (m := _DEVICE.match(line)) and current is not None:
            name, bus, alias, desc = m.groups()
            current.append({"name": name, "bus": bus or "", "alias": alias or "", "desc": desc or ""})
    return catalog


def machine_types() -> list[dict[str, str]]:
    """``-machine help``: [{name, desc}]; desc ends in "(default)" or "(alias of …)" where QEMU says so."""
    out = []
    for line in _qemu_help("-machine", "help").splitlines()[1:]:
        name, _, desc = line.partition(" ")
        out.append({"name": name, "desc": desc.strip()})
    return out


def accelerators() -> list[str]:
    """``-accel help``: the accelerators compiled into this QEMU (kvm, tcg, …)."""
    return [a.strip() for a in _qemu_help("-accel", "help").splitlines()[1:] if a.strip()]


# --- a real QEMU process: one VM = one process ----------------------------------------------------

class QemuProcess:
    """A running QEMU seen from the host: its threads, its KVM file descriptors, its -device options."""

    def __init__(self, pid: int):
        self.pid = pid

    def __repr__(self) -> str:
        return f"<{type(self).__name__} pid {self.pid}>"

    def threads(self) -> list[str]:
        """Thread names (QEMU names them when started with ``-name …,debug-threads=on``, as libvirt does)."""
        return sorted((t / "comm").read_text().strip() for t in Path(f"/proc/{self.pid}/task").iterdir())

    def vcpu_threads(self) -> list[str]:
        """The vCPU threads: ``CPU 0/KVM`` or ``CPU 0/TCG`` (named only with debug-threads=on)."""
        return [t for t in self.threads() if t.startswith("CPU ")]

    def guest_name(self) -> str:
        """The guest's name from ``-name`` (libvirt writes ``guest=NAME,debug-threads=on``), or ''."""
        args = self.argv()
        value = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "-name"), "")
        first = value.split(",")[0]
        return first.removeprefix("guest=")

    def kvm_files(self) -> list[str]:
        """The KVM file descriptors it holds: /dev/kvm, the VM, one per vCPU (none under TCG)."""
        links = {os.readlink(f) for f in Path(f"/proc/{self.pid}/fd").iterdir()}
        return sorted(x for x in links if x == "/dev/kvm" or x.startswith("anon_inode:kvm"))

    def argv(self) -> list[str]:
        return Path(f"/proc/{self.pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]

    def devices(self) -> list[str]:
        """The ``-device`` values of its command line: the hardware it emulates for the guest."""
        args = self.argv()
        return [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-device"]

    def drivers(self) -> list[str]:
        """Just the device model of each -device (libvirt writes JSON, a person writes driver,opts)."""
        return [json.loads(d)["driver"] if d.startswith("{") else d.split(",")[0] for d in self.devices()]


def running_qemus() -> list[QemuProcess]:
    """Every QEMU process on this host that this user may inspect (on the real lab: one per running domain).

    Another user's QEMU (libvirt-qemu's, seen from a session-mode learner) is skipped: its /proc/<pid>/fd
    is not readable.
    """
    out = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if (d / "comm").read_text().startswith("qemu-system") and os.access(d / "fd", os.R_OK | os.X_OK):
                out.append(QemuProcess(int(d.name)))
        except OSError:
            pass
    return sorted(out, key=lambda q: q.pid)


class PausedQemu(QemuProcess):
    """A QEMU started with ``-S`` (no guest instruction runs yet) and a QMP channel on stdio.

    A context manager: the process always ends (QMP ``quit``, else SIGKILL).
    """

    def __init__(self, accel: str = "tcg", devices: tuple[str, ...] = ("virtio-net-pci,netdev=n0",), smp: int = 1):
        qemu = require_qemu()
        if not isinstance(smp, int) or isinstance(smp, bool) or not 1 <= smp <= 64:
            raise InvalidInput(_("smp={smp}: the number of vCPUs is a whole number from 1 to 64").format(smp=repr(smp)),
                               hint=_("PausedQemu('tcg', smp=2) starts a machine with two vCPUs (-smp 2)"))
        self.accel, self.smp = accel, smp
        self.command = [qemu, "-name", "kvmlab-demo,debug-threads=on", "-accel", accel, "-S", "-m", "64",
                        "-smp", str(smp), "-display", "none", "-nodefaults", "-qmp", "stdio",
                        "-netdev", "user,id=n0"]
        for dev in devices:
            self.command += ["-device", dev]

    def __enter__(self) -> "PausedQemu":
        self.proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        super().__init__(self.proc.pid)
        try:
            self._reply()  # the greeting
            self.qmp("qmp_capabilities")
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.qmp("quit")
            self.proc.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired, Unsupported):
            self.proc.kill()
            self.proc.wait()

    def _reply(self) -> dict:
        while True:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise Unsupported(_("QEMU exited before it answered"), hint=" ".join(self.command))
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def qmp(self, command: str, **arguments) -> object:
        """Send one QMP command (QEMU's JSON monitor, the one libvirtd uses) and return its result."""
        msg = {"execute": command, **({"arguments": arguments} if arguments else {})}
        self.proc.stdin.write(json.dumps(msg) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        reply = self._reply()
        if "error" in reply:
            raise Unsupported(_("QMP {command}: {error}").format(command=command, error=reply['error'].get('desc')))
        return reply.get("return")

    def pci_devices(self) -> list[tuple[str, str, str]]:
        """(slot.function, class, vendor:device) of every PCI device of the emulated machine."""
        return [(f"{d['slot']:02x}.{d['function']}", d["class_info"].get("desc", "?"),
                 f"{d['id']['vendor']:04x}:{d['id']['device']:04x}")
                for bus in self.qmp("query-pci") for d in bus["devices"]]  # type: ignore[union-attr]

