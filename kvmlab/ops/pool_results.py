"""Typed results of the pool commands: the data, virsh's exact text, the notebook table.
(The volume results are in volume_results.py.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render import escape
from ..units import pretty_capacity
from .result import Info, Listing, Message, yes_no

__all__ = ["PoolSummary", "PoolList", "PoolInfo", "PoolMessage"]


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
    l10n_columns = (1, 2, 3)  # the state word, yes/no

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


@dataclass(repr=False)  # Info's repr: with the label lines, as notebooks show
class PoolInfo(Info):
    """pool-info. Sizes are bytes (``None`` when the pool is not running); ``in_bytes``: virsh's
    ``--bytes`` (sizes printed as plain numbers)."""

    name: str = ""
    uuid: str = ""
    state: str = ""
    persistent: bool | None = None
    autostart: bool | None = None
    capacity: int | None = None
    allocation: int | None = None
    available: int | None = None
    in_bytes: bool = field(default=False, repr=False)

    l10n_values = frozenset({"State:", "Persistent:", "Autostart:"})

    def lines(self) -> list[tuple[str, str]]:
        """cmdPoolInfo's lines, in its order (the sizes only for a running pool)."""
        out = [("Name:", self.name), ("UUID:", self.uuid), ("State:", self.state),
               ("Persistent:", yes_no(self.persistent)), ("Autostart:", yes_no(self.autostart, "no autostart"))]
        if self.capacity is not None:
            for label, value in (("Capacity:", self.capacity), ("Allocation:", self.allocation),
                                 ("Available:", self.available)):
                out.append((label, str(value) if self.in_bytes else pretty_capacity(value or 0)))
        return out


@dataclass
class PoolMessage(Message):
    """A pool command's one-line confirmation; ``pool`` is the pool's name."""

    pool: str = ""

    l10n = True
