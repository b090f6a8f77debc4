"""Lesson 3 checks: hardware virtualisation (硬件虚拟化) — who does what, spelled right.

- :func:`check_roles`: KVM, QEMU or libvirt for the CPU, the memory, the I/O and the management.
- :func:`check_virtio_blk`: the paravirtual disk, as ``-device`` names it (lesson 3 shows the paravirtual NIC;
  the exercise applies the idea to the Storage category).
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
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, answered, choose, expect
from .ladder import graded

__all__ = ["ROLES", "Observation", "observe_vcpus", "check_roles", "check_virtio_blk", "check_vcpu_prediction"]

# The seed's section 3, plus the layer above it from section 1.
ROLES = {
    "cpu": "KVM",  # guest instructions run on the real CPU (VT-x / AMD-V), driven through /dev/kvm
    "memory": "KVM",  # second-level page tables (EPT / NPT) map guest memory to host memory
    "io": "QEMU",  # disks, NICs, serial ports are programs in QEMU's user-space process
    "management": "libvirt",  # define, start, list, stop: virsh and virt-manager are its clients
}
_CHOICES = ("KVM", "QEMU", "libvirt")

# (job, wrong choice) -> why that one does not do the job: the diagnosis, in the failure's message.
_NOT = N_({
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
})

_CONCEPT = N_({
    "cpu": "hardware virtualisation (VT-x / AMD-V) runs the guest's instructions on the real CPU, in non-root "
    "mode; a module of the host's kernel drives it",
    "memory": "the CPU's second-level page tables (EPT / NPT) map guest memory to host memory; they are set up "
    "by whatever drives the CPU's virtualisation",
    "io": "the devices a guest sees are emulated by a program; an I/O exit is passed up to it",
    "management": "defining, listing, starting and stopping VMs is the job of a library with a daemon, whose "
    "clients are virsh and virt-manager",
})
_POINTER = N_({
    "cpu": "the seed's section 3 (lesson 3's introduction): 完成内存和CPU的虚拟化",
    "memory": "the seed's section 3 (lesson 3's introduction): 完成内存和CPU的虚拟化",
    "io": "the seed's section 3 (lesson 3's introduction): I/O的虚拟化; lesson 3 §2",
    "management": "the seed's section 1 (lesson 1): the management tools",
})


@graded("3.1", answer='''roles = {
    "cpu": "KVM",            # guest code on the real CPU (VT-x / AMD-V), through /dev/kvm
    "memory": "KVM",         # second-level page tables (EPT / NPT)
    "io": "QEMU",            # devices emulated in a user-space process (not 'qume')
    "management": "libvirt", # virsh and virt-manager are its clients (not 'libirt')
}''')
def check_roles(roles: Mapping[str, str]) -> Passed:
    """``roles`` maps cpu, memory, io and management to KVM, QEMU or libvirt."""
    expect(isinstance(roles, Mapping), _("roles must be a dict like {example}").format(example="{'cpu': '…', …}"),
           hint=_("keys: ") + ", ".join(ROLES))
    missing = [k for k in ROLES if k not in roles]
    expect(not missing, _("no answer for {keys}").format(keys=", ".join(missing)), hint=_("keys: ") + ", ".join(ROLES))
    for job, right in ROLES.items():
        got = choose(roles[job], _CHOICES, what=job)  # catches qume / libirt with the right spelling
        if got != right:
            raise ExerciseFailed(_("{job}: not {got}: {why}").format(job=job, got=got, why=_(_NOT[(job, got)])),
                                 hint=_(_CONCEPT[job]), pointer=_(_POINTER[job]))
    return Passed(_("KVM: CPU and memory; QEMU: I/O; libvirt: management"),
                  _("KVM = Kernel-based Virtual Machine, a Linux module (/dev/kvm)"),
                  _("QEMU = Quick EMUlator, one user-space process per VM (not 'qume')"),
                  _("libvirt = the management library and daemon (not 'libirt')"))


# Exercise 3.2: the paravirtual disk. Lesson 3 shows the paravirtual NIC (virtio-net-pci); the exercise applies
# the same idea to the Storage category, where controllers, emulated disks and other virtio devices sit side by side.
_PARAVIRTUAL = N_("a paravirtual device is designed for VMs: the guest knows it is virtual and talks to the host "
                "through shared memory rings instead of emulated registers")
_CONTROLLER = N_("a controller is the card that disks plug into; the guest sees each disk behind it separately. The "
               "paravirtual disk needs no controller: each disk is a PCI device of its own")
_EMULATED = N_("an emulated device copies a real piece of hardware register by register, so every stock driver knows "
               "it, and every access is a trap into QEMU; a paravirtual device is designed for VMs: the guest knows "
               "it is virtual and talks to the host through shared memory rings instead of emulated registers")
_NOT_A_DISK = N_("the question asks for a device the guest uses as a hard disk (a block device)")
_STORAGE_POINTER = N_("in catalog['Storage'], the names that start with virtio and sit on the PCI bus: one is a SCSI "
                    "controller, one is the block device itself")

# name -> (why it is not QEMU's paravirtual disk, the idea behind the mistake)
_NOT_VIRTIO_BLK: dict[str, tuple[str, str]] = N_({
    "virtio-scsi-pci": ("virtio-scsi-pci is a paravirtual SCSI controller: disks (scsi-hd) hang off it. The question "
                        "asks for the device that is the disk itself", _CONTROLLER),
    "ide-hd": ("ide-hd is an emulated IDE disk on an emulated IDE controller (piix3-ide)", _EMULATED),
    "scsi-hd": ("scsi-hd is an emulated SCSI disk; it hangs off a SCSI controller (lsi53c895a, or virtio-scsi-pci)",
                _EMULATED),
    "nvme": ("nvme emulates a real NVMe controller: stock drivers know it, but it copies real hardware, not a device "
             "designed for VMs", _EMULATED),
    "virtio-blk-device": ("virtio-blk-device sits on virtio-bus (virtio-mmio, e.g. -M microvm), not on a PC's PCI bus",
                          "on a PC, devices sit on the PCI bus, and QEMU's -device name says which bus a device plugs "
                          "into"),
    "vhost-user-blk-pci": ("vhost-user-blk-pci is the same virtio disk, but another process serves it over a "
                           "vhost-user socket; QEMU's own paravirtual disk reads the image itself", _PARAVIRTUAL),
    "vhost-scsi-pci": ("vhost-scsi-pci is a virtio-scsi controller whose SCSI target runs in the host's kernel", _CONTROLLER),
    "vhost-user-scsi-pci": ("vhost-user-scsi-pci is a virtio-scsi controller served by another process", _CONTROLLER),
    "virtio-9p-pci": ("virtio-9p-pci shares a host directory as a file system (9p), not a disk", _NOT_A_DISK),
    "vhost-user-fs-pci": ("vhost-user-fs-pci shares a host directory (virtiofs), not a disk", _NOT_A_DISK),
    "virtio-pmem": ("virtio-pmem is persistent memory the guest maps, not a disk", _NOT_A_DISK),
    "virtio-net-pci": ("virtio-net-pci is the paravirtual network card lesson 3 shows; the question asks for the "
                       "disk", "the same idea in another category: QEMU's catalogue groups devices by what they are"),
    "ide-cd": ("ide-cd is a CD-ROM drive on the emulated IDE controller", _NOT_A_DISK),
    "scsi-cd": ("scsi-cd is a CD-ROM drive on a SCSI controller", _NOT_A_DISK),
    "floppy": ("floppy is a floppy drive", _NOT_A_DISK),
    "usb-storage": ("usb-storage emulates a USB stick", _EMULATED),
})
# Real controllers QEMU emulates, register by register: disks plug into them.
_EMULATED_CONTROLLERS = N_({
    "piix3-ide": "the IDE controller of the i440fx PC", "piix4-ide": "an IDE controller", "isa-ide": "an ISA IDE controller",
    "ich9-ahci": "the SATA (AHCI) controller of the q35 PC", "lsi53c895a": "an LSI SCSI controller",
    "lsi53c810": "an LSI SCSI controller", "megasas": "an LSI MegaRAID controller", "megasas-gen2": "an LSI MegaRAID controller",
    "mptsas1068": "an LSI SAS controller", "am53c974": "an AMD SCSI controller", "dc390": "a Tekram SCSI controller",
    "pvscsi": "VMware's paravirtual SCSI controller", "sdhci-pci": "an SD card controller",
})  # fmt: skip
# Names that are QEMU's paravirtual disk: the plain one, its alias, and the two that fix its virtio version.
_VIRTIO_BLK = N_({
    "virtio-blk-pci": "libvirt writes <target dev='vda' bus='virtio'/> and QEMU gets -device virtio-blk-pci",
    "virtio-blk": "virtio-blk is the alias QEMU resolves to virtio-blk-pci on a PC",
    "virtio-blk-pci-transitional": "the -transitional variant also speaks virtio 0.9 for old guests; the plain "
                                   "name is virtio-blk-pci",
    "virtio-blk-pci-non-transitional": "the -non-transitional variant speaks virtio 1.0 only; the plain name is "
                                       "virtio-blk-pci",
})


def _why_not_disk(name: str) -> tuple[str, str]:
    """(why ``name`` is not QEMU's paravirtual disk, the idea behind the mistake)."""
    base = name.removesuffix("-non-transitional").removesuffix("-transitional")
    alias = {"virtio-scsi": "virtio-scsi-pci", "virtio-9p": "virtio-9p-pci", "ahci": "ich9-ahci", "lsi": "lsi53c895a",
             "virtio-net": "virtio-net-pci"}.get(base, base)  # fmt: skip
    if alias in _NOT_VIRTIO_BLK:
        why, idea = _NOT_VIRTIO_BLK[alias]
        return _(why), _(idea)
    if alias in _EMULATED_CONTROLLERS:
        return (_("{name} emulates {what}: disks plug into it").format(name=name, what=_(_EMULATED_CONTROLLERS[alias])),
                _(_CONTROLLER))
    return _("{name} is not the paravirtual disk").format(name=name), _(_PARAVIRTUAL)


@graded("3.2", answer='virtio_disk = "virtio-blk-pci"   # one disk per PCI function; libvirt: <target dev=\'vda\' '
                      "bus='virtio'/>\n# virtio-scsi-pci is a controller (disks hang off it); ide-hd and scsi-hd are "
                      "emulated disks")
def check_virtio_blk(name: object, catalog: Mapping[str, list] | None = None) -> Passed:
    """``name``: the ``-device`` name of QEMU's paravirtual disk on the PCI bus.

    ``catalog`` is ``hardware.device_catalog()`` when QEMU is installed; the name must be in it.
    """
    name = answered(name, "virtio_disk", _("look in catalog['Storage'] for the paravirtual device that is itself a disk"))
    expect("qume" not in name.lower(), _("{name}: 'qume' is a typo").format(name=repr(name)),
           hint=_("it is spelled qemu (Quick EMUlator)"))
    if name in _VIRTIO_BLK:
        return Passed(_("{name}: the paravirtual disk").format(name=name), _(_VIRTIO_BLK[name]),
                      _("paravirtual: the guest's virtio-blk driver puts requests in a shared ring; no emulated "
                        "controller, no register-by-register traps"), _("lesson 3's virtio-net-pci is the same idea for "
                      "the network card"))
    if name in ("virtio-net-pci", "virtio-net"):
        why, idea = _why_not_disk(name)
        raise ExerciseFailed(why, hint=idea, pointer=_(_STORAGE_POINTER))
    if catalog is not None:
        storage = {d["name"]: d for d in catalog.get("Storage", [])}
        aliases = {d["alias"] for d in storage.values() if d.get("alias")}
        expect(name in storage or name in aliases, _("{name} is not a storage device of this QEMU").format(
               name=repr(name)),
               hint=_("QEMU's catalogue lists every device it can emulate, by category: disks and their controllers "
                      "are under 'Storage devices'"),
               pointer=_("catalog['Storage'] (`qemu-system-x86_64 -device help`, 'Storage devices')"))
    why, idea = _why_not_disk(name)
    raise ExerciseFailed(why, hint=idea, pointer=_(_STORAGE_POINTER))


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
_OTHER_THREADS = N_({
    "qemu-system-x86": "the main loop (the process's first thread, named after the program)",
    "IO mon_iothread": "the monitor's I/O thread (QMP)",
    "call_rcu": "QEMU's RCU housekeeping",
})

_THREADS_CONCEPT = N_("each virtual CPU is one host thread that runs the guest's code; the host's scheduler can run "
                    "them on several real CPUs at once")
_THREADS_POINTER = N_("lesson 3 §3: the threads whose names start with CPU, and how -smp sets the number of vCPUs")
_FILES_CONCEPT = N_("a process reaches KVM through file descriptors and ioctl: one for the module itself, one for "
                  "each VM it creates (KVM_CREATE_VM), one for each vCPU it creates in that VM (KVM_CREATE_VCPU)")
_FILES_POINTER = N_("lesson 3 §3, the paragraph before qemu_view.look(\"kvm\", probe), and the 'KVM file descriptors:' "
                  "line that cell prints")


def _names(value: object, what: str, example: str, empty: bool = False) -> list[str]:
    """The learner's list of names, stripped; ``empty``: an empty list is an answer too."""
    expect(not isinstance(value, str) and isinstance(value, (list, tuple, set)),
           _("{what} should be a list of names, not {type}").format(what=what, type=type(value).__name__),
           hint=_("a list of strings: {example}").format(example=example))
    items = [v.strip() if isinstance(v, str) else v for v in value]
    like = _("a list of strings, like the 'vCPU threads:' and 'KVM file descriptors:' lines of lesson 3 §3: {example}"
             ).format(example=example)
    expect(all(isinstance(v, str) for v in items), _("{what}: every name is a string").format(what=what), hint=like)
    expect((items or empty) and all(v and v.upper() != "TODO" for v in items),
           _("{what}: no answer yet").format(what=what), hint=like, untried=True)
    return items


def _indices(pattern: re.Pattern, names: list[str]) -> list[int]:
    return sorted(int(m.group(1)) for n in names if (m := pattern.fullmatch(n)))


def _why_threads(pred: list[str], seen: list[str], smp: int) -> str:
    """Why the predicted vCPU threads are not the ones seen ("" when they are)."""
    for name in pred:
        m = _VCPU_THREAD.fullmatch(name)
        if not m:
            what = _(_OTHER_THREADS[name]) if name in _OTHER_THREADS else _("a name QEMU does not give a vCPU thread")
            return _("'{name}' is not a vCPU thread: it is {what}, and runs no guest code").format(name=name, what=what)
        if m.group(2) != "KVM":
            return _("'{name}' is a vCPU thread of a QEMU running {accel}; this one runs -accel kvm, and the "
                     "thread's name says so").format(name=name, accel=m.group(2))
    if len(set(pred)) < len(pred):
        return _("a name appears twice: each vCPU has its own index")
    want = _indices(_VCPU_THREAD, seen)
    got = _indices(_VCPU_THREAD, pred)
    if len(got) != len(want):
        return (_("{n} vCPU thread{s}, but -smp {smp} gives the guest {smp} virtual CPUs, and each is its own thread")
                .format(n=len(got), s="s" * (len(got) != 1), smp=smp))
    if got != want:
        return _("vCPU indices {got}: QEMU numbers a machine's vCPUs from 0 (its cpu-index)").format(got=got)
    return "" if sorted(pred) == seen else _("this QEMU's vCPU threads are named {seen}").format(seen=seen)


def _why_files(pred: list[str], seen: list[str], smp: int) -> str:
    """Why the predicted KVM file descriptors are not the ones seen ("" when they are)."""
    if not pred:
        return _("no KVM file descriptor at all: that is a QEMU running TCG; this one runs -accel kvm and talks "
                 "to KVM through file descriptors")
    for name in pred:
        if name != "/dev/kvm" and not _VCPU_FD.fullmatch(name) and not _VM_FD.fullmatch(name):
            return _("'{name}' is not a KVM file descriptor (those are /dev/kvm and anon_inode:kvm-…)").format(name=name)
    vm_fds = [n for n in pred if _VM_FD.fullmatch(n)]
    if len(vm_fds) > 1:
        return _("{n} VM file descriptors: KVM_CREATE_VM returns one per VM, and these two vCPUs "
                 "belong to one VM").format(n=len(vm_fds))
    if not vm_fds:
        return _("no 'anon_inode:kvm-vm': the VM itself is a file descriptor, and each vCPU is created through it")
    if "/dev/kvm" not in pred:
        return _("'/dev/kvm' is missing: QEMU opens it first, creates the VM through it, and keeps it open")
    if len(set(pred)) < len(pred):
        return _("a file descriptor appears twice: each vCPU has its own")
    want, got = _indices(_VCPU_FD, seen), _indices(_VCPU_FD, pred)
    if len(got) != len(want):
        return (_("{n} vCPU file descriptor{s} for {smp} vCPUs: KVM_CREATE_VCPU gives one per vCPU")
                .format(n=len(got), s="s" * (len(got) != 1), smp=smp))
    if got != want:
        return _("vCPU file descriptors {got}: KVM numbers a VM's vCPUs from 0, as QEMU does").format(got=got)
    return "" if sorted(pred) == seen else _("this QEMU holds {seen}").format(seen=seen)


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
        kvm_files: its KVM file descriptors, as lesson 3's 'KVM file descriptors:' line lists them.
        smp: the number of vCPUs (2 in the exercise).

    Where ``/dev/kvm`` opens, the check starts that QEMU, paused, and compares; elsewhere it compares with
    what KVM gives where it works (one thread and one file descriptor per vCPU), and says so.
    """
    threads = _names(vcpu_threads, "vcpu_threads", "['CPU …', …]")
    files = [_normal_fd(f) for f in _names(kvm_files, "kvm_files", "['/dev/…', 'anon_inode:…', …]", empty=True)]
    seen = observe_vcpus(smp)
    why = _why_threads(threads, seen.threads, smp)
    if why:
        raise ExerciseFailed(_("vcpu_threads: {why}").format(why=why), hint=_(_THREADS_CONCEPT), pointer=_(_THREADS_POINTER))
    why = _why_files(files, seen.kvm_files, smp)
    if why:
        raise ExerciseFailed(_("kvm_files: {why}").format(why=why), hint=_(_FILES_CONCEPT), pointer=_(_FILES_POINTER))
    return Passed(_("-smp {smp} under KVM: {smp} vCPU threads, {smp} vCPU file descriptors, one VM").format(smp=smp),
                  _("{how}: threads {threads}, KVM files {files}").format(
                      how=seen.how, threads=seen.threads, files=seen.kvm_files),
                  _("each vCPU thread loops on ioctl(vcpu_fd, KVM_RUN): the guest's code runs on the real CPU "
                    "until an exit; the host's scheduler places the threads on its CPUs"),
                  _("one VM fd (KVM_CREATE_VM on /dev/kvm) holds the guest's memory map; each vCPU fd "
                    "(KVM_CREATE_VCPU on the VM fd) holds one vCPU's registers"))
