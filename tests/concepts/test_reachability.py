"""Lesson 12 on the embedded lab: the prediction from lesson 4's table, the networks as libvirt descriptions,
and the recording of a real-lab measurement, never shown as live.

The recording is checked for being a measurement (40 bounded pings per situation, each with the guest's
own output) and for agreeing with the explanations; tests/lab/test_network_modes_real.py checks that a
fresh real-lab measurement still has its matrix.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import kvmlab
from kvmlab.concepts import reach_table, reachability as reach
from kvmlab.concepts.reach_predict import says_yes
from kvmlab.concepts.topology import MODE_TRAFFIC
from kvmlab.lab import containment, reach_plan
from kvmlab.lab.reach_lab import reach_lab
from kvmlab.specs import NetworkSpec

# What the route back carries: the cells that break when the LAN's router forgets 10.112.0.0/16 (lesson 12, 12.1)
NEEDS_ROUTE_BACK = {("route", "outside"), ("outside", "route"), ("open", "outside"), ("outside", "open"),
                    ("route", "bridge"), ("bridge", "route"), ("open", "bridge"), ("bridge", "open")}


@pytest.fixture
def lab12(conn):
    return reach_lab(conn, progress=None)


def test_the_prediction_is_lesson_4s_table_read_as_yes_or_no():
    for mode, t in MODE_TRAFFIC.items():
        yes, words = reach.predicted(mode, "outside")
        assert yes == says_yes(t.to_outside) and t.to_outside in words
        assert reach.predicted("outside", mode) == (says_yes(t.from_outside), f"{mode}, outside → guest: “{t.from_outside}”")
        assert reach.predicted(mode, mode)[0] and reach.predicted(mode, "host")[0]  # lesson 4: yes for every mode
    for src in reach_plan.MODES:  # across networks: leave one (its "to outside"), enter the other ("from outside")
        for dst in reach_plan.MODES:
            if src != dst:
                assert reach.predicted(src, dst)[0] == (reach.predicted(src, "outside")[0]
                                                        and reach.predicted("outside", dst)[0])
    assert [reach.predicted(*c)[0] for c in [("nat", "route"), ("route", "nat"), ("isolated", "outside"),
                                             ("outside", "nat"), ("open", "outside")]] == [True, False, False, False, True]


def test_on_the_embedded_lab_the_networks_are_libvirt_descriptions_and_nothing_boots(conn, lab12):
    assert not lab12.live and "embedded lab" in lab12.reason
    assert str(lab12).startswith("backend:  embedded (test://…/kvmlab/data/embedded-host.xml)")
    modes = {m: NetworkSpec.from_xml(conn.net_dumpxml(n).xml) for m, n in lab12.networks.items()}
    assert {m: s.mode for m, s in modes.items()} == {m: m for m in reach_plan.MODES}
    assert "<forward" not in conn.net_dumpxml("kvmlab-net12-isolated").xml
    assert modes["bridge"].bridge == "kvmlab-net12br" and not modes["bridge"].ips
    assert [str(ip.interface) for ip in modes["nat"].ips] == ["10.112.1.1/24"]
    assert not [d for d in conn.list(all=True).names if d.startswith("kvmlab-net12")]
    assert "nothing to check" in lab12.safety()
    assert lab12.shell("isolated", "ip route").startswith("[kvmlab-net12-isolated-a does not run here")
    with pytest.raises(kvmlab.InvalidState) as info:
        lab12.run("kvmlab-net12-nat-a", "ip route")
    assert "qemu:///system" in info.value.hint
    assert reach_lab(conn, progress=None).networks == lab12.networks  # a second call reuses them
    assert lab12.network_xml("isolated") == conn.net_dumpxml("kvmlab-net12-isolated").xml
    assert lab12.remove() == [f"Network {n} destroyed" for n in lab12.networks.values()]
    assert not [n for n in conn.net_list(all=True).names if n.startswith("kvmlab-net12")]
    planned = lab12.network_xml("nat")  # no such network any more (as on qemu:///session): the planned XML, marked
    assert planned.startswith("<!-- not in libvirt here (the lesson's lab was removed)")
    assert NetworkSpec.from_xml(planned).mode == "nat" and "no-ping" in planned


def test_where_nothing_runs_the_measurement_is_the_recording_and_says_so(lab12):
    m = reach.measure(lab12)
    assert not m.live and m.header().startswith("RECORDING, nothing was pinged now: this is the embedded lab")
    assert m.recorded["at"].endswith("UTC") and "kvmlab-lab" in m.recorded["where"]
    assert "LIVE" not in str(m) and "RECORDING" in m._repr_html_()
    assert "nothing ran now" in m.firewall("nat") and "nothing ran now" in m.routes("outside")
    with pytest.raises(kvmlab.InvalidState) as info:
        reach.measure(lab12, live=True)
    assert info.value.hint == reach.HOW_TO_GO_LIVE
    assert "You asked for the recording" in reach.measure(lab12, live=False).header()


@pytest.mark.parametrize("situation", list(reach.SITUATIONS))
def test_the_recording_is_a_measurement_of_forty_bounded_pings(situation):
    m = reach.recording(situation)
    assert len(m.cells) == 40 and m.pings() == 40
    for (src, dst), c in m.cells.items():
        p = c.ping
        wait = {1: "2", 2: "3"}[p.tries]  # a ping with no answer is asked once more, waiting longer
        assert re.fullmatch(rf"ping -c 1 -W {wait} \d+\.\d+\.\d+\.\d+", p.command) and p.command.endswith(p.address)
        assert p.status in (0, 1) and p.guest.startswith("kvmlab-net12-")
        assert any("packets transmitted" in ln or "Network is unreachable" in ln for ln in p.output)
        assert (" 1 packets received" in "\n".join(p.output)) == p.reached
        if dst in reach_plan.MODES:  # the address pinged is the target guest's own
            target = reach_plan.guest(dst, "b" if dst == src else "a").name
            assert p.address == m.addresses[target]
    assert m.cell("isolated", "outside").ping.verdict.startswith("no route")  # dhcp-option=3: no default route


@pytest.mark.parametrize("situation", list(reach.SITUATIONS))
def test_every_explanation_agrees_with_the_recorded_ping(situation):
    m = reach.recording(situation)
    assert {k: c.reasoning.reaches for k, c in m.cells.items()} == {k: c.measured for k, c in m.cells.items()}
    assert all(c.reasoning.steps for c in m.cells.values())


def test_the_prediction_holds_as_built_and_fails_exactly_where_the_route_back_matters():
    built, broken = reach.recording("as built"), reach.recording("no route back")
    assert built.mismatches() == []
    assert {(c.src, c.dst) for c in broken.mismatches()} == NEEDS_ROUTE_BACK
    changed = {k for k in reach.keys() if built.cells[k].measured != broken.cells[k].measured}
    assert changed == NEEDS_ROUTE_BACK
    assert built.reached("nat", "outside") and broken.reached("nat", "outside")  # MASQUERADE needs no route back


def test_the_table_colours_cells_and_frames_the_mismatches():
    for situation, framed in (("as built", 0), ("no route back", 8)):
        m = reach.recording(situation)
        html = m._repr_html_()
        yes = sum(bool(c.measured) for c in m.cells.values())
        assert html.count(f"background:{reach_table.GREEN}") == yes
        assert html.count(f"background:{reach_table.RED}") == 40 - yes
        assert html.count("≠ prediction") == framed and html.count(f"3px solid {reach_table.AMBER}") == framed + 1
        assert str(m).count("(p: yes)") == framed
    pred = reach.prediction()._repr_html_()
    assert pred.count("<td") == 40 and "(same) yes" in str(reach.prediction())


def test_the_evidence_quotes_libvirts_own_lines():
    m = reach.recording()
    ev = m.evidence
    assert ev.rule("-A LIBVIRT_FWO -s 10.112.1.0/24 -i kvmlab-net12nat -j ACCEPT")
    assert ev.rule("-s 10.112.1.0/24 ! -d 10.112.1.0/24 -j MASQUERADE", nat=True)
    assert not ev.rule("MASQUERADE", "10.112.2.0/24", nat=True)  # route: no NAT
    assert ev.rules_naming("kvmlab-net12opn") == [] and "(none: no rule names kvmlab-net12opn" in m.firewall("open")
    assert "dhcp-option=3" in ev.dnsmasq["isolated"] and "dhcp-option=3" not in ev.dnsmasq["nat"]
    assert not [r for r in ev.guest_routes["kvmlab-net12-isolated-a"] if r.startswith("default")]
    assert "10.112.0.0/16 via 203.0.113.2 dev eth0" in ev.guest_routes["kvmlab-net12-outside"]
    assert ev.ip_forward == "1" and "-P FORWARD ACCEPT" in ev.filter_rules
    assert "`-A LIBVIRT_FWI -o kvmlab-net12nat -j REJECT" in m.explain("route", "nat")


def test_a_guests_transcript_is_read_back_into_pings():
    m = reach.recording()
    row = [c.ping for c in m.cells.values() if c.ping.guest == "kvmlab-net12-route-a"]
    lines = []
    for p in row:
        lines += [f"== {p.command.replace('-W 3', '-W 2')}", *p.output, f"exit {p.status}"]
    lines += ["== ip route", *m.evidence.guest_routes["kvmlab-net12-route-a"]]
    pings, routes = reach._parse("kvmlab-net12-route-a", lines)
    assert [(p.address, p.status, p.output) for p in pings.values()] == [(p.address, p.status, p.output) for p in row]
    assert all(p.command == f"ping -c 1 -W 2 {p.address}" and p.tries == 1 for p in pings.values()) and routes == m.evidence.guest_routes["kvmlab-net12-route-a"]


def test_bad_input_gets_a_clear_error(lab12):
    m = reach.recording()
    for call in (lambda: reach.measure(lab12, "sideways"), lambda: m.cell("nat", "moon"), lambda: m.firewall("x"),
                 lambda: reach_plan.guest("bus"), lambda: reach_plan.network_xml("nat-ish"),
                 lambda: lab12.network_xml("bridged"),
                 lambda: containment.inspect("../kvmlab-lab"), lambda: containment.inspect("")):
        with pytest.raises(kvmlab.InvalidInput) as info:
            call()
        assert info.value.hint
    with pytest.raises(kvmlab.NotFound) as info:
        reach.recording(path=reach.RECORDING.with_name("no-such-recording.json"))
    assert "record_network_modes.py" in info.value.hint


def test_the_host_namespace_is_not_closed_and_the_check_says_why():
    """The check's reading of real `ip -j` output, here the host's own namespace (read only, never changed)."""
    links = json.loads(subprocess.run(["ip", "-j", "-d", "link", "show"], capture_output=True, text=True,
                                      check=True).stdout)  # fmt: skip
    routes = json.loads(subprocess.run(["ip", "-j", "route", "show", "table", "all"], capture_output=True, text=True,
                                       check=True).stdout)  # fmt: skip
    seen, problems = containment.judge_links(links)
    physical = [lk["ifname"] for lk in links if lk.get("link_type") == "ether" and "linkinfo" not in lk]
    assert physical and all(any(p.startswith(f"{name} is a physical network card") for p in problems)
                            for name in physical)  # fmt: skip
    assert ("lo", "the loopback") in seen
    defaults = [r for r in routes if r.get("dst") == "default"]
    assert len(containment.judge_routes(routes)) == len(defaults) >= 1
    gone = containment.inspect("kvmlab-net12-no-such-ns")
    assert not gone.contained and "there is no network namespace kvmlab-net12-no-such-ns" in gone.problems[0]
    with pytest.raises(kvmlab.InvalidState) as info:
        containment.require_contained("kvmlab-net12-no-such-ns")
    assert info.value.message.startswith("refusing to ping") and "lab down" in info.value.hint
