"""kvmlab.notebook: what the lessons call to show results, errors, widget text, problems and tables."""

from __future__ import annotations

import os

import pytest

from kvmlab import InvalidInput
from kvmlab.notebook import attempt, scratch, show, show_problems, table, widget_text
from kvmlab.specs import DomainSpec


def test_show_prints_virsh_text_then_the_line_and_the_calls(conn, capsys):
    show(conn.suspend("web01"))
    assert capsys.readouterr().out == (
        "Domain 'web01' suspended\n"
        "   virsh: virsh suspend web01\n"
        "   API:   dom = conn.lookupByName('web01')\n"
        "   API:   dom.suspend()\n"
    )


def test_attempt_prints_virsh_error_lines_and_the_hint(conn, capsys):
    attempt(conn.start, "web01")  # already running
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("error: ")
    assert any(line.startswith("hint:  ") and len(line) > len("hint:  ") for line in out)
    assert conn.dominfo("web01").state == "running"


def test_attempt_shows_an_operation_that_succeeds_after_all(conn, capsys):
    attempt(conn.suspend, "web01")
    assert "   virsh: virsh suspend web01" in capsys.readouterr().out


def test_attempt_lets_other_exceptions_through(conn):
    with pytest.raises(ZeroDivisionError):
        attempt(lambda: 1 / 0)


def test_widget_text_drops_tags_and_keeps_escaped_angle_brackets():
    html = "<div><b>512 KiB</b> = 0.50 MiB .</div><div>write &lt;memory unit='MiB'&gt;</div>"
    assert widget_text(html) == "512 KiB = 0.50 MiB. write <memory unit='MiB'>"


def test_widget_text_lines_keeps_a_pre_block_s_lines():
    html = "<pre>--- before\n+++ after\n-  &lt;vcpu&gt;2\n+  &lt;vcpu&gt;4</pre>"
    assert widget_text(html, lines=True).splitlines() == ["--- before", "+++ after", "-  <vcpu>2", "+  <vcpu>4"]


def test_scratch_works_in_an_empty_directory_and_goes_back():
    here = os.getcwd()
    with scratch() as tmp:
        assert os.getcwd() == os.path.realpath(tmp) and os.listdir(".") == []
        with open("vm1.xml", "w") as f:
            f.write("<domain/>")
    assert os.getcwd() == here
    assert not os.path.exists(tmp)


def test_scratch_goes_back_after_an_error():
    here = os.getcwd()
    with pytest.raises(RuntimeError), scratch():
        raise RuntimeError("boom")
    assert os.getcwd() == here


def test_show_problems_lists_errors_then_says_valid_once_fixed(capsys):
    vm = DomainSpec()
    show_problems(vm)
    first = capsys.readouterr().out
    assert "error (check)" in first and "<name>" in first and "valid" not in first
    vm.name, vm.memory = "ok", "512MiB"
    show_problems(vm)
    assert capsys.readouterr().out.strip().startswith("valid")


def test_table_escapes_and_marks_up_columns():
    pytest.importorskip("IPython")
    html = table(["QEMU flag", "domain XML"], [("-m 1024", "<memory unit='MiB'>1024</memory>"), ("-smp", 2)],
                 formats=("code", "pre")).data  # fmt: skip
    assert html.startswith("<table><tr><th>QEMU flag</th><th>domain XML</th></tr>")
    assert "<td style='text-align:left'><code>-m 1024</code></td>" in html
    assert "<pre style='margin:0'>&lt;memory unit=&#x27;MiB&#x27;&gt;1024&lt;/memory&gt;</pre>" in html
    assert "<td><pre style='margin:0'>2</pre></td>" in html  # numbers are not left-aligned
    assert "<memory" not in html


def test_table_refuses_an_unknown_format_with_a_hint():
    pytest.importorskip("IPython")
    with pytest.raises(InvalidInput) as exc:
        table(["a"], [("x",)], formats=("italic",))
    assert "italic" in str(exc.value) and "code" in exc.value.hint
