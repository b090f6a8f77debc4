"""What libvirt's RelaxNG schemas allow, element by element, to explain a failed validation.

libxml2 says *that* a document is invalid, often only "Extra element vcpu in interleave". This
index answers *what was expected*: for each element name, its attributes (with their allowed
values or data types), its child elements and the form of its text. Definitions of elements
that share a name (``<boot>`` in ``<os>`` and in ``<disk>``) are merged, so the index is
lenient: it explains errors libxml2 found, it never invents new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..i18n import _

from .parser import xml_parser
from .rng_types import DEFINE_WORDS, Content

__all__ = ["ElementInfo", "SchemaIndex", "load_grammar_docs"]

RNG_NS = "http://relaxng.org/ns/structure/1.0"


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


@dataclass
class ElementInfo:
    attrs: dict[str, Content] = field(default_factory=dict)
    children: set[str] = field(default_factory=set)
    text: Content = field(default_factory=Content)
    open_children: bool = False
    required_attrs: set[str] | None = None  # required in every definition of this name
    required_children: set[str] | None = None


def load_grammar_docs(path: Path) -> list[etree._Element]:
    """The schema file and every file it includes, parsed safely, each once."""
    seen: dict[Path, etree._Element] = {}
    todo = [path.resolve()]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        root = etree.parse(str(p), xml_parser()).getroot()
        seen[p] = root
        for inc in root.iter(f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef"):
            href = inc.get("href", "")
            if "://" in href or href.startswith("/"):
                raise ValueError(_("{file} refers to a non-local schema {href}").format(file=p.name, href=repr(href)))
            todo.append((p.parent / href).resolve())
    return list(seen.values())


class SchemaIndex:
    """Element name -> ElementInfo, built from a set of RelaxNG grammar documents."""

    def __init__(self, docs: list[etree._Element]):
        self._defines: dict[str, list[etree._Element]] = {}
        for doc in docs:
            for d in doc.iter(f"{{{RNG_NS}}}define"):
                self._defines.setdefault(d.get("name"), []).append(d)
        self.elements: dict[str, ElementInfo] = {}
        for doc in docs:
            for el in doc.iter(f"{{{RNG_NS}}}element"):
                name = self._name_of(el)
                if not name:
                    continue
                info = self.elements.setdefault(name, ElementInfo())
                for child in el:
                    self._walk(child, info, set())
                attrs, children = self._required(list(el), set())
                info.required_attrs = attrs if info.required_attrs is None else info.required_attrs & attrs
                info.required_children = (children if info.required_children is None
                                          else info.required_children & children)

    @staticmethod
    def _name_of(node: etree._Element) -> str | None:
        if node.get("name"):
            return node.get("name").split(":")[-1]
        sub = node.find(f"{{{RNG_NS}}}name")
        return sub.text.strip().split(":")[-1] if sub is not None and sub.text else None

    def _refs(self, node: etree._Element, seen: set[str]) -> list[etree._Element]:
        name = node.get("name")
        if name in seen:
            return []
        seen.add(name)
        return [c for d in self._defines.get(name, []) for c in d]

    def _walk(self, node: etree._Element, info: ElementInfo, seen: set[str]) -> None:
        """Collect attributes, child elements and text forms reachable without entering a child."""
        tag = _local(node)
        if tag == "element":
            name = self._name_of(node)
            if name:
                info.children.add(name)
            else:
                info.open_children = True
        elif tag == "attribute":
            name = self._name_of(node)
            if name:
                content = info.attrs.setdefault(name, Content())
                kids = [c for c in node if _local(c) not in ("name", "")]
                if not kids:
                    content.free = True
                for c in kids:
                    self._content(c, content, set(seen))
        elif tag in ("ref", "parentRef") and node.get("name") in DEFINE_WORDS:
            self._content(node, info.text, set(seen))  # a named data type: text content
        elif tag in ("ref", "parentRef"):
            for c in self._refs(node, seen):
                self._walk(c, info, seen)
        elif tag in ("value", "data", "text", "list"):
            self._content(node, info.text, set(seen))
        elif tag in ("anyName", "nsName"):
            info.open_children = True
        elif tag not in ("name", "notAllowed", "empty", "param", "except", "a", "documentation", ""):
            for c in node:
                self._walk(c, info, seen)

    def _content(self, node: etree._Element, content: Content, seen: set[str]) -> None:
        tag = _local(node)
        if tag == "value":
            content.values.add((node.text or "").strip())
        elif tag == "data":
            params = {p.get("name"): p.text or "" for p in node if _local(p) == "param"}
            exc = frozenset((v.text or "").strip() for v in node.iter(f"{{{RNG_NS}}}value"))
            content.datas.append((node.get("type", "string"), params, exc, ""))
        elif tag in ("text", "list", "anyName"):
            content.free = True
        elif tag in ("ref", "parentRef"):
            name = node.get("name")
            if name in DEFINE_WORDS and name not in seen:
                # keep the checks, but describe the type by its name
                inner = Content()
                for c in self._refs(node, seen):
                    self._content(c, inner, seen)
                content.values |= inner.values
                content.free |= inner.free
                content.datas += [(t, p, e, DEFINE_WORDS[name]) for t, p, e, _ in inner.datas]
            else:
                for c in self._refs(node, seen):
                    self._content(c, content, seen)
        elif tag in ("choice", "group", "optional", "zeroOrMore", "oneOrMore", "interleave", "define"):
            for c in node:
                self._content(c, content, seen)

    def _required(self, nodes: list[etree._Element], seen: set[str]) -> tuple[set[str], set[str]]:
        """Attributes and child elements that every valid instance of a pattern sequence has."""
        attrs: set[str] = set()
        children: set[str] = set()
        for node in nodes:
            tag = _local(node)
            if tag == "attribute" and self._name_of(node):
                attrs.add(self._name_of(node))
            elif tag == "element" and self._name_of(node):
                children.add(self._name_of(node))
            elif tag in ("group", "interleave", "oneOrMore", "mixed"):
                a, c = self._required(list(node), seen)
                attrs |= a
                children |= c
            elif tag in ("ref", "parentRef") and node.get("name") not in seen:
                a, c = self._required(self._refs(node, set(seen)), seen | {node.get("name")})
                attrs |= a
                children |= c
            elif tag == "choice":
                branches = [self._required([b], seen) for b in node if isinstance(b.tag, str)]
                if branches:
                    attrs |= set.intersection(*(b[0] for b in branches))
                    children |= set.intersection(*(b[1] for b in branches))
        return attrs, children

    def diagnose(self, el: etree._Element) -> list[tuple[etree._Element, str, str]]:
        """Find what in ``el`` (its attributes, children, text) the schema does not allow.

        Returns ``(element, what is wrong, what was expected)`` triples.
        """
        name = etree.QName(el).localname
        info = self.elements.get(name)
        if info is None or etree.QName(el).namespace:
            return []
        found = []
        for attr, value in el.attrib.items():
            if etree.QName(attr).namespace:
                continue
            content = info.attrs.get(attr)
            if content is None:
                allowed = ", ".join(sorted(info.attrs)) or _("none")
                found.append((el, _("<{name}> has no attribute '{attr}'").format(name=name, attr=attr),
                              _("attributes of <{name}>: {allowed}").format(name=name, allowed=allowed)))
            elif not content.accepts(value):
                found.append((el, _("<{name} {attr}='{value}'>: '{value}' is not allowed for {attr}").format(
                                  name=name, attr=attr, value=value),
                              _("{attr} must be {what}").format(attr=attr, what=content.describe())))
        for attr in sorted((info.required_attrs or set()) - set(el.attrib)):
            what = info.attrs[attr].describe() if attr in info.attrs else _("set")
            found.append((el, _("<{name}> needs the attribute {attr}").format(name=name, attr=attr),
                          _("add {attr}='…' ({attr} must be {what})").format(attr=attr, what=what)))
        kids = [etree.QName(c).localname for c in el if isinstance(c.tag, str) and not etree.QName(c).namespace]
        if not info.open_children:
            for child in el:
                if not isinstance(child.tag, str) or etree.QName(child).namespace:
                    continue
                cname = etree.QName(child).localname
                if cname not in info.children:
                    allowed = ", ".join(f"<{c}>" for c in sorted(info.children)) or _("no elements")
                    found.append((child, _("<{child}> is not allowed inside <{name}>").format(child=cname, name=name),
                                  _("<{name}> may contain {allowed}").format(name=name, allowed=allowed)))
        for cname in sorted((info.required_children or set()) - set(kids)):
            found.append((el, _("<{name}> needs a <{child}> element").format(name=name, child=cname),
                          _("add <{child}>…</{child}> inside <{name}>").format(child=cname, name=name)))
        text = str(el.xpath("string()"))
        # an empty element whose name another definition uses as a container (<interface> in <devices>
        # and in <forward>) is not a bad text value: stay lenient
        container = not text.strip() and (info.children or info.attrs)
        if len(el) == 0 and (info.text.values or info.text.datas) and not info.text.free and not container:
            if not info.text.accepts(text):
                found.append((el, _("<{name}>{text}</{name}>: '{text}' is not allowed here").format(name=name, text=text),
                              _("<{name}> must hold {what}").format(name=name, what=info.text.describe())))
        return found
