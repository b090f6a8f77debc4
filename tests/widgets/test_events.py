"""libvirt's event loop and lifecycle watches: events really arrive, and stop() really stops them."""

from __future__ import annotations

import threading

import pytest

from kvmlab.widgets import events

from .helpers import wait_for


def test_start_is_idempotent_and_runs_one_daemon_thread():
    events.start()
    events.start()
    loops = [t for t in threading.enumerate() if t.name == "kvmlab-libvirt-events"]
    assert len(loops) == 1 and loops[0].daemon
    assert events.running()


def test_domain_lifecycle_events_arrive_in_order(conn):
    seen = []
    watch = events.Watch(conn, "domain", lambda name, event: seen.append((name, event)))
    try:
        dom = conn.virconn.lookupByName("backup")
        dom.create()
        dom.suspend()
        dom.resume()
        dom.destroy()
        assert wait_for(lambda: len(seen) >= 4)
        assert seen == [("backup", "started"), ("backup", "suspended"), ("backup", "resumed"), ("backup", "stopped")]
        assert watch.events == seen
        assert "VIR_DOMAIN_EVENT_ID_LIFECYCLE" in watch.api
    finally:
        watch.stop()


@pytest.mark.parametrize("kind, start, stop", [
    ("network", lambda v: v.networkLookupByName("isolated").create(),
     lambda v: v.networkLookupByName("isolated").destroy()),
    ("pool", lambda v: v.storagePoolLookupByName("iso").create(0),
     lambda v: v.storagePoolLookupByName("iso").destroy()),
])  # fmt: skip
def test_network_and_pool_events(conn, kind, start, stop):
    seen = []
    watch = events.Watch(conn, kind, lambda name, event: seen.append(event))
    try:
        start(conn.virconn)
        stop(conn.virconn)
        assert wait_for(lambda: seen == ["started", "stopped"])
    finally:
        watch.stop()


def test_stop_deregisters(conn):
    seen = []
    watch = events.Watch(conn, "domain", lambda name, event: seen.append(event))
    watch.stop()
    watch.stop()  # twice is fine
    assert not watch.active
    conn.virconn.lookupByName("backup").create()
    probe = []
    other = events.Watch(conn, "domain", lambda name, event: probe.append(event))
    conn.virconn.lookupByName("backup").destroy()
    assert wait_for(lambda: probe == ["stopped"])  # the loop delivered, but not to the stopped watch
    other.stop()
    assert seen == []


def test_callback_errors_are_kept_not_printed(conn, capfd):
    def broken(name, event):
        raise RuntimeError("boom")

    watch = events.Watch(conn, "domain", broken)
    try:
        conn.virconn.lookupByName("backup").create()
        assert wait_for(lambda: len(watch.errors) == 1)
        assert str(watch.errors[0]) == "boom"
    finally:
        watch.stop()
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_unknown_kind_is_refused(conn):
    with pytest.raises(ValueError, match="domain"):
        events.Watch(conn, "volume", lambda n, e: None)


def test_several_watches_share_one_registration(conn):
    """libvirt refuses a second registration of one event on a connection; watches share it."""
    first, second = [], []
    a = events.Watch(conn, "domain", lambda name, event: first.append(event))
    b = events.Watch(conn, "domain", lambda name, event: second.append(event))
    try:
        conn.virconn.lookupByName("backup").create()
        assert wait_for(lambda: first == second == ["started"])
        a.stop()
        conn.virconn.lookupByName("backup").destroy()
        assert wait_for(lambda: second == ["started", "stopped"])
        assert first == ["started"]
    finally:
        a.stop()
        b.stop()
