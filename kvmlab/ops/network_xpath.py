"""``--xpath`` / ``--wrap`` of the dumpxml commands, as virsh's virshDumpXML (tools/virsh-util.c).

virsh re-parses the XML with blanks dropped, evaluates the expression, and prints each selected
node with libxml2's pretty printer (so attributes come out double-quoted) followed by a newline;
``--wrap`` gathers them under one ``<nodes>`` element. Nothing here is network specific.
"""

from __future__ import annotations

import copy

from lxml import etree

from ..errors import InvalidInput, OperationFailed

__all__ = ["dump_xpath", "empty_xpath_error"]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def _escape(text: str, attribute: bool = False) -> str:
    """libxml2's escaping of text content (and, for attributes, quotes and whitespace)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


def _node_text(node) -> str:
    """One node as libxml2's xmlNodeDump(format=1) writes it, without a final newline."""
    if isinstance(node, etree._Element):
        return etree.tostring(node, pretty_print=True, with_tail=False, encoding="unicode").rstrip("\n")
    if getattr(node, "is_attribute", False):
        return f' {node.attrname}="{_escape(str(node), attribute=True)}"'
    return _escape(str(node))


def _wrapped(nodes: list) -> str:
    root = etree.Element("nodes")
    for node in nodes:
        if isinstance(node, etree._Element):
            root.append(copy.deepcopy(node))
            root[-1].tail = None
        elif getattr(node, "is_attribute", False):
            root.set(node.attrname, str(node))
        elif len(root):
            root[-1].tail = (root[-1].tail or "") + str(node)
        else:
            root.text = (root.text or "") + str(node)
    return etree.tostring(root, pretty_print=True, encoding="unicode").rstrip("\n")


def dump_xpath(xml: str, xpath: str, wrap: bool = False) -> str:
    """What ``dumpxml --xpath XPATH [--wrap]`` prints for document ``xml``.

    Raises:
        OperationFailed: the expression selects a number, string or boolean, not nodes
            (libvirt's ``Incorrect xpath``).
    """
    doc = etree.fromstring(xml.encode(), _PARSER)
    try:
        found = doc.getroottree().xpath(xpath)
    except etree.XPathError:
        # libxml2 prints its parse error on stderr and virsh carries on with no nodes
        found = []
    if not isinstance(found, list):
        raise OperationFailed(
            f"internal error: Incorrect xpath '{xpath}'",
            hint="--xpath must select nodes (e.g. /network/bridge or //ip/@address), "
            "not compute a value such as count(...) or string(...)",
        )
    nodes = [n for n in found if not isinstance(n, tuple)]  # namespace nodes: nothing to print
    if wrap:
        return _wrapped(nodes) + "\n"
    return "".join(_node_text(n) + "\n" for n in nodes)


def empty_xpath_error() -> InvalidInput:
    """``--xpath ''``: virsh fails without a word (vshCommandOptStringQuiet)."""
    return InvalidInput(
        "--xpath needs an expression",
        hint="give an XPath expression, e.g. --xpath /network/ip (kvmlab: xpath='/network/ip')",
        virsh_error=[],
    )
