"""virsh's own small helpers (tools/vsh.c, virsh-util.c) that every command family uses: reading an
option's value before libvirt is called, C integers, comma lists, and the order of names in a list."""

from __future__ import annotations

import re

from ..errors import InvalidInput
from ..i18n import _

__all__ = ["require_option", "exclusive", "c_int", "ull_option", "split_list", "name_order", "c_pad", "c_string",
           "encodable"]

# virStrToLong_i: strtol base 10 over the whole string (leading blanks and a sign allowed)
_C_INT = r"^[ \t\n\v\f\r]*([+-]?\d+)$"  # compiled on first use (re caches it)
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
# virStrToLong_ull / _ullp: strtoull base 10 over the whole string (compiled on first use, not at every start)
_C_ULL = r"[ \t\n\v\f\r]*([+-]?)([0-9]+)\Z"  # [0-9]: not Unicode digits; \Z: no newline
_ULL_MAX = 2**64 - 1


def require_option(value: object, option: str) -> str:
    """vshCommandOptStringReq: an option given as ``''`` is an error virsh reports before anything else.

    From Python an option is text (an int is read as its digits); anything else is refused here,
    where every string option enters, rather than turned into its repr.
    """
    if value is not None and not isinstance(value, (str, int)):
        raise InvalidInput(
            _("expected text for --{option}, got {type}: {value}").format(
                option=option, type=type(value).__name__, value=f"{value!r:.60}"),
            hint=_("pass --{option} as a str (virsh reads every option as one word of text)").format(option=option),
        )
    text = "" if value is None else str(value)
    if text == "":
        raise InvalidInput(
            f"Failed to get option '{option}': Option argument is empty",  # i18n: virsh's own words
            hint=_("give --{option} a value (virsh refuses an empty string before it runs anything)").format(
                option=option),
        )
    return text


def exclusive(a: str, a_on: object, b: str, b_on: object, hint: str = "") -> None:
    """VSH_EXCLUSIVE_OPTIONS: options ``--a`` and ``--b`` (virsh's spelling) may not be given together."""
    if a_on and b_on:
        # the callers' hints are marked N_("…") (or L_(…) with fields): worded here, on failure only
        raise InvalidInput(f"Options --{a} and --{b} are mutually exclusive",  # i18n: virsh's own words
                           hint=(_(hint) if isinstance(hint, str) else str(hint)) if hint
                           else _("use --{a} or --{b}, not both").format(a=a, b=b))


def c_int(text: str) -> int | None:
    """virStrToLong_i: the whole string as a C int, or None."""
    if not (text[:-1] if text.endswith("\n") else text)[-1:].isdecimal():  # a name: no number ends it
        return None
    m = re.match(_C_INT, text)
    if not m:
        return None
    value = int(m.group(1))
    return value if _INT_MIN <= value <= _INT_MAX else None


def ull_option(value: object, option: str, wrap: bool = False) -> int:
    """vshCommandOptULongLong (``wrap``: ...Wrap): an unsigned 64-bit option such as ``--offset``.

    The whole word is a decimal number; a sign is allowed, and ``-N`` wraps to 2**64-N only with
    ``wrap`` (virsh's ``--length -1`` means "everything"). A number given from Python is read as
    its digits. virsh checks these before it looks anything up.

    Raises:
        InvalidInput: virsh's ``Numeric value 'X' for <option> option is malformed or out of range``.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(
            _("expected a whole number for --{option}, got {type}: {value}").format(
                option=option, type=type(value).__name__, value=f"{value!r:.60}"),
            hint=_("pass --{option} as an int of bytes (or its digits as a str)").format(option=option),
        )
    text = str(value)
    m = re.match(_C_ULL, text)
    number = int(m.group(2)) if m else None
    if m and number is not None and number <= _ULL_MAX and (m.group(1) != "-" or wrap):
        return (-number) % 2**64 if m.group(1) == "-" else number
    raise InvalidInput(
        f"Numeric value '{text}' for <{option}> option is malformed or out of range",  # i18n: virsh's own words
        hint=_("--{option} is a number of bytes: digits only, no unit (1048576, not 1M)").format(option=option)
        + (_("; -1 means 'to the end'") if wrap else ""),
    )


def split_list(text: str) -> list[str]:
    """vshStringToArray: split at commas, where ``,,`` stands for a literal comma."""
    parts = text.split(",")
    out, glue = [parts[0]], False
    for part in parts[1:]:
        if glue:
            out[-1] += "," + part
            glue = False
        elif part == "":
            glue = True
        else:
            out.append(part)
    if glue:
        out.append("")
    return out


def name_order(name: str) -> bytes:
    """The sort key of vshStrcasecmp, virsh's order for names in a list: bytes, ASCII letters folded."""
    return name.encode().lower()


def c_pad(text: str, width: int) -> str:
    """printf's ``%-*s``: ``text`` padded with spaces to ``width`` *bytes* (C counts bytes, not characters)."""
    return text + " " * max(0, width - len(text.encode("utf-8", "surrogateescape")))


def c_string(text: str, option: str) -> str:
    """An option's text as libvirt can receive it (a C string): no NUL, which no virsh word can hold.

    Raises:
        InvalidInput: the text holds NUL.
    """
    if "\0" in text:
        raise InvalidInput(_("--{option} holds a NUL character").format(option=option),
                           hint=_("no {option} holds NUL (\\0): libvirt reads it "
                                  "as a C string; check where the value came from").format(option=option))
    return text


def encodable(text: str) -> bool:
    """False for text holding bytes that are not UTF-8 (kept as surrogates from argv): libvirt-python cannot pass it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
