"""Domain operations: virsh list, define, create, start, dominfo, … on libvirt-python."""

from __future__ import annotations

import libvirt

from ..errors import NotFound, libvirt_errors
from .result import Table

__all__ = ["DomainOps", "STATE_NAMES"]

# virsh's names for virDomainState (virshDomainStateToString)
STATE_NAMES = {
    libvirt.VIR_DOMAIN_NOSTATE: "no state",
    libvirt.VIR_DOMAIN_RUNNING: "running",
    libvirt.VIR_DOMAIN_BLOCKED: "idle",
    libvirt.VIR_DOMAIN_PAUSED: "paused",
    libvirt.VIR_DOMAIN_SHUTDOWN: "in shutdown",
    libvirt.VIR_DOMAIN_SHUTOFF: "shut off",
    libvirt.VIR_DOMAIN_CRASHED: "crashed",
    libvirt.VIR_DOMAIN_PMSUSPENDED: "pmsuspended",
}


class DomainOps:
    """Mixin for kvmlab.Connection: the domain commands of virsh."""

    virconn: libvirt.virConnect

    def _domain(self, ref: str) -> libvirt.virDomain:
        """Look a domain up as virsh does: by id, then UUID, then name."""
        ref = str(ref)
        if ref.isdigit():
            try:
                return self.virconn.lookupByID(int(ref))
            except libvirt.libvirtError:
                pass
        if len(ref) == 36:
            try:
                return self.virconn.lookupByUUIDString(ref)
            except libvirt.libvirtError:
                pass
        try:
            return self.virconn.lookupByName(ref)
        except libvirt.libvirtError as exc:
            raise NotFound(
                f"failed to get domain '{ref}'",
                hint="list the domains with `virsh list --all` (kvmlab: conn.list(all=True))",
            ) from exc

    def list(self, all: bool = False, inactive: bool = False) -> Table:
        """virsh list [--all | --inactive]: running (and paused) domains, or all of them."""
        flags = 0
        if inactive:
            flags = libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE
        elif not all:
            flags = libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE
        with libvirt_errors("Failed to list domains"):
            doms = self.virconn.listAllDomains(flags)
            rows = []
            for dom in doms:
                state = dom.state()[0]
                rows.append((dom.ID(), dom.name(), STATE_NAMES.get(state, "unknown")))
        # virsh: active domains by id, then inactive ones by name
        rows.sort(key=lambda r: (r[0] < 0, r[0] if r[0] >= 0 else 0, r[1]))
        rows = [("-" if i < 0 else str(i), n, s) for i, n, s in rows]
        opt = " --inactive" if inactive else " --all" if all else ""
        return Table(
            header=("Id", "Name", "State"),
            rows=rows,
            virsh=f"virsh list{opt}",
            api=[f"conn.listAllDomains({_flag_names(flags)})", "dom.ID(); dom.name(); dom.state()  # per domain"],
        )


def _flag_names(flags: int) -> str:
    if flags == libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE:
        return "libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE"
    if flags == libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE:
        return "libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE"
    return "0"
