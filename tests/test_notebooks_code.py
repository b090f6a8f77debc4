"""The course's notebooks hold prose and calls: every helper lives in the library.

Each code cell of every notebook (lessons, learner exercises, solutions, the app's view) is parsed
with ``ast``. A ``def``, ``class`` or ``lambda`` is a helper that belongs in a module (for example
:mod:`kvmlab.notebook`); a ``while`` loop is a poll that belongs beside ``host.wait_state``; an import
of ``kvmlab.cli`` or of a private kvmlab name reaches into internals a learner should not copy.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for d in ("notebooks", "exercises", "kvmlab") for p in (ROOT / d).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)  # fmt: skip


def _code(cell_source: str) -> str:
    # IPython's own lines (%magic, !shell) are not Python; the rest of the cell is
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell_source.splitlines())


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _in_kvmlab(module: str) -> bool:
    return module == "kvmlab" or module.startswith("kvmlab.")


def helper_code(source: str) -> list[str]:
    """What a cell holds besides prose and calls, one line per finding (empty: the cell is clean)."""
    found = []
    for node in ast.walk(ast.parse(_code(source))):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(f"{where}: def {node.name}() — move the helper into a library module")
        elif isinstance(node, ast.ClassDef):
            found.append(f"{where}: class {node.name} — move it into a library module")
        elif isinstance(node, ast.Lambda):
            found.append(f"{where}: lambda — a helper in disguise; call a library function instead")
        elif isinstance(node, ast.While):
            found.append(f"{where}: while loop — a poll; use host.wait_state() or a library function")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _in_kvmlab(alias.name) and (alias.name.startswith("kvmlab.cli") or _private(alias.name)):
                    found.append(f"{where}: import {alias.name} — an internal of kvmlab")
        elif isinstance(node, ast.ImportFrom) and _in_kvmlab(node.module or ""):
            module = node.module or ""
            names = [a.name for a in node.names]
            if module == "kvmlab.cli" or module.startswith("kvmlab.cli.") or (module == "kvmlab" and "cli" in names):
                found.append(f"{where}: from {module} import … — the CLI is argv and a terminal, not a library")
            elif _private(module) or any(n.startswith("_") for n in names):
                found.append(f"{where}: from {module} import {', '.join(names)} — a private kvmlab name")
    return found


def _cells(path: Path) -> list[tuple[int, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def test_every_notebook_is_found():
    names = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}
    assert "notebooks/10-storage-pools.ipynb" in names
    assert "notebooks/10-storage-volumes.ipynb" in names
    assert "exercises/09-managing-networks.ipynb" in names
    assert "exercises/solutions/08-managing-vms.ipynb" in names
    assert len(NOTEBOOKS) >= 32


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def text(html):\n    return html", "def text()"),
        ("class Row:\n    pass", "class Row"),
        ("sorted(xs, key=lambda d: d.name())", "lambda"),
        ("while dom.state()[0] != 5:\n    time.sleep(0.5)", "while loop"),
        ("from kvmlab.cli.virsh.parse import parse_batch", "the CLI"),
        ("import kvmlab.cli.virsh", "import kvmlab.cli.virsh"),
        ("from kvmlab import cli", "the CLI"),
        ("from kvmlab.lab.course import _state", "private kvmlab name"),
        ("from kvmlab.specs._values import x", "private kvmlab name"),
        ("import kvmlab._private", "import kvmlab._private"),
    ],
)
def test_the_checker_finds_helpers(source, expected):
    found = helper_code(source)
    assert len(found) == 1 and expected in found[0], found


def test_the_checker_passes_calls():
    calls = ("%matplotlib inline\nimport kvmlab\nfrom kvmlab.notebook import show\n"
             "for d in conn.list(all=True).rows:\n    print(d)\n"
             "show(conn.start('vm1'))\n[x for x in range(3)]")
    assert helper_code(calls) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_cells_hold_no_helpers(path):
    cells = _cells(path)
    assert cells, f"{path.name} has no code cells"
    problems = [f"cell {i}: {line}" for i, source in cells for line in helper_code(source)]
    assert problems == []


FIRST_LESSONS = sorted((ROOT / "notebooks").glob("0[0-5]-*.ipynb"))


def branching(source: str) -> list[str]:
    """``if``/``else``, ``try``/``except`` and conditional expressions: a choice a library function makes."""
    kinds = {ast.If: "if", ast.Try: "try", ast.IfExp: "conditional expression"}
    return [f"line {n.lineno}: {kinds[type(n)]}" for n in ast.walk(ast.parse(_code(source))) if type(n) in kinds]


def test_the_branching_checker_finds_choices():
    assert branching("if conn.backend == 'qemu':\n    x()\nelse:\n    y()") == ["line 1: if"]
    assert branching("try:\n    x()\nexcept E:\n    pass") == ["line 1: try"]
    assert branching("v = a if b else c") == ["line 1: conditional expression"]
    assert branching("print(next(c for c in cs if c.ok))") == []


@pytest.mark.parametrize("path", FIRST_LESSONS, ids=lambda p: p.name)
def test_lessons_0_to_5_leave_every_choice_to_the_library(path):
    # which backend runs, whether a tool is installed, whether a demo can run live: the library decides
    # and its result says so (e.g. kvmlab.concepts.tap_demo.both_sides, qemu_view.domain_processes)
    assert len(FIRST_LESSONS) == 6
    problems = [f"cell {i}: {line}" for i, source in _cells(path) for line in branching(source)]
    assert problems == []


def _outputs_text(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_stored_outputs_hold_no_widget_state_and_no_cli_internals(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb["metadata"]  # widget state is the browser's, not the course's
    assert "kvmlab/cli" not in _outputs_text(path)


LEARNER = [p for p in NOTEBOOKS if p.parent.name == "exercises" or p.parent.as_posix().endswith("exercises/zh")]


@pytest.mark.parametrize("path", LEARNER, ids=lambda p: p.name)
def test_learner_check_cells_store_no_answer(path):
    # a check's stored error would show its hint (often the answer) before the learner tries
    nb = json.loads(path.read_text(encoding="utf-8"))
    checks = [c for c in nb["cells"] if "raises-exception" in c["metadata"].get("tags", [])]
    assert checks, f"{path.name} has no check cells"
    assert [(c["execution_count"], c["outputs"]) for c in checks] == [(None, [])] * len(checks)


_MACHINE_PATH = re.compile(r"test:///(?!default\b|tmp/)[^\s\"'<>…]+|/work/wt/[\w.-]+")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_stored_outputs_hold_no_machine_paths(path):
    """A stored output names the embedded host as test://…/kvmlab/data/…, never the checkout it ran in."""
    found = sorted(set(_MACHINE_PATH.findall(path.read_text(encoding="utf-8"))))
    assert found == [], f"{path.relative_to(ROOT)}: {found[:3]}"
