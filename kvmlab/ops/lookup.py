"""Finding the object a command names, as virsh does for every kind of object: try each way in turn
(id, UUID, name; for a volume: name, key, path), the first that answers wins."""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from ..errors import ConnectionFailed, InvalidInput, KvmlabError, NotFound, libvirt_errors
from ..i18n import _
from .vsh import require_option

__all__ = ["Way", "name_ref", "unreadable", "uuid_sized", "first_found", "not_found"]

T = TypeVar("T")

# one way to find it: the libvirt lookup, its one argument, and the call's code up to the argument
# (``"dom = conn.lookupByName"``); the code for the result's .api is written for the way that answers
Way = tuple[Callable[[object], T], object, str]

_MAPPED = libvirt_errors()  # holds no state per use: one serves every lookup


def name_ref(ref: object, option: str) -> str:
    """The one check of a name, UUID or id where it enters an operation: text (an int is read as
    its digits), not empty (virsh's own error), and without NUL, which no name can hold.

    Raises:
        InvalidInput: what was given, and what is expected instead.
    """
    if type(ref) is str and ref and "\0" not in ref:  # the usual case: a name, as typed
        return ref
    if ref is not None and (isinstance(ref, bool) or not isinstance(ref, (str, int))):
        raise InvalidInput(
            _("expected a {option} name as text, got {type}: {value}").format(
                option=option, type=type(ref).__name__, value=f"{ref!r:.60}"),
            hint=_("pass the {option}'s name (or UUID) as a str, e.g. 'web01'; virsh takes it as a word").format(
                option=option),
        )
    text = require_option(ref, option)
    if "\0" in text:
        raise InvalidInput(
            _("the {option} name {name} holds a NUL character").format(option=option, name=repr(text)),
            hint=_("no {option} name holds NUL (\\0): libvirt names are C strings; check where the name came from")
            .format(option=option),
        )
    return text


def unreadable(ref: str) -> bool:
    """A name holding bytes that are not UTF-8 (from argv or stdin, kept as surrogates): libvirt-python
    cannot pass it, and no object can be called so (libvirt reads its XML as UTF-8): nothing matches."""
    if ref.isascii():
        return False
    try:
        ref.encode()
    except UnicodeEncodeError:
        return True
    return False


def uuid_sized(ref: str) -> bool:
    """virsh tries a UUID lookup only for a string as long as a UUID (36 bytes)."""
    if ref.isascii():
        return len(ref) == 36
    return len(ref.encode("utf-8", "surrogateescape")) == 36


def first_found(ways: Iterable[Way], api: list[str]) -> tuple[T | None, KvmlabError | None]:
    """The first way that answers (its code appended to ``api``), else None and the last mapped error.

    A refusal (``NotFound``, or an id/UUID libvirt calls invalid) moves on to the next way, as virsh
    does; a lost connection is raised at once: no other way would answer either.
    """
    last = None
    for call, arg, code in ways:
        try:
            with _MAPPED:
                found = call(arg)
        except ConnectionFailed:
            raise
        except KvmlabError as err:
            last = err
            continue
        api.append(f"{code}({arg!r})")
        return found, None
    return None, last


def not_found(line: str, hint: str, exc: KvmlabError | None = None,
              unmatched: tuple[str, int] | None = None) -> NotFound:
    """virsh's own ``line`` (``failed to get pool 'x'``), then libvirt's reason when virsh prints it.

    ``unmatched`` is libvirt's reason and code for a name no libvirt call was made with (see unreadable).
    """
    reason = exc.message if exc is not None else unmatched[0] if unmatched else ""
    err = NotFound(line, hint=hint, virsh_error=[line, *([reason] if reason else [])])
    if exc is not None:
        err.libvirt_code = exc.libvirt_code
    elif unmatched:
        err.libvirt_code = unmatched[1]
    return err
