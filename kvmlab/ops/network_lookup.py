"""Finding a network the way virsh does (virshCommandOptNetworkBy)."""

from __future__ import annotations

import libvirt

from ..i18n import N_, _
from .lookup import Way, first_found, name_ref, not_found, unreadable, uuid_sized

__all__ = ["lookup_network", "LIST_HINT"]

LIST_HINT = N_("list the networks with `virsh net-list --all` (kvmlab: conn.net_list(all=True))")


def lookup_network(virconn: libvirt.virConnect, ref: str, api: list[str]) -> libvirt.virNetwork:
    """Find a network as virsh does (UUID if 36 bytes long, then name); append the call to ``api``.

    Raises:
        InvalidInput: ``ref`` is empty.
        NotFound: no such network (virsh's two lines: its own, then libvirt's).
    """
    ref = name_ref(ref, "network")
    failed = f"failed to get network '{ref}'"
    if unreadable(ref):
        raise not_found(failed, _("no network is called '{name}': {hint}").format(name=ref, hint=_(LIST_HINT)), unmatched=(
            f"Network not found: no network with matching name '{ref}'", libvirt.VIR_ERR_NO_NETWORK))
    ways: list[Way] = []
    if uuid_sized(ref):  # virsh then tries the name; only that error is shown
        ways.append((virconn.networkLookupByUUIDString, ref, "net = conn.networkLookupByUUIDString"))
    ways.append((virconn.networkLookupByName, ref, "net = conn.networkLookupByName"))
    net, last = first_found(ways, api)
    if net is None:
        raise not_found(failed, _("no network is called '{name}': {hint}").format(name=ref, hint=_(LIST_HINT)),
                        last) from last
    return net
