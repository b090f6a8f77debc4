"""Units in one place: libvirt's size suffixes, KiB vs KB, and virsh's "100.00 GiB" formatting.

libvirt reads ``<memory>`` in KiB (1024 bytes) unless ``unit=`` says otherwise, and it is strict
about the difference between ``KiB`` (1024) and ``KB`` (1000). The course notes say "KB": the
lesson teaches that libvirt means KiB there.
"""

from __future__ import annotations

import re

from .errors import InvalidInput

__all__ = ["UNITS", "parse_size", "pretty_capacity", "format_kib"]

# libvirt's virScaleInteger suffixes (docs: formatdomain "memory" and formatstorage "unit")
UNITS: dict[str, int] = {"b": 1, "B": 1, "bytes": 1}
for _i, _p in enumerate("KMGTPE", start=1):
    UNITS[_p] = UNITS[_p.lower()] = UNITS[_p + "iB"] = 1024**_i
    UNITS[_p + "B"] = 1000**_i

_SIZE = re.compile(r"^\s*(\d+)\s*([A-Za-z]*)\s*$")


def parse_size(text: str | int, default_unit: str = "B", *, what: str = "size") -> int:
    """Parse ``"512MiB"``, ``"1G"``, ``"1000KB"`` or a bare number into bytes.

    A bare number is read in ``default_unit``, as libvirt does (``<memory>`` defaults to KiB,
    ``vol-create-as`` capacity to bytes).

    Raises:
        InvalidInput: the text is not a whole number with a known unit.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise InvalidInput(f"{what} must not be negative: {text}", hint="sizes are whole, positive numbers")
        return text * UNITS[default_unit]
    m = _SIZE.match(str(text))
    if not m:
        raise InvalidInput(
            f"{what} {text!r} is not a size",
            hint="write a whole number and a unit, e.g. 512MiB, 1GiB or 1048576KiB "
            "(KiB = 1024 bytes, KB = 1000 bytes)",
        )
    number, unit = int(m.group(1)), m.group(2) or default_unit
    if unit not in UNITS:
        raise InvalidInput(
            f"{what} {text!r} has an unknown unit {unit!r}",
            hint="libvirt knows b, KiB/K, KB, MiB/M, MB, GiB/G, GB, TiB/T, TB (…iB are powers of 1024, …B of 1000)",
        )
    return number * UNITS[unit]


def pretty_capacity(nbytes: int) -> str:
    """virsh's vshPrettyCapacity: ``0.00 B``, ``100.00 GiB``."""
    value, unit = float(nbytes), "B"
    for name in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024:
            break
        value, unit = value / 1024, name
    return f"{value:.2f} {unit}"


def format_kib(kib: int) -> str:
    """Memory as virsh's dominfo prints it: ``2097152 KiB``."""
    return f"{kib} KiB"
