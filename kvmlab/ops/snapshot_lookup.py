"""Finding the snapshot a command names, as virsh does (virsh-snapshot.c virshLookupSnapshot):
by ``--snapshotname`` (or ``--from``), or the domain's current snapshot with ``--current``."""

from __future__ import annotations

import libvirt

from ..errors import InvalidInput, NotFound, libvirt_errors
from ..i18n import N_, _
from .lookup import unreadable
from .vsh import require_option

__all__ = ["snapshot_name", "lookup_snapshot", "NOT_FOUND_HINT"]

NOT_FOUND_HINT = N_("list the domain's snapshots with `virsh snapshot-list DOMAIN` (kvmlab: conn.snapshot_list(domain))")


def snapshot_name(value: object, option: str = "snapshotname") -> str | None:
    """A snapshot name as given to ``--option``: None when absent; text, not empty, without NUL.

    Raises:
        InvalidInput: not text, empty (virsh's own error), or holding NUL.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(_("expected a snapshot name as text for --{option}, got {type}: {value}").format(
            option=option, type=type(value).__name__, value=f"{value!r:.60}"),
                           hint=_("pass the snapshot's name as a str, e.g. 'clean'; virsh takes it as one word"))
    text = require_option(value, option)
    if "\0" in text:
        raise InvalidInput(_("the snapshot name {name} holds a NUL character").format(name=repr(text)),
                           hint=_("no snapshot name holds NUL (\\0): libvirt names are C strings"))
    return text


def lookup_snapshot(dom: libvirt.virDomain, name: object, current: bool, api: list[str], *,
                    option: str = "snapshotname", exclusive: bool = True) -> tuple[libvirt.virDomainSnapshot, str]:
    """The snapshot named ``name`` (``--option``), or with ``current`` the domain's current one.

    Returns the snapshot and its name; appends the libvirt call to ``api``.

    Raises:
        InvalidInput: both or neither of the name and ``current`` (virsh's words).
        NotFound: no such snapshot, or no current one (libvirt's words).
    """
    text = snapshot_name(name, option)
    if exclusive and current and text is not None:
        raise InvalidInput(f"--{option} and --current are mutually exclusive",  # i18n: virsh's own words
                           hint=_("name the snapshot with --{option} or take the current one with --current, not both")
                           .format(option=option))
    if text is not None:
        if unreadable(text):  # bytes that are not UTF-8: no snapshot is called so (libvirt keeps names as UTF-8)
            err = NotFound(f"Domain snapshot not found: no domain snapshot with matching name '{text}'", # i18n: libvirt's own words
                           hint=_(NOT_FOUND_HINT))
            err.libvirt_code = libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT
            raise err
        with libvirt_errors(hint=NOT_FOUND_HINT):
            snap = dom.snapshotLookupByName(text, 0)
        api.append(f"snap = dom.snapshotLookupByName({text!r}, 0)")
    elif current:
        with libvirt_errors(hint=N_("the domain has no current snapshot: take one with `virsh snapshot-create-as "
                                    "DOMAIN NAME`, or name one with --snapshotname")):
            snap = dom.snapshotCurrent(0)
        api.append("snap = dom.snapshotCurrent(0)")
    else:
        raise InvalidInput(f"--{option} or --current is required",  # i18n: virsh's own words
                           hint=_("name the snapshot (--{option} NAME, or as the second word) or use --current").format(
                               option=option))
    with libvirt_errors():
        return snap, snap.getName()
