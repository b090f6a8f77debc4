"""What the lessons call to show things: a notebook cell holds prose and calls, the code lives here.

    >>> from kvmlab.notebook import show, attempt
    >>> show(conn.start("vm1"))          # virsh's text, then the virsh line and the libvirt calls
    >>> attempt(conn.start, "vm1")       # an operation that should fail: virsh's error lines and the hint

Nothing here changes libvirt's state by itself; every function prints or returns what a cell shows.
IPython is imported only when a table is made (``import kvmlab`` never pulls it in).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from html import escape, unescape
from typing import Any, Callable, Iterable, Iterator, Sequence

from .errors import InvalidInput, KvmlabError
from .i18n import _

__all__ = ["show", "attempt", "widget_text", "scratch", "show_problems", "table"]

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# how a cell of a table is marked up: plain text, bold, code, or a preformatted block (XML)
_CELL = {"": "{}", "b": "<b>{}</b>", "code": "<code>{}</code>", "pre": "<pre style='margin:0'>{}</pre>"}


def show(result: Any) -> None:
    """A result's three faces: what virsh prints, the virsh command, the libvirt-python calls."""
    print(result, end="")
    print("   virsh:", result.virsh)
    for call in result.api:
        print("   API:  ", call)


def attempt(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run an operation that should fail: virsh's ``error:`` lines, then kvmlab's hint.

    If it succeeds after all, its result is shown as :func:`show` does.
    """
    try:
        result = operation(*args, **kwargs)
    except KvmlabError as err:
        for line in err.virsh_error:
            print("error:", line)
        print(_("hint") + ": ", err.hint)
    else:
        show(result)


def widget_text(html: str, lines: bool = False) -> str:
    """The words a widget's HTML shows, without the markup.

    Tags become spaces and runs of white space one space (``lines=True`` keeps the line breaks of a
    ``<pre>`` block instead, for a diff). Entities are decoded last, so an escaped ``&lt;memory&gt;``
    in a message stays ``<memory>``.
    """
    if lines:
        return unescape(_TAG.sub("", html)).strip()
    words = _SPACE.sub(" ", _TAG.sub(" ", html)).strip()
    return unescape(words.replace(" .", ".").replace(" ,", ","))


@contextlib.contextmanager
def scratch() -> Iterator[str]:
    """Work in an empty temporary directory (so a file is simply ``vm1.xml``), then go back and remove it."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="kvmlab-scratch-") as tmp:
        os.chdir(tmp)
        try:
            yield tmp
        finally:
            os.chdir(here)


def show_problems(spec: Any) -> None:
    """Print a spec's problems (libvirt's schema and kvmlab's checks), or that it is valid."""
    found = spec.problems()
    for p in found:
        print(f"   {p.severity} ({p.source}): {p}")
    if not any(p.severity == "error" for p in found):
        print("   " + _("valid") + (_(" (notes only teach)") if found else ""))


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], formats: Sequence[str] = ()) -> Any:
    """An HTML table for a notebook: ``formats`` marks up each column ("", "b", "code" or "pre").

    Every value is escaped; text columns are left-aligned, as the lessons' tables are.
    """
    from IPython.display import HTML

    unknown = set(formats) - set(_CELL)
    if unknown:
        raise InvalidInput(_("unknown column format {formats}").format(formats=sorted(unknown)),
                           hint=_("mark up a column with one of {formats} ('' is plain text)").format(formats=sorted(_CELL)))
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            fmt = _CELL[formats[i] if i < len(formats) else ""]
            align = "" if isinstance(value, (int, float)) else " style='text-align:left'"
            cells.append(f"<td{align}>{fmt.format(escape(str(value)))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return HTML(f"<table><tr>{head}</tr>{''.join(body)}</table>")
