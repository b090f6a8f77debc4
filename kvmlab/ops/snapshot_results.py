"""Typed results of the snapshot commands (snapshot-list, snapshot-info, snapshot-create-as …): the
data, and virsh's text made from it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html import escape

from ..render import virsh_table
from ..render.l10n import tr_line
from .result import Info, Listing, Message

__all__ = ["SnapshotRow", "SnapshotList", "SnapshotInfo", "SnapshotMessage", "creation_text", "tree_text"]


def creation_text(seconds: int) -> str:
    """A creation time as snapshot-list prints it: local time, ``%Y-%m-%d %H:%M:%S %z``."""
    return datetime.datetime.fromtimestamp(seconds).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


@dataclass
class SnapshotRow:
    """One snapshot as snapshot-list sees it. ``parent`` is None for a root (or when not asked for);
    ``creation_time`` is Unix time; ``state`` is the domain's state then, or ``disk-snapshot``."""

    name: str
    creation_time: int | None = field(default=None, repr=False)  # varies run to run; .created shows it
    state: str = ""
    parent: str | None = None

    @property
    def created(self) -> str:
        return "" if self.creation_time is None else creation_text(self.creation_time)


def tree_text(rows: list[SnapshotRow]) -> str:
    """vshTreePrint for every root in ``rows`` order: ``+- child`` lines under their parents, ``|``
    where more siblings follow, and a blank (indented) line after the last leaf of a branch."""
    out: list[str] = []

    def walk(i: int, last: int, root: bool, indent: str) -> None:
        name = rows[i].name
        out.append(f"{indent}{'' if root else '+- '}{name}\n")
        if not root:
            indent += (" " if i == last else "|") + " "
        children = [j for j, r in enumerate(rows) if r.parent == name]
        if children:
            out.append(f"{indent}  |\n")
        for j in children:
            walk(j, children[-1], False, indent + "  ")
        if not children and i == last:
            out.append(f"{indent}\n")

    for i, row in enumerate(rows):
        if row.parent is None:
            walk(i, i, True, "")
    return "".join(out)


@dataclass
class SnapshotList(Listing):
    """snapshot-list: a table (``--parent`` adds a column), bare names (``--name``) or a tree (``--tree``).

    Iterating gives the :class:`SnapshotRow` items; ``"s1" in result`` asks by name.
    """

    items_field = "snapshots"
    l10n_columns = ()  # virsh prints the state word from the XML as it is

    domain: str = ""
    snapshots: list[SnapshotRow] = field(default_factory=list)
    mode: str = "table"  # table, name or tree
    show_parent: bool = False

    def text(self) -> str:
        if self.mode == "tree":
            return tree_text(self.snapshots)
        if self.mode == "name":
            return "".join(f"{r.name}\n" for r in self.snapshots)
        return virsh_table(*self.localized())

    def body_html(self) -> str:
        if self.mode == "table":
            return super().body_html()
        return f"<pre>{escape(self.text())}</pre>"


@dataclass(repr=False)  # Info's repr: with the label lines, as notebooks show
class SnapshotInfo(Info):
    """snapshot-info. ``children``, ``descendants`` and ``metadata`` are None when libvirt cannot tell
    (virsh then leaves those lines out)."""

    name: str = ""
    domain: str = ""
    current: bool = False
    state: str = ""
    location: str = ""
    parent: str | None = None
    children: int | None = None
    descendants: int | None = None
    metadata: bool | None = None

    l10n_values = frozenset({"Current:", "Location:", "Metadata:"})

    def lines(self) -> list[tuple[str, str]]:
        """cmdSnapshotInfo's lines, in its order."""
        lines = [("Name:", self.name), ("Domain:", self.domain), ("Current:", "yes" if self.current else "no"),
                 ("State:", self.state), ("Location:", self.location), ("Parent:", self.parent or "-")]
        if self.children is not None:
            lines.append(("Children:", str(self.children)))
        if self.descendants is not None:
            lines.append(("Descendants:", str(self.descendants)))
        if self.metadata is not None:
            lines.append(("Metadata:", "yes" if self.metadata else "no"))
        return lines


@dataclass
class SnapshotMessage(Message):
    """A snapshot command's confirmation. virsh ends some with a newline (``… reverted``, ``… deleted``)
    and some without (``… created``, ``… set as current``, the bare name of ``snapshot-current --name``):
    ``newline`` says which, so the text is virsh's to the byte."""

    domain: str = ""
    snapshot: str = ""
    newline: bool = True

    def text(self) -> str:
        # a bare name (snapshot-current --name) is data; every other line is virsh's _() text
        line = self.message if self.message == self.snapshot else tr_line(self.message)
        return line + ("\n" if self.newline else "")
