"""Small declarative XML objects, in the style of virt-manager's virtinst ``XMLBuilder``.

A spec is a thin, typed view over one lxml element. Each field is a descriptor naming where its
value lives (``Text("os/type")``, ``Attr("os/type", "arch")``); reading a field reads the tree,
writing it edits the tree. Because the tree is the only state, whatever a spec does not model
(``<features>``, ``<clock>``, metadata, comments…) survives a parse → edit → ``to_xml()`` round trip.

::

    class Thing(XmlObject):
        TAG = "thing"
        ORDER = {"": ("name", "size")}          # where new child elements go
        name = Text("name")
        size = Size("size", default_unit="KiB")
"""

from __future__ import annotations

import copy
from typing import Any, Callable, ClassVar, Generic, Iterator, TypeVar

from lxml import etree

from ..errors import InvalidInput, SpecError
from ..i18n import _
from ..units import parse_size, unit_bytes
from .parser import canonical, parse_xml, serialize, text_of
from .xmlchars import bad_char_words, first_bad_char

__all__ = ["XmlObject", "Text", "Attr", "Flag", "Size", "Children", "ChildList"]

T = TypeVar("T", bound="XmlObject")


def _int_or_raw(text: str) -> int | str:
    """Numbers as ints; anything else comes back as written, so bad input stays inspectable."""
    stripped = text.strip()
    return int(stripped) if stripped.lstrip("+-").isdigit() else text


class XmlObject:
    """Base of every spec: one element, fields as descriptors, round-trip safe."""

    TAG: ClassVar[str] = ""
    KIND: ClassVar[str | None] = None  # "domain" … for the four top-level specs
    ORDER: ClassVar[dict[str, tuple[str, ...]]] = {}  # parent path -> child tags in libvirt's order

    def __init__(self, element: etree._Element | None = None, **values: Any):
        if element is not None and element.tag != self.TAG:
            raise SpecError(_("expected <{tag}>, got <{got}>").format(tag=self.TAG, got=element.tag),
                            hint=_("pass a <{tag}> element or XML document").format(tag=self.TAG))
        self.element = element if element is not None else etree.Element(self.TAG)
        for key, value in values.items():
            if not isinstance(getattr(type(self), key, None), (_Field, property)):
                raise TypeError(_("{spec} has no field {key}").format(spec=type(self).__name__, key=repr(key)))
            setattr(self, key, value)

    @classmethod
    def from_xml(cls: type[T], text: str | bytes) -> T:
        """Parse XML (for example ``virsh dumpxml`` output); every element is kept.

        Raises:
            SpecError: not well-formed, a different root element, or DTD entities.
        """
        root = parse_xml(text, cls.KIND)
        if cls.KIND is None and root.tag != cls.TAG:
            raise SpecError(_("expected <{tag}>, got <{got}>").format(tag=cls.TAG, got=root.tag),
                            hint=_("pass a <{tag}> element").format(tag=cls.TAG))
        if any(isinstance(n, etree._Entity) for n in root.iter()):
            raise SpecError(
                _("the XML uses DTD entities (&name;)"),
                hint=_("write the values themselves: libvirt's own XML never needs a DOCTYPE"),
            )
        return cls(root)

    def to_xml(self) -> str:
        """The XML text, indented like ``virsh dumpxml``."""
        return serialize(self.element)

    def copy(self: T) -> T:
        return type(self)(copy.deepcopy(self.element))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, XmlObject) or other.TAG != self.TAG:
            return NotImplemented
        return canonical(self.element) == canonical(other.element)

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        fields = []
        for name in dir(type(self)):
            if isinstance(getattr(type(self), name, None), (Text, Attr, Size)):
                value = getattr(self, name)
                if value is not None:
                    fields.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    # -- tree helpers used by the descriptors --------------------------------------------

    def _find(self, path: str) -> etree._Element | None:
        return self.element if path in ("", ".") else self.element.find(path)

    def _ensure(self, path: str) -> etree._Element:
        """The element at ``path``, creating missing steps at their place in ORDER."""
        node, walked = self.element, ""
        for step in [s for s in path.split("/") if s]:
            found = node.find(step)
            if found is None:
                found = etree.Element(step)
                self._insert(node, walked, found)
            node, walked = found, f"{walked}/{step}".lstrip("/")
        return node

    def _insert(self, parent: etree._Element, parent_path: str, child: etree._Element) -> None:
        """Insert ``child`` after its last same-tag sibling, else before the first later tag."""
        order = self.ORDER.get(parent_path, ())
        same = [c for c in parent if c.tag == child.tag]
        if same:
            same[-1].addnext(child)
            return
        if child.tag in order:
            rank = order.index(child.tag)
            for sib in parent:
                if isinstance(sib.tag, str) and sib.tag in order and order.index(sib.tag) > rank:
                    sib.addprevious(child)
                    return
        parent.append(child)


class _Field:
    """Base of the descriptors; ``path`` is relative to the object's element."""

    def __init__(self, path: str, doc: str = ""):
        self.path = path
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name


def xml_text(value: Any, where: str) -> str:
    """``str(value)`` if XML can carry it; a control character or bytes that are not UTF-8 cannot.

    Raises:
        InvalidInput: what was wrong and where, before any XML is built.
    """
    text = str(value)
    bad = first_bad_char(text)
    if bad is not None:
        raise InvalidInput(
            _("{where} {text} holds {bad}, which XML cannot carry").format(
                where=where or _("the value"), text=repr(text), bad=bad_char_words(bad)),
            hint=_("names, paths and other values are plain UTF-8 text without control characters (no NUL, "
                   "no \\x01 ...); libvirt reads them from XML, so `virsh define` could not take it either"),
        )
    return text


class Text(_Field):
    """The text of a child element; ``None`` removes the element. ``conv=int`` reads numbers."""

    def __init__(self, path: str, conv: Callable[[str], Any] = str, doc: str = ""):
        super().__init__(path, doc)
        self.conv = conv

    def __get__(self, obj: XmlObject | None, owner: type) -> Any:
        if obj is None:
            return self
        text = text_of(obj._find(self.path))
        return None if text is None else self.conv(text)

    def __set__(self, obj: XmlObject, value: Any) -> None:
        if value is None:
            el = obj._find(self.path)
            if el is not None and el is not obj.element:
                el.getparent().remove(el)
            return
        el = obj._ensure(self.path)
        for child in list(el):  # the text replaces whatever was there
            el.remove(child)
        el.text = xml_text(value, self.path)


class Attr(_Field):
    """An attribute of the element at ``path`` (``""`` is the object's own element)."""

    def __init__(self, path: str, attr: str, conv: Callable[[str], Any] = str, doc: str = ""):
        super().__init__(path, doc)
        self.attr = attr
        self.conv = conv

    def __get__(self, obj: XmlObject | None, owner: type) -> Any:
        if obj is None:
            return self
        el = obj._find(self.path)
        value = None if el is None else el.get(self.attr)
        return None if value is None else self.conv(value)

    def __set__(self, obj: XmlObject, value: Any) -> None:
        if value is None:
            el = obj._find(self.path)
            if el is not None and self.attr in el.attrib:
                del el.attrib[self.attr]
            return
        if isinstance(value, bool):
            value = "yes" if value else "no"
        obj._ensure(self.path).set(self.attr, xml_text(value, f"{self.path}/@{self.attr}"))


class Flag(_Field):
    """An empty element that means yes by being there (``<features><acpi/>``); False removes it."""

    def __get__(self, obj: XmlObject | None, owner: type) -> Any:
        return self if obj is None else obj._find(self.path) is not None

    def __set__(self, obj: XmlObject, value: bool) -> None:
        el = obj._find(self.path)
        if value and el is None:
            obj._ensure(self.path)
        elif not value and el is not None and el is not obj.element:
            el.getparent().remove(el)


class Size(_Field):
    """A scaled integer with a ``unit`` attribute, read back in ``result_unit``.

    Set it to ``"512MiB"`` (kept as written: ``<memory unit='MiB'>512</memory>``) or to a bare
    number, which means ``default_unit`` just as in libvirt's XML (KiB for memory, bytes for
    storage). Reading returns a whole number of ``result_unit`` (rounded up, as libvirt does),
    or the raw text if the XML holds something that is not a size.
    """

    def __init__(self, path: str, default_unit: str, result_unit: str | None = None, doc: str = ""):
        super().__init__(path, doc)
        self.default_unit = default_unit
        self.result_unit = result_unit or default_unit

    def __get__(self, obj: XmlObject | None, owner: type) -> Any:
        if obj is None:
            return self
        el = obj._find(self.path)
        if el is None:
            return None
        text, unit = text_of(el).strip(), el.get("unit") or self.default_unit
        per_unit = unit_bytes(unit)
        if not text.isdigit() or per_unit is None:
            return text
        return -(-int(text) * per_unit // unit_bytes(self.result_unit))

    def __set__(self, obj: XmlObject, value: int | str | None) -> None:
        if value is None:
            el = obj._find(self.path)
            if el is not None and el is not obj.element:
                el.getparent().remove(el)
            return
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(_("{field} takes a number or a size such as '512MiB', not {value}").format(
                field=self.name, value=repr(value)))
        parse_size(value, self.default_unit, what=self.name)  # refuses bad sizes early
        text = str(value).strip()
        number = text.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").strip()
        unit = text[len(number):].strip() or self.default_unit
        if isinstance(value, int):
            number, unit = str(value), self.default_unit
        el = obj._ensure(self.path)
        el.text = number
        el.set("unit", unit)


class Children(_Field, Generic[T]):
    """All child elements ``path`` (``"devices/disk"``) as a live list of ``cls`` objects."""

    def __init__(self, path: str, cls: type[T], doc: str = ""):
        super().__init__(path, doc)
        self.cls = cls
        self.parent_path, _, self.tag = path.rpartition("/")

    def __get__(self, obj: XmlObject | None, owner: type) -> Any:
        return self if obj is None else ChildList(obj, self)

    def __set__(self, obj: XmlObject, items: list[T]) -> None:
        view = ChildList(obj, self)
        view.clear()
        for item in items:
            view.append(item)


class ChildList(Generic[T]):
    """A list-like view: indexing and iteration wrap the current elements; edits go to the tree."""

    def __init__(self, owner: XmlObject, field: Children[T]):
        self._owner, self._field = owner, field

    def _elements(self) -> list[etree._Element]:
        parent = self._owner._find(self._field.parent_path)
        return [] if parent is None else parent.findall(self._field.tag)

    def __len__(self) -> int:
        return len(self._elements())

    def __iter__(self) -> Iterator[T]:
        return (self._field.cls(el) for el in self._elements())

    def __getitem__(self, i: int) -> T:
        return self._field.cls(self._elements()[i])

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, ChildList)) else NotImplemented

    def __repr__(self) -> str:
        return repr(list(self))

    def append(self, item: T) -> T:
        """Add ``item`` (its element moves into this tree; keep using ``item`` to edit it)."""
        if not isinstance(item, self._field.cls):
            raise TypeError(_("expected a {cls}, got {got}").format(cls=self._field.cls.__name__, got=type(item).__name__))
        parent = self._owner._ensure(self._field.parent_path)
        self._owner._insert(parent, self._field.parent_path, item.element)
        return item

    def remove(self, item: T) -> None:
        for el in self._elements():
            if el is item.element:
                el.getparent().remove(el)
                return
        raise ValueError(_("not in this list"))

    def clear(self) -> None:
        for el in self._elements():
            el.getparent().remove(el)
