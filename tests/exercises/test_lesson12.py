"""Lesson 12 checks on the embedded lab: the truth is lesson 12's recording of a real-lab measurement (the
real-lab twin of these runs in tests/lab/test_network_modes_real.py, measured live)."""

from __future__ import annotations

import pytest

from kvmlab.concepts import reachability as reach
from kvmlab.exercises import ExerciseFailed, show_answer
from kvmlab.exercises import lesson12 as l12
from kvmlab.lab.reach_lab import reach_lab

from tests.conftest import inventory
from tests.exercises.conftest import climb

RIGHT = {("route", "outside"), ("outside", "route"), ("open", "outside"), ("outside", "open"),
         ("route", "bridge"), ("bridge", "route"), ("open", "bridge"), ("bridge", "open")}


@pytest.fixture
def lab12(conn):
    return reach_lab(conn, progress=None)


def test_the_truth_is_the_recording_where_nothing_runs(lab12):
    assert l12.changed_cells(lab12) == RIGHT
    assert not l12.measured(lab12, "as built").live


def test_route_back_right_answer_passes(lab12):
    done = l12.check_route_back(lab12, set(RIGHT))
    assert "8 cells" in done.title and done.details[0].startswith("RECORDING")
    assert l12.check_route_back(lab12, sorted(RIGHT))  # a list of pairs is fine too


def test_route_back_a_nat_cell_is_diagnosed_with_masquerade(lab12, conn):
    before = inventory(conn)
    first, second, answer = climb(l12.check_route_back, lab12, RIGHT | {("nat", "outside")})
    assert first.message.startswith("nat guest → the outside does not change: measured yes in both situations")
    assert "MASQUERADE" in first.message and "NAT's answers go to the host's own LAN address" in first.hint
    assert "m.explain(row, column)" in second.hint and "('route', 'outside')" not in first.hint + second.hint
    assert all(repr(c) in answer for c in RIGHT) and answer.startswith("changed = {")
    assert inventory(conn) == before  # the recording: nothing changed on the lab


def test_route_back_a_cell_that_fails_anyway(lab12):
    with pytest.raises(ExerciseFailed) as info:
        l12.check_route_back(lab12, RIGHT | {("outside", "nat")})
    assert "measured no in both situations" in info.value.message and "fails with the route too" in info.value.message
    assert "ESTABLISHED" in info.value.message


def test_route_back_missing_cells_are_named_with_their_step(lab12):
    first, second, _ = climb(l12.check_route_back, lab12, {("route", "outside"), ("outside", "route")})
    assert first.message.startswith("bridge guest → open guest changes too: measured yes with the route, no without it")
    assert "the router cannot pass it on" in first.message and "(6 cell(s) missing in all)" in first.message
    assert "only the router can know it" in first.hint
    assert "m.explain(row, column)" in second.hint
    for err in (first, second):  # neither rung lists the cells: that is the answer
        assert "'route'" not in err.hint and "{route" not in err.hint and "open guest" not in err.hint


@pytest.mark.parametrize("answer, says", [({"TODO"}, "no answer yet"), ("route", "is not a set of (row, column) pairs"),
                                          ({("x", "y")}, "there is no cell ('x', 'y')"),
                                          ([("route",)], "is not a (row, column) pair"),
                                          ({("outside", "host")}, "there is no cell ('outside', 'host')")])
def test_route_back_bad_answers(lab12, answer, says):
    with pytest.raises(ExerciseFailed) as info:
        l12.check_route_back(lab12, answer)
    assert says in info.value.message and info.value.hint


@pytest.mark.parametrize("check, right, wrong, says", [
    (l12.check_build_servers, "nat", "route", "route guest → the outside was measured no (no route back)"),
    (l12.check_build_servers, "nat", "bridge", "the outside → bridge guest was measured yes (no route back)"),
    (l12.check_build_servers, "nat", "isolated", "no default route"),
    (l12.check_test_network, "isolated", "nat", "nat guest → the outside was measured yes (as built)"),
    (l12.check_test_network, "isolated", "route", "route guest → the outside was measured yes"),
    (l12.check_web_servers, "bridge", "route", "the outside → route guest was measured no (no route back)"),
    (l12.check_web_servers, "bridge", "open", "the outside → open guest was measured no"),
    (l12.check_web_servers, "bridge", "nat", "the outside → nat guest was measured no"),
])
def test_pick_the_mode(lab12, check, right, wrong, says):
    first, second, answer = climb(check, lab12, wrong)
    assert says in first.message and "Why:" in first.message
    assert first.hint != second.hint and f'"{right}"' not in first.hint + second.hint and f'"{right}"' in answer
    done = check(lab12, right)
    assert done.title.startswith(f"{right} meets it") and done.details[-1].endswith(")")


def test_pick_the_mode_typos_and_blanks(lab12):
    with pytest.raises(ExerciseFailed, match="did you mean 'isolated'"):
        l12.check_test_network(lab12, "isolted")
    with pytest.raises(ExerciseFailed, match="no answer yet"):
        l12.check_web_servers(lab12, "TODO")


@pytest.mark.parametrize("line, says, hint", [
    ("virsh net-info kvmlab-net12-isolated", "net-info does not show the network's XML", "not the <forward> element"),
    ("dumpxml kvmlab-net12-isolated", "dumpxml does not show the network's XML", "a network's XML has its own command"),
    ("virsh net-dumpxml kvmlab-net12-route", "'kvmlab-net12-route' has <forward mode='route'>", "no <forward> element"),
    ("virsh net-dumpxml isolated", "'isolated' has no <forward> either, but it is not lesson 12's network",
     "the network lesson 12 measured"),
    ("virsh net-dumpxml kvmlab-net12-nowhere", "virsh says: error: failed to get network 'kvmlab-net12-nowhere'", ""),
    ("virsh net-dumpxml", "virsh says: error:", ""),
])
def test_isolated_line_mistakes(conn, lab12, line, says, hint):
    with pytest.raises(ExerciseFailed) as info:
        l12.check_isolated_line(conn, line)
    assert says in info.value.message and hint in info.value.hint


def test_an_xpath_line_that_prints_nothing_is_read_from_libvirt(conn, lab12):
    done = l12.check_isolated_line(conn, "virsh net-dumpxml kvmlab-net12-isolated --xpath /network/forward")
    assert "--xpath /network/forward printed nothing" in done.details[0]
    with pytest.raises(ExerciseFailed, match="it forwards, it is not isolated"):
        l12.check_isolated_line(conn, "virsh net-dumpxml kvmlab-net12-nat --xpath /network/forward")


def test_isolated_line_ladder_and_pass(conn, lab12):
    first, second, answer = climb(l12.check_isolated_line, conn, "virsh net-list --all")
    assert "net-list lists networks" in first.hint and 'print(conn.virsh("help network"))' in second.hint
    assert answer == 'line = "virsh net-dumpxml kvmlab-net12-isolated"' and "net-dumpxml" not in first.hint
    done = l12.check_isolated_line(conn, "virsh net-dumpxml kvmlab-net12-isolated")
    assert "has no <forward> element" in done.title and "virsh net-dumpxml kvmlab-net12-isolated" in done.details[0]


def test_show_answer_before_any_attempt_reads_the_recording():
    code = show_answer("12.1").code
    assert code.count("('") == len(RIGHT) and code == "changed = {\n" + "".join(
        f"    {k!r},\n" for k in sorted(RIGHT)) + "}"
    assert reach.recording("no route back").mismatches()  # where the answer comes from
