"""Results of the domain commands: virsh's text, typed data for notebooks."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render import html_table
from .result import Fields, Listing, Message

__all__ = ["DomainMessage", "DomainRow", "DomainList", "DomInfo"]


@dataclass
class DomainMessage(Message):
    """A confirmation such as ``Domain 'web01' started``; ``name`` is the domain's real name."""

    name: str = ""


@dataclass(frozen=True)
class DomainRow:
    """One domain in ``virsh list``: ``id`` is None when it is not running."""

    id: int | None
    name: str
    uuid: str
    state: str
    title: str = ""

    @property
    def id_text(self) -> str:
        return "-" if self.id is None else str(self.id)


@dataclass
class DomainList(Listing):
    """``virsh list``: a table by default, or ``uuid id name`` lines with --uuid/--id/--name."""

    items_field = "domains"

    domains: list[DomainRow] = field(default_factory=list)
    table: bool = True
    title: bool = False
    show_uuid: bool = False
    show_id: bool = False
    show_name: bool = False

    def __post_init__(self) -> None:
        self.header = ("Id", "Name", "State", "Title") if self.title else ("Id", "Name", "State")
        self.rows = [
            (d.id_text, d.name, d.state, d.title) if self.title else (d.id_text, d.name, d.state)
            for d in self.domains
        ]

    @property
    def uuids(self) -> list[str]:
        return [d.uuid for d in self.domains]

    def _line_cells(self, d: DomainRow) -> list[str] | None:
        cells = []
        if self.show_uuid:
            cells.append(d.uuid)
        if self.show_id:
            if d.id is None and not (self.show_uuid or self.show_name):
                return None  # --id alone lists running domains only
            cells.append(d.id_text)
        if self.show_name:
            cells.append(d.name)
        return cells

    def text(self) -> str:
        if self.table:
            return super().text()
        lines = (self._line_cells(d) for d in self.domains)
        return "".join(" ".join(c) + "\n" for c in lines if c is not None)

    def body_html(self) -> str:
        if self.table:
            return super().body_html()
        header = [h for h, on in (("UUID", self.show_uuid), ("Id", self.show_id), ("Name", self.show_name)) if on]
        rows = [c for c in map(self._line_cells, self.domains) if c is not None]
        return html_table(header, rows)


@dataclass
class DomInfo(Fields):
    """``virsh dominfo``: the same lines, and each value typed.

    ``None`` means virsh printed no line or ``unknown`` (e.g. ``max_memory_kib`` is None for "no limit").
    """

    id: int | None = None
    name: str = ""
    uuid: str | None = None
    os_type: str | None = None
    state: str | None = None
    cpus: int | None = None
    cpu_time_s: float | None = None
    max_memory_kib: int | None = None
    used_memory_kib: int | None = None
    persistent: bool | None = None
    autostart: bool | None = None
    managed_save: bool | None = None
    security_model: str | None = None
    security_doi: str | None = None
    security_label: str | None = None
    security_enforcing: bool | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.id is not None
