"""Lesson 2 checks: the answer keys agree with strace and with a real fault; each mistake gets its diagnosis, then the ladder."""

from __future__ import annotations

import platform
import shutil

import pytest

from kvmlab.concepts import modes
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson02 as l2
from tests.exercises.conftest import climb

RIGHT = {code: mode for code, (mode, _) in l2.OPERATIONS.items()}
WHO = {"A": "process", "B": "process", "C": "guest", "D": "guest", "E": "host", "F": "process"}
X86 = platform.machine() in ("x86_64", "AMD64")


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
def test_each_wrong_answer_gets_the_concept_then_that_operations_reason(code):
    wrong = {"user": "kernel", "kernel": "user"}[RIGHT[code]]
    first, second, answer = climb(l2.check_modes, {**RIGHT, code: wrong})
    assert first.message == f"1 of 10 not right: {code}"
    assert first.hint == l2._MODE_CONCEPT[RIGHT[code]] and l2.OPERATIONS[code][1] not in first.hint
    assert second.hint.startswith(l2.OPERATIONS[code][1]) and f"modes.syscalls({code!r})" in second.hint
    assert f"{code!r}: {RIGHT[code]!r}" in answer


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


# --- exercise 2.2: who goes down? --------------------------------------------------------------------

@pytest.mark.skipif(not X86, reason="the privileged instructions are x86")
@pytest.mark.parametrize("instruction", [i for i in modes.PRIVILEGED if i != "nop"])
def test_situation_a_is_real_a_privileged_instruction_kills_only_the_child(instruction):
    crash = modes.privileged_child(instruction)
    assert crash.returncode == -11 and crash.signal_name == "SIGSEGV" and crash.parent_alive


@pytest.mark.skipif(not X86, reason="the privileged instructions are x86")
def test_the_same_child_with_a_nop_ends_normally():
    assert modes.privileged_child("nop").returncode == 0  # the privilege kills, not the way the code is run


def test_privileged_child_refuses_an_unknown_instruction():
    from kvmlab.errors import InvalidInput

    with pytest.raises(InvalidInput) as info:
        modes.privileged_child("reboot")
    assert "hlt" in info.value.hint


@pytest.mark.skipif(not X86, reason="the check runs situation A on x86")
def test_the_right_outcomes_pass_and_quote_the_measurement():
    done = l2.check_who_goes_down(WHO)
    assert any("the child was killed by SIGSEGV (returncode -11)" in d for d in done.details)
    zh = {**WHO, "C": "虚拟机", "E": "宿主机", "F": "进程"}
    assert l2.check_who_goes_down(zh)


WRONG = [(k, o) for k in WHO for o in l2.OUTCOMES if o != WHO[k]]


@pytest.mark.parametrize("letter, outcome", WRONG, ids=[f"{k}-{o}" for k, o in WRONG])
def test_every_wrong_outcome_gets_its_own_diagnosis_then_the_ladder(letter, outcome):
    first, second, answer = climb(l2.check_who_goes_down, {**WHO, letter: outcome})
    assert first.message.startswith(f"1 of 6 not right: situation {letter} is not '{outcome}': ")
    if (letter, outcome) != ("A", "host"):
        assert first.message.endswith(l2._NOT[(letter, outcome)])
    assert first.hint == l2._CONCEPT[letter] and second.hint == l2._POINTER[letter]
    for err in (first, second):  # neither rung says which outcome it is
        assert f"'{WHO[letter]}'" not in err.hint
    assert f'"{letter}": "{WHO[letter]}"' in answer


@pytest.mark.skipif(not X86, reason="the check runs situation A on x86")
def test_a_host_answer_for_hlt_is_refuted_by_the_measurement():
    with pytest.raises(ExerciseFailed) as info:
        l2.check_who_goes_down({**WHO, "A": "host"})
    assert "the check ran A here: the child was killed by SIGSEGV (returncode -11)" in info.value.message


def test_the_classic_confusions():
    with pytest.raises(ExerciseFailed) as info:
        l2.check_who_goes_down({**WHO, "C": "process", "F": "guest"})
    assert info.value.message.startswith("2 of 6 not right: situation C is not 'process': one host process is "
                                         "killed, yes: but ask what that process was running")
    assert info.value.message.endswith("(also check F)")
    with pytest.raises(ExerciseFailed) as info:
        l2.check_who_goes_down({**WHO, "E": "process"})
    assert "kvm is not a process" in info.value.message
    for letter, words in (("E", "a module of the host's kernel"), ("F", "a daemon on the host")):
        with pytest.raises(ExerciseFailed) as info:  # why the choice is wrong, not what is right
            l2.check_who_goes_down({**WHO, letter: "guest"})
        assert words in info.value.message and "stops everything" not in info.value.message
        assert "keep running" not in info.value.message


def test_blanks_typos_and_wrong_types():
    with pytest.raises(ExerciseFailed) as info:
        l2.check_who_goes_down({k: "TODO" for k in WHO})
    assert info.value.message == "situation A: no answer yet" and "process, guest, host" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l2.check_who_goes_down({**WHO, "B": "proces"})
    assert "did you mean 'process'?" in info.value.hint
    with pytest.raises(ExerciseFailed):
        l2.check_who_goes_down(["process"] * 6)


def test_each_answer_solves_its_exercise():
    from kvmlab.exercises import show_answer

    scope = {}
    for number in ("2.1", "2.2"):
        exec(show_answer(number).code, scope)
    assert l2.check_modes(scope["modes_answer"]) and l2.check_who_goes_down(scope["who_goes_down"])
