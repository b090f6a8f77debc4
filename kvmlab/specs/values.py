"""Read numbers and sizes out of XML exactly the way libvirt 9.0 reads them.

libvirt's ``virStrToLong_ui`` is C's ``strtoul`` plus checks: leading white space is skipped,
a sign is allowed, nothing may follow the digits, and ``-N`` *wraps around* to ``2**32 - N``
("-1 is shorthand for UINT_MAX"). The ``…_uip`` variant refuses the minus sign instead.
Checks and the guard share these readers so they judge a value as libvirt will; units come from
the one table in :mod:`kvmlab.units`.
"""

from __future__ import annotations

import re

from lxml import etree

from ..i18n import _
from ..units import unit_bytes
from .parser import text_of

__all__ = ["UINT_MAX", "c_uint", "c_uint_positive", "scaled", "SCALED_MAX"]

UINT_MAX = 2**32 - 1
_C_SPACE = " \t\n\v\f\r"
_NUMBER = re.compile(r"([+-]?)([0-9]+)")
# virScaleInteger / virDomainParseMemory refuse results at or above this (bytes)
SCALED_MAX = 2**63


def c_uint(text: str | None) -> int | None:
    """``virStrToLong_ui(text, NULL, 10)``: the value libvirt uses, or None if it refuses the text."""
    if text is None:
        return None
    m = _NUMBER.fullmatch(text.lstrip(_C_SPACE))
    if not m:
        return None
    magnitude = int(m.group(2))
    if magnitude > UINT_MAX:
        return None
    return (-magnitude) & UINT_MAX if m.group(1) == "-" else magnitude


def c_uint_positive(text: str | None) -> int | None:
    """``virStrToLong_uip``: as :func:`c_uint`, but a minus sign is refused, not wrapped."""
    if text is None or "-" in text:
        return None
    return c_uint(text)


def scaled(el: etree._Element | None, default_unit: str) -> tuple[int | None, str | None]:
    """A ``<memory unit='MiB'>512</memory>``-style value in bytes: ``(bytes, None)``, or
    ``(None, reason)`` when libvirt would refuse it, or ``(None, None)`` when absent."""
    if el is None:
        return None, None
    text = (text_of(el) or "").strip()
    unit = el.get("unit") or default_unit
    if not text.isdigit():
        return None, _("'{text}' is not a whole number").format(text=text)
    per_unit = unit_bytes(unit)
    if per_unit is None:
        return None, _("'{unit}' is not a unit libvirt knows").format(unit=unit)
    nbytes = int(text) * per_unit
    if nbytes >= SCALED_MAX:
        return None, _("{text} {unit} is too large for libvirt (numerical overflow)").format(text=text, unit=unit)
    return nbytes, None
