"""Finding a network the way virsh does (virshCommandOptNetworkBy)."""

from __future__ import annotations

import libvirt

from .lookup import Way, first_found, not_found, uuid_sized
from .vsh import require_option

__all__ = ["lookup_network", "LIST_HINT"]

LIST_HINT = "list the networks with `virsh net-list --all` (kvmlab: conn.net_list(all=True))"


def lookup_network(virconn: libvirt.virConnect, ref: str, api: list[str]) -> libvirt.virNetwork:
    """Find a network as virsh does (UUID if 36 bytes long, then name); append the call to ``api``.

    Raises:
        InvalidInput: ``ref`` is empty.
        NotFound: no such network (virsh's two lines: its own, then libvirt's).
    """
    ref = require_option(ref, "network")
    ways: list[Way] = []
    if uuid_sized(ref):  # virsh then tries the name; only that error is shown
        ways.append((lambda: virconn.networkLookupByUUIDString(ref), f"net = conn.networkLookupByUUIDString({ref!r})"))
    ways.append((lambda: virconn.networkLookupByName(ref), f"net = conn.networkLookupByName({ref!r})"))
    net, last = first_found(ways, api)
    if net is None:
        raise not_found(f"failed to get network '{ref}'", f"no network is called '{ref}': {LIST_HINT}", last) from last
    return net
