"""Every test starts at the bottom of the hint ladder (attempts are counted per kernel)."""

import pytest

from kvmlab.exercises import PROGRESS


@pytest.fixture(autouse=True)
def fresh_ladder():
    PROGRESS.reset()
    yield
    PROGRESS.reset()


def climb(check, *args, **kwargs):
    """Fail ``check`` twice and ask for the answer: (first failure, second failure, the answer's code).

    For checks that only read (a check that runs the learner's line runs it twice).
    """
    from kvmlab.exercises import ExerciseFailed, show_answer

    PROGRESS.reset()
    errors = []
    for _ in range(2):
        with pytest.raises(ExerciseFailed) as info:
            check(*args, **kwargs)
        errors.append(info.value)
    first, second = errors
    assert (first.rung, second.rung) == (1, 2) and first.exercise == second.exercise
    return first, second, show_answer(first.exercise).code
