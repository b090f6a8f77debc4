"""The exercise base: ExerciseFailed teaches, Passed shows, expect and choose decide."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed, Passed, choose, expect


def test_exercise_failed_is_a_kvmlab_error_with_its_hint():
    err = ExerciseFailed("memory: 512 is MiB", hint="<memory> is in KiB")
    assert isinstance(err, kvmlab.KvmlabError)
    assert err.hint == "<memory> is in KiB"
    assert str(err) == "memory: 512 is MiB\nhint: <memory> is in KiB"  # what a traceback shows


def test_exercise_failed_html_escapes_and_shows_both_lines():
    html = ExerciseFailed("<vcpu> is 0", hint="use 1 & up")._repr_html_()
    assert "&lt;vcpu&gt; is 0" in html and "use 1 &amp; up" in html
    assert "<vcpu>" not in html


def test_passed_text_html_and_truth():
    p = Passed("three ways", "virsh list --all", "<b>x</b>")
    assert bool(p) is True
    assert str(p) == "passed: three ways\n  - virsh list --all\n  - <b>x</b>"
    html = p._repr_html_()
    assert "three ways" in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert repr(p) == "Passed('three ways')"


def test_expect_raises_only_when_false():
    expect(True, "never shown")
    expect([1], "never shown")
    with pytest.raises(ExerciseFailed) as info:
        expect(0, "zero vCPUs", hint="a VM needs at least one")
    assert info.value.message == "zero vCPUs" and info.value.hint == "a VM needs at least one"


CHOICES = ("virsh", "libvirt", "libvirtd", "QEMU", "KVM")


@pytest.mark.parametrize("answer, expected", [("qemu", "QEMU"), (" Kvm ", "KVM"), ("LIBVIRT", "libvirt")])
def test_choose_is_case_insensitive(answer, expected):
    assert choose(answer, CHOICES) == expected


@pytest.mark.parametrize("typo, right", [("qume", "'QEMU'"), ("libirt", "'libvirt'")])
def test_choose_names_the_course_typos(typo, right):
    with pytest.raises(ExerciseFailed) as info:
        choose(typo, CHOICES, what="io")
    assert info.value.message == f"io: {typo!r} is a typo (the course notes make it too)"
    assert info.value.hint.startswith(f"it is spelled {right}")


def test_choose_suggests_a_close_name():
    with pytest.raises(ExerciseFailed) as info:
        choose("libvird", CHOICES)
    assert info.value.hint.startswith("did you mean 'libvirtd'?")


@pytest.mark.parametrize("answer", ["", "  ", "TODO", "todo", None, 3])
def test_choose_without_an_answer_lists_the_choices(answer):
    with pytest.raises(ExerciseFailed) as info:
        choose(answer, CHOICES, what="B")
    assert info.value.message == "B: no answer yet"
    assert info.value.hint == "choose one of: virsh, libvirt, libvirtd, QEMU, KVM"


def test_choose_rejects_something_else():
    with pytest.raises(ExerciseFailed) as info:
        choose("xen", CHOICES)
    assert "'xen' is not one of the choices" in info.value.message


# --- a virsh line refused by virsh or by libvirt still climbs the ladder: its second rung is a pointer ---

@pytest.mark.parametrize("line, pointer", [
    ("virsh net-destory routed", "did you mean 'net-destroy'?"),
    ("virsh net-stop routed", "did you mean 'net-destroy'?"),
    ("virsh frobnicate", 'print(conn.virsh("help")) (virsh help) lists every command by group'),
    ("virsh list -all", 'print(conn.virsh("help list")) (virsh help list) shows how its options are spelled'),
    ("virsh start", 'print(conn.virsh("help start")) (virsh help start) lists its arguments and options'),
    ("virsh list --shutoff", "did you mean --state-shutoff?"),  # the near option is the second rung, not the first
])  # fmt: skip
def test_a_line_virsh_refuses_has_a_pointer(line, pointer):
    from kvmlab.exercises.checks import virsh_line

    with pytest.raises(ExerciseFailed) as info:
        virsh_line(line, "virsh list --all")
    assert info.value.message.startswith("virsh says: error: ")
    assert info.value.concept and pointer in info.value.pointer


@pytest.mark.parametrize("line, listing", [
    ("virsh start web01", "`virsh list --all`"),
    ("virsh net-start default", "`virsh net-list --all`"),
    ("virsh pool-start default", "`virsh pool-list --all`"),
])  # fmt: skip
def test_a_line_libvirt_refuses_has_a_pointer(conn, line, listing):
    from kvmlab.exercises.checks import run_line, virsh_line

    inv = virsh_line(line, "virsh list --all")
    with pytest.raises(ExerciseFailed) as info:
        run_line(conn, inv)  # each is running already: libvirt refuses
    assert info.value.message.startswith("virsh says: error: ")
    assert f'print(conn.virsh("help {inv.command.name}"))' in info.value.pointer and listing in info.value.pointer


@pytest.mark.parametrize("line, words", [
    ("virsh attach-device lab disk.xml", "it adds a device described in an XML file"),
    ("virsh vol-create lab data.xml", "it makes a volume from an XML file"),
    ("virsh save kvmlab-snap-ex clean", "writes its memory to a file"),
])  # fmt: skip
def test_a_real_virsh_command_the_twin_does_not_run_is_not_called_unknown(line, words):
    """Real virsh 9.0 knows these; saying "unknown command" would put kvmlab's word in virsh's mouth."""
    from kvmlab.exercises.checks import virsh_line

    with pytest.raises(ExerciseFailed) as info:
        virsh_line(line, "virsh COMMAND")
    assert info.value.message.startswith("kvmlab's virsh twin does not run") and words in info.value.message
    assert "unknown command" not in info.value.message and info.value.concept and info.value.pointer


def test_the_real_only_commands_are_real_virshs_and_not_the_twins():
    import shutil
    import subprocess

    from kvmlab.exercises.checks import _REAL_ONLY
    from kvmlab.virsh.run import COMMANDS

    assert not set(_REAL_ONLY) & set(COMMANDS)  # once the twin runs one, its entry must go
    virsh = shutil.which("virsh")
    if virsh is None:
        pytest.skip("virsh is not installed")
    listed = subprocess.run([virsh, "-c", "test:///default", "help"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert set(_REAL_ONLY) <= {line.split()[0] for line in listed.splitlines() if line.startswith("    ")}
