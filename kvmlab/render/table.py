"""virsh's table (tools/vsh-table.c) and ``%-15s %s`` field lists, and their HTML twins."""

from __future__ import annotations

import unicodedata
from html import escape
from typing import Sequence

__all__ = ["display_width", "virsh_table", "virsh_fields", "html_table", "html_fields"]


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (wide CJK characters take two), as vsh-table measures."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def virsh_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A virsh table: a space before each cell, two more after it, dashes of width + 3 a column."""
    table = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(map(display_width, col)) for col in zip(*table)] if rows else [display_width(str(h)) for h in header]
    last = len(widths) - 1

    def line(cells: list[str]) -> str:
        parts = [" " + c + " " * (widths[i] - display_width(c) + 2) for i, c in enumerate(cells[:last])]
        return "".join(parts) + " " + cells[last] + "\n"

    return line(table[0]) + "-" * sum(w + 3 for w in widths) + "\n" + "".join(map(line, table[1:]))


def virsh_fields(fields: Sequence[tuple[str, str]], width: int = 15) -> str:
    """``Name:           default`` lines, virsh's ``%-15s %s``."""
    return "".join(f"{label:<{width}} {value}\n" for label, value in fields)


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    head = "".join(f"<th style='text-align:left'>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return f"<table class='kvmlab'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_fields(fields: Sequence[tuple[str, str]], caption: str = "") -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(label.rstrip(':'))}</th>"
        f"<td style='text-align:left'>{escape(str(value))}</td></tr>"
        for label, value in fields
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return f"<table class='kvmlab'>{cap}<tbody>{body}</tbody></table>"
