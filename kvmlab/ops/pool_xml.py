"""vol-create-as's <volume> document, built with lxml and printed the way virsh's virBuffer writes it
(so ``--print-xml`` matches virsh byte for byte)."""

from __future__ import annotations

from lxml import etree

from ..errors import InvalidInput
from ..i18n import _
from ..specs.xmlchars import bad_char_words, first_bad_char

__all__ = ["volume_element", "buffer_text", "refuse_unsafe"]


def volume_element(name: str, capacity: int, allocation: int | None = None, fmt: str | None = None,
                   backing_path: str | None = None, backing_format: str | None = None) -> etree._Element:
    """The <volume> document cmdVolCreateAs writes, element for element."""
    vol = etree.Element("volume")
    etree.SubElement(vol, "name").text = name
    etree.SubElement(vol, "capacity").text = str(capacity)
    if allocation is not None:
        etree.SubElement(vol, "allocation").text = str(allocation)
    if fmt is not None:
        target = etree.SubElement(vol, "target")
        etree.SubElement(target, "format", type=fmt)
    if backing_path is not None:
        backing = etree.SubElement(vol, "backingStore")
        etree.SubElement(backing, "path").text = backing_path
        if backing_format is not None:
            etree.SubElement(backing, "format", type=backing_format)
    return vol


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def buffer_text(elem: etree._Element, indent: int = 0) -> str:
    """Serialize like libvirt's virBuffer code: two-space indent, single-quoted attributes,
    one element per line, text-only elements on one line (so ``--print-xml`` matches virsh)."""
    pad = " " * indent
    attrs = "".join(f" {k}='{_attr(v)}'" for k, v in elem.attrib.items())
    children = list(elem)
    if not children:
        if elem.text is None:
            return f"{pad}<{elem.tag}{attrs}/>\n"
        return f"{pad}<{elem.tag}{attrs}>{_text(elem.text)}</{elem.tag}>\n"
    inner = "".join(buffer_text(c, indent + 2) for c in children)
    return f"{pad}<{elem.tag}{attrs}>\n{inner}{pad}</{elem.tag}>\n"


def refuse_unsafe(what: str, value: str | None, bad: str, failed: str, hint: str = "") -> None:
    """virsh pastes these values into its XML unescaped (or, for vol-clone's name, as XML content with
    entity references), so libvirt then rejects the document or gets another name; kvmlab refuses them
    up front instead of creating something virsh never could. ``failed`` is virsh's own first line."""
    odd = first_bad_char(value) if value is not None else None
    if odd is not None or value is not None and any(c in value for c in bad):
        what = _(what)  # the callers' names are marked N_("…")
        message = (_("{what} {value} holds {chars}, which XML cannot carry").format(
            what=what, value=repr(value), chars=bad_char_words(odd)) if odd
                   else _("{what} {value} contains one of {bad}").format(what=what, value=repr(value), bad=repr(bad)))
        raise InvalidInput(
            message,
            hint=(_(hint) if hint and odd is None else
                  _("virsh writes the {what} into XML unescaped and libvirt rejects it: use letters, digits, . - _")
                  .format(what=what)),
            virsh_error=[failed, message],
        )
