"""Lesson 15 checks on the embedded lab: the line that makes a running template safe to clone
(shutdown or suspend; destroy, save, reboot caught), and a clone read back from libvirt (a hand-made
clone that keeps the MAC, or shares the disk, is caught). The real lab's half is tests/lab/test_clone_real.py."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed, lesson15, show_answer
from tests.exercises.conftest import climb

T = lesson15.EXERCISE_TEMPLATE
C = "kvmlab-tmpl-ex-web"


@pytest.fixture
def lab(conn):
    return lesson15.exercise_lab(conn, progress=None)


@pytest.mark.parametrize("line, state", [(f"virsh shutdown {T}", "shut off"), (f"suspend {T}", "paused")])
def test_shutdown_or_suspend_pass(conn, lab, line, state):
    done = lesson15.check_ready_line(conn, line)
    assert state in done.title and conn.domstate(T).state == state
    again = lesson15.check_ready_line(conn, line)  # a cell run twice passes
    assert "already" in again.details[0]


@pytest.mark.parametrize("line, words, concept", [
    (f"destroy {T}", "pulls the plug", "whole"),
    (f"save {T} /tmp/x", "keeps its RAM in a file", "stopped for good"),
    (f"reboot {T}", "does not stop the guest", "starts the guest again"),
    (f"dumpxml {T}", "does not stop the guest", "prints the XML"),
])
def test_wrong_lines_climb_the_ladder(conn, lab, line, words, concept):
    first, second, answer = climb(lesson15.check_ready_line, conn, line)
    assert words in first.message and concept in first.hint and "Predict, then run" in second.hint
    assert f"virsh shutdown {T}" in answer
    assert conn.domstate(T).state == "running"  # a wrong line ran nothing


def test_another_domain_and_typos(conn, lab):
    with pytest.raises(ExerciseFailed, match="names 'web01'"):
        lesson15.check_ready_line(conn, "shutdown web01")
    with pytest.raises(ExerciseFailed, match="unknown command"):
        lesson15.check_ready_line(conn, f"shutdwn {T}")
    assert conn.domstate("web01").state == "running"


def test_a_real_clone_passes(conn, lab):
    conn.destroy(T)
    with pytest.raises(ExerciseFailed, match=f"no domain '{C}'"):  # not tried yet: no rung climbed
        lesson15.check_clone(conn)
    assert f'conn.clone("{T}", "{C}")' in show_answer("15.2").code
    conn.clone(T, C)
    done = lesson15.check_clone(conn)
    assert "identity of its own" in done.title and "virt-sysprep" in done.details[-1]


def test_a_hand_made_clone_with_the_mac_is_caught(conn, lab):
    conn.destroy(T)
    conn.clone(T, "kvmlab-tmpl-ex-a")
    lab.clone_by_hand("kvmlab-tmpl-ex-a", C)
    first, second, _ = climb(lesson15.check_clone, conn)
    assert "has the MAC" in first.message and "'kvmlab-tmpl-ex-a'" in first.message
    assert "delete each <mac>" in first.hint and "made by hand" in second.hint


def test_a_shared_disk_is_caught(conn, lab):
    conn.destroy(T)
    xml = conn.dumpxml(T, inactive=True).xml
    import re
    xml = re.sub(r"<uuid>.*?</uuid>", "", xml).replace(f"<name>{T}</name>", f"<name>{C}</name>")
    xml = re.sub(r"<mac address='[^']+'/>", "", xml)
    conn.define(xml)
    with pytest.raises(ExerciseFailed, match="writes the template's disk"):
        lesson15.check_clone(conn)


def test_show_answer_before_trying():
    assert "virsh shutdown kvmlab-tmpl-ex" in show_answer("15.1").code


def test_an_earlier_try_is_removed_by_the_answer(conn, lab):
    conn.destroy(T)
    lab.clone_by_hand(T, C)
    with pytest.raises(ExerciseFailed, match="has the MAC"):
        lesson15.check_clone(conn)
    exec(show_answer("15.2").code, {"conn": conn, "lab": lab})
    assert "identity of its own" in lesson15.check_clone(conn).title
    assert "kvmlab-tmpl-ex.qcow2" in conn.vol_list(lab.pool).names  # the template's disk is kept


def test_who_changes_what():
    right = {k: w for k, (w, _) in lesson15.THINGS.items()}
    assert "virt-sysprep: hostname" in lesson15.check_who_changes(right).details[1]
    first, second, answer = climb(lesson15.check_who_changes, {**right, "mac": "nobody"})
    assert "hand-made clone's mistake" in first.message and "what libvirt holds" in first.hint
    assert "one DHCP lease" in second.hint and "'mac': 'virt-clone'" in answer
    first, _, _ = climb(lesson15.check_who_changes, {**right, "hostname": "virt-clone", "machine-id": "nobody"})
    assert "2 of 9 not right: 'hostname' (virt-clone)" in first.message and "never opens the disk" in first.hint
    with pytest.raises(ExerciseFailed, match="no answer yet"):
        lesson15.check_who_changes({k: "TODO" for k in lesson15.THINGS})
    with pytest.raises(ExerciseFailed, match="not one of virt-clone"):
        lesson15.check_who_changes({**right, "uuid": "libvirt"})
