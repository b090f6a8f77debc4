"""Finding a domain the way virsh does (virsh-util.c), and the small helpers every domain command shares."""

from __future__ import annotations

import re
import shlex
from typing import Sequence

import libvirt

from ..errors import InvalidInput, KvmlabError, NotFound, map_libvirt_error

__all__ = [
    "BY_ID",
    "BY_UUID",
    "BY_NAME",
    "c_int",
    "STATE_NAMES",
    "state_name",
    "require_value",
    "lookup_domain",
    "cmdline",
    "libvirt_failure",
]

# virshLookupDomainInternal's flags: which ways a <domain> argument may be read
BY_ID, BY_UUID, BY_NAME = 1, 2, 4

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

# virStrToLong_i: strtol base 10 over the whole string (leading blanks and a sign allowed)
_C_INT = re.compile(r"^[ \t\n\v\f\r]*([+-]?\d+)$")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def state_name(state: int) -> str:
    return STATE_NAMES.get(state, "no state")


def require_value(value: object, option: str) -> str:
    """vshCommandOptStringReq: an option given as ``''`` is an error virsh reports before anything else."""
    text = "" if value is None else str(value)
    if text == "":
        raise InvalidInput(
            f"Failed to get option '{option}': Option argument is empty",
            hint=f"give --{option} a value (an empty string is refused)",
        )
    return text


def c_int(text: str) -> int | None:
    """virStrToLong_i: the whole string as a C int, or None."""
    m = _C_INT.match(text)
    if not m:
        return None
    value = int(m.group(1))
    return value if _INT_MIN <= value <= _INT_MAX else None


def lookup_domain(
    virconn: libvirt.virConnect, ref: object, api: list[str], by: int = BY_ID | BY_UUID | BY_NAME
) -> libvirt.virDomain:
    """Look ``ref`` up by id, then UUID (36 characters), then name, as virsh does.

    Appends the successful libvirt call to ``api``.

    Raises:
        InvalidInput: ``ref`` is empty.
        NotFound: nothing matched (virsh: ``failed to get domain 'ref'``).
    """
    name = require_value(ref, "domain")
    if by & BY_ID:
        num = c_int(name)
        if num is not None and num >= 0:
            try:
                dom = virconn.lookupByID(num)
                api.append(f"dom = conn.lookupByID({num})")
                return dom
            except libvirt.libvirtError:
                pass
    if by & BY_UUID and len(name.encode()) == 36:
        try:
            dom = virconn.lookupByUUIDString(name)
            api.append(f"dom = conn.lookupByUUIDString({name!r})")
            return dom
        except libvirt.libvirtError:
            pass
    if by & BY_NAME:
        try:
            dom = virconn.lookupByName(name)
            api.append(f"dom = conn.lookupByName({name!r})")
            return dom
        except libvirt.libvirtError:
            pass
    ways = " or ".join(w for bit, w in ((BY_ID, "id"), (BY_UUID, "UUID"), (BY_NAME, "name")) if by & bit)
    raise NotFound(
        f"failed to get domain '{name}'",
        hint=f"no domain has that {ways}; list them with `virsh list --all` (kvmlab: conn.list(all=True))"
        + ("; `start` takes a name or UUID, never an id" if by == BY_UUID | BY_NAME else ""),
    )


def cmdline(command: str, *args: object, **flags: object) -> str:
    """``virsh command arg --flag --opt value`` for a result's ``.virsh``, shell-quoted."""
    words = ["virsh", command, *(shlex.quote(str(a)) for a in args)]
    for key, value in flags.items():
        if value is None or value is False:
            continue
        words.append("--" + key.replace("_", "-"))
        if value is not True:
            words.append(shlex.quote(str(value)))
    return " ".join(words)


def libvirt_failure(
    exc: libvirt.libvirtError, prefix: Sequence[str] = (), hint: str = "", cls: type[KvmlabError] | None = None
) -> KvmlabError:
    """Map a libvirtError (virsh prints ``prefix`` lines, then libvirt's message); ``cls`` overrides the class."""
    err = map_libvirt_error(exc, prefix, hint)
    if cls is not None and type(err) is not cls:
        code = getattr(err, "libvirt_code", None)
        err = cls(err.message, hint=err.hint, virsh_error=err.virsh_error)
        err.libvirt_code = code
    return err
