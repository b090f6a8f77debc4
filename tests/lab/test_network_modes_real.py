"""Lesson 12 on the real lab: eleven tiny guests on nat, route, open, isolated and a hand-made bridge ping each
other, the host and the stand-in outside, from inside; every fact is read from the guests or the kernel.

These tests use the shared lab as it runs (kvmlab's own libvirtd in namespace kvmlab-lab) and never start,
stop or reset it: they make lesson 12's own objects (kvmlab-net12…) and remove them at the end.

- the namespace is checked closed, and a namespace with a way out (a veth to another namespace, a default
  route: made in two scratch namespaces of the test's own, never on the host) is refused before any ping;
- a fresh measurement has the recording's matrix (both situations), so the recording cannot drift;
- each explanation agrees with its ping; the firewall rule that refused a ping counted it (iptables -v);
- nothing changed outside the namespace; `lab reset` would find every object (tags, names, the alias).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.concepts import reach_evidence, reachability as reach
from kvmlab.errors import ConsoleTimeout
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson12
from kvmlab.lab import containment, reach_lab as rl
from kvmlab.lab.boot_wait import wait_all
from kvmlab.lab.links import ALIAS_PREFIX, owned_links
from kvmlab.lab.ownership import owned_domains, owned_networks
from kvmlab.lab.reach_plan import GUESTS, NETS, OUTSIDE_GUEST, guest

pytestmark = pytest.mark.reallab
NS = lab.NETNS
SCRATCH = ("kvmlab-net12-t1", "kvmlab-net12-t2")  # the test's own namespaces, for a way out that harms nothing


def ip(*args: str, check: bool = True) -> str:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check).stdout


def host_view() -> tuple[str, str]:
    """The host's own links and routes (its namespace, read only)."""
    return ip("-br", "link"), ip("route", "show", "table", "all")


@pytest.fixture(scope="module")
def lab12():
    """Lesson 12's lab on the running real lab (never started or reset here), removed at the end."""
    if os.geteuid() != 0:
        pytest.fail("the real-lab tests need root", pytrace=False)
    if lab.mode()[0] != "netns":
        pytest.fail(f"kvmlab's own lab is not up in namespace {NS} (`sudo kvmlab lab up`): {lab.mode()[1]}",
                    pytrace=False)
    conn = kvmlab.connect(lab.lab_uri())
    lines: list[str] = []
    t0 = time.monotonic()
    made = rl.reach_lab(conn, progress=lines.append)
    made.seconds["total"] = time.monotonic() - t0
    print(f"\nlesson 12's lab: {made.seconds}")
    yield made
    rl.remove(conn)
    conn.close()


def test_the_lab_is_built_and_its_namespace_is_closed(lab12):
    assert lab12.live and lab12.containment is not None and lab12.containment.contained
    found = containment.inspect()
    kinds = dict(found.links)
    assert found.contained and kinds["kvmlab-net12br"].startswith("a bridge")
    assert {NETS[m].bridge for m in NETS} <= set(kinds)
    assert sum(what.startswith("a tap") for what in kinds.values()) >= len(GUESTS)
    assert set(lab12.addresses) == {g.name for g in GUESTS}
    assert lab12.address("bridge", "b") == "203.0.113.11" and lab12.address("nat").startswith("10.112.1.")
    assert lab12.seconds["boot"] < 60, f"eleven guests took {lab12.seconds['boot']:.0f} s to boot"


@pytest.fixture
def scratch():
    """Two namespaces of the test's own (never the host's, never the lab's); deleted afterwards."""
    for ns in SCRATCH:
        ip("netns", "add", ns)
    try:
        yield SCRATCH
    finally:
        for ns in SCRATCH:
            ip("netns", "del", ns, check=False)


def test_a_namespace_with_a_way_out_is_refused_before_any_ping(lab12, scratch, monkeypatch):
    a, b = scratch
    assert containment.inspect(a).contained  # only its loopback, no route
    ip("-n", a, "link", "add", "kvmlab-n12v2", "type", "veth", "peer", "name", "kvmlab-n12v3")  # both ends inside
    assert containment.inspect(a).contained, "a veth pair with both ends in the namespace goes nowhere"
    ip("-n", a, "link", "add", "kvmlab-n12v0", "type", "veth", "peer", "name", "kvmlab-n12v1", "netns", b)
    found = containment.inspect(a)
    assert not found.contained
    assert found.problems == ["kvmlab-n12v0 (veth) leads out: its peer is in another network namespace (nsid 0)"]
    ip("-n", a, "addr", "add", "198.51.100.1/24", "dev", "kvmlab-n12v0")
    ip("-n", a, "link", "set", "kvmlab-n12v0", "up")
    ip("-n", a, "route", "add", "default", "via", "198.51.100.2")
    found = containment.inspect(a)
    assert found.problems[1].startswith("a default IPv4 route via 198.51.100.2 dev kvmlab-n12v0 (table main)")
    # the lesson's own calls, pointed at that namespace: nothing is pinged, nothing is built
    source = lab12.console(guest("nat").name)
    before = source.log.stat().st_size
    source.close()
    monkeypatch.setattr(reach, "NAMESPACE", a)
    with pytest.raises(kvmlab.InvalidState) as info:
        reach.measure(lab12, live=True)
    assert info.value.message.startswith(f"refusing to ping from namespace {a}: kvmlab-n12v0 (veth) leads out")
    assert "a default IPv4 route" in info.value.message and f"ip -n {a} link del DEV" in info.value.hint
    assert source.log.stat().st_size == before, "a guest was typed into although the check refused"
    monkeypatch.setattr(rl, "NAMESPACE", a)
    with pytest.raises(kvmlab.InvalidState, match="refusing to ping"):
        rl.reach_lab(lab12.conn, progress=None)


@pytest.mark.parametrize("situation", list(reach.SITUATIONS))
def test_a_fresh_measurement_has_the_recordings_matrix(lab12, situation):
    host_before = host_view()
    m = reach.measure(lab12, situation, live=True, progress=None)
    assert m.live and m.header().startswith("LIVE on the real lab: 40 cells pinged from inside the guests")
    recorded = reach.recording(situation).shape()
    drift = {k: (v, recorded[k]) for k, v in m.shape().items() if v != recorded[k]}
    assert not drift, (f"the recording drifted from the real lab (cell: (now, recorded)) {drift}; re-record with "
                       "scripts/record_network_modes.py if the real lab changed")
    assert {k: c.reasoning.reaches for k, c in m.cells.items()} == {k: c.measured for k, c in m.cells.items()}
    assert m.seconds < 20 and all(c.ping.command.startswith(("ping -c 1 -W 2 ", "ping -c 1 -W 3 "))
                                  for c in m.cells.values())  # fmt: skip
    assert all(c.ping.tries == 1 or c.ping.verdict.endswith("asked twice") or c.ping.reached for c in m.cells.values())
    assert host_view() == host_before, "the host's own links or routes changed"
    print(f"\n{situation}: 40 pings in {m.seconds:.1f} s\n{m}")


def test_the_matrix_from_inside_the_guests(lab12):
    m = reach.measure(lab12, live=True, progress=None)
    cells = {k: c.measured for k, c in m.cells.items()}
    assert cells["nat", "outside"] and not cells["outside", "nat"]  # NAT: out yes, in no
    assert cells["nat", "route"] and not cells["route", "nat"]  # across networks: one way only
    assert cells["route", "outside"] and cells["outside", "route"] and cells["outside", "open"]
    assert not any(cells["isolated", d] for d in ("nat", "route", "open", "bridge", "outside"))
    assert cells["isolated", "isolated"] and cells["isolated", "host"]
    assert cells["bridge", "outside"] and cells["outside", "bridge"] and not cells["bridge", "nat"]
    # the isolated guest's own view: no default route, and ping gives up at once
    status, out = lab12.run(guest("isolated").name, "ip route; ping -c 1 -W 2 203.0.113.1")
    assert status == 1 and "ping: sendto: Network is unreachable" in out
    assert not [ln for ln in out if ln.startswith("default")]
    status, out = lab12.run(OUTSIDE_GUEST.name, "ip route")
    assert "10.112.0.0/16 via 203.0.113.2 dev eth0" in [" ".join(ln.split()) for ln in out]


def fwi_counters() -> dict[str, int]:
    """Packets each LIBVIRT_FWI rule has matched, by its rule text (iptables -v, in the lab's namespace)."""
    out = subprocess.run(["ip", "netns", "exec", NS, "iptables", "-v", "-x", "-n", "-L", "LIBVIRT_FWI"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = {}
    for ln in out.splitlines()[2:]:
        cols = ln.split()
        if len(cols) > 6:
            rows[" ".join(cols[2:])] = int(cols[0])
    return rows


def test_the_rule_that_refused_a_ping_counted_it(lab12):
    """outside → nat guest: the kernel's own counter of libvirt's REJECT rule for the NAT bridge goes up."""
    nat = NETS["nat"].bridge
    reject = lambda rows: sum(n for r, n in rows.items() if r.startswith("REJECT") and f" {nat} " in f" {r} ")  # noqa: E731
    before = fwi_counters()
    status, out = lab12.run(OUTSIDE_GUEST.name, f"ping -c 1 -W 2 {lab12.address('nat')}")
    after = fwi_counters()
    assert status == 1 and "0 packets received" in " ".join(out)
    assert reject(after) >= reject(before) + 1
    status, _ = lab12.run(OUTSIDE_GUEST.name, f"ping -c 1 -W 2 {lab12.address('route')}")
    assert status == 0  # the routed network's ACCEPT, not its REJECT


def test_the_evidence_is_the_namespaces_own(lab12):
    ev = reach_evidence.gather()
    rules = subprocess.run(["ip", "netns", "exec", NS, "iptables", "-S"], capture_output=True, text=True,
                           check=True).stdout.splitlines()  # fmt: skip
    assert [r for r in rules if "kvmlab-net12" in r] == [r for r in ev.filter_rules if not r.startswith("-P")]
    assert not [r for r in rules if "kvmlab-net12opn" in r]  # open mode: libvirt added no rule at all
    assert "203.0.113.0/24 dev kvmlab-net12br proto kernel scope link src 203.0.113.2" in ev.routes
    assert "dhcp-option=3" in ev.dnsmasq["isolated"] and ev.ip_forward == "1"


def test_nothing_is_outside_the_namespace_and_reset_would_find_it_all(lab12):
    links, routes = host_view()
    assert "kvmlab-net12" not in links and "10.112." not in routes and "203.0.113." not in routes
    v = lab12.conn.virconn
    assert {g.name for g in GUESTS} <= {d.name() for d in owned_domains(v)}
    assert {n.name for n in NETS.values()} <= {n.name() for n in owned_networks(v)}
    (br,) = [lk for lk in owned_links() if lk["ifname"] == NETS["bridge"].bridge]
    assert br["ifalias"].startswith(ALIAS_PREFIX)
    host_ns = json.loads(ip("-j", "link", "show"))
    assert not [lk for lk in host_ns if lk["ifname"].startswith("kvmlab")]


def test_the_route_back_is_put_back_after_the_other_situation(lab12):
    reach.measure(lab12, "no route back", live=True, progress=None)
    _, out = lab12.run(OUTSIDE_GUEST.name, "ip route")
    assert any(ln.startswith("10.112.0.0/16 via 203.0.113.2") for ln in out)


def test_a_guest_that_never_says_so_is_named_with_its_console(lab12):
    said: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(ConsoleTimeout) as info:
        wait_all(lab12.conn, [guest("open").name], "KVMLAB-NEVER-PRINTED", 1.5, said.append, "ready")
    assert time.monotonic() - t0 < 5
    assert info.value.message == "1 guest(s) not ready within 1.5 s: kvmlab-net12-open-a (the console below is " \
                                 "kvmlab-net12-open-a's)"
    assert info.value.tail and info.value.log.endswith("kvmlab-net12-open-a.serial.log")


def test_the_exercise_checks_measure_live(lab12):
    right = {("route", "outside"), ("outside", "route"), ("open", "outside"), ("outside", "open"),
             ("route", "bridge"), ("bridge", "route"), ("open", "bridge"), ("bridge", "open")}
    done = lesson12.check_route_back(lab12, right)
    assert done.details[0] == "measured just now from inside the guests"
    with pytest.raises(ExerciseFailed, match=re.escape("nat guest → the outside does not change")):
        lesson12.check_route_back(lab12, right | {("nat", "outside")})
    assert lesson12.check_build_servers(lab12, "nat").details[-1].startswith("checked against the matrix measured just now")
    assert lesson12.check_isolated_line(lab12.conn, f"virsh net-dumpxml {NETS['isolated'].name}")
