"""Results of virsh's commands for reaching a guest (commands_monitor): its cards and disks (domiflist,
domblklist), addresses (domifaddr), names (domid, domuuid, domname) and state (domstate).

They load with the first of those commands: `kvmlab virsh list` needs none of these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render.l10n import catalog, tr
from .result import Message, Result, Table
from .vsh import c_pad

__all__ = ["InterfaceRow", "InterfaceList", "DiskRow", "DiskList", "IfAddress", "IfAddresses", "DomainState",
           "DomainIdentity"]


# -- domiflist, domblklist (ops.domain_devices) ----------------------------------------------------

@dataclass(frozen=True)
class InterfaceRow:
    """One ``<interface>``: ``target`` is the host-side device (vnet0), None until the guest runs."""

    target: str | None
    type: str
    source: str | None
    model: str | None
    mac: str | None

    def cells(self) -> tuple[str, ...]:
        return (self.target or "-", self.type, self.source or "-", self.model or "-", self.mac or "-")


@dataclass
class InterfaceList(Table):
    """``virsh domiflist``: Interface, Type, Source, Model, MAC. ``.interfaces`` holds the rows."""

    interfaces: list[InterfaceRow] = field(default_factory=list)

    l10n_columns = ()

    def __post_init__(self) -> None:
        self.header = ("Interface", "Type", "Source", "Model", "MAC")
        self.rows = [i.cells() for i in self.interfaces]

    @property
    def macs(self) -> list[str]:
        return [i.mac for i in self.interfaces if i.mac]


@dataclass(frozen=True)
class DiskRow:
    """One ``<disk>``: ``target`` is the guest's device name (vda), ``source`` the file or device."""

    type: str
    device: str
    target: str
    source: str | None


@dataclass
class DiskList(Table):
    """``virsh domblklist [--details]``: Target and Source (with --details also Type and Device)."""

    disks: list[DiskRow] = field(default_factory=list)
    details: bool = False

    l10n_columns = ()

    def __post_init__(self) -> None:
        self.header = ("Type", "Device", "Target", "Source") if self.details else ("Target", "Source")
        self.rows = [(d.type, d.device, d.target, d.source or "-") if self.details else (d.target, d.source or "-")
                     for d in self.disks]  # fmt: skip

    @property
    def targets(self) -> list[str]:
        return [d.target for d in self.disks]


# -- domifaddr (ops.domain_address) ------------------------------------------------------------------

# cmdDomIfAddr's header (each word and each dash run through _(), padded by bytes)
_HEADER = " %s %s %s     %s\n%s%s\n" % (c_pad("Name", 10), c_pad("MAC address", 20), c_pad("Protocol", 8), "Address",
                                        "-" * 49, "-" * 30)  # fmt: skip


def _header() -> str:
    if catalog() is None:
        return _HEADER
    return " %s %s %s     %s\n%s%s\n" % (c_pad(tr("Name"), 10), c_pad(tr("MAC address"), 20),
                                          c_pad(tr("Protocol"), 8), tr("Address"), tr("-" * 49), tr("-" * 30))


@dataclass(frozen=True)
class IfAddress:
    """One address of one card: ``protocol`` is ``ipv4``/``ipv6``; ``address`` without the prefix."""

    interface: str
    mac: str | None
    protocol: str | None
    address: str
    prefix: int

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefix}"


@dataclass
class IfAddresses(Result):
    """``virsh domifaddr``: each card with its addresses. ``.addresses`` lists them one by one;
    cards without an address are in ``.no_address`` (virsh prints ``N/A`` for them)."""

    cards: list[tuple[str, str | None, list[IfAddress]]] = field(default_factory=list)
    full: bool = False
    source: str = "lease"

    @property
    def addresses(self) -> list[IfAddress]:
        return [a for _, _, addrs in self.cards for a in addrs]

    @property
    def no_address(self) -> list[str]:
        return [name for name, _, addrs in self.cards if not addrs]

    def text(self) -> str:
        out = [_header()]
        for name, mac, addrs in self.cards:
            if not addrs:
                out.append(f" {c_pad(name, 10)} {c_pad(mac or 'N/A', 17)}    {c_pad('N/A', 12)} N/A\n")
                continue
            for j, a in enumerate(addrs):
                proto = c_pad(a.protocol if a.protocol is not None else "(null)", 12)
                first = self.full or j == 0
                out.append(f" {c_pad(name if first else '-', 10)} {c_pad((mac or '') if first else '-', 17)}    "
                           f"{proto} {a.cidr}\n")
        return "".join(out)


# -- domstate, domid, domuuid, domname (ops.domain_ids) ---------------------------------------------

@dataclass
class DomainState(Message):
    """``virsh domstate [--reason]``: ``state`` is virsh's word, ``reason`` the reason's word."""

    name: str = ""
    state: str = ""
    reason: str = ""
    state_code: int = 0
    reason_code: int = 0
    show_reason: bool = False

    def __post_init__(self) -> None:
        self.message = f"{self.state} ({self.reason})" if self.show_reason else self.state

    def text(self) -> str:
        # virsh translates the state and the reason words one by one
        if catalog() is None:
            return super().text()
        return (f"{tr(self.state)} ({tr(self.reason)})" if self.show_reason else tr(self.state)) + "\n"


@dataclass
class DomainIdentity(Message):
    """``domid`` / ``domuuid`` / ``domname``: the one line virsh prints, and the domain's real name."""

    name: str = ""
    value: str = ""

    def __post_init__(self) -> None:
        self.message = self.value
