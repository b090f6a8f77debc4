"""virsh edit: change a domain's persistent XML (cmdEdit's define in virsh-edit.c's loop, see editor.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import ConnectionFailed, KvmlabError, attempt, libvirt_errors
from ..i18n import _
from .calls import virsh_line
from .domain_lookup import lookup_domain
from .domain_results import DomainMessage

if TYPE_CHECKING:
    from .editor import ReeditAsk
    from .source import XmlSource

__all__ = ["DomainEditOps"]

# virsh edits what the next boot uses, secrets included
_QUERY = libvirt.VIR_DOMAIN_XML_SECURE | libvirt.VIR_DOMAIN_XML_INACTIVE


def _edit_hint(msg: str, validate: bool) -> str:
    if "validate" in msg and validate:
        return _("the XML does not follow libvirt's schema; fix it, or pass skip_validate=True "
                 "(virsh: --skip-validate) to let libvirt's parser decide")
    return _("nothing was changed; fix the XML (compare with `virsh dumpxml --inactive`) and edit again")


class DomainEditOps:
    """virsh edit."""

    virconn: libvirt.virConnect

    def edit(
        self,
        domain: str,
        xml: XmlSource | None = None,
        editor: str | None = None,
        *,
        skip_validate: bool = False,
    ) -> DomainMessage:
        """virsh edit: change the domain's persistent definition.

        With ``xml=`` (text or a spec) that XML is applied directly; otherwise the editor runs on the
        current XML as virsh does ($VISUAL, $EDITOR; in a notebook use a non-interactive one such as
        ``editor="sed -i s/512/1024/"``). A running domain picks the change up at its next boot.

        Raises:
            EditRejected: libvirt refused the new XML; nothing changed (``.edited`` holds it).
        """
        return self.edit_session(domain, xml=xml, editor=editor, skip_validate=skip_validate)

    def edit_session(
        self,
        domain: str,
        *,
        xml: XmlSource | None = None,
        editor: str | None = None,
        skip_validate: bool = False,
        ask: ReeditAsk | None = None,
    ) -> DomainMessage:
        """The whole virsh edit loop; ``ask`` decides what happens after a rejected edit (CLI prompt)."""
        from .editor import edit_loop, first_draft  # the editor's modules load when an edit runs

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        virsh = virsh_line("edit", domain, skip_validate=skip_validate)
        api.append("xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE | libvirt.VIR_DOMAIN_XML_INACTIVE)")
        orig = _xml_of(dom)
        return edit_loop(
            "edit", "domain", orig, first_draft(orig, xml, editor, api),
            read=lambda: _xml_of(dom),
            define=lambda edited, validate: self._edit_define(edited, validate, virsh, api),
            unchanged=lambda: DomainMessage(f"Domain '{dom.name()}' XML configuration not changed.",
                                            name=dom.name(), virsh=virsh, api=api),
            editor=editor, ask=ask, validate=not skip_validate,
        )

    def _edit_define(self, edited: str, validate: bool, virsh: str, api: list[str]) -> DomainMessage:
        """The guard, then virshDomainDefine (with VALIDATE unless told not to)."""
        from ..specs.guard import guard_xml  # lxml: loaded with the first edit
        from .editor import rejected

        try:
            guard_xml("domain", edited)
        except KvmlabError as exc:
            raise rejected(exc, edited) from exc
        flags = libvirt.VIR_DOMAIN_DEFINE_VALIDATE if validate else 0
        try:
            api.append("conn.defineXMLFlags(edited, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)" if validate
                       else "conn.defineXML(edited)")
            new = None
            if flags:  # a driver without VALIDATE (NO_SUPPORT) defines it without
                new = attempt(self.virconn.defineXMLFlags, edited, flags, codes=[libvirt.VIR_ERR_NO_SUPPORT])
            if new is None:
                with libvirt_errors():
                    new = self.virconn.defineXML(edited)
        except ConnectionFailed:
            raise
        except KvmlabError as base:
            raise rejected(base, edited, _edit_hint(base.message, validate)) from base
        name = new.name()
        return DomainMessage(f"Domain '{name}' XML configuration edited.", name=name, virsh=virsh, api=api)


def _xml_of(dom: libvirt.virDomain) -> str:
    with libvirt_errors():
        return dom.XMLDesc(_QUERY)
