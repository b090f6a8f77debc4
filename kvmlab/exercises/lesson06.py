"""Lesson 6 checks: qemu-kvm flags (qemu-kvm 参数) — ``-m`` memory, ``-smp`` CPUs, ``-hda`` / ``-drive`` disks.

- :func:`check_command`: a QEMU command line for a described VM (read by ``qemuflags.flags_to_spec``).
- :func:`check_memory_kib`: what ``<memory>`` (no ``unit=``) holds for ``-m N``.
- :func:`check_flags_of`: the ``-m`` / ``-smp`` flags of a domain libvirt already has (read from libvirt).

Units are the trap: ``-m`` counts MiB (the notes say "MB"; QEMU means 2^20 bytes and refuses the
suffix "MB" itself), ``<memory>`` without ``unit=`` counts KiB, and virsh's dominfo prints KiB.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from ..concepts.qemuflags import QEMU, flag_pairs, flags_to_spec
from ..errors import KvmlabError
from .checks import ExerciseFailed, Passed, answered, expect
from .ladder import graded

__all__ = ["DISK", "PROGRAMS", "check_command", "check_memory_kib", "check_flags_of"]

DISK = "/var/lib/libvirt/images/ex6.qcow2"
PROGRAMS = ("qemu-system-x86_64", "qemu-kvm", "kvm")
# QEMU's size suffixes are one letter; "MB" (the notes' unit) makes QEMU refuse the value (QEMU 7.2).
_TWO_LETTER = re.compile(r"^\d+[kKmMgGtTpPeE][bB]$")


_FLAG_SYNTAX = "QEMU reads each flag's value with that flag's own syntax, and refuses the whole line for one bad value"


def _text(answer: object, what: str, example: str) -> str:
    return answered(answer, what, f"write it as a string, e.g. {example!r}")


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise ExerciseFailed(f"the line cannot be split into words: {exc}",
                             hint="a shell splits a line into words at spaces; a quote opened must be closed",
                             pointer="close the quote, or quote a path with spaces: -hda 'my disk.qcow2'") from None


def _program(word: str) -> None:
    base = word.rsplit("/", 1)[-1]
    if base in PROGRAMS or base.startswith("qemu-system-"):
        return
    if "qume" in base.lower():
        raise ExerciseFailed(f"'{base}' is the course notes' typo for QEMU (they write 'qume')",
                             hint=f"it is spelled {base.lower().replace('qume', 'qemu')!r}: QEMU = Quick EMUlator",
                             pointer="lesson 6 names the program: qemu-system-x86_64 (the notes' qemu-kvm)")
    if word.startswith("-"):
        raise ExerciseFailed("the line starts with a flag",
                             hint="a command line starts with the program, then its flags",
                             pointer="the program is qemu-system-x86_64 (on the RHEL family: /usr/libexec/qemu-kvm)")
    raise ExerciseFailed(f"'{base}' is not a QEMU program",
                         hint="the program that runs a VM from flags is QEMU's emulator, not a libvirt client",
                         pointer="the program is qemu-system-x86_64 "
                                 "(/usr/libexec/qemu-kvm on the RHEL family; kvm on Debian, a symlink)")


def _m_values(words: list[str]) -> list[str]:
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-m", "--m")]


def _dashes(words: list[str]) -> None:
    """``m 1024``: a flag without its dash is a bare word, and QEMU reads a bare word as a disk image."""
    for word in words:
        if word in ("m", "smp", "hda", "drive", "enable-kvm", "accel"):
            raise ExerciseFailed(f"'{word}' without a dash is not a flag: QEMU reads a bare word as the path of a "
                                 "disk image",
                                 hint="every QEMU option starts with a dash; the words after it are its value",
                                 pointer=f"-{word}")


# Valid QEMU flags the task does not ask about (a KVM tutorial's -cpu host …): left out, and said so.
_OTHER_FLAGS = {"-cpu": 1, "-display": 1, "-vga": 1, "-serial": 1, "-monitor": 1, "-nic": 1, "-netdev": 1,
                "-device": 1, "-k": 1, "-rtc": 1, "-nographic": 0, "-no-reboot": 0, "-daemonize": 0,
                "-full-screen": 0, "-usb": 0}


def _asked_flags(words: list[str]) -> tuple[list[str], list[str]]:
    """The words without the flags the task does not ask about, and those flags with their values."""
    kept, ignored, i = [], [], 0
    while i < len(words):
        n = _OTHER_FLAGS.get("-" + words[i].lstrip("-")) if words[i].startswith("-") else None
        if n is None:
            kept.append(words[i])
            i += 1
            continue
        ignored += words[i:i + 1 + n]
        i += 1 + n
    return kept, ignored


def _refused_size(words: list[str]) -> None:
    for value in _m_values(words):
        if _TWO_LETTER.match(value.removeprefix("size=")):
            raise ExerciseFailed(f"QEMU says: {QEMU}: -m {value}: Parameter 'size' expects a non-negative "
                                 "number below 2^64",
                                 hint="QEMU's size suffixes are single letters, and every one of them is binary "
                                      "(powers of 1024); a two-letter unit like the notes' \"MB\" is not one of them",
                                 pointer=f"-m with one letter after the number: -m {value[:-2]}{value[-2].upper()}"
                                         + (" (or the plain MiB number)" if value[-2] in "mM" else ""))  # fmt: skip


_M_FLAG = "-m N counts MiB without a suffix; -m NG counts GiB (lesson 6, '-m: memory, in MiB')"


def _memory_slip(mib: int, want: int) -> ExerciseFailed:
    """What a wrong ``-m`` amount (``mib`` MiB, want ``want`` MiB) most likely came from."""
    if want % 1024 == 0 and mib == want // 1024:
        return ExerciseFailed(f"-m {mib} is {mib} MiB: without a suffix -m counts MiB, not GiB",
                              hint="a number after -m without a suffix is MiB; 1 GiB = 1024 MiB",
                              pointer=_M_FLAG)
    if mib == want * 1024:
        return ExerciseFailed(f"-m {mib} asks for {mib // 2**20} TiB: {mib} is the KiB number (what <memory> and "
                              "dominfo count), but -m counts MiB",
                              hint="KiB and MiB differ by a factor of 1024: the same size has a number 1024 times "
                                   "smaller in MiB", pointer=f"{_M_FLAG}: divide by 1024")  # fmt: skip
    if mib == want * 2**20:
        return ExerciseFailed(f"-m {mib} asks for {mib // 2**20} TiB: {mib} is the size in bytes",
                              hint="-m counts MiB, 2^20 bytes each", pointer=f"{_M_FLAG}: divide by 1024 twice")
    if want % 1024 == 0 and mib == want // 1024 * 1000:
        return ExerciseFailed(f"-m {mib} is {mib} MiB, not {want // 1024} GiB: 1 GiB = 1024 MiB (powers of two)",
                              hint="memory sizes are powers of two: 1 GiB = 1024 MiB, not 1000",
                              pointer=_M_FLAG)
    return ExerciseFailed(f"-m {mib} gives the guest {mib} MiB; the task asks for {want} MiB",
                          hint="-m is the guest's memory size (设置内存大小)", pointer=_M_FLAG)


def _command_answer(memory_mib: int = 2048, vcpus: int = 2, disk: str = DISK, kvm: bool = True, **_: Any) -> str:
    accel = "-enable-kvm " if kvm else ""
    return (f'line = "qemu-system-x86_64 {accel}-m {memory_mib} -smp {vcpus} -hda {disk}"\n'
            "# -m counts MiB (a G suffix counts GiB); -hda is the first IDE disk "
            "(or -drive file=…,if=virtio,format=qcow2)")


@graded("6.1", answer=_command_answer)
def check_command(line: object, *, memory_mib: int = 2048, vcpus: int = 2, disk: str = DISK,
                  kvm: bool = True) -> Passed:
    """``line``: the QEMU command for a VM with ``memory_mib`` MiB, ``vcpus`` vCPUs, KVM and ``disk``."""
    text = _text(line, "command line", f"qemu-system-x86_64 -m … -smp … -hda {disk}")
    words, ignored = _asked_flags(_words(text))
    _program(words[0])
    _dashes(words)
    _refused_size(words)
    expect(_m_values(words), "there is no -m: QEMU would give the guest its default, 128 MiB",
           hint="the guest's memory is a flag of its own (设置内存大小); without it QEMU picks a default",
           pointer=_M_FLAG)
    try:
        spec = flags_to_spec(words)
    except KvmlabError as err:
        said = f"QEMU says: {err.virsh_error[0]}" if err.virsh_error and err.virsh_error[0].startswith(QEMU) \
            else err.message
        raise ExerciseFailed(said, hint=_FLAG_SYNTAX, pointer=err.hint) from None
    mib = spec.memory // 1024
    if spec.memory != memory_mib * 1024:
        raise _memory_slip(mib, memory_mib)
    expect(spec.vcpus == vcpus, f"the guest gets {spec.vcpus} vCPU{'s' if spec.vcpus != 1 else ''}"
           + ("" if "-smp" in words else " (no -smp: QEMU's default)"),
           hint="the number of CPUs is a flag of its own (设置CPU个数); without it the guest gets one",
           pointer="-smp N (or -smp cpus=N)")
    if kvm and spec.type != "kvm":
        raise ExerciseFailed("without -enable-kvm QEMU emulates the CPU in software (TCG): libvirt would "
                             "call this <domain type='qemu'>",
                             hint="hardware acceleration is asked for with a flag; without it QEMU translates "
                                  "every guest instruction itself",
                             pointer="-enable-kvm (or -accel kvm)")
    disks = [d.path for d in spec.disks if d.device == "disk"]
    if disk not in disks:
        raise ExerciseFailed(f"the disk is {', '.join(map(str, disks))}, not the task's image {disk}" if disks
                             else "there is no disk",
                             hint="a disk image is given by its path; the first hard disk is the task's image",
                             pointer="-hda FILE (the first IDE disk), or -drive file=FILE,if=virtio,format=qcow2")
    _first_disk_only(spec, disk)
    _boot_devices(spec)
    pairs = [f"{flag}  →  {xml.splitlines()[0]}" for flag, xml in flag_pairs(words)
             if flag.split()[0] in ("-m", "-smp", "-enable-kvm", "-accel", "-hda", "-drive")]
    if ignored:
        pairs.append(f"not read, the task does not ask about it: {' '.join(ignored)} (valid QEMU)")
    return Passed("the command line of the VM the task describes", *pairs,
                  f"<memory unit='MiB'>{mib}</memory> is {spec.memory} KiB, what <memory> holds without unit=",
                  "libvirt itself writes the same VM differently: -blockdev and -device instead of -hda (lesson 6, "
                  "'What libvirt really runs')")


# The first disk of each bus, as QEMU (and libvirt's <target dev=…>) names it.
_FIRST_OF_BUS = {"ide": "hda", "virtio": "vda", "scsi": "sda", "sata": "sda"}
_ORDINAL = {0: "first", 1: "second", 2: "third", 3: "fourth"}
_DISK_ORDER = ("QEMU names the disks of a bus in order: hda, hdb, hdc, hdd on IDE (-cdrom takes hdc), vda, vdb … "
               "on virtio. The task's image is the VM's first, and only, hard disk")
_DISK_FLAG = "-hda FILE (the first IDE disk), or -drive file=FILE,if=virtio,format=qcow2 (the first virtio disk, vda)"


def _first_disk_only(spec: Any, path: str) -> None:
    """The task's image must be the first disk of its bus, and the VM's only hard disk."""
    disk = next(d for d in spec.disks if d.device == "disk" and d.path == path)
    first = _FIRST_OF_BUS.get(disk.bus, "")
    if first and disk.target != first:
        index = ord(disk.target[-1]) - ord(first[-1])
        bus = {"ide": "IDE", "scsi": "SCSI", "sata": "SATA"}.get(disk.bus, disk.bus)
        raise ExerciseFailed(f"{path} is the {_ORDINAL.get(index, f'#{index + 1}')} {bus} disk, {disk.target}; "
                             f"the task asks for the first hard disk, {first}",
                             hint=_DISK_ORDER, pointer=_DISK_FLAG)
    others = [d for d in spec.disks if d.device == "disk" and d is not disk and d.path != path]
    if others:
        raise ExerciseFailed(f"the VM also gets {others[0].path} as {others[0].target}: the task describes one hard "
                             "disk, the image", hint=_DISK_ORDER + "; each -hdX or -drive adds one more",
                             pointer="one disk flag, for the task's image: " + _DISK_FLAG)


# A boot device the VM may lack: -boot letter -> (what it is, the flag that adds one).
_BOOT_NEEDS = {"cdrom": ("d", "a CD-ROM", "-cdrom FILE"), "fd": ("a", "a floppy drive", "-fda FILE")}


def _boot_devices(spec: Any) -> None:
    """-boot may only put first what the VM has, and the task's VM boots from its hard disk."""
    kinds = {"cdrom": any(d.device == "cdrom" for d in spec.disks), "fd": any(d.device == "floppy" for d in spec.disks)}
    for dev in spec.boot:
        if dev in _BOOT_NEEDS and not kinds[dev]:
            letter, what, flag = _BOOT_NEEDS[dev]
            raise ExerciseFailed(f"-boot {letter} makes the firmware look for {what} first, and this VM has none "
                                 f"(no {flag.split()[0]})",
                                 hint="-boot orders the devices the VM has; QEMU boots from the hard disk when no "
                                      "-boot is given",
                                 pointer="drop -boot (or -boot c: the hard disk)")
    if spec.boot and spec.boot[0] == "network":
        raise ExerciseFailed("-boot n makes the firmware try the network (PXE, through QEMU's default NIC) before "
                             "the disk", hint="the task's VM boots from its hard disk, QEMU's default",
                             pointer="drop -boot (or -boot c: the hard disk)")


@graded("6.2", answer=lambda mib=2048, **_: f"kib = {mib} * 1024   # = {mib * 1024}: <memory> without unit= "
                                            "counts KiB, -m counts MiB")
def check_memory_kib(answer: object, mib: int = 2048) -> Passed:
    """``answer``: the number in ``<memory>`` (no ``unit=``, so KiB) for ``-m {mib}``."""
    expect(isinstance(answer, int) and not isinstance(answer, bool), f"the answer is {answer!r}, not a number",
           hint="write a whole number without quotes, e.g. 1048576")  # fmt: skip
    expect(answer != 0, "no answer yet (0)", untried=True,
           hint=f"<memory>?</memory> for -m {mib}: which unit does <memory> count in when it has no unit=, and "
                "which does -m count in?")
    kib = mib * 1024
    if answer == kib:
        return Passed(f"-m {mib} = <memory>{kib}</memory>",
                      f"{mib} MiB x 1024 = {kib} KiB; libvirt prints it back as <memory unit='KiB'>{kib}</memory>")
    if answer == mib:
        raise ExerciseFailed(f"<memory>{mib}</memory> would be {mib} KiB = {mib / 1024:g} MiB: that is the "
                             "MiB number, and <memory> without unit= counts KiB",
                             hint="the same size has a number 1024 times larger in KiB than in MiB",
                             pointer=_KIB)
    if answer == mib * 1000:
        raise ExerciseFailed(f"{answer} multiplies by 1000: KiB and MiB are powers of 1024",
                             hint="1 MiB = 1024 KiB (1000 would be libvirt's unit='KB', 1000 bytes)", pointer=_KIB)
    if answer == kib * 1024:
        raise ExerciseFailed(f"{answer} is the size in bytes", hint="<memory> without unit= counts KiB, not bytes",
                             pointer=_KIB)
    if answer * 1024 == mib * 10**6:  # 2 GB written as 2,000,000 KB
        raise ExerciseFailed(f"<memory>{answer}</memory> is {answer / 1024:g} MiB: a power of 1000 where 1024 belongs"
                             + (f" ({mib // 1024} GB taken as {answer} KB)" if mib % 1024 == 0 else ""),
                             hint="memory counts in powers of 1024: 1 MiB = 1024 KiB, 1 GiB = 1024 MiB", pointer=_KIB)
    raise ExerciseFailed(f"<memory>{answer}</memory> is {answer} KiB = {answer / 1024:g} MiB, not {mib} MiB",
                         hint="-m counts MiB, <memory> without unit= counts KiB", pointer=_KIB)


_KIB = "<memory> without unit= holds KiB: MiB x 1024 (lesson 6, '-m: memory, in MiB')"


@graded("6.3", answer='info = conn.dominfo("$domain")   # virsh dominfo $domain\n'
                      'flags = f"-m {info.max_memory_kib // 1024} -smp {info.cpus}"   '
                      "# Max memory is in KiB, -m counts MiB; CPU(s) is -smp")
def check_flags_of(conn: Any, answer: object, domain: str = "web01") -> Passed:
    """``answer``: the ``-m`` and ``-smp`` flags of ``domain``, from what libvirt holds (``dominfo``)."""
    text = _text(answer, "flags", "-m 512 -smp 1")
    words = _words(text)
    info = conn.dominfo(domain)
    want_mib, cpus = info.max_memory_kib // 1024, info.cpus
    _dashes(words)
    _refused_size(words)
    values = _m_values(words)
    expect(values, "there is no -m", hint="-m is the guest's memory; libvirt holds it as <memory>",
           pointer=f"the Max memory: line of virsh dominfo {domain} (in KiB)")
    try:
        spec = flags_to_spec(words)
    except KvmlabError as err:
        raise ExerciseFailed(err.message, hint=_FLAG_SYNTAX, pointer=err.hint) from None
    mib = spec.memory // 1024
    if mib == info.max_memory_kib and values[0].isdigit():
        raise ExerciseFailed(f"-m {mib} copies dominfo's number, but dominfo prints KiB ('Max memory: "
                             f"{info.max_memory_kib} KiB') and -m counts MiB",
                             hint="the same size has a number 1024 times smaller in MiB than in KiB",
                             pointer=f"{_M_FLAG}: divide dominfo's Max memory by 1024")
    if spec.memory != info.max_memory_kib:
        raise _memory_slip(mib, want_mib)
    expect(spec.vcpus == cpus, (f"-smp {spec.vcpus}" if "-smp" in words else "there is no -smp: QEMU gives one vCPU")
           + f", but libvirt gives {domain} {cpus} vCPUs",
           hint="-smp is the number of vCPUs libvirt gives the domain (<vcpu>)",
           pointer=f"the CPU(s): line of virsh dominfo {domain}")
    return Passed(f"{domain}: -m {want_mib} -smp {cpus}",
                  f"dominfo: Max memory {info.max_memory_kib} KiB = {want_mib} MiB, CPU(s) {cpus}",
                  f"read with {info.virsh}: " + "; ".join(info.api[:2]))
