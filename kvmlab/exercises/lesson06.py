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
from .checks import ExerciseFailed, Passed, expect

__all__ = ["DISK", "PROGRAMS", "check_command", "check_memory_kib", "check_flags_of"]

DISK = "/var/lib/libvirt/images/ex6.qcow2"
PROGRAMS = ("qemu-system-x86_64", "qemu-kvm", "kvm")
# QEMU's size suffixes are one letter; "MB" (the notes' unit) makes QEMU refuse the value (QEMU 7.2).
_TWO_LETTER = re.compile(r"^\d+[kKmMgGtTpPeE][bB]$")


def _text(answer: object, what: str, example: str) -> str:
    expect(isinstance(answer, str) and answer.strip() and answer.strip().upper() != "TODO",
           f"{what}: no answer yet", hint=f"write it as a string, e.g. {example!r}")
    return answer.strip()


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise ExerciseFailed(f"the line cannot be split into words: {exc}",
                             hint="close the quote, or quote a path with spaces: -hda 'my disk.qcow2'") from None


def _program(word: str) -> None:
    base = word.rsplit("/", 1)[-1]
    if base in PROGRAMS or base.startswith("qemu-system-"):
        return
    if "qume" in base.lower():
        raise ExerciseFailed(f"'{base}' is the course notes' typo for QEMU (they write 'qume')",
                             hint=f"it is spelled {base.lower().replace('qume', 'qemu')!r}: QEMU = Quick EMUlator")
    if word.startswith("-"):
        raise ExerciseFailed("the line starts with a flag", hint="a command line starts with the program: "
                             "qemu-system-x86_64 (on the RHEL family: /usr/libexec/qemu-kvm)")
    raise ExerciseFailed(f"'{base}' is not a QEMU program", hint="the program is qemu-system-x86_64 "
                         "(/usr/libexec/qemu-kvm on the RHEL family; kvm on Debian, a symlink)")


def _m_values(words: list[str]) -> list[str]:
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w.lstrip("-") == "m"]


def _refused_size(words: list[str]) -> None:
    for value in _m_values(words):
        if _TWO_LETTER.match(value.removeprefix("size=")):
            raise ExerciseFailed(f"QEMU says: {QEMU}: -m {value}: Parameter 'size' expects a non-negative "
                                 "number below 2^64", hint="QEMU's suffixes are single letters: M = MiB, "
                                 "G = GiB. The notes' \"MB\" is what QEMU counts without a suffix: "
                                 f"-m {value[:-2]} or -m {value[:-2]}{value[-2].upper()}")  # fmt: skip


def _memory_slip(mib: int, want: int) -> tuple[str, str]:
    """What a wrong ``-m`` amount (``mib`` MiB, want ``want`` MiB) most likely came from."""
    if want % 1024 == 0 and mib == want // 1024:
        return (f"-m {mib} is {mib} MiB: without a suffix -m counts MiB, not GiB",
                f"write -m {want} or -m {want // 1024}G")
    if mib == want * 1024:
        return (f"-m {mib} asks for {mib // 2**20} TiB: {mib} is the KiB number (what <memory> and dominfo "
                "count), but -m counts MiB", f"divide by 1024: -m {want}")  # fmt: skip
    if mib == want * 2**20:
        return (f"-m {mib} asks for {mib // 2**20} TiB: {mib} is the size in bytes", f"-m counts MiB: -m {want}")
    if want % 1024 == 0 and mib == want // 1024 * 1000:
        return (f"-m {mib} is {mib} MiB, not {want // 1024} GiB: 1 GiB = 1024 MiB (powers of two)",
                f"write -m {want} or -m {want // 1024}G")
    return (f"-m {mib} gives the guest {mib} MiB; the task asks for {want} MiB", f"write -m {want}")


def check_command(line: object, *, memory_mib: int = 2048, vcpus: int = 2, disk: str = DISK,
                  kvm: bool = True) -> Passed:
    """``line``: the QEMU command for a VM with ``memory_mib`` MiB, ``vcpus`` vCPUs, KVM and ``disk``."""
    text = _text(line, "command line", f"qemu-system-x86_64 -m … -smp … -hda {disk}")
    words = _words(text)
    _program(words[0])
    _refused_size(words)
    expect(_m_values(words), "there is no -m: QEMU would give the guest its default, 128 MiB",
           hint=f"-m sets the memory size (设置内存大小), in MiB: -m {memory_mib}")
    try:
        spec = flags_to_spec(words)
    except KvmlabError as err:
        said = f"QEMU says: {err.virsh_error[0]}" if err.virsh_error and err.virsh_error[0].startswith(QEMU) \
            else err.message
        raise ExerciseFailed(said, hint=err.hint) from None
    mib = spec.memory // 1024
    if spec.memory != memory_mib * 1024:
        raise ExerciseFailed(*_memory_slip(mib, memory_mib)[:1], hint=_memory_slip(mib, memory_mib)[1])
    expect(spec.vcpus == vcpus, f"the guest gets {spec.vcpus} vCPU{'s' if spec.vcpus != 1 else ''}"
           + ("" if "-smp" in words else " (no -smp: QEMU's default)"),
           hint=f"-smp sets the number of CPUs (设置CPU个数): -smp {vcpus}")
    if kvm and spec.type != "kvm":
        raise ExerciseFailed("without -enable-kvm QEMU emulates the CPU in software (TCG): libvirt would "
                             "call this <domain type='qemu'>", hint="add -enable-kvm (or -accel kvm)")
    disks = [d.path for d in spec.disks if d.device == "disk"]
    if disk not in disks:
        raise ExerciseFailed(f"the disk is {', '.join(map(str, disks))}, not the task's image" if disks
                             else "there is no disk",
                             hint=f"-hda {disk} (the first IDE disk), or -drive file={disk},if=virtio,format=qcow2")
    pairs = [f"{flag}  →  {xml.splitlines()[0]}" for flag, xml in flag_pairs(words)
             if flag.split()[0] in ("-m", "-smp", "-enable-kvm", "-accel", "-hda", "-drive")]
    return Passed("a QEMU command line libvirt could have written", *pairs,
                  f"<memory unit='MiB'>{mib}</memory> is {spec.memory} KiB, what <memory> holds without unit=")


def check_memory_kib(answer: object, mib: int = 2048) -> Passed:
    """``answer``: the number in ``<memory>`` (no ``unit=``, so KiB) for ``-m {mib}``."""
    expect(isinstance(answer, int) and not isinstance(answer, bool), f"the answer is {answer!r}, not a number",
           hint="write a whole number without quotes, e.g. 1048576")  # fmt: skip
    expect(answer != 0, "no answer yet (0)", hint=f"<memory>?</memory> for -m {mib}: MiB x 1024 = KiB")
    kib = mib * 1024
    if answer == kib:
        return Passed(f"-m {mib} = <memory>{kib}</memory>",
                      f"{mib} MiB x 1024 = {kib} KiB; libvirt prints it back as <memory unit='KiB'>{kib}</memory>")
    if answer == mib:
        raise ExerciseFailed(f"<memory>{mib}</memory> would be {mib} KiB = {mib / 1024:g} MiB: that is the "
                             "MiB number, and <memory> without unit= counts KiB",
                             hint="1 MiB = 1024 KiB: multiply by 1024 (or write unit='MiB')")
    if answer == mib * 1000:
        raise ExerciseFailed(f"{answer} multiplies by 1000: KiB and MiB are powers of 1024",
                             hint="1 MiB = 1024 KiB (1000 would be libvirt's unit='KB', 1000 bytes)")
    if answer == kib * 1024:
        raise ExerciseFailed(f"{answer} is the size in bytes", hint="<memory> without unit= counts KiB: divide by 1024")
    raise ExerciseFailed(f"<memory>{answer}</memory> is {answer} KiB = {answer / 1024:g} MiB, not {mib} MiB",
                         hint="MiB x 1024 = KiB")


def check_flags_of(conn: Any, answer: object, domain: str = "web01") -> Passed:
    """``answer``: the ``-m`` and ``-smp`` flags of ``domain``, from what libvirt holds (``dominfo``)."""
    text = _text(answer, "flags", "-m 512 -smp 1")
    words = _words(text)
    info = conn.dominfo(domain)
    want_mib, cpus = info.max_memory_kib // 1024, info.cpus
    _refused_size(words)
    values = _m_values(words)
    expect(values, "there is no -m", hint=f"virsh dominfo {domain} prints 'Max memory: {info.max_memory_kib} KiB'")
    try:
        spec = flags_to_spec(words)
    except KvmlabError as err:
        raise ExerciseFailed(err.message, hint=err.hint) from None
    mib = spec.memory // 1024
    if mib == info.max_memory_kib and values[0].isdigit():
        raise ExerciseFailed(f"-m {mib} copies dominfo's number, but dominfo prints KiB ('Max memory: "
                             f"{info.max_memory_kib} KiB') and -m counts MiB",
                             hint=f"{info.max_memory_kib} KiB / 1024 = {want_mib} MiB: -m {want_mib}")
    if spec.memory != info.max_memory_kib:
        raise ExerciseFailed(*_memory_slip(mib, want_mib)[:1], hint=_memory_slip(mib, want_mib)[1])
    expect(spec.vcpus == cpus, f"-smp {spec.vcpus}, but libvirt gives {domain} {cpus} vCPUs",
           hint=f"virsh dominfo {domain} prints 'CPU(s): {cpus}'")
    return Passed(f"{domain}: -m {want_mib} -smp {cpus}",
                  f"dominfo: Max memory {info.max_memory_kib} KiB = {want_mib} MiB, CPU(s) {cpus}",
                  f"read with {info.virsh}: " + "; ".join(info.api[:2]))
