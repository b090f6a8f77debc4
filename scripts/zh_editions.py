#!/usr/bin/env python3
"""The Chinese editions: one English notebook + one translation file -> its zh notebook.

One source of truth: a zh notebook is *built*, never edited. Its code cells (sources, outputs, ids,
metadata) are the English notebook's, copied; only markdown cells differ, each taken from the
translation file by the hash of the English text it translates. An English cell that changed has no
translation under its new hash, so `check` fails until the translation follows: the editions cannot
drift.

    notebooks/01-tools.ipynb              + i18n/zh/notebooks/01-tools.md              -> notebooks/zh/01-tools.ipynb
    exercises/01-tools.ipynb              + i18n/zh/exercises/01-tools.md              -> exercises/zh/01-tools.ipynb
    exercises/solutions/01-tools.ipynb    + i18n/zh/exercises/solutions/01-tools.md    -> exercises/zh/solutions/01-tools.ipynb

A translation file is a list of blocks, each opened by a comment naming the hash (and quoting the
English, for the translator and the reviewer; the quote is not used):

    <!-- en: 3f2a9c0d1b7e
    # Tools ...
    -->
    # 工具 ...

Relative links in a translation are written as in the English cell (from the English notebook's
folder); the build points them at the zh edition of a notebook and at the same file otherwise.
A solution notebook's cells that read as the learner's take the learner translation's blocks too.

    python scripts/zh_editions.py skeleton notebooks/01-tools.ipynb   # new blocks (TODO) for untranslated cells
    python scripts/zh_editions.py build                               # write every zh notebook that has a translation
    python scripts/zh_editions.py check                               # exit 1 if any is missing, stale or not rebuilt
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "i18n" / "zh"
SOURCES = ("notebooks/*.ipynb", "exercises/*.ipynb", "exercises/solutions/*.ipynb")
TODO = "TODO"
_BLOCK = re.compile(r"<!-- en: ([0-9a-f]{12})\n.*?\n-->\n", re.S)
_LINK = re.compile(r"(\]\(|\b(?:href|src)=[\"'])([^)\s#\"']+)(#[^)\s\"']*)?(\)|[\"'])")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def source_text(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def zh_path(rel: str) -> str:
    """notebooks/X -> notebooks/zh/X; exercises/X -> exercises/zh/X; exercises/solutions/X -> exercises/zh/solutions/X."""
    top, rest = rel.split("/", 1)
    return f"{top}/zh/{rest}"


def translation_path(rel: str) -> Path:
    return I18N / Path(rel).with_suffix(".md")


def english_sources() -> list[str]:
    out = []
    for pattern in SOURCES:
        out += [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob(pattern))]
    return out


def read_blocks(path: Path) -> dict[str, str]:
    """hash -> translated markdown (a block still reading TODO counts as missing)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(_BLOCK.finditer(text))
    blocks = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end():end].strip("\n")
        if body and body.strip() != TODO:
            blocks[m.group(1)] = body
    return blocks


def translations_for(rel: str) -> dict[str, str]:
    blocks = read_blocks(translation_path(rel))
    if rel.startswith("exercises/solutions/"):  # the learner's blocks serve the same cells here
        learner = "exercises/" + rel.split("/", 2)[2]
        blocks = {**read_blocks(translation_path(learner)), **blocks}
    return blocks


def relink(text: str, rel: str) -> str:
    """Links written from the English notebook's folder, pointed from the zh notebook's folder."""
    src_dir, out_dir = (ROOT / rel).parent, (ROOT / zh_path(rel)).parent
    zh_sources = set(translated())

    def fix(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^[a-z]+:", target) or target.startswith("/"):
            return m.group(0)
        dest = (src_dir / target).resolve()
        try:
            dest_rel = str(dest.relative_to(ROOT))
        except ValueError:
            return m.group(0)
        if dest_rel in zh_sources:  # its zh edition, once it has one; the English one until then
            dest = ROOT / zh_path(dest_rel)
        return f"{m.group(1)}{os.path.relpath(dest, out_dir)}{m.group(3) or ''}{m.group(4)}"

    return _LINK.sub(fix, text)


def build_one(rel: str) -> tuple[dict | None, list[str]]:
    """The zh notebook for ``rel`` and the hashes of its untranslated markdown cells."""
    nb = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    blocks = translations_for(rel)
    missing = []
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        h = digest(source_text(cell))
        if h not in blocks:
            missing.append(h)
            continue
        lines = relink(blocks[h], rel).split("\n")
        cell["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    out.setdefault("metadata", {})["kvmlab"] = {"edition": "zh", "source": rel,
                                               "built_by": "scripts/zh_editions.py build"}
    return (None if missing else out), missing


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def translated() -> list[str]:
    """English notebooks that have a translation file."""
    return [rel for rel in english_sources()
            if translation_path(rel).exists() or (rel.startswith("exercises/solutions/")
                                                  and translation_path("exercises/" + rel.split("/", 2)[2]).exists())]


_MAP_ROW = re.compile(r"^(\| [0-9]+b? \| \[[^]]+\]\()notebooks/(?:zh/)?([^)/]+\.ipynb)\)", re.M)


def readme_map(check: bool) -> list[str]:
    """README.zh.md's lesson map links each lesson's zh edition once it is built, else the English one."""
    path = ROOT / "README.zh.md"
    if not path.exists():
        return []
    built = set(translated())
    text = path.read_text(encoding="utf-8")
    new = _MAP_ROW.sub(lambda m: m.group(1) + (zh_path(f"notebooks/{m.group(2)}") if f"notebooks/{m.group(2)}" in built
                                              else f"notebooks/{m.group(2)}") + ")", text)
    if new == text:
        return []
    if check:
        return ["README.zh.md: the lesson map does not link the zh editions there are (run: python scripts/zh_editions.py build)"]
    path.write_text(new, encoding="utf-8")
    print("wrote README.zh.md (lesson map links)")
    return []


def unused_blocks() -> list[str]:
    """Blocks whose English cell is gone (edited or removed): a stale translation is deleted, not kept."""
    used: dict[Path, set[str]] = {}
    for rel in english_sources():
        nb = json.loads((ROOT / rel).read_text(encoding="utf-8"))
        hashes = {digest(source_text(c)) for c in nb["cells"] if c["cell_type"] == "markdown"}
        used.setdefault(translation_path(rel), set()).update(hashes)
        if rel.startswith("exercises/solutions/"):
            used.setdefault(translation_path("exercises/" + rel.split("/", 2)[2]), set()).update(hashes)
    out = []
    for path in sorted(I18N.rglob("*.md")) if I18N.exists() else []:
        stale = sorted(set(_BLOCK.findall(path.read_text(encoding="utf-8"))) - used.get(path, set()))
        if stale:
            out.append(f"{path.relative_to(ROOT)}: blocks for English cells that no longer exist: {', '.join(stale)} "
                       "(the English changed: translate the new text, delete these)")
    return out


def skeleton(rel: str) -> int:
    """Append a TODO block, quoting the English, for every markdown cell of ``rel`` with no translation."""
    nb = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    have = translations_for(rel)
    path = translation_path(rel)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    listed = set(_BLOCK.findall(existing))
    new = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = source_text(cell)
        h = digest(text)
        if h in have or h in listed:
            continue
        listed.add(h)
        new.append(f"<!-- en: {h}\n{text.replace('-->', '-- >')}\n-->\n{TODO}\n")
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(existing + ("\n" if existing and not existing.endswith("\n\n") else "") + "\n".join(new),
                        encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(new)} new blocks")
    return 0


def build(check: bool = False) -> int:
    problems = []
    for rel in translated():
        nb, missing = build_one(rel)
        out = ROOT / zh_path(rel)
        if missing:
            problems.append(f"{rel}: {len(missing)} markdown cells have no translation "
                            f"(run: python scripts/zh_editions.py skeleton {rel}); hashes {', '.join(missing)}")
            continue
        text = dumps(nb)
        if check:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                problems.append(f"{zh_path(rel)} is not the build of {rel} + its translation "
                                "(run: python scripts/zh_editions.py build)")
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                out.write_text(text, encoding="utf-8")
                print(f"wrote {zh_path(rel)}")
    problems += readme_map(check)
    problems += unused_blocks()
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "skeleton":
        return max(skeleton(rel) for rel in argv[1:])
    if argv == ["build"]:
        return build()
    if argv == ["check"]:
        return build(check=True)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
