"""Lesson 1 checks: the layer messages are real, and each mistake gets its own hint."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kvmlab.exercises import ExerciseFailed, Passed
from kvmlab.exercises import lesson01 as l1

RIGHT = {"A": "virsh", "B": "libvirt", "C": "libvirtd", "D": "QEMU", "E": "KVM"}
VIRSH = shutil.which("virsh")
QEMU = shutil.which("qemu-system-x86_64")


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


# --- the messages are what the real programs print ---------------------------------------------------

def test_message_a_is_virsh_rejecting_a_typo():
    p = run([VIRSH, "-c", "test:///default", "destory", "web01"])
    assert p.stderr == l1.MESSAGES["A"] + "\n" and p.returncode == 1


def test_message_b_is_the_client_library_failing_to_reach_the_daemon():
    p = run([VIRSH, "-c", "qemu+unix:///system?socket=/var/run/libvirt/libvirt-sock-nosuch", "list"])
    assert "error: failed to connect to the hypervisor" in p.stderr
    expected = l1.MESSAGES["B"].replace("libvirt-sock'", "libvirt-sock-nosuch'")
    assert expected in p.stderr.splitlines()


def test_the_test_driver_words_message_c_its_own_way():
    p = run([VIRSH, "-c", "test:///default", "net-start default"])
    assert p.stderr.splitlines() == ["error: Failed to start network default", l1.TEST_DRIVER_C]
    assert l1.TEST_DRIVER_C != l1.MESSAGES["C"]


LIBVIRT_SO = Path("/usr/lib/x86_64-linux-gnu/libvirt.so.0")
NETWORK_DRIVER = LIBVIRT_SO.parent / "libvirt/connection-driver/libvirt_driver_network.so"


@pytest.mark.skipif(not (NETWORK_DRIVER.exists() and LIBVIRT_SO.exists()),
                    reason="libvirt's network driver module (the daemon's) is not installed")
def test_message_c_is_the_real_network_drivers_text():
    # networkStartNetwork() in src/network/bridge_driver.c; VIR_ERR_OPERATION_INVALID adds the prefix
    reason = l1.MESSAGES["C"].removeprefix("error: Requested operation is not valid: ")
    assert reason == "network is already active"
    assert b"\0" + reason.encode() + b"\0" in NETWORK_DRIVER.read_bytes()
    assert b"Requested operation is not valid: %s" in LIBVIRT_SO.read_bytes()


@pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")
def test_message_d_is_qemu_rejecting_its_option():
    p = run([QEMU, "-m", "64X", "-display", "none"])
    assert p.stderr.splitlines()[0] == l1.MESSAGES["D"] and p.returncode == 1


# --- check_layers ------------------------------------------------------------------------------------

def test_the_right_layers_pass():
    p = l1.check_layers(RIGHT)
    assert isinstance(p, Passed) and len(p.details) == 5


@pytest.mark.parametrize("letter", list(RIGHT))
@pytest.mark.parametrize("wrong", l1.LAYERS)
def test_every_wrong_layer_gets_a_hint_about_that_message(letter, wrong):
    if RIGHT[letter] == wrong:
        return
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({**RIGHT, letter: wrong})
    assert info.value.message.startswith(f"1 of 5 not right: message {letter} was not printed by {wrong}")
    assert len(info.value.hint) > 20  # a sentence that points somewhere, never empty


def test_specific_hints_for_the_classic_confusions():
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({**RIGHT, "B": "libvirtd"})
    assert "the daemon is not running" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({**RIGHT, "D": "libvirtd", "C": "virsh"})
    assert info.value.message == "2 of 5 not right: message C was not printed by virsh (also check D)"


def test_typos_and_blanks_are_named():
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({**RIGHT, "D": "qume"})
    assert "typo" in info.value.message and "'QEMU'" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({k: "TODO" for k in RIGHT})
    assert info.value.message == "message A: no answer yet"


def test_not_a_dict():
    with pytest.raises(ExerciseFailed):
        l1.check_layers(["virsh"])


# --- check_three_ways --------------------------------------------------------------------------------

def all_names(conn):
    return [d.name() for d in conn.virconn.listAllDomains(0)]


def test_three_ways_pass(conn):
    p = l1.check_three_ways(conn, "virsh list --all", conn.list(all=True), all_names(conn))
    assert "5 domains: backup, build, db01, installer, web01" in p.details
    # a -c URI does not change the action
    assert l1.check_three_ways(conn, "virsh -c test:///default list --all", conn.list(all=True), all_names(conn))


@pytest.mark.parametrize("line, message, hint", [
    ("TODO", "no virsh line yet", "virsh COMMAND"),
    ("list --all", "is not a virsh command line", "start with the program"),
    ("virsh list", "without --all", "add --all"),
    ("virsh list -all", "virsh would answer: error: unexpected data '-all'", "two dashes"),
    ("virsh lsit --all", "virsh would answer: error: unknown command: 'lsit'", "did you mean 'list'?"),
    ("virsh list --al", "doesn't support option --al", "did you mean --all?"),
    ("virsh list --inactive", "--inactive shows only", "--all"),
    ("virsh dominfo web01", "`dominfo` is not the command", "virsh list"),
])
def test_virsh_line_mistakes(conn, line, message, hint):
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, line, conn.list(all=True), all_names(conn))
    assert message in info.value.message and hint in info.value.hint


def test_kvmlab_call_without_all(conn):
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, "virsh list --all", conn.list(), all_names(conn))
    assert "twin of `virsh list`" in info.value.message and "all=True" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, "virsh list --all", None, all_names(conn))
    assert "conn.list" in info.value.hint


def test_libvirt_call_mistakes(conn):
    import libvirt

    active = [d.name() for d in conn.virconn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)]
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, "virsh list --all", conn.list(all=True), active)
    assert "running domains only" in info.value.message
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, "virsh list --all", conn.list(all=True), conn.virconn.listAllDomains(0))
    assert "dom.name()" in info.value.hint
    with pytest.raises(ExerciseFailed):
        l1.check_three_ways(conn, "virsh list --all", conn.list(all=True), "web01")


def test_the_check_sees_the_connection_state(conn):
    conn.virconn.lookupByName("backup").undefine()
    before = all_names(conn)
    assert "backup" not in before
    assert l1.check_three_ways(conn, "virsh list --all", conn.list(all=True), before)
    with pytest.raises(ExerciseFailed):
        l1.check_three_ways(conn, "virsh list --all", conn.list(all=True), before + ["backup"])
