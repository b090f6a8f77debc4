"""In IPython, a failed check shows its diagnosis and hint, not a Python traceback.

The cell still ends in an error (``ExerciseFailed``, as nbval and a learner's "run all" expect);
only the traceback lines are replaced by the failure's own text.
"""

from __future__ import annotations

from typing import Any

from ..errors import ExerciseFailed, _not_yet

__all__ = ["install"]


def _lines(value: ExerciseFailed) -> list[str]:
    lines = [f"\x1b[1;33m{_not_yet()}:\x1b[0m {value.message}"]
    lines += [f"\x1b[1m{label}:\x1b[0m {text}" for label, text in value.rungs()]  # rung 2 keeps rung 1
    if value.ladder():
        lines.append(value.ladder())
    return lines


def _show(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> None:
    """IPython's custom-exception hook: it must show the error itself (its return value is dropped)."""
    if isinstance(value, ExerciseFailed):
        shell._showtraceback(etype, value, _lines(value))
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install() -> bool:
    """Register the short display in the running IPython shell; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((ExerciseFailed,), _show)
    return True
