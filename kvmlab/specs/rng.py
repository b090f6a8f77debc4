"""Validate XML against libvirt's own RelaxNG schemas, with messages a learner can act on.

The schemas are the ones ``virt-xml-validate`` uses (``/usr/share/libvirt/schemas``; set
``KVMLAB_SCHEMA_DIR`` to use another copy). Each is compiled once and cached; its ``include``\\ s
must be local files (checked), so validation never touches the network.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from lxml import etree

from ..errors import Unsupported
from ..i18n import _
from .parser import parse_xml, xml_parser
from .problems import Problem
from .rng_index import SchemaIndex, load_grammar_docs

__all__ = ["SCHEMA_FILES", "schema_dir", "schema_path", "rng_problems", "schema_index"]

SCHEMA_FILES = {"domain": "domain.rng", "network": "network.rng", "pool": "storagepool.rng",
                "volume": "storagevol.rng", "snapshot": "domainsnapshot.rng"}

# libxml2 messages that only echo an error reported more precisely elsewhere
_ECHOES = ("RELAXNG_ERR_INTEREXTRA", "RELAXNG_ERR_INTERSEQ", "RELAXNG_ERR_CONTENTVALID",
           "RELAXNG_ERR_ATTRVALID", "RELAXNG_ERR_EXTRACONTENT", "RELAXNG_ERR_INVALIDATTR",
           "RELAXNG_ERR_DATATYPE", "RELAXNG_ERR_TYPEVAL", "RELAXNG_ERR_ELEMWRONG", "RELAXNG_ERR_NOTELEM")


def schema_dir() -> Path:
    return Path(os.environ.get("KVMLAB_SCHEMA_DIR") or "/usr/share/libvirt/schemas")


def schema_path(kind: str) -> Path:
    path = schema_dir() / SCHEMA_FILES[kind]
    if not path.is_file():
        raise Unsupported(
            _("libvirt's schema {path} is missing").format(path=path),
            hint=_("install libvirt's schemas (Debian: apt install libvirt-clients), "
                   "or point KVMLAB_SCHEMA_DIR at a copy"),
        )
    return path


@functools.lru_cache(maxsize=None)
def _compiled(path: Path) -> tuple[etree.RelaxNG, SchemaIndex]:
    docs = load_grammar_docs(path)  # refuses non-local includes before libxml2 follows them
    schema = etree.RelaxNG(etree.parse(str(path), xml_parser()))
    return schema, SchemaIndex(docs)


def schema_index(kind: str) -> SchemaIndex:
    return _compiled(schema_path(kind))[1]


def rng_problems(kind: str, xml: str | etree._Element) -> list[Problem]:
    """Validate ``xml`` (a full document) against libvirt's schema for ``kind``; [] if valid.

    Raises:
        SpecError: the XML is not well-formed.
    """
    root = xml if isinstance(xml, etree._Element) else parse_xml(xml, kind)  # an element: parsed once already
    schema, index = _compiled(schema_path(kind))
    if schema.validate(root):
        return []
    entries = list(schema.error_log)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()

    def add(el: etree._Element | None, path: str, message: str, fix: str) -> None:
        if (path, message) not in seen:
            seen.add((path, message))
            problems.append(Problem(path, message, fix, "schema", el.sourceline if el is not None else None))

    tree = root.getroottree()
    # 1. Elements libxml2 points at, or names in "Extra element X": find out what is wrong in them,
    #    looking deeper when the element itself is fine (libxml2 often blames an ancestor).
    suspects: list[etree._Element] = []
    for e in entries:
        if e.path:
            suspects += _at(root, e.path)
        m = re.match(r"(?:Extra element|Element) (\S+) ", e.message)
        if m:
            name = m.group(1).rsplit(":", 1)[-1]  # libxml2 names namespaced elements by their prefix
            suspects += [root] if name == root.tag else root.xpath("//*[local-name()=$n]", n=name)
    for el in dict.fromkeys(suspects):
        found = index.diagnose(el)
        if not found:
            found = [f for sub in el.iterdescendants() if isinstance(sub.tag, str) for f in index.diagnose(sub)]
        for bad, what, expected in found:
            add(bad, tree.getpath(bad), what, expected)
    # 2. Missing elements: "Expecting an element X, got nothing".
    for e in entries:
        m = re.match(r"Expecting an element (\S+), got nothing", e.message)
        if m and not any(etree.QName(c).localname == m.group(1).rsplit(":", 1)[-1]  # a spurious interleave echo
                         for el in _at(root, e.path or "/" + root.tag) for c in el if isinstance(c.tag, str)):
            parent = e.path or "/" + root.tag
            add(None, parent, _("<{name}> needs a <{child}> element").format(name=parent.rsplit("/", 1)[-1],
                                                                              child=m.group(1)),
                _("add <{child}>…</{child}> (libvirt's schema requires it)").format(child=m.group(1)))
    # 3. Nothing precise: report libxml2's first message in plain terms.
    if not problems:
        first = next((e for e in entries if e.type_name not in _ECHOES[:3]), entries[0])
        add(None, first.path or "/" + root.tag, _("does not match libvirt's schema: {message}").format(
                message=first.message),
            _("compare with `virsh dumpxml` output, or run `virt-xml-validate FILE` for libxml2's own report"))
    return problems


def _at(root: etree._Element, path: str) -> list[etree._Element]:
    """The elements at libxml2's error path, which may use the document's namespace prefixes
    (``/pool/rbd:config_opts``); [] for a path that does not resolve, never an XPath error."""
    prefixes = {k: v for el in root.iter() if isinstance(el.tag, str) for k, v in el.nsmap.items() if k}
    try:
        found = root.xpath("/" + path.lstrip("/"), namespaces=prefixes)
    except etree.XPathError:
        return []
    return [el for el in found if isinstance(el, etree._Element)] if isinstance(found, list) else []
