"""The serial-console widget on the embedded lab (no console: it must say so, never raise), its
vendored xterm.js, and the messages between kernel and browser. The widget on a real guest is
tests/lab/test_reach_real.py; in a real browser, tests/browser/test_console.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import kvmlab
from kvmlab.widgets import SerialConsole
from kvmlab.widgets.console import _assets

STATIC = Path(kvmlab.__file__).parent / "widgets" / "static"


def sent(widget) -> list[dict]:
    """Capture what the widget sends to the browser from now on."""
    box: list[dict] = []
    widget.send = box.append
    return box


def test_the_embedded_lab_says_it_has_no_console(conn, capfd):
    term = SerialConsole(conn, "web01")
    assert (term.connected, term.can_connect) == (False, False)
    assert "embedded lab" in term.status and term.title == "virsh console web01"
    assert "virDomainOpenConsole" in term.transcript and "sudo kvmlab lab up" in term.transcript
    assert isinstance(term.error, kvmlab.Unsupported)
    assert term.type("uname -r\r") is False
    assert term.run("uname -r").startswith("(nothing ran: the embedded lab runs no guest")
    with pytest.raises(kvmlab.InvalidState) as info:
        term.wait_for("kvmlab# ")
    assert "kvmlab lab up" in info.value.hint
    assert capfd.readouterr() == ("", "")  # a widget that printed would break nbval


def test_a_stopped_domain_can_be_connected_later(conn):
    term = SerialConsole(conn, "backup")
    assert (term.connected, term.can_connect) == (False, True)
    assert term.status == "not connected: The domain is not running"
    assert "hint: a console needs a running guest" in term.transcript


def test_connect_false_waits_for_the_button(conn):
    term = SerialConsole(conn, "web01", connect=False)
    assert term.status == "not connected: press Connect" and term.transcript == ""


def test_keys_from_the_browser_without_a_console_are_answered(conn):
    term = SerialConsole(conn, "web01")
    out = sent(term)
    term._handle_custom_msg({"type": "input", "data": "\x1b[24;9R"}, [])  # xterm's answer to ESC[6n: no key
    term._handle_custom_msg({"type": "input", "data": "ls\r"}, [])
    assert out == [{"type": "output", "data": "\r\n[not connected: press Connect]\r\n"}]


def test_a_view_that_renders_late_gets_the_whole_transcript(conn):
    term = SerialConsole(conn, "web01")
    out = sent(term)
    term._handle_custom_msg({"type": "replay"}, [])
    assert out[0] == {"type": "reset"} and out[1]["type"] == "output"
    assert "virDomainOpenConsole" in out[1]["data"] and "\r\n" in out[1]["data"]


def test_the_connect_button_tries_again(conn):
    term = SerialConsole(conn, "backup")
    conn.start("backup")
    out = sent(term)
    term._handle_custom_msg({"type": "connect"}, [])
    assert isinstance(term.error, kvmlab.Unsupported)  # it tried: now the test driver's refusal
    assert "virDomainOpenConsole" in "".join(m.get("data", "") for m in out)


def test_xterm_is_the_npm_package_vendored_as_pinned():
    pins = {}
    for line in (STATIC / "xterm" / "SOURCE").read_text().splitlines():
        words = line.split()
        if words and words[0] == "sha256":
            pins[words[1]] = words[2]
    assert set(pins) == {"xterm.mjs", "xterm.css", "LICENSE"}
    for name, digest in pins.items():
        assert hashlib.sha256((STATIC / "xterm" / name).read_bytes()).hexdigest() == digest, name
    assert "MIT" in (STATIC / "xterm" / "LICENSE").read_text() or "Permission is hereby granted" in (
        STATIC / "xterm" / "LICENSE").read_text()
    assert "version 6.0.0" in (STATIC / "xterm" / "SOURCE").read_text()


def test_the_module_carries_xterm_and_needs_no_network():
    esm, css = _assets()
    xterm = (STATIC / "xterm" / "xterm.mjs").read_text()
    assert esm.startswith("const XTERM_SOURCE = ") and "export default" in esm
    assert '"' + xterm[:40].replace("\n", "\\n") in esm  # the library itself, as a string the module imports
    assert "http" not in (STATIC / "console.js").read_text()  # nothing fetched from elsewhere
    assert ".xterm-viewport" in css and ".kvmlab-console" in css
