"""The Chinese editions (notebooks/zh/, exercises/zh/): built from the English notebooks and i18n/zh/,
so they cannot drift. Same code cells, every markdown cell in Chinese, nothing stale."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("zh_editions", ROOT / "scripts" / "zh_editions.py")
zh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(zh)

BUILT = zh.translated()
_CODE = re.compile(r"```.*?```|`[^`\n]*`|<[^>]+>|\]\([^)]*\)|https?://\S+", re.S)
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def chinese_share(markdown: str) -> tuple[int, int]:
    """(CJK characters, Latin letters) of the prose: code, tags and link targets left out."""
    prose = _CODE.sub(" ", markdown)
    return len(_CJK.findall(prose)), len(re.findall(r"[A-Za-z]", prose))


def test_the_editions_are_built_and_nothing_is_stale():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "zh_editions.py"), "check"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "notebooks/00-glossary.ipynb" in BUILT


@pytest.mark.parametrize("rel", BUILT)
def test_code_cells_are_the_english_ones_and_the_prose_is_chinese(rel):
    en = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    cn = json.loads((ROOT / zh.zh_path(rel)).read_text(encoding="utf-8"))
    assert [c["cell_type"] for c in cn["cells"]] == [c["cell_type"] for c in en["cells"]]
    assert [c for c in cn["cells"] if c["cell_type"] != "markdown"] == \
        [c for c in en["cells"] if c["cell_type"] != "markdown"]
    total_cjk = total_latin = 0
    for i, cell in enumerate(cn["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        cjk, latin = chinese_share(zh.source_text(cell))
        total_cjk, total_latin = total_cjk + cjk, total_latin + latin
        assert cjk > 0, f"{zh.zh_path(rel)} cell {i} has no Chinese"
    assert total_cjk >= total_latin, f"{zh.zh_path(rel)}: {total_cjk} CJK against {total_latin} Latin letters"


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path, monkeypatch):
    """The drift this design prevents: edit the English, and check names the cell until it is translated."""
    (tmp_path / "notebooks").mkdir()
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["Hello"]},
                    {"cell_type": "code", "id": "b", "metadata": {}, "source": ["1+1"], "outputs": [],
                     "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "01-x.ipynb").write_text(json.dumps(nb))
    monkeypatch.setattr(zh, "ROOT", tmp_path)
    monkeypatch.setattr(zh, "I18N", tmp_path / "i18n" / "zh")
    zh.skeleton("notebooks/01-x.ipynb")
    md = tmp_path / "i18n/zh/notebooks/01-x.md"
    assert md.read_text().count("TODO") == 1 and zh.build(check=True) == 1  # untranslated
    md.write_text(md.read_text().replace("TODO", "你好"))
    assert zh.build() == 0 and zh.build(check=True) == 0
    built = json.loads((tmp_path / "notebooks/zh/01-x.ipynb").read_text())
    assert built["cells"][0]["source"] == ["你好"] and built["cells"][1]["source"] == ["1+1"]
    nb["cells"][0]["source"] = ["Hello, world"]
    (tmp_path / "notebooks" / "01-x.ipynb").write_text(json.dumps(nb))
    assert zh.build(check=True) == 1  # the old block is stale, the new text untranslated
    assert zh.unused_blocks() and "no longer exist" in zh.unused_blocks()[0]


def test_the_chinese_readme_maps_every_lesson_to_its_best_edition():
    """README.zh.md's lesson map: every lesson once, the zh edition where it is built, else the English."""
    readme = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    linked = re.findall(r"^\| [0-9]+b? \| \[[^]]+\]\((notebooks/[^)]+\.ipynb)\)", readme, flags=re.MULTILINE)
    lessons = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    want = [zh.zh_path(f"notebooks/{n}") if f"notebooks/{n}" in BUILT else f"notebooks/{n}" for n in lessons]
    assert sorted(linked) == sorted(want)
    assert "README.zh.md" in (ROOT / "README.md").read_text(encoding="utf-8").split("\n", 3)[2]
