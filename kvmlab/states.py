"""Domain states in one table: virsh's word for each virDomainState, and libvirt's names for it.

``dom.state()`` returns ``(state, reason)`` as two numbers. virsh prints the state as a word
(virshDomainStateToString: "running", "shut off" …); the C API names it ``VIR_DOMAIN_SHUTOFF`` and
its reason ``VIR_DOMAIN_SHUTOFF_DESTROYED``. Every part of kvmlab that shows a state reads it here.
"""

from __future__ import annotations

import libvirt

__all__ = ["STATE_NAMES", "state_name", "state_constant", "reason_constant"]

# (the constant's suffix, virsh's word), in virDomainState's order
_STATES = (("NOSTATE", "no state"), ("RUNNING", "running"), ("BLOCKED", "idle"), ("PAUSED", "paused"),
           ("SHUTDOWN", "in shutdown"), ("SHUTOFF", "shut off"), ("CRASHED", "crashed"),
           ("PMSUSPENDED", "pmsuspended"))  # fmt: skip

# virsh's names for virDomainState (virshDomainStateToString)
STATE_NAMES: dict[int, str] = {getattr(libvirt, f"VIR_DOMAIN_{c}"): word for c, word in _STATES}
_CONSTANTS = {getattr(libvirt, f"VIR_DOMAIN_{c}"): f"VIR_DOMAIN_{c}" for c, _ in _STATES}

# Constants that share a state's prefix but are no reason for it: virDomainShutdownFlagValues
# (VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN …) and virDomainPMSuspendedDiskReason.
_NOT_REASONS = ("VIR_DOMAIN_SHUTDOWN_DEFAULT", "VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN", "VIR_DOMAIN_SHUTDOWN_GUEST_AGENT",
                "VIR_DOMAIN_SHUTDOWN_INITCTL", "VIR_DOMAIN_SHUTDOWN_SIGNAL", "VIR_DOMAIN_SHUTDOWN_PARAVIRT",
                "VIR_DOMAIN_PMSUSPENDED_DISK_")  # fmt: skip


def _reasons(constant: str) -> dict[int, str]:
    prefix = constant + "_"
    return {getattr(libvirt, n): n for n in dir(libvirt)
            if n.startswith(prefix) and not n.endswith("_LAST") and not n.startswith(_NOT_REASONS)}


# state -> {reason: its constant}, read from libvirt's ~2,000 names on the first reason_constant()
# (not at import: `kvmlab virsh list` never asks for a reason)
_REASONS: dict[int, dict[int, str]] = {}


def state_name(state: int) -> str:
    """virsh's word for ``state`` ("shut off"); "no state" for a number virsh does not know, as virsh."""
    return STATE_NAMES.get(state, "no state")


def state_constant(state: int) -> str:
    """libvirt's name for ``state`` (``VIR_DOMAIN_SHUTOFF``), or the number itself if it has none."""
    return _CONSTANTS.get(state, str(state))


def reason_constant(state: int, reason: int) -> str:
    """libvirt's name for ``reason`` of ``state`` (``VIR_DOMAIN_SHUTOFF_DESTROYED``), or the number."""
    if not _REASONS:
        _REASONS.update({s: _reasons(constant) for s, constant in _CONSTANTS.items()})
    return _REASONS.get(state, {}).get(reason, str(reason))
