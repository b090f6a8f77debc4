"""Every lesson states its aims, links the glossary, and checks understanding in the lesson itself (issue 10).

Every notebooks/NN-*.ipynb but the glossary is a lesson (LESSONS). What each lesson must have:

- before its first code cell, a markdown heading "What you will be able to do" followed by 3-5 bullets;
- before its first code cell, a link to the glossary (``00-glossary.ipynb``);
- a quick check: a markdown cell with **Predict, then run.**, directly followed by a code cell whose stored
  output answers it, directly followed by a markdown cell that starts with **Answer.**;
- at most 40 code cells (a longer lesson is split, as lesson 10 was into pools, 10, and volumes, 10b);
- a row in the README's lesson map that links it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb") if not p.name.startswith("00-"))

OBJECTIVES = "## What you will be able to do"
GLOSSARY_LINK = re.compile(r"\]\((\.\./notebooks/)?00-glossary\.ipynb\)")
PREDICT = "**Predict, then run.**"
ANSWER = "**Answer.**"
MAX_CODE_CELLS = 40


def cells(lesson: str) -> list[tuple[str, str, list]]:
    nb = json.loads((NOTEBOOKS / lesson).read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c.get("outputs", [])) for c in nb["cells"]]


def opening(lesson: str) -> str:
    """The markdown before the lesson's first code cell."""
    text = []
    for kind, source, _ in cells(lesson):
        if kind == "code":
            break
        text.append(source)
    return "\n\n".join(text)


def objectives(lesson: str) -> list[str]:
    """The bullets right under the objectives heading (a bullet may wrap onto indented lines)."""
    head = opening(lesson)
    assert OBJECTIVES in head, f"{lesson}: no '{OBJECTIVES}' before the first code cell"
    bullets: list[str] = []
    for line in head.split(OBJECTIVES, 1)[1].splitlines()[1:]:
        if line.startswith("- "):
            bullets.append(line[2:])
        elif line.startswith("  ") and bullets:
            bullets[-1] += " " + line.strip()
        elif line.strip() or bullets:
            break
    return bullets


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lesson_opens_with_3_to_5_objectives(lesson):
    nb = cells(lesson)
    assert nb[0][0] == "markdown" and nb[0][1].startswith("# Lesson"), f"{lesson}: the title comes first"
    bullets = objectives(lesson)
    assert 3 <= len(bullets) <= 5, f"{lesson}: {len(bullets)} objectives, want 3-5"
    assert all(len(b.split()) >= 4 for b in bullets), f"{lesson}: each objective is a concrete sentence"


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lesson_links_the_glossary_before_its_first_code_cell(lesson):
    assert GLOSSARY_LINK.search(opening(lesson)), f"{lesson}: no link to 00-glossary.ipynb in its opening"


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lesson_has_a_predict_then_run_check_answered_after_its_cell(lesson):
    nb = cells(lesson)
    checks = [i for i, (kind, source, _) in enumerate(nb) if kind == "markdown" and PREDICT in source]
    assert checks, f"{lesson}: no '{PREDICT}' question"
    for i in checks:
        j = i + 1  # the cells to run: one or more code cells, at least one with output
        while j < len(nb) and nb[j][0] == "code":
            j += 1
        assert any(nb[k][2] for k in range(i + 1, j)), f"{lesson}: no code cell with output after the question at cell {i}"
        assert j < len(nb) and nb[j][1].startswith(ANSWER), f"{lesson}: cell {j} should explain the answer"


def test_every_listed_lesson_exists():
    assert len(LESSONS) >= 11 and len(set(LESSONS)) == len(LESSONS)
    assert all((NOTEBOOKS / lesson).exists() for lesson in LESSONS)
    assert LESSONS.index("10-storage-pools.ipynb") + 1 == LESSONS.index("10-storage-volumes.ipynb")


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lesson_has_at_most_40_code_cells(lesson):
    count = sum(kind == "code" for kind, _, _ in cells(lesson))
    assert count <= MAX_CODE_CELLS, f"{lesson}: {count} code cells, want at most {MAX_CODE_CELLS}: split it"


def test_the_readme_lesson_map_links_every_lesson_and_nothing_else():
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"^\| [0-9]+b? \| \[[^]]+\]\(notebooks/([^)]+\.ipynb)\)", readme, flags=re.MULTILINE)
    assert sorted(linked) == sorted(["00-glossary.ipynb", *LESSONS])
