"""virsh pool-edit: dump the pool's definition, let an editor change it, define the result
(virsh-pool.c cmdPoolEdit in virsh-edit.c's loop, see editor.py). Same flow and errors as ``edit``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import ConnectionFailed, KvmlabError, attempt, libvirt_errors
from ..i18n import N_, _
from .calls import virsh_line
from .pool_lifecycle import pool_message
from .pool_lookup import lookup_pool

if TYPE_CHECKING:
    from .editor import ReeditAsk
    from .pool_results import PoolMessage
    from .source import XmlSource

__all__ = ["PoolEditOps", "EDIT_FAILED_STDOUT"]

# What virsh prints on stdout when the edited XML is refused and stdin is not a terminal:
# it reports "error: Failed." and then, a virsh quirk, claims success with a NULL name (exit 0).
EDIT_FAILED_STDOUT = "Pool (null) XML configuration edited."

_HINT = N_("nothing was changed; fix the XML (compare with `virsh pool-dumpxml POOL`) and run pool-edit again")


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
        from .editor import edit_loop, first_draft  # the editor's modules load when an edit runs

        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        flags = libvirt.VIR_STORAGE_XML_INACTIVE
        orig = attempt(p.XMLDesc, flags, codes=[libvirt.VIR_ERR_INVALID_ARG])
        if orig is None:  # old daemons (and the test driver) refuse _INACTIVE
            flags = 0
            orig = _xml_of(p, flags)
        api.append(f"xml = pool.XMLDesc({'libvirt.VIR_STORAGE_XML_INACTIVE' if flags else 0})")
        virsh = virsh_line("pool-edit", pool)
        return edit_loop(
            "pool-edit", "pool", orig, first_draft(orig, xml, editor, api),
            read=lambda: _xml_of(p, flags),
            define=lambda edited, _validate: self._pool_edit_define(edited, virsh, api),
            unchanged=lambda: pool_message(message=f"Pool {p.name()} XML configuration not changed.", pool=p.name(),
                                          virsh=virsh, api=api),
            editor=editor, ask=ask, relax=False,  # pool-edit has no "i" (define without validation)
        )

    def _pool_edit_define(self, edited: str, virsh: str, api: list[str]) -> PoolMessage:
        """The guard, then define the edited XML."""
        from ..specs.guard import guard_xml  # lxml: loaded with the first edit
        from .editor import rejected

        try:
            guard_xml("pool", edited)
        except KvmlabError as exc:
            raise rejected(exc, edited) from exc
        try:
            with libvirt_errors():
                new = self.virconn.storagePoolDefineXML(edited, 0)
        except ConnectionFailed:
            raise
        except KvmlabError as exc:
            raise rejected(exc, edited, _(_HINT)) from exc
        api.append("pool = conn.storagePoolDefineXML(edited, 0)")
        return pool_message(message=f"Pool {new.name()} XML configuration edited.", pool=new.name(),
                           virsh=virsh, api=api)


def _xml_of(p: libvirt.virStoragePool, flags: int) -> str:
    with libvirt_errors():
        return p.XMLDesc(flags)
