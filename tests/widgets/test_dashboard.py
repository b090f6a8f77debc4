"""Dashboard: buttons run the lifecycle operations, libvirt's state is read back, events refresh it."""

from __future__ import annotations

import pytest

from kvmlab import KvmlabError
from kvmlab.widgets import Dashboard

from ..conftest import inventory
from .helpers import domain_state, shows, twin, wait_for


@pytest.fixture
def dash(conn):
    d = Dashboard(conn)
    yield d
    d.close()


def test_rows_are_what_libvirt_lists(conn, dash):
    listing = conn.list(all=True)
    assert dash.names == listing.names
    for d in listing.domains:
        assert dash.state(d.name) == d.state
        assert d.state in dash.row(d.name).state_label.value
    assert shows(dash.source.value, "virsh list --all")
    assert "listAllDomains" in dash.source.value
    assert "domainEventRegisterAny" in dash.listening.value and "VIR_DOMAIN_EVENT_ID_LIFECYCLE" in dash.listening.value


@pytest.mark.parametrize("name, action, after", [
    ("backup", "start", "running"),
    ("web01", "shutdown", "shut off"),
    ("db01", "destroy", "shut off"),
    ("web01", "suspend", "paused"),
    ("build", "resume", "running"),
    ("web01", "reboot", "running"),
])  # fmt: skip
def test_each_button_runs_its_operation_and_reads_back(conn, dash, name, action, after):
    with twin() as other:
        expected = getattr(other, action)(name)  # the same operation on an identical lab
    getattr(dash.row(name), f"{action}_button").click()
    assert domain_state(conn, name) == after
    assert dash.state(name) == after  # read back at once, not left to the event
    assert shows(dash.status.value, str(expected).strip())
    assert shows(dash.status.value, expected.virsh)
    for call in expected.api:
        assert shows(dash.status.value, call)


def test_undefine_removes_the_row(conn, dash):
    dash.row("installer").undefine_button.click()
    assert "installer" not in conn.list(all=True).names
    assert "installer" not in dash.names
    assert shows(dash.status.value, "virsh undefine installer")


@pytest.mark.parametrize("name, action", [("web01", "start"), ("backup", "suspend"), ("backup", "resume")])
def test_a_wrong_action_teaches_and_changes_nothing(conn, dash, name, action):
    with twin() as other, pytest.raises(KvmlabError) as info:
        getattr(other, action)(name)
    before = inventory(conn)
    getattr(dash.row(name), f"{action}_button").click()
    assert inventory(conn) == before
    for line in info.value.virsh_error:
        assert shows(dash.status.value, f"error: {line}")
    assert info.value.hint and shows(dash.status.value, info.value.hint)
    assert shows(dash.status.value, f"virsh {action} {name}")


def test_changes_made_elsewhere_arrive_as_events(conn, dash):
    conn.virconn.lookupByName("backup").create()  # behind the dashboard's back
    assert wait_for(lambda: dash.state("backup") == "running")
    assert "event: domain backup started" in dash.source.value
    conn.virconn.defineXML("<domain type='test'><name>late</name><memory>65536</memory>"
                           "<os><type>hvm</type></os></domain>")
    assert wait_for(lambda: "late" in dash.names)
    assert dash.state("late") == "shut off"


def test_close_stops_listening(conn):
    closed, live = Dashboard(conn), Dashboard(conn)
    closed.close()
    assert not closed.watch.active
    try:
        conn.virconn.lookupByName("backup").create()
        assert wait_for(lambda: live.state("backup") == "running")  # the event was delivered …
        assert closed.state("backup") == "shut off"  # … but not to the closed board
    finally:
        live.close()


def test_without_events_the_refresh_button_reads_again(conn):
    d = Dashboard(conn, events=False)
    try:
        assert d.watch is None and d.listening.value == ""
        conn.virconn.lookupByName("backup").create()
        assert d.state("backup") == "shut off"
        d.refresh_button.click()
        assert d.state("backup") == "running"
        assert "refresh button" in d.source.value
    finally:
        d.close()
