"""virsh pool-edit: dump the pool's definition, let an editor change it, define the result
(virsh-pool.c cmdPoolEdit + virsh-edit.c's loop). Same flow and errors as the domain's ``edit``."""

from __future__ import annotations

import libvirt

from ..errors import KvmlabError
from ..specs.guard import guard_xml
from .editor import CHANGED, FAILED, EditAbandoned, EditRejected, ReeditAsk
from .editor import run_editor
from .pool_lookup import find_pool, mapped_error, virsh_line
from .pool_results import PoolMessage
from .source import XmlSource, read_xml_source

__all__ = ["PoolEditOps", "EDIT_FAILED_STDOUT"]

# What virsh prints on stdout when the edited XML is refused and stdin is not a terminal:
# it reports "error: Failed." and then, a virsh quirk, claims success with a NULL name (exit 0).
EDIT_FAILED_STDOUT = "Pool (null) XML configuration edited."

_HINT = "nothing was changed; fix the XML (compare with `virsh pool-dumpxml POOL`) and run pool-edit again"


class PoolEditOps:
    """pool-edit."""

    virconn: libvirt.virConnect

    def pool_edit(self, pool: str, xml: XmlSource | None = None, editor: str | None = None) -> PoolMessage:
        """virsh pool-edit: change a pool's definition.

        Without ``xml`` an editor opens on the current definition ($VISUAL, $EDITOR, else
        sensible-editor, as virsh; in a notebook use a non-interactive one such as
        ``editor="sed -i s,/old,/new,"``). With ``xml`` (text or a spec) that is the edited definition.
        A running pool picks the change up at its next start.

        Raises:
            EditRejected: libvirt refused the edited XML (``.reason`` is virsh's ``Failed.``,
                ``.edited`` the refused text); nothing was changed.
        """
        return self.pool_edit_session(pool, xml=xml, editor=editor)

    def pool_edit_session(self, pool: str, *, xml: XmlSource | None = None, editor: str | None = None,
                          ask: ReeditAsk | None = None) -> PoolMessage:
        """The whole virsh-edit.c loop; ``ask`` decides what follows a refused edit (the CLI's prompt)."""
        api: list[str] = []
        p = find_pool(self.virconn, pool, api)
        flags = libvirt.VIR_STORAGE_XML_INACTIVE
        try:
            p.XMLDesc(flags)
        except libvirt.libvirtError as exc:  # old daemons (and the test driver) refuse _INACTIVE
            if exc.get_error_code() != libvirt.VIR_ERR_INVALID_ARG:
                raise mapped_error(exc) from exc
            flags = 0
        orig = _xml_of(p, flags)
        api.append(f"xml = pool.XMLDesc({'libvirt.VIR_STORAGE_XML_INACTIVE' if flags else 0})")
        virsh = virsh_line("pool-edit", pool)
        if xml is None:
            api.append(f"edited = kvmlab.ops.editor.run_editor(xml{', editor=' + repr(editor) if editor else ''})")
            edited = run_editor(orig, editor)
        else:
            edited = xml.to_xml() if hasattr(xml, "to_xml") else read_xml_source(xml)[0]
        while True:
            if edited == orig:
                return PoolMessage(message=f"Pool {p.name()} XML configuration not changed.", pool=p.name(),
                                   virsh=virsh, api=api)
            while True:
                try:
                    return self._pool_edit_apply(p, flags, orig, edited, virsh, api)
                except EditRejected as err:
                    choice = ask(err, False) if ask else None  # pool-edit has no "i" (relax) choice
                    if choice is None:
                        raise
                    if err.reread is not None:
                        orig = err.reread
                    if choice == "n":
                        raise EditAbandoned("pool-edit abandoned; nothing was changed",
                                            hint="run pool-edit again to start over", virsh_error=[]) from None
                    if choice == "y":
                        edited = run_editor(edited, editor)
                        break

    def _pool_edit_apply(self, p: libvirt.virStoragePool, flags: int, orig: str, edited: str, virsh: str,
                         api: list[str]) -> PoolMessage:
        """Check nobody changed the pool meanwhile, then define the edited XML."""
        reread = _xml_of(p, flags)
        if reread != orig:
            err = EditRejected(CHANGED, hint="someone changed the pool while you edited; edit again",
                               virsh_error=[CHANGED])
            err.reason, err.edited, err.reread = CHANGED, edited, reread
            raise err
        try:
            guard_xml("pool", edited)
        except KvmlabError as exc:
            err = EditRejected(exc.message, hint=exc.hint, virsh_error=exc.virsh_error)
            err.edited = edited
            raise err from exc
        try:
            new = self.virconn.storagePoolDefineXML(edited, 0)
        except libvirt.libvirtError as exc:
            base = mapped_error(exc)
            err = EditRejected(base.message, hint=_HINT, virsh_error=base.virsh_error)
            err.reason, err.edited = FAILED, edited
            raise err from exc
        api.append("pool = conn.storagePoolDefineXML(edited, 0)")
        return PoolMessage(message=f"Pool {new.name()} XML configuration edited.", pool=new.name(),
                           virsh=virsh, api=api)


def _xml_of(p: libvirt.virStoragePool, flags: int) -> str:
    try:
        return p.XMLDesc(flags)
    except libvirt.libvirtError as exc:
        raise mapped_error(exc) from exc
