"""``dumpxml --xpath [--wrap]`` (virsh-util.c virshDumpXML): the checks every dumpxml command makes,
and the text it prints.

Generic over the document: dumpxml, net-dumpxml, pool-dumpxml and vol-dumpxml print the same way
(:func:`require_xpath` and :func:`dump_text` are what each of them calls). Selecting nodes needs
lxml (:mod:`.xpath_nodes`), loaded only when an expression is given.
"""

from __future__ import annotations

from ..errors import InvalidInput, XPathSyntax
from ..i18n import _

__all__ = ["XPathSyntax", "require_xpath", "dump_text"]


def require_xpath(xpath: str | None, example: str) -> None:
    """An empty ``--xpath`` fails without a word in virsh (vshCommandOptStringQuiet); kvmlab adds a hint."""
    if xpath is not None and not isinstance(xpath, str):
        raise InvalidInput(_("expected an XPath expression as text, got {type}: {value}").format(
            type=type(xpath).__name__, value=f"{xpath!r:.60}"),
                           hint=_("pass it as a str, e.g. xpath={example}").format(example=repr(example)))
    if xpath == "":
        raise InvalidInput(_("--xpath needs an expression"),
                           hint=_("give an XPath expression, e.g. --xpath {example} (kvmlab: xpath={quoted})").format(
                               example=example, quoted=repr(example)),
                           virsh_error=[])


def dump_text(xml: str, xpath: str | None, wrap: bool, api: list[str] | None = None) -> str:
    """What a dumpxml command prints: the document, or the nodes ``xpath`` selects (noted in ``api``
    when one is given)."""
    if xpath is None:
        return xml
    if api is not None:
        api.append(f"lxml: etree.fromstring(xml).xpath({xpath!r})")
    from .xpath_nodes import dump_xpath

    return dump_xpath(xml, xpath, wrap)
