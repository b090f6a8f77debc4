"""Lesson 17 checks on the embedded lab: the virt-install line that imports (run for real with --print-xml
against a node file of the lab), and the NoCloud seed read back from its ISO (label, header, hostname)."""

from __future__ import annotations

import dataclasses

import pytest

from kvmlab.concepts import nocloud
from kvmlab.exercises import ExerciseFailed, lesson17, show_answer
from tests.exercises.conftest import climb

V = lesson17.EXERCISE_VM


@pytest.fixture
def disk(conn):
    yield lesson17.exercise_disk(conn)
    lesson17.remove_files(conn)


def line(disk, *extra):
    return " ".join(["virt-install --name", V, "--memory 128", *extra, "--osinfo linux2022 --network none "
                     "--graphics none"]).replace("DISK", disk)


def test_the_import_line_passes_and_defines_nothing(conn, disk):
    done = lesson17.check_import_line(conn, line(disk, "--import --disk DISK"), disk)
    assert "nothing is installed" in done.title and "exit 0, nothing defined" in done.details[0]
    assert f"source {disk}" in done.details[1]
    assert V not in str(conn.list(all=True))
    multi = "virt-install \\\n  --name kvmlab-ex17 --memory 128 \\\n  --import --disk " + disk + " --osinfo linux2022"
    assert lesson17.check_import_line(conn, multi, disk)  # continuation lines, as typed in a shell


@pytest.mark.parametrize("extra, words, pointer", [
    ("--cdrom /tmp/debian.iso --disk DISK", "--cdrom boots an installer", "'Three ways to put an OS on a disk'"),
    ("--location http://deb.example/debian/ --disk DISK", "--location fetches", "existing disk"),
    ("--pxe --disk DISK", "--pxe boots an installer", "existing disk"),
    ("--disk DISK", "names no way to get an OS", "existing disk"),
    ("--import --disk size=10", "makes a new, empty disk", "--disk "),
    ("--import --disk /tmp/other.qcow2", "does not use", "--disk "),
    ("--boot kernel=/boot/vmlinuz --disk DISK", "boots a kernel file from the host", "existing disk"),
])
def test_wrong_lines_climb_the_ladder(conn, disk, extra, words, pointer):
    first, second, answer = climb(lesson17.check_import_line, conn, line(disk, extra), disk)
    assert words in first.message and pointer in second.hint
    assert "--import --disk {disk}" in answer and answer.startswith('line = f"virt-install --name kvmlab-ex17')
    for err in (first, second):
        assert "--import" not in err.message + err.hint + err.pointer


def test_other_mistakes(conn, disk):
    with pytest.raises(ExerciseFailed, match="needs a domain XML you wrote yourself"):
        lesson17.check_import_line(conn, f"virsh create {disk}", disk)
    with pytest.raises(ExerciseFailed, match="gives the VM no --name"):
        lesson17.check_import_line(conn, f"virt-install --import --disk {disk} --osinfo linux2022", disk)
    with pytest.raises(ExerciseFailed, match="--osinfo OS name is"):
        lesson17.check_import_line(conn, f"virt-install --name {V} --import --disk {disk}", disk)
    with pytest.raises(ExerciseFailed, match="virt-install says: ERROR"):  # virt-install's own refusal
        lesson17.check_import_line(conn, f"virt-install --name {V} --memory lots --import --disk {disk} "
                                   "--osinfo linux2022", disk)
    with pytest.raises(ExerciseFailed, match="cannot split") as info:
        lesson17.check_import_line(conn, "virt-install --name 'kvmlab-ex17", disk)
    assert "quote" in info.value.hint
    with pytest.raises(ExerciseFailed, match="no virt-install line yet") as info:
        lesson17.check_import_line(conn, "TODO", disk)
    assert info.value.untried


@pytest.fixture
def iso(tmp_path):
    return tmp_path / "seed.iso"


def test_the_fixed_seed_passes(iso):
    broken = lesson17.broken_seed()
    fixed = dataclasses.replace(broken, label="cidata", user_data=broken.user_data.replace("# cloud", "#cloud"))
    nocloud.build_seed(fixed, iso)
    done = lesson17.check_seed(str(iso))
    assert "label 'cidata'" in done.title and "local-hostname kvmlab-ex17" in done.details[0]


@pytest.mark.parametrize("change, words, concept, pointer", [
    ({}, "config-2 is what OpenStack's ConfigDrive", "by the filesystem's label", "the label"),
    ({"label": "cidata"}, "starts with '# cloud-config', not exactly", "exact first line", "first line"),
    ({"label": "CIDATA", "user_data": "hostname: x\n"}, "starts with 'hostname: x'", "exact first line", "first line"),
    ({"label": "cidata", "user_data": "#cloud-config\n", "meta_data": "instance-id: i-1\nlocal-hostname: web\n"},
     "local-hostname is 'web'", "to be called 'kvmlab-ex17'", "local-hostname"),
    ({"label": "cidata", "user_data": "#cloud-config\n", "meta_data": "local-hostname: kvmlab-ex17\n"},
     "no instance-id", "would not use", "NoCloud seed"),
])
def test_wrong_seeds_climb_the_ladder(iso, change, words, concept, pointer):
    nocloud.build_seed(dataclasses.replace(lesson17.broken_seed(), **change), iso)
    first, second, answer = climb(lesson17.check_seed, str(iso))
    assert words in first.message and concept in first.hint and pointer in second.hint
    assert 'label="cidata"' in answer and '"#cloud-config"' in answer


def test_no_seed_yet(iso):
    with pytest.raises(ExerciseFailed, match="no seed image yet") as info:
        lesson17.check_seed("TODO")
    assert info.value.untried
    with pytest.raises(ExerciseFailed, match="no seed image at"):
        lesson17.check_seed(str(iso))


def test_show_answer_before_trying():
    assert "--import" in show_answer("17.1").code
    assert "nocloud.build_seed" in show_answer("17.2").code
