"""Finding pools and volumes the way virsh does (virshCommandOptPoolBy / virshCommandOptVolBy),
and mapping libvirt's errors to kvmlab errors with a teaching hint."""

from __future__ import annotations

import contextlib
import shlex
from typing import Iterator, Mapping

import libvirt

from ..errors import InvalidInput, InvalidState, KvmlabError, NotFound, map_libvirt_error

__all__ = [
    "POOL_STATES",
    "VOL_TYPES",
    "require_option",
    "pool_errors",
    "mapped_error",
    "find_pool",
    "find_volume",
    "LIST_HINT",
    "virsh_line",
]

# virshStoragePoolState and virshStorageVol enums (tools/virsh-pool.c, virsh-volume.c)
POOL_STATES = ("inactive", "building", "running", "degraded", "inaccessible")
VOL_TYPES = ("file", "block", "dir", "network", "netdir", "ploop")

LIST_HINT = "pool names come from `virsh pool-list --all` (kvmlab: conn.pool_list(all=True))"

# libvirt's message -> what to do about it, for any pool or volume command
_COMMON_HINTS = {
    "unsupported flags": "this libvirt driver does not support that option (the test driver ignores "
    "most real-storage options); try without it",
    "not supported by the connection driver": "this libvirt driver cannot do that; a real host (qemu:///system) can",
    "already exists": "that name (or UUID) is taken: look with `virsh pool-list --all` / `virsh vol-list POOL` "
    "and pick another name",
    "already defined": "a pool by that name exists with another UUID: pick another <name>, or drop <uuid> "
    "to change the existing pool (pool-edit does that too)",
    "Storage source conflict": "another pool already uses that storage (same target path or source): "
    "give each pool its own <target><path>",
    "Not enough free space": "the pool has less room than the volume needs: `virsh pool-info POOL` shows Available",
}


def virsh_line(command: str, *words: object, **options: object) -> str:
    """``virsh COMMAND WORD… --option value --flag`` (False/None options left out), shell-quoted
    so that it can be pasted into a terminal."""
    parts = ["virsh", command, *(shlex.quote(str(w)) for w in words)]
    for key, value in options.items():
        if value is None or value is False:
            continue
        parts.append("--" + key.replace("_", "-"))
        if value is not True:
            parts.append(shlex.quote(str(value)))
    return " ".join(parts)


def require_option(value: object, option: str) -> str:
    """virsh's vshCommandOptStringReq: an empty string is refused before anything runs."""
    text = "" if value is None else str(value)
    if text == "":
        raise InvalidInput(
            f"Failed to get option '{option}': Option argument is empty",
            hint=f"--{option} needs a value",
        )
    return text


def mapped_error(exc: libvirt.libvirtError, *prefix: str, hints: Mapping[str, str] | None = None,
                 default: str = "") -> KvmlabError:
    """The KvmlabError for ``exc``; the hint is picked by a fragment of libvirt's message."""
    msg = exc.get_error_message() or ""
    pairs = [*(hints or {}).items(), *_COMMON_HINTS.items()]  # the command's own hints first
    hint = next((h for frag, h in pairs if frag in msg), default)
    return map_libvirt_error(exc, prefix, hint)


@contextlib.contextmanager
def pool_errors(*prefix: str, hints: Mapping[str, str] | None = None, default: str = "") -> Iterator[None]:
    """Map any libvirtError raised inside the block (see mapped_error)."""
    try:
        yield
    except libvirt.libvirtError as exc:
        raise mapped_error(exc, *prefix, hints=hints, default=default) from exc


def find_pool(virconn: libvirt.virConnect, ref: str, api: list[str], option: str = "pool") -> libvirt.virStoragePool:
    """Look a pool up by UUID (when 36 characters long), then by name.

    Raises:
        NotFound: ``failed to get pool 'X'`` and libvirt's own line, as virsh prints them.
    """
    ref = require_option(ref, option)
    last: libvirt.libvirtError | None = None
    if len(ref) == 36:
        try:
            pool = virconn.storagePoolLookupByUUIDString(ref)
            api.append(f"pool = conn.storagePoolLookupByUUIDString({ref!r})")
            return pool
        except libvirt.libvirtError as exc:
            last = exc
    try:
        pool = virconn.storagePoolLookupByName(ref)
        api.append(f"pool = conn.storagePoolLookupByName({ref!r})")
        return pool
    except libvirt.libvirtError as exc:
        last = exc
    msg = last.get_error_message() if last else ""
    raise NotFound(
        f"failed to get pool '{ref}'",
        hint=LIST_HINT,
        virsh_error=[f"failed to get pool '{ref}'", *([msg] if msg else [])],
    ) from last


def find_volume(
    virconn: libvirt.virConnect, ref: str, pool_ref: str | None, api: list[str]
) -> tuple[libvirt.virStorageVol, libvirt.virStoragePool | None]:
    """Look a volume up as virsh does: by name in ``pool_ref`` (which must be running), then by key,
    then by path. Returns ``(vol, pool)``; ``pool`` is None when no pool was given."""
    ref = require_option(ref, "vol")
    pool = None
    if pool_ref is not None:
        pool_ref = require_option(pool_ref, "pool")
        pool = find_pool(virconn, pool_ref, api)
        if pool.isActive() != 1:
            raise InvalidState(
                f"pool '{pool_ref}' is not active",
                hint=f"volumes live in running pools: `virsh pool-start {pool.name()}` first",
            )
    vol, last = None, None
    attempts = [("key", virconn.storageVolLookupByKey, "conn.storageVolLookupByKey"),
                ("path", virconn.storageVolLookupByPath, "conn.storageVolLookupByPath")]
    if pool is not None:
        attempts.insert(0, ("name", pool.storageVolLookupByName, "pool.storageVolLookupByName"))
    for _how, call, shown in attempts:
        try:
            vol = call(ref)
            api.append(f"vol = {shown}({ref!r})")
            break
        except libvirt.libvirtError as exc:
            last = exc
    if vol is None:
        msg = last.get_error_message() if last else ""
        first = f"failed to get vol '{ref}'"
        if pool is None:
            first += ", specifying --pool might help"
        hint = (f"`virsh vol-list {pool.name()}` lists its volumes" if pool is not None else
                "name the pool (vol-info NAME --pool POOL; kvmlab: pool=...) or give the volume's full path")
        raise NotFound(first, hint=hint, virsh_error=[first, *([msg] if msg else [])]) from last
    if pool is not None:
        with contextlib.suppress(libvirt.libvirtError):
            owner = vol.storagePoolLookupByVolume()
            if owner.name() != pool.name():
                raise NotFound(
                    f"Requested volume '{ref}' is not in pool '{pool.name()}'",
                    hint=f"that volume belongs to pool '{owner.name()}'",
                )
    return vol, pool
