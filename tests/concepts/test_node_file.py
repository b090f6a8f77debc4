"""kvmlab.concepts.node_file: the test driver's host now, as a node file another process opens."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import kvmlab
from kvmlab.concepts import node_file


def _listing(c) -> str:
    return str(c.list(all=True))


def test_a_fresh_lab_comes_back_the_same(conn, tmp_path):
    uri = node_file.write_node_file(conn, tmp_path / "embedded-host.xml")
    assert uri == f"test://{tmp_path / 'embedded-host.xml'}"
    with kvmlab.connect(uri) as copy:
        assert _listing(copy) == _listing(conn)  # ids too: running domains are written first, by id
        for name in ("web01", "installer"):
            assert copy.virconn.lookupByName(name).XMLDesc(0) == conn.virconn.lookupByName(name).XMLDesc(0)
        assert sorted(n.name() for n in copy.virconn.listAllNetworks(0)) == \
            sorted(n.name() for n in conn.virconn.listAllNetworks(0))
        vols = copy.virconn.storagePoolLookupByName("default").listAllVolumes(0)
        assert sorted(v.name() for v in vols) == ["backup.qcow2", "build.qcow2", "db01.qcow2", "web01.qcow2"]
        assert copy.virconn.getInfo() == conn.virconn.getInfo()


def test_another_process_sees_what_this_one_changed(conn, tmp_path):
    conn.suspend("web01")
    conn.destroy("db01")
    conn.start("backup")
    conn.define("<domain type='test'><name>fresh</name><memory>65536</memory>"
                "<os><type>hvm</type></os></domain>")  # fmt: skip
    uri = node_file.write_node_file(conn, tmp_path / "now.xml")
    states = {row[1]: row[2] for row in kvmlab.connect(uri).list(all=True).rows}
    assert states == {"web01": "paused", "db01": "shut off", "backup": "running", "build": "paused",
                      "installer": "shut off", "fresh": "shut off"}  # fmt: skip
    if shutil.which("virsh"):  # real virsh, in its own process, reads the same file
        out = subprocess.run(["virsh", "-c", uri, "domstate", "web01"], capture_output=True, text=True).stdout
        assert out.strip() == "paused"


def test_a_transient_domain_stays_transient(conn, tmp_path):
    conn.virconn.createXML("<domain type='test'><name>once</name><memory>65536</memory>"
                           "<os><type>hvm</type></os></domain>", 0)  # fmt: skip
    xml = node_file.node_xml(conn)
    assert "<test:transient/>" in xml
    with kvmlab.connect(node_file.write_node_file(conn, tmp_path / "t.xml")) as copy:
        once = copy.virconn.lookupByName("once")
        assert once.isPersistent() == 0 and once.isActive() == 1


def test_a_closed_connection_is_a_kvmlab_error_not_a_traceback(conn, tmp_path):
    conn.close()
    with pytest.raises(kvmlab.KvmlabError):
        node_file.node_xml(conn)
