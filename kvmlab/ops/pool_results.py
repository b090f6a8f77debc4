"""Typed results of the pool and volume commands: the data, virsh's exact text, the notebook table."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from .result import Fields, Listing, Message

__all__ = [
    "PoolSummary",
    "PoolList",
    "PoolInfo",
    "PoolMessage",
    "VolSummary",
    "VolList",
    "VolInfo",
    "VolMessage",
]


@dataclass
class PoolSummary:
    """One pool as pool-list sees it. Sizes are bytes, ``None`` while the pool is not running."""

    name: str
    uuid: str
    active: bool
    state: str  # virsh's --details state: inactive, building, running, degraded, inaccessible
    autostart: bool | None  # None: libvirt could not tell
    persistent: bool | None
    capacity: int | None = None
    allocation: int | None = None
    available: int | None = None


@dataclass
class PoolList(Listing):
    """pool-list: a table (``--details`` adds columns) or bare ``--uuid`` / ``--name`` lines."""

    items_field = "pools"

    pools: list[PoolSummary] = field(default_factory=list)
    uuid_lines: bool = False
    name_lines: bool = False

    def text(self) -> str:
        if not (self.uuid_lines or self.name_lines):
            return super().text()
        out = []
        for p in self.pools:  # virsh: "%-36s%c" then "%-20s\n"
            if self.uuid_lines:
                out.append(f"{p.uuid:<36}" + (" " if self.name_lines else "\n"))
            if self.name_lines:
                out.append(f"{p.name:<20}\n")
        return "".join(out)

    def body_html(self) -> str:
        if self.uuid_lines or self.name_lines:
            return f"<pre>{escape(self.text())}</pre>"
        return super().body_html()


@dataclass
class PoolInfo(Fields):
    """pool-info. Sizes are bytes (``None`` when the pool is not running)."""

    name: str = ""
    uuid: str = ""
    state: str = ""
    persistent: bool | None = None
    autostart: bool | None = None
    capacity: int | None = None
    allocation: int | None = None
    available: int | None = None


@dataclass
class PoolMessage(Message):
    """A pool command's one-line confirmation; ``pool`` is the pool's name."""

    pool: str = ""


@dataclass
class VolSummary:
    """One volume as vol-list --details sees it. Sizes are bytes; ``None`` if libvirt could not tell."""

    name: str
    path: str
    type: str | None = None
    capacity: int | None = None
    allocation: int | None = None


@dataclass
class VolList(Listing):
    """vol-list [--details]."""

    items_field = "volumes"

    pool: str = ""
    volumes: list[VolSummary] = field(default_factory=list)


@dataclass
class VolInfo(Fields):
    """vol-info. ``allocation`` is the physical size when asked with ``physical=True``."""

    name: str = ""
    type: str = ""
    capacity: int = 0
    allocation: int = 0


@dataclass
class VolMessage(Message):
    """A volume command's confirmation; ``vol`` as given, ``pool`` and ``path`` where known."""

    vol: str = ""
    pool: str = ""
    path: str = ""
