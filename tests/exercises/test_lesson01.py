"""Lesson 1 checks: the layer messages are real; each mistake gets its diagnosis, then the ladder; virsh lines run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed, Passed
from kvmlab.exercises import lesson01 as l1
from tests.conftest import inventory
from tests.exercises.conftest import climb

RIGHT = {"A": "virsh", "B": "libvirt", "C": "libvirtd", "D": "QEMU", "E": "KVM"}
VIRSH = shutil.which("virsh")
QEMU = shutil.which("qemu-system-x86_64")


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


# --- the messages are what the real programs print ---------------------------------------------------

def test_message_a_is_virsh_refusing_a_line_without_its_domain():
    p = run([VIRSH, "-c", "test:///default", "start"])
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


SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(QEMU is None or SETPRIV is None or not Path("/dev/kvm").exists() or os.geteuid() != 0,
                    reason="needs qemu-system-x86_64, setpriv, /dev/kvm and root (to run QEMU as nobody)")
def test_message_d_is_qemu_refused_dev_kvm():
    """QEMU run by a user outside the group kvm: the kernel refuses /dev/kvm, and QEMU says so in its own name."""
    p = run([SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", QEMU, "-enable-kvm", "-m", "512",
             "-display", "none", "-S", "-nodefaults"])
    assert p.stderr.splitlines() == ["Could not access KVM kernel module: Permission denied", l1.MESSAGES["D"]]
    assert p.returncode == 1 and "second line" in l1.CONTEXT["D"]


# --- check_layers ------------------------------------------------------------------------------------

def test_the_right_layers_pass():
    p = l1.check_layers(RIGHT)
    assert isinstance(p, Passed) and len(p.details) == 5


@pytest.mark.parametrize("letter", list(RIGHT))
@pytest.mark.parametrize("wrong", l1.LAYERS)
def test_every_wrong_layer_gets_its_own_diagnosis_then_the_ladder(letter, wrong):
    if RIGHT[letter] == wrong:
        return
    first, second, answer = climb(l1.check_layers, {**RIGHT, letter: wrong})
    assert first.message == (f"1 of 5 not right: message {letter} was not printed by {wrong}: "
                             + l1._NOT_BY[(letter, wrong)])
    assert first.hint == l1._CONCEPT[letter] and second.hint == l1._POINTER[letter]
    for err in (first, second):  # neither rung names the layer that printed it
        assert f"'{RIGHT[letter]}'" not in err.hint and f" {RIGHT[letter]} " not in f" {err.hint} "
    assert f'"{letter}": "{RIGHT[letter]}"' in answer


def test_specific_diagnoses_for_the_classic_confusions():
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({**RIGHT, "B": "libvirtd"})
    assert "nothing listens on the daemon's socket" in info.value.message
    assert "inside the client's own process" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l1.check_layers({**RIGHT, "D": "libvirtd", "C": "virsh"})
    assert info.value.message.startswith("2 of 5 not right: message C was not printed by virsh (also check D): ")
    assert "virsh's own line comes first" in info.value.message


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


# --- check_three_ways: the shut-off domains, three ways ---------------------------------------------

OFF = ["backup", "installer"]  # the embedded lab's shut-off domains


def names_of(conn, flags=0):
    return [d.name() for d in conn.virconn.listAllDomains(flags)]


def inactive(conn):
    import libvirt

    return names_of(conn, libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)


def test_three_ways_pass_and_the_line_runs_on_the_connection(conn):
    p = l1.check_three_ways(conn, "virsh list --inactive", conn.list(inactive=True), inactive(conn))
    assert p.details[0] == "virsh list --inactive: ran on your connection, 2 rows"
    assert "2 shut off: backup, installer (of 5 defined)" in p.details
    # the other spellings of the same question pass too: virsh's state filter, the old name-only API
    assert l1.check_three_ways(conn, "list --state-shutoff", conn.list(state_shutoff=True),
                               conn.virconn.listDefinedDomains())
    # a -c URI picks the host, not the action; the check runs the command on the learner's connection
    for line in ("virsh -c test:///default list --inactive", "virsh --connect=qemu:///system list --inactive"):
        assert "picks a host; the check used yours" in l1.check_three_ways(
            conn, line, conn.list(inactive=True), inactive(conn)).details[0]


def test_the_line_sees_the_connections_state(conn):
    conn.start("backup")
    assert sorted(inactive(conn)) == ["installer"]
    assert l1.check_three_ways(conn, "virsh list --inactive", conn.list(inactive=True), inactive(conn))
    with pytest.raises(ExerciseFailed, match=r"libvirt holds \['installer'\] shut off"):
        l1.check_three_ways(conn, "virsh list --inactive", conn.list(inactive=True), OFF)


@pytest.mark.parametrize("line, message, hint", [
    ("TODO", "no command yet", "virsh COMMAND"),
    ("virsh list", "without an option, virsh list shows only running (and paused) domains", "still defined"),
    ("virsh list --all", "--all lists every domain, the running ones too", "filters domains by state"),
    ("virsh list --inactive --all", "--all lists every domain", "filters domains by state"),
    ("virsh list --state-running", "--state-running lists the running domains", "filters domains by state"),
    ("virsh list --state-paused", "--state-paused lists the paused domains", "filters domains by state"),
    ("virsh list -inactive", "virsh says: error: unexpected data '-inactive'", "two dashes"),
    ("virsh lsit --inactive", "virsh says: error: unknown command: 'lsit'", "by its exact name"),
    ("virsh list --inactiv", "doesn't support option --inactiv", "its own list of --options"),
    ("virsh dominfo web01", "`dominfo` is not the command", "one command per API call"),
    ("virsh list --inactive; list", "that is 2 commands", "one command"),
])  # fmt: skip
def test_virsh_line_mistakes_change_nothing(conn, line, message, hint):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, line, conn.list(inactive=True), inactive(conn))
    assert message in info.value.message and hint in info.value.hint
    assert inventory(conn) == before


def test_the_ladder_of_a_plain_list(conn):
    first, second, answer = climb(l1.check_three_ways, conn, "virsh list", conn.list(inactive=True), inactive(conn))
    assert "--inactive" not in first.hint + second.hint and "virsh help list" in second.hint
    assert 'virsh_line = "virsh list --inactive"' in answer and "conn.list(inactive=True)" in answer
    first, second, _ = climb(l1.check_three_ways, conn, "virsh list --all", conn.list(inactive=True), inactive(conn))
    assert "--inactive" not in first.hint + second.hint and "inactive domains" in second.hint


@pytest.mark.parametrize("kwargs, twin, lists", [
    ({}, "virsh list", "the running (and paused) domains"),
    ({"all": True}, "virsh list --all", "every domain"),
])  # fmt: skip
def test_kvmlab_call_mistakes(conn, kwargs, twin, lists):
    first, second, answer = climb(l1.check_three_ways, conn, "virsh list --inactive", conn.list(**kwargs),
                                  inactive(conn))
    assert first.message == f"your kvmlab call is the twin of `{twin}`: it lists {lists}"
    assert "inactive=True" not in first.hint + second.hint and "help(conn.list)" in second.hint
    assert "result = conn.list(inactive=True)" in answer


def test_kvmlab_call_missing(conn):
    for _ in range(2):  # the untouched placeholder never climbs
        with pytest.raises(ExerciseFailed) as info:
            l1.check_three_ways(conn, "virsh list --inactive", None, inactive(conn))
        assert info.value.message == "result: no answer yet" and info.value.rung == 1 and info.value.untried
    first, second, _ = climb(l1.check_three_ways, conn, "virsh list --inactive", "conn.list(inactive=True)",
                             inactive(conn))
    assert first.message == "result is not what a kvmlab operation returns" and "conn.list" in second.hint


def test_libvirt_call_mistakes(conn):
    import libvirt

    running = names_of(conn, libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
    for names, words in ((names_of(conn, 0), "returned every domain: flags=0 keeps them all"),
                         (running, "returned the running domains (VIR_CONNECT_LIST_DOMAINS_ACTIVE)")):
        first, second, answer = climb(l1.check_three_ways, conn, "virsh list --inactive",
                                      conn.list(inactive=True), names)
        assert words in first.message and "0 is no filter" in first.hint
        assert "VIR_CONNECT_LIST_DOMAINS_INACTIVE" not in first.hint + second.hint
        assert "VIR_CONNECT_LIST_DOMAINS_*" in second.hint and "LIST_DOMAINS_INACTIVE)]" in answer
    first, second, _ = climb(l1.check_three_ways, conn, "virsh list --inactive", conn.list(inactive=True),
                             conn.virconn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE))
    assert first.message == "names holds objects, not names" and "dom.name()" in second.hint
    with pytest.raises(ExerciseFailed, match="not one string"):
        l1.check_three_ways(conn, "virsh list --inactive", conn.list(inactive=True), "backup")


def test_a_result_from_another_lab_disagrees(conn):
    conn.undefine("backup")
    other = kvmlab.connect()  # a fresh copy of the embedded lab: it still has backup
    with pytest.raises(ExerciseFailed) as info:
        l1.check_three_ways(conn, "virsh list --inactive", other.list(inactive=True), inactive(conn))
    assert info.value.message == "your kvmlab call is the twin of `virsh list --inactive`: it lists " \
        "['backup', 'installer']"


# --- check_python_to_virsh ---------------------------------------------------------------------------

def test_the_script_and_the_line_make_the_same_call(conn):
    import libvirt

    done = l1.check_python_to_virsh(conn, "virsh start backup")
    assert conn.virconn.lookupByName("backup").state() == [libvirt.VIR_DOMAIN_RUNNING,
                                                            libvirt.VIR_DOMAIN_RUNNING_BOOTED]
    assert done.details[0].startswith("Domain 'backup' started") and "dom.create()" in done.details[0]
    again = l1.check_python_to_virsh(conn, "start backup")  # the cell run a second time
    assert again.title.startswith("'backup' is already running")


def test_the_script_itself_runs_on_libvirt(conn):
    # the colleague's call, exactly as the notebook prints it, does what start does
    exec(l1.SCRIPT.format(name="installer"), {"conn": conn})
    assert conn.dominfo("installer").state == "running"
    assert l1.check_python_to_virsh(conn, "virsh start --domain installer", name="installer")


def test_create_is_the_classic_confusion_and_nothing_runs(conn):
    before = inventory(conn)
    first, second, answer = climb(l1.check_python_to_virsh, conn, "virsh create backup")
    assert "virDomainCreateXML" in first.message and "transient" in first.message
    assert "need not share a name" in first.hint and "start" not in first.hint.replace("started", "")
    assert "virDomainCreate()" in second.hint
    assert answer.startswith('line = "virsh start backup"')
    assert inventory(conn) == before


@pytest.mark.parametrize("line, words", [
    ("resume backup", "nothing to resume"),
    ("define backup", "boots nothing"),
    ("reboot backup", "runs no guest"),
    ("dominfo backup", "only reads"),
    ("destroy web01", "the opposite"),
    ("start web01", "the line names 'web01'"),
    ("start nosuch", "failed to get domain 'nosuch'"),
    ("start backup --paused", "--paused boots it with its vCPUs stopped"),
    ("strat backup", "unknown command: 'strat'"),
    ("start backup; list", "that is 2 commands"),
    ("TODO", "no command yet"),
])  # fmt: skip
def test_wrong_lines_change_nothing(conn, line, words):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l1.check_python_to_virsh(conn, line)
    assert words in info.value.message
    assert inventory(conn) == before


def test_libvirts_refusal_is_virshs_error(conn):
    conn.start("backup")
    conn.suspend("backup")  # paused: start is refused by libvirt, in virsh's words
    with pytest.raises(ExerciseFailed) as info:
        l1.check_python_to_virsh(conn, "start backup")
    assert info.value.message == "virsh says: error: Domain is already active"


def test_each_answer_solves_its_exercise_on_a_fresh_lab(conn):
    from kvmlab.exercises import show_answer

    scope = {"conn": conn}
    for number in ("1.1", "1.2", "1.3"):
        exec(show_answer(number).code, scope)
    assert l1.check_layers(scope["layers"])
    assert l1.check_three_ways(conn, scope["virsh_line"], scope["result"], scope["names"])
    assert l1.check_python_to_virsh(conn, scope["line"]).title.startswith("virsh start backup: the twin")


def test_message_e_is_debian_12s_kernel_wording_and_the_context_says_so():
    # Linux 5.16-6.2 (Debian 12 runs 6.1): arch/x86/kvm/x86.c prints "kvm: support for '%s' disabled by bios"
    assert l1.MESSAGES["E"] == "kvm: support for 'kvm_intel' disabled by bios"
    assert "Debian 12 host (Linux 6.1)" in l1.CONTEXT["E"]
    assert "before 5.16" in l1._WHY["E"] and "since 6.3" in l1._WHY["E"]


def test_message_b_is_seen_only_when_no_socket_unit_listens():
    # with systemd's socket units listening, a stopped libvirtd is started again by the next virsh call
    assert "libvirtd.socket" in l1.CONTEXT["B"] and "second error line" in l1.CONTEXT["B"]
