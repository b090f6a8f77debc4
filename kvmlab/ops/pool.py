"""Pool operations: virsh pool-list, pool-info, pool-dumpxml (here) and the pool life cycle
(pool_lifecycle.py, pool_edit.py), mixed into kvmlab.Connection as PoolOps."""

from __future__ import annotations

from typing import Sequence

import libvirt

from ..errors import InvalidInput, attempt, libvirt_errors
from ..units import pretty_capacity
from ..i18n import _
from .calls import libvirt_flags, virsh_line
from .pool_lookup import POOL_STATES, lookup_pool
from .pool_results import PoolInfo, PoolList, PoolSummary  # with the first pool command, as this module
from .result import Xml, yes_no
from .vsh import exclusive, name_order, require_option, split_list
from .xpath import dump_text, require_xpath


__all__ = ["PoolOps", "POOL_TYPES"]

# virStoragePoolType names (src/conf/storage_conf.c) -> pool-list --type filter flags
POOL_TYPES = {
    name: getattr(libvirt, "VIR_CONNECT_LIST_STORAGE_POOLS_" + name.upper().replace("-", "_"))
    for name in ("dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath",
                 "rbd", "sheepdog", "gluster", "zfs", "vstorage")
}

_LIST_FLAGS = [
    ("autostart", "VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART"),
    ("no_autostart", "VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART"),
    ("persistent", "VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT"),
    ("transient", "VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT"),
]


class PoolOps:
    """Mixin for kvmlab.Connection: the storage pool commands of virsh."""

    virconn: libvirt.virConnect

    def pool_list(self, all: bool = False, details: bool = False, inactive: bool = False,
                  autostart: bool = False, no_autostart: bool = False, persistent: bool = False,
                  transient: bool = False, uuid: bool = False, name: bool = False,
                  type: str | Sequence[str] | None = None) -> PoolList:
        """virsh pool-list: running pools (``all``: every pool, ``inactive``: stopped ones).

        ``details`` adds state, persistence and sizes; ``uuid`` / ``name`` print bare lines;
        ``type`` filters by pool type ("dir", "dir,logical" or a list).
        """
        exclusive("all", all, "inactive", inactive)
        if isinstance(type, str):
            types = split_list(require_option(type, "type"))
        else:
            types = list(type) if type is not None else []
        exclusive("details", details, "uuid", uuid)
        exclusive("details", details, "name", name)
        names = ["VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE"]
        if inactive:
            names = ["VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE"]
        if all:
            names = ["VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE", "VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE"]
        chosen = {"autostart": autostart, "no_autostart": no_autostart,
                  "persistent": persistent, "transient": transient}
        names += [flag for key, flag in _LIST_FLAGS if chosen[key]]
        for t in types:
            if t not in POOL_TYPES:
                raise InvalidInput(f"Invalid pool type '{t}'",  # i18n: virsh's own words
                                   hint=_("pool types: {types}").format(types=", ".join(POOL_TYPES)))
            names.append("VIR_CONNECT_LIST_STORAGE_POOLS_" + t.upper().replace("-", "_"))
        flags, flag_text = libvirt_flags(dict.fromkeys(names))
        api = [f"conn.listAllStoragePools({flag_text})"]

        with libvirt_errors("Failed to list pools"):
            pools = sorted(self.virconn.listAllStoragePools(flags), key=lambda p: name_order(p.name()))
            summaries = [_summarize(p, PoolSummary) for p in pools]
        api.append("pool.name(); pool.UUIDString(); pool.isActive(); pool.autostart(); "
                   "pool.isPersistent(); pool.info()  # per pool")
        line = virsh_line("pool-list", all=all, inactive=inactive, transient=transient, persistent=persistent,
                          autostart=autostart, no_autostart=no_autostart, type=",".join(types) or None,
                          details=details, uuid=uuid, name=name)
        result = PoolList(pools=summaries, uuid_lines=uuid and not details, name_lines=name and not details,
                          virsh=line, api=api)
        if details:
            result.header = ("Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available")
            result.rows = [(p.name, p.state, yes_no(p.autostart, "no autostart"), yes_no(p.persistent, "unknown"),
                            *(_size(v) for v in (p.capacity, p.allocation, p.available))) for p in summaries]
        else:
            result.header = ("Name", "State", "Autostart")
            result.rows = [(p.name, "active" if p.active else "inactive", yes_no(p.autostart, "no autostart"))
                           for p in summaries]
        return result

    def pool_info(self, pool: str, bytes: bool = False) -> PoolInfo:
        """virsh pool-info: state, persistence, autostart and (for a running pool) sizes."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)

        s = _summarize(p, PoolSummary)
        api.append("pool.name(); pool.UUIDString(); pool.info(); pool.isPersistent(); pool.autostart()")
        return PoolInfo(in_bytes=bytes, name=s.name, uuid=s.uuid, state=s.state, persistent=s.persistent,
                        autostart=s.autostart, capacity=s.capacity, allocation=s.allocation,
                        available=s.available, virsh=lambda: virsh_line("pool-info", pool, bytes=bytes), api=api)

    def pool_dumpxml(self, pool: str, inactive: bool = False, xpath: str | None = None, wrap: bool = False) -> Xml:
        """virsh pool-dumpxml: the pool's XML (``inactive``: the definition for its next start)."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        require_xpath(xpath, "/pool/target/path")
        flags = libvirt.VIR_STORAGE_XML_INACTIVE if inactive else 0
        with libvirt_errors():
            xml = p.XMLDesc(flags)
        api.append("pool.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE)" if inactive else "pool.XMLDesc(0)")
        line = virsh_line("pool-dumpxml", pool, inactive=inactive, xpath=xpath, wrap=wrap)
        return Xml(xml=dump_text(xml, xpath, wrap), virsh=line, api=api)


def _summarize(p: libvirt.virStoragePool, summary: type[PoolSummary]) -> PoolSummary:
    """Everything pool-list --details and pool-info show about one pool (``summary``: PoolSummary,
    imported by the caller)."""
    autostart = attempt(lambda: bool(p.autostart()))
    persistent = attempt(lambda: bool(p.isPersistent()))
    state, capacity, allocation, available = p.info()
    sized = state in (libvirt.VIR_STORAGE_POOL_RUNNING, libvirt.VIR_STORAGE_POOL_DEGRADED)
    return summary(
        name=p.name(), uuid=p.UUIDString(), active=bool(p.isActive()),
        state=POOL_STATES[state] if 0 <= state < len(POOL_STATES) else "unknown",
        autostart=autostart, persistent=persistent,
        capacity=capacity if sized else None, allocation=allocation if sized else None,
        available=available if sized else None,
    )


def _size(value: int | None) -> str:
    return "-" if value is None else pretty_capacity(value)

