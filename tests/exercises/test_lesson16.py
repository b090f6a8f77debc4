"""Lesson 16 checks on the embedded lab: the attach-disk line (--persistent vs --live / --config / --current,
--print-xml, other commands, wrong names), and two vCPUs on the running guest (the maximum, a definition
changed without a new start), read back from libvirt. The real lab's half (the line runs, the guest is
asked) is in tests/lab/test_hotplug_real.py."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed, lesson16
from tests.exercises.conftest import climb

D = lesson16.EXERCISE_DOMAIN


@pytest.fixture
def lab(conn):
    return lesson16.exercise_lab(conn, progress=None)


def test_the_exercise_lab_is_fresh_running_and_empty(conn, lab):
    assert lab.domain == D and conn.dominfo(D).state == "running" and not lab.real
    assert lesson16.disk_targets(conn, D) == {} and conn.domiflist(D).interfaces == []
    conn.setvcpus(D, 2, maximum=True, config=True)
    again = lesson16.exercise_lab(conn, progress=None)  # a previous run's domain goes
    assert conn.vcpucount(again.domain).counts[("maximum", "config")] == 1


@pytest.mark.parametrize("flags", ["--persistent", "--live --config", "--config --live"])
def test_the_right_lines_pass(conn, lab, flags):
    done = lesson16.check_attach_line(lab, f"virsh attach-disk {D} {lab.disk} vdb {flags}", D, lab.disk, "vdb")
    assert "now and at its next boot" in done.title and "checked, not run" in done.details[0]


@pytest.mark.parametrize("line, words, concept, pointer", [
    ("attach-disk {D} {disk} vdb --live", "next boot would not have the disk", "two things", "--persistent"),
    ("attach-disk {D} {disk} vdb", "without an option (= --current)", "two things", "--persistent"),
    ("attach-disk {D} {disk} vdb --current", "--current changes the running guest only", "two things", "--config"),
    ("attach-disk {D} {disk} vdb --config", "sees nothing until its next boot", "two things", "--live"),
    ("attach-disk {D} {disk} vdb --persistent --print-xml", "nothing is attached", "dry run", "drop --print-xml"),
    ("attach-interface {D} network default --persistent", "does not give the guest a disk", "network card",
     "attaches a disk"),
    ("attach-device {D} disk.xml --persistent", "real virsh has it", "write the device's XML themselves",
     "help attach-disk"),
    ("attach-disk web01 {disk} vdb --persistent", "names 'web01'", f"changes '{D}'", f"name '{D}'"),
    ("attach-disk {D} /tmp/other.img vdb --persistent", "not the exercise's volume", "volume's path", "source is"),
    ("attach-disk {D} {disk} vdc --persistent", "target is 'vdc'", "'vdb'", "target is vdb"),
])
def test_wrong_lines_climb_the_ladder(conn, lab, line, words, concept, pointer):
    line = line.format(D=D, disk=lab.disk)
    first, second, answer = climb(lesson16.check_attach_line, lab, line, D, lab.disk, "vdb")
    assert words in first.message and concept in first.hint and pointer in second.hint
    assert f"attach-disk {D} {lab.disk} vdb --persistent" in answer
    assert lesson16.disk_targets(conn, D) == {} and lesson16.disk_targets(conn, D, inactive=True) == {}


def test_typos_are_virshs_error(conn, lab):
    with pytest.raises(ExerciseFailed) as info:
        lesson16.check_attach_line(lab, f"attach-disc {D} {lab.disk} vdb --persistent", D, lab.disk)
    assert "unknown command: 'attach-disc'" in info.value.message


def test_two_vcpus_passes_after_a_new_start(conn, lab):
    conn.setvcpus(D, 2, maximum=True, config=True)
    conn.setvcpus(D, 2, config=True)
    conn.destroy(D)
    conn.start(D)
    done = lesson16.check_two_vcpus(lab, 2)
    assert "runs with 2 vCPUs" in done.title and "not asked" in done.details[-1]


def test_above_the_maximum_is_caught(conn, lab):
    first, second, answer = climb(lesson16.check_two_vcpus, lab, 2)
    assert "the maximum is 1" in first.message and "only changes for the next boot" in first.hint
    assert "--maximum --config" in second.hint and "setvcpus(lab.domain, 2, maximum=True, config=True)" in answer


def test_a_definition_without_a_new_start_is_caught(conn, lab):
    conn.setvcpus(D, 2, maximum=True, config=True)
    conn.setvcpus(D, 2, config=True)
    first, second, _ = climb(lesson16.check_two_vcpus, lab, 2)
    assert "definition has 2 vCPUs, the running guest still 1" in first.message
    assert "same QEMU process" in first.hint and "destroy, then start" in second.hint


def test_a_shut_off_guest_is_caught(conn, lab):
    conn.destroy(D)
    with pytest.raises(ExerciseFailed, match="is not running"):
        lesson16.check_two_vcpus(lab, 2)
