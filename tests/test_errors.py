"""The one error boundary: what failed picks the class and the hint; a lost connection wins over any
operation's hint; "go on without it" never swallows a lost connection; a Connection reopens its URI.

The lost connections here are real libvirt errors: libvirt's remote client talks to a Unix socket
whose "daemon" hangs up at once (or never answers), as a killed libvirtd does.
"""

from __future__ import annotations

import socket
import threading
import time

import libvirt
import pytest

import kvmlab
import kvmlab.connection as connection
from kvmlab.errors import (
    LOST_HINT,
    ConnectionFailed,
    InvalidInput,
    KvmlabError,
    NotFound,
    attempt,
    connection_lost,
    install_error_handler,
    libvirt_errors,
    map_libvirt_error,
    recast,
    suppressed,
)
from kvmlab.widgets.dashboard import Dashboard


class FakeDaemon:
    """A Unix socket that accepts, then hangs up at once (``answer='hangup'``) or never says a word."""

    def __init__(self, path: str, answer: str = "hangup"):
        self.path, self.answer, self.held = path, answer, []
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def uri(self) -> str:
        return f"qemu+unix:///system?socket={self.path}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            if self.answer == "hangup":
                c.close()
            else:
                self.held.append(c)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        for c in self.held:
            c.close()
        self.sock.close()


@pytest.fixture
def hangup(tmp_path):
    d = FakeDaemon(str(tmp_path / "hangup.sock"))
    yield d
    d.close()


def lost_error(uri: str) -> libvirt.libvirtError:
    install_error_handler()
    try:
        libvirt.open(uri)
    except libvirt.libvirtError as exc:
        return exc
    raise AssertionError(f"{uri} opened")


def test_a_hangup_is_a_lost_connection_whatever_the_caller_asked(hangup):
    exc = lost_error(hangup.uri)
    assert connection_lost(exc)
    err = map_libvirt_error(exc, ["Failed to list domains"], "these filters need a newer libvirt",
                            hints={exc.get_error_code(): "an operation's own hint"}, cls=InvalidInput)
    assert type(err) is ConnectionFailed and err.hint == LOST_HINT
    assert "kvmlab lab up" in err.hint and "newer libvirt" not in str(err)
    assert err.virsh_error == ["Failed to list domains", exc.get_error_message()]  # virsh's lines kept
    assert err.message.startswith("lost the connection to the libvirt daemon: ")


def test_no_daemon_at_all_is_a_connection_failure_too(tmp_path):
    exc = lost_error(f"qemu+unix:///system?socket={tmp_path}/none.sock")
    err = map_libvirt_error(exc, hint="an operation's hint")
    assert type(err) is ConnectionFailed and err.hint == LOST_HINT
    assert err.message.startswith("cannot reach the libvirt daemon: ")


def test_other_errors_keep_their_own_class_and_hint():
    conn = kvmlab.connect()
    with pytest.raises(NotFound) as exc:
        with libvirt_errors("failed to get domain 'nope'", hint="fallback"):
            conn.virconn.lookupByName("nope")
    assert exc.value.hint == "fallback" and exc.value.virsh_error[0] == "failed to get domain 'nope'"
    assert not isinstance(exc.value, ConnectionFailed)
    # a shared hint chosen by libvirt's message beats the caller's generic fallback
    with pytest.raises(KvmlabError) as taken:
        with libvirt_errors(hint="generic"):
            conn.virconn.defineXML("<domain type='test'><name>web01</name><uuid>00000000-0000-0000-0000-00000000abcd"
                                   "</uuid><memory>8192</memory><os><type>hvm</type></os></domain>")
    assert "already exists" in taken.value.message and "pick another name" in taken.value.hint


def test_suppressed_and_attempt_go_on_past_refusals_but_never_past_a_lost_connection(hangup):
    conn = kvmlab.connect()
    assert attempt(conn.virconn.lookupByName, "nope") is None
    assert attempt(conn.virconn.lookupByName, "nope", default="x") == "x"
    with suppressed(libvirt.VIR_ERR_NO_DOMAIN):
        conn.virconn.lookupByName("nope")
    with pytest.raises(NotFound):  # a code not listed is mapped, not swallowed
        with suppressed(libvirt.VIR_ERR_NO_NETWORK):
            conn.virconn.lookupByName("nope")
    with pytest.raises(ConnectionFailed):
        with suppressed():
            libvirt.open(hangup.uri)
    with pytest.raises(ConnectionFailed):
        attempt(libvirt.open, hangup.uri)
    with pytest.raises(ConnectionFailed):
        with libvirt_errors(ignore=[lost_error(hangup.uri).get_error_code()]):
            libvirt.open(hangup.uri)
    with suppressed(lost=True):  # letting go of a dead connection: nothing to report
        libvirt.open(hangup.uri)


def test_suppressed_also_knows_errors_mapped_deeper_down():
    conn = kvmlab.connect()
    with suppressed(libvirt.VIR_ERR_NO_STORAGE_POOL):
        conn.pool_info("nope")  # the op maps it itself; the code still says what it was
    with pytest.raises(NotFound):
        with suppressed(libvirt.VIR_ERR_NO_NETWORK):
            conn.pool_info("nope")


def test_recast_changes_class_and_hint_but_not_a_lost_connection(hangup):
    conn = kvmlab.connect()
    try:
        with libvirt_errors("Failed to start domain 'web01'"):
            conn.virconn.lookupByName("web01").create()
    except KvmlabError as err:
        again = recast(err, NotFound, "new hint")
        assert type(again) is NotFound and again.hint == "new hint"
        assert again.virsh_error == err.virsh_error and again.libvirt_code == err.libvirt_code
    lost = map_libvirt_error(lost_error(hangup.uri))
    assert recast(lost, NotFound, "x") is lost


def test_lookups_that_try_several_ways_stop_at_a_lost_connection(hangup, tmp_path):
    """virsh tries id, UUID, name; a dead daemon answers none, so the first lost connection is final."""
    v = libvirt.open("test:///default")
    conn = kvmlab.Connection(v, f"qemu+unix:///system?socket={tmp_path}/gone.sock")
    v.close()  # the daemon is gone: the next call must reopen, and cannot
    t0 = time.monotonic()
    with pytest.raises(ConnectionFailed) as exc:
        conn.dominfo("web01")
    assert time.monotonic() - t0 < 5
    assert "kvmlab lab up" in exc.value.hint
    with pytest.raises(ConnectionFailed) as listed:
        conn.list(all=True)
    assert "newer libvirt" not in str(listed.value)
    out = conn.virsh("list --all")
    assert out.exit_code == 1 and "Traceback" not in out.stderr and "kvmlab lab up" in out.stderr


def test_the_same_connection_reopens_its_uri_once_the_old_one_is_dead():
    conn = kvmlab.connect("test:///default")
    first = conn.virconn
    assert conn.list(all=True).names == ["test"]
    first.close()  # as the client does once it saw the daemon's socket close
    assert conn.list(all=True).names == ["test"]
    assert conn.virconn is not first and conn.reopened == 1
    assert conn.list().names == ["test"] and conn.reopened == 1  # alive: no second reopen
    conn.close()
    with pytest.raises(kvmlab.ConnectionFailed) as closed:  # a closed Connection says so, never AttributeError
        conn.list()
    assert "closed" in closed.value.message and "kvmlab.connect()" in closed.value.hint


def test_threads_sharing_a_connection_reopen_it_once():
    conn = kvmlab.connect("test:///default")
    conn.virconn.close()
    names, barrier = [], threading.Barrier(4)

    def click():
        barrier.wait()
        names.append(conn.list(all=True).names)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert names == [["test"]] * 4 and conn.reopened == 1
    conn.close()


def test_a_daemon_that_never_answers_costs_the_timeout_not_forever(tmp_path, monkeypatch):
    mute = FakeDaemon(str(tmp_path / "mute.sock"), answer="never")
    try:
        monkeypatch.setattr(connection, "REOPEN_TIMEOUT", 1.0)
        v = libvirt.open("test:///default")
        conn = kvmlab.Connection(v, mute.uri)
        v.close()
        t0 = time.monotonic()
        with pytest.raises(ConnectionFailed) as exc:
            conn.list()
        assert time.monotonic() - t0 < 3
        assert "no answer within 1 s" in exc.value.message and exc.value.hint == LOST_HINT
    finally:
        mute.close()


def test_a_dashboard_says_disconnected_then_recovers_on_refresh(tmp_path):
    conn = kvmlab.connect("test:///default")
    dash = Dashboard(conn, events=False)
    assert dash.names == ["test"] and dash.disconnected is None
    good_uri = conn.uri
    conn.uri = f"qemu+unix:///system?socket={tmp_path}/gone.sock"  # its daemon is gone ...
    conn.virconn.close()
    dash.refresh_button.click()
    assert isinstance(dash.disconnected, ConnectionFailed)
    assert "disconnected" in dash.source.value and "kvmlab lab up" in dash.source.value
    assert dash.names == ["test"]  # the last rows stay
    conn.uri = good_uri  # ... and back
    dash.refresh_button.click()
    assert dash.disconnected is None and "reconnected" in dash.source.value and conn.reopened == 1
    dash.close()
    conn.close()


def test_every_operation_maps_what_escapes_it():
    """A libvirt call an op makes without its own mapping still reaches the caller as a KvmlabError."""
    assert all(hasattr(getattr(kvmlab.Connection, n), "__wrapped__")
               for n in ("list", "dominfo", "net_list", "pool_list", "vol_list", "start", "define"))
    conn = kvmlab.connect("test:///default")
    pool = conn.virconn.storagePoolLookupByName("default-pool")
    pool.destroy()  # vol-list on a stopped pool: libvirt refuses, the op says so in kvmlab's words
    with pytest.raises(KvmlabError) as exc:
        conn.vol_list("default-pool")
    assert exc.value.virsh_error[0] == "Failed to list volumes" and "pool-start" in exc.value.hint
    conn.close()
