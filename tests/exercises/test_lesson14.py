"""Lesson 14 checks on the embedded lab: the snapshot line (create-as vs create, --disk-only, --print-xml,
no name), and a mistake undone (revert vs delete), read back from libvirt. The real lab's in-guest
half of check_undone is in tests/lab/test_snapshots_real.py."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed, lesson14, show_answer
from tests.exercises.conftest import climb

D = lesson14.EXERCISE_DOMAIN


@pytest.fixture
def lab(conn):
    return lesson14.exercise_lab(conn, progress=None)


def test_the_exercise_lab_is_fresh_and_tagged(conn, lab):
    assert lab.domain == D and conn.dominfo(D).state == "running"
    assert lesson14.snapshot_names(conn, D) == []
    conn.snapshot_create_as(D, "old")
    again = lesson14.exercise_lab(conn, progress=None)  # a previous run's domain goes, with its snapshots
    assert lesson14.snapshot_names(conn, again.domain) == []


def test_the_right_line_takes_the_snapshot(conn, lab):
    done = lesson14.check_snapshot_line(conn, f"virsh snapshot-create-as {D} clean")
    assert lesson14.snapshot_names(conn, D) == ["clean"]
    assert "State: running" in done.details[1] and "snapshotCreateXML" in done.details[0]
    again = lesson14.check_snapshot_line(conn, f"virsh snapshot-create-as {D} clean")
    assert "ran before" in again.title  # a cell run twice passes, and says so


@pytest.mark.parametrize("line, words, concept, pointer", [
    (f"snapshot-create {D} clean", "reads the snapshot's XML from a file", "<domainsnapshot> document",
     "from a set of args"),
    (f"snapshot-list {D}", "does not take a snapshot", "only lists", "virsh help snapshot"),
    (f"snapshot-create-as {D} clean --print-xml", "nothing is taken", "dry run", "drop --print-xml"),
    (f"snapshot-create-as {D} clean --no-metadata", "no record", "metadata", "drop --no-metadata"),
    (f"snapshot-create-as {D}", "no name", "how you revert to it", "word after the domain"),
    (f"snapshot-create-as {D} other", "names the snapshot 'other'", "calls it 'clean'", "word after the domain"),
    ("snapshot-create-as web01 clean", "names 'web01'", f"snapshots '{D}'", f"name '{D}'"),
])
def test_wrong_lines_climb_the_ladder(conn, lab, line, words, concept, pointer):
    first, second, answer = climb(lesson14.check_snapshot_line, conn, line)
    assert words in first.message and concept in first.hint and pointer in second.hint
    assert "snapshot-create-as kvmlab-snap-ex clean" in answer
    for err in (first, second):
        assert f"snapshot-create-as {D} clean" not in err.message + err.hint + err.pointer
    assert lesson14.snapshot_names(conn, D) == []  # nothing was made by a wrong line


def test_disk_only_is_caught_before_it_runs(conn, lab):
    first, second, _ = climb(lesson14.check_snapshot_line, conn, f"snapshot-create-as {D} clean --disk-only")
    assert "not the memory" in first.message and "external overlay" in first.message
    assert "programs and RAM" in first.hint and "without --disk-only" in second.hint
    assert lesson14.snapshot_names(conn, D) == []


def test_a_shut_off_guest_gives_a_snapshot_without_memory(conn, lab):
    conn.destroy(D)
    with pytest.raises(ExerciseFailed) as info:
        lesson14.check_snapshot_line(conn, f"snapshot-create-as {D} clean")
    assert "holds no memory" in info.value.message and "State: shutoff" in info.value.message


def test_typos_are_virshs_error(conn, lab):
    with pytest.raises(ExerciseFailed) as info:
        lesson14.check_snapshot_line(conn, f"snapshot-create-ass {D} clean")
    assert "unknown command: 'snapshot-create-ass'" in info.value.message
    assert "exact name" in info.value.hint and "did you mean 'snapshot-create-as'" in info.value.pointer


def _setup_mistake(conn, lab):
    conn.snapshot_create_as(D, "clean")
    lab.write("mistake.txt")
    conn.snapshot_create_as(D, "broken")


def test_revert_undoes(conn, lab):
    _setup_mistake(conn, lab)
    first, second, answer = climb(lesson14.check_undone, lab)
    assert "current snapshot is 'broken'" in first.message and "from before" in first.hint
    assert "'snapshot-revert — go back'" in second.hint and 'snapshot_revert(lab.domain, "clean")' in answer
    conn.snapshot_revert(D, "clean")
    done = lesson14.check_undone(lab)
    assert "current snapshot = clean" in done.details[0] and "were not asked" in done.details[1]


def test_delete_is_not_undo(conn, lab):
    _setup_mistake(conn, lab)
    conn.snapshot_delete(D, "broken")
    assert conn.snapshot_current(D, name=True).message == "clean"  # libvirt moved "current" to the parent
    first, second, _ = climb(lesson14.check_undone, lab)
    assert "'broken' was deleted" in first.message and "not what changed since" in first.message
    assert "another command" in first.hint and "'snapshot-revert — go back'" in second.hint


def test_reverting_to_the_state_after_the_mistake(conn, lab):
    _setup_mistake(conn, lab)
    conn.snapshot_revert(D, "clean")
    conn.snapshot_revert(D, "broken")
    with pytest.raises(ExerciseFailed, match="current snapshot is 'broken'"):
        lesson14.check_undone(lab)


def test_a_paused_revert_and_a_deleted_snapshot(conn, lab):
    _setup_mistake(conn, lab)
    conn.snapshot_revert(D, "clean", paused=True)
    with pytest.raises(ExerciseFailed, match="not running after the revert"):
        lesson14.check_undone(lab)
    conn.snapshot_delete(D, "clean")
    with pytest.raises(ExerciseFailed, match="has no snapshot 'clean'"):
        lesson14.check_undone(lab)


def test_show_answer_before_trying():
    assert "virsh snapshot-create-as kvmlab-snap-ex clean" in show_answer("14.1").code
    assert "snapshot_revert" in show_answer("14.2").code
