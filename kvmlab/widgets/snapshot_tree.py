"""SnapshotTree: a domain's snapshots as virsh draws them (snapshot-list --tree), with create,
revert and delete buttons. Every click shows its virsh line and libvirt calls, then the tree is
read back from libvirt."""

from __future__ import annotations

import shlex
from html import escape

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import _
from .panel import Panel
from .status import Status

__all__ = ["SnapshotTree"]


class SnapshotTree(Panel):
    """The snapshots of one domain.

    Attributes:
        domain: which domain (``virsh list --all``).
        tree: ``virsh snapshot-list DOMAIN --tree`` as libvirt answered at the last refresh, with
            the current snapshot named under it.
        snapshots: the snapshot names, to pick one for ``revert_button`` / ``delete_button``.
        new_name, description: the ``snapshot-create-as`` fields; ``with_children``: delete the subtree too.

        st = SnapshotTree(conn, "web01")
        st.new_name.value = "clean"; st.create_button.click()
        st.snapshots.value = "clean"; st.revert_button.click()
    """

    def __init__(self, conn, domain: str | None = None):
        self.conn = conn
        names = conn.list(all=True).names
        self.domain = W.Dropdown(options=names, value=domain if domain in names else (names[0] if names else None),
                                 description=_("domain"))
        self.tree = W.HTML()
        self.snapshots = W.Select(options=[], description=_("snapshot"), rows=6)
        self.revert_button = W.Button(description=_("Revert"), icon="undo", button_style="warning",
                                      tooltip=_("virsh snapshot-revert DOMAIN SNAPSHOT: what changed since is lost"))
        self.delete_button = W.Button(description=_("Delete"), icon="trash", button_style="danger",
                                      tooltip=_("virsh snapshot-delete DOMAIN SNAPSHOT: the snapshot goes, "
                                                "the domain stays as it is now"))
        self.with_children = W.Checkbox(value=False, description=_("with its children (--children)"), indent=False)
        self.new_name = W.Text(description=_("name"), placeholder=_("clean"))
        self.description = W.Text(description=_("description"), placeholder=_("before the upgrade"))
        self.create_button = W.Button(description=_("Take snapshot"), icon="camera", button_style="primary")
        self.refresh_button = W.Button(description=_("Refresh"), icon="refresh")
        self.command = W.HTML()
        self.status = Status()
        self.domain.observe(lambda _c: self.refresh(), names="value")
        for field in (self.new_name, self.description, self.domain):
            field.observe(lambda _c: self._show_command(), names="value")
        self.create_button.on_click(lambda _b: self.create())
        self.revert_button.on_click(lambda _b: self.revert())
        self.delete_button.on_click(lambda _b: self.delete())
        self.refresh_button.on_click(lambda _b: self.refresh())
        super().__init__([
            W.HBox([self.domain, self.refresh_button]), self.tree,
            W.HBox([self.snapshots, W.VBox([self.revert_button, self.delete_button, self.with_children])]),
            W.HTML(_("<b>New snapshot</b> <small>(a running domain's memory too; on QEMU inside its qcow2)</small>")),
            W.HBox([self.new_name, self.description]), W.HBox([self.create_button, self.command]), self.status,
        ])  # fmt: skip
        self._show_command()
        self.refresh()

    def _create_line(self) -> str:
        words = ["virsh", "snapshot-create-as", self.domain.value or "DOMAIN", self.new_name.value.strip() or "NAME"]
        if self.description.value.strip():
            words.append(self.description.value.strip())
        return " ".join(shlex.quote(w) for w in words)

    def _show_command(self) -> None:
        self.command.value = f"<code>{escape(self._create_line())}</code>"

    @property
    def names(self) -> list[str]:
        """The snapshot names shown now (libvirt's, at the last refresh)."""
        return list(self.snapshots.options)

    def refresh(self) -> None:
        """Read ``snapshot-list --tree`` and the current snapshot again."""
        dom = self.domain.value
        if dom is None:
            self.tree.value, self.snapshots.options = _("<i>no domains</i>"), []
            return
        try:
            tree = self.conn.snapshot_list(dom, tree=True)
            current = self.conn.snapshot_current(dom, name=True).message if tree.names else ""
        except KvmlabError as err:
            self.tree.value, self.snapshots.options = err._repr_html_(), []
            return
        text = str(tree) or _("(no snapshots yet)") + "\n"
        mark = (_("current snapshot: {name}").format(name=f"<b>{escape(current)}</b>") if current
                else _("no current snapshot"))
        self.tree.value = (f"<pre style='margin:2px 0'>{escape(text)}</pre><div>{mark} "
                           f"<small>(<code>virsh snapshot-list {escape(dom)} --tree</code>)</small></div>")
        self.snapshots.options = tree.names
        if current in tree.names:
            self.snapshots.value = current

    def create(self) -> None:
        """snapshot-create-as with the fields; then read the tree back."""
        dom, name, desc = self.domain.value, self.new_name.value.strip() or None, self.description.value.strip() or None
        self.status.run(self._create_line(), self.conn.snapshot_create_as, dom, name, desc)
        self.refresh()

    def _picked(self) -> str | None:
        if self.snapshots.value is None:
            self.status.note(_("pick a snapshot in the list first"))
        return self.snapshots.value

    def revert(self) -> None:
        """snapshot-revert the picked snapshot; then read the tree back."""
        snap = self._picked()
        if snap is not None:
            self.status.run(f"virsh snapshot-revert {self.domain.value} {snap}", self.conn.snapshot_revert,
                            self.domain.value, snap)
            self.refresh()

    def delete(self) -> None:
        """snapshot-delete the picked snapshot (``--children`` when ticked); then read the tree back."""
        snap = self._picked()
        if snap is not None:
            more = " --children" if self.with_children.value else ""
            self.status.run(f"virsh snapshot-delete {self.domain.value} {snap}{more}", self.conn.snapshot_delete,
                            self.domain.value, snap, children=self.with_children.value)
            self.refresh()
