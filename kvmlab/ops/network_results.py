"""Result objects of the network commands: virsh's text plus typed fields a notebook can use."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..render import escape, html_table, virsh_table
from .result import Info, Listing, Message, Table, Xml, yes_no

__all__ = ["NetworkRow", "NetList", "NetInfo", "NetMessage", "NetXml", "Lease", "LeaseList"]

LIST_HEADER = ("Name", "State", "Autostart", "Persistent")


@dataclass(frozen=True)
class NetworkRow:
    """One network as net-list sees it. ``autostart`` is None when libvirt could not tell."""

    name: str
    uuid: str
    active: bool
    autostart: bool | None
    persistent: bool

    def cells(self) -> tuple[str, str, str, str]:
        auto = "no autostart" if self.autostart is None else "yes" if self.autostart else "no"
        return (self.name, "active" if self.active else "inactive", auto, "yes" if self.persistent else "no")


@dataclass
class NetList(Listing):
    """``virsh net-list``: a table, or one name / UUID a line (``--name`` / ``--uuid``)."""

    items_field = "networks"
    l10n_columns = (1, 2, 3)  # active/inactive, yes/no

    networks: list[NetworkRow] = field(default_factory=list)
    mode: str = "table"  # "table", "name" or "uuid"

    def __post_init__(self) -> None:
        self.header = LIST_HEADER
        self.rows = [n.cells() for n in self.networks]

    @property
    def uuids(self) -> list[str]:
        return [n.uuid for n in self.networks]

    def text(self) -> str:
        if self.mode == "name":
            return "".join(f"{n}\n" for n in self.names)
        if self.mode == "uuid":
            return "".join(f"{u}\n" for u in self.uuids)
        return virsh_table(*self.localized())

    def body_html(self) -> str:
        if self.mode == "table":
            return html_table(*self.localized())
        column = "Name" if self.mode == "name" else "UUID"
        values = self.names if self.mode == "name" else self.uuids
        return html_table((column,), [(v,) for v in values])


@dataclass(repr=False)  # Info's repr: with the label lines, as notebooks show
class NetInfo(Info):
    """``virsh net-info``. ``bridge`` is None for a network without a bridge of its own; a value that
    is None is one libvirt could not tell (virsh then prints no line, or ``unknown``)."""

    name: str = ""
    uuid: str | None = None
    active: bool | None = None
    persistent: bool | None = None
    autostart: bool | None = None
    bridge: str | None = None

    l10n_values = frozenset({"Active:", "Persistent:", "Autostart:"})

    def lines(self) -> list[tuple[str, str]]:
        """cmdNetworkInfo's lines, in its order."""
        out = [("Name:", self.name)]
        if self.uuid is not None:
            out.append(("UUID:", self.uuid))
        if self.active is not None:
            out.append(("Active:", yes_no(self.active)))
        out.append(("Persistent:", yes_no(self.persistent)))
        out.append(("Autostart:", yes_no(self.autostart, "no autostart")))
        if self.bridge is not None:
            out.append(("Bridge:", self.bridge))
        return out


@dataclass
class NetMessage(Message):
    """A confirmation line (``Network default started``); ``network`` is the network's real name."""

    network: str = ""

    l10n = True


@dataclass
class NetXml(Xml):
    """``virsh net-dumpxml``: the document (or the XPath selection) as virsh prints it."""

    network: str = ""

    def body_html(self) -> str:
        return f"<pre>{escape(self.text())}</pre>"


# -- net-dhcp-leases (ops.network_leases) -------------------------------------------------------------

@dataclass(frozen=True)
class Lease:
    """One DHCP lease: ``expiry`` is seconds since the epoch; ``address`` without the prefix."""

    expiry: int
    mac: str | None
    protocol: str | None
    address: str
    prefix: int
    hostname: str | None
    client_id: str | None
    interface: str | None = None

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefix}"

    @property
    def expiry_text(self) -> str:
        """virsh's ``%Y-%m-%d %H:%M:%S`` in the local time zone."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.expiry))

    def cells(self) -> tuple[str, ...]:
        return (self.expiry_text, self.mac or "-", self.protocol or "-", self.cidr, self.hostname or "-",
                self.client_id or "-")


@dataclass
class LeaseList(Table):
    """``virsh net-dhcp-leases``: one row a lease. ``.leases`` holds them; ``.by_mac(mac)`` finds one."""

    leases: list[Lease] = field(default_factory=list)
    network: str = ""

    l10n_columns = ()

    def __post_init__(self) -> None:
        self.header = ("Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID")
        self.rows = [lease.cells() for lease in self.leases]

    def by_mac(self, mac: str) -> list[Lease]:
        return [lease for lease in self.leases if (lease.mac or "").lower() == mac.lower()]

    def __len__(self) -> int:
        return len(self.leases)
