"""SpecForm: what the domain, network and pool forms share — preview, validate, act, read back, report.

A form declares its fields (``fields()``), the spec they describe (``spec()``), the lessons that
follow the fields (``lessons()``) and, per button, the operation to call and what comes after it
(``act("net_define", then=[("net-start", "net_start")])``). Everything else happens here:

* preview: on every change the spec's XML and its problems (``spec.problems()``) are shown;
* validate + act: a click hands the spec to the operation, which checks it once (refusing it as
  ``spec.validate()`` would) and sends that same XML to libvirt; the form does not check it again;
* read back: the steps end with the info command (dominfo, net-info, pool-info) read from libvirt;
* report: ``Steps``/``Status`` show each result, or the error with the op's own virsh line.
"""

from __future__ import annotations

from html import escape
from typing import Any, ClassVar, Sequence

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import N_, _
from ..ops.calls import virsh_line
from ..ops.define import define_line
from ..ops.result import Result
from .panel import Panel
from .status import Status, Steps, problems_html
from .validation import spec_problems

__all__ = ["SpecForm", "VALID"]

VALID = N_("valid: libvirt's schema and kvmlab's checks pass")


class SpecForm(Panel):
    """Base of DomainForm, NetworkForm and PoolForm.

    Subclass attributes:
        KIND: "domain", "network" or "pool" (the virsh line of a nameless spec: ``virsh define domain.xml``).
        DEFINE: virsh's define command of that kind (what the preview says it receives).
        READ_BACK: ``(virsh command, Connection method)`` that reads the object back.

    Attributes:
        name: the name field (a ``Text``), which every form has.
        preview, messages: the XML that the operation would receive, and its problems.
        progress: one step per operation of the last action; status: their results or the error.
    """

    KIND: ClassVar[str] = ""
    DEFINE: ClassVar[str] = ""
    READ_BACK: ClassVar[tuple[str, str]] = ("", "")

    def __init__(self, conn, body: Sequence[W.Widget], buttons: Sequence[W.Button]):
        self.conn = conn
        self.preview = W.HTML()
        self.messages = W.HTML()
        self.progress = Steps()
        self.status = Status()
        for field in self.fields():
            field.observe(lambda _c: self.update(), names="value")
        super().__init__([
            *body, W.HBox([*buttons, self.progress]), self.status, self.messages,
            W.HTML(_("<b>XML preview</b> (what <code>virsh {command}</code> receives)").format(command=self.DEFINE)), self.preview,
        ])  # fmt: skip
        self.update()

    # -- what a form declares ----------------------------------------------------------------

    def fields(self) -> list[W.ValueWidget]:
        """The widgets whose changes rebuild the preview."""
        raise NotImplementedError

    def spec(self) -> Any:
        """The spec the fields describe.

        Raises:
            KvmlabError: a field holds something that is not even a value (a negative size).
        """
        raise NotImplementedError

    def lessons(self) -> None:
        """Update the notes that follow the fields (unit, mode, subnet…); nothing by default."""

    def acted(self) -> None:
        """After an action, whatever it did (the domain form re-reads its network choices)."""

    # -- what the base does ------------------------------------------------------------------

    def update(self) -> None:
        """Rebuild the lessons, the XML preview and the validation messages from the fields."""
        self.lessons()
        try:
            spec = self.spec()
            xml, problems = spec.to_xml(), spec_problems(spec)
        except KvmlabError as err:
            xml = _("(no XML: {message})").format(message=err.message)
            problems = [err.message + (_(" Fix: {hint}").format(hint=err.hint) if err.hint else "")]
        self.preview.value = f"<pre style='font-size:90%'>{escape(xml)}</pre>"
        self.messages.value = problems_html(problems, ok=_(VALID))

    def act(self, op: str, *, then: Sequence[tuple[str, str]] = (), **options: Any) -> list[Result] | None:
        """Call ``conn.<op>(spec, **options)``, then each ``(virsh command, method)`` of ``then`` on the
        new object's name, then the read-back; show every step. Returns the results, or None.

        The operation validates the spec (one check, the XML libvirt gets); a refusal is shown with the
        operation's own virsh line (``err.virsh``), exactly as a success shows ``result.virsh``.
        """
        command = op.replace("_", "-")  # net_define -> virsh net-define
        try:
            spec = self.spec()
        except KvmlabError as err:
            err.virsh = err.virsh or define_line(command, self.KIND, name=self.name.value.strip(), **options)
            self.status.fail(err)
            self.acted()
            return None
        name = spec.name or "NAME"
        steps = [(define_line(command, self.KIND, name=spec.name or "", **options),
                  lambda: getattr(self.conn, op)(spec, **options))]
        for cmd, method in [*then, self.READ_BACK]:
            steps.append((virsh_line(cmd, name), lambda m=method: getattr(self.conn, m)(name)))
        done = self.progress.run(self.status, steps)
        self.acted()
        return done
