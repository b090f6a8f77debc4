"""One VM = one QEMU process, seen from the host: lessons 1 and 3 look at it with ``ps`` and ``/proc`` eyes.

- :func:`look`: start a QEMU paused (``-S``: not one guest instruction runs) under TCG or KVM and read
  its vCPU threads, its KVM file descriptors, its QMP status and the PCI devices of its machine.
- :func:`domain_processes`: on the real lab, each active domain's QEMU process (the same readings);
  elsewhere, why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .hardware import KvmProbe, PausedQemu, probe_kvm, running_qemus

__all__ = ["QemuLook", "look", "QemuSeen", "DomainProcesses", "domain_processes"]

# What a KVM QEMU shows, for a machine without a usable /dev/kvm (recorded on the course's host).
_KVM_EXAMPLE = ("with KVM you would see: vCPU threads ['CPU 0/KVM'] and\n"
                "KVM file descriptors ['/dev/kvm', 'anon_inode:kvm-vcpu:0', 'anon_inode:kvm-vm']")


@dataclass
class QemuLook:
    """A paused QEMU as the host sees it; ``skipped`` says why none was started."""

    accel: str
    vcpu_threads: list[str] = field(default_factory=list)
    kvm_files: list[str] = field(default_factory=list)
    status: str = ""
    query_kvm: Any = None  # QMP query-kvm, asked under KVM only
    pci: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: str = ""
    command: list[str] = field(default_factory=list)  # as started (the binary by its name)

    def lines(self) -> list[str]:
        if self.skipped:
            return [self.skipped, _KVM_EXAMPLE]
        out = ["$ " + " ".join(self.command)] if self.command else []
        out += [f"vCPU threads: {self.vcpu_threads}", f"KVM file descriptors: {self.kvm_files}",
               f"status: {self.status}"]
        if self.query_kvm is not None:
            out.append(f"query-kvm: {self.query_kvm}")
        return out + [f"  {slot}  {kind:<20} {ids}" for slot, kind, ids in self.pci]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def look(accel: str = "tcg", probe: KvmProbe | None = None) -> QemuLook:
    """Start ``qemu-system-x86_64 -accel ACCEL -S`` with one virtio NIC, read it, and stop it again.

    Under KVM a machine without a usable /dev/kvm starts nothing: the result says so (``skipped``).
    """
    if accel == "kvm":
        probe = probe if probe is not None else probe_kvm()
        if not probe.opens:
            return QemuLook(accel, skipped=f"no usable /dev/kvm here: {probe.verdict}")
    with PausedQemu(accel) as q:
        return QemuLook(accel, q.vcpu_threads(), q.kvm_files(), q.qmp("query-status")["status"],  # type: ignore[index]
                        q.qmp("query-kvm") if accel == "kvm" else None, q.pci_devices(),
                        command=[Path(q.command[0]).name, *q.command[1:]])  # fmt: skip


@dataclass(frozen=True)
class QemuSeen:
    """One running QEMU: its pid, the guest it runs, its vCPU threads, KVM files and -device models."""

    pid: int
    guest: str
    vcpu_threads: list[str]
    kvm_files: list[str]
    drivers: list[str]

    def __str__(self) -> str:
        return (f"QEMU pid {self.pid} ({self.guest or '?'}): vCPU threads {self.vcpu_threads}, "
                f"KVM files {self.kvm_files}\n   -device: {', '.join(self.drivers)}")


@dataclass
class DomainProcesses:
    """The active domains and the QEMU processes behind them, or why there are none (``note``)."""

    domains: list[str] = field(default_factory=list)
    qemus: list[QemuSeen] = field(default_factory=list)
    note: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.note:
            return "\n".join(self.note)
        return "\n".join([f"active domains: {', '.join(self.domains) or 'none'}", *(str(q) for q in self.qemus)])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def domain_processes(conn: Any) -> DomainProcesses:
    """On a QEMU connection (the real lab): each active domain's QEMU process. Elsewhere: a note."""
    if getattr(conn, "backend", "") != "qemu":
        return DomainProcesses(note=[
            "embedded lab: libvirt's test driver answers inside this Python process and only simulates the",
            "domains: no libvirtd, no QEMU process, no KVM. On the real lab (`kvmlab lab up`) this lists each",
            "active domain's QEMU process: its vCPU threads, its KVM file descriptors, its -device options."])
    seen = [QemuSeen(q.pid, q.guest_name(), q.vcpu_threads(), q.kvm_files(), q.drivers()) for q in running_qemus()]
    return DomainProcesses(domains=conn.list().names, qemus=seen)
