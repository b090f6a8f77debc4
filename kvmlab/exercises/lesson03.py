"""Lesson 3 checks: hardware virtualisation (硬件虚拟化) — who does what, spelled right.

- :func:`check_roles`: KVM, QEMU or libvirt for the CPU, the memory, the I/O and the management.
- :func:`check_virtio_net`: the paravirtual network card, as ``-device`` names it.
- :func:`check_vcpu_prediction`: predict what a QEMU with ``-accel kvm -smp 2`` shows from the host (its
  vCPU threads, its KVM file descriptors); the check starts that QEMU, paused, and compares.

A failure first names the idea (``hint``), then, the second time, the lesson section or the command to
look at (``pointer``); only ``show_answer("3.N")`` gives the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ..concepts import hardware
from ..errors import KvmlabError
from .checks import ExerciseFailed, Passed, choose, expect
from .ladder import graded

__all__ = ["ROLES", "Observation", "observe_vcpus", "check_roles", "check_virtio_net", "check_vcpu_prediction"]

# The seed's section 3, plus the layer above it from section 1.
ROLES = {
    "cpu": "KVM",  # guest instructions run on the real CPU (VT-x / AMD-V), driven through /dev/kvm
    "memory": "KVM",  # second-level page tables (EPT / NPT) map guest memory to host memory
    "io": "QEMU",  # disks, NICs, serial ports are programs in QEMU's user-space process
    "management": "libvirt",  # define, start, list, stop: virsh and virt-manager are its clients
}
_CHOICES = ("KVM", "QEMU", "libvirt")

# (job, wrong choice) -> why that one does not do the job: the diagnosis, in the failure's message.
_NOT = {
    ("cpu", "QEMU"): "QEMU alone can run guest code by translating it (TCG), but with hardware virtualisation "
    "the guest's instructions run on the real CPU, not in a user-space program",
    ("cpu", "libvirt"): "libvirt starts and stops VMs; it never runs a guest instruction",
    ("memory", "QEMU"): "QEMU reserves the guest's RAM in its process, but the CPU's second-level page tables "
    "(EPT/NPT) that make it the guest's physical memory are set up in the host's kernel",
    ("memory", "libvirt"): "libvirt only writes the size into the XML (<memory>); it maps no memory",
    ("io", "KVM"): "a virtual disk or NIC is a program: most I/O exits leave the kernel and are handled in user "
    "space, by the process that emulates the devices",
    ("io", "libvirt"): "libvirt describes the devices in XML; the emulation runs in another process",
    ("management", "KVM"): "KVM is a kernel module with an ioctl interface; it keeps no list of VMs, networks "
    "or pools",
    ("management", "QEMU"): "QEMU runs one VM per process; it keeps no list of VMs, networks and pools",
}

_CONCEPT = {
    "cpu": "hardware virtualisation (VT-x / AMD-V) runs the guest's instructions on the real CPU, in non-root "
    "mode; a module of the host's kernel drives it",
    "memory": "the CPU's second-level page tables (EPT / NPT) map guest memory to host memory; they are set up "
    "by whatever drives the CPU's virtualisation",
    "io": "the devices a guest sees are emulated by a program; an I/O exit is passed up to it",
    "management": "defining, listing, starting and stopping VMs is the job of a library with a daemon, whose "
    "clients are virsh and virt-manager",
}
_POINTER = {
    "cpu": "the seed's section 3 (lesson 3's introduction): 完成内存和CPU的虚拟化",
    "memory": "the seed's section 3 (lesson 3's introduction): 完成内存和CPU的虚拟化",
    "io": "the seed's section 3 (lesson 3's introduction): I/O的虚拟化; lesson 3 §2",
    "management": "the seed's section 1 (lesson 1): the management tools",
}


@graded("3.1", answer='''roles = {
    "cpu": "KVM",            # guest code on the real CPU (VT-x / AMD-V), through /dev/kvm
    "memory": "KVM",         # second-level page tables (EPT / NPT)
    "io": "QEMU",            # devices emulated in a user-space process (not 'qume')
    "management": "libvirt", # virsh and virt-manager are its clients (not 'libirt')
}''')
def check_roles(roles: Mapping[str, str]) -> Passed:
    """``roles`` maps cpu, memory, io and management to KVM, QEMU or libvirt."""
    expect(isinstance(roles, Mapping), "roles must be a dict like {'cpu': '…', …}",
           hint="keys: " + ", ".join(ROLES))
    missing = [k for k in ROLES if k not in roles]
    expect(not missing, f"no answer for {', '.join(missing)}", hint="keys: " + ", ".join(ROLES))
    for job, right in ROLES.items():
        got = choose(roles[job], _CHOICES, what=job)  # catches qume / libirt with the right spelling
        if got != right:
            raise ExerciseFailed(f"{job}: not {got}: {_NOT[(job, got)]}", hint=_CONCEPT[job], pointer=_POINTER[job])
    return Passed("KVM: CPU and memory; QEMU: I/O; libvirt: management",
                  "KVM = Kernel-based Virtual Machine, a Linux module (/dev/kvm)",
                  "QEMU = Quick EMUlator, one user-space process per VM (not 'qume')",
                  "libvirt = the management library and daemon (not 'libirt')")


# Network devices on PCI that are not virtio, with what the learner should know about them.
_NOT_VIRTIO = {
    "e1000": "e1000 emulates a real Intel card: every stock driver knows it, but each register access is "
    "emulated",
    "e1000e": "e1000e emulates a real Intel card, register by register",
    "rtl8139": "rtl8139 emulates a real Realtek card, register by register",
    "vmxnet3": "vmxnet3 is VMware's paravirtual card, not QEMU/KVM's own",
}
_PARAVIRTUAL = ("a paravirtual device is designed for VMs: the guest knows it is virtual and talks to the host "
                "through shared memory rings instead of emulated registers")


@graded("3.2", answer='''virtio_nic = next(d["name"] for d in catalog["Network"] if d["name"].startswith("virtio") and d["bus"] == "PCI")
# virtio-net-pci; libvirt writes <model type='virtio'/> for it''')
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
               hint="QEMU's catalogue lists every device it can emulate, by category: a network card is under "
                    "'Network devices'",
               pointer="catalog['Network'] (`qemu-system-x86_64 -device help`, 'Network devices')")
    expect(name not in _NOT_VIRTIO, f"{name} is not the paravirtual card: {_NOT_VIRTIO.get(name, '')}",
           hint=_PARAVIRTUAL, pointer="in catalog['Network'], the family whose name starts with virtio, on the PCI bus")
    expect(name != "virtio-net-device", "virtio-net-device sits on virtio-bus (virtio-mmio, e.g. -M microvm)",
           hint="on a PC, cards sit on the PCI bus, and QEMU's -device name says which bus a card plugs into",
           pointer="the -pci variant of the same card")
    expect(name.startswith("virtio-net"), f"{name} is not the virtio network card",
           hint=_PARAVIRTUAL + "; QEMU's are the virtio devices, one per kind (network, block, …)",
           pointer="its name starts with virtio-net and its bus is PCI")
    note = {"virtio-net": "virtio-net is the alias QEMU resolves to virtio-net-pci on a PC"}.get(
        name, "libvirt writes <model type='virtio'/> and QEMU gets -device virtio-net-pci")
    return Passed(f"{name}: the paravirtual NIC", note,
                  "paravirtual: the guest knows it is virtual and talks to QEMU through shared rings, "
                  "not register by register")


# --- exercise 3.3: predict, then look -----------------------------------------------------------------

@dataclass
class Observation:
    """What a paused ``-accel kvm -smp N`` QEMU shows from the host, and whether it was measured here."""

    threads: list[str]  # the vCPU threads' names, sorted
    kvm_files: list[str]  # QemuProcess.kvm_files()
    measured: bool
    how: str


def _rule(smp: int) -> tuple[list[str], list[str]]:
    """What KVM gives where /dev/kvm works: one thread and one fd per vCPU, one fd for the VM, /dev/kvm."""
    vcpus = [f"anon_inode:kvm-vcpu:{i}" for i in range(smp)]
    return [f"CPU {i}/KVM" for i in range(smp)], sorted(["/dev/kvm", "anon_inode:kvm-vm", *vcpus])


def observe_vcpus(smp: int = 2) -> Observation:
    """Start QEMU paused with ``-accel kvm -smp smp`` and look at it; where KVM cannot run, the rule."""
    threads, files = _rule(smp)
    if hardware.qemu_binary() is None:
        return Observation(threads, files, False, "not measured: QEMU is not installed here")
    probe = hardware.probe_kvm()
    if not probe.opens:
        return Observation(threads, files, False, f"not measured: {probe.verdict}")
    try:
        with hardware.PausedQemu("kvm", smp=smp) as q:
            seen = Observation(sorted(t for t in q.threads() if t.startswith("CPU ")), q.kvm_files(), True,
                               f"measured: a paused QEMU -accel kvm -smp {smp} on this machine")
    except KvmlabError as err:
        return Observation(threads, files, False, f"not measured: QEMU did not start with KVM ({err.message})")
    return seen


_VCPU_THREAD = re.compile(r"CPU (\d+)/(\w+)")
_VCPU_FD = re.compile(r"anon_inode:kvm-vcpu:(\d+)")
_VM_FD = re.compile(r"anon_inode:kvm-vm(:\d+)?")
_OTHER_THREADS = {
    "qemu-system-x86": "the main loop (the process's first thread, named after the program)",
    "IO mon_iothread": "the monitor's I/O thread (QMP)",
    "call_rcu": "QEMU's RCU housekeeping",
}

_THREADS_CONCEPT = ("each virtual CPU is one host thread that runs the guest's code; the host's scheduler can run "
                    "them on several real CPUs at once")
_THREADS_POINTER = "lesson 3 §3: the threads whose names start with CPU, and how -smp sets the number of vCPUs"
_FILES_CONCEPT = ("a process reaches KVM through file descriptors and ioctl: one for the module itself, one for "
                  "each VM it creates (KVM_CREATE_VM), one for each vCPU it creates in that VM (KVM_CREATE_VCPU)")
_FILES_POINTER = "lesson 3 §3, the paragraph before the PausedQemu('kvm') cell, and its q.kvm_files()"


def _names(value: object, what: str, example: str, empty: bool = False) -> list[str]:
    """The learner's list of names, stripped; ``empty``: an empty list is an answer too."""
    expect(not isinstance(value, str) and isinstance(value, (list, tuple, set)),
           f"{what} should be a list of names, not {type(value).__name__}", hint=f"a list of strings: {example}")
    items = [v.strip() if isinstance(v, str) else v for v in value]
    expect((items or empty) and all(isinstance(v, str) and v and v.upper() != "TODO" for v in items),
           f"{what}: no answer yet", hint=f"a list of strings, like q.threads() or q.kvm_files() give: {example}")
    return items


def _indices(pattern: re.Pattern, names: list[str]) -> list[int]:
    return sorted(int(m.group(1)) for n in names if (m := pattern.fullmatch(n)))


def _why_threads(pred: list[str], seen: list[str], smp: int) -> str:
    """Why the predicted vCPU threads are not the ones seen ("" when they are)."""
    for name in pred:
        m = _VCPU_THREAD.fullmatch(name)
        if not m:
            what = _OTHER_THREADS.get(name, "a name QEMU does not give a vCPU thread")
            return f"'{name}' is not a vCPU thread: it is {what}, and runs no guest code"
        if m.group(2) != "KVM":
            return (f"'{name}' is a vCPU thread of a QEMU running {m.group(2)}; this one runs -accel kvm, and the "
                    "thread's name says so")
    if len(set(pred)) < len(pred):
        return "a name appears twice: each vCPU has its own index"
    want = _indices(_VCPU_THREAD, seen)
    got = _indices(_VCPU_THREAD, pred)
    if len(got) != len(want):
        return (f"{len(got)} vCPU thread{'s' * (len(got) != 1)}, but -smp {smp} gives the guest {smp} virtual "
                f"CPUs, and each is its own thread")
    if got != want:
        return f"vCPU indices {got}: QEMU numbers a machine's vCPUs from 0 (its cpu-index)"
    return "" if sorted(pred) == seen else f"this QEMU's vCPU threads are named {seen}"


def _why_files(pred: list[str], seen: list[str], smp: int) -> str:
    """Why the predicted KVM file descriptors are not the ones seen ("" when they are)."""
    if not pred:
        return ("no KVM file descriptor at all: that is a QEMU running TCG; this one runs -accel kvm and talks "
                "to KVM through file descriptors")
    for name in pred:
        if name != "/dev/kvm" and not _VCPU_FD.fullmatch(name) and not _VM_FD.fullmatch(name):
            return f"'{name}' is not a KVM file descriptor (those are /dev/kvm and anon_inode:kvm-…)"
    vm_fds = [n for n in pred if _VM_FD.fullmatch(n)]
    if len(vm_fds) > 1:
        return (f"{len(vm_fds)} VM file descriptors: KVM_CREATE_VM returns one per VM, and these two vCPUs "
                "belong to one VM")
    if not vm_fds:
        return "no 'anon_inode:kvm-vm': the VM itself is a file descriptor, and each vCPU is created through it"
    if "/dev/kvm" not in pred:
        return "'/dev/kvm' is missing: QEMU opens it first, creates the VM through it, and keeps it open"
    if len(set(pred)) < len(pred):
        return "a file descriptor appears twice: each vCPU has its own"
    want, got = _indices(_VCPU_FD, seen), _indices(_VCPU_FD, pred)
    if len(got) != len(want):
        return (f"{len(got)} vCPU file descriptor{'s' * (len(got) != 1)} for {smp} vCPUs: KVM_CREATE_VCPU gives "
                "one per vCPU")
    if got != want:
        return f"vCPU file descriptors {got}: KVM numbers a VM's vCPUs from 0, as QEMU does"
    return "" if sorted(pred) == seen else f"this QEMU holds {seen}"


def _normal_fd(name: str) -> str:
    """Accept ``kvm-vm`` and ``kvm-vcpu:0`` for the ``anon_inode:`` names ls -l /proc/PID/fd shows."""
    return f"anon_inode:{name}" if name.startswith("kvm-") else name


@graded("3.3", answer=lambda smp=2, **_: (
    f"vcpu_threads = {_rule(smp)[0]}   # one host thread per vCPU, numbered from 0\n"
    f"kvm_files = {_rule(smp)[1]}\n"
    "# /dev/kvm (the module), one kvm-vm (KVM_CREATE_VM), one kvm-vcpu per vCPU (KVM_CREATE_VCPU)\n"
    f"# see it: with hardware.PausedQemu('kvm', smp={smp}) as q: print(q.threads(), q.kvm_files())"))
def check_vcpu_prediction(vcpu_threads: object, kvm_files: object, smp: int = 2) -> Passed:
    """Your prediction for a QEMU started with ``-accel kvm -smp smp``, compared with that QEMU.

    Args:
        vcpu_threads: the names of its vCPU threads.
        kvm_files: its KVM file descriptors, as ``QemuProcess.kvm_files()`` lists them.
        smp: the number of vCPUs (2 in the exercise).

    Where ``/dev/kvm`` opens, the check starts that QEMU, paused, and compares; elsewhere it compares with
    what KVM gives where it works (one thread and one file descriptor per vCPU), and says so.
    """
    threads = _names(vcpu_threads, "vcpu_threads", "['CPU …', …]")
    files = [_normal_fd(f) for f in _names(kvm_files, "kvm_files", "['/dev/…', 'anon_inode:…', …]", empty=True)]
    seen = observe_vcpus(smp)
    why = _why_threads(threads, seen.threads, smp)
    if why:
        raise ExerciseFailed(f"vcpu_threads: {why}", hint=_THREADS_CONCEPT, pointer=_THREADS_POINTER)
    why = _why_files(files, seen.kvm_files, smp)
    if why:
        raise ExerciseFailed(f"kvm_files: {why}", hint=_FILES_CONCEPT, pointer=_FILES_POINTER)
    return Passed(f"-smp {smp} under KVM: {smp} vCPU threads, {smp} vCPU file descriptors, one VM",
                  f"{seen.how}: threads {seen.threads}, KVM files {seen.kvm_files}",
                  "each vCPU thread loops on ioctl(vcpu_fd, KVM_RUN): the guest's code runs on the real CPU "
                  "until an exit; the host's scheduler places the threads on its CPUs",
                  "one VM fd (KVM_CREATE_VM on /dev/kvm) holds the guest's memory map; each vCPU fd "
                  "(KVM_CREATE_VCPU on the VM fd) holds one vCPU's registers")
