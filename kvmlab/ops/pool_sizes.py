"""vol-create-as sizes exactly as virsh reads them (virshVolSize: strtoull + virScaleInteger).

A bare number is bytes. The suffix is one of libvirt's units (:data:`kvmlab.units.UNITS`, any case):
``K``/``KiB`` = 1024, ``KB`` = 1000 (and so on up to E); ``b``, ``byte``, ``bytes`` = 1. So ``1G`` =
``1GiB`` = 1073741824, ``1GB`` = 10**9. What differs from :func:`kvmlab.units.parse_size` is virsh's
number syntax (strtoull: a leading sign, no space before the suffix) and its ``Malformed size`` text.
"""

from __future__ import annotations

import re

from ..errors import InvalidInput
from ..i18n import N_, _
from ..units import unit_bytes

__all__ = ["vol_size", "SIZE_HINT"]

ULLONG_MAX = 2**64 - 1
# strtoull(base 10): leading white space, an optional sign, digits; the rest is the suffix
_STRTOULL = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")

SIZE_HINT = N_("write a whole number with an optional unit: 1G = 1GiB = 1073741824 bytes, 1GB = 10^9 bytes, "
             "512M, 100K; a bare number is bytes")


def _malformed(text: str, libvirt_line: str | None = None) -> InvalidInput:
    lines = [f"Malformed size {text}"] + ([libvirt_line] if libvirt_line else [])
    return InvalidInput(lines[0] + (f" ({libvirt_line})" if libvirt_line else ""), hint=_(SIZE_HINT), virsh_error=lines)


def _scale(suffix: str) -> int:
    """virScaleInteger's multiplier for ``suffix``; raises ValueError(libvirt's message)."""
    if suffix == "":
        return 1
    scale = unit_bytes(suffix)
    if scale is None:
        raise ValueError(f"invalid argument: unknown suffix '{suffix}'")  # i18n: libvirt's own words
    return scale


def vol_size(value: str | int, what: str = "capacity") -> int:
    """Bytes in ``value`` ("1G", "1GiB", "10M", "1500", or an int of bytes), as vol-create-as reads it.

    Raises:
        InvalidInput: virsh's ``Malformed size X`` (and libvirt's reason, when virsh prints one).
    """
    if isinstance(value, bool):
        raise InvalidInput(_("{what} must be a size, not {value}").format(what=what, value=repr(value)), hint=_(SIZE_HINT),
                           virsh_error=[f"Malformed size {value}"])
    text = str(value)
    m = _STRTOULL.match(text)
    if not m or m.group(1) == "-":
        raise _malformed(text)
    number = int(m.group(2))
    if number > ULLONG_MAX:  # strtoull sets ERANGE: no libvirt message
        raise _malformed(text)
    suffix = text[m.end():]
    try:
        scale = _scale(suffix)
    except ValueError as exc:
        raise _malformed(text, str(exc)) from None
    if number and number > ULLONG_MAX // scale:
        raise _malformed(text, f"numerical overflow: value too large: {number}{suffix}")
    return number * scale
