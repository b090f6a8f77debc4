"""Problems found in an XML document, and the one SpecError that lists them all.

A :class:`Problem` says which element, what is wrong and how to fix it. Checks return lists of
problems instead of raising at the first one, so a learner sees everything at once.

A teaching check refuses only what libvirt itself refuses (some driver, or its schema). Where kvmlab
is stricter on purpose (``<memory>512</memory>`` boots nothing, yet libvirt defines it), the problem
is ``strict``: it still fails ``validate()``, says that libvirt accepts it, and the SpecError's hint
says how to go on anyway (send the XML text, which only the crash guard checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from ..errors import SpecError
from ..i18n import N_, _

__all__ = ["Problem", "Severity", "STRICT", "go_on_hint", "spec_error", "raise_if_errors"]

Severity = Literal["error", "note"]

# the words a strict problem's message ends with
STRICT = N_("libvirt itself accepts this; kvmlab is stricter on purpose")
# how each kind goes to libvirt as XML text (the crash guard only): (kvmlab call, virsh command)
_GO_ON = {"domain": ("conn.define(spec.to_xml())", "virsh define FILE"),
          "network": ("conn.net_define(spec.to_xml())", "virsh net-define FILE"),
          "pool": ("conn.pool_define(spec.to_xml())", "virsh pool-define FILE"),
          "volume": (N_("the XML text instead of the spec"), "virsh vol-create POOL FILE")}


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
        strict: an error libvirt itself accepts (no driver and no schema refuses it): kvmlab refuses
            it on purpose, and says so.
    """

    path: str
    message: str
    fix: str = ""
    source: Literal["check", "schema", "guard"] = "check"
    line: int | None = None
    severity: Severity = "error"
    strict: bool = False

    def __str__(self) -> str:
        where = self.path + (_(" (line {line})").format(line=self.line) if self.line else "")
        return f"{where}: {self.message}"


def go_on_hint(kind: str) -> str:
    """How to go on past strict problems: libvirt gets the XML text, checked by the crash guard only."""
    call, virsh = _GO_ON.get(kind, _GO_ON["volume"])
    return _("libvirt itself accepts it: to go on anyway, send the XML text instead of the spec, "
             "{call} (like `{virsh}`), which runs only the crash guard").format(call=_(call), virsh=virsh)


def spec_error(kind: str, problems: Iterable[Problem]) -> SpecError:
    """A SpecError listing every problem; ``.problems`` keeps them for programs.

    When every error is strict (libvirt itself accepts them all), the hint also says how to go on.
    """
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    go_on = go_on_hint(kind) if errors and all(p.strict for p in errors) else ""
    if len(problems) == 1:
        message = _("{kind} XML: {problem}").format(kind=kind, problem=problems[0])
        hint = _("; or, since ").join(filter(None, [problems[0].fix, go_on]))
    else:
        notes = len(problems) - len(errors)
        head = (_("{kind} XML has {count} problems") if len(errors) != 1 else _("{kind} XML has {count} problem")).format(
            kind=kind, count=len(errors))
        if notes:
            head += (_(" and {count} notes") if notes != 1 else _(" and {count} note")).format(count=notes)
        lines = [head + ":"]
        for i, p in enumerate(problems, 1):
            lines.append(f"  {i}. {_('note: ') if p.severity == 'note' else ''}{p}")
            if p.fix:
                lines.append("     " + _("fix: {fix}").format(fix=p.fix))
        message, hint = "\n".join(lines), _("fix each problem above (each says how), then validate again")
        if go_on:
            hint += _("; or, since ") + go_on
    err = SpecError(message, hint=hint, virsh_error=message.splitlines())
    err.problems = problems
    return err


def raise_if_errors(kind: str, problems: Iterable[Problem]) -> None:
    """Raise :func:`spec_error` if any problem is an error (notes ride along in the message)."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise spec_error(kind, problems)
