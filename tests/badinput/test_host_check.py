"""Bad input to lesson 18's API: wrong types, bytes, undecodable and huge text, names that are not the lab's. Each
is refused with a KvmlabError that says what was wrong and how to fix it, and the embedded lab is left as it was."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.concepts import broken_vm, host_check, host_daemons
from kvmlab.errors import KvmlabError
from kvmlab.exercises import PROGRESS, ExerciseFailed, lesson18


def _domains(conn):
    return sorted(d.name() for d in conn.virconn.listAllDomains(0))


@pytest.mark.parametrize("text", [None, 3, b"  QEMU: Checking x : PASS", ["QEMU: Checking x : PASS"],
                                  "\udcff" * 10, "x" * 1_000_000, "QEMU: Checking : PASS\x00"])
def test_parse_validate_refuses_what_is_not_its_output(text):
    with pytest.raises(KvmlabError) as info:
        host_check.parse_validate(text)
    assert info.value.hint and "virt-host-validate" in info.value.hint


@pytest.mark.parametrize("euid", [None, "root", -5, 2.5, False, b"0"])
def test_default_uri_refuses_what_is_not_a_user_id(euid):
    with pytest.raises(KvmlabError) as info:
        host_daemons.default_uri(euid)
    assert "euid" in info.value.message and "id -u" in info.value.hint


@pytest.mark.parametrize("name", ["web01", "", "kvmlab-", "kvmlab-a b", "kvmlab-\udcff", b"kvmlab-x", 7,
                                  "kvmlab-" + "x" * 300, "kvmlab-../../etc"])
def test_broken_vm_refuses_a_name_that_is_not_the_labs(name):
    conn = kvmlab.connect()
    before = _domains(conn)
    for call in (lambda: broken_vm.broken_vm(conn, name), lambda: broken_vm.remove(conn, name)):
        with pytest.raises(KvmlabError) as info:
            call()
        assert "kvmlab-" in info.value.hint
    assert _domains(conn) == before


@pytest.mark.parametrize("checks, line", [(None, "hardware"), ("output", "hardware"), (host_check, "x")])
def test_check_slow_line_refuses_other_checks(checks, line):
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as info:
        lesson18.check_slow_line(checks, line)
    assert "exercise_checks" in info.value.hint


@pytest.mark.parametrize("path, uri", [(None, "qemu:///system"), (3, "qemu:///system"), (b"/var/log", "qemu:///system"),
                                       ("/var/log/x.log", None), ("/var/log/x.log", 5), ("\udcff", "qemu:///system")])
def test_check_log_file_refuses_bad_types_as_a_failed_check(path, uri):
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as info:
        lesson18.check_log_file(path, uri)
    assert info.value.message and info.value.hint


@pytest.mark.parametrize("uri, fix", [(None, None), (5, "virsh"), ("qemu:///session", b"virsh list --all"),
                                      ("qemu:///session", "virsh -c 'qemu:///system list --all"),
                                      ("qemu:///session", "\udcff")])
def test_check_nonroot_uri_refuses_bad_input_as_a_failed_check(uri, fix):
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as info:
        lesson18.check_nonroot_uri(uri, fix)
    assert info.value.message and info.value.hint
