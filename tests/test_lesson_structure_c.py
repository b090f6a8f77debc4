"""Lessons 8-10 state their aims, link the glossary and check understanding; the facts fixed in issue 10 stay fixed.

Structure: each lesson opens (before its first code cell) with "What you will be able to do" and 3-5
bullets, links to the glossary (notebooks/00-glossary.ipynb), and holds a "Predict, then run" question
placed before a code cell with stored output, answered in a markdown cell after it.

Facts: lesson 10 no longer says a plain `pool-build` of an fs pool runs mkfs (libvirt's
virStorageBackendFileSystemBuild only makes the directory unless --no-overwrite / --overwrite is given);
no hint in kvmlab says `create` "defines and starts" a VM (create keeps no definition); lesson 8 explains
the test driver's CPU time.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = ["08-managing-vms.ipynb", "09-managing-networks.ipynb", "10-storage-pools.ipynb"]


def _cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _markdown(name: str) -> str:
    return "\n".join(_text(c) for c in _cells(name) if c["cell_type"] == "markdown")


def _objectives(name: str) -> list[str]:
    """The bullets under "What you will be able to do", in the markdown before the first code cell."""
    intro = []
    for cell in _cells(name):
        if cell["cell_type"] == "code":
            break
        intro.append(_text(cell))
    lines = "\n".join(intro).splitlines()
    start = next(i for i, ln in enumerate(lines) if "What you will be able to do" in ln)
    bullets = []
    for ln in lines[start + 1:]:
        if ln.startswith(("- ", "* ")):
            bullets.append(ln[2:].strip())
        elif ln.strip() or bullets:  # blank lines before the list are fine; anything else ends it
            break
    return bullets


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_opens_with_its_objectives(name):
    first = _text(_cells(name)[0])
    assert first.startswith("# Lesson "), "the title comes first"
    assert "What you will be able to do" in first.split("\n\n", 2)[1], "the objectives follow the title"
    bullets = _objectives(name)
    assert 3 <= len(bullets) <= 5, bullets
    assert all(len(b) > 20 for b in bullets), "each objective is a concrete sentence"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_links_the_glossary(name):
    assert (NOTEBOOKS / "00-glossary.ipynb").exists()
    assert re.search(r"\]\(00-glossary\.ipynb(#[^)]*)?\)", _markdown(name)), "a relative link to the glossary"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_has_a_predict_then_run_check(name):
    cells = _cells(name)
    found = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and "Predict, then run" in _text(cell):
            code = cells[i + 1]
            assert code["cell_type"] == "code", "the question comes right before the cell that answers it"
            assert code.get("outputs"), "the answering cell has stored output"
            after = next(c for c in cells[i + 2:] if c["cell_type"] == "markdown")
            assert "Answer" in _text(after), "the markdown after the answering cell(s) explains the answer"
            found.append(i)
    assert found, "at least one predict-then-run question"


def _fs_row() -> str:
    rows = [ln for ln in _markdown("10-storage-pools.ipynb").splitlines() if ln.startswith("| `fs` |")]
    assert len(rows) == 1
    return rows[0]


def test_lesson10_pool_build_fs_formats_only_with_a_flag():
    row = _fs_row()
    does = row.split("|")[3]
    assert "directory" in does
    assert "`--overwrite`" in does and "`--no-overwrite`" in does
    assert not re.match(r"\s*formats", does), "plain pool-build does not run mkfs"
    assert "formats the device (`mkfs`) —" not in _markdown("10-storage-pools.ipynb")


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_hint_says_create_defines_and_starts():
    wrong = re.compile(r"defines? and starts?|create\s*=\s*define\s*(\+|and)\s*start", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}: {s!r}"
             for path in sorted((ROOT / "kvmlab").rglob("*.py"))
             for s in _string_constants(path) if wrong.search(s)]
    assert not found, found


def test_create_hints_say_no_definition_is_kept(conn):
    from kvmlab.exercises import ExerciseFailed
    from kvmlab.exercises import lesson08 as l8
    from kvmlab.ops.domain_define import DEFINE_HINT
    from kvmlab.specs import DomainSpec
    from kvmlab.virsh.hints import MEANING

    assert "no definition kept" in DEFINE_HINT and "no definition kept" in MEANING["define"]
    with pytest.raises(ExerciseFailed) as missing:
        l8.check_running(conn)
    assert "keeps no definition" in missing.value.hint
    conn.define(DomainSpec(name="web02", type="kvm", memory="512MiB", vcpus=1))
    with pytest.raises(ExerciseFailed) as defined:
        l8.check_running(conn)
    assert "transient" in defined.value.hint and "no definition kept" in defined.value.hint


def test_lesson8_explains_the_test_drivers_cpu_time():
    text = _markdown("08-managing-vms.ipynb")
    assert "testDomainGetInfo" in text and "g_get_real_time()" in text
    assert "/proc/PID/stat" in text, "and what a real QEMU guest reports instead"
