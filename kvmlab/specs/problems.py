"""Problems found in an XML document, and the one SpecError that lists them all.

A :class:`Problem` says which element, what is wrong and how to fix it. Checks return lists of
problems instead of raising at the first one, so a learner sees everything at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from ..errors import SpecError

__all__ = ["Problem", "Severity", "spec_error", "raise_if_errors"]

Severity = Literal["error", "note"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about a document.

    Attributes:
        path: where, as an XPath (``/domain/os/type``).
        message: what is wrong, in one sentence.
        fix: how to fix it, in one sentence.
        source: ``check`` (kvmlab's teaching checks), ``schema`` (libvirt's RelaxNG) or
            ``guard`` (a value that would crash libvirt 9.0).
        line: the line in the document, when known.
        severity: ``error`` fails validation; ``note`` only teaches.
    """

    path: str
    message: str
    fix: str = ""
    source: Literal["check", "schema", "guard"] = "check"
    line: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.message}"


def spec_error(kind: str, problems: Iterable[Problem]) -> SpecError:
    """A SpecError listing every problem; ``.problems`` keeps them for programs."""
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    if len(problems) == 1:
        message, hint = f"{kind} XML: {problems[0]}", problems[0].fix
    else:
        notes = len(problems) - len(errors)
        head = f"{kind} XML has {len(errors)} problem{'s' if len(errors) != 1 else ''}"
        if notes:
            head += f" and {notes} note{'s' if notes != 1 else ''}"
        lines = [head + ":"]
        for i, p in enumerate(problems, 1):
            lines.append(f"  {i}. {'note: ' if p.severity == 'note' else ''}{p}")
            if p.fix:
                lines.append(f"     fix: {p.fix}")
        message, hint = "\n".join(lines), "fix each problem above (each says how), then validate again"
    err = SpecError(message, hint=hint, virsh_error=message.splitlines())
    err.problems = problems
    return err


def raise_if_errors(kind: str, problems: Iterable[Problem]) -> None:
    """Raise :func:`spec_error` if any problem is an error (notes ride along in the message)."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise spec_error(kind, problems)
