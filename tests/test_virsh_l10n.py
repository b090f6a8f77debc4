"""virsh's words from libvirt's own catalog (kvmlab/render/l10n.py), in-process.

tests/cli/test_conformance_zh.py compares whole batches with real virsh under zh_CN.UTF-8; these
pin the pieces: the language rules, the line matcher, byte padding, and English staying free.
Each test that switches to Chinese puts the process back (the C library's LC_MESSAGES included,
or libvirt's messages in later tests would stay Chinese).
"""

from __future__ import annotations

import locale
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kvmlab
from kvmlab.render import l10n
from kvmlab.render.table import virsh_fields, virsh_table

CATALOG = Path(l10n.LOCALEDIR) / "zh_CN" / "LC_MESSAGES" / "libvirt.mo"
_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(Path(kvmlab.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}


def _language(monkeypatch, **env: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def zh(monkeypatch):
    if not CATALOG.exists():
        pytest.fail(f"{CATALOG} is missing: install libvirt-l10n (./kvmlab.sh setup does)", pytrace=False)
    _language(monkeypatch, LANG="zh_CN.UTF-8")
    if l10n.catalog() is None:
        pytest.fail("the zh_CN.UTF-8 locale is not generated (./kvmlab.sh setup runs locale-gen)", pytrace=False)
    yield
    locale.setlocale(locale.LC_MESSAGES, "C")
    l10n._key = None


def test_english_is_the_default(monkeypatch):
    _language(monkeypatch, LANG="C.UTF-8")
    assert l10n.catalog() is None
    assert l10n.tr("Name") == "Name"
    assert l10n.tr_line("Domain 'web01' started") == "Domain 'web01' started"
    l10n._key = None


@pytest.mark.parametrize("env", [{}, {"LANG": "C"}, {"LANG": "C", "LANGUAGE": "zh_CN"}, {"LANG": "POSIX"},
                                 {"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, {"LANG": "zh_CN.UTF-8", "LANGUAGE": "en"}])
def test_english_wherever_glibc_keeps_it(monkeypatch, env):
    _language(monkeypatch, **env)
    try:
        assert l10n.catalog() is None
    finally:
        locale.setlocale(locale.LC_MESSAGES, "C")
        l10n._key = None


def test_words_and_labels(zh):
    assert l10n.tr("Name") == "名称"
    assert l10n.tr("Name:") == "名称："
    assert l10n.tr("running") == "运行"
    assert l10n.tr("no such msgid, surely") == "no such msgid, surely"


@pytest.mark.parametrize("english,chinese", [
    ("Domain 'web01' started", "域 'web01' 已启动"),
    ("Domain 'web01' started\n", "域 'web01' 已启动\n"),
    ("unknown command: 'destory'", "未知的命令：'destory'"),
    ("failed to get domain 'yes'", "无法获得域 'yes'"),  # a quoted name is data, never a word
    # an argument that is itself a message is translated too
    ("Failed to get option 'domain': Option argument is empty", "解析选项 'domain' 失败：选项参数为空"),
    ("expected syntax: --xpath <string>", "期望的使用方法：--xpath <字符串>"),
    ("command 'define' requires <file> option", "命令 'define' 需要 <file> 选项"),  # an option's name stays
    ("--snapshotname and --current are mutually exclusive", "--snapshotname 和 --current 互斥"),
    ("Failed to open file '/x.xml': 没有那个文件或目录", "打开文件 '/x.xml' 失败: 没有那个文件或目录"),
    ("nothing libvirt ever printed", "nothing libvirt ever printed"),
])
def test_printed_lines_take_the_catalogs_template(zh, english, chinese):
    assert l10n.tr_line(english) == chinese


def test_c_pads_labels_by_bytes_and_tables_by_columns():
    # virsh's %-15s counts bytes: 名称： is 9 of them, so 6 spaces and the separator
    assert virsh_fields([("名称：", "test"), ("UUID:", "x")]) == "名称：       test\nUUID:           x\n"
    assert l10n.ljust_bytes("名称：", 4) == "名称："
    # vsh-table counts columns on screen: 名称 is 4 wide
    assert virsh_table(["Id", "名称"], [["1", "test"]]) == " Id   名称\n------------\n 1    test\n"


def test_results_print_virshs_chinese(zh):
    conn = kvmlab.connect("test:///default")
    try:
        listing = conn.list(all=True)
        assert str(listing) == " Id   名称   状态\n-------------------\n 1    test   运行\n"
        assert listing.header == ("Id", "Name", "State") and listing.rows[0][2] == "running"  # the data stays
        assert "\n持久：       是\n" in str(conn.dominfo("test"))
        assert str(conn.suspend("test")) == "域 'test' 已挂起\n"
    finally:
        conn.close()


def test_a_missing_locale_is_english_with_virshs_complaint():
    code = ("import io; from kvmlab.render import l10n; e = io.StringIO(); l10n.virsh_setlocale(e); "
            "print(repr(e.getvalue()), l10n.catalog())")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**_ENV, "LANG": "xx_YY.UTF-8", "LC_ALL": "", "LANGUAGE": ""})
    assert p.stdout == "'setlocale: No such file or directory\\n' None\n"


def test_libvirts_own_messages_follow_and_come_back_to_english(monkeypatch):
    import libvirt

    conn = kvmlab.connect("test:///default")

    def libvirt_says() -> str:
        try:
            conn.virconn.networkLookupByName("nosuch")
        except libvirt.libvirtError as exc:
            return exc.get_error_message()
        raise AssertionError("the lookup should fail")

    try:
        _language(monkeypatch, LANG="zh_CN.UTF-8")
        assert l10n.catalog() is not None
        chinese = libvirt_says()
        _language(monkeypatch, LANG="C.UTF-8")
        assert l10n.catalog() is None
        english = libvirt_says()
    finally:
        conn.close()
        locale.setlocale(locale.LC_MESSAGES, "C")
        l10n._key = None
    assert english == "Network not found: no network with matching name 'nosuch'"
    assert chinese != english and "nosuch" in chinese
