"""What belongs to the lab: tagged domains, and networks and pools named ``kvmlab-…``.

`lab reset` and `lab down` remove exactly these; a learner's own domains, networks and pools
are never touched by them.

* A domain is the lab's when its XML carries the lab's metadata element::

      <metadata><kvmlab:lab xmlns:kvmlab="https://kvmlab.dev/xmlns/lab/1"/></metadata>

  (`virsh metadata DOMAIN https://kvmlab.dev/xmlns/lab/1` prints it).
* libvirt 9.0 networks and storage pools have no metadata, so their names carry the mark:
  the prefix ``kvmlab-`` is reserved for the lab.
"""

from __future__ import annotations

from typing import Any

import libvirt
from lxml import etree

from ..errors import InvalidInput, libvirt_errors, suppressed
from ..i18n import _
from ..specs.parser import xml_parser

__all__ = [
    "LAB_NS",
    "LAB_NS_PREFIX",
    "NAME_PREFIX",
    "tag_domain_xml",
    "is_owned",
    "is_lab_name",
    "owned_domains",
    "owned_networks",
    "owned_pools",
    "virconn_of",
]

LAB_NS = "https://kvmlab.dev/xmlns/lab/1"
LAB_NS_PREFIX = "kvmlab"
NAME_PREFIX = "kvmlab-"

# Elements a domain's <metadata> conventionally follows (libvirt prints it after these).
_BEFORE_METADATA = ("name", "uuid", "genid", "title", "description")


def _lab_tag() -> str:
    return f"{{{LAB_NS}}}lab"


def tag_domain_xml(xml: str) -> str:
    """Return the domain XML with the lab's ownership element added (once) under <metadata>.

    Raises:
        InvalidInput: ``xml`` is not a <domain> document.
    """
    try:
        root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(
            _("the domain XML is not well-formed: {why}").format(why=exc),
            hint=_("check it with `virt-xml-validate FILE domain`"),
        ) from exc
    if root.tag != "domain":
        raise InvalidInput(
            _("expected a <domain> document, got <{tag}>").format(tag=root.tag),
            hint=_("only domains carry the lab's metadata tag; networks and pools are named kvmlab-…"),
        )
    metadata = root.find("metadata")
    if metadata is None:
        metadata = etree.Element("metadata")
        anchors = [el for el in root if el.tag in _BEFORE_METADATA]
        if anchors:
            metadata.tail = anchors[-1].tail  # keep the document's indentation
            anchors[-1].addnext(metadata)
        else:
            root.insert(0, metadata)
    if metadata.find(_lab_tag()) is None:
        etree.SubElement(metadata, _lab_tag(), nsmap={LAB_NS_PREFIX: LAB_NS})
    return etree.tostring(root, encoding="unicode")


def virconn_of(conn: Any) -> libvirt.virConnect:
    """The libvirt connection behind a kvmlab Connection (or a virConnect itself)."""
    return getattr(conn, "virconn", conn)


def is_owned(dom: libvirt.virDomain) -> bool:
    """True if the domain carries the lab's metadata element (current definition)."""
    with libvirt_errors(ignore=[libvirt.VIR_ERR_NO_DOMAIN_METADATA]):
        dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, LAB_NS, 0)
        return True
    return False


def is_lab_name(name: str) -> bool:
    """True for network and pool names reserved for the lab (``kvmlab-…``)."""
    return name.startswith(NAME_PREFIX)


def owned_domains(conn: Any) -> list[libvirt.virDomain]:
    """The lab's domains on this connection, sorted by name."""
    owned = []
    for dom in virconn_of(conn).listAllDomains(0):
        with suppressed(libvirt.VIR_ERR_NO_DOMAIN):  # gone since listed: skip it
            if is_owned(dom):
                owned.append(dom)
    return sorted(owned, key=lambda d: d.name())


def owned_networks(conn: Any) -> list[libvirt.virNetwork]:
    """The lab's networks (named ``kvmlab-…``) on this connection, sorted by name."""
    nets = virconn_of(conn).listAllNetworks(0)
    return sorted((n for n in nets if is_lab_name(n.name())), key=lambda n: n.name())


def owned_pools(conn: Any) -> list[libvirt.virStoragePool]:
    """The lab's storage pools (named ``kvmlab-…``) on this connection, sorted by name."""
    pools = virconn_of(conn).listAllStoragePools(0)
    return sorted((p for p in pools if is_lab_name(p.name())), key=lambda p: p.name())
