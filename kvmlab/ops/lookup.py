"""Finding the object a command names, as virsh does for every kind of object: try each way in turn
(id, UUID, name; for a volume: name, key, path), the first that answers wins."""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from ..errors import ConnectionFailed, KvmlabError, NotFound, libvirt_errors

__all__ = ["Way", "uuid_sized", "first_found", "not_found"]

T = TypeVar("T")

# one way to find it: the libvirt call, and that call as code for the result's .api
Way = tuple[Callable[[], T], str]


def uuid_sized(ref: str) -> bool:
    """virsh tries a UUID lookup only for a string as long as a UUID (36 bytes)."""
    return len(ref.encode()) == 36


def first_found(ways: Iterable[Way], api: list[str]) -> tuple[T | None, KvmlabError | None]:
    """The first way that answers (its code appended to ``api``), else None and the last mapped error.

    A refusal (``NotFound``, or an id/UUID libvirt calls invalid) moves on to the next way, as virsh
    does; a lost connection is raised at once: no other way would answer either.
    """
    last = None
    for call, shown in ways:
        try:
            with libvirt_errors():
                found = call()
        except ConnectionFailed:
            raise
        except KvmlabError as err:
            last = err
            continue
        api.append(shown)
        return found, None
    return None, last


def not_found(line: str, hint: str, exc: KvmlabError | None = None) -> NotFound:
    """virsh's own ``line`` (``failed to get pool 'x'``), then libvirt's reason when virsh prints it."""
    reason = exc.message if exc is not None else ""
    err = NotFound(line, hint=hint, virsh_error=[line, *([reason] if reason else [])])
    if exc is not None:
        err.libvirt_code = exc.libvirt_code
    return err
