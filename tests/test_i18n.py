"""kvmlab's own texts in Chinese: every message marked ``_("…")`` has a translation, the language
follows set_language(), then KVMLAB_LANG, then the environment (as virsh's), and English is the default."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kvmlab
from kvmlab import i18n
from kvmlab.errors import ExerciseFailed

PKG = Path(kvmlab.__file__).resolve().parent


def _marked() -> dict[str, str]:
    """Every ``_("…")`` msgid in the package -> where it is; a ``_()`` of anything but one literal fails."""
    found, bad = {}, []
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("_", "N_", "L_")):
                continue
            where = f"{path.relative_to(PKG)}:{n.lineno}"
            if len(n.args) != 1 and n.func.id != "L_" or not n.args or isinstance(n.args[0], ast.JoinedStr):
                bad.append(where)
            elif n.func.id == "N_":  # every literal in a marked table, a dict's keys aside
                keys = _key_nodes(n.args[0])
                for c in ast.walk(n.args[0]):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and id(c) not in keys:
                        found.setdefault(c.value, where)
            elif isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str):
                found.setdefault(n.args[0].value, where)
    # _(TABLE[key]) translates a text marked with N_() elsewhere; an f-string can never be looked up
    assert bad == [], "_() takes one string (a literal, or a table's text marked with N_()), not: " + ", ".join(bad)
    return found


def _key_nodes(tree: ast.AST) -> set[int]:
    """Every node inside a dict key (a tuple key's strings too): names, not texts."""
    return {id(x) for d in ast.walk(tree) if isinstance(d, ast.Dict) for k in d.keys if k for x in ast.walk(k)}


@pytest.fixture(autouse=True)
def _english_after(monkeypatch):
    for name in ("KVMLAB_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    kvmlab.set_language(None)


def test_every_marked_message_has_a_chinese_translation():
    marked = _marked()
    assert len(marked) > 10  # the extraction sees the ladder's framing at least
    zh = i18n.read_po(i18n.catalog_path("zh"))
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in marked.items() if not zh.get(msgid, "").strip())
    assert missing == [], "no Chinese translation in kvmlab/locale/zh_CN/LC_MESSAGES/kvmlab.po for:\n" + "\n".join(missing)


def test_translations_keep_every_placeholder():
    import string

    def fields(text):
        return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)

    zh = i18n.read_po(i18n.catalog_path("zh"))
    # a translation may drop a field (English's plural "s"), never add one: .format() would fail
    wrong = [msgid for msgid, msgstr in zh.items() if not set(fields(msgstr)) <= set(fields(msgid))]
    assert wrong == []


def test_set_language_switches_both_ways():
    from kvmlab.language import set_language

    assert kvmlab.set_language is set_language
    assert i18n._("not yet") == "not yet" and i18n.language() == "en"
    kvmlab.set_language("zh")
    assert i18n._("not yet") == "还没对" and i18n.language() == "zh"
    assert i18n._("a text nobody translated") == "a text nobody translated"
    kvmlab.set_language("en")
    assert i18n._("not yet") == "not yet"
    kvmlab.set_language("zh_CN.UTF-8")
    assert i18n._("not yet") == "还没对"
    kvmlab.set_language(None)
    assert i18n._("not yet") == "not yet"


def test_an_unknown_language_is_a_teaching_error():
    with pytest.raises(kvmlab.InvalidInput) as exc:
        kvmlab.set_language("klingon")
    assert '"zh"' in exc.value.hint
    assert i18n.language() == "en"  # nothing changed


def test_the_environment_chooses_as_for_virsh(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n._("not yet") == "还没对"
    monkeypatch.setenv("LC_ALL", "C")  # LC_ALL wins over LANG, and C means English
    assert i18n._("not yet") == "not yet"
    monkeypatch.setenv("LANGUAGE", "zh_CN")  # ignored under the C locale, as glibc does
    assert i18n._("not yet") == "not yet"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # a real locale: LANGUAGE picks the catalog
    assert i18n._("not yet") == "还没对"
    monkeypatch.setenv("KVMLAB_LANG", "en")  # the explicit switch beats the environment
    assert i18n._("not yet") == "not yet"
    kvmlab.set_language("zh")  # and set_language() beats both
    assert i18n._("not yet") == "还没对"


def test_kvmlab_lang_switches_on_its_own(monkeypatch):
    monkeypatch.setenv("KVMLAB_LANG", "zh")
    assert i18n._("hint") == "提示"


def test_the_ladder_framing_is_chinese_and_english_is_unchanged():
    err = ExerciseFailed("diagnosis", hint="the concept", pointer="the command")
    err.exercise, err.rung = "8.2", 2
    english = str(err)
    assert english == ("diagnosis\nhint: the concept\nlook at: the command\n"
                       'hint 2/2. Still stuck? show_answer("8.2") shows the code.')
    kvmlab.set_language("zh")
    assert str(err) == ("diagnosis\n提示: the concept\n去看: the command\n"
                        '提示 2/2。还是卡住了？show_answer("8.2") 可以看答案代码。')
    assert "还没对" in err._repr_html_()
    kvmlab.set_language(None)
    assert str(err) == english


def test_english_reads_no_catalog_and_imports_no_gettext():
    probe = ("import sys, json, kvmlab; from kvmlab import i18n; i18n._('hint');"
             "print(json.dumps(['gettext' in sys.modules, bool(i18n._loaded)]))")
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "KVMLAB_LANG")}
    env.update(LANG="C.UTF-8", PYTHONPATH=str(PKG.parent))
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, False]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_wrong_lesson_1_answer_fails_in_chinese_and_the_same_in_english():
    from kvmlab.exercises.ladder import PROGRESS
    from kvmlab.exercises.lesson01 import check_layers

    wrong = {"A": "libvirt", "B": "libvirt", "C": "libvirtd", "D": "QEMU", "E": "KVM"}
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as english:
        check_layers(wrong)
    assert english.value.message.startswith("1 of 5 not right: message A was not printed by libvirt: nothing reached")
    assert not _has_chinese(str(english.value))
    kvmlab.set_language("zh")
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as zh:
        check_layers(wrong)
    err = zh.value
    assert err.message.startswith("5 条里有 1 条不对：消息 A 不是 libvirt 打印的：消息根本没到达 libvirt")
    assert err.hint.startswith("命令行程序在做任何事之前") and _has_chinese(err.pointer)
    assert err.ladder().startswith("提示 1/2。") and 'show_answer("1.1")' in err.ladder()
    assert str(kvmlab.exercises.show_answer("1.1")).startswith("练习 1.1 的答案（此前检查失败 1 次）：\nlayers = {")
    PROGRESS.reset()


def test_a_placeholder_and_a_virsh_typo_fail_in_chinese():
    from kvmlab.exercises.checks import choose, virsh_line

    kvmlab.set_language("zh")
    with pytest.raises(ExerciseFailed) as untried:
        choose("TODO", ["virsh", "libvirt"], what="message A")
    assert untried.value.message == "message A：还没有作答" and untried.value.hint == "请从下面选一个：virsh, libvirt"
    with pytest.raises(ExerciseFailed) as typo:
        virsh_line("virsh net-stop default", "virsh net-destroy NAME")
    assert typo.value.message.startswith("virsh 报错：error: unknown command")  # virsh's own words stay
    assert typo.value.concept.startswith("virsh 没有 net-stop")


def test_each_message_is_translated_once():
    """One msgid, one entry: two would let the later silently win (msgfmt refuses such a catalog)."""
    import collections
    import re

    text = Path(i18n.catalog_path("zh")).read_text(encoding="utf-8")
    ids = re.findall(r'^msgid (".*")$', text, re.M)
    twice = [m for m, n in collections.Counter(ids).items() if n > 1 and m != '""']
    assert twice == []
