"""Lesson 8 checks: define vs create, shutdown vs destroy (libvirt's shutoff reason), destory, edit, undefine."""

from __future__ import annotations

import libvirt
import pytest

from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson08 as l8
from kvmlab.specs import DomainSpec

from tests.conftest import VIRSH, inventory, run_cmd
from tests.exercises.conftest import climb

WEB02 = DomainSpec(name="web02", type="kvm", memory="512MiB", vcpus=1)


def test_the_signal_is_libvirts_own():
    """Real virsh on the test driver reports why a domain is off: shutdown and destroy differ."""
    out, _, rc = run_cmd([VIRSH, "-c", "test:///default",
                          "shutdown test; domstate --reason test; start test; destroy test; domstate --reason test"])
    assert rc == 0
    states = [ln for ln in out.splitlines() if ln.startswith("shut off")]
    assert states == ["shut off (shutdown)", "shut off (destroyed)"]


def test_running_define_then_start(conn):
    with pytest.raises(ExerciseFailed, match="libvirt has no domain 'web02'"):
        l8.check_running(conn)
    conn.define(WEB02)
    first, second, answer = climb(l8.check_running, conn)
    assert "define only registers a VM (创建但不启动)" in first.message and "boots it" in first.hint
    assert "start" in second.hint and "conn.start('web02')" not in first.hint + second.hint
    assert 'conn.start("web02")' in answer and "virsh start web02" in answer
    conn.start("web02")
    done = l8.check_running(conn, persistent=True)
    assert "VIR_DOMAIN_RUNNING_BOOTED" in done.details[0] and done.details[1].startswith("persistent")


def test_running_create_is_transient(conn):
    conn.create(WEB02)
    done = l8.check_running(conn)
    assert done.details[1].startswith("transient")
    with pytest.raises(ExerciseFailed) as info:
        l8.check_running(conn, persistent=True)
    assert "transient (Persistent: no)" in info.value.message
    conn.define(conn.dumpxml("web02").xml)  # the hint's fix: register the running VM
    assert l8.check_running(conn, persistent=True)


def test_running_other_states(conn):
    conn.define(WEB02)
    conn.start("web02")
    conn.destroy("web02")
    with pytest.raises(ExerciseFailed, match="it ran, and was stopped"):
        l8.check_running(conn)
    conn.start("web02")
    conn.suspend("web02")
    first, second, _ = climb(l8.check_running, conn)
    assert "VIR_DOMAIN_PAUSED_USER" in first.message and "vCPUs do not run" in first.hint
    assert "its opposite lets it run again" in second.hint


def test_graceful_shutdown_passes(conn):
    before = inventory(conn)
    first, second, answer = climb(l8.check_graceful_shutdown, conn)
    assert first.message.startswith("'web01' is running") and "ACPI power button" in first.hint
    assert "QEMU guest agent if the VM has one, otherwise the ACPI power button" in first.hint  # qemuDomainShutdownFlags
    assert "the one that asks" in second.hint and 'conn.shutdown("web01")' in answer
    assert inventory(conn) == before  # checking changes nothing
    conn.shutdown("web01")
    done = l8.check_graceful_shutdown(conn)
    assert "VIR_DOMAIN_SHUTOFF_SHUTDOWN" in done.details[0]


def test_destroy_where_shutdown_was_asked(conn):
    conn.destroy("web01")
    assert conn.dominfo("web01").state == "shut off"  # the state alone cannot tell them apart
    first, second, answer = climb(l8.check_graceful_shutdown, conn)
    assert "VIR_DOMAIN_SHUTOFF_DESTROYED" in first.message and "not shut down" in first.message
    assert "正常关闭" in first.hint and "强制关闭" in first.hint and "start it again" in second.hint
    assert 'conn.shutdown("web01")' in answer
    conn.start("web01")  # the way back: start, then shut down properly
    conn.shutdown("web01")
    assert l8.check_graceful_shutdown(conn)


def test_shutdown_other_states(conn):
    with pytest.raises(ExerciseFailed) as info:
        l8.check_graceful_shutdown(conn, "build")
    assert "paused" in info.value.message and "neither its guest agent nor its ACPI handler" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l8.check_graceful_shutdown(conn, "build")
    assert "resume it first" in info.value.hint
    with pytest.raises(ExerciseFailed, match="VIR_DOMAIN_SHUTOFF_UNKNOWN"):
        l8.check_graceful_shutdown(conn, "backup")  # never ran here: libvirt saw no shutdown
    conn.undefine("installer")
    with pytest.raises(ExerciseFailed, match="no domain 'installer'"):
        l8.check_graceful_shutdown(conn, "installer")


def test_force_line_runs_and_passes(conn):
    done = l8.check_force_line(conn, "virsh destroy db01")
    assert conn.virconn.lookupByName("db01").state() == [libvirt.VIR_DOMAIN_SHUTOFF,
                                                          libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED]
    assert done.details[0].startswith("Domain 'db01' destroyed  (virsh destroy db01; ")
    again = l8.check_force_line(conn, "destroy db01")  # the cell run a second time
    assert again.title.startswith("'db01' was already forced off")


def test_force_line_by_id(conn):
    dom_id = conn.dominfo("db01").id
    assert l8.check_force_line(conn, f"destroy --domain {dom_id}")


def test_destory_is_caught_as_virsh_does_and_nothing_runs(conn):
    _, real_err, _ = run_cmd([VIRSH, "-c", "test:///default", "destory test"])
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l8.check_force_line(conn, "virsh destory db01")
    assert info.value.message == f"virsh says: {real_err.strip()} (the course notes spell it 'destory' too)"
    assert "exact name" in info.value.hint and "destroy" not in info.value.hint.replace("'destory'", "")
    assert info.value.pointer.startswith("did you mean 'destroy'?")  # the spelling is the second rung
    assert inventory(conn) == before


@pytest.mark.parametrize("line, words", [
    ("shutdown db01", "a hung guest never answers"),
    ("undefine db01", "deletes the definition"),
    ("suspend db01", "stays on"),
    ("net-destroy default", "a VM's commands have no net- prefix"),
    ("stop db01", "virsh has no stop"),
    ("destroy web01", "the task forces 'db01' off"),
    ("destroy nosuch", "failed to get domain 'nosuch'"),
    ("destroy db01; start db01", "one line holds one command"),
    ("destroy", "domain"),
    ("TODO", "virsh line"),
])  # fmt: skip
def test_wrong_lines_change_nothing(conn, line, words):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l8.check_force_line(conn, line)
    assert words in info.value.message + " " + info.value.hint
    assert inventory(conn) == before


def test_force_line_refused_by_libvirt(conn):
    with pytest.raises(ExerciseFailed) as info:
        l8.check_force_line(conn, "destroy backup", name="backup")
    assert "error: Failed to destroy domain 'backup' / error: Requested operation is not valid" in info.value.message


def _edit_memory(conn, memory: str, current: str | None = None):
    spec = DomainSpec.from_xml(conn.dumpxml("installer", inactive=True).xml)
    spec.memory = memory
    spec.current_memory = current
    conn.edit("installer", xml=spec.to_xml())


@pytest.mark.parametrize("memory, current, words", [
    ("1048576", None, "= 1024 MiB, not 2048 MiB"),
    (2048, None, "got the MiB number 2048"),
    ("2048MB", None, "unit='MB'"),
    ("2GiB", "1GiB", "<currentMemory> is still 1024 MiB"),
])  # fmt: skip
def test_memory_edit_mistakes(conn, memory, current, words):
    if memory != "1048576":
        _edit_memory(conn, memory, current)
    with pytest.raises(ExerciseFailed) as info:
        l8.check_memory_edit(conn)
    assert words in info.value.message


def test_memory_edit_passes(conn):
    conn.edit("installer", editor="sed -i s/1048576/2097152/")  # memory and currentMemory, as virsh edit would
    done = l8.check_memory_edit(conn)
    assert "<currentMemory unit='KiB'>2097152</currentMemory>" in done.details[0]
    _edit_memory(conn, "2GiB")  # or one element, without <currentMemory>: libvirt sets it equal
    assert l8.check_memory_edit(conn)


def test_memory_edit_of_a_running_domain_says_when_it_applies(conn):
    spec = DomainSpec.from_xml(conn.dumpxml("db01", inactive=True).xml)
    spec.memory, spec.current_memory = "4GiB", None
    conn.edit("db01", xml=spec.to_xml())
    done = l8.check_memory_edit(conn, "db01", 4096)
    assert "until its next boot" in done.details[-1]


def test_deleted(conn):
    first, second, answer = climb(l8.check_deleted, conn)
    assert "still defined" in first.message and "its definition stays" in first.hint
    assert "opposite of define" in second.hint and 'conn.undefine("backup")' in answer
    conn.start("backup")
    with pytest.raises(ExerciseFailed, match="still defined"):
        l8.check_deleted(conn)
    conn.undefine("backup")  # running: it stays, transient
    with pytest.raises(ExerciseFailed) as info:
        l8.check_deleted(conn)
    assert "transient" in info.value.message and "vanishes once it stops" in info.value.hint  # a new mistake: rung 1
    conn.destroy("backup")
    assert l8.check_deleted(conn).title == "'backup' is gone"


@pytest.mark.parametrize("check, args, run", [
    (l8.check_graceful_shutdown, ("web01",), True),
    (l8.check_deleted, ("backup",), True),
    (l8.check_memory_edit, ("installer", 2048), True),
    (l8.check_force_line, ("TODO", "db01"), False),  # the answer is a line to give the check
])  # fmt: skip
def test_each_answer_solves_its_exercise_on_a_fresh_lab(conn, check, args, run):
    from kvmlab.exercises import show_answer

    with pytest.raises(ExerciseFailed) as info:
        check(conn, *args)
    scope = {"conn": conn}
    exec(show_answer(info.value.exercise).code, scope)
    assert check(conn, *args) if run else check(conn, scope["line"], *args[1:])
