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
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, answered, expect
from .ladder import graded

__all__ = ["DISK", "PROGRAMS", "check_command", "check_memory_kib", "check_flags_of"]

DISK = "/var/lib/libvirt/images/ex6.qcow2"
PROGRAMS = ("qemu-system-x86_64", "qemu-kvm", "kvm")
# QEMU's size suffixes are one letter; "MB" (the notes' unit) makes QEMU refuse the value (QEMU 7.2).
_TWO_LETTER = re.compile(r"^\d+[kKmMgGtTpPeE][bB]$")


_FLAG_SYNTAX = N_("QEMU reads each flag's value with that flag's own syntax, and refuses the whole line for one bad "
                   "value")


def _text(answer: object, what: str, example: str) -> str:
    return answered(answer, what, _("write it as a string, e.g. {example}").format(example=repr(example)))


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise ExerciseFailed(_("the line cannot be split into words: {error}").format(error=exc),
                             hint=_("a shell splits a line into words at spaces; a quote opened must be closed"),
                             pointer=_("close the quote, or quote a path with spaces: -hda 'my disk.qcow2'")) from None


def _program(word: str) -> None:
    base = word.rsplit("/", 1)[-1]
    if base in PROGRAMS or base.startswith("qemu-system-"):
        return
    if "qume" in base.lower():
        raise ExerciseFailed(_("'{base}' is the course notes' typo for QEMU (they write 'qume')").format(base=base),
                             hint=_("it is spelled {spelling}: QEMU = Quick EMUlator").format(
                                 spelling=repr(base.lower().replace("qume", "qemu"))),
                             pointer=_("lesson 6 names the program: qemu-system-x86_64 (the notes' qemu-kvm)"))
    if word.startswith("-"):
        raise ExerciseFailed(_("the line starts with a flag"),
                             hint=_("a command line starts with the program, then its flags"),
                             pointer=_("the program is qemu-system-x86_64 (on the RHEL family: /usr/libexec/qemu-kvm)"))
    raise ExerciseFailed(_("'{base}' is not a QEMU program").format(base=base),
                         hint=_("the program that runs a VM from flags is QEMU's emulator, not a libvirt client"),
                         pointer=_("the program is qemu-system-x86_64 "
                                   "(/usr/libexec/qemu-kvm on the RHEL family; kvm on Debian, a symlink)"))


def _m_values(words: list[str]) -> list[str]:
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-m", "--m")]


def _dashes(words: list[str]) -> None:
    """``m 1024``: a flag without its dash is a bare word, and QEMU reads a bare word as a disk image."""
    for word in words:
        if word in ("m", "smp", "hda", "drive", "enable-kvm", "accel"):
            raise ExerciseFailed(_("'{word}' without a dash is not a flag: QEMU reads a bare word as the path of a "
                                   "disk image").format(word=word),
                                 hint=_("every QEMU option starts with a dash; the words after it are its value"),
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
            said = f"{QEMU}: -m {value}: Parameter 'size' expects a non-negative number below 2^64"  # QEMU's words
            raise ExerciseFailed(_("QEMU says: {said}").format(said=said),
                                 hint=_("QEMU's size suffixes are single letters, and every one of them is binary "
                                        "(powers of 1024); a two-letter unit like the notes' \"MB\" is not one of them"),
                                 pointer=_("-m with one letter after the number: {flag}").format(
                                     flag=f"-m {value[:-2]}{value[-2].upper()}")
                                 + (_(" (or the plain MiB number)") if value[-2] in "mM" else ""))  # fmt: skip


_M_FLAG = N_("-m N counts MiB without a suffix; -m NG counts GiB (lesson 6, '-m: memory, in MiB')")


def _memory_slip(mib: int, want: int) -> ExerciseFailed:
    """What a wrong ``-m`` amount (``mib`` MiB, want ``want`` MiB) most likely came from."""
    if want % 1024 == 0 and mib == want // 1024:
        return ExerciseFailed(_("-m {mib} is {mib} MiB: without a suffix -m counts MiB, not GiB").format(mib=mib),
                              hint=_("a number after -m without a suffix is MiB; 1 GiB = 1024 MiB"),
                              pointer=_(_M_FLAG))
    if mib == want * 1024:
        return ExerciseFailed(_("-m {mib} asks for {tib} TiB: {mib} is the KiB number (what <memory> and "
                                "dominfo count), but -m counts MiB").format(mib=mib, tib=mib // 2**20),
                              hint=_("KiB and MiB differ by a factor of 1024: the same size has a number 1024 times "
                                     "smaller in MiB"),
                              pointer=_("{flag}: divide by 1024").format(flag=_(_M_FLAG)))  # fmt: skip
    if mib == want * 2**20:
        return ExerciseFailed(_("-m {mib} asks for {tib} TiB: {mib} is the size in bytes").format(mib=mib, tib=mib // 2**20),
                              hint=_("-m counts MiB, 2^20 bytes each"),
                              pointer=_("{flag}: divide by 1024 twice").format(flag=_(_M_FLAG)))
    if want % 1024 == 0 and mib == want // 1024 * 1000:
        return ExerciseFailed(_("-m {mib} is {mib} MiB, not {gib} GiB: 1 GiB = 1024 MiB (powers of two)").format(
                                  mib=mib, gib=want // 1024),
                              hint=_("memory sizes are powers of two: 1 GiB = 1024 MiB, not 1000"),
                              pointer=_(_M_FLAG))
    return ExerciseFailed(_("-m {mib} gives the guest {mib} MiB; the task asks for {want} MiB").format(mib=mib, want=want),
                          hint=_("-m is the guest's memory size (设置内存大小)"), pointer=_(_M_FLAG))


def _command_answer(memory_mib: int = 2048, vcpus: int = 2, disk: str = DISK, kvm: bool = True, **_: Any) -> str:
    accel = "-enable-kvm " if kvm else ""
    return (f'line = "qemu-system-x86_64 {accel}-m {memory_mib} -smp {vcpus} -hda {disk}"\n'
            "# -m counts MiB (a G suffix counts GiB); -hda is the first IDE disk "
            "(or -drive file=…,if=virtio,format=qcow2)")


@graded("6.1", answer=_command_answer)
def check_command(line: object, *, memory_mib: int = 2048, vcpus: int = 2, disk: str = DISK,
                  kvm: bool = True) -> Passed:
    """``line``: the QEMU command for a VM with ``memory_mib`` MiB, ``vcpus`` vCPUs, KVM and ``disk``."""
    text = _text(line, _("command line"), f"qemu-system-x86_64 -m … -smp … -hda {disk}")
    words, ignored = _asked_flags(_words(text))
    _program(words[0])
    _dashes(words)
    _refused_size(words)
    expect(_m_values(words), _("there is no -m: QEMU would give the guest its default, 128 MiB"),
           hint=_("the guest's memory is a flag of its own (设置内存大小); without it QEMU picks a default"),
           pointer=_(_M_FLAG))
    try:
        spec = flags_to_spec(words)
    except KvmlabError as err:
        said = _("QEMU says: {said}").format(said=err.virsh_error[0]) \
            if err.virsh_error and err.virsh_error[0].startswith(QEMU) else err.message
        raise ExerciseFailed(said, hint=_(_FLAG_SYNTAX), pointer=err.hint) from None
    mib = spec.memory // 1024
    if spec.memory != memory_mib * 1024:
        raise _memory_slip(mib, memory_mib)
    expect(spec.vcpus == vcpus, _("the guest gets {n} vCPU{s}").format(n=spec.vcpus, s="s" if spec.vcpus != 1 else "")
           + ("" if "-smp" in words else _(" (no -smp: QEMU's default)")),
           hint=_("the number of CPUs is a flag of its own (设置CPU个数); without it the guest gets one"),
           pointer=_("-smp N (or -smp cpus=N)"))
    if kvm and spec.type != "kvm":
        raise ExerciseFailed(_("without -enable-kvm QEMU emulates the CPU in software (TCG): libvirt would "
                               "call this <domain type='qemu'>"),
                             hint=_("hardware acceleration is asked for with a flag; without it QEMU translates "
                                    "every guest instruction itself"),
                             pointer=_("-enable-kvm (or -accel kvm)"))
    disks = [d.path for d in spec.disks if d.device == "disk"]
    if disk not in disks:
        raise ExerciseFailed(_("the disk is {disks}, not the task's image {disk}").format(
                                 disks=", ".join(map(str, disks)), disk=disk) if disks
                             else _("there is no disk"),
                             hint=_("a disk image is given by its path; the first hard disk is the task's image"),
                             pointer=_("-hda FILE (the first IDE disk), or -drive file=FILE,if=virtio,format=qcow2"))
    _first_disk_only(spec, disk)
    _boot_devices(spec)
    pairs = [f"{flag}  →  {xml.splitlines()[0]}" for flag, xml in flag_pairs(words)
             if flag.split()[0] in ("-m", "-smp", "-enable-kvm", "-accel", "-hda", "-drive")]
    if ignored:
        pairs.append(_("not read, the task does not ask about it: {flags} (valid QEMU)").format(flags=" ".join(ignored)))
    return Passed(_("the command line of the VM the task describes"), *pairs,
                  _("{element} is {kib} KiB, what <memory> holds without unit=").format(
                      element=f"<memory unit='MiB'>{mib}</memory>", kib=spec.memory),
                  _("libvirt itself writes the same VM differently: -blockdev and -device instead of -hda (lesson 6, "
                    "'What libvirt really runs')"))


# The first disk of each bus, as QEMU (and libvirt's <target dev=…>) names it.
_FIRST_OF_BUS = {"ide": "hda", "virtio": "vda", "scsi": "sda", "sata": "sda"}
_ORDINAL = N_({0: "first", 1: "second", 2: "third", 3: "fourth"})
_DISK_ORDER = N_("QEMU names the disks of a bus in order: hda, hdb, hdc, hdd on IDE (-cdrom takes hdc), vda, vdb … "
                 "on virtio. The task's image is the VM's first, and only, hard disk")
_DISK_FLAG = N_("-hda FILE (the first IDE disk), or -drive file=FILE,if=virtio,format=qcow2 (the first virtio disk, "
                "vda)")


def _first_disk_only(spec: Any, path: str) -> None:
    """The task's image must be the first disk of its bus, and the VM's only hard disk."""
    disk = next(d for d in spec.disks if d.device == "disk" and d.path == path)
    first = _FIRST_OF_BUS.get(disk.bus, "")
    if first and disk.target != first:
        index = ord(disk.target[-1]) - ord(first[-1])
        bus = {"ide": "IDE", "scsi": "SCSI", "sata": "SATA"}.get(disk.bus, disk.bus)
        ordinal = _(_ORDINAL[index]) if index in _ORDINAL else f"#{index + 1}"
        raise ExerciseFailed(_("{path} is the {ordinal} {bus} disk, {target}; the task asks for the first hard disk, "
                               "{first}").format(path=path, ordinal=ordinal, bus=bus, target=disk.target, first=first),
                             hint=_(_DISK_ORDER), pointer=_(_DISK_FLAG))
    others = [d for d in spec.disks if d.device == "disk" and d is not disk and d.path != path]
    if others:
        raise ExerciseFailed(_("the VM also gets {path} as {target}: the task describes one hard disk, the image")
                             .format(path=others[0].path, target=others[0].target),
                             hint=_(_DISK_ORDER) + _("; each -hdX or -drive adds one more"),
                             pointer=_("one disk flag, for the task's image: {flag}").format(flag=_(_DISK_FLAG)))


# A boot device the VM may lack: -boot letter -> (what it is, the flag that adds one).
_BOOT_NEEDS = {"cdrom": ("d", N_("a CD-ROM"), "-cdrom FILE"), "fd": ("a", N_("a floppy drive"), "-fda FILE")}


def _boot_devices(spec: Any) -> None:
    """-boot may only put first what the VM has, and the task's VM boots from its hard disk."""
    kinds = {"cdrom": any(d.device == "cdrom" for d in spec.disks), "fd": any(d.device == "floppy" for d in spec.disks)}
    for dev in spec.boot:
        if dev in _BOOT_NEEDS and not kinds[dev]:
            letter, what, flag = _BOOT_NEEDS[dev]
            raise ExerciseFailed(_("-boot {letter} makes the firmware look for {what} first, and this VM has none "
                                   "(no {flag})").format(letter=letter, what=_(what), flag=flag.split()[0]),
                                 hint=_("-boot orders the devices the VM has; QEMU boots from the hard disk when no "
                                        "-boot is given"),
                                 pointer=_("drop -boot (or -boot c: the hard disk)"))
    if spec.boot and spec.boot[0] == "network":
        raise ExerciseFailed(_("-boot n makes the firmware try the network (PXE, through QEMU's default NIC) before "
                               "the disk"), hint=_("the task's VM boots from its hard disk, QEMU's default"),
                             pointer=_("drop -boot (or -boot c: the hard disk)"))


@graded("6.2", answer=lambda mib=2048, **_: f"kib = {mib} * 1024   # = {mib * 1024}: <memory> without unit= "
                                            "counts KiB, -m counts MiB")
def check_memory_kib(answer: object, mib: int = 2048) -> Passed:
    """``answer``: the number in ``<memory>`` (no ``unit=``, so KiB) for ``-m {mib}``."""
    expect(isinstance(answer, int) and not isinstance(answer, bool),
           _("the answer is {answer}, not a number").format(answer=repr(answer)),
           hint=_("write a whole number without quotes, e.g. 1048576"))  # fmt: skip
    expect(answer != 0, _("no answer yet (0)"), untried=True,
           hint=_("<memory>?</memory> for -m {mib}: which unit does <memory> count in when it has no unit=, and "
                  "which does -m count in?").format(mib=mib))
    kib = mib * 1024
    if answer == kib:
        same = f"-m {mib} = <memory>{kib}</memory>"  # code: not translated
        return Passed(same, _("{mib} MiB x 1024 = {kib} KiB; libvirt prints it back as {element}").format(
                          mib=mib, kib=kib, element=f"<memory unit='KiB'>{kib}</memory>"))
    if answer == mib:
        raise ExerciseFailed(_("<memory>{mib}</memory> would be {mib} KiB = {size} MiB: that is the "
                               "MiB number, and <memory> without unit= counts KiB").format(mib=mib, size=f"{mib / 1024:g}"),
                             hint=_("the same size has a number 1024 times larger in KiB than in MiB"),
                             pointer=_(_KIB))
    if answer == mib * 1000:
        raise ExerciseFailed(_("{answer} multiplies by 1000: KiB and MiB are powers of 1024").format(answer=answer),
                             hint=_("1 MiB = 1024 KiB (1000 would be libvirt's unit='KB', 1000 bytes)"), pointer=_(_KIB))
    if answer == kib * 1024:
        raise ExerciseFailed(_("{answer} is the size in bytes").format(answer=answer),
                             hint=_("<memory> without unit= counts KiB, not bytes"), pointer=_(_KIB))
    if answer * 1024 == mib * 10**6:  # 2 GB written as 2,000,000 KB
        raise ExerciseFailed(_("<memory>{answer}</memory> is {size} MiB: a power of 1000 where 1024 belongs").format(
                                 answer=answer, size=f"{answer / 1024:g}")
                             + (_(" ({gb} GB taken as {answer} KB)").format(gb=mib // 1024, answer=answer)
                                if mib % 1024 == 0 else ""),
                             hint=_("memory counts in powers of 1024: 1 MiB = 1024 KiB, 1 GiB = 1024 MiB"),
                             pointer=_(_KIB))
    raise ExerciseFailed(_("<memory>{answer}</memory> is {answer} KiB = {size} MiB, not {mib} MiB").format(
                             answer=answer, size=f"{answer / 1024:g}", mib=mib),
                         hint=_("-m counts MiB, <memory> without unit= counts KiB"), pointer=_(_KIB))


_KIB = N_("<memory> without unit= holds KiB: MiB x 1024 (lesson 6, '-m: memory, in MiB')")


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
    expect(values, _("there is no -m"), hint=_("-m is the guest's memory; libvirt holds it as <memory>"),
           pointer=_("the Max memory: line of virsh dominfo {domain} (in KiB)").format(domain=domain))
    try:
        spec = flags_to_spec(words)
    except KvmlabError as err:
        raise ExerciseFailed(err.message, hint=_(_FLAG_SYNTAX), pointer=err.hint) from None
    mib = spec.memory // 1024
    if mib == info.max_memory_kib and values[0].isdigit():
        raise ExerciseFailed(_("-m {mib} copies dominfo's number, but dominfo prints KiB ('Max memory: "
                               "{kib} KiB') and -m counts MiB").format(mib=mib, kib=info.max_memory_kib),
                             hint=_("the same size has a number 1024 times smaller in MiB than in KiB"),
                             pointer=_("{flag}: divide dominfo's Max memory by 1024").format(flag=_(_M_FLAG)))
    if spec.memory != info.max_memory_kib:
        raise _memory_slip(mib, want_mib)
    have = f"-smp {spec.vcpus}" if "-smp" in words else _("there is no -smp: QEMU gives one vCPU")
    expect(spec.vcpus == cpus, have + _(", but libvirt gives {domain} {cpus} vCPUs").format(domain=domain, cpus=cpus),
           hint=_("-smp is the number of vCPUs libvirt gives the domain (<vcpu>)"),
           pointer=_("the CPU(s): line of virsh dominfo {domain}").format(domain=domain))
    flags = f"{domain}: -m {want_mib} -smp {cpus}"  # code: not translated
    return Passed(flags, _("dominfo: Max memory {kib} KiB = {mib} MiB, CPU(s) {cpus}").format(
                      kib=info.max_memory_kib, mib=want_mib, cpus=cpus),
                  _("read with {command}: {calls}").format(command=info.virsh, calls="; ".join(info.api[:2])))
