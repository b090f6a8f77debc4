"""SnapshotTree: create, revert and delete by clicking; the tree is libvirt's after every click."""

from __future__ import annotations

import pytest

from kvmlab import KvmlabError
from kvmlab.widgets import SnapshotTree

from ..conftest import inventory
from .helpers import shows, twin


@pytest.fixture
def st(conn):
    w = SnapshotTree(conn, "web01")
    yield w
    w.close()


def test_create_shows_the_virsh_line_and_the_api_call(conn, st):
    assert "no snapshots yet" in st.tree.value and st.names == []
    st.new_name.value, st.description.value = "clean", "before the upgrade"
    assert shows(st.command.value, "virsh snapshot-create-as web01 clean 'before the upgrade'")
    st.create_button.click()
    assert conn.snapshot_list("web01").names == ["clean"] == st.names
    assert shows(st.status.value, "Domain snapshot clean created")
    assert shows(st.status.value, "snap = dom.snapshotCreateXML(xml, 0)")
    assert "current snapshot: <b>clean</b>" in st.tree.value and st.snapshots.value == "clean"


def test_revert_makes_a_branch(conn, st):
    for name in ("a", "b"):
        st.new_name.value = name
        st.create_button.click()
    st.snapshots.value = "a"
    st.revert_button.click()
    assert shows(st.status.value, "virsh snapshot-revert web01 a") and shows(st.status.value, "Domain snapshot a reverted")
    assert conn.snapshot_current("web01", name=True).message == "a"
    st.new_name.value = "c"
    st.create_button.click()
    assert shows(st.tree.value, str(conn.snapshot_list("web01", tree=True)))  # virsh's own drawing
    assert [(r.name, r.parent) for r in conn.snapshot_list("web01", tree=True)] == [("a", None), ("b", "a"), ("c", "a")]


def test_delete_with_and_without_children(conn, st):
    for name in ("a", "b", "c"):
        st.new_name.value = name
        st.create_button.click()
    st.snapshots.value = "c"
    st.delete_button.click()
    assert conn.snapshot_list("web01").names == ["a", "b"] == st.names
    st.snapshots.value, st.with_children.value = "a", True
    st.delete_button.click()
    assert shows(st.status.value, "virsh snapshot-delete web01 a --children")
    assert conn.snapshot_list("web01").names == [] == st.names


def test_a_refusal_teaches_and_changes_nothing(conn, st):
    st.new_name.value = "a"
    st.create_button.click()
    with twin() as other, pytest.raises(KvmlabError) as info:
        other.snapshot_create_as("web01", "a")
        other.snapshot_create_as("web01", "a")  # the second one is refused: the name is taken
    before = inventory(conn), conn.snapshot_list("web01").names
    st.create_button.click()
    assert (inventory(conn), conn.snapshot_list("web01").names) == before
    assert "kvmlab-error" in st.status.value
    for line in info.value.virsh_error:
        assert shows(st.status.value, f"error: {line}")


def test_revert_needs_a_pick(st):
    st.snapshots.options = []
    st.revert_button.click()
    assert "pick a snapshot" in st.status.value


def test_other_domain(conn, st):
    conn.snapshot_create_as("db01", "x")
    st.domain.value = "db01"
    assert st.names == ["x"] and shows(st.tree.value, "virsh snapshot-list db01 --tree")
