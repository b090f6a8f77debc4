"""A domain's three names and its state: ``domid``, ``domuuid``, ``domname``, ``domstate [--reason]``.

A domain has a *name* (yours), a *UUID* (libvirt's, for ever) and, only while it runs, an *id*
(the hypervisor's, a new one at each start). ``domid`` takes a name or UUID, ``domname`` an id or
UUID, ``domuuid`` an id or name (virsh-domain.c: each refuses the form it would print).
``domstate --reason`` adds *why* the domain is in its state ("shut off (destroyed)").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import Unsupported, libvirt_errors
from ..states import state_name
from .calls import virsh_line
from .domain_lookup import BY_ID, BY_NAME, BY_UUID, lookup_domain

if TYPE_CHECKING:
    from .monitor_results import DomainIdentity, DomainState

__all__ = ["DomainIdOps", "DomainState", "DomainIdentity", "REASONS", "reason_name"]

# The results (dataclasses) load with the first of these commands: `kvmlab virsh list` needs none.
_RESULTS = ("DomainState", "DomainIdentity")


def __getattr__(name: str):
    """kvmlab.ops.domain_ids.DomainState and its siblings, as before: they live in monitor_results."""
    if name in _RESULTS:
        from . import monitor_results

        return getattr(monitor_results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown


# virsh 9.0's words for each state's reasons (virsh-domain-monitor.c virshDomain*Reason), by state
REASONS: dict[int, tuple[str, ...]] = {
    libvirt.VIR_DOMAIN_NOSTATE: ("unknown",),
    libvirt.VIR_DOMAIN_RUNNING: ("unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
                                 "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy",
                                 "post-copy failed"),
    libvirt.VIR_DOMAIN_BLOCKED: ("unknown",),
    libvirt.VIR_DOMAIN_PAUSED: ("unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
                                "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up",
                                "post-copy", "post-copy failed"),
    libvirt.VIR_DOMAIN_SHUTDOWN: ("unknown", "user"),
    libvirt.VIR_DOMAIN_SHUTOFF: ("unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
                                 "from snapshot", "daemon"),
    libvirt.VIR_DOMAIN_CRASHED: ("unknown", "panicked"),
    libvirt.VIR_DOMAIN_PMSUSPENDED: ("unknown",),
}  # fmt: skip


def reason_name(state: int, reason: int) -> str:
    """virshDomainStateReasonToString: the reason's word, ``unknown`` for one virsh does not know."""
    words = REASONS.get(state, ())
    return words[reason] if 0 <= reason < len(words) else "unknown"


class DomainIdOps:
    """Mixin for kvmlab.Connection: ``domid``, ``domuuid``, ``domname``, ``domstate``."""

    virconn: libvirt.virConnect

    def domid(self, domain: str) -> DomainIdentity:
        """virsh domid: the running domain's id from its name or UUID (``-`` when it is shut off)."""
        from .monitor_results import DomainIdentity

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api, by=BY_NAME | BY_UUID)
        with libvirt_errors():
            num = dom.ID()
        api.append("dom.ID()")
        return DomainIdentity(name=dom.name(), value="-" if num < 0 else str(num), api=api,
                              virsh=lambda: virsh_line("domid", domain))

    def domuuid(self, domain: str) -> DomainIdentity:
        """virsh domuuid: the domain's UUID from its id or name."""
        from .monitor_results import DomainIdentity

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api, by=BY_ID | BY_NAME)
        with libvirt_errors("failed to get domain UUID"):
            uuid = dom.UUIDString()
        api.append("dom.UUIDString()")
        return DomainIdentity(name=dom.name(), value=uuid, api=api, virsh=lambda: virsh_line("domuuid", domain))

    def domname(self, domain: str) -> DomainIdentity:
        """virsh domname: the domain's name from its id or UUID."""
        from .monitor_results import DomainIdentity

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api, by=BY_ID | BY_UUID)
        with libvirt_errors():
            name = dom.name()
        api.append("dom.name()")
        return DomainIdentity(name=name, value=name, api=api, virsh=lambda: virsh_line("domname", domain))

    def domstate(self, domain: str, reason: bool = False) -> DomainState:
        """virsh domstate: the domain's state ("running", "shut off" …); ``reason=True`` adds why
        ("shut off (destroyed)": destroy; "shut off (shutdown)": the guest powered off)."""
        from .monitor_results import DomainState

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        try:
            with libvirt_errors():
                state, why = dom.state()
            api.append("state, reason = dom.state()")
        except Unsupported:  # virshDomainState: an old driver without virDomainGetState
            with libvirt_errors():
                state, why = dom.info()[0], 0
            api.append("state = dom.info()[0]")
        return DomainState(name=dom.name(), state=state_name(state), reason=reason_name(state, why),
                           state_code=state, reason_code=why, show_reason=reason, api=api,
                           virsh=lambda: virsh_line("domstate", domain, reason=reason))
