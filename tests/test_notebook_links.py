"""Every relative link in a lesson or exercise notebook leads to a file that exists.

A solution notebook sits one folder deeper than its learner notebook (exercises/solutions/), so a link
copied from one to the other breaks silently: a reader clicks it and gets "file not found". This test
reads every markdown cell, takes each Markdown link and each HTML href/src that is not a URL or an
anchor, and resolves it from the notebook's own folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb"),
                    *ROOT.glob("exercises/solutions/*.ipynb"),  # and the Chinese editions
                    *ROOT.glob("notebooks/zh/*.ipynb"), *ROOT.glob("exercises/zh/*.ipynb"),
                    *ROOT.glob("exercises/zh/solutions/*.ipynb")])

# [text](target) or [text](target "title"), and href="…" / src="…" in HTML
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|\b(?:href|src)=[\"']([^\"']+)[\"']")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")  # http:, mailto:, data:, //host, #anchor


def relative_links(path: Path) -> list[tuple[int, str]]:
    """(cell index, target) of every relative link in the notebook's markdown cells."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for m in _LINK.finditer(cell.source):
            target = m.group(1) or m.group(2)
            if not _EXTERNAL.match(target):
                found.append((i, target))
    return found


def test_the_notebooks_are_found_and_some_link_relatively():
    assert len([p for p in NOTEBOOKS if "/exercises/solutions/" in p.as_posix()]) >= 10
    assert sum(len(relative_links(p)) for p in NOTEBOOKS) >= 20


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(ROOT).as_posix() for p in NOTEBOOKS])
def test_every_relative_link_resolves(path):
    broken = [(i, target) for i, target in relative_links(path)
              if not (path.parent / unquote(target.split("#", 1)[0])).exists()]
    assert not broken, f"{path.relative_to(ROOT)}: links to missing files (cell, target): {broken}"


def test_a_link_one_folder_too_shallow_is_caught(tmp_path):
    """The mistake this test exists for: a solution notebook linking ../notebooks/ instead of ../../notebooks/."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "06-x.ipynb").write_text("{}")
    sol = tmp_path / "exercises" / "solutions"
    sol.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "Lesson: [a](../notebooks/06-x.ipynb), [b](../../notebooks/06-x.ipynb), [c](https://libvirt.org), [d](#top)")])
    nbformat.write(nb, sol / "06-x.ipynb")
    links = relative_links(sol / "06-x.ipynb")
    assert links == [(0, "../notebooks/06-x.ipynb"), (0, "../../notebooks/06-x.ipynb")]
    assert [t for _, t in links if not (sol / t).exists()] == ["../notebooks/06-x.ipynb"]
