"""virsh edit: change a domain's persistent XML (virsh-edit.c's loop, cmdEdit's define)."""

from __future__ import annotations

import libvirt

from ..errors import KvmlabError
from ..specs.guard import guard_xml
from .domain_lookup import cmdline, libvirt_failure, lookup_domain
from .domain_results import DomainMessage
from .editor import CHANGED, EditAbandoned, EditRejected, ReeditAsk, run_editor
from .source import XmlSource, read_xml_source

__all__ = ["DomainEditOps"]

# virsh edits what the next boot uses, secrets included
_QUERY = libvirt.VIR_DOMAIN_XML_SECURE | libvirt.VIR_DOMAIN_XML_INACTIVE
def _edit_hint(msg: str, validate: bool) -> str:
    if "validate" in msg and validate:
        return ("the XML does not follow libvirt's schema; fix it, or pass skip_validate=True "
                "(virsh: --skip-validate) to let libvirt's parser decide")
    return "nothing was changed; fix the XML (compare with `virsh dumpxml --inactive`) and edit again"


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
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        virsh = cmdline("edit", domain, skip_validate=skip_validate)
        validate = not skip_validate
        relax_avail = True
        api.append("xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE | libvirt.VIR_DOMAIN_XML_INACTIVE)")
        orig = self._edit_xml(dom)
        if xml is None:
            api.append(f"edited = kvmlab.ops.editor.run_editor(xml{', editor=' + repr(editor) if editor else ''})")
            edited = run_editor(orig, editor)
        else:
            edited = xml.to_xml() if hasattr(xml, "to_xml") else read_xml_source(xml)[0]
        while True:
            if edited == orig:
                return DomainMessage(f"Domain '{dom.name()}' XML configuration not changed.",
                                     name=dom.name(), virsh=virsh, api=api)
            while True:
                try:
                    return self._edit_apply(dom, orig, edited, validate, virsh, api)
                except EditRejected as err:
                    choice = ask(err, relax_avail) if ask else None
                    if choice is None:
                        raise
                    if err.reread is not None:
                        orig = err.reread
                    if choice == "n":
                        raise EditAbandoned("edit abandoned; nothing was changed",
                                            hint="run edit again to start over", virsh_error=[]) from None
                    if choice == "i":
                        validate, relax_avail = False, False
                    if choice == "y":
                        edited = run_editor(edited, editor)
                        break

    def _edit_xml(self, dom: libvirt.virDomain) -> str:
        try:
            return dom.XMLDesc(_QUERY)
        except libvirt.libvirtError as exc:
            raise libvirt_failure(exc) from exc

    def _edit_apply(
        self, dom: libvirt.virDomain, orig: str, edited: str, validate: bool, virsh: str, api: list[str]
    ) -> DomainMessage:
        """Check nobody changed the domain meanwhile, then define the edited XML (virshDomainDefine)."""
        reread = self._edit_xml(dom)
        if reread != orig:
            err = EditRejected(CHANGED, hint="someone changed the domain while you edited; edit again",
                               virsh_error=[CHANGED])
            err.reason, err.edited, err.reread = CHANGED, edited, reread
            raise err
        try:
            guard_xml("domain", edited)
        except KvmlabError as exc:
            err = EditRejected(exc.message, hint=exc.hint, virsh_error=exc.virsh_error)
            err.edited = edited
            raise err from exc
        flags = libvirt.VIR_DOMAIN_DEFINE_VALIDATE if validate else 0
        try:
            try:
                api.append("conn.defineXMLFlags(edited, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)" if validate
                           else "conn.defineXML(edited)")
                new = self.virconn.defineXMLFlags(edited, flags) if flags else self.virconn.defineXML(edited)
            except libvirt.libvirtError as exc:
                if not flags or exc.get_error_code() != libvirt.VIR_ERR_NO_SUPPORT:
                    raise
                new = self.virconn.defineXML(edited)
        except libvirt.libvirtError as exc:
            base = libvirt_failure(exc)
            err = EditRejected(base.message, hint=_edit_hint(base.message, validate), virsh_error=base.virsh_error)
            err.edited = edited
            raise err from exc
        name = new.name()
        return DomainMessage(f"Domain '{name}' XML configuration edited.", name=name, virsh=virsh, api=api)

