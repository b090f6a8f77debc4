"""Finding pools and volumes the way virsh does (virshCommandOptPoolBy / virshCommandOptVolBy).

The hints every pool and volume command shares (already exists, no room …) are errors.py's."""

from __future__ import annotations

import libvirt

from ..errors import InvalidState, NotFound, suppressed
from ..i18n import N_, _
from .lookup import Way, first_found, name_ref, not_found, unreadable, uuid_sized

__all__ = [
    "POOL_STATES",
    "VOL_TYPES",
    "LIST_HINT",
    "lookup_pool",
    "lookup_volume",
]

# virshStoragePoolState and virshStorageVol enums (tools/virsh-pool.c, virsh-volume.c)
POOL_STATES = ("inactive", "building", "running", "degraded", "inaccessible")
VOL_TYPES = ("file", "block", "dir", "network", "netdir", "ploop")

LIST_HINT = N_("pool names come from `virsh pool-list --all` (kvmlab: conn.pool_list(all=True))")

def lookup_pool(virconn: libvirt.virConnect, ref: str, api: list[str]) -> libvirt.virStoragePool:
    """Look a pool up by UUID (when 36 characters long), then by name.

    Raises:
        NotFound: ``failed to get pool 'X'`` and libvirt's own line, as virsh prints them.
    """
    ref = name_ref(ref, "pool")
    if unreadable(ref):
        raise not_found(f"failed to get pool '{ref}'", _(LIST_HINT), unmatched=(
            f"Storage pool not found: no storage pool with matching name '{ref}'", libvirt.VIR_ERR_NO_STORAGE_POOL))
    ways: list[Way] = []
    if uuid_sized(ref):
        ways.append((virconn.storagePoolLookupByUUIDString, ref, "pool = conn.storagePoolLookupByUUIDString"))
    ways.append((virconn.storagePoolLookupByName, ref, "pool = conn.storagePoolLookupByName"))
    pool, last = first_found(ways, api)
    if pool is None:
        raise not_found(f"failed to get pool '{ref}'", _(LIST_HINT), last) from last
    return pool


def lookup_volume(
    virconn: libvirt.virConnect, ref: str, pool_ref: str | None, api: list[str]
) -> tuple[libvirt.virStorageVol, libvirt.virStoragePool | None]:
    """Look a volume up as virsh does: by name in ``pool_ref`` (which must be running), then by key,
    then by path. Returns ``(vol, pool)``; ``pool`` is None when no pool was given."""
    ref = name_ref(ref, "vol")
    pool = None
    if pool_ref is not None:
        pool = lookup_pool(virconn, pool_ref, api)
        if pool.isActive() != 1:
            raise InvalidState(
                f"pool '{pool_ref}' is not active",  # i18n: virsh's own words
                hint=_("volumes live in running pools: `virsh pool-start {pool}` first").format(pool=pool.name()),
            )
    ways: list[Way] = [(virconn.storageVolLookupByKey, ref, "vol = conn.storageVolLookupByKey"),
                       (virconn.storageVolLookupByPath, ref, "vol = conn.storageVolLookupByPath")]
    if pool is not None:
        ways.insert(0, (pool.storageVolLookupByName, ref, "vol = pool.storageVolLookupByName"))
    unmatched = None
    if unreadable(ref):  # libvirt's last try, by path, is the reason virsh shows
        ways, unmatched = [], (f"Storage volume not found: no storage vol with matching path '{ref}'",
                               libvirt.VIR_ERR_NO_STORAGE_VOL)
    vol, last = first_found(ways, api)
    if vol is None:
        if pool is None:
            raise not_found(f"failed to get vol '{ref}', specifying --pool might help",
                            _("name the pool (vol-info NAME --pool POOL; kvmlab: pool=...) or give the volume's "
                              "full path"), last, unmatched) from last
        raise not_found(f"failed to get vol '{ref}'", _("`virsh vol-list {pool}` lists its volumes").format(pool=pool.name()),
                        last, unmatched) from last
    if pool is not None:
        with suppressed():
            owner = vol.storagePoolLookupByVolume()
            if owner.name() != pool.name():
                raise NotFound(
                    f"Requested volume '{ref}' is not in pool '{pool.name()}'",  # i18n: virsh's own words
                    hint=_("that volume belongs to pool '{pool}'").format(pool=owner.name()),
                )
    return vol, pool
