"""A board with more objects than ``row_limit``: one HTML table and one action bar for the rows picked."""

from __future__ import annotations

import pytest

from kvmlab.widgets import Dashboard, PoolDashboard
from kvmlab.widgets.board import Row
from kvmlab.widgets.board_table import Listed

from .helpers import domain_state, wait_for


def define_many(conn, n: int, prefix: str = "many") -> list[str]:
    names = [f"{prefix}{i:04d}" for i in range(n)]
    for name in names:
        conn.virconn.defineXML(f"<domain type='test'><name>{name}</name><memory>65536</memory>"
                               "<os><type>hvm</type></os></domain>")  # fmt: skip
    return names


@pytest.fixture
def big(conn):
    """No event stream: an event's refresh would race the action's own read-back for the source line."""
    define_many(conn, Dashboard.row_limit + 5)
    d = Dashboard(conn, events=False)
    yield d
    d.close()


@pytest.fixture
def live(conn):
    define_many(conn, Dashboard.row_limit + 5)
    d = Dashboard(conn)
    yield d
    d.close()


def test_above_the_limit_one_table_holds_every_object(conn, big):
    listing = conn.list(all=True)
    assert big.names == listing.names and len(big.names) > Dashboard.row_limit
    assert big.table.children == (big.grid,)
    assert big.grid.grid.value.count("<tr>") == len(listing.domains) + 1  # + the header
    assert tuple(big.grid.pick.options) == tuple(listing.names)
    for d in listing.domains:
        assert isinstance(big.row(d.name), Listed) and big.state(d.name) == d.state
    assert "● paused" in big.grid.grid.value and "<b>many0064</b>" in big.grid.grid.value


def test_an_action_runs_on_each_picked_row_and_reads_back(conn, big):
    big.grid.pick.value = ("many0003", "many0007")
    big.grid.start_button.click()
    assert domain_state(conn, "many0003") == domain_state(conn, "many0007") == "running"
    assert big.state("many0003") == "running" and big.state("many0004") == "shut off"
    assert "virsh start many0007" in big.status.value and "start on 2 of 2 picked" in big.source.value
    assert big.grid.pick.value == ("many0003", "many0007")  # the pick survives the refresh


def test_the_first_error_stops_the_run_and_shows_virshs_words(conn, big):
    big.grid.pick.value = ("many0001", "web01", "many0002")  # web01 already runs: start refuses
    big.grid.start_button.click()
    assert domain_state(conn, "many0001") == "running" and domain_state(conn, "many0002") == "shut off"
    assert "Domain is already active" in big.status.value and "start on 1 of 3 picked" in big.source.value


def test_nothing_picked_says_what_to_do(conn, big):
    before = big.grid.grid.value
    big.grid.destroy_button.click()
    assert "pick one or more rows first" in big.status.value and big.grid.grid.value == before


def test_an_event_updates_the_table(conn, live):
    conn.virconn.lookupByName("many0010").create()  # behind the board's back
    assert wait_for(lambda: live.state("many0010") == "running")
    assert wait_for(lambda: "event: domain many0010 started" in live.source.value)


def test_crossing_the_limit_switches_between_rows_and_table(conn):
    d = Dashboard(conn, events=False)
    try:
        assert isinstance(d.row("web01"), Row)
        define_many(conn, Dashboard.row_limit)
        d.refresh("more")
        assert isinstance(d.row("web01"), Listed) and d.table.children == (d.grid,)
        for name in [n for n in d.names if n.startswith("many")][: 10]:
            conn.virconn.lookupByName(name).undefine()
        d.refresh("fewer")
        assert isinstance(d.row("web01"), Row) and len(d.table.children) == len(d.names)
        d.row("backup").start_button.click()
        assert domain_state(conn, "backup") == "running"
    finally:
        d.close()


def test_every_board_has_the_table(conn):
    for i in range(PoolDashboard.row_limit + 1):
        conn.virconn.storagePoolDefineXML(f"<pool type='dir'><name>p{i:03d}</name>"
                                          f"<target><path>/tmp/p{i:03d}</path></target></pool>")  # fmt: skip
    p = PoolDashboard(conn, events=False)
    try:
        assert p.grid is not None and "<b>p000</b>" in p.grid.grid.value
        assert hasattr(p.grid, "start_button")
    finally:
        p.close()
