"""Exercise checks: each lesson's ``check_*`` functions live in ``kvmlab.exercises.lessonNN``.

    >>> from kvmlab.exercises import lesson01, show_answer
    >>> lesson01.check_layers({...})     # Passed, or ExerciseFailed: the diagnosis and a hint
    >>> show_answer("1.1")                # the code, only when asked

A first failure names the concept, a second points at the command or element (the hint ladder,
:mod:`kvmlab.exercises.ladder`).
"""

from . import display
from .checks import ExerciseFailed, Passed, choose, expect
from .ladder import PROGRESS, graded, show_answer

__all__ = ["ExerciseFailed", "Passed", "expect", "choose", "graded", "show_answer", "PROGRESS"]

display.install()
