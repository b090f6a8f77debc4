"""Lesson 11's toolkit on the real lab: what the test driver cannot do (leases, a console, a guest's
own shell). One tiny guest of this module's own (kvmlab-reach-t, tagged, on kvmlab-nat, with a disk)
boots once; `kvmlab virsh` is compared byte for byte with real virsh on it, the console is driven
through libvirt's stream API (Python, the widget, and `virsh console` in a pseudo-terminal), and the
lesson's checks are graded against its real DHCP lease.

A lab that runs already is used as it is (lab.up() is never called on a shared lab); when none runs
(CI) the session's real_lab fixture brings it up.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson11 as l11

from tests.conftest import KVMLAB, VIRSH, run_cmd

pytestmark = pytest.mark.reallab

NAME = "kvmlab-reach-t"
HINT = re.compile(r"^kvmlab hint: .*\n", re.M)
POLKIT = b"Authorization not available. Check if polkit service is running or see debug message for more information.\r\n"


@pytest.fixture(scope="module")
def uri(request):
    if os.geteuid() != 0:
        pytest.fail("the real-lab tests need root: run them as root (CI does)", pytrace=False)
    if lab.mode()[0] == "down":
        return request.getfixturevalue("real_lab")  # CI: up for the session
    return lab.lab_uri()  # a lab that runs (maybe shared): used as it is


@pytest.fixture(scope="module")
def guest(uri):
    conn = kvmlab.connect(uri)
    if NAME in conn.list(all=True):  # left by an interrupted run: start from nothing
        conn.virsh(f"destroy {NAME}; undefine {NAME}")
    lines: list[str] = []
    t0 = time.monotonic()
    g = lab.lesson_guest(conn, NAME, progress=lines.append, timeout=120)
    print(f"{NAME} booted and leased in {time.monotonic() - t0:.1f}s")
    yield conn, g, lines
    g.remove(conn)
    conn.close()


def same(uri: str, batch: str) -> tuple[str, str, int]:
    real = run_cmd([VIRSH, "-c", uri, batch])
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", uri, batch])
    assert (out, HINT.sub("", err), rc) == real, f"differs for {batch!r}"
    return out, err, rc


def test_the_guest_booted_got_a_lease_and_a_disk(guest):
    conn, g, lines = guest
    assert (g.real, g.network, g.backend) == (True, "kvmlab-nat", "qemu")
    assert lines[0] == f"booting {NAME} (the lab's tiny guest) ..." and "leased it 192.168.250." in lines[2]
    assert Path(g.disk).is_file() and g.disk == f"/var/lib/kvmlab/disks/{NAME}.qcow2"
    assert lab.is_owned(conn.virconn.lookupByName(NAME))
    again = lab.lesson_guest(conn, NAME, progress=lines.append)
    assert again.made == () and len(lines) == 4  # found running: no boot, no wait worth telling


def test_conformance_with_virsh_on_a_real_guest(guest, uri):
    conn, g, _ = guest
    mac = conn.domiflist(NAME).macs[0]
    gid = conn.domid(NAME).value
    for batch in [f"domiflist {NAME}; domiflist {NAME} --inactive; domblklist {NAME}; domblklist {NAME} --details",
                  f"domifaddr {NAME}; domifaddr {NAME} --full --source lease; domifaddr {NAME} --source agent",
                  f"domifaddr {NAME} --source arp", f"domstate {NAME} --reason; domid {NAME}; domname {gid}",
                  f"domuuid {gid}; domifaddr {NAME} vnet999",
                  f"net-dhcp-leases {g.network} --mac {mac}", f"net-dhcp-leases {g.network} --mac {mac.upper()}",
                  f"net-dhcp-leases {g.network} --mac 52:54:00:00:00:99", f"net-dhcp-leases {g.network} --mac zz",
                  f"net-dhcp-leases {g.network} --mac ''", "net-dhcp-leases default",
                  f"suspend {NAME}; domstate {NAME} --reason; domifaddr {NAME}; resume {NAME}; domstate {NAME} --reason",
                  f"console {NAME}", f"console {NAME} --devname serial0 --force"]:
        same(uri, batch)
    out, _, _ = same(uri, f"domifaddr {NAME}")
    lease = conn.net_dhcp_leases(g.network, mac=mac).leases[0]
    assert f" {lease.cidr}\n" in out and lease.hostname == NAME  # the guest told dnsmasq its name


def test_the_whole_lease_table_as_virsh(guest, uri):
    """Other guests of the lab may come and go between the two runs: a differing table is asked again."""
    for _ in range(3):
        real = run_cmd([VIRSH, "-c", uri, f"net-dhcp-leases {guest[1].network}"])
        ours = run_cmd([KVMLAB, "virsh", "-c", uri, f"net-dhcp-leases {guest[1].network}"])
        if real == ours:
            break
    assert ours == real and NAME in ours[0]


def test_undecodable_mac_bytes_as_virsh(guest, uri):
    arg = b"\xff\x01".decode("utf-8", "surrogateescape")
    real = subprocess.run([VIRSH, "-c", uri, "net-dhcp-leases", guest[1].network, "--mac", arg], capture_output=True)
    ours = subprocess.run([KVMLAB, "virsh", "-c", uri, "net-dhcp-leases", guest[1].network, "--mac", arg],
                          capture_output=True)
    assert real.stderr.startswith(b"error: Failed to get leases info") and b"invalid MAC address: \xff\x01" in real.stderr
    assert (ours.stdout, HINT.sub("", ours.stderr.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"),
            ours.returncode) == (real.stdout, real.stderr, real.returncode)


def test_a_console_session_runs_commands_and_is_exclusive(guest):
    conn, _, _ = guest
    second = None
    try:
        with conn.console(NAME) as first:
            assert str(first) == f"Connected to domain '{NAME}'\nEscape character is ^] (Ctrl + ])\n"
            assert first.virsh == f"virsh console {NAME}" and "dom.openConsole(None, stream, 0)" in first.api
            assert first.run("echo $((6*7))") == "42"
            assert first.run("uname -n") == NAME
            assert "console=ttyS0" in first.run("cat /proc/cmdline")
            with pytest.raises(kvmlab.OperationFailed) as info:
                conn.console(NAME)
            assert "Active console session exists" in info.value.message and "force=True" in info.value.hint
            second = conn.console(NAME, force=True)  # virsh console --force: the first one is pushed off
            with pytest.raises(kvmlab.errors.ConsoleTimeout) as pushed:  # ends when the stream fails
                first.wait_for("never printed", timeout=5)
        assert "closed first" in pushed.value.message
        assert first.closed and "another client took the console over" in first.reason
        assert second.run("true") == ""
        assert second.feed("x\x1d") is True  # Ctrl-] counts only as the first key of a read, as in virsh
        second.send("\x15")  # Ctrl-U: the shell forgets the line typed so far
        assert second.feed(b"\x1dq") is False and second.closed and "Ctrl-]" in second.reason
        with pytest.raises(kvmlab.InvalidState, match="is closed"):
            second.send("ls\r")
    finally:  # a failure above must not leave the console taken for the tests after this one
        if second is not None and not second.closed:
            second.close()
    with conn.console(NAME) as third:  # free again
        t0 = time.monotonic()
        with pytest.raises(kvmlab.errors.ConsoleTimeout) as info:
            third.wait_for("no such text", timeout=1.0)
    assert time.monotonic() - t0 < 3 and "not within 1 s" in info.value.message


def _pty_session(argv: list[str], keys: list[bytes]) -> tuple[bytes, int]:
    """Run ``argv`` on a pseudo-terminal, typing ``keys`` one second apart; (everything shown, exit status)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once
        os.execvp(argv[0], argv)
    shown = b""

    def read(seconds: float) -> None:
        nonlocal shown
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    shown += os.read(fd, 4096)
                except OSError:
                    return

    read(3.0)
    for key in keys:
        os.write(fd, key)
        read(1.5)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return shown, os.waitstatus_to_exitcode(status)


def test_virsh_console_on_a_terminal_as_virsh(guest, uri):
    with guest[0].console(NAME) as settle:  # a freshly booted guest may still print its last boot line
        settle.run("true")
    keys = [b"\r", b"echo $((6*7))\r", b"\x1d"]
    real = _pty_session([VIRSH, "-c", uri, "console", NAME], keys)
    ours = _pty_session([KVMLAB, "virsh", "-c", uri, "console", NAME], keys)
    assert real[1] == ours[1] == 0
    assert ours[0] == real[0].replace(POLKIT, b"")  # polkit's note is libvirt's client library, not virsh
    assert ours[0].startswith(f"Connected to domain '{NAME}'\r\nEscape character is ^] (Ctrl + ])\r\n".encode())
    assert b"\r\n42\r\n" in ours[0]


def test_the_widget_types_into_the_guest(guest):
    from kvmlab.widgets import SerialConsole

    conn, _, _ = guest
    term = SerialConsole(conn, NAME)
    sent: list[dict] = []
    term.send = sent.append
    try:
        assert term.connected and term.status.startswith(f"connected: keys go to {NAME}")
        term._handle_custom_msg({"type": "input", "data": "echo widget-$((6*7))\r"}, [])  # keys from xterm.js
        assert "widget-42" in term.wait_for("widget-42\n")  # what the guest printed, without \r and escapes
        assert "widget-42" in "".join(m.get("data", "") for m in sent)  # the guest's bytes went to the browser
        assert term.run("uname -n") == NAME
        term._handle_custom_msg({"type": "input", "data": "\x1d"}, [])  # Ctrl-] in the terminal
        assert not term.connected and "Ctrl-]" in term.status and "[disconnected:" in term.transcript
        term._handle_custom_msg({"type": "connect"}, [])  # the Connect button
        assert term.connected and term.run("echo back") == "back"
    finally:
        term.close()
    assert term.session.closed


def test_the_checks_against_the_real_lease(guest):
    conn, g, _ = guest
    mac = conn.domiflist(NAME).macs[0]
    lease = conn.net_dhcp_leases(g.network, mac=mac).leases[0]
    done = l11.check_address(conn, f"net-dhcp-leases {g.network}", lease.address, mac, name=NAME)
    assert "net-dhcp-leases" in done.details[0]
    assert l11.check_address(conn, f"domifaddr {NAME}", lease.address, mac, name=NAME)
    bridge_mac = conn.net_dumpxml(g.network, xpath="/network/mac/@address").xml.split('"')[1]
    with pytest.raises(ExerciseFailed, match="the network's bridge, not the guest's card"):
        l11.check_address(conn, f"domifaddr {NAME}", lease.address, bridge_mac, name=NAME)
    with pytest.raises(ExerciseFailed, match="the network's own address"):
        l11.check_address(conn, f"domifaddr {NAME}", "192.168.250.1", mac, name=NAME)
    assert l11.check_disk(conn, f"domblklist {NAME}", "vda", g.disk, name=NAME)
    assert l11.check_console(conn, "ttyS0", "Ctrl-]", name=NAME)


def test_a_console_of_a_stopped_guest_says_so_and_the_session_learns_the_guest_stopped(guest):
    conn, _, _ = guest
    session = conn.console(NAME)
    conn.destroy(NAME)
    try:
        deadline = time.monotonic() + 10
        while not session.closed and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session.closed and "the guest stopped" in session.reason
        with pytest.raises(kvmlab.OperationFailed, match="The domain is not running"):
            conn.console(NAME)
    finally:
        lab.lesson_guest(conn, NAME, progress=None)  # boot it again for the tests after this one


def test_remove_deletes_the_guest_and_its_disk(uri):
    conn = kvmlab.connect(uri)
    try:
        g = lab.lesson_guest(conn, f"{NAME}2", progress=None)
        assert Path(g.disk).is_file()
        assert g.remove(conn) == [f"Domain '{NAME}2' destroyed", f"Domain '{NAME}2' has been undefined",
                                  f"Removed {g.disk}"]
        assert not Path(g.disk).exists() and f"{NAME}2" not in conn.list(all=True)
    finally:
        conn.close()
