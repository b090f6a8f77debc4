"""Dashboard: the domains libvirt knows, their state, and the virsh lifecycle commands as buttons."""

from __future__ import annotations

from html import escape

from ..ops.result import Result
from ..i18n import N_
from .board import Action, Board

__all__ = ["Dashboard", "DOMAIN_ACTIONS"]

DOMAIN_ACTIONS = (
    Action("start", N_("start"), "start", lambda c, n: c.start(n),
           N_("virsh start: boot a defined domain that is shut off"), "success"),
    Action("shutdown", N_("shutdown"), "shutdown", lambda c, n: c.shutdown(n),
           N_("virsh shutdown: ask the guest OS to power off (graceful, like the power button)")),
    Action("destroy", N_("destroy"), "destroy", lambda c, n: c.destroy(n),
           N_("virsh destroy: pull the plug (forced stop; the definition stays)"), "warning"),
    Action("suspend", N_("suspend"), "suspend", lambda c, n: c.suspend(n),
           N_("virsh suspend: pause the vCPUs; memory stays allocated")),
    Action("resume", N_("resume"), "resume", lambda c, n: c.resume(n),
           N_("virsh resume: let a paused domain run again")),
    Action("reboot", N_("reboot"), "reboot", lambda c, n: c.reboot(n),
           N_("virsh reboot: ask the guest OS to restart")),
    Action("undefine", N_("undefine"), "undefine", lambda c, n: c.undefine(n),
           N_("virsh undefine: delete the definition (a running domain keeps running, transient)"), "danger"),
)  # fmt: skip

_STATE_COLOURS = {"running": "#2a2", "paused": "#c80", "shut off": "#888", "crashed": "#a00"}


def state_badge(state: str) -> str:
    colour = _STATE_COLOURS.get(state, "#555")
    return f"<span style='color:{colour}'>● {escape(state)}</span>"


class Dashboard(Board):
    """Every domain (``virsh list --all``) with start / shutdown / destroy / suspend / resume /
    reboot / undefine buttons. It refreshes after its own actions and on libvirt's domain
    lifecycle events, so a change made elsewhere (virsh, another notebook cell) shows up too.
    Call ``kvmlab.widgets.start_events()`` before ``kvmlab.connect()``: a remote connection
    (``qemu:///system``) only delivers events reliably when it was opened with the loop running.

        dash = Dashboard(conn)
        dash.row("web01").suspend_button.click()
        dash.row("web01").state_label.value      # '… paused'
    """

    kind = "domain"
    title = N_("Domains (virsh list --all)")
    actions = DOMAIN_ACTIONS

    def read(self) -> tuple[Result, list[tuple[str, str]]]:
        listing = self.conn.list(all=True)
        return listing, [(d.name, d.state) for d in listing.domains]

    def badge(self, state: str) -> str:
        return state_badge(state)
