"""Units in one place: libvirt's size suffixes, KiB vs KB, and virsh's "100.00 GiB" formatting.

:data:`UNITS` is the one table of libvirt's units, read as libvirt's ``virScaleInteger`` reads them
(``<memory unit=…>``, ``<capacity unit=…>``, ``vol-create-as 1G``): case-insensitive, so ``MiB``,
``mib`` and ``MIB`` are the same unit. A bare letter and ``…iB`` are powers of 1024, ``…B`` powers
of 1000: ``K`` = ``KiB`` = 1024 bytes, ``KB`` = 1000 bytes. libvirt reads ``<memory>`` in KiB unless
``unit=`` says otherwise; the course notes say "KB": the lesson teaches that libvirt means KiB there.
"""

from __future__ import annotations

import re
from typing import Iterator, Mapping

from .errors import InvalidInput
from .i18n import N_, _

__all__ = ["UNITS", "UNIT_NAMES", "UNIT_HINT", "unit_bytes", "parse_size", "pretty_capacity", "format_kib"]

_PREFIXES = "KMGTPE"
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(unit: str) -> str:
    """Lower case the way libvirt compares units (g_ascii_strcasecmp): ASCII letters only."""
    return unit.translate(_FOLD)


class _Units(Mapping[str, int]):
    """Bytes per unit; looking a unit up ignores its case, as libvirt does."""

    def __init__(self) -> None:
        self._bytes = {"b": 1, "byte": 1, "bytes": 1}
        for power, prefix in enumerate(_PREFIXES.lower(), start=1):
            self._bytes[prefix] = self._bytes[prefix + "ib"] = 1024**power
            self._bytes[prefix + "b"] = 1000**power

    def __getitem__(self, unit: str) -> int:
        if not isinstance(unit, str):
            raise KeyError(unit)
        return self._bytes[_fold(unit)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._bytes)

    def __len__(self) -> int:
        return len(self._bytes)

    def __repr__(self) -> str:
        return f"UNITS({self._bytes!r})"


UNITS: Mapping[str, int] = _Units()

# The valid names, as libvirt's documentation spells them (any case is accepted)
UNIT_NAMES = "b, bytes, " + ", ".join(f"{p}B, {p}, {p}iB" for p in _PREFIXES)
_UNIT_HINT = N_("libvirt knows {names}, in any case (a bare letter and …iB are powers of 1024, "
                "…B powers of 1000: KiB = 1024 bytes, KB = 1000 bytes)")
UNIT_HINT = _UNIT_HINT.format(names=UNIT_NAMES)  # in English; parse_size words it in the learner's language

_SIZE = r"^\s*([0-9]+)\s*([A-Za-z]*)\s*$"  # compiled on first use (re caches it), not at every start


def unit_bytes(unit: str) -> int | None:
    """Bytes in one ``unit`` (``"MiB"``, ``"mib"``, ``"KB"``, ``"k"``…); None if libvirt knows no such unit."""
    return UNITS.get(unit)


def parse_size(text: str | int, default_unit: str = "B", *, what: str = "size") -> int:
    """Parse ``"512MiB"``, ``"512mib"``, ``"1G"``, ``"1000KB"`` or a bare number into bytes.

    A bare number is read in ``default_unit``, as libvirt does (``<memory>`` defaults to KiB,
    ``vol-create-as`` capacity to bytes). Units are case-insensitive, as in libvirt.

    Raises:
        InvalidInput: the text is not a whole number with a known unit.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise InvalidInput(_("{what} must not be negative: {text}").format(what=what, text=text),
                               hint=_("sizes are whole, positive numbers"))
        return text * UNITS[default_unit]
    m = re.match(_SIZE, str(text))
    if not m:
        raise InvalidInput(
            _("{what} {text} is not a size").format(what=what, text=repr(text)),
            hint=_("write a whole number and a unit, e.g. 512MiB, 1GiB or 1048576KiB "
                   "(KiB = 1024 bytes, KB = 1000 bytes)"),
        )
    number, unit = int(m.group(1)), m.group(2) or default_unit
    per_unit = unit_bytes(unit)
    if per_unit is None:
        raise InvalidInput(_("{what} {text} has an unknown unit {unit}").format(what=what, text=repr(text), unit=repr(unit)),
                           hint=_("{units}. libvirt refuses it too: unknown suffix '{unit}'").format(
                               units=_(_UNIT_HINT).format(names=UNIT_NAMES), unit=unit))
    return number * per_unit


_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
_POWERS = tuple(1024.0**i for i in range(7))


def pretty_capacity(nbytes: int) -> str:
    """virsh's vshPrettyCapacity: ``0.00 B``, ``100.00 GiB``."""
    if type(nbytes) is int and 0 <= nbytes:  # the unit at once (dividing by 1024s is exact in floats)
        power = min((nbytes.bit_length() - 1) // 10, 6) if nbytes else 0
        value = nbytes / _POWERS[power]
        if value >= 1024 and power < 6:  # past 2**53 a size may round up to the next unit, as float(nbytes) does
            power, value = power + 1, value / 1024
        return f"{value:.2f} {_UNITS[power]}"
    value, unit = float(nbytes), "B"
    for name in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024:
            break
        value, unit = value / 1024, name
    return f"{value:.2f} {unit}"


def format_kib(kib: int) -> str:
    """Memory as virsh's dominfo prints it: ``2097152 KiB``."""
    return f"{kib} KiB"
