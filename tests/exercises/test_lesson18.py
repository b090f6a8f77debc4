"""Lesson 18 checks on the embedded lab: the line that makes guests slow, the log file of a VM that will not start,
and the URI a non-root virsh opens, each wrong answer climbing the hint ladder. The real lab's log read-back is in
tests/lab/test_host_check_real.py."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed, lesson18
from tests.exercises.conftest import climb

SYSTEM_LOG = "/var/log/libvirt/qemu/kvmlab-l18-ex.log"


@pytest.fixture
def checks():
    return lesson18.exercise_checks(kvmlab.connect())


@pytest.fixture
def vm():
    conn = kvmlab.connect()
    made = lesson18.exercise_vm(conn)
    yield made
    lesson18.tidy(conn)


@pytest.mark.parametrize("line", ["QEMU: Checking for hardware virtualization", "  hardware   VIRTUALIZATION ",
                                  "HW virtualization CPU features not found"])
def test_the_hardware_line_passes(checks, line):
    done = lesson18.check_slow_line(checks, line)
    assert done.title == "QEMU: Checking for hardware virtualization: FAIL" and "TCG" in done.details[1]


@pytest.mark.parametrize("line, words, pointer", [
    ("QEMU: Checking if device /dev/vhost-net exists", "does not slow a guest down", "reads the CPU's flags"),
    ("IOMMU", "does not slow a guest down", "line by line"),
    ("secure guest", "does not slow a guest down", "line by line"),
    ("/dev/net/tun", "passed", "line by line"),
    ("LXC: Checking for namespace net", "LXC line", "line by line"),
    ("cgroup", "matches", "whole 'QEMU: Checking"),
    ("/dev/kvm", "no line of the output contains", "print(checks)"),
])
def test_wrong_lines_climb_the_ladder(checks, line, words, pointer):
    first, second, answer = climb(lesson18.check_slow_line, checks, line)
    assert words in first.message and pointer in second.hint
    assert "hardware virtualization" in answer
    assert "hardware virtualization" not in first.hint + second.hint


def test_no_answer_yet_does_not_climb(checks):
    for _ in range(3):
        with pytest.raises(ExerciseFailed) as info:
            lesson18.check_slow_line(checks, "TODO")
        assert info.value.rung == 1 and "no answer yet" in info.value.message


def test_the_guest_log_passes(vm):
    assert vm.domain == "kvmlab-l18-ex" and vm.error[0] == "Failed to start domain 'kvmlab-l18-ex'"
    done = lesson18.check_log_file(SYSTEM_LOG, vm.uri, vm.domain)
    assert "kvmlab-l18-ex's log" in done.title and "embedded lab runs no QEMU" in done.details[-1]


@pytest.mark.parametrize("path, words, concept", [
    ("/var/log/kvmlab/libvirtd.log", "daemon's own log", "one log file per guest"),
    ("/var/log/libvirt/libvirtd.log", "daemon's own log", "one log file per guest"),
    ("journalctl -u libvirtd", "daemon's own log", "one log file per guest"),
    ("/var/log/syslog", "system's log", "one log file per guest"),
    ("/var/log/libvirt/qemu/", "directory", "named after the guest"),
    ("/var/log/libvirt/qemu/web01.log", "is not kvmlab-l18-ex's log", "named after the guest"),
    ("~/.cache/libvirt/qemu/log/kvmlab-l18-ex.log", "qemu:///session's guests", "a session's under"),
    ("var/log/libvirt/qemu/kvmlab-l18-ex.log", "not a file's path", "starts with /"),
])
def test_wrong_logs_climb_the_ladder(vm, path, words, concept):
    first, second, answer = climb(lesson18.check_log_file, path, vm.uri, vm.domain)
    assert words in first.message and concept in first.hint and "lesson 18, 'A VM that will not start'" in second.hint
    assert SYSTEM_LOG in answer and SYSTEM_LOG not in first.hint + second.hint


def test_the_session_log_is_under_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    want = f"{tmp_path}/libvirt/qemu/log/kvmlab-l18-ex.log"
    assert lesson18.expected_log("qemu:///session") == want
    assert "kvmlab-l18-ex's log" in lesson18.check_log_file(want, "qemu:///session").title
    first, _, answer = climb(lesson18.check_log_file, SYSTEM_LOG, "qemu:///session")
    assert "qemu:///system's guests" in first.message and want in answer


@pytest.mark.parametrize("fix", ["virsh -c qemu:///system list --all", "virsh --connect qemu:///system list --all",
                                 "sudo virsh list --all", "virsh --connect=qemu:///system list --all"])
def test_the_session_uri_and_a_fix_pass(fix):
    assert "qemu:///session" in lesson18.check_nonroot_uri("qemu:///session", fix).title


@pytest.mark.parametrize("uri, fix, words, pointer", [
    ("qemu:///system", "", "what root's virsh opens", "qemu:///system or qemu:///session"),
    ("session", "", "not a whole URI", "qemu:///system or qemu:///session"),
    ("qemu:///user", "", "two instances", "its other instance"),
    ("test:///default", "", "only -c or LIBVIRT_DEFAULT_URI", "qemu:///system or qemu:///session"),
    ("qemu:///session", "virsh list --all", "same libvirt as before", "-c option"),
    ("qemu:///session", "virsh -c qemu:///system list", "without --all", "-c option"),
    ("qemu:///session", "virsh -c qemu:///session list --all", "not the libvirt", "-c option"),
    ("qemu:///session", "virt-manager", "start with virsh", "-c option"),
])
def test_wrong_uris_climb_the_ladder(uri, fix, words, pointer):
    first, second, answer = climb(lesson18.check_nonroot_uri, uri, fix)
    assert words in first.message and pointer in second.hint
    assert 'uri = "qemu:///session"' in answer and "-c qemu:///system list --all" in answer
