"""Result objects: one formatter, three faces (virsh text, notebook HTML, the calls behind it)."""

from __future__ import annotations

import dataclasses
from dataclasses import KW_ONLY, dataclass, field
from typing import Callable, ClassVar, Iterator, Sequence, Union

from ..render import escape, html_fields, html_table, virsh_fields, virsh_table
from ..render.l10n import catalog, tr, tr_line

__all__ = ["Result", "Message", "Table", "Listing", "Info", "Fields", "Xml", "yes_no"]


class LaterText:
    """A text field that may be given as the function that writes it, called on the first read.

    An operation passes ``virsh=lambda: virsh_line(...)``: most results are printed and never asked
    for their command line, so the line is only built when ``.virsh`` is read (or the result is
    compared, copied or shown in a notebook). Reading gives the text either way; a dataclass field
    whose default is a descriptor stores what ``__init__`` gets through :meth:`__set__`.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_text"

    def __get__(self, obj: object, owner: type | None = None) -> str:
        if obj is None:
            return ""  # the field's default
        text = obj.__dict__.get(self._slot, "")
        if callable(text):
            text = obj.__dict__[self._slot] = text()
        return text

    def __set__(self, obj: object, value: Union[str, Callable[[], str]]) -> None:
        obj.__dict__[self._slot] = value


@dataclass
class Result:
    """Base of every operation's result.

    Attributes:
        virsh: the virsh command line that does the same thing (an operation may pass the function
            that writes it: it is written on first read).
        api: the libvirt-python calls kvmlab made, in order.
    """

    _: KW_ONLY
    virsh: str = LaterText()  # type: ignore[assignment]
    api: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Exactly what virsh prints on stdout for this command."""
        return ""

    def __str__(self) -> str:
        return self.text()

    def body_html(self) -> str:
        return f"<pre>{escape(self.text())}</pre>"

    def calls_html(self) -> str:
        if not (self.virsh or self.api):
            return ""  # a report of kvmlab's own (doctor): no virsh twin, no libvirt call
        api = "<br>".join(f"<code>{escape(a)}</code>" for a in self.api)
        return (
            "<div class='kvmlab-calls' style='font-size:90%;color:#555'>"
            f"<div><b>virsh:</b> <code>{escape(self.virsh)}</code></div>"
            f"<div><b>libvirt API:</b> {api}</div></div>"
        )

    def _repr_html_(self) -> str:
        return f"<div class='kvmlab-result'>{self.body_html()}{self.calls_html()}</div>"


@dataclass
class Message(Result):
    """A one-line confirmation such as ``Domain 'test' suspended``."""

    message: str = ""

    # virsh prints this line with _(): under another language it comes from libvirt's catalog
    # (a class attribute, not a field; a message that only echoes a name or a value keeps False)
    l10n = False

    def text(self) -> str:
        if not self.message:
            return ""
        return (tr_line(self.message) if self.l10n else self.message) + "\n"

    def body_html(self) -> str:  # the same words as text(): libvirt's Chinese under a Chinese locale
        return f"<div>{escape(self.text().rstrip(chr(10)) if self.message else '')}</div>"


@dataclass
class Table(Result):
    """A virsh table (list, net-list, pool-list, vol-list)."""

    header: Sequence[str] = ()
    rows: list[tuple] = field(default_factory=list)

    # a virsh table's header comes from libvirt's catalog under another language, and so do the
    # cells of these columns (a state word, yes/no); None: a table of kvmlab's own, never translated
    l10n_columns: ClassVar[tuple[int, ...] | None] = None

    def localized(self) -> tuple[Sequence[str], list]:
        """The header and rows as virsh prints them in the environment's language."""
        cols = self.l10n_columns
        if cols is None or catalog() is None:
            return self.header, self.rows
        rows = self.rows
        if cols:
            rows = [tuple(tr(c) if i in cols and c else c for i, c in enumerate(r)) for r in rows]
        return [tr(h) for h in self.header], rows

    def text(self) -> str:
        return virsh_table(*self.localized())

    def body_html(self) -> str:
        return html_table(*self.localized())


@dataclass
class Listing(Table):
    """A table whose rows stand for typed items (domains, networks, pools, volumes).

    It iterates over the items, counts them, and answers ``"web01" in result`` by name.
    A subclass names the field that holds its items in ``items_field``.
    """

    items_field = ""  # a plain class attribute, not a dataclass field

    def _items(self) -> list:
        return getattr(self, self.items_field)

    @property
    def names(self) -> list[str]:
        return [item.name for item in self._items()]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator:
        return iter(self._items())

    def __contains__(self, name: object) -> bool:
        return name in self.names


@dataclass
class Info(Result):
    """``Label:   value`` lines (dominfo, net-info, pool-info, vol-info), built from the result's own
    typed fields in :meth:`lines`: the values are held once, the text is derived from them."""

    # virsh's labels come from libvirt's catalog under another language, and so do the values of
    # these labels (yes/no, a state word); None: lines of kvmlab's own, never translated
    l10n_values: ClassVar[frozenset[str] | None] = None

    def lines(self) -> list[tuple[str, str]]:
        """The ``(label, value)`` lines virsh prints, in its order."""
        return []

    def __repr__(self) -> str:
        """The dataclass repr with ``fields=[…]`` (the lines) after ``api``, as notebooks have shown it.

        A subclass is declared ``@dataclass(repr=False)`` to keep this one.
        """
        parts = []
        for f in dataclasses.fields(self):
            if f.repr:
                parts.append(f"{f.name}={getattr(self, f.name)!r}")
            if f.name == "api":
                parts.append(f"fields={self.lines()!r}")
        return f"{type(self).__qualname__}({', '.join(parts)})"

    def localized_lines(self) -> list[tuple[str, str]]:
        """The ``(label, value)`` lines in the environment's language, as virsh prints them."""
        lines = self.lines()
        keep = self.l10n_values
        if keep is not None and catalog() is not None:
            lines = [(tr(k) if k else k, tr(v) if k in keep and v else v) for k, v in lines]
        return lines

    def text(self) -> str:
        return virsh_fields(self.localized_lines())

    def body_html(self) -> str:
        return html_fields(self.localized_lines())

    def __getitem__(self, label: str) -> str:
        for k, v in self.lines():
            if k.rstrip(":") == label.rstrip(":"):
                return v
        raise KeyError(label)


@dataclass
class Fields(Info):
    """Label lines given as a list (lab status, crash reports): ``Fields(fields=[("Mode:", "uri")])``."""

    fields: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[tuple[str, str]]:
        return list(self.fields)


def yes_no(value: bool | None, unknown: str = "unknown", yes: str = "yes", no: str = "no") -> str:
    """virsh's words for a flag libvirt may not know: ``yes`` / ``no`` / ``unknown``."""
    return unknown if value is None else yes if value else no


@dataclass
class Xml(Result):
    """An XML document as virsh prints it (dumpxml and friends)."""

    xml: str = ""

    def text(self) -> str:
        return self.xml if self.xml.endswith("\n") or not self.xml else self.xml + "\n"
