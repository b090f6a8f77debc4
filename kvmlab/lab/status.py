"""`lab status`: what runs, where, and what belongs to the lab — one Fields result."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import libvirt

from ..errors import attempt
from ..ops.result import Fields, Result
from ..states import state_name
from .ownership import owned_domains, owned_networks, owned_pools
from .probe import cached_verdict  # imported now: a session-mode caller may drop privileges later

__all__ = ["LabStatus", "LabReport", "accelerator", "probe_verdict", "inventory_fields"]


@dataclass
class LabStatus(Fields):
    """The lab's state. ``str()`` prints ``Label:  value`` lines; ``notes`` explain the mode.

    Attributes:
        mode: ``netns`` (kvmlab's own libvirtd in its namespace), ``system`` (a libvirtd kvmlab
            did not start), ``session`` (non-root: qemu:///session) or ``down``.
        uri: the URI to pass to kvmlab.connect() (None when the lab is down).
        running: True when the URI answers.
    """

    mode: str = "down"
    uri: str | None = None
    running: bool = False
    libvirtd_pid: int | None = None
    virtlogd_pid: int | None = None
    netns: str | None = None
    accel: str | None = None  # "kvm" or "tcg" (QEMU connections only)
    domains: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    pools: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        return super().text() + "".join(f"note: {n}\n" for n in self.notes)

    def body_html(self) -> str:
        return super().body_html() + "".join(f"<div><i>note:</i> {escape(n)}</div>" for n in self.notes)


def accelerator(v: libvirt.virConnect) -> tuple[str, str]:
    """(``kvm`` or ``tcg``, why) as libvirt sees it: can it give guests /dev/kvm?

    The same question `virsh domcapabilities --virttype kvm` answers. In a nested VM /dev/kvm can
    open and still hang a guest: the guest helper's probe (which boots one) has the last word.
    """
    if attempt(v.getDomainCapabilities, None, None, None, "kvm", 0) is None:
        return "tcg", "libvirt offers no KVM here: QEMU emulates the CPU in software"
    return "kvm", "libvirt offers KVM (/dev/kvm); kvmlab.lab.probe.probe() boots a guest to be sure"


def probe_verdict() -> tuple[str, str] | None:
    """(accel, reason) from the probe's cached verdict on this machine, without running it."""
    v = cached_verdict()
    if v is None or v.accel not in ("kvm", "tcg"):
        return None
    return v.accel, v.reason if v.host == "env" else f"probe: {v.reason}"


def _describe(items: list[str]) -> str:
    return ", ".join(items) if items else "(none)"


def inventory_fields(st: LabStatus, v: libvirt.virConnect) -> None:
    """Fill the lab's domains, networks and pools (with their states) from the connection."""
    st.domains = [f"{d.name()} ({state_name(d.state()[0])})" for d in owned_domains(v)]
    st.networks = [f"{n.name()} ({'active' if n.isActive() else 'inactive'})" for n in owned_networks(v)]
    st.pools = [f"{p.name()} ({'active' if p.isActive() else 'inactive'})" for p in owned_pools(v)]
    why = "n/a (not a QEMU connection)"
    if v.getType() == "QEMU":
        local = st.mode in ("netns", "system", "session")
        st.accel, why = (local and probe_verdict()) or accelerator(v)
        why = f"{st.accel.upper()} ({why})"
    st.fields += [
        ("Accelerator:", why),
        ("Lab domains:", _describe(st.domains)),
        ("Lab networks:", _describe(st.networks)),
        ("Lab pools:", _describe(st.pools)),
    ]


@dataclass
class LabReport(Result):
    """What `lab up`, `lab down` or `lab reset` did: one line per step, then any notes."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines) + "".join(f"note: {n}\n" for n in self.notes)

    def body_html(self) -> str:
        items = "".join(f"<li>{escape(x)}</li>" for x in self.lines)
        notes = "".join(f"<div><i>note:</i> {escape(n)}</div>" for n in self.notes)
        return f"<ul>{items}</ul>{notes}"
