"""Lesson 15's template and clones on the embedded lab: libvirt's view (MACs, volumes) works, the guests
are not asked (the test driver boots nothing), and tidying up keeps what is not the lab's."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState
from kvmlab.concepts.clone_lab import EMBEDDED_MAC, NO_GUEST, TEMPLATE, clone_lab


@pytest.fixture
def lab(conn):
    return clone_lab(conn, progress=None)


def test_the_template_is_fresh_and_shut_off(conn, lab):
    assert conn.domstate(TEMPLATE).state == "shut off" and lab.domains() == [TEMPLATE]
    assert conn.domiflist(TEMPLATE).macs == [EMBEDDED_MAC]
    conn.clone(TEMPLATE, f"{TEMPLATE}-old")
    again = clone_lab(conn, progress=None)  # a previous run's clones go, with their volumes
    assert again.domains() == [TEMPLATE] and conn.vol_list("default").names.count(f"{TEMPLATE}-old.qcow2") == 0
    assert "template:    kvmlab-tmpl (shut off)" in str(again)


def test_the_hand_made_clone_shares_a_mac(conn, lab):
    conn.clone(TEMPLATE, f"{TEMPLATE}-copy")
    made = lab.clone_by_hand(f"{TEMPLATE}-copy", f"{TEMPLATE}-byhand")
    assert "the MAC of kvmlab-tmpl-copy kept" in str(made) and made.virsh.startswith("virsh dumpxml kvmlab-tmpl-copy")
    rows = {r[0]: r[2] for r in lab.macs().rows}
    assert rows == {TEMPLATE: "unique", f"{TEMPLATE}-byhand": f"SAME MAC as {TEMPLATE}-copy",
                    f"{TEMPLATE}-copy": f"SAME MAC as {TEMPLATE}-byhand"}


def test_the_disks_table_names_the_backing_file(conn, lab):
    conn.clone(TEMPLATE, f"{TEMPLATE}-thin", disks="overlay")
    rows = lab.disks().rows
    assert [r[0] for r in rows] == [f"{TEMPLATE}.qcow2", f"{TEMPLATE}-thin.qcow2"]
    assert rows[1][3] == f"{TEMPLATE}.qcow2" and rows[0][3] == "-"


def test_no_guest_is_asked_on_the_embedded_lab(conn, lab):
    conn.clone(TEMPLATE, f"{TEMPLATE}-copy")
    assert "nothing boots" in str(lab.boot(f"{TEMPLATE}-copy", progress=None))
    assert lab.ask(f"{TEMPLATE}-copy") == f"({NO_GUEST})\n"


def test_remove_clone_keeps_the_template_disk(conn, lab):
    lab.clone_by_hand(TEMPLATE, f"{TEMPLATE}-x")
    assert "1 volume(s) of its own deleted" in str(lab.remove_clone(f"{TEMPLATE}-x"))
    assert f"{TEMPLATE}.qcow2" in conn.vol_list("default").names and lab.domains() == [TEMPLATE]
    with pytest.raises(InvalidInput, match="is the template"):
        lab.remove_clone(TEMPLATE)
    assert "1 domain(s) removed, 1 volume(s) deleted" in str(lab.remove())


@pytest.mark.parametrize("name", ["tmpl", "kvmlab-", "kvmlab-a/b", 7])
def test_bad_names(conn, name):
    with pytest.raises(InvalidInput, match="invalid lesson domain name"):
        clone_lab(conn, name, progress=None)


def test_a_domain_that_is_not_the_labs_is_never_touched(conn):
    conn.define(conn.dumpxml("backup").xml.replace("<name>backup</name>", f"<name>{TEMPLATE}</name>")
                .split("<uuid>")[0] + conn.dumpxml("backup").xml.split("</uuid>")[1])
    with pytest.raises(InvalidState, match="is not the lab's"):
        clone_lab(conn, progress=None)
    assert TEMPLATE in conn.list(all=True).names
