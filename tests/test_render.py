"""virsh's table layout (vsh-table.c) and field lists."""

import pytest

from kvmlab.render import escape, virsh_fields, virsh_table
from kvmlab.render.table import display_width


def test_table_layout_matches_vsh_table():
    text = virsh_table(("Id", "Name", "State"), [("1", "test", "running")])
    assert text == " Id   Name   State\n----------------------\n 1    test   running\n"


def test_empty_table_has_header_and_dashes_only():
    assert virsh_table(("Name", "Path"), []) == " Name   Path\n--------------\n"


def test_wide_characters_take_two_columns():
    assert display_width("虚拟机") == 6
    text = virsh_table(("Name", "State"), [("虚拟机", "running"), ("vm", "paused")])
    assert text.splitlines()[2] == " 虚拟机   running"
    assert text.splitlines()[3] == " vm       paused"


def test_fields_are_virsh_percent_minus_15s():
    assert virsh_fields([("Name:", "default"), ("UUID:", "x")]) == "Name:           default\nUUID:           x\n"


@pytest.mark.parametrize("text", ["", "plain", "<a href='x'>&amp; \"q\"</a>", "ünïcode & 'quotes'", "a>b<c"])
def test_escape_is_html_escape(text):
    import html

    # render.escape stands in for html.escape so that start-up never imports html's entity table
    assert escape(text) == html.escape(text) and escape(text, quote=False) == html.escape(text, quote=False)
