"""Exercise checks: each lesson's ``check_*`` functions live in ``kvmlab.exercises.lessonNN``.

    >>> from kvmlab.exercises import lesson01
    >>> lesson01.check_layers({...})     # Passed, or ExerciseFailed with a precise hint
"""

from .checks import ExerciseFailed, Passed, choose, expect

__all__ = ["ExerciseFailed", "Passed", "expect", "choose"]
