"""The values a RelaxNG attribute or text node may take, checked and described in plain words.

A small subset of XML Schema datatypes (the ones libvirt's schemas use: integer types with
ranges, strings with patterns, enumerated values) is enough to say *why* a value failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Content", "DEFINE_WORDS"]


@dataclass
class Content:
    """The values a text node or attribute may take: literal values, data types, or anything."""

    values: set[str] = field(default_factory=set)
    # (XSD type, its params, excluded values, plain words or "")
    datas: list[tuple[str, dict[str, str], frozenset[str], str]] = field(default_factory=list)
    free: bool = False

    def accepts(self, text: str) -> bool:
        if self.free:
            return True
        if text.strip() in self.values or text in self.values:
            return True
        return any(_data_ok(t, params, exc, text) for t, params, exc, _ in self.datas)

    def describe(self) -> str:
        """``one of hd, cdrom`` / ``a whole number from 1 to 65535`` / ``text``."""
        parts = []
        if self.values:
            parts.append("one of " + ", ".join(sorted(self.values)))
        parts += [words or _data_words(t, params, exc) for t, params, exc, words in self.datas]
        if self.free:
            parts.append("any text")
        return " or ".join(dict.fromkeys(parts)) or "nothing"


_INT_RANGES = {
    "unsignedInt": (0, 2**32 - 1), "unsignedLong": (0, 2**64 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255), "int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1),
    "short": (-(2**15), 2**15 - 1), "integer": (None, None), "positiveInteger": (1, None),
    "nonNegativeInteger": (0, None),
}
_WORDS = {
    "unsignedInt": "a whole number from 0 to 4294967295", "unsignedLong": "a whole number >= 0",
    "unsignedShort": "a whole number from 0 to 65535", "int": "a whole number", "long": "a whole number",
    "short": "a whole number", "integer": "a whole number", "positiveInteger": "a whole number >= 1",
}
# Named types worth explaining in plain words (defines in basictypes.rng and friends)
DEFINE_WORDS = {
    "ipv4Addr": "an IPv4 address such as 192.168.122.1",
    "ipv6Addr": "an IPv6 address such as 2001:db8::1",
    "macAddr": "a MAC address such as 52:54:00:12:34:56",
    "UUID": "a UUID such as 4dea22b3-1d52-d8f3-2516-782e98ab3fa0",
    "cpuset": "a CPU list such as 0-3,6",
    "unit": "a unit: b, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)",
    "absFilePath": "an absolute path (starting with /)",
    "absDirPath": "an absolute path (starting with /)",
    "volName": "a file name: no '/', and not '.' or '..'",
    "genericName": "a name of letters, digits, _, + and -",
    "countCPU": "a whole number from 1 to 65535",
    "dnsName": "a host name of letters, digits, '.' and '-'",
}


def _data_ok(dtype: str, params: dict[str, str], exc: set[str], text: str) -> bool:
    if text in exc:
        return False
    pattern = params.get("pattern")
    if pattern is not None:
        try:
            if not re.fullmatch(pattern, text):
                return False
        except re.error:
            pass  # an XSD-only construct: stay lenient
    if dtype in _INT_RANGES:
        if not re.fullmatch(r"[+-]?\d+", text.strip()):
            return False
        value = int(text)
        lo, hi = _INT_RANGES[dtype]
        lo = int(params["minInclusive"]) if "minInclusive" in params else lo
        hi = int(params["maxInclusive"]) if "maxInclusive" in params else hi
        return (lo is None or value >= lo) and (hi is None or value <= hi)
    if dtype == "double":
        try:
            float(text)
        except ValueError:
            return False
    if "maxLength" in params and len(text) > int(params["maxLength"]):
        return False
    return True


def _data_words(dtype: str, params: dict[str, str], exc: set[str]) -> str:
    if dtype in _INT_RANGES:
        lo, hi = params.get("minInclusive"), params.get("maxInclusive")
        if lo is not None and hi is not None:
            return f"a whole number from {lo} to {hi}"
        if lo is not None:
            return f"a whole number >= {lo}"
        return _WORDS.get(dtype, "a whole number")
    pattern = params.get("pattern")
    if pattern:
        words = f"text matching {pattern}"
    else:
        words = "text"
    if exc:
        words += " (not " + ", ".join(sorted(exc)) + ")"
    return words
