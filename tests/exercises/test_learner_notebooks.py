"""Each untouched learner notebook runs, and every one of its checks fails with a hint.

Learner notebooks ship their check cells unrun (no stored output, so no hint gives an answer away
before the learner tries), which means nbval does not compare them. This test runs each learner
notebook top to bottom in a real kernel, as a learner would without changing a TODO, and asserts
that every check cell raises ``ExerciseFailed`` with a message and a hint, and that no other cell fails.
The first failure is the ladder's first rung: it names the exercise for show_answer() and contains
none of the answer's code.
"""

from __future__ import annotations

from pathlib import Path

import re

import nbformat
import pytest
from nbclient import NotebookClient

from kvmlab.exercises.ladder import ANSWERS, _fill, load_all

ROOT = Path(__file__).resolve().parents[2]
LEARNER = sorted((ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"))


def _is_check(cell) -> bool:
    return cell.cell_type == "code" and "raises-exception" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", LEARNER, ids=[p.stem for p in LEARNER])
def test_every_check_of_the_untouched_learner_notebook_fails_with_a_hint(path):
    nb = nbformat.read(path, as_version=4)
    checks = [i for i, c in enumerate(nb.cells) if _is_check(c)]
    assert checks, f"{path.name} has no check cell"
    assert all(not nb.cells[i].outputs and nb.cells[i].execution_count is None for i in checks), \
        "learner check cells are stored unrun"
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if i in checks:
            assert len(errors) == 1 and errors[0].ename == "ExerciseFailed", \
                f"{path.name} cell {i}: {[(e.ename, e.evalue[:120]) for e in errors]}"
            text = errors[0].evalue
            assert "\nhint: " in text and text.split("\nhint: ", 1)[1].strip(), \
                f"{path.name} cell {i}: the failure has no hint"
            shown = "\n".join(errors[0].traceback)
            assert "not yet:" in shown and "Traceback" not in shown and ".py" not in shown, \
                f"{path.name} cell {i}: a failed check shows a Python traceback"
            assert "hint 2/2" not in text, f"{path.name} cell {i}: the first failure is not on the first rung"
            number = re.search(r'show_answer\("([0-9.a-z]+)"\)', text)
            assert number, f"{path.name} cell {i}: the check is not @graded (no show_answer)"
            for line in _code_lines(number.group(1)):
                assert line not in text, f"{path.name} cell {i}: the first failure gives the answer away: {line!r}"
        else:
            assert not errors, f"{path.name} cell {i} failed: {errors[0].ename}: {errors[0].evalue[:200]}"


def _code_lines(number: str) -> list[str]:
    """The answer's code, line by line without comments (the default arguments filled in)."""
    load_all()
    code = _fill(*ANSWERS[number])
    lines = [ln.split("#", 1)[0].strip() for ln in code.splitlines()]
    return [ln for ln in lines if len(ln) > 6]
