"""XmlEditor: the notebook twin of ``virsh edit`` — edit, validate, diff, apply.

virsh edit is three steps: ``dumpxml --inactive`` (the definition the next boot uses), your
editor, then a define of the result. The widget shows each: the text comes from
``conn.dumpxml(name, inactive=True)``, the diff compares with a fresh read of it (nothing is
cached here), and Apply calls ``conn.edit(name, xml=...)``.
"""

from __future__ import annotations

import difflib
from html import escape

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import _
from .panel import Panel
from .status import Status, problems_html
from .validation import is_valid, xml_problems

__all__ = ["XmlEditor", "diff_html"]


def diff_html(before: str, after: str, before_label: str, after_label: str) -> str:
    """A unified diff (difflib) as coloured HTML; says so when there is no difference."""
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(),
                                      before_label, after_label, lineterm=""))  # fmt: skip
    if not lines:
        return _("<i>no changes: the text is what libvirt holds</i>")
    colours = {"+": "#060", "-": "#a00", "@": "#06a"}
    body = "\n".join(
        f"<span style='color:{colours.get(line[:1], '#333')}'>{escape(line)}</span>" for line in lines
    )
    return f"<pre style='font-size:90%'>{body}</pre>"


class XmlEditor(Panel):
    """Edit a domain's persistent XML as ``virsh edit`` does.

    Attributes:
        domain: which domain (from ``virsh list --all``).
        text: the XML being edited.
        messages: validation problems (libvirt's schema and kvmlab's checks).
        diff: the unified diff against ``virsh dumpxml --inactive``.
        status: what the last action ran and what it returned.

        ed = XmlEditor(conn, "web01")
        ed.text.value = ed.text.value.replace("<vcpu placement='static'>2</vcpu>", "<vcpu>4</vcpu>")
        ed.diff_button.click(); ed.apply_button.click()
    """

    def __init__(self, conn, domain: str | None = None):
        self.conn = conn
        names = conn.list(all=True).names
        self.domain = W.Dropdown(options=names, value=domain if domain in names else (names[0] if names else None),
                                 description=_("domain"))  # fmt: skip
        self.text = W.Textarea(layout=W.Layout(width="100%", height="22em"), continuous_update=False)
        self.load_button = W.Button(description=_("Reload"), icon="download", tooltip=_("virsh dumpxml --inactive NAME"))
        self.validate_button = W.Button(description=_("Validate"), icon="check")
        self.diff_button = W.Button(description=_("Diff"), icon="columns")
        self.apply_button = W.Button(description=_("Apply"), icon="upload", button_style="primary",
                                     tooltip=_("virsh edit NAME: define the edited XML"))  # fmt: skip
        self.messages = W.HTML()
        self.diff = W.HTML()
        self.status = Status()
        self.load_button.on_click(lambda _b: self.load())
        self.validate_button.on_click(lambda _b: self.validate())
        self.diff_button.on_click(lambda _b: self.show_diff())
        self.apply_button.on_click(lambda _b: self.apply())
        self.domain.observe(lambda _c: self.load(), names="value")
        note = W.HTML(_(
            "<small><code>virsh edit</code> = <code>dumpxml --inactive</code> → your editor → define. "
            "A running domain keeps its current configuration until its next boot.</small>"
        ))
        buttons = W.HBox([self.load_button, self.validate_button, self.diff_button, self.apply_button])
        super().__init__([W.HBox([self.domain]), note, self.text, buttons, self.messages, self.diff, self.status])
        if self.domain.value:
            self.load()

    def _current(self) -> str | None:
        """What libvirt holds now (dumpxml --inactive), or None with the error shown."""
        name = self.domain.value
        try:
            return self.conn.dumpxml(name, inactive=True).xml
        except KvmlabError as err:
            self.status.fail(err, f"virsh dumpxml --inactive {name}")
            return None

    def _no_domain(self) -> bool:
        if self.domain.value is None:
            self.status.note(_("no domain to edit: `virsh list --all` lists none"))
            return True
        return False

    def load(self) -> None:
        """Read the definition from libvirt into the text box."""
        if self._no_domain():
            return
        name = self.domain.value
        result = self.status.run(f"virsh dumpxml --inactive {name}", self.conn.dumpxml, name, inactive=True)
        if result is not None:
            self.text.value = result.xml
            self.messages.value = ""
            self.diff.value = ""

    def problems(self) -> list[str]:
        """Validation problems of the text (empty when libvirt's schema and kvmlab's checks pass)."""
        return xml_problems("domain", self.text.value)

    def validate(self) -> bool:
        problems = self.problems()
        self.messages.value = problems_html(problems, ok=_("valid domain XML"))
        return is_valid(problems)

    def show_diff(self) -> None:
        """Diff the text against a fresh ``dumpxml --inactive`` (difflib, unified)."""
        if self._no_domain():
            return
        current = self._current()
        if current is not None:
            name = self.domain.value
            self.diff.value = diff_html(current, self.text.value, f"{name} (virsh dumpxml --inactive)", _("edited"))

    def apply(self) -> None:
        """Validate, then ``conn.edit(name, xml=text)``; read the result back from libvirt."""
        if self._no_domain():
            return
        name = self.domain.value
        self.show_diff()
        if not self.validate():
            self.status.note(_("not applied: fix the problems listed above first (nothing was changed)"))
            return
        if self.status.run(f"virsh edit {name}", self.conn.edit, name, xml=self.text.value) is None:
            return  # keep the learner's text to fix and retry
        shown = self.status.value
        current = self._current()
        if current is not None:
            self.text.value = current
            self.diff.value = _("<i>applied: the text box now shows libvirt's copy (dumpxml --inactive)</i>")
            self.status.value = shown
