"""Snapshot operations on the embedded lab (libvirt's test driver keeps snapshot metadata only): the
typed results, the virsh line and libvirt calls behind each, and the XML spec they read."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, NotFound, SnapshotSpec, Xml
from kvmlab.ops.snapshot_results import SnapshotRow, creation_text, tree_text
from kvmlab.ops.snapshot_xml import escape_text, parse_diskspec, parse_memspec


def test_create_list_info(conn):
    made = conn.snapshot_create_as("web01", "clean", "before the upgrade")
    assert str(made) == "Domain snapshot clean created"  # virsh prints no newline after this one
    assert made.virsh == "virsh snapshot-create-as web01 clean 'before the upgrade'"
    assert made.api == ["dom = conn.lookupByName('web01')", "snap = dom.snapshotCreateXML(xml, 0)"]
    listing = conn.snapshot_list("web01")
    assert listing.names == ["clean"] and "clean" in listing and len(listing) == 1
    row = listing.snapshots[0]
    assert row.state == "running" and row.created == creation_text(row.creation_time)
    assert listing.rows == [("clean", row.created, "running")]
    info = conn.snapshot_info("web01", "clean")
    assert (info.current, info.state, info.location, info.parent, info.children, info.metadata) == (
        True, "running", "internal", None, 0, True)
    assert info["Parent"] == "-" and info.virsh == "virsh snapshot-info web01 clean"


def test_the_tree_follows_the_reverts(conn):
    for step in ("a", "b", "revert a", "c"):
        if step.startswith("revert"):
            assert str(conn.snapshot_revert("web01", step.split()[1])) == "Domain snapshot a reverted\n"
        else:
            conn.snapshot_create_as("web01", step)
    tree = conn.snapshot_list("web01", tree=True)
    assert [(r.name, r.parent) for r in tree] == [("a", None), ("b", "a"), ("c", "a")]
    assert str(tree) == "a\n  |\n  +- b\n  +- c\n    \n"
    assert "<pre>" in tree._repr_html_() and "snapshot-list web01 --tree" in tree._repr_html_()
    parents = conn.snapshot_list("web01", parent=True)
    assert [r[3] for r in parents.rows] == ["", "a", "a"]
    assert conn.snapshot_list("web01", from_="a", name=True).virsh == "virsh snapshot-list web01 --from a --name"
    assert str(conn.snapshot_list("web01", from_="a", name=True)) == "b\nc\n"
    assert conn.snapshot_current("web01", name=True).message == "c"


def test_tree_text_draws_deep_branches():
    rows = [SnapshotRow("a"), SnapshotRow("b", parent="a"), SnapshotRow("c", parent="b"), SnapshotRow("d", parent="a")]
    assert tree_text(rows) == ("a\n  |\n  +- b\n  |   |\n  |   +- c\n  |     \n  +- d\n    \n")
    assert tree_text([SnapshotRow("x"), SnapshotRow("y")]) == "x\n\ny\n\n"


def test_revert_restores_the_state_the_snapshot_saw(conn):
    conn.snapshot_create_as("web01", "up")
    conn.destroy("web01")
    assert conn.dominfo("web01").state == "shut off"
    done = conn.snapshot_revert("web01", "up")
    assert conn.dominfo("web01").state == "running"
    assert done.api[-1] == "dom.revertToSnapshot(snap, 0)"
    conn.snapshot_revert("web01", "up", paused=True)
    assert conn.dominfo("web01").state == "paused"


def test_delete_moves_current_to_the_parent(conn):
    conn.snapshot_create_as("web01", "a")
    conn.snapshot_create_as("web01", "b")
    gone = conn.snapshot_delete("web01", current=True)
    assert str(gone) == "Domain snapshot b deleted\n" and gone.api[-1] == "snap.delete(0)"
    assert conn.snapshot_current("web01", name=True).message == "a"
    conn.snapshot_create_as("web01", "c")
    assert str(conn.snapshot_delete("web01", "a", children_only=True)) == "Domain snapshot a children deleted\n"
    assert conn.snapshot_list("web01").names == ["a"]


def test_current_set_and_xml(conn):
    conn.snapshot_create_as("web01", "a")
    conn.snapshot_create_as("web01", "b")
    done = conn.snapshot_current("web01", snapshotname="a")
    assert str(done) == "Snapshot a set as current"
    assert "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT" in done.api[-1]
    xml = conn.snapshot_current("web01")
    assert isinstance(xml, Xml) and SnapshotSpec.from_xml(xml.xml).name == "a"


def test_no_current_snapshot(conn):
    err = pytest.raises(NotFound, conn.snapshot_current, "web01").value
    assert err.virsh_error == ["domain 'web01' has no current snapshot"] and "snapshot-create-as" in err.hint


def test_dumpxml_is_the_spec_libvirt_filled_in(conn):
    conn.snapshot_create_as("db01", "s1", "desc")
    spec = SnapshotSpec.from_xml(conn.snapshot_dumpxml("db01", "s1").xml)
    assert (spec.name, spec.description, spec.state, spec.memory, spec.location, spec.domain_name) == (
        "s1", "desc", "running", "internal", "internal", "db01")
    assert [(d.name, d.snapshot) for d in spec.disks] == [("vda", "internal")]
    assert spec.problems() == []  # libvirt's own output passes libvirt's schema
    nodes = conn.snapshot_dumpxml("db01", "s1", xpath="/domainsnapshot/state")
    assert str(nodes) == "<state>running</state>\n"


def test_print_xml_is_virshs_document(conn):
    doc = conn.snapshot_create_as("web01", "s1", print_xml=True, diskspec=["vda,snapshot=external,file=/p/o,,v"],
                                  memspec="file=/p/m,snapshot=external")
    assert str(doc) == ("<domainsnapshot>\n  <name>s1</name>\n  <memory snapshot='external' file='/p/m'/>\n"
                        "  <disks>\n    <disk name='vda' snapshot='external'>\n      <source file='/p/o,v'/>\n"
                        "    </disk>\n  </disks>\n</domainsnapshot>\n\n")
    assert doc.virsh.endswith("--memspec file=/p/m,snapshot=external --diskspec vda,snapshot=external,file=/p/o,,v")
    assert conn.snapshot_list("web01").names == []  # only printed


def test_test_driver_refuses_external_with_a_hint(conn):
    err = pytest.raises(InvalidInput, conn.snapshot_create_as, "web01", "e", diskspec="vda,snapshot=external").value
    assert "internal snapshots only" in err.hint


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"), ("a<b", "a&lt;b"), ("x'y\"z", "x&apos;y&quot;z"), ("a\x01b<", "ab&lt;"),
    ("a\x1bb", "a\x1bb"), ("a\x1b<", "a\x1b&lt;"), ("名前&", "名前&amp;"),
])
def test_escape_is_virbuffer_escape_string(text, expected):
    assert escape_text(text) == expected


def test_spec_parsers():
    assert parse_diskspec("vda,file=/a,,b,driver=qcow2").file == "/a,b"
    assert parse_diskspec("").name is None and parse_diskspec("").lines() == ["/>"]
    assert parse_memspec("/m").file == "/m" and parse_memspec("snapshot=no").snapshot == "no"
    with pytest.raises(InvalidInput, match="unable to parse memspec: x"):
        parse_memspec("x")
    err = pytest.raises(InvalidInput, parse_diskspec, "vda,stype=nfs").value
    assert err.virsh_error == ["Unknown storage type: 'nfs'", "unable to parse diskspec: vda,stype=nfs"]


def test_spec_location_rule():
    external = SnapshotSpec.from_xml("<domainsnapshot><state>disk-snapshot</state></domainsnapshot>")
    assert external.location == "external"  # no <memory>: the state decides, as in virsh
    mixed = SnapshotSpec.from_xml("<domainsnapshot><memory snapshot='no'/><disks><disk name='vda' "
                                  "snapshot='external'/></disks></domainsnapshot>")
    assert mixed.location == "external"
    assert SnapshotSpec(name="x", memory="internal").location == "internal"


def test_spec_checks_teach_what_libvirt_refuses():
    spec = SnapshotSpec.from_xml("<domainsnapshot><memory snapshot='internal'/><disks><disk name='vda' "
                                 "snapshot='external'/><disk name='vda' snapshot='external'/></disks>"
                                 "</domainsnapshot>")
    messages = [p.message for p in spec.problems()]
    assert any("named twice" in m for m in messages) and any("refuses to mix them" in m for m in messages)
    bad = SnapshotSpec.from_xml("<domainsnapshot><memory snapshot='external' file='rel'/></domainsnapshot>")
    assert any(p.source == "schema" for p in bad.problems())  # libvirt's schema: an absolute path
