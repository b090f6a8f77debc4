"""virsh define and create: a domain from XML (a file, an XML string or a spec object)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ContextManager

import libvirt

from ..errors import HintSource, InvalidInput, libvirt_errors
from ..i18n import N_, _
from .calls import libvirt_flags
from .domain_results import DomainMessage
from .vsh import c_int

if TYPE_CHECKING:
    from .define import XmlInput
    from .source import XmlSource

__all__ = ["DomainDefineOps", "FilePath", "parse_pass_fds"]

DEFINE_HINT = N_("define = register the VM, do not start it; create = start a transient VM (no definition kept)")
CREATE_HINT = N_("create = start a transient VM from XML (gone once stopped); define + start = a persistent one")


class FilePath(os.PathLike):
    """A file argument exactly as typed (``pathlib`` would turn ``./vm.xml`` into ``vm.xml``)."""

    def __init__(self, path: str):
        self.path = path

    def __fspath__(self) -> str:
        return self.path

    def __str__(self) -> str:
        return self.path


def parse_pass_fds(text: str | list[int] | None) -> list[int]:
    """virshFetchPassFdsList: ``"3,4"`` -> [3, 4]; an empty value is ignored as virsh does.

    From Python a list of descriptor numbers is taken as it is, once each entry is checked.
    """
    if isinstance(text, list) and all(isinstance(fd, int) and not isinstance(fd, bool) and fd >= 0 for fd in text):
        return list(text)
    if text is not None and not isinstance(text, str):
        raise InvalidInput(
            _("expected file descriptor numbers, got {type}: {value}").format(type=type(text).__name__,
                                                                               value=f"{text!r:.60}"),
            hint=_("pass_fds takes a list of open descriptor numbers, e.g. [3, 4], or virsh's text '3,4'"),
        )
    if not text:
        return []
    fds = []
    for part in text.split(","):
        fd = c_int(part)
        if fd is None:
            raise InvalidInput(
                f"Unable to parse FD number '{part}'",  # i18n: virsh's own words
                hint=_("--pass-fds takes open file descriptor numbers separated by commas, e.g. 3,4"),
            )
        fds.append(fd)
    return fds


_XML_HINT = N_("the XML is not a valid domain: check it against `virsh dumpxml` of a working VM "
             "(kvmlab builds valid XML: kvmlab.specs)")


def _failure(inp: XmlInput, line: str, creating: bool) -> ContextManager[None]:
    """virsh's ``Failed to define/create domain from FILE``, then libvirt's message."""
    def start_that(_msg: str) -> str:
        name = inp.name
        return _("a domain named '{name}' already exists (with another UUID): start that one with "
                 "`virsh start {name}`, or give this VM a new <name>").format(name=name)

    def running(_msg: str) -> str:
        return _("'{name}' is running already; `virsh list` shows it").format(name=inp.name)

    taken: HintSource = start_that if creating else N_(
        "that name belongs to another domain (other UUID): pick a new <name>, or drop/match the <uuid>")
    hints: dict[int | str, HintSource] = {
        "already exists": taken,
        "already active": running,
        "already running": running,
        "unsupported flags": N_("libvirt's test driver refuses this flag; a real QEMU host accepts it"),
        libvirt.VIR_ERR_XML_ERROR: _XML_HINT,
        libvirt.VIR_ERR_XML_DETAIL: _XML_HINT,
        libvirt.VIR_ERR_XML_INVALID_SCHEMA: _XML_HINT,
    }
    return libvirt_errors(line, hint=CREATE_HINT if creating else DEFINE_HINT, hints=hints)


class DomainDefineOps:
    """virsh define / create."""

    virconn: libvirt.virConnect

    def define(self, xml: XmlSource, *, validate: bool = False) -> DomainMessage:
        """virsh define: register a domain from XML without starting it.

        ``xml`` is a file path, an XML string or a spec object (anything with ``.to_xml()``).
        Defining again with the same name and UUID updates the definition.
        """
        from .define import XmlCommand  # lxml and the specs load on the first define, not before

        flags = libvirt.VIR_DOMAIN_DEFINE_VALIDATE if validate else 0
        api = ["dom = conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)" if validate
               else "dom = conn.defineXML(xml)"]
        command = XmlCommand("domain", "define", "define", (("validate", validate),))
        dom, inp, line = command.run(
            xml, lambda text: self.virconn.defineXMLFlags(text, flags) if flags else self.virconn.defineXML(text),
            lambda inp, failed: _failure(inp, failed, False), virconn=self.virconn)
        name = dom.name()
        return DomainMessage(f"Domain '{name}' defined{inp.origin}", name=name, api=api, virsh=line)

    def create(
        self,
        xml: XmlSource,
        *,
        paused: bool = False,
        autodestroy: bool = False,
        validate: bool = False,
        reset_nvram: bool = False,
        pass_fds: str | list[int] | None = None,
    ) -> DomainMessage:
        """virsh create: start a *transient* domain from XML, keeping no definition (it disappears once stopped).

        ``paused=True`` leaves its vCPUs paused; ``autodestroy=True`` stops it when this connection closes.
        """
        from .define import XmlCommand, require_file

        require_file(xml)  # virsh reads --file before --pass-fds
        fds = parse_pass_fds(pass_fds)
        flags, flag_text = libvirt_flags(f"VIR_DOMAIN_START_{flag}" for on, flag in (
            (paused, "PAUSED"), (autodestroy, "AUTODESTROY"), (validate, "VALIDATE"), (reset_nvram, "RESET_NVRAM"))
            if on)
        api = [f"dom = conn.createXMLWithFiles(xml, {fds}, {flag_text})" if fds
               else f"dom = conn.createXML(xml, {flag_text})"]
        options = (("paused", paused), ("autodestroy", autodestroy), ("validate", validate),
                   ("reset_nvram", reset_nvram), ("pass_fds", ",".join(map(str, fds)) or None))
        dom, inp, line = XmlCommand("domain", "create", "create", options).run(
            xml, lambda text: self.virconn.createXMLWithFiles(text, fds, flags) if fds
            else self.virconn.createXML(text, flags),
            lambda inp, failed: _failure(inp, failed, True), virconn=self.virconn)
        name = dom.name()
        return DomainMessage(f"Domain '{name}' created{inp.origin}", name=name, api=api, virsh=line)
