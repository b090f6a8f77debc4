"""Removing what the lab owns — and only that — in dependency order: domains, networks, pools.

Every step is attempted even when an earlier one fails; failures are collected and reported
together, so one stuck object never hides the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import libvirt

from ..errors import ConnectionFailed, KvmlabError, attempt, libvirt_errors, suppressed
from .ownership import owned_domains, owned_networks, owned_pools, virconn_of

__all__ = ["Cleanup", "remove_owned", "stop_running"]

# Strongest undefine first; the test driver rejects NVRAM/CHECKPOINTS flags, so fall back.
_UNDEFINE_FLAGS = (
    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
    | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
    | libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
    | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM,
    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
    0,
)


@dataclass
class Cleanup:
    """What a cleanup did (``done``), the libvirt calls (``api``) and what failed (``failed``)."""

    done: list[str] = field(default_factory=list)
    api: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def step(self, what: str, call: str, fn: Callable[[], Any]) -> bool:
        """Run one libvirt call; record it, and its failure instead of raising."""
        self.api.append(call)
        try:
            with libvirt_errors():
                fn()
        except ConnectionFailed:
            raise  # nothing more can be done on this connection
        except KvmlabError as exc:
            self.failed.append(f"{what}: {exc.message}")
            return False
        return True


def _undefine_domain(dom: libvirt.virDomain) -> None:
    """The first undefine this driver accepts: a driver lacking a flag (INVALID_ARG, NO_SUPPORT) gets the next."""
    *richer, plainest = _UNDEFINE_FLAGS
    for flags in richer:
        with libvirt_errors(ignore=(libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_NO_SUPPORT)):
            dom.undefineFlags(flags) if flags else dom.undefine()
            return
    with libvirt_errors():
        dom.undefineFlags(plainest) if plainest else dom.undefine()


def _remove_domain(c: Cleanup, dom: libvirt.virDomain) -> None:
    name = dom.name()
    c.api.append(f"dom = conn.lookupByName('{name}')")
    persistent = dom.isPersistent()  # a transient domain is gone once destroyed
    if dom.isActive() and not c.step(f"destroy domain {name}", "dom.destroy()", dom.destroy):
        return
    if persistent and not c.step(f"undefine domain {name}", "dom.undefineFlags(…)", lambda: _undefine_domain(dom)):
        return
    c.done.append(f"Domain '{name}' destroyed and undefined")


def _remove_network(c: Cleanup, net: libvirt.virNetwork) -> None:
    name = net.name()
    c.api.append(f"net = conn.networkLookupByName('{name}')")
    persistent = net.isPersistent()
    if net.isActive() and not c.step(f"destroy network {name}", "net.destroy()", net.destroy):
        return
    if persistent and not c.step(f"undefine network {name}", "net.undefine()", net.undefine):
        return
    c.done.append(f"Network {name} destroyed and undefined")


def _remove_pool(c: Cleanup, pool: libvirt.virStoragePool) -> None:
    name = pool.name()
    c.api.append(f"pool = conn.storagePoolLookupByName('{name}')")
    persistent = pool.isPersistent()
    if not pool.isActive():
        # Volumes can only be listed and deleted in a running pool; a pool that cannot start
        # (its directory is gone) has no volumes left to delete.
        c.api.append("pool.create(0)")
        with suppressed():
            pool.create(0)
    if pool.isActive():
        c.step(f"refresh pool {name}", "pool.refresh(0)", lambda: pool.refresh(0))
        for vol in pool.listAllVolumes(0):
            c.step(f"delete volume {vol.name()}", f"pool.storageVolLookupByName('{vol.name()}').delete(0)",
                   lambda vol=vol: vol.delete(0))
        if not c.step(f"destroy pool {name}", "pool.destroy()", pool.destroy):
            return
    # Removes the (now empty) directory of a dir pool; other pool types may not support it.
    c.api.append("pool.delete(0)")
    with suppressed():
        pool.delete(0)
    if persistent and not c.step(f"undefine pool {name}", "pool.undefine()", pool.undefine):
        return
    c.done.append(f"Pool {name} destroyed and undefined")


def remove_owned(conn: Any, cleanup: Cleanup | None = None) -> Cleanup:
    """Destroy and undefine the lab's domains, then its networks, then its pools (and volumes)."""
    c = cleanup or Cleanup()
    v = virconn_of(conn)
    for remove, objects in ((_remove_domain, owned_domains(v)), (_remove_network, owned_networks(v)),
                            (_remove_pool, owned_pools(v))):
        for obj in objects:
            try:
                with libvirt_errors():
                    remove(c, obj)
            except ConnectionFailed:
                raise
            except KvmlabError as exc:  # e.g. it vanished meanwhile: note it, go on
                c.failed.append(f"{attempt(obj.name, default='?')}: {exc.message}")
    return c


def stop_running(conn: Any, cleanup: Cleanup | None = None) -> Cleanup:
    """Stop (never undefine) the learner's running domains and networks.

    Used before kvmlab's own daemon goes down: their QEMU and dnsmasq live in the lab's
    namespace, which is about to vanish. Their definitions stay for the next `lab up`.
    """
    c = cleanup or Cleanup()
    v = virconn_of(conn)
    for dom in v.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
        kept = "kept its definition" if dom.isPersistent() else "it was transient, so it is gone"
        if c.step(f"destroy domain {dom.name()}", f"conn.lookupByName('{dom.name()}').destroy()", dom.destroy):
            c.done.append(f"Domain '{dom.name()}' stopped ({kept})")
    for net in v.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE):
        if c.step(f"destroy network {net.name()}", f"conn.networkLookupByName('{net.name()}').destroy()", net.destroy):
            c.done.append(f"Network {net.name()} stopped (kept its definition)")
    return c
