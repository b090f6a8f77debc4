"""QEMU command-line flags <-> libvirt domain XML: the same machine said two ways.

Before libvirt, a VM was a long ``qemu-system-x86_64`` (or ``qemu-kvm``) command line. libvirt
keeps the same facts in XML and builds that command line for you:

=======================  ==================================================  ======================
qemu flag                domain XML                                          note
=======================  ==================================================  ======================
``-name vm1``            ``<name>vm1</name>``
``-m 1024``              ``<memory unit='MiB'>1024</memory>``                -m counts MiB ("MB")
``-smp 2``               ``<vcpu>2</vcpu>``
``-hda disk.qcow2``      ``<disk device='disk'>…<target dev='hda' bus='ide'/>``
``-cdrom x.iso``         ``<disk device='cdrom'>…<target dev='hdc' bus='ide'/>``
``-drive file=…,if=…``   ``<disk>`` with ``<driver type=…/>`` and the bus
``-boot order=dc``       ``<boot dev='cdrom'/><boot dev='hd'/>``             c = hd, d = cdrom
``-enable-kvm``          ``<domain type='kvm'>``                             without it: TCG, type qemu
=======================  ==================================================  ======================

``-m`` takes MiB when no suffix is given (the course notes say "MB"; QEMU means 2^20 bytes),
while ``<memory>`` without ``unit=`` is KiB: ``-m 1024`` is ``<memory>1048576</memory>``.

    >>> spec = flags_to_spec("qemu-system-x86_64 -enable-kvm -m 1G -smp 2 -hda vm1.qcow2")
    >>> spec.memory                # KiB, as libvirt stores it
    1048576
    >>> spec_to_flags(spec)
    ['qemu-system-x86_64', '-enable-kvm', '-m', '1024', '-smp', '2', '-hda', 'vm1.qcow2']
"""

from __future__ import annotations

import math
import re
import shlex
from fractions import Fraction
from typing import Sequence

from ..errors import InvalidInput
from ..i18n import N_, _
from ..specs import DomainSpec
from ..specs.parser import serialize

__all__ = ["flags_to_spec", "spec_to_flags", "flag_pairs", "flag_values", "SUPPORTED_FLAGS", "BOOT_LETTERS"]

SUPPORTED_FLAGS = ("-name", "-m", "-smp", "-hda", "-hdb", "-hdc", "-hdd", "-cdrom", "-drive", "-boot",
                   "-enable-kvm", "-accel", "-machine")  # fmt: skip
BOOT_LETTERS = {"a": "fd", "c": "hd", "d": "cdrom", "n": "network"}
_LETTER_OF = {dev: letter for letter, dev in BOOT_LETTERS.items()}
_IF_BUS = {"ide": "ide", "virtio": "virtio", "scsi": "scsi"}  # -drive if= -> <target bus=>
_BUS_IF = {"ide": "ide", "virtio": "virtio", "scsi": "scsi", "sata": "ide"}
# QEMU's sizes (qemu_strtosz): a decimal number, a fraction only before a suffix (1.5G), or hex (0x400);
# an optional one-letter suffix in either case. QEMU 7.2 rejects -m 2048MB and -m 1.5.
_SIZE = re.compile(r"^\s*(?:0[xX](?P<hex>[0-9a-fA-F]+)|(?P<int>\d+)(?:\.(?P<frac>\d*))?)(?P<suffix>[bkmgtpeBKMGTPE]?)$")
_SCALE = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5, "e": 1024**6}
_SUFFIX_HINT = N_("one letter, either case: b, k, M, G, T, P, E, each a power of 1024")
_EXAMPLE = {"-m": "1024", "-smp": "2", "-hda": "vm1.qcow2", "-cdrom": "debian.iso", "-name": "vm1",
            "-drive": "file=vm1.qcow2,if=virtio", "-boot": "order=dc", "-accel": "kvm", "-machine": "accel=kvm"}
QEMU = "qemu-system-x86_64"  # the program whose error lines ``virsh_error`` quotes
_PROGRAM = re.compile(r"(^|/)(qemu-system-\w+|qemu-kvm|kvm)$")


def _bad(flag: str, message: str, hint: str, qemu: str | None = None) -> InvalidInput:
    """InvalidInput for ``flag``. ``qemu`` is the line QEMU itself prints for the same mistake
    (``qemu-system-x86_64: -m 12X: …``); it becomes ``virsh_error``, the tool's own words."""
    return InvalidInput(f"{flag}: {message}", hint=hint, virsh_error=[qemu] if qemu else None)


def _memory_kib(value: str) -> int:
    size = value.split(",")[0].removeprefix("size=")
    m = _SIZE.match(size)
    suffix = (m.group("suffix") if m else "").lower()
    if not m or m.group("frac") is not None and suffix in ("", "b"):  # a fraction needs a suffix (not b)
        message = "Parameter 'size' expects a non-negative number below 2^64"
        raise _bad(f"-m {value}", message, _("write MiB (-m 1024) or add a suffix: -m 512M, -m 2G ({suffixes})").format(
                   suffixes=_(_SUFFIX_HINT)),
                   qemu=f"{QEMU}: -m {value}: {message}")
    number = Fraction(int(m.group("hex"), 16)) if m.group("hex") else Fraction(f"{m.group('int')}.{m.group('frac') or 0}")
    size_bytes = math.floor(number * _SCALE[suffix or "m"])  # no suffix: MiB
    if size_bytes >= 2**64:
        raise _bad(f"-m {value}", f"Value '{size}' is out of range for parameter 'size'",
                   _("a guest's RAM is a few GiB: -m 4G ({suffixes})").format(suffixes=_(_SUFFIX_HINT)),
                   qemu=f"{QEMU}: -m {value}: Value '{size}' is out of range for parameter 'size'")
    kib = -(-size_bytes // 1024)
    if kib < 1024:
        raise _bad(f"-m {value}", _("memory size is too small"),
                   _("give the guest some RAM: -m 512 (MiB) is a small Linux guest"))
    return kib


def _options(text: str) -> list[tuple[str, str]]:
    """QEMU's ``key=value,key=value`` (a doubled comma ``,,`` is a literal comma)."""
    parts = re.split(r"(?<!,),(?!,)", text)
    out = []
    for part in parts:
        key, eq, value = part.partition("=")
        out.append((key, value.replace(",,", ",")) if eq else ("", key.replace(",,", ",")))
    return out


def _smp(value: str) -> int:
    """``-smp 2`` or ``-smp cpus=2,sockets=1,cores=2,threads=1``: the number of vCPUs."""
    given = {key or "cpus": v for key, v in _options(value)}
    numbers = {}
    for key in ("cpus", "sockets", "cores", "threads"):
        if key in given:
            if not given[key].isdigit():
                raise _bad(f"-smp {value}", _("{key} is not a whole number").format(key=key),
                           _("write the number of vCPUs: -smp 2 (or -smp cpus=2,sockets=1,cores=2)"),
                           qemu=f"{QEMU}: Parameter 'smp.{key}' expects integer")
            numbers[key] = int(given[key])
    topology = [numbers[k] for k in ("sockets", "cores", "threads") if k in numbers]
    cpus = numbers.get("cpus", math.prod(topology) if topology else 1)
    if cpus < 1:
        raise _bad(f"-smp {value}", _("a guest needs at least one vCPU"),
                   _("write -smp 1 or more (libvirt's <vcpu> starts at 1 too). This refusal is kvmlab's: QEMU 7.2 only "
                     "warns that a zero topology is deprecated and starts one vCPU"))
    return cpus


def _boot(value: str) -> list[str]:
    opts = dict(_options(value))
    order = opts.get("order", opts.get("", ""))
    unknown = [ch for ch in order if ch not in BOOT_LETTERS]
    if not order or unknown:
        bad = "".join(unknown) or value
        raise _bad(f"-boot {value}", f"Invalid boot device '{bad}'",
                   _("boot letters: c = hard disk, d = CD-ROM, n = network, a = floppy (e.g. -boot order=dc)"),
                   qemu=f"{QEMU}: Invalid boot device '{bad}'")
    return [BOOT_LETTERS[ch] for ch in order]


def _drive(spec: DomainSpec, value: str) -> None:
    opts = dict(_options(value))
    path = opts.get("file")
    if not path:
        raise _bad(f"-drive {value}", _("a -drive needs file=PATH here"),
                   _("e.g. {example}").format(example="-drive file=vm1.qcow2,if=virtio,format=qcow2"))
    iface = opts.get("if", "ide")
    if iface not in _IF_BUS:
        raise _bad(f"-drive {value}", _("unsupported interface if={iface}").format(iface=iface),
                   _("use if=virtio, ide, scsi"))
    bus = _IF_BUS[iface]
    device = "cdrom" if opts.get("media") == "cdrom" else "disk"
    disk = spec.add_disk(path, bus=bus, device=device, format=opts.get("format"))
    if "format" not in opts:  # QEMU probes the format; libvirt's XML says nothing either
        disk.element.remove(disk.element.find("driver"))
    disk.readonly = device == "cdrom" or opts.get("readonly") == "on"


def _legacy_disk(spec: DomainSpec, path: str, target: str, device: str) -> None:
    """-hda … / -cdrom: an IDE disk whose format QEMU probes (so the XML names no driver type)."""
    disk = spec.add_disk(path, target=target, bus="ide", device=device)
    disk.element.remove(disk.element.find("driver"))


def _accel(flag: str, value: str) -> bool:
    """True when ``-accel kvm`` / ``-machine …,accel=kvm`` asks for KVM."""
    opts = _options(value)
    accel = dict(opts).get("accel", "") if flag == "-machine" else dict(opts).get("", "")
    return "kvm" in accel.split(":")


def _parse(argv: str | Sequence[str]) -> tuple[DomainSpec, list[tuple[str, str]]]:
    """The spec, and each flag as written with the XML path it became (for :func:`flag_pairs`)."""
    try:
        args = shlex.split(argv) if isinstance(argv, str) else list(argv)
    except ValueError as exc:  # an unclosed quote
        raise InvalidInput(_("the command line cannot be split into words: {exc}").format(exc=exc),
                           hint=_("close the quote, or quote paths that contain spaces: -hda 'my disk.qcow2'")) from None
    program = args.pop(0) if args and _PROGRAM.search(args[0]) else "qemu-system-x86_64"
    base = program.rsplit("/", 1)[-1]
    spec = DomainSpec(type="kvm" if base in ("qemu-kvm", "kvm") else "qemu")
    spec.arch = base.removeprefix("qemu-system-") if base.startswith("qemu-system-") else "x86_64"
    groups: list[tuple[str, str]] = [(program, "os/type")]
    i = 0
    while i < len(args):
        flag = args[i]
        if not flag.startswith("-"):  # QEMU: a bare image path is -hda
            _legacy_disk(spec, flag, "hda", "disk")
            groups.append((shlex.quote(flag), f"devices/disk[{len(spec.disks)}]"))
            i += 1
            continue
        norm = "-" + flag.lstrip("-")
        if norm == "-enable-kvm":
            spec.type, i = "kvm", i + 1
            groups.append((flag, "@type"))
            continue
        if norm not in SUPPORTED_FLAGS:
            raise InvalidInput(
                _("{flag}: not one of the flags this lesson maps").format(flag=flag),
                hint=_("mapped flags: ") + ", ".join(SUPPORTED_FLAGS)
                + _(" (libvirt's XML holds the rest: NICs, graphics, consoles …)"),
            )
        if i + 1 >= len(args):
            raise _bad(flag, "requires an argument", _("e.g. {example}").format(
                example=f"{norm} {_EXAMPLE.get(norm, 'VALUE')}"),
                       qemu=f"{QEMU}: {flag}: requires an argument")
        value, i = args[i + 1], i + 2
        path = {"-name": "name", "-m": "memory", "-smp": "vcpu", "-boot": "os/boot"}.get(norm, "@type")
        if norm == "-name":
            opts = _options(value)
            spec.name = dict(opts).get("guest") or opts[0][1]
        elif norm == "-m":
            kib = _memory_kib(value)
            spec.memory = f"{kib // 1024}MiB" if kib % 1024 == 0 else f"{kib}KiB"
        elif norm == "-smp":
            spec.vcpus = _smp(value)
        elif norm in ("-hda", "-hdb", "-hdc", "-hdd", "-cdrom"):
            target = "hdc" if norm == "-cdrom" else norm[1:]
            _legacy_disk(spec, value, target, "cdrom" if norm == "-cdrom" else "disk")
        elif norm == "-drive":
            _drive(spec, value)
        elif norm == "-boot":
            spec.boot = _boot(value)
        elif _accel(norm, value):  # -accel / -machine
            spec.type = "kvm"
        if norm in ("-hda", "-hdb", "-hdc", "-hdd", "-cdrom", "-drive"):
            path = f"devices/disk[{len(spec.disks)}]"
        groups.append((f"{flag} {shlex.quote(value)}", path))
    if spec.memory is None:
        spec.memory = "128MiB"  # QEMU's default RAM
        groups.append(("(no -m: QEMU's default)", "memory"))
    if spec.vcpus is None:
        spec.vcpus = 1
        groups.append(("(no -smp: one vCPU)", "vcpu"))
    if not spec.boot:
        spec.boot = ["hd"]
        groups.append(("(no -boot: the hard disk)", "os/boot"))
    return spec, groups


def flags_to_spec(argv: str | Sequence[str]) -> DomainSpec:
    """Read a QEMU command line (a string or argv list, program name optional) into a DomainSpec.

    Without ``-enable-kvm`` (or the ``qemu-kvm`` program) the domain type is ``qemu``: QEMU
    emulates the CPU in software (TCG). A bare argument is the first hard disk, as in QEMU.

    Raises:
        InvalidInput: a flag this lesson does not map, a missing value, or a value QEMU would
            reject (the message is QEMU's own wording where it has one).
    """
    return _parse(argv)[0]


def flag_pairs(argv: str | Sequence[str]) -> list[tuple[str, str]]:
    """Each flag next to the XML it became: ``[("-m 1024", "<memory unit='MiB'>1024</memory>"), …]``.

    Raises:
        InvalidInput: as :func:`flags_to_spec`.
    """
    spec, groups = _parse(argv)
    pairs = []
    for flag, path in groups:
        if path == "@type":
            xml = f'<domain type="{spec.type}">'
        else:
            found = spec.element.findall(path) if path == "os/boot" else [spec.element.find(path)]
            xml = "".join(serialize(el) for el in found if el is not None).rstrip("\n")
        pairs.append((flag, xml))
    return pairs


def _drive_value(disk) -> str:
    opts = [f"file={disk.path.replace(',', ',,')}", f"if={_BUS_IF.get(disk.bus, 'virtio')}"]
    if disk.format:
        opts.append(f"format={disk.format}")
    if disk.device == "cdrom":
        opts.append("media=cdrom")
    elif disk.readonly:
        opts.append("readonly=on")
    return ",".join(opts)


def spec_to_flags(spec: DomainSpec) -> list[str]:
    """The QEMU command line (argv) for a DomainSpec's name, memory, vCPUs, disks and boot order.

    IDE disks without a format become ``-hda`` … / ``-cdrom``; every other disk a ``-drive``.
    """
    arch = spec.arch or "x86_64"
    argv = [f"qemu-system-{arch}"]
    if spec.type == "kvm":
        argv.append("-enable-kvm")
    if spec.name:
        argv += ["-name", spec.name]
    kib = spec.memory
    if isinstance(kib, int):
        argv += ["-m", str(kib // 1024) if kib % 1024 == 0 else f"{kib}k"]
    if spec.vcpus is not None:
        argv += ["-smp", str(spec.vcpus)]
    for disk in spec.disks:
        if disk.path is None:
            continue
        legacy = disk.bus == "ide" and not disk.format
        if legacy and disk.device == "disk" and disk.target in ("hda", "hdb", "hdc", "hdd"):
            argv += [f"-{disk.target}", disk.path]
        elif legacy and disk.device == "cdrom" and disk.target == "hdc":
            argv += ["-cdrom", disk.path]
        else:
            argv += ["-drive", _drive_value(disk)]
    boot = spec.boot
    if boot and boot != ["hd"]:
        argv += ["-boot", "order=" + "".join(_LETTER_OF.get(dev, "c") for dev in boot)]
    return argv


def flag_values(argv: Sequence[str], flag: str) -> list[str]:
    """Every value given to ``flag`` in an argv: ``flag_values(["-m", "1G", "-smp", "2"], "-m") == ["1G"]``.

    A flag may repeat (``-device`` often does); each occurrence's value is listed, in order.
    """
    return [argv[i + 1] for i, word in enumerate(argv[:-1]) if word == flag]
