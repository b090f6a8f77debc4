"""The test driver's host as it is now, written as a node file that another process can open.

libvirt's test driver keeps its host inside the process that opened it: virsh or virt-manager
started with ``test:///…/embedded-host.xml`` get the file's first state, not what this notebook did
since. :func:`write_node_file` writes the connection's domains (with their run state), networks and
pools (with their volumes) as they are now, in the node-file format the driver reads
(``testOpenFromFile`` in libvirt's ``src/test/test_driver.c``), so another process sees this lab.

    >>> from kvmlab.concepts import node_file
    >>> uri = node_file.write_node_file(conn, tmp / "embedded-host.xml")   # 'test:///tmp/…/embedded-host.xml'

A node file cannot say everything: every network and pool it lists starts active (the driver
marks them so), autostart flags and snapshots are not carried, and a stopped pool comes without
its volumes (libvirt lists no volumes of an inactive pool).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libvirt
from lxml import etree

from ..errors import libvirt_errors
from ..specs.parser import xml_parser

__all__ = ["TEST_NS", "node_xml", "write_node_file"]

TEST_NS = "http://libvirt.org/schemas/domain/test/1.0"  # the driver's own elements: runstate, transient


def _parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode(), xml_parser())


def _cpu(info: list) -> etree._Element:
    """virNodeGetInfo's answer as the node file's <cpu> block (model, MiB, cpus, MHz, nodes, sockets, cores, threads)."""
    cpu = etree.Element("cpu")
    for tag, value in (("mhz", info[3]), ("model", info[0]), ("active", info[2]), ("nodes", info[4]),
                       ("sockets", info[5]), ("cores", info[6]), ("threads", info[7])):  # fmt: skip
        etree.SubElement(cpu, tag).text = str(value)
    return cpu


def _domain(dom: libvirt.virDomain) -> etree._Element:
    """The domain as ``virsh dumpxml`` prints it, plus the driver's <test:runstate> (and
    <test:transient/> for a domain without a persistent config)."""
    old = _parse(dom.XMLDesc(0))
    new = etree.Element("domain", old.attrib, nsmap={"test": TEST_NS})  # the prefix declared on <domain>
    new.attrib.pop("id", None)  # the driver numbers the running domains itself
    new.extend(list(old))
    etree.SubElement(new, f"{{{TEST_NS}}}runstate").text = str(dom.state()[0])
    if not dom.isPersistent():
        etree.SubElement(new, f"{{{TEST_NS}}}transient")
    return new


def _pool(pool: libvirt.virStoragePool) -> etree._Element:
    """The pool's XML with its volumes inside it, as the node file nests them."""
    el = _parse(pool.XMLDesc(0))
    if pool.isActive():
        for vol in sorted(pool.listAllVolumes(0), key=libvirt.virStorageVol.name):
            el.append(_parse(vol.XMLDesc(0)))
    return el


def _file_order(dom: libvirt.virDomain) -> tuple[int, str]:
    """Running domains first, by id, then the rest by name: the driver numbers the running ones
    1, 2, 3 … in file order, so a fresh lab's ids come back the same."""
    ident = dom.ID()
    return (ident if ident > 0 else 1 << 31, dom.name())


def node_xml(conn: Any) -> str:
    """The node file (``<node>``) of ``conn``'s host as it is now: host CPU and memory, every domain,
    network and pool (running domains first, by id; the rest by name).

    Raises:
        KvmlabError: libvirt refused one of the reads (mapped as every kvmlab call is).
    """
    v = conn.virconn
    node = etree.Element("node")
    with libvirt_errors("failed to read the host to write its node file"):
        info = v.getInfo()
        node.append(_cpu(info))
        etree.SubElement(node, "memory").text = str(info[1] * 1024)  # getInfo says MiB; the file KiB
        for dom in sorted(v.listAllDomains(0), key=_file_order):
            node.append(_domain(dom))
        for net in sorted(v.listAllNetworks(0), key=libvirt.virNetwork.name):
            node.append(_parse(net.XMLDesc(0)))
        for pool in sorted(v.listAllStoragePools(0), key=libvirt.virStoragePool.name):
            node.append(_pool(pool))
    etree.indent(node)
    return etree.tostring(node, encoding="unicode") + "\n"


def write_node_file(conn: Any, path: str | Path) -> str:
    """Write :func:`node_xml` to ``path``; return the test-driver URI that opens it."""
    path = Path(path).resolve()
    path.write_text(node_xml(conn))
    return f"test://{path}"
