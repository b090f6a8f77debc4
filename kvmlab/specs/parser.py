"""The one way kvmlab parses and prints XML: a safe lxml parser, libvirt-style indentation.

Every parser comes from :func:`xml_parser`: entities are never resolved and nothing is fetched
from the network (no XXE, no "billion laughs"). Text is read the way libvirt reads it, with
XPath ``string()``, so an internal entity such as ``&n;`` counts with the value it stands for.
"""

from __future__ import annotations

import copy

from lxml import etree

from ..errors import SpecError
from ..i18n import _

__all__ = ["xml_parser", "parse_xml", "try_parse", "serialize", "canonical", "text_of", "KINDS", "ROOT_TAG"]

# kind (as kvmlab names it) -> root element libvirt expects
ROOT_TAG = {"domain": "domain", "network": "network", "pool": "pool", "volume": "volume",
            "snapshot": "domainsnapshot"}
KINDS = tuple(ROOT_TAG)


def xml_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """A fresh parser: no entity expansion, no network, comments kept (round trips keep them).

    ``remove_blank_text=True`` drops whitespace-only text, as virsh's ``xmlKeepBlanksDefault(0)``
    does, so the output re-indents. A parser is not shared between threads: ask for a new one.
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=remove_blank_text)


def _as_bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def try_parse(text: str | bytes) -> etree._Element | None:
    """The root element, or None if the text is not well-formed XML."""
    try:
        return etree.fromstring(_as_bytes(text), xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def parse_xml(text: str | bytes, kind: str | None = None) -> etree._Element:
    """Parse ``text``; check the root element if ``kind`` is given.

    Raises:
        SpecError: the text is not well-formed, or its root is not the expected element.
    """
    try:
        root = etree.fromstring(_as_bytes(text), xml_parser())
    except etree.XMLSyntaxError as exc:
        line = _(" (line {line})").format(line=exc.lineno) if exc.lineno else ""
        raise SpecError(
            _("the XML is not well-formed{line}: {error}").format(line=line, error=exc.msg),
            hint=_("every <tag> needs its </tag> (or write <tag/>), and attribute values need quotes"),
        ) from None
    if kind is not None and root.tag != ROOT_TAG[kind]:
        raise SpecError(
            _("expected a <{root}> document, got <{tag}>").format(root=ROOT_TAG[kind], tag=root.tag),
            hint=_("a {kind} definition starts with <{root}>; `virsh {dump}` shows one").format(
                kind=kind, root=ROOT_TAG[kind], dump=_DUMP[kind]),
        )
    return root


_DUMP = {"domain": "dumpxml NAME", "network": "net-dumpxml NAME", "pool": "pool-dumpxml NAME",
         "volume": "vol-dumpxml VOL --pool POOL", "snapshot": "snapshot-dumpxml DOMAIN SNAPSHOT"}


def text_of(el: etree._Element | None) -> str | None:
    """An element's text as libvirt sees it (entities included); None if there is no element."""
    if el is None:
        return None
    return str(el.xpath("string()"))


def _strip_indentation(el: etree._Element) -> None:
    """Drop whitespace that is only layout (it has a newline), so printing can re-indent."""
    for node in el.iter():
        if node.text is not None and not node.text.strip() and "\n" in node.text:
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None


def serialize(el: etree._Element) -> str:
    """Pretty XML, two-space indent like ``virsh dumpxml``, ending with a newline."""
    el = copy.deepcopy(el)
    _strip_indentation(el)
    etree.indent(el, space="  ")
    return etree.tostring(el, encoding="unicode") + "\n"


def canonical(el: etree._Element) -> bytes:
    """A form in which equivalent documents are byte-equal (layout and quoting ignored)."""
    el = copy.deepcopy(el)
    _strip_indentation(el)
    for node in el.iter():
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.tostring(el, method="c14n2", strip_text=False)
