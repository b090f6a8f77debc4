"""The hint ladder: concept, then pointer, and the code only from show_answer()."""

from __future__ import annotations

import inspect
import re
import threading
from pathlib import Path

import pytest

import kvmlab
from kvmlab.errors import ExerciseFailed, InvalidInput
from kvmlab.exercises import PROGRESS, graded, lesson08, show_answer
from kvmlab.exercises.ladder import ANSWERS, load_all

ROOT = Path(__file__).resolve().parents[2]


def _fail(check, *args):
    with pytest.raises(ExerciseFailed) as info:
        check(*args)
    return info.value


def test_first_failure_names_the_concept_the_second_points_at_the_command_and_neither_gives_the_code():
    conn = kvmlab.connect()
    first = _fail(lesson08.check_graceful_shutdown, conn, "web01")
    assert (first.rung, first.exercise) == (1, "8.2")
    assert first.hint == first.concept and "power" in first.hint
    assert 'show_answer("8.2")' in str(first) and "hint 1/2" in str(first)
    second = _fail(lesson08.check_graceful_shutdown, conn, "web01")
    assert second.rung == 2 and second.hint == second.pointer != second.concept
    assert "hint 2/2" in str(second)
    assert f"\nhint: {second.concept}\nlook at: {second.pointer}\n" in str(second)  # the concept stays on screen
    assert "look at:" not in str(first) and "points at the command or the lesson section" in str(first)
    for err in (first, second):
        assert "shutdown(" not in str(err) and "virsh shutdown" not in str(err)
    third = _fail(lesson08.check_graceful_shutdown, conn, "web01")
    assert third.rung == 2  # the ladder tops out; the code still needs show_answer()
    shown = show_answer()
    assert shown.exercise == "8.2" and shown.failures == 3
    assert 'conn.shutdown("web01")' in shown.code and "virsh shutdown web01" in shown.code
    assert "<pre" in shown._repr_html_() and PROGRESS.records["8.2"].rung == 3


def test_the_answer_is_for_the_learners_own_call():
    conn = kvmlab.connect()
    _fail(lesson08.check_deleted, conn, "web01")
    assert 'conn.undefine("web01")' in show_answer("8.5").code
    PROGRESS.reset()
    assert 'conn.undefine("backup")' in show_answer("8.5").code  # never tried: the default


def test_a_pass_is_recorded_and_the_ladder_counts_per_exercise():
    conn = kvmlab.connect()
    _fail(lesson08.check_graceful_shutdown, conn, "web01")
    _fail(lesson08.check_deleted, conn, "backup")
    conn.shutdown("web01")
    assert lesson08.check_graceful_shutdown(conn, "web01")
    rec = PROGRESS.records
    assert (rec["8.2"].failures, rec["8.2"].passed, rec["8.5"].failures, rec["8.5"].passed) == (1, True, 1, False)


def test_show_answer_refuses_what_it_cannot_answer_with_a_hint():
    with pytest.raises(InvalidInput) as info:
        show_answer()
    assert "no check has failed yet" in info.value.message and 'show_answer("8.2")' in info.value.hint
    for bad in ("99.1", 8.2):
        with pytest.raises(InvalidInput) as info:
            show_answer(bad)
        assert "there is no exercise" in info.value.message and "1.1" in info.value.hint


def test_an_exercise_number_is_graded_once():
    with pytest.raises(ValueError):
        graded("8.2", answer="x")(lambda: None)


def test_failures_from_many_threads_are_all_counted():
    conn = kvmlab.connect()

    def fail():
        for _ in range(25):
            try:
                lesson08.check_deleted(conn, "backup")
            except ExerciseFailed:
                pass

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert PROGRESS.records["8.5"].failures == 100


def _checks():
    for name in load_all():
        mod = __import__(f"kvmlab.exercises.{name}", fromlist=["x"])
        for fname, fn in inspect.getmembers(mod, inspect.isfunction):
            if fname.startswith("check_") and fn.__module__ == mod.__name__:
                yield mod, fname, fn


def test_every_check_is_graded_and_every_exercise_heading_has_a_check():
    ids = {}
    for mod, fname, fn in _checks():
        assert hasattr(fn, "exercise"), f"{mod.__name__}.{fname} is not @graded"
        ids[fn.exercise] = fname
    headings = set()
    for nb in (ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"):
        headings |= set(re.findall(r"## Exercise (\d+\.\d+)", nb.read_text()))
    graded_numbers = {re.match(r"\d+\.\d+", i).group(0) for i in ids}
    assert headings <= graded_numbers, f"exercises without a graded check: {sorted(headings - graded_numbers)}"
    assert set(ids) == set(ANSWERS)


def test_every_answer_is_code_and_fills_with_the_checks_defaults():
    for number in ANSWERS:
        code = show_answer(number).code
        assert code.strip() and "$" not in code, f"{number}: {code!r}"


def test_a_new_mistake_starts_at_the_bottom_and_no_answer_yet_never_climbs():
    from kvmlab.exercises import choose
    from kvmlab.exercises.checks import virsh_words

    @graded("99.9", answer="x")
    def check(value):
        if value == "TODO":
            virsh_words(value, "virsh list")
        raise ExerciseFailed(f"{value} is wrong", hint=f"idea about {value}", pointer=f"look at {value}")

    for _ in range(3):  # an untouched cell run again and again stays at the first rung
        assert _fail(check, "TODO").rung == 1
    assert _fail(check, "TODO").ladder() == 'Fill in your answer and run the check again; show_answer("99.9") shows the code.'
    assert [_fail(check, "a").rung, _fail(check, "a").rung] == [1, 2]
    assert _fail(check, "b").rung == 1  # another mistake: its own concept first
    assert PROGRESS.records["99.9"].failures == 7 and PROGRESS.records["99.9"].rung == 2
    with pytest.raises(ExerciseFailed) as info:
        choose("TODO", ["a", "b"])
    assert info.value.untried
    del ANSWERS["99.9"]
