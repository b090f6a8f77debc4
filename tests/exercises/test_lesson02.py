"""Lesson 2 checks: the answer key agrees with strace, and every mistake gets its reason."""

from __future__ import annotations

import shutil

import pytest

from kvmlab.concepts import modes
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson02 as l2

RIGHT = {code: mode for code, (mode, _) in l2.OPERATIONS.items()}


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.parametrize("code", list(l2.OPERATIONS))
def test_the_answer_key_is_what_strace_sees(code):
    calls = modes.syscalls(code)
    assert (len(calls) > 0) == (RIGHT[code] == "kernel"), calls


def test_right_answers_pass_in_english_and_chinese():
    assert l2.check_modes(RIGHT)
    zh = {code: {"user": "用户模式", "kernel": "内核模式"}[m] for code, m in RIGHT.items()}
    p = l2.check_modes(zh)
    assert p.details[0] == "4 stay in user mode (用户模式), 6 enter the kernel (内核模式)"
    assert l2.check_modes({code: m.upper() + " MODE" for code, m in RIGHT.items()})


@pytest.mark.parametrize("code", list(l2.OPERATIONS))
def test_each_wrong_answer_gets_that_operations_reason(code):
    wrong = {"user": "kernel", "kernel": "user"}[RIGHT[code]]
    with pytest.raises(ExerciseFailed) as info:
        l2.check_modes({**RIGHT, code: wrong})
    assert info.value.message == f"1 of 10 not right: {code}"
    assert info.value.hint.startswith(l2.OPERATIONS[code][1])


def test_several_wrong_report_the_first_and_count_the_rest():
    answers = {code: "user" for code in RIGHT}
    with pytest.raises(ExerciseFailed) as info:
        l2.check_modes(answers)
    assert info.value.message == "6 of 10 not right: os.getppid() (and 5 more)"
    assert "a process cannot do that in user mode" in info.value.hint


def test_blank_unknown_and_misspelled_keys():
    with pytest.raises(ExerciseFailed) as info:
        l2.check_modes({code: "TODO" for code in RIGHT})
    assert info.value.message == "sum(range(1000)): no answer yet"
    with pytest.raises(ExerciseFailed) as info:
        l2.check_modes({**RIGHT, "os.getpid()": "kernel"})
    assert "not one of the operations" in info.value.message
    with pytest.raises(ExerciseFailed) as info:
        l2.check_modes({**RIGHT, "os.getppid()": "kernal"})
    assert "did you mean 'kernel'?" in info.value.hint


def test_a_real_crash_passes():
    crash = modes.crash_child()
    p = l2.check_crash(crash.returncode)
    assert "SIGSEGV" in p.details[0]


@pytest.mark.parametrize("rc, words", [
    (0, "make the child read address 0"),
    (1, "a Python exception"),
    (-6, "SIGSEGV (signal 11)"),
    (2, "negative number"),
])
def test_crash_mistakes(rc, words):
    with pytest.raises(ExerciseFailed) as info:
        l2.check_crash(rc)
    assert words in info.value.hint


def test_crash_through_a_shell_and_wrong_types():
    assert "128 + 11" in l2.check_crash(139).details[0]
    for bad in ("-11", None, True, -11.0):
        with pytest.raises(ExerciseFailed):
            l2.check_crash(bad)
