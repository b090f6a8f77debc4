"""Lesson 9 checks: the net-destory typo, net-destroy vs net-undefine, and autostart, read back from libvirt."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson09 as l9
from kvmlab.specs import NetworkSpec

from tests.conftest import inventory


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
    assert info.value.hint.startswith("did you mean 'net-destroy'?")
    assert "net-undefine deletes its definition" in info.value.hint
    assert inventory(conn) == before


@pytest.mark.parametrize("line, words", [
    ("net-undefine routed", "net-undefine deletes the network's definition"),
    ("destroy routed", "destroy stops a domain"),
    ("net-autostart routed --disable", "does not stop anything"),
    ("net-stop routed", "did you mean"),
    ("net-destroy default", "the task stops 'routed'"),
    ("net-destroy routed; net-start routed", "one command does it"),
    ("net-destroy", "network"),
    ("TODO", "virsh line"),
])  # fmt: skip
def test_wrong_lines_change_nothing(conn, line, words):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stop_command(conn, line)
    assert words in info.value.message + " " + info.value.hint
    assert inventory(conn) == before


def test_a_refusal_from_libvirt_is_shown_with_virsh_lines(conn):
    conn.net_destroy("routed")
    conn.net_undefine("routed")
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stop_command(conn, "net-destroy routed")
    assert info.value.message == ("virsh says: error: failed to get network 'routed' / "
                                  "error: Network not found: no network with matching name 'routed'")  # fmt: skip


def test_stopped_kept(conn):
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stopped_kept(conn)
    assert info.value.message == "'routed' is still active"
    conn.net_destroy("routed")
    assert l9.check_stopped_kept(conn).title == "'routed' is stopped and still defined"
    conn.net_undefine("routed")
    with pytest.raises(ExerciseFailed) as info:
        l9.check_stopped_kept(conn)
    assert "net-undefine" in info.value.message and "net-destroy alone" in info.value.hint


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
    with pytest.raises(ExerciseFailed) as info:
        l9.check_removed(conn)
    assert info.value.message == "'scratch' is still running and still defined"
    conn.net_destroy(scratch)
    with pytest.raises(ExerciseFailed) as info:
        l9.check_removed(conn)
    assert info.value.message == "'scratch' is stopped but still defined: net-list --all shows it inactive"
    assert "net-destroy only stops a network; net-undefine deletes its definition" in info.value.hint
    conn.net_undefine(scratch)
    assert l9.check_removed(conn).title == "'scratch' is gone"


def test_removed_transient(conn):
    conn.net_create(NetworkSpec(name="scratch", mode="isolated", bridge="virbr31"))
    with pytest.raises(ExerciseFailed, match="transient and still running"):
        l9.check_removed(conn)
    conn.net_destroy("scratch")
    assert l9.check_removed(conn)


def test_autostart_each_half(conn):
    with pytest.raises(ExerciseFailed, match="neither running nor marked autostart"):
        l9.check_autostart(conn)
    conn.net_start("isolated")
    with pytest.raises(ExerciseFailed) as info:
        l9.check_autostart(conn)
    assert info.value.message == "'isolated' runs now, but its autostart is off"
    assert "conn.net_autostart('isolated')" in info.value.hint
    conn.net_autostart("isolated")
    assert l9.check_autostart(conn).title == "'isolated' runs now and starts with libvirtd"
    conn.net_autostart("isolated", disable=True)
    conn.net_destroy("isolated")
    conn.net_autostart("isolated")
    with pytest.raises(ExerciseFailed) as info:
        l9.check_autostart(conn)
    assert info.value.message == "'isolated' is marked autostart but is not running"
    assert "conn.net_start('isolated')" in info.value.hint


def test_autostart_missing_or_transient(conn):
    with pytest.raises(ExerciseFailed, match="there is no network 'lab'"):
        l9.check_autostart(conn, "lab")
    conn.net_create(NetworkSpec(name="tmp", mode="isolated", bridge="virbr21"))
    with pytest.raises(ExerciseFailed, match="'tmp' is transient"):
        l9.check_autostart(conn, "tmp")
