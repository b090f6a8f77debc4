"""virsh define and create: a domain from XML (a file, an XML string or a spec object)."""

from __future__ import annotations

import os
import shlex

import libvirt

from ..errors import InvalidInput, libvirt_errors
from ..specs.guard import guard_xml
from .calls import libvirt_flags
from .domain_results import DomainMessage
from .source import XmlSource, read_xml_source
from .vsh import c_int, require_option

__all__ = ["DomainDefineOps", "FilePath", "parse_pass_fds", "STDIN_LABEL"]

# What virsh prints as the file when the XML did not come from one: `virsh define /dev/stdin < vm.xml`
STDIN_LABEL = "/dev/stdin"

DEFINE_HINT = "define = register the VM, do not start it; create = define and start a transient VM"
CREATE_HINT = "create = start a transient VM from XML (gone once stopped); define + start = a persistent one"


class FilePath(os.PathLike):
    """A file argument exactly as typed (``pathlib`` would turn ``./vm.xml`` into ``vm.xml``)."""

    def __init__(self, path: str):
        self.path = path

    def __fspath__(self) -> str:
        return self.path

    def __str__(self) -> str:
        return self.path


def parse_pass_fds(text: str | None) -> list[int]:
    """virshFetchPassFdsList: ``"3,4"`` -> [3, 4]; an empty value is ignored as virsh does."""
    if not text:
        return []
    fds = []
    for part in text.split(","):
        fd = c_int(part)
        if fd is None:
            raise InvalidInput(
                f"Unable to parse FD number '{part}'",
                hint="--pass-fds takes open file descriptor numbers separated by commas, e.g. 3,4",
            )
        fds.append(fd)
    return fds


def _xml_input(source: XmlSource) -> tuple[str, str, str]:
    """(xml, label virsh prints, shell form for .virsh)."""
    if isinstance(source, str) and not source.lstrip().startswith("<") or isinstance(source, os.PathLike):
        require_option(os.fspath(source), "file")
    xml, label = read_xml_source(source)
    if label:
        return xml, label, shlex.quote(label)
    return xml, STDIN_LABEL, f"{STDIN_LABEL} < domain.xml"


def _name_in(xml: str) -> str:
    """The <name> of an XML text, for a hint (best effort, no error)."""
    from lxml import etree

    try:
        root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
        return (root.findtext("name") or "").strip()
    except (etree.XMLSyntaxError, ValueError):
        return ""


_XML_HINT = ("the XML is not a valid domain: check it against `virsh dumpxml` of a working VM "
             "(kvmlab builds valid XML: kvmlab.specs)")


def _failure(line: str, xml: str, creating: bool):
    """virsh's ``Failed to define/create domain from FILE``, then libvirt's message (a libvirt_errors block)."""
    name = _name_in(xml)
    taken = (f"a domain named '{name}' already exists (with another UUID): start that one with "
             f"`virsh start {name}`, or give this VM a new <name>" if creating else
             "that name belongs to another domain (other UUID): pick a new <name>, or drop/match the <uuid>")
    running = f"'{name}' is running already; `virsh list` shows it"
    hints = {
        "already exists": taken,
        "already active": running,
        "already running": running,
        "unsupported flags": "libvirt's test driver refuses this flag; a real QEMU host accepts it",
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
        xml_text, label, shell = _xml_input(xml)
        flags = libvirt.VIR_DOMAIN_DEFINE_VALIDATE if validate else 0
        guard_xml("domain", xml_text)
        api = ["dom = conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)" if validate
               else "dom = conn.defineXML(xml)"]
        with _failure(f"Failed to define domain from {label}", xml_text, False):
            dom = self.virconn.defineXMLFlags(xml_text, flags) if flags else self.virconn.defineXML(xml_text)
        name = dom.name()
        return DomainMessage(
            f"Domain '{name}' defined from {label}", name=name, api=api,
            virsh=f"virsh define {shell}" + (" --validate" if validate else ""),
        )

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
        """virsh create: define and start a *transient* domain (it disappears once stopped).

        ``paused=True`` leaves its vCPUs paused; ``autodestroy=True`` stops it when this connection closes.
        """
        xml_text, label, shell = _xml_input(xml)
        fds = pass_fds if isinstance(pass_fds, list) else parse_pass_fds(pass_fds)
        flags, flag_text = libvirt_flags(f"VIR_DOMAIN_START_{flag}" for on, flag in (
            (paused, "PAUSED"), (autodestroy, "AUTODESTROY"), (validate, "VALIDATE"), (reset_nvram, "RESET_NVRAM"))
            if on)
        guard_xml("domain", xml_text)
        api = [f"dom = conn.createXMLWithFiles(xml, {fds}, {flag_text})" if fds
               else f"dom = conn.createXML(xml, {flag_text})"]
        with _failure(f"Failed to create domain from {label}", xml_text, True):
            if fds:
                dom = self.virconn.createXMLWithFiles(xml_text, fds, flags)
            else:
                dom = self.virconn.createXML(xml_text, flags)
        name = dom.name()
        extra = "".join(f" --{f}" for f, on in (("paused", paused), ("autodestroy", autodestroy),
                                                ("validate", validate), ("reset-nvram", reset_nvram)) if on)
        if fds:
            extra += " --pass-fds " + ",".join(map(str, fds))
        return DomainMessage(f"Domain '{name}' created from {label}", name=name, api=api,
                             virsh=f"virsh create {shell}{extra}")
