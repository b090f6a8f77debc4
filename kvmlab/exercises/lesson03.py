"""Lesson 3 checks: hardware virtualisation (硬件虚拟化) — who does what, spelled right.

- :func:`check_roles`: KVM, QEMU or libvirt for the CPU, the memory, the I/O and the management.
- :func:`check_virtio_net`: the paravirtual network card, as ``-device`` names it.
- :func:`check_vcpu_thread`: the name of a QEMU vCPU thread (``CPU 0/KVM``, ``CPU 0/TCG``).
"""

from __future__ import annotations

import re
from typing import Mapping

from .checks import ExerciseFailed, Passed, choose, expect

__all__ = ["ROLES", "check_roles", "check_virtio_net", "check_vcpu_thread"]

# The seed's section 3, plus the layer above it from section 1.
ROLES = {
    "cpu": "KVM",  # guest instructions run on the real CPU (VT-x / AMD-V), driven through /dev/kvm
    "memory": "KVM",  # second-level page tables (EPT / NPT) map guest memory to host memory
    "io": "QEMU",  # disks, NICs, serial ports are programs in QEMU's user-space process
    "management": "libvirt",  # define, start, list, stop: virsh and virt-manager are its clients
}
_CHOICES = ("KVM", "QEMU", "libvirt")

_HINTS = {
    ("cpu", "QEMU"): "QEMU alone can run guest code by translating it (TCG), but with hardware "
    "virtualisation the instructions run on the real CPU, under the kernel module behind /dev/kvm",
    ("cpu", "libvirt"): "libvirt starts and stops VMs; it never runs a guest instruction",
    ("memory", "QEMU"): "QEMU reserves the guest's RAM in its process, but the CPU's second-level page "
    "tables (EPT/NPT) that make it the guest's physical memory are set up by the kernel module — "
    "the seed: 完成内存和CPU的虚拟化",
    ("memory", "libvirt"): "libvirt only writes the size into the XML (<memory>); who maps the guest's memory?",
    ("io", "KVM"): "a virtual disk or NIC is a program: every `out` of the I/O loop left the guest and "
    "was handled in user space, by the process that emulates the devices",
    ("io", "libvirt"): "libvirt describes the devices in XML; the emulation runs in another process",
    ("management", "KVM"): "KVM is a kernel module with an ioctl interface; defining, listing and starting "
    "VMs is done by the library that virsh and virt-manager use",
    ("management", "QEMU"): "QEMU runs one VM per process; who keeps the list of VMs, networks and pools?",
}


def check_roles(roles: Mapping[str, str]) -> Passed:
    """``roles`` maps cpu, memory, io and management to KVM, QEMU or libvirt."""
    expect(isinstance(roles, Mapping), "roles must be a dict like {'cpu': '…', …}",
           hint="keys: " + ", ".join(ROLES))
    missing = [k for k in ROLES if k not in roles]
    expect(not missing, f"no answer for {', '.join(missing)}", hint="keys: " + ", ".join(ROLES))
    for job, right in ROLES.items():
        got = choose(roles[job], _CHOICES, what=job)  # catches qume / libirt with the right spelling
        if got != right:
            raise ExerciseFailed(f"{job}: not {got}", hint=_HINTS.get((job, got), "reread the seed's section 3"))
    return Passed("KVM: CPU and memory; QEMU: I/O; libvirt: management",
                  "KVM = Kernel-based Virtual Machine, a Linux module (/dev/kvm)",
                  "QEMU = Quick EMUlator, one user-space process per VM (not 'qume')",
                  "libvirt = the management library and daemon (not 'libirt')")


# Network devices on PCI that are not virtio, with what the learner should know about them.
_NOT_VIRTIO = {
    "e1000": "e1000 emulates a real Intel card: every stock driver knows it, but each register access is "
    "emulated; the paravirtual card is built for VMs",
    "e1000e": "e1000e emulates a real Intel card; the paravirtual card is the virtio one",
    "rtl8139": "rtl8139 emulates a real Realtek card; the paravirtual card is the virtio one",
    "vmxnet3": "vmxnet3 is VMware's paravirtual card; QEMU/KVM's own is virtio",
}


def check_virtio_net(name: object, catalog: Mapping[str, list] | None = None) -> Passed:
    """``name``: the ``-device`` name of QEMU's paravirtual network card on the PCI bus.

    ``catalog`` is ``hardware.device_catalog()`` when QEMU is installed; the name must be in it.
    """
    expect(isinstance(name, str) and name.strip() and name.strip().upper() != "TODO", "no answer yet",
           hint="look in device_catalog()['Network'] for the entry whose name starts with virtio and bus is PCI")
    name = name.strip()
    expect("qume" not in name.lower(), f"{name!r}: 'qume' is a typo", hint="it is spelled qemu (Quick EMUlator)")
    if catalog is not None:
        net = {d["name"]: d for d in catalog.get("Network", [])}
        aliases = {d["alias"]: d["name"] for d in net.values() if d.get("alias")}
        expect(name in net or name in aliases, f"{name!r} is not a network device of this QEMU",
               hint="`qemu-system-x86_64 -device help` lists them under 'Network devices'")
    expect(name not in _NOT_VIRTIO, f"{name} is not the paravirtual card", hint=_NOT_VIRTIO.get(name, ""))
    expect(name != "virtio-net-device", "virtio-net-device sits on virtio-bus (virtio-mmio, e.g. -M microvm)",
           hint="on a PC the card sits on the PCI bus: the name ends in -pci")
    expect(name.startswith("virtio-net"), f"{name} is not the virtio network card",
           hint="its name starts with virtio-net and its bus is PCI")
    note = {"virtio-net": "virtio-net is the alias QEMU resolves to virtio-net-pci on a PC"}.get(
        name, "libvirt writes <model type='virtio'/> and QEMU gets -device virtio-net-pci")
    return Passed(f"{name}: the paravirtual NIC", note,
                  "paravirtual: the guest knows it is virtual and talks to QEMU through shared rings, "
                  "not register by register")


def check_vcpu_thread(name: object, accel: str = "kvm") -> Passed:
    """``name``: the thread name of vCPU 0 in a QEMU started with ``-accel <accel>`` (see PausedQemu)."""
    expect(isinstance(name, str) and name.strip() and name.strip().upper() != "TODO", "no answer yet",
           hint=f"with hardware.PausedQemu({accel!r}) as q: print(q.threads())")
    name = name.strip()
    expected = f"CPU 0/{accel.upper()}"
    m = re.fullmatch(r"CPU (\d+)/(\w+)", name)
    if m and m.group(2) != accel.upper():
        raise ExerciseFailed(f"{name!r} is the vCPU thread of a QEMU running {m.group(2)}",
                             hint=f"this QEMU was started with -accel {accel}: its threads say so")
    if m and m.group(1) != "0":
        raise ExerciseFailed(f"{name!r} is vCPU {m.group(1)}", hint="vCPUs are numbered from 0; this VM has one")
    expect(name == expected, f"{name!r} is not a vCPU thread",
           hint="QEMU names them 'CPU <n>/<accelerator>'; the others are its main loop and I/O threads")
    how = {
        "KVM": "it loops on ioctl(vcpu_fd, KVM_RUN): guest code runs on the real CPU until an exit, "
        "and an I/O exit comes back to this thread in QEMU",
        "TCG": "it translates the guest's code into host code and runs that: no /dev/kvm involved",
    }.get(accel.upper(), "")
    return Passed(f"{expected}: one host thread per virtual CPU", *([how] if how else []))
