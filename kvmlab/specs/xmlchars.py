"""Which characters an XML document can carry (XML 1.0's ``Char``), for values checked before any XML is built."""

from __future__ import annotations

from ..i18n import _

__all__ = ["first_bad_char", "bad_char_words"]


def _ok(ch: str) -> bool:
    """Tab, newline, carriage return and every character from U+0020, except surrogates (where
    Python keeps bytes that are not UTF-8) and U+FFFE/U+FFFF."""
    o = ord(ch)
    return ch in "\t\n\r" or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


def first_bad_char(text: str) -> str | None:
    """The first character of ``text`` no XML document can hold, or None."""
    return next((ch for ch in text if not _ok(ch)), None)


def bad_char_words(ch: str) -> str:
    """What that character is, for a message: bytes that are not UTF-8, or a control character."""
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return _("bytes that are not UTF-8")
    return _("the control character {code}").format(code=f"U+{ord(ch):04X}")
