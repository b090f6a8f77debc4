"""Faults the real lab must survive: its daemon killed mid-lesson, a guest that never gets ready, a full pool.

Each fault is made for real (SIGKILL to the lab's libvirtd, a kernel that cannot find its init, a
tmpfs of 2 MiB mounted inside the daemon's own mount namespace) and undone before the test ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.errors import ConnectionFailed, ConsoleTimeout, KvmlabError, OperationFailed, suppressed
from kvmlab.lab import daemon, guest
from kvmlab.lab.console import READY_MARKER, Console, log_path
from kvmlab.lab.paths import LIBVIRT_SOCK, STATE_DIR
from kvmlab.lab.process import alive, socket_answers, wait_until
from kvmlab.widgets import events
from kvmlab.widgets.dashboard import Dashboard

pytestmark = pytest.mark.reallab

BOUND = 15.0  # seconds: no fault may cost more before kvmlab says what happened


def _kill_libvirtd() -> int:
    running = daemon.ours()
    assert running is not None, "the lab's libvirtd should be running before the fault"
    os.kill(running.libvirtd, signal.SIGKILL)
    # its main thread turns zombie before the other threads are gone: wait for the socket to close too,
    # or `lab up` would find a daemon still answering (and dying)
    assert wait_until(lambda: not alive(running.libvirtd) and not socket_answers(LIBVIRT_SOCK), 10), \
        "libvirtd survived SIGKILL"
    return running.libvirtd


@pytest.fixture
def killable(real_lab):
    """The lab's URI; whatever the test did to the daemon, the lab is up again afterwards."""
    yield real_lab
    if daemon.ours() is None:
        lab.up()


def _timed(call):
    t0 = time.monotonic()
    try:
        call()
    except KvmlabError as err:
        return err, time.monotonic() - t0
    return None, time.monotonic() - t0


# -- (a) the daemon dies while a Connection is open --------------------------------------------

def test_killed_daemon_raises_connection_failed_then_the_same_connection_recovers(killable):
    real_lab = killable
    events.start()  # as a notebook with a dashboard does: the loop runs before connect()
    conn = kvmlab.connect(real_lab)
    try:
        dash = Dashboard(conn)
        assert dash.disconnected is None and dash.watch is not None and dash.watch.active
        before = conn.list(all=True).names
        rows = dash.names
        _kill_libvirtd()
        try:
            err, took = _timed(lambda: conn.list(all=True))
            assert isinstance(err, ConnectionFailed), f"expected ConnectionFailed, got {err!r}"
            assert took < BOUND, f"the first call after the kill took {took:.1f} s"
            assert "kvmlab lab up" in err.hint and "libvirt daemon" in err.hint
            assert "newer libvirt" not in str(err)  # the op's own hint must not win over what failed
            assert "Traceback" not in str(err)

            # every call keeps saying so, quickly, while the daemon is down
            err2, took2 = _timed(lambda: conn.dominfo(before[0]) if before else conn.net_list())
            assert isinstance(err2, ConnectionFailed) and "kvmlab lab up" in err2.hint and took2 < BOUND

            # the virsh twin prints virsh's error lines and the hint, no traceback
            run = conn.virsh("list --all")
            assert run.exit_code == 1 and "Traceback" not in run.stderr + run.stdout
            assert run.stderr.startswith("error: ") and "kvmlab lab up" in run.stderr

            # the dashboard says "disconnected", with the hint, and keeps its rows
            dash.refresh_button.click()
            assert isinstance(dash.disconnected, ConnectionFailed)
            assert "disconnected" in dash.source.value and "kvmlab lab up" in dash.source.value
            assert dash.names == rows  # the rows stay as they were last read
        finally:
            up = lab.up()
            assert up.running, f"the lab did not come back:\n{up}"

        # the same Connection object works again, without a new connect()
        assert conn.list(all=True).names == before
        assert conn.reopened >= 1
        dash.refresh_button.click()
        assert dash.disconnected is None
        assert "disconnected" not in dash.source.value and "reconnected" in dash.source.value
        assert dash.names == before
        # and the dashboard listens on the new connection: a change made elsewhere shows up
        assert dash.watch._hub is not None and dash.watch._hub.virconn is conn.virconn
        name = f"kvmlab-fault-{uuid.uuid4().hex[:6]}"
        other = kvmlab.connect(real_lab)
        try:
            other.virconn.defineXML(lab.tag_domain_xml(
                f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>32</memory>"
                "<os><type arch='x86_64'>hvm</type></os></domain>"))
            assert wait_until(lambda: name in dash.names, 10), "the dashboard missed the define event"
        finally:
            other.virconn.lookupByName(name).undefine()
            other.close()
        dash.close()
    finally:
        conn.close()


def test_kill_between_two_calls_costs_one_clear_error(killable):
    """The daemon dies and comes back between two clicks (no event loop noticed): one ConnectionFailed,
    then the next call works on its own."""
    conn = kvmlab.connect(killable)
    try:
        conn.list()
        _kill_libvirtd()
        assert lab.up().running
        err, took = _timed(conn.list)
        if err is not None:  # the old socket was dead: said once, clearly
            assert isinstance(err, ConnectionFailed) and "kvmlab lab up" in err.hint and took < BOUND
        assert conn.list(all=True).virsh == "virsh list --all"
    finally:
        conn.close()


# -- (b) a guest that never reaches its ready marker -------------------------------------------

def test_a_guest_that_panics_ends_every_wait_with_what_and_where(real_lab):
    conn = kvmlab.connect(real_lab)
    name = f"kvmlab-panic-{uuid.uuid4().hex[:6]}"
    # no such init: the kernel cannot start userspace and panics before the marker
    xml = guest.domain_xml(name, networks=None, cmdline="rdinit=/no-such-init init=/no-such-init root=/dev/null")
    try:
        conn.virconn.createXML(xml, 0)
        con = Console.open(conn, name)
        try:
            t0 = time.monotonic()
            with pytest.raises(ConsoleTimeout) as exc:
                con.wait_for(READY_MARKER, 60, seen=True)
            # the panic stops the guest (on_crash=preserve): the wait ends then, not at its timeout
            assert time.monotonic() - t0 < 45, exc.value.message
            assert "before the guest kernel panicked" in exc.value.message or "before the guest crashed" in exc.value.message
        finally:
            con.close()
        err = exc.value
        log = str(log_path(name))
        assert READY_MARKER in err.message and name in err.message
        assert log in err.message and err.log == log and log in err.hint
        assert Path(log).exists() and "panic" in Path(log).read_text(errors="replace").lower()
        assert any("panic" in line.lower() for line in err.tail), err.tail

        # the lessons' own wait says the same
        host = lab.CourseHost(uri=real_lab, backend="qemu", nat="", isolated="", routed="", bridge="", pool="",
                              iso="")
        with pytest.raises(ConsoleTimeout) as again:
            host.ready(conn, name, timeout=5)
        assert READY_MARKER in str(again.value) and log in str(again.value)
    finally:
        with suppressed():  # already gone is fine
            conn.virconn.lookupByName(name).destroy()
        conn.close()


# -- (c) a pool whose filesystem is full ------------------------------------------------------

def _in_daemon_ns(*argv: str) -> subprocess.CompletedProcess:
    """Run ``argv`` in the mount namespace of the lab's libvirtd (its own, from `ip netns exec`)."""
    pid = daemon.ours().libvirtd
    return subprocess.run(["nsenter", "-t", str(pid), "-m", *argv], capture_output=True, text=True, timeout=30)


def test_full_pool_refuses_vol_create_as_and_leaves_nothing(real_lab):
    conn = kvmlab.connect(real_lab)
    path = STATE_DIR / f"fault-full-{uuid.uuid4().hex[:6]}"
    pool = path.name
    path.mkdir(parents=True)
    mounted = _in_daemon_ns("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "kvmlab-fault", str(path))
    assert mounted.returncode == 0, mounted.stderr
    try:
        conn.virconn.storagePoolCreateXML(
            f"<pool type='dir'><name>{pool}</name><target><path>{path}</path></target></pool>", 0)
        assert pool in conn.pool_list(all=True).names
        with pytest.raises(OperationFailed) as exc:
            conn.vol_create_as(pool, "big.img", "8M", allocation="8M")
        err = exc.value
        assert err.virsh_error[0] == "Failed to create vol big.img"
        assert "No space left on device" in err.virsh_error[-1]  # libvirt's own words
        assert "full" in err.hint and "vol-delete" in err.hint
        conn.virconn.storagePoolLookupByName(pool).refresh(0)
        assert conn.vol_list(pool).names == []
        listing = _in_daemon_ns("ls", "-A", str(path))
        assert listing.returncode == 0 and listing.stdout.split() == [], listing.stdout

        # the virsh twin: virsh's lines, then the hint
        run = conn.virsh(f"vol-create-as {pool} big.img 8M --allocation 8M")
        assert run.exit_code == 1 and "Traceback" not in run.stderr
        assert run.stderr.startswith("error: Failed to create vol big.img\nerror: ")
        assert "No space left on device" in run.stderr and "kvmlab hint:" in run.stderr
        assert conn.vol_list(pool).names == []
    finally:
        with suppressed():  # not created is fine
            conn.virconn.storagePoolLookupByName(pool).destroy()
        conn.close()
        umount = _in_daemon_ns("umount", str(path))
        path.rmdir()
        assert umount.returncode == 0, umount.stderr
