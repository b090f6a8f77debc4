"""Lesson 12's matrix as a table: measured beside predicted, green where the ping was answered, red where
not, and a mismatch with the prediction framed and marked (text for a terminal, HTML for a notebook)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Callable

from ..lab.reach_plan import MODES
from .reach_predict import predicted

if TYPE_CHECKING:
    from .reachability import Cell, Matrix

__all__ = ["matrix_text", "matrix_html", "prediction_html", "prediction_text", "Prediction", "Explained", "COLUMNS"]

COLUMNS = {**{m: f"{m} guest" for m in MODES}, "host": "host", "outside": "outside", "from outside": "from outside"}
GREEN, RED, AMBER = "#cdebc9", "#f4c7c3", "#e08a00"


def _word(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "?"}[value]


def _row(m: "Matrix", src: str) -> list["Cell"]:
    return [m.cell(src, d) for d in (*MODES, "host", "outside")] + [m.cell("outside", src)]


def matrix_text(m: "Matrix", predicted: Callable[["Cell"], bool] | None = None) -> str:
    """The matrix as text: ``yes``/``no`` measured, ``(p: no)`` where the prediction differs."""
    guess = predicted or (lambda c: c.predicted)
    width = 16
    lines = [m.header(), "", "ping from ↓ to →".ljust(18) + "".join(h.ljust(width) for h in COLUMNS.values())]
    for src in MODES:
        cells = []
        for c in _row(m, src):
            text = _word(c.measured) + ("" if c.measured is None or guess(c) == c.measured
                                        else f" (p: {_word(guess(c))})")  # fmt: skip
            cells.append(("(same) " if c.dst == c.src else "") + text)
        lines.append(f"{src} guest".ljust(18) + "".join(t.ljust(width) for t in cells))
    wrong = [c for c in m.cells.values() if c.measured is not None and guess(c) != c.measured]
    lines.append("")
    lines.append(f"{len(wrong)} cell(s) differ from the prediction" + (": " + "; ".join(c.label for c in wrong)
                                                                       if wrong else ""))  # fmt: skip
    return "\n".join(lines)


def _td(c: "Cell", guess: bool) -> str:
    measured = c.measured
    colour = "#eee" if measured is None else GREEN if measured else RED
    mark = "?" if measured is None else "✓" if measured else "✗"
    differs = measured is not None and guess != measured
    border = f"3px solid {AMBER}" if differs else "1px solid #bbb"
    title = escape(c.story(), quote=True)
    same = "<div style='font-size:75%'>same network</div>" if c.dst == c.src else ""
    flag = f"<div style='color:{AMBER};font-weight:bold'>≠ prediction</div>" if differs else ""
    return (f"<td title=\"{title}\" style='background:{colour};border:{border};text-align:center;padding:3px 6px'>"
            f"{same}<div style='font-size:130%'>{mark} {_word(measured)}</div>"
            f"<div style='font-size:80%;color:#333'>predicted {'✓' if guess else '✗'} {_word(guess)}</div>{flag}</td>")


def matrix_html(m: "Matrix", predicted: Callable[["Cell"], bool] | None = None) -> str:
    """The coloured table: each cell measured (big, green/red) over the prediction (small); mismatches framed."""
    guess = predicted or (lambda c: c.predicted)
    banner = "#1b5e20" if m.live else "#8a5a00"
    head = "".join(f"<th style='padding:3px 6px'>{escape(h)}</th>" for h in COLUMNS.values())
    rows = "".join(f"<tr><th style='text-align:left;padding:3px 6px'>{escape(src)} guest</th>"
                   + "".join(_td(c, guess(c)) for c in _row(m, src)) + "</tr>" for src in MODES)  # fmt: skip
    wrong = [c for c in m.cells.values() if c.measured is not None and guess(c) != c.measured]
    summary = (f"{len(wrong)} cell(s) differ from the prediction: " + ", ".join(escape(c.label) for c in wrong)
               if wrong else "every measured cell agrees with the prediction")
    return (f"<div class='kvmlab-reach'><div style='color:{banner};font-weight:bold;margin:4px 0'>{escape(m.header())}</div>"
            f"<table style='border-collapse:collapse;font-size:90%'><tr><th style='padding:3px 6px'>ping from ↓ "
            f"to →</th>{head}</tr>{rows}</table>"
            f"<div style='margin:4px 0'>Green: the ping was answered; red: it was not. Small: the prediction. "
            f"<span style='border:3px solid {AMBER};padding:0 4px'>framed</span>: measured ≠ predicted. {summary}. "
            "Hover over a cell for its explanation.</div></div>")  # fmt: skip


def prediction_text() -> str:
    """Lesson 4's prediction alone, as text (yes/no per cell)."""
    width = 16
    lines = ["ping from ↓ to →".ljust(18) + "".join(h.ljust(width) for h in COLUMNS.values())]
    for src in MODES:
        row = [("(same) " if d == src else "") + _word(predicted(src, d)[0]) for d in (*MODES, "host", "outside")]
        row.append(_word(predicted("outside", src)[0]))
        lines.append(f"{src} guest".ljust(18) + "".join(v.ljust(width) for v in row))
    return "\n".join(lines)


def prediction_html() -> str:
    """Lesson 4's prediction alone, coloured, each cell's title the words of lesson 4 it comes from."""
    head = "".join(f"<th style='padding:3px 6px'>{escape(h)}</th>" for h in COLUMNS.values())
    rows = []
    for src in MODES:
        tds = []
        for s, d in [(src, d) for d in (*MODES, "host", "outside")] + [("outside", src)]:
            yes, why = predicted(s, d)
            same = "<div style='font-size:75%'>same network</div>" if s == d else ""
            tds.append(f"<td title=\"{escape(why, quote=True)}\" style='background:{GREEN if yes else RED};"
                       f"border:1px solid #bbb;text-align:center;padding:3px 6px'>{same}{'✓' if yes else '✗'} "
                       f"{_word(yes)}</td>")  # fmt: skip
        rows.append(f"<tr><th style='text-align:left;padding:3px 6px'>{escape(src)} guest</th>{''.join(tds)}</tr>")
    return (f"<div class='kvmlab-reach'><div style='font-weight:bold;margin:4px 0'>Lesson 4's prediction "
            "(from its table of the five modes; no ping involved)</div><table style='border-collapse:collapse;"
            f"font-size:90%'><tr><th style='padding:3px 6px'>ping from ↓ to →</th>{head}</tr>{''.join(rows)}</table>"
            "<div>Hover over a cell for lesson 4's words behind it.</div></div>")


class Prediction:
    """Lesson 4's prediction as a table (text and coloured HTML)."""

    def __str__(self) -> str:
        return prediction_text()

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        return prediction_html()


class Explained:
    """Every cell's story, grouped by the row it is in."""

    def __init__(self, m: "Matrix"):
        self.m = m

    def groups(self) -> list[tuple[str, list["Cell"]]]:
        return [(f"{src} guest pings …", [c for c in _row(self.m, src) if c.src == src]) for src in MODES] + [
            ("the outside pings …", [self.m.cell("outside", d) for d in MODES])]

    def __str__(self) -> str:
        out = [self.m.header()]
        for title, cells in self.groups():
            out += ["", f"== {title}"] + [c.story() for c in cells]
        return "\n".join(out)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        parts = [f"<div class='kvmlab-reach'><div style='font-weight:bold'>{escape(self.m.header())}</div>"]
        for title, cells in self.groups():
            bad = sum(not c.agrees for c in cells)
            note = f" — {bad} differ from the prediction" if bad else ""
            body = "\n\n".join(c.story() for c in cells)
            parts.append(f"<details><summary>{escape(title)} ({len(cells)} cells{note})</summary>"
                         f"<pre style='white-space:pre-wrap'>{escape(body)}</pre></details>")
        return "".join(parts) + "</div>"
