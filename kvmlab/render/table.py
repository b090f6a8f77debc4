"""virsh's table (tools/vsh-table.c) and ``%-15s %s`` field lists, and their HTML twins."""

from __future__ import annotations

from itertools import starmap
from operator import itemgetter
from typing import Sequence

__all__ = ["display_width", "virsh_table", "virsh_fields", "html_table", "html_fields", "escape"]


def escape(text: str, quote: bool = True) -> str:
    """``html.escape``, the same five replacements, without importing :mod:`html` (whose import
    builds its 2,000-entry entity table, a cost every `kvmlab virsh` start would pay)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&#x27;")
    return text


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (wide CJK characters take two), as vsh-table measures."""
    if text.isascii():
        return len(text)
    import unicodedata  # only for text beyond ASCII

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# column widths -> the format of one line: " {:<W1} {:<W2} {}\n" (each cell padded to its width + 2)
_LINE_FORMATS: dict[tuple[int, ...], str] = {}


def _line_format(widths: tuple[int, ...]) -> str:
    fmt = _LINE_FORMATS.get(widths)
    if fmt is None:
        if len(_LINE_FORMATS) >= 512:  # widths follow the data: keep the cache small in a long session
            _LINE_FORMATS.clear()
        fmt = _LINE_FORMATS[widths] = " " + "".join(f"{{:<{w + 2}}} " for w in widths[:-1]) + "{}\n"
    return fmt


def virsh_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A virsh table: a space before each cell, two more after it, dashes of width + 3 a column."""
    table = [header, *rows]
    try:
        text = "".join(map("".join, table))
    except TypeError:  # a cell that is not text yet (a number)
        table = [[str(c) for c in r] for r in table]
        text = "".join(map("".join, table))
    if text.isascii():  # a column a character: one str.format pads every line
        widths = tuple([max(map(len, col)) for col in zip(*table)])
        lines = list(starmap(_line_format(widths).format, table))
    else:
        widths = [max(map(display_width, col)) for col in zip(*table)]
        last = len(widths) - 1
        lines = ["".join([*(" " + c + " " * (w - display_width(c) + 2) for c, w in zip(cells[:last], widths)),
                          " ", cells[last], "\n"]) for cells in table]
    return lines[0] + "-" * (sum(widths) + 3 * len(widths)) + "\n" + "".join(lines[1:])


def virsh_fields(fields: Sequence[tuple[str, str]], width: int = 15) -> str:
    """``Name:           default`` lines, virsh's ``%-15s %s``: C pads by bytes, so a translated
    label (``名称：``, three bytes a character) gets fewer spaces than its width on screen."""
    if "".join(map(itemgetter(0), fields)).isascii():  # one C pass over the labels
        return "".join(starmap(f"{{:<{width}}} {{}}\n".format, fields))
    from .l10n import ljust_bytes

    return "".join(f"{ljust_bytes(label, width)} {value}\n" for label, value in fields)


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    head = "".join(f"<th style='text-align:left'>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return f"<table class='kvmlab'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_fields(fields: Sequence[tuple[str, str]], caption: str = "") -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(label.rstrip(':：'))}</th>"
        f"<td style='text-align:left'>{escape(str(value))}</td></tr>"
        for label, value in fields
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return f"<table class='kvmlab'>{cap}<tbody>{body}</tbody></table>"
