"""The serial-console reader on a pty pair: no guest needed, the "guest" is a thread.

The test driver keeps a domain's <log file> but not its pty path, so the test points the
console at its own pty and plays the guest's shell: it reads what was typed and writes the
answers to the log file the way virtlogd does, sometimes in pieces.
"""

from __future__ import annotations

import os
import re
import threading
import time

import pytest

import kvmlab
from kvmlab.lab.console import Console


@pytest.fixture
def console(tmp_path):
    conn = kvmlab.connect()
    log = tmp_path / "c1.serial.log"
    log.write_bytes(b"")
    dom = conn.virconn.createXML(
        f"<domain type='test'><name>c1</name><memory>8192</memory><os><type>hvm</type></os><devices>"
        f"<serial type='pty'><log file='{log}'/><target port='0'/></serial></devices></domain>", 0)
    master, slave = os.openpty()
    con = Console(dom)
    con.pty = os.ttyname(slave)
    yield con, master, log
    con.close()
    os.close(master)
    os.close(slave)
    conn.close()


def play_shell(master: int, log, pieces) -> threading.Thread:
    """Answer one typed command: write pieces(n) to the log, pausing between them."""
    def run():
        typed = b""
        while b"\n" not in typed:
            typed += os.read(master, 4096)
        n = re.search(rb"KVMLAB-BEGIN-(\d+)", typed).group(1).decode()
        with open(log, "ab", buffering=0) as f:
            f.write(typed.replace(b"\n", b"\r\n"))  # the shell echoes the line, $? and all
            for piece in pieces(n):
                f.write(piece.encode())
                time.sleep(0.3)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_run_returns_status_and_output(console):
    con, master, log = console
    t = play_shell(master, log, lambda n: [f"KVMLAB-BEGIN-{n}-1\r\nhello\r\nKVMLAB-DONE-{n}-3\r\nkvmlab# "])
    assert con.run("echo hello; false", timeout=10) == (3, ["hello"])
    t.join(5)


def test_run_accepts_an_answer_whose_newline_comes_later(console):
    # virtlogd may flush "KVMLAB-DONE-n-0" before its newline: the answer is complete all the same
    con, master, log = console
    t = play_shell(master, log, lambda n: [f"KVMLAB-BEGIN-{n}-1\r\nguest-alive 4.2\r\nKVMLAB-DONE-{n}-0", "\r\nkvmlab# "])
    assert con.run("echo guest-alive", timeout=10) == (0, ["guest-alive 4.2"])
    t.join(5)


def test_a_wait_that_fails_says_what_it_waited_for_and_where_to_look(console):
    con, _master, log = console
    log.write_bytes(b"booting ...\n")
    with pytest.raises(kvmlab.errors.ConsoleTimeout) as exc:
        con.wait_for("KVMLAB-GUEST-READY", 0.5, seen=True)
    err = exc.value
    assert "'KVMLAB-GUEST-READY'" in err.message and "within 0.5 s" in err.message
    assert str(log) in err.message and err.log == str(log) and str(log) in err.hint
    assert err.tail == ["booting ..."]


def test_a_kernel_panic_ends_the_wait_at_once(console):
    con, _master, log = console
    log.write_bytes(b"[    1.9] Kernel panic - not syncing: VFS: Unable to mount root fs\n")
    t0 = time.monotonic()
    with pytest.raises(kvmlab.errors.ConsoleTimeout) as exc:
        con.wait_for("KVMLAB-GUEST-READY", 30)
    assert time.monotonic() - t0 < 5
    assert "before the guest kernel panicked" in exc.value.message and str(log) in exc.value.message
