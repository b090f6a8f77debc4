"""Lesson 5's bridge demo on the real lab: a real bridge in the lab's namespace, a guest's real tap on it.

Every fact is read from the kernel by the test itself (``ip -j``, ``bridge -j``), not from the demo's
transcript: the tap's master is the demo bridge while it runs, and afterwards the bridge is gone and the
tap is back on its own bridge, forwarding; the host's own links (``ip -br link`` on the host) never change.
A fresh run must have the shape of the recording shown on the embedded lab, so the recording cannot drift.
"""

from __future__ import annotations

import json
import subprocess

import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.concepts import bridge_demo, bridges
from kvmlab.lab.links import DEMO_BRIDGE, alias_for, owned_links

pytestmark = pytest.mark.reallab
NS = lab.NETNS


def host_links() -> str:
    """The host's own links, as `ip -br link` prints them in the host's namespace."""
    return subprocess.run(["ip", "-br", "link"], capture_output=True, text=True, check=True).stdout


def lab_links() -> dict[str, dict]:
    out = subprocess.run(["ip", "-n", NS, "-j", "-d", "link", "show"], capture_output=True, text=True, check=True)
    return {lk["ifname"]: lk for lk in json.loads(out.stdout)}


def port_state(tap: str) -> str:
    out = subprocess.run(["bridge", "-n", NS, "-j", "link", "show", "dev", tap], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return json.loads(out)[0]["state"]


@pytest.fixture(scope="module")
def lab5(real_lab):
    """The real lab with lesson 5's objects: web01 running on kvmlab-nat."""
    conn = kvmlab.connect(real_lab)
    lab.course_host(conn, progress=None)
    yield conn
    conn.close()


def web01_port(conn) -> tuple[str, str]:
    b = bridges.libvirt_bridge(conn, "kvmlab-nat")
    (tap,) = [p.tap for p in b.ports if p.domain == "web01"]
    return tap, b.bridge


def test_the_demo_moves_a_real_tap_onto_a_real_bridge_and_back(lab5):
    tap, home = web01_port(lab5)
    host_before = host_links()
    assert lab_links()[tap]["master"] == home and DEMO_BRIDGE not in lab_links()
    seen = {}

    def look(demo):
        seen["links"], seen["host"], seen["state"] = lab_links(), host_links(), port_state(tap)
        seen["owned"] = [lk["ifname"] for lk in owned_links()]

    demo = bridge_demo.run(lab5, "web01", live=True, during=look)
    # while it ran: the kernel had the tap on the demo bridge, a bridge marked as the lab's, in the namespace only
    during = seen["links"]
    assert during[tap]["master"] == DEMO_BRIDGE
    assert during[DEMO_BRIDGE]["linkinfo"]["info_kind"] == "bridge"
    assert during[DEMO_BRIDGE]["ifalias"] == alias_for({tap: home})
    assert seen["owned"] == [DEMO_BRIDGE] and seen["state"] == "forwarding"
    assert seen["host"] == host_before and DEMO_BRIDGE not in seen["host"]
    # afterwards: the bridge is gone, the tap is back on its own bridge and forwards; the host never changed
    after = lab_links()
    assert DEMO_BRIDGE not in after and after[tap]["master"] == home
    assert port_state(tap) == "forwarding"
    assert host_links() == host_before
    assert web01_port(lab5) == (tap, home)  # libvirt never noticed
    # the transcript says the same as the kernel did
    assert (demo.live, demo.tap, demo.home, demo.bridge) == (True, tap, home, DEMO_BRIDGE)
    assert demo.masters("before")[tap] == home and demo.masters("after")[tap] == DEMO_BRIDGE
    assert demo.masters("restore")[tap] == home
    pings = [s.status for s in demo.steps if " ping " in s.command]
    assert pings == [0, 1, 0], "the guest answers before, not while alone on the demo bridge, and again after"
    assert str(demo).startswith("LIVE on the real lab") and "RECORDING" not in str(demo)
    print(f"\nbridge demo on the real lab: {demo.seconds:.2f} s in all, {demo.waited_forwarding:.2f} s waiting "
          f"for STP; per phase {demo.phase_seconds}")


def test_a_fresh_run_has_the_shape_of_the_recording(lab5):
    fresh = bridge_demo.run(lab5, "web01", live=True)
    recorded = bridge_demo.recording()
    assert fresh.commands() and len(fresh.shape()) == len(recorded.shape())
    for now, then in zip(fresh.shape(), recorded.shape()):
        assert now == then, "the recording drifted from the real lab: re-record with scripts/record_bridge_demo.py"


def test_an_interrupted_demo_still_puts_everything_back(lab5):
    tap, home = web01_port(lab5)

    def interrupt(demo):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bridge_demo.run(lab5, "web01", live=True, during=interrupt)
    links = lab_links()
    assert DEMO_BRIDGE not in links and links[tap]["master"] == home


def test_lab_reset_removes_a_left_over_demo_bridge_and_nothing_else(lab5):
    tap, home = web01_port(lab5)
    ip = ["ip", "-n", NS, "link"]
    # what a demo killed half-way leaves behind, and a bridge of the learner's own in the namespace
    for argv in (["add", DEMO_BRIDGE, "type", "bridge"], ["set", DEMO_BRIDGE, "alias", alias_for({tap: home})],
                 ["set", tap, "master", DEMO_BRIDGE], ["add", "lrn-br", "type", "bridge"]):  # fmt: skip
        subprocess.run(ip + argv, check=True)
    host_before = host_links()
    try:
        with pytest.raises(kvmlab.InvalidState) as info:
            bridge_demo.run(lab5, "web01", live=True)  # it refuses to start over a left-over
        assert "lab reset" in info.value.hint
        report = lab.reset()
        assert f"Link {DEMO_BRIDGE} deleted (made by a lesson in namespace {NS}; {tap} back on {home})" in report.lines
        links = lab_links()
        assert DEMO_BRIDGE not in links and "lrn-br" in links
        assert host_links() == host_before
        assert lab.reset().lines == ["nothing to reset: the lab owns no domain, network or pool here"]
    finally:
        subprocess.run(ip + ["del", "lrn-br"], check=False)
        subprocess.run(ip + ["del", DEMO_BRIDGE], check=False, capture_output=True)
        lab.course_host(lab5, progress=None)  # the reset removed the stand-ins: the next tests want them


def test_bad_guests_are_refused_before_anything_changes(lab5):
    before = lab_links()
    with pytest.raises(kvmlab.NotFound):
        bridge_demo.run(lab5, "no-such-guest", live=True)
    with pytest.raises(kvmlab.InvalidState) as info:
        bridge_demo.run(lab5, "backup", live=True)  # shut off: no tap
    assert "virsh start backup" in info.value.hint
    assert set(lab_links()) == set(before)
