"""Lesson 5's bridge demo where no kernel bridge exists: the embedded lab says what is simulated and shows
the real lab's recording, labelled as one; nothing runs and nothing changes. The live run is
tests/lab/test_bridge_demo_real.py's."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest

import kvmlab
from kvmlab.concepts import bridge_demo
from kvmlab.lab.links import ALIAS_PREFIX, DEMO_BRIDGE, alias_for, borrowed
from kvmlab.lab.ownership import NAME_PREFIX
from kvmlab.lab.paths import NETNS


def _host_links() -> str:
    return subprocess.run(["ip", "-br", "link"], capture_output=True, text=True, check=True).stdout


def test_the_embedded_lab_says_it_is_simulated_and_shows_a_labelled_recording(conn):
    before = _host_links()
    demo = bridge_demo.run(conn)
    text = str(demo)
    assert demo.live is False
    assert "libvirt's test driver" in demo.reason and "No kernel holds them" in demo.reason
    first, second, third = text.splitlines()[:3]
    assert first.startswith("SIMULATED HERE: nothing below ran now.")
    assert second.startswith(f"RECORDING of this demo on kvmlab's real lab, recorded {demo.recorded['at']} on ")
    assert demo.recorded["where"] in second and "did not run now" in second
    assert third == bridge_demo.HOW_TO_GO_LIVE and "KVMLAB_URI=qemu:///system" in third
    assert text.rstrip().endswith(f"{bridge_demo.HOW_TO_GO_LIVE}]") and "LIVE" not in text
    assert f"# ip -n {NETNS} link add {DEMO_BRIDGE} type bridge" in text
    assert f"# ip netns exec {NETNS} brctl show" in text
    assert _host_links() == before  # nothing ran


def test_live_is_refused_on_the_embedded_lab_with_the_way_to_the_real_one(conn):
    with pytest.raises(kvmlab.InvalidState) as info:
        bridge_demo.run(conn, live=True)
    assert "cannot run live here" in str(info.value) and "test driver" in str(info.value)
    assert info.value.hint == bridge_demo.HOW_TO_GO_LIVE


def test_the_recording_only_ever_touched_the_labs_namespace():
    rec = bridge_demo.recording()
    for cmd in rec.commands():
        words = cmd.split()
        in_ns = words[1:3] == ["-n", NETNS] or words[:4] == ["ip", "netns", "exec", NETNS]
        assert in_ns or words[:3] == ["virsh", "-c", "qemu:///system"], f"{cmd} is not confined to {NETNS}"


def test_the_recording_shows_the_tap_moving_and_coming_back():
    rec = bridge_demo.recording()
    assert (rec.bridge, rec.guest) == (DEMO_BRIDGE, "web01")
    assert rec.masters("before")[rec.tap] == rec.home
    assert rec.masters("after")[rec.tap] == rec.bridge
    assert rec.masters("restore")[rec.tap] == rec.home
    shape = {(phase, cmd): facts for phase, cmd, _ok, facts in rec.shape()}
    assert shape["brctl", f"ip netns exec {NETNS} brctl show"] == ((DEMO_BRIDGE, ("TAP",)), (rec.home, ()))
    assert shape["brctl", f"ip -n {NETNS} -d link show {DEMO_BRIDGE}"] == (("stp_state", "0"), ("lab alias", True))
    assert shape["restore", f"ip -n {NETNS} -br link show type bridge"] == (rec.home,)
    assert [ok for _p, cmd, ok, _f in rec.shape() if " ping " in cmd] == [True, False, True]
    assert {"at", "where"} <= set(rec.recorded) and "kernel" in rec.recorded["where"]


def test_a_drifted_output_changes_the_shape():
    rec = bridge_demo.recording()
    i = next(i for i, s in enumerate(rec.steps) if s.phase == "after" and s.command.endswith("link"))
    moved = dataclasses.replace(rec.steps[i], output=rec.steps[i].output.replace(f"master {rec.bridge}",
                                                                                 f"master {rec.home}"))
    drifted = dataclasses.replace(rec, steps=[*rec.steps[:i], moved, *rec.steps[i + 1:]])
    assert drifted.shape() != rec.shape()
    assert drifted.masters("after")[rec.tap] == rec.home


def test_a_missing_recording_is_a_clear_error(tmp_path):
    with pytest.raises(kvmlab.NotFound) as info:
        bridge_demo.recording(tmp_path / "none.json")
    assert "record_bridge_demo.py" in info.value.hint
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(kvmlab.NotFound):
        bridge_demo.recording(tmp_path / "bad.json")


def test_only_a_live_run_can_be_saved_as_the_recording(tmp_path):
    with pytest.raises(kvmlab.InvalidState):
        bridge_demo.save_recording(bridge_demo.recording(), tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_the_alias_marks_the_link_and_remembers_borrowed_ports():
    alias = alias_for({"vnet0": "kvmlab-nat0", "vnet3": "kvmlab-rt0"})
    assert alias.startswith(ALIAS_PREFIX) and len(alias) < 256  # IFALIASZ
    assert DEMO_BRIDGE.startswith(NAME_PREFIX) and len(DEMO_BRIDGE) <= 15  # the lab's name; IFNAMSIZ - 1
    assert borrowed(alias) == {"vnet0": "kvmlab-nat0", "vnet3": "kvmlab-rt0"}
    assert borrowed("my own bridge: vnet0 from br0") == {}  # not the lab's mark: nothing to put back
    assert json.loads(json.dumps(bridge_demo.recording().to_json()))["bridge"] == DEMO_BRIDGE


@pytest.mark.parametrize("bad", [None, "", "  ", 7, ["web01"]])
def test_a_guest_that_is_not_a_name_is_refused(conn, bad):
    with pytest.raises(kvmlab.InvalidInput) as info:
        bridge_demo.run(conn, bad)
    assert "virsh list" in info.value.hint
