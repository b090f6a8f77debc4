"""XmlEditor: dumpxml --inactive in, validate, diff against libvirt's copy, apply with edit."""

from __future__ import annotations

import pytest

from kvmlab import KvmlabError
from kvmlab.widgets import XmlEditor

from ..conftest import inventory
from .helpers import shows, twin


@pytest.fixture
def editor(conn):
    e = XmlEditor(conn, "web01")
    yield e
    e.close()


def test_loads_the_inactive_definition(conn, editor):
    assert editor.domain.options == tuple(conn.list(all=True).names)
    assert editor.text.value == conn.dumpxml("web01", inactive=True).xml
    assert shows(editor.status.value, conn.dumpxml("web01", inactive=True).virsh)
    editor.domain.value = "db01"
    assert editor.text.value == conn.dumpxml("db01", inactive=True).xml


def test_edit_diff_apply_changes_libvirt(conn, editor):
    old = editor.text.value
    assert "<vcpu placement='static'>2</vcpu>" in old
    editor.text.value = old.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>4</vcpu>")
    editor.diff_button.click()
    assert shows(editor.diff.value, "-  <vcpu placement='static'>2</vcpu>")
    assert shows(editor.diff.value, "+  <vcpu placement='static'>4</vcpu>")
    with twin() as other:
        expected = other.edit("web01", xml=editor.text.value)
    editor.apply_button.click()
    assert conn.dumpxml("web01", inactive=True).xml.count("<vcpu placement='static'>4</vcpu>") == 1
    assert shows(editor.status.value, str(expected).strip())
    assert shows(editor.status.value, expected.virsh)
    assert editor.text.value == conn.dumpxml("web01", inactive=True).xml  # read back
    editor.diff_button.click()
    assert "no changes" in editor.diff.value


def test_unchanged_text_says_so(conn, editor):
    before = inventory(conn)
    editor.apply_button.click()
    assert inventory(conn) == before
    assert "not changed" in editor.status.value


@pytest.mark.parametrize("old, new, shown", [
    ("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>-1</vcpu>", "would crash libvirt"),
    ("</domain>", "", "not well-formed"),
    ("<memory unit='KiB'>1048576</memory>", "<memory unit='KiB'>0</memory>", "&lt;memory&gt; is 0"),
])  # fmt: skip
def test_invalid_xml_is_not_applied(conn, editor, old, new, shown):
    assert old in editor.text.value
    editor.text.value = editor.text.value.replace(old, new)
    before = inventory(conn)
    editor.apply_button.click()
    assert inventory(conn) == before
    assert shown in editor.messages.value
    assert "nothing was changed" in editor.status.value
    assert new in editor.text.value or new == ""  # the learner's text is kept to fix


def test_libvirt_refusal_keeps_the_text(conn, editor):
    edited = editor.text.value.replace("<name>web01</name>", "<name>db01</name>")  # db01's name, web01's UUID
    with twin() as other, pytest.raises(KvmlabError) as info:
        other.edit("web01", xml=edited)
    editor.text.value = edited
    before = inventory(conn)
    editor.apply_button.click()
    assert inventory(conn) == before
    assert "kvmlab-error" in editor.status.value and shows(editor.status.value, "virsh edit web01")
    for line in info.value.virsh_error:
        assert shows(editor.status.value, f"error: {line}")
    assert shows(editor.status.value, info.value.hint)
    assert editor.text.value == edited
