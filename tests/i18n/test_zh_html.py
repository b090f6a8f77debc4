"""A result shown in a notebook (its HTML) speaks the same language as its text: virsh's words in
libvirt's Chinese under a Chinese locale, byte-identical English under C."""

from __future__ import annotations

import pytest

import kvmlab


@pytest.fixture
def conn():
    c = kvmlab.connect("test:///default")
    yield c
    c.close()


def test_dominfo_list_and_a_message_in_html_follow_the_locale(conn, monkeypatch):
    english = (conn.dominfo("test")._repr_html_(), conn.list(all=True)._repr_html_(),
               conn.suspend("test")._repr_html_())
    conn.resume("test")
    assert "<th style='text-align:left'>Name</th>" in english[0] and "suspended" in english[2]
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    info, listing, said = (conn.dominfo("test")._repr_html_(), conn.list(all=True)._repr_html_(),
                           conn.suspend("test")._repr_html_())
    conn.resume("test")
    assert "<th style='text-align:left'>名称</th>" in info  # dominfo's "名称：", the colon dropped
    assert "名称" in listing and "状态" in listing
    from html import escape

    assert escape(str(conn.suspend("test")).strip()) in said  # the same line virsh prints
    conn.resume("test")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert conn.list(all=True)._repr_html_() == english[1]  # (dominfo's CPU time moves: the test driver's clock)
    assert "<th style='text-align:left'>Name</th>" in conn.dominfo("test")._repr_html_()
