"""Every learner-facing text kvmlab builds goes through gettext: hints, teaching errors, check messages
(a wrong answer's and a right one's), widget labels and progress texts. tests/test_i18n.py checks that each marked text has its Chinese;
this test finds the texts that were never marked, so "every message has a translation" means every
message, not every marked one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kvmlab

PKG = Path(kvmlab.__file__).resolve().parent

# keyword arguments that carry a learner-facing text (ExerciseFailed/KvmlabError hints, ipywidgets labels)
TEXT_KEYWORDS = {"hint", "pointer", "concept", "description", "placeholder", "tooltip"}
# calls whose first argument is the text shown: kvmlab's errors, a check's expectation, a progress line
ERROR_SUFFIXES = ("Error", "Failed", "Timeout", "Input", "State", "NotFound", "Unsupported", "Rejected",
                  "Abandoned", "Syntax")
TEXT_CALLS = {"expect", "progress", "_progress", "say", "_say", "note"}
# not learner-facing: the classroom's admin commands and teacher page are for teachers and operators
EXEMPT_DIRS = {"classroom"}
# a text that is not shown to a learner (an internal assertion, a protocol string) says so on its line;
# so does a line that is another program's own words (virsh's, libvirt's, virt-clone's): those are
# translated by that program's catalog (kvmlab/render/l10n.py), never by kvmlab's
NOT_SHOWN = "# i18n: not shown"
OWN_WORDS = re.compile(r"# i18n: (virsh|libvirt|virt-clone)'s own words")
EXEMPT_FILES = {"i18n.py", "language.py"}


def _is_text(node: ast.AST) -> bool:
    """A literal or f-string with words in it (a bare symbol like "▶" or "" needs no translation)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return sum(ch.isalpha() for ch in node.value) >= 2
    if isinstance(node, ast.JoinedStr):
        return sum(ch.isalpha() for v in node.values if isinstance(v, ast.Constant) for ch in str(v.value)) >= 2
    if isinstance(node, ast.BinOp):  # "…" + "…", "…" % x
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    return False


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def unmarked() -> list[str]:
    found = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if rel.parts[0] in EXEMPT_DIRS or rel.name in EXEMPT_FILES:
            continue
        source = path.read_text()
        lines = source.splitlines()
        for n in ast.walk(ast.parse(source)):
            if not isinstance(n, ast.Call):
                continue
            name = _name(n.func)
            texts = [kw.value for kw in n.keywords if kw.arg in TEXT_KEYWORDS]
            if n.args and (name in TEXT_CALLS or (name[:1].isupper() and name.endswith(ERROR_SUFFIXES))):
                texts.append(n.args[1] if name == "expect" and len(n.args) > 1 else n.args[0])
            if name == "Passed":  # a right answer's title and the facts it confirmed
                texts += [a.value if isinstance(a, ast.Starred) else a for a in n.args]
            for t in texts:
                marks = lines[n.lineno - 1] + lines[t.lineno - 1]
                if _is_text(t) and NOT_SHOWN not in marks and not OWN_WORDS.search(marks):
                    src = ast.get_source_segment(source, t) or ""
                    found.append(f"{rel}:{t.lineno}: {name}(…) {src[:70]}")
    return found


def test_every_learner_facing_text_is_marked_for_translation():
    missing = unmarked()
    assert missing == [], (f"{len(missing)} learner-facing texts are not marked with _() or N_() "
                           "(see docs/i18n.md):\n" + "\n".join(missing))
