"""The nodes ``dumpxml --xpath [--wrap]`` prints (virsh-util.c virshDumpXML), with lxml over the
same libxml2. Loaded by :func:`.xpath.dump_text` only when an expression is given, so a plain
dumpxml (and every other command) never loads lxml.
"""

from __future__ import annotations

import copy
import re
from html import escape as _escape

from lxml import etree

from ..errors import OperationFailed, XPathSyntax
from ..i18n import _
from ..specs.parser import xml_parser
from ..specs.xmlchars import bad_char_words, first_bad_char

__all__ = ["dump_xpath"]


def _parser() -> etree.XMLParser:
    # virsh parses with xmlKeepBlanksDefault(0): whitespace-only text is dropped, so output re-indents
    return xml_parser(remove_blank_text=True)


def _attr_text(value: str) -> str:
    out = _escape(value, quote=False).replace('"', "&quot;")
    return out.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _node_text(node) -> str:
    """xmlNodeDump(doc, node, 0, format=1) of one node of the result set."""
    if isinstance(node, etree._ElementUnicodeResult):
        if node.is_attribute:
            return f' {node.attrname}="{_attr_text(str(node))}"'
        return _escape(str(node), quote=False).replace("\r", "&#13;")
    text = etree.tostring(node, encoding="unicode", pretty_print=True, with_tail=False)
    return text[:-1] if text.endswith("\n") else text


def _wrapped(nodes: list) -> str:
    root = etree.Element("nodes")
    for node in nodes:
        if isinstance(node, etree._ElementUnicodeResult):
            if node.is_attribute:
                root.set(node.attrname, str(node))
            elif len(root):
                root[-1].tail = (root[-1].tail or "") + str(node)
            else:
                root.text = (root.text or "") + str(node)
        else:
            el = copy.deepcopy(node)
            el.tail = None
            root.append(el)
    text = etree.tostring(root, encoding="unicode", pretty_print=True)
    return text[:-1] if text.endswith("\n") else text


_FUNCTION = re.compile(r"(?<![\w:.-])([A-Za-z_][\w.-]*)\s*\(")
_KNOWN = frozenset(
    "last position count id local-name namespace-uri name string concat starts-with contains substring-before "
    "substring-after substring string-length normalize-space translate boolean not true false lang number sum "
    "floor ceiling round escape-uri node text comment processing-instruction".split()
)


def _unknown_function(xpath: str) -> str | None:
    """The first call of a function XPath 1.0 does not have (libxml2 names it on stderr)."""
    return next((m.group(1) for m in _FUNCTION.finditer(xpath) if m.group(1) not in _KNOWN), None)


def dump_xpath(xml: str, xpath: str, wrap: bool = False) -> str:
    """The text virsh prints for ``--xpath XPATH [--wrap]`` on document ``xml``.

    Raises:
        OperationFailed: the expression is not a node set (``internal error: Incorrect xpath '…'``).
        XPathSyntax: libxml2 rejects the expression.
    """
    root = etree.fromstring(xml.encode(), _parser())
    _require_utf8(xpath)
    try:
        compiled = etree.XPath(xpath)
    except etree.XPathSyntaxError as exc:
        col = exc.error_log[0].column if len(exc.error_log) else 0
        msg = exc.error_log[0].message if len(exc.error_log) else str(exc)
        err = XPathSyntax(
            _("invalid XPath expression {xpath}: {reason}").format(xpath=repr(xpath), reason=msg),
            hint=_("an XPath such as /domain/devices/disk or //vcpu selects nodes; check the brackets and slashes"),
            virsh_error=[],
        )
        # libxml2's xmlReportError shows the expression and a caret when the column is inside it
        caret = f"{xpath}\n{' ' * col}^\n" if col < min(100, len(xpath.encode())) else ""
        err.stderr_text = f"XPath error : {msg}\n{caret}"
        raise err from None
    try:
        result = compiled(root)
    except etree.XPathEvalError as exc:
        msg = exc.error_log[0].message if len(exc.error_log) else str(exc)
        err = XPathSyntax(_("XPath {xpath} failed: {reason}").format(xpath=repr(xpath), reason=msg),
                          hint=_("check the function names, namespace prefixes and $variables in the expression"),
                          virsh_error=[])
        err.stderr_text = f"XPath error : {msg}\n"
        unknown = _unknown_function(xpath) if msg == "Unregistered function" else None
        if unknown:
            err.stderr_text = f"xmlXPathCompOpEval: function {unknown} not found\n" + err.stderr_text
        raise err from None
    if not isinstance(result, list):
        raise OperationFailed(
            f"internal error: Incorrect xpath '{xpath}'",  # i18n: virsh's own words
            hint=_("--xpath prints nodes; count(), string() and similar give a value, not nodes "
                   "(try e.g. //vcpu or /domain/name)"),
        )
    if wrap:
        return _wrapped(result) + "\n"
    return "".join(_node_text(n) + "\n" for n in result)


def _require_utf8(xpath: str) -> None:
    """What lxml cannot hand to libxml2, libxml2's XPath parser stops at: bytes that are not UTF-8
    (kept as surrogates) are its ``Encoding error`` (libxml2 sometimes prints it twice), a control
    character its ``Invalid expression``; a caret under the first such byte."""
    bad = first_bad_char(xpath)
    if bad is None:
        return
    at = len(xpath[:xpath.index(bad)].encode("utf-8", "surrogateescape"))
    undecodable = 0xD800 <= ord(bad) <= 0xDFFF
    err = XPathSyntax(_("the XPath expression {xpath} holds {chars}").format(xpath=repr(xpath), chars=bad_char_words(bad)),
                      hint=_("write the expression in plain UTF-8 text, e.g. --xpath //name"), virsh_error=[])
    err.stderr_text = (f"XPath error : {'Encoding error' if undecodable else 'Invalid expression'}\n"
                       f"{xpath}\n{' ' * at}^\n")
    raise err
