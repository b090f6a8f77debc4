"""What a result shows of the work behind it: the virsh command line (``.virsh``) and the libvirt
flags as code (``.api``)."""

from __future__ import annotations

from typing import Iterable

import libvirt

__all__ = ["virsh_line", "libvirt_flags", "flag_names"]


def virsh_line(command: str, *args: object, **options: object) -> str:
    """``virsh COMMAND ARG… --option value --flag``, shell-quoted so it can be pasted into a terminal.

    Options that are None or False are left out; True ones are bare flags; ``_`` in a keyword is ``-``.
    """
    import shlex  # only when a .virsh line is read

    words = ["virsh", command, *(shlex.quote(str(a)) for a in args)]
    for key, value in options.items():
        if value is None or value is False:
            continue
        words.append("--" + key.replace("_", "-"))
        if value is not True:
            words.append(shlex.quote(str(value)))
    return " ".join(words)


def libvirt_flags(names: Iterable[str]) -> tuple[int, str]:
    """The ``VIR_…`` constants named, OR-ed together, and the same as code (``libvirt.A | libvirt.B``, or ``0``)."""
    names = list(names)
    value = 0
    for name in names:
        value |= getattr(libvirt, name)
    return value, " | ".join(f"libvirt.{n}" for n in names) or "0"


# (flags, names) -> the text: a list command asks with the same few flag values again and again
_FLAG_TEXT: dict[tuple[int, tuple[str, ...]], str] = {}


def flag_names(flags: int, names: tuple[str, ...]) -> str:
    """The constants of ``names`` that are set in ``flags``, as code (``libvirt.A | libvirt.B``, or ``0``)."""
    text = _FLAG_TEXT.get((flags, names))
    if text is None:
        text = " | ".join(f"libvirt.{n}" for n in names if flags & getattr(libvirt, n)) or "0"
        _FLAG_TEXT[(flags, names)] = text
    return text
