"""Typed results of the volume commands (vol-list, vol-info, vol-create-as…): the data, virsh's text."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render.l10n import tr
from ..units import pretty_capacity
from .result import Info, Listing, Message, Result

__all__ = ["VolSummary", "VolList", "VolInfo", "VolMessage", "VolTransfer"]


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
    l10n_columns = (2,)  # the type word (--details)

    pool: str = ""
    volumes: list[VolSummary] = field(default_factory=list)


@dataclass(repr=False)  # Info's repr: with the label lines, as notebooks show
class VolInfo(Info):
    """vol-info. ``allocation`` is the physical size when asked with ``physical=True``; ``in_bytes``:
    virsh's ``--bytes`` (sizes printed as ``N bytes``)."""

    name: str = ""
    type: str = ""
    capacity: int = 0
    allocation: int = 0
    physical: bool = field(default=False, repr=False)
    in_bytes: bool = field(default=False, repr=False)

    l10n_values = frozenset({"Type:"})

    def lines(self) -> list[tuple[str, str]]:
        """cmdVolInfo's lines, in its order."""
        size = (lambda n: f"{n} {tr('bytes')}") if self.in_bytes else pretty_capacity
        return [("Name:", self.name), ("Type:", self.type), ("Capacity:", size(self.capacity)),
                ("Physical:" if self.physical else "Allocation:", size(self.allocation))]


@dataclass
class VolMessage(Message):
    """A volume command's confirmation; ``vol`` as given, ``pool`` and ``path`` where known."""

    vol: str = ""
    pool: str = ""
    path: str = ""

    l10n = True


# -- vol-upload, vol-download (ops.volume_transfer) ---------------------------------------------------

@dataclass
class VolTransfer(Result):
    """vol-upload / vol-download: virsh prints nothing; the result says how many bytes went where."""

    direction: str = ""  # "upload" or "download"
    vol: str = ""
    file: str = ""
    nbytes: int = 0
    offset: int = 0

    def text(self) -> str:
        return ""

    def body_html(self) -> str:
        from html import escape

        arrow = f"{self.file} → vol {self.vol}" if self.direction == "upload" else f"vol {self.vol} → {self.file}"
        return f"<div>{escape(f'{self.direction}: {self.nbytes} bytes, {arrow} (offset {self.offset})')}</div>"
