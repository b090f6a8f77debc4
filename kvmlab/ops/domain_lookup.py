"""Finding a domain the way virsh does (virsh-util.c virshLookupDomainInternal)."""

from __future__ import annotations

import libvirt

from ..i18n import _
from .lookup import Way, first_found, name_ref, not_found, unreadable, uuid_sized
from .vsh import c_int

__all__ = ["BY_ID", "BY_UUID", "BY_NAME", "lookup_domain"]

# virshLookupDomainInternal's flags: which ways a <domain> argument may be read
BY_ID, BY_UUID, BY_NAME = 1, 2, 4

def lookup_domain(
    virconn: libvirt.virConnect, ref: object, api: list[str], by: int = BY_ID | BY_UUID | BY_NAME
) -> libvirt.virDomain:
    """Look ``ref`` up by id, then UUID (36 characters), then name, as virsh does.

    Appends the successful libvirt call to ``api``.

    Raises:
        InvalidInput: ``ref`` is empty.
        NotFound: nothing matched (virsh: ``failed to get domain 'ref'``, without libvirt's reason).
    """
    name = name_ref(ref, "domain")
    ways: list[Way] = []
    readable = not unreadable(name)  # else no id, UUID or name matches: virsh's one line below
    num = c_int(name) if by & BY_ID and readable else None
    if num is not None and num >= 0:
        ways.append((virconn.lookupByID, num, "dom = conn.lookupByID"))
    if by & BY_UUID and uuid_sized(name) and readable:
        ways.append((virconn.lookupByUUIDString, name, "dom = conn.lookupByUUIDString"))
    if by & BY_NAME and readable:
        ways.append((virconn.lookupByName, name, "dom = conn.lookupByName"))
    dom, _err = first_found(ways, api)
    if dom is not None:
        return dom
    tried = _(" or ").join(w for bit, w in ((BY_ID, "id"), (BY_UUID, "UUID"), (BY_NAME, "name")) if by & bit)
    raise not_found(
        f"failed to get domain '{name}'",
        _("no domain has that {tried}; list them with `virsh list --all` (kvmlab: conn.list(all=True))").format(
            tried=tried) + (_("; `start` takes a name or UUID, never an id") if by == BY_UUID | BY_NAME else ""),
    )
