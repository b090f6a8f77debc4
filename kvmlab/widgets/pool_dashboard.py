"""PoolDashboard: the storage pools libvirt knows, and the pool-* commands as buttons."""

from __future__ import annotations

from html import escape

from ..ops.result import Result
from ..units import pretty_capacity
from ..i18n import N_
from .board import Action, Board

__all__ = ["PoolDashboard", "POOL_ACTIONS"]

POOL_ACTIONS = (
    Action("build", N_("build"), "pool-build", lambda c, n: c.pool_build(n),
           N_("virsh pool-build: make the pool's storage (for a dir pool: mkdir the target path)")),
    Action("start", N_("start"), "pool-start", lambda c, n: c.pool_start(n),
           N_("virsh pool-start: activate the pool so its volumes can be listed and used"), "success"),
    Action("destroy", N_("destroy"), "pool-destroy", lambda c, n: c.pool_destroy(n),
           N_("virsh pool-destroy: deactivate the pool (no data is deleted)"), "warning"),
    Action("autostart", N_("autostart"), "pool-autostart", lambda c, n: c.pool_autostart(n),
           N_("virsh pool-autostart: activate it when the host boots (once per boot, not at a daemon restart)")),
    Action("no_autostart", N_("no autostart"), "pool-autostart --disable",
           lambda c, n: c.pool_autostart(n, disable=True), "virsh pool-autostart --disable"),
    Action("info", N_("info"), "pool-info", lambda c, n: c.pool_info(n),
           N_("virsh pool-info: state, autostart, capacity, allocation, available")),
    Action("dumpxml", N_("XML"), "pool-dumpxml", lambda c, n: c.pool_dumpxml(n), "virsh pool-dumpxml"),
    Action("undefine", N_("undefine"), "pool-undefine", lambda c, n: c.pool_undefine(n),
           N_("virsh pool-undefine: forget the pool's definition (stop it first; files stay)"), "danger"),
)  # fmt: skip


class PoolDashboard(Board):
    """Every storage pool (``virsh pool-list --all --details``) with pool-* buttons; refreshed after
    its own actions and on libvirt's storage-pool lifecycle events.

        pools = PoolDashboard(conn)
        pools.row("iso").start_button.click()
    """

    kind = "pool"
    title = N_("Storage pools (virsh pool-list --all --details)")
    actions = POOL_ACTIONS
    state_width = "28em"  # "running, autostart yes, 88.00 GiB free of 100.00 GiB" on one line

    def read(self) -> tuple[Result, list[tuple[str, str]]]:
        listing = self.conn.pool_list(all=True, details=True)
        items = []
        for pool in listing.pools:
            auto = "?" if pool.autostart is None else "yes" if pool.autostart else "no"
            state = f"{pool.state}, autostart {auto}"
            if pool.capacity is not None:
                state += f", {pretty_capacity(pool.available or 0)} free of {pretty_capacity(pool.capacity)}"
            items.append((pool.name, state))
        return listing, items

    def badge(self, state: str) -> str:
        colour = "#2a2" if state.startswith("running") else "#888"
        return f"<span style='color:{colour}'>● {escape(state)}</span>"
