"""Lesson 9 checks: the net-destory typo, net-destroy vs net-undefine, and the net-start / net-autostart lines,
run on the learner's connection and read back from libvirt; each failure climbs the hint ladder."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson09 as l9
from kvmlab.specs import NetworkSpec

from tests.conftest import inventory
from tests.exercises.conftest import climb


def _state(conn, name):
    n = conn.virconn.networkLookupByName(name)
    return bool(n.isActive()), bool(n.isPersistent()), bool(n.autostart())


@pytest.mark.parametrize("line", ["virsh net-destroy routed", "net-destroy routed", "  net-destroy --network routed"])
def test_the_right_line_runs_and_passes(conn, line):
    done = l9.check_stop_command(conn, line)
    assert _state(conn, "routed") == (False, True, False)
    assert "Network routed destroyed  (virsh net-destroy routed; " in done.details[0]
    assert "net.destroy()" in done.details[0]


def test_the_course_notes_typo_is_caught_and_nothing_runs(conn):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stop_command(conn, "virsh net-destory routed")
    assert info.value.message == ("virsh says: error: unknown command: 'net-destory' "
                                  "(the course notes spell it 'net-destory' too)")  # fmt: skip
    assert "net-destroy" not in info.value.hint  # rung 1: the idea, not the spelling (the exercise's answer)
    assert info.value.pointer.startswith("did you mean 'net-destroy'?")
    assert "net-undefine deletes its definition" in info.value.pointer
    assert inventory(conn) == before


@pytest.mark.parametrize("line, words", [
    ("net-undefine routed", "net-undefine deletes the network's definition"),
    ("destroy routed", "destroy stops a domain"),
    ("net-autostart routed --disable", "does not stop anything"),
    ("net-stop routed", "virsh has no net-stop"),
    ("net-destroy default", "the task stops 'routed'"),
    ("net-destroy routed; net-start routed", "one line holds one command"),
    ("net-destroy", "network"),
    ("TODO", "virsh line"),
])  # fmt: skip
def test_wrong_lines_change_nothing(conn, line, words):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stop_command(conn, line)
    assert words in info.value.message + " " + info.value.hint
    assert inventory(conn) == before


def test_stop_command_ladder(conn):
    first, second, answer = climb(l9.check_stop_command, conn, "net-undefine routed")
    assert "the task keeps the definition" in first.hint and "net-destroy" not in first.hint
    assert "net-destroy" in second.hint and answer == 'line = "virsh net-destroy routed"   # destroy, not destory: ' \
        "it stops, the definition stays"


def test_a_refusal_from_libvirt_is_shown_with_virsh_lines(conn):
    conn.net_destroy("routed")
    conn.net_undefine("routed")
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stop_command(conn, "net-destroy routed")
    assert info.value.message == ("virsh says: error: failed to get network 'routed' / "
                                  "error: Network not found: no network with matching name 'routed'")  # fmt: skip


def test_stopped_kept(conn):
    first, second, answer = climb(l9.check_stopped_kept, conn)
    assert first.message == "'routed' is still active" and "definition stays" in first.hint
    assert "net-destroy" in second.hint and "conn.net_destroy('routed')" in answer
    conn.net_destroy("routed")
    assert l9.check_stopped_kept(conn).title == "'routed' is stopped and still defined"
    conn.net_undefine("routed")
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stopped_kept(conn)
    assert "net-undefine" in info.value.message and "net-destroy alone" in info.value.concept
    assert "net-define" in info.value.pointer


def test_stopped_kept_running_transient(conn):
    """A real network driver lets net-undefine turn a running network transient; a transient twin shows it."""
    spec = NetworkSpec(name="tmp", mode="isolated", bridge="virbr20")
    conn.net_create(spec)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stopped_kept(conn, "tmp")
    assert "transient now" in info.value.message


@pytest.fixture
def scratch(conn):
    spec = NetworkSpec(name="scratch", mode="isolated", bridge="virbr30")
    spec.add_ip("192.168.170.0/24")
    conn.net_define(spec)
    conn.net_start("scratch")
    return "scratch"


def test_removed(conn, scratch):
    first, second, answer = climb(l9.check_removed, conn)
    assert first.message == "'scratch' is still running and still defined" and "two steps" in first.hint
    assert "'net-destroy — 停止网络' and 'net-undefine — 删除网络'" in second.hint
    assert 'conn.net_destroy("scratch")' not in first.hint + second.hint
    assert answer.index('conn.net_destroy("scratch")') < answer.index('conn.net_undefine("scratch")')
    conn.net_destroy(scratch)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_removed(conn)
    assert info.value.message == "'scratch' is stopped but still defined: net-list --all shows it inactive"
    assert "the opposite of net-define" in info.value.concept and "net-undefine" not in info.value.concept
    conn.net_undefine(scratch)
    assert l9.check_removed(conn).title == "'scratch' is gone"


def test_removed_transient(conn):
    conn.net_create(NetworkSpec(name="scratch", mode="isolated", bridge="virbr31"))
    with pytest.raises(ExerciseFailed, match="transient and still running"):
        l9.check_removed(conn)
    conn.net_destroy("scratch")
    assert l9.check_removed(conn)


# --- 9.3 the net-start / net-autostart lines ------------------------------------------------------------

@pytest.mark.parametrize("lines", [
    ["virsh net-start isolated", "virsh net-autostart isolated"],
    ["net-autostart isolated", "net-start --network isolated"],  # either order
    ("net-start isolated", "net-autostart isolated"),
])  # fmt: skip
def test_autostart_lines_run_and_pass(conn, lines):
    done = l9.check_autostart(conn, lines)
    assert _state(conn, "isolated") == (True, True, True)
    assert done.title == "'isolated' runs now and starts at every host boot"
    assert "once per boot" in done.details[-1]
    started = next(d for d in done.details if d.startswith("Network isolated started"))
    assert "(virsh net-start isolated; " in started and "net.create()" in started
    marked = next(d for d in done.details if d.startswith("Network isolated marked as autostarted"))
    assert "net.setAutostart(1)" in marked


def test_autostart_cell_run_twice(conn):
    lines = ["net-start isolated", "net-autostart isolated"]
    l9.check_autostart(conn, lines)
    again = l9.check_autostart(conn, lines)  # net-start would fail on a running network: it is not run again
    assert again.details[0].startswith("net-start isolated: not run, 'isolated' runs already")
    assert _state(conn, "isolated") == (True, True, True)


def test_autostart_each_half_runs_and_is_read_back(conn):
    first, second, answer = climb(l9.check_autostart, conn, ["net-autostart isolated"])
    assert first.message == "'isolated' is marked autostart but is not running"
    assert "does not start the network now" in first.hint and "net-start" not in first.hint
    assert "net-start" in second.hint
    assert answer.splitlines()[0].startswith('lines = ["virsh net-start isolated",')
    assert '"virsh net-autostart isolated"]' in answer
    assert _state(conn, "isolated") == (False, True, True)  # the line ran: the mark is libvirt's
    conn.net_autostart("isolated", disable=True)
    first, second, _ = climb(l9.check_autostart, conn, ["net-start isolated"])
    assert first.message == "'isolated' runs now, but its autostart is off"
    assert "after a host reboot" in first.hint and "net-autostart" in second.hint
    assert "libvirtd" not in first.hint + second.hint  # autostart is once per boot, not per daemon start
    assert _state(conn, "isolated") == (True, True, False)


def test_autostart_typo_runs_nothing(conn):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_autostart(conn, ["net-start isolated", "net-autostrat isolated"])
    assert info.value.message.startswith("virsh says: error: unknown command: 'net-autostrat'")
    assert inventory(conn) == before  # parsed as a batch: the first line did not run either


@pytest.mark.parametrize("lines, words", [
    (["net-create isolated"], "net-create starts a transient network"),
    (["start isolated"], "start boots a VM"),
    (["pool-autostart isolated"], "marks a storage pool"),
    (["net-start isolated", "net-destroy isolated"], "net-destroy does not bring a network up"),
    (["net-start isolated", "net-autostart isolated --disable"], "--disable takes the autostart mark off"),
    (["net-start default", "net-autostart isolated"], "'net-start default' names 'default'"),
    (["net-start isolated; net-autostart isolated"], "holds 2 commands: each string of the list holds one"),
    (["virsh net-start isolated; virsh net-autostart isolated"], "holds 2 commands"),
    (["net-start nosuch"], "'net-start nosuch' names 'nosuch'"),
    ([], "no lines yet"),
    ("TODO", "virsh line"),
    (None, "no lines yet"),
])  # fmt: skip
def test_autostart_wrong_lines_change_nothing(conn, lines, words):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_autostart(conn, lines)
    assert words in info.value.message + " " + info.value.hint
    assert inventory(conn) == before


def test_autostart_missing_or_transient(conn):
    with pytest.raises(ExerciseFailed, match="there is no network 'lab'"):
        l9.check_autostart(conn, ["net-start lab", "net-autostart lab"], "lab")
    conn.net_create(NetworkSpec(name="tmp", mode="isolated", bridge="virbr21"))
    before = inventory(conn)
    with pytest.raises(ExerciseFailed, match="'tmp' is transient"):
        l9.check_autostart(conn, ["net-autostart tmp"], "tmp")
    assert inventory(conn) == before

