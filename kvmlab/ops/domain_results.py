"""Results of the domain commands: virsh's text, typed data for notebooks."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render import html_table
from ..units import format_kib
from .result import Info, Listing, Message, yes_no

__all__ = ["DomainMessage", "DomainRow", "DomainList", "DomInfo"]


@dataclass
class DomainMessage(Message):
    """A confirmation such as ``Domain 'web01' started``; ``name`` is the domain's real name."""

    name: str = ""

    l10n = True  # virsh's _("Domain '%s' started\n") and friends


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
    l10n_columns = (2,)  # the state word

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


@dataclass(repr=False)  # Info's repr: with the label lines, as notebooks show
class DomInfo(Info):
    """``virsh dominfo``: each value typed; :meth:`lines` builds virsh's lines from them.

    ``None`` means virsh printed no line or ``unknown`` (e.g. ``max_memory_kib`` is None for "no limit";
    ``state`` None: libvirt could not say, so virsh printed none of State … Used memory).
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

    l10n_values = frozenset({"State:", "Max memory:", "Persistent:", "Autostart:", "Managed save:"})

    @property
    def running(self) -> bool:
        return self.id is not None

    def lines(self) -> list[tuple[str, str]]:
        """cmdDominfo's lines, in its order."""
        out = [("Id:", "-" if self.id is None else str(self.id)), ("Name:", self.name)]
        if self.uuid is not None:
            out.append(("UUID:", self.uuid))
        if self.os_type is not None:
            out.append(("OS Type:", self.os_type))
        if self.state is not None:  # virDomainGetInfo answered
            out += [("State:", self.state), ("CPU(s):", str(self.cpus))]
            if self.cpu_time_s is not None:
                out.append(("CPU time:", "%.1fs" % self.cpu_time_s))
            out.append(("Max memory:", "no limit" if self.max_memory_kib is None else format_kib(self.max_memory_kib)))
            out.append(("Used memory:", format_kib(self.used_memory_kib or 0)))
        out.append(("Persistent:", yes_no(self.persistent)))
        if self.autostart is not None:
            out.append(("Autostart:", "enable" if self.autostart else "disable"))
        out.append(("Managed save:", yes_no(self.managed_save)))
        if self.security_model is not None:
            out += [("Security model:", self.security_model), ("Security DOI:", self.security_doi or "")]
        if self.security_label is not None:
            mode = "enforcing" if self.security_enforcing else "permissive"
            out.append(("Security label:", f"{self.security_label} ({mode})"))
        out += [("Messages:" if i == 0 else "", msg) for i, msg in enumerate(self.messages)]
        return out
