"""Every "lesson N, 'Section'" a hint or an exercise notebook points at is a real heading of that lesson.

A pointer to a section that was renamed (or never existed: 'define vs create', 'Revert') sends the learner
looking for nothing, exactly when they are stuck. This test collects every such pointer from the check
modules' strings and from the exercise notebooks' markdown, and finds it among the lesson's headings (or the
bold lead-ins like **2. kvmlab.** that open a step). "lesson 2 §3" must name a numbered heading "## 3. …".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = sorted((ROOT / "kvmlab/exercises").glob("lesson*.py"))
EXERCISES = sorted([*ROOT.glob("exercises/[0-9][0-9]-*.ipynb"), *ROOT.glob("exercises/solutions/[0-9][0-9]-*.ipynb")])

# "lesson 8, 'define $xml'", "lesson 11's 'Its disks'", "lesson 8, the sections 'define $xml' and 'create $xml'"
_NAMED = re.compile(r"[Ll]esson (\d+b?)(?:,|'s) ([^:;()]*)")
_QUOTED = re.compile(r"'((?:[^']|'(?=[a-z]))+)'")  # guest's: an apostrophe before a letter stays inside
_SECTION = re.compile(r"[Ll]esson (\d+b?),? §(\d+)")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("`", "").replace("*", "")).strip()


def _lessons() -> dict[str, list[str]]:
    """Lesson number ("10b" for the volumes) -> its headings and bold lead-ins, as plain text."""
    out = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        title = re.match(r"# Lesson (\d+b?) ", cells[0].source)
        if not title:
            continue
        places = []
        for cell in cells:
            if cell.cell_type == "markdown":
                places += [_plain(h) for h in re.findall(r"^#+ (.+)$", cell.source, re.MULTILINE)]
                places += [_plain(b).rstrip(".") for b in re.findall(r"\*\*([^*]+)\*\*", cell.source)]
        out[title.group(1)] = places
    return out


def pointers(text: str) -> list[tuple[str, str]]:
    """(lesson, section) for every "lesson N, 'Section'" in ``text``, and ("N", "§K") for "lesson N §K"."""
    found = [(m.group(1), q) for m in _NAMED.finditer(text) for q in _QUOTED.findall(m.group(2))]
    return found + [(m.group(1), f"§{m.group(2)}") for m in _SECTION.finditer(text)]


def _strings(path: Path) -> list[str]:
    """Every string constant of a module; an f-string's literal parts joined."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            out.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
    return out


def missing(found: list[tuple[str, str]], lessons: dict[str, list[str]]) -> list[tuple[str, str]]:
    bad = []
    for lesson, section in found:
        places = lessons.get(lesson, [])
        if section.startswith("§"):
            ok = any(p.startswith(section[1:] + ". ") for p in places)
        else:
            ok = any(_plain(section) in p for p in places)
        if not ok:
            bad.append((lesson, section))
    return bad


def test_the_lessons_and_pointers_are_found():
    lessons = _lessons()
    assert {"1", "7", "10", "10b", "14"} <= set(lessons) and "How a call travels" in lessons["1"]
    found = [p for path in CHECKS for s in _strings(path) for p in pointers(s)]
    assert len(found) >= 30 and ("11", "Finding the guest's address") in found


def test_a_stale_pointer_is_caught():
    lessons = _lessons()
    text = ("lesson 8, 'define vs create': …; lesson 14, 'Revert'; lesson 8, the sections 'define $xml' and "
            "'create $xml'; lesson 2 §9; lesson 1, '2. kvmlab'")
    assert missing(pointers(text), lessons) == [("8", "define vs create"), ("14", "Revert"), ("2", "§9")]


@pytest.mark.parametrize("path", CHECKS, ids=[p.stem for p in CHECKS])
def test_every_pointer_of_a_check_names_a_real_section(path):
    found = [p for s in _strings(path) for p in pointers(s)]
    assert not missing(found, _lessons()), f"{path.name}: no such section in the lesson: {missing(found, _lessons())}"


@pytest.mark.parametrize("path", EXERCISES, ids=[p.relative_to(ROOT).as_posix() for p in EXERCISES])
def test_every_pointer_of_an_exercise_notebook_names_a_real_section(path):
    cells = nbformat.read(path, as_version=4).cells
    found = [p for c in cells if c.cell_type == "markdown" for p in pointers(c.source)]
    assert not missing(found, _lessons()), f"{path.name}: no such section in the lesson: {missing(found, _lessons())}"
