"""NetworkDashboard: the virtual networks libvirt knows, and the net-* commands as buttons."""

from __future__ import annotations

from html import escape

from ..ops.result import Result
from ..i18n import N_
from .board import Action, Board

__all__ = ["NetworkDashboard", "NETWORK_ACTIONS"]

NETWORK_ACTIONS = (
    Action("start", N_("start"), "net-start", lambda c, n: c.net_start(n),
           N_("virsh net-start: bring a defined network up (its bridge, and dnsmasq for DHCP)"), "success"),
    Action("destroy", N_("destroy"), "net-destroy", lambda c, n: c.net_destroy(n),
           N_("virsh net-destroy: stop the network (the definition stays)"), "warning"),
    Action("autostart", N_("autostart"), "net-autostart", lambda c, n: c.net_autostart(n),
           N_("virsh net-autostart: start this network when the host boots (once per boot, not at a daemon restart)")),
    Action("no_autostart", N_("no autostart"), "net-autostart --disable", lambda c, n: c.net_autostart(n, disable=True),
           N_("virsh net-autostart --disable: do not start it when the host boots")),
    Action("info", N_("info"), "net-info", lambda c, n: c.net_info(n),
           N_("virsh net-info: name, UUID, state, autostart, bridge")),
    Action("dumpxml", N_("XML"), "net-dumpxml", lambda c, n: c.net_dumpxml(n),
           N_("virsh net-dumpxml: the full configuration")),
    Action("undefine", N_("undefine"), "net-undefine", lambda c, n: c.net_undefine(n),
           N_("virsh net-undefine: delete the definition (stop it first with net-destroy)"), "danger"),
)  # fmt: skip


class NetworkDashboard(Board):
    """Every network (``virsh net-list --all``) with its state and net-* buttons; refreshed after
    its own actions and on libvirt's network lifecycle events.

        nets = NetworkDashboard(conn)
        nets.row("isolated").start_button.click()
        nets.state("isolated")     # 'active, autostart no, persistent'
    """

    kind = "network"
    title = N_("Virtual networks (virsh net-list --all)")
    actions = NETWORK_ACTIONS
    state_width = "18.5em"  # "inactive, autostart yes, persistent" on one line

    def read(self) -> tuple[Result, list[tuple[str, str]]]:
        listing = self.conn.net_list(all=True)
        items = []
        for net in listing.networks:
            auto = "?" if net.autostart is None else "yes" if net.autostart else "no"
            state = f"{'active' if net.active else 'inactive'}, autostart {auto}, "
            state += "persistent" if net.persistent else "transient"
            items.append((net.name, state))
        return listing, items

    def badge(self, state: str) -> str:
        colour = "#2a2" if state.startswith("active") else "#888"
        return f"<span style='color:{colour}'>● {escape(state)}</span>"
