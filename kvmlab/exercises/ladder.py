"""The hint ladder: a first failure names the concept, a second points at the command, and only
``show_answer()`` gives the code.

Each check function is wrapped by :func:`graded` with its exercise number and its answer::

    @graded("8.2", answer="conn.shutdown('$name')   # virsh shutdown $name")
    def check_graceful_shutdown(conn, name="web01"): ...

The answer is a :class:`string.Template` (``$name`` is the check's own argument, so the code shown is
the code for the learner's call) or a function of the check's arguments that returns the code. Attempts are counted per exercise in this kernel (:data:`PROGRESS`).
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from dataclasses import dataclass, field
from html import escape
from string import Template
from typing import Any, Callable, TypeVar, Union

from ..errors import ExerciseFailed, InvalidInput
from ..i18n import _

__all__ = ["graded", "show_answer", "load_all", "Solution", "Progress", "PROGRESS", "ANSWERS"]

F = TypeVar("F", bound=Callable[..., Any])

Answer = Union[str, Callable[..., str]]
# exercise number -> (the answer's template, the check it answers), filled by @graded at import.
ANSWERS: dict[str, tuple["Answer", Callable[..., Any]]] = {}


@dataclass
class Record:
    """One exercise in this kernel: failures so far, the rung reached, passed or not."""

    exercise: str
    failures: int = 0
    passed: bool = False
    mistakes: dict[str, int] = field(default_factory=dict)  # the concept a failure named -> how often
    answer_shown: bool = False
    attempts: int = 0  # checks run, failed or passed
    answer: str = ""  # the answer for the learner's last call
    last: float = field(default_factory=time.time)

    @property
    def rung(self) -> int:
        """The highest rung reached: 1 or 2 after failures, 3 once the answer was shown, 0 before."""
        if self.answer_shown:
            return 3
        return min(max(self.mistakes.values(), default=min(self.failures, 1)), ExerciseFailed.RUNGS)


class Progress:
    """Every graded exercise's record, thread-safe; ``reset()`` starts the ladder over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: dict[str, Record] = {}
        self.last_failed = ""

    def _get(self, exercise: str) -> Record:
        return self.records.setdefault(exercise, Record(exercise))

    def failed(self, exercise: str, answer: str, mistake: str = "", climbs: bool = True) -> int:
        """Count a failure; the rung for it: how often this same mistake (its concept) was made.

        A new mistake starts at the bottom again, and "no answer yet" (``climbs=False``) never climbs.
        """
        with self._lock:
            rec = self._get(exercise)
            rec.failures += 1
            rec.attempts += 1
            rec.answer, rec.last = answer, time.time()
            self.last_failed = exercise
            if not climbs:
                return 1
            rec.mistakes[mistake] = rec.mistakes.get(mistake, 0) + 1
            return min(rec.mistakes[mistake], ExerciseFailed.RUNGS)

    def passed(self, exercise: str, answer: str) -> Record:
        with self._lock:
            rec = self._get(exercise)
            rec.passed, rec.answer, rec.last = True, answer, time.time()
            rec.attempts += 1
            return rec

    def shown(self, exercise: str) -> Record:
        with self._lock:
            rec = self._get(exercise)
            rec.answer_shown = True
            return rec

    def reset(self) -> None:
        with self._lock:
            self.records.clear()
            self.last_failed = ""


PROGRESS = Progress()


def _fill(template: "Answer", fn: Callable[..., Any], args: tuple = (), kwargs: dict | None = None) -> str:
    """The answer with the check's own arguments (``$name``) in place; defaults where none were given."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **(kwargs or {}))
    except TypeError:
        bound = inspect.signature(fn).bind_partial()
    bound.apply_defaults()
    values = {k: v for k, v in bound.arguments.items() if isinstance(v, (str, int, float))}
    if callable(template):
        return template(**values)
    return Template(template).safe_substitute(values)


def _journal(rec: Record, rung: int | None = None) -> None:
    """The classroom's record of this check (a line in the learner's home; off unless $KVMLAB_PROGRESS)."""
    from ..classroom import progress

    progress.record(rec.exercise, rec.attempts, rec.passed, rec.rung if rung is None else max(rung, rec.rung),
                    rec.answer_shown)


def graded(exercise: str, answer: "Answer") -> Callable[[F], F]:
    """Wrap a check: count its failures, set each failure's rung, remember the answer for show_answer()."""

    def wrap(fn: F) -> F:
        if exercise in ANSWERS:
            raise ValueError(f"exercise {exercise} is graded twice")  # i18n: not shown (an author's mistake, at import)
        ANSWERS[exercise] = (answer, fn)

        @functools.wraps(fn)
        def check(*args: Any, **kwargs: Any) -> Any:
            filled = _fill(answer, fn, args, kwargs)
            try:
                result = fn(*args, **kwargs)
            except ExerciseFailed as err:
                err.exercise = exercise
                err.rung = PROGRESS.failed(exercise, filled, err.concept, climbs=not err.untried)
                _journal(PROGRESS.records[exercise], err.rung)
                raise
            _journal(PROGRESS.passed(exercise, filled))
            return result

        check.exercise = exercise  # type: ignore[attr-defined]
        return check  # type: ignore[return-value]

    return wrap


@dataclass
class Solution:
    """The code of one exercise, shown only when asked."""

    exercise: str
    code: str
    failures: int

    def __str__(self) -> str:
        if self.failures == 1:
            tried = _("after 1 failed check")
        elif self.failures:
            tried = _("after {n} failed checks").format(n=self.failures)
        else:
            tried = _("before any attempt: trying first teaches more")
        return _("answer to exercise {exercise} ({tried}):").format(exercise=self.exercise, tried=tried) + "\n" + self.code

    def _repr_html_(self) -> str:
        head, code = str(self).split("\n", 1)
        return (f"<div class='kvmlab-exercise answer' style='border-left:4px solid #36c;padding:4px 8px'>"
                f"<div>{escape(head)}</div><pre style='margin:4px 0'>{escape(code)}</pre></div>")


def show_answer(exercise: str | None = None) -> Solution:
    """The code that solves ``exercise`` ("8.2"), or the one whose check failed last."""
    if exercise is None:
        exercise = PROGRESS.last_failed
        if not exercise:
            raise InvalidInput(_("no check has failed yet, so there is no answer to show"),
                               hint=_('run a check first, or name the exercise: show_answer("8.2")'))
    if isinstance(exercise, str) and exercise not in ANSWERS:
        load_all()
    if not isinstance(exercise, str) or exercise not in ANSWERS:
        raise InvalidInput(_("there is no exercise {exercise}").format(exercise=repr(exercise)),
                           hint=_("exercises are numbered like their headings: ") + ", ".join(sorted(ANSWERS, key=_order)))
    rec = PROGRESS.records.get(exercise)
    code = rec.answer if rec and rec.answer else _fill(*ANSWERS[exercise])
    failures = rec.failures if rec else 0
    _journal(PROGRESS.shown(exercise))
    return Solution(exercise, code, failures)


def load_all() -> list[str]:
    """Import every lesson's checks (so every exercise is known); their module names, in order."""
    import importlib
    import pkgutil

    from .. import exercises

    names = sorted(m.name for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("lesson"))
    for name in names:
        importlib.import_module(f"{exercises.__name__}.{name}")
    return names


def _order(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))
