"""course_host on the embedded lab: the shipped names, and nothing changes."""

from __future__ import annotations

import pytest

import kvmlab
import kvmlab.lab
from kvmlab.lab.course import EMBEDDED_NAMES, PAUSED, RUNNING, SHUT_OFF
from kvmlab.specs import DomainSpec

from .conftest import inventory


def test_embedded_host_names_the_shipped_objects_and_changes_nothing(conn):
    before = inventory(conn)
    host = kvmlab.lab.course_host(conn)
    assert inventory(conn) == before
    assert (host.backend, host.nat, host.pool, host.bridge) == ("embedded", "default", "default", "host-bridge")
    assert host.can_start_networks and host.notes == () and host.made == ()
    assert set(conn.net_list(all=True).names) >= {EMBEDDED_NAMES[r] for r in ("nat", "isolated", "routed", "bridge")}
    assert set(conn.pool_list(all=True).names) == {EMBEDDED_NAMES["pool"], EMBEDDED_NAMES["iso"]}
    states = {d.name: d.state for d in conn.list(all=True).domains}
    assert states == {**{n: "running" for n in RUNNING}, **{n: "paused" for n in PAUSED},
                      **{n: "shut off" for n in SHUT_OFF}}  # fmt: skip
    assert host.domains == states  # what the lessons are told is what the embedded lab holds


def test_str_lists_roles_and_backend(conn):
    text = str(kvmlab.lab.course_host(conn))
    assert text.splitlines()[1] == "nat network:      default"
    assert "domains:          web01 (running), db01 (running), build (paused)" in text


def test_str_shows_the_embedded_file_relative_to_the_checkout(conn):
    """A lesson's stored output must not name the directory the course was cloned into."""
    host = kvmlab.lab.course_host(conn)
    first = str(host).splitlines()[0]
    assert first == "backend:          embedded (test://…/kvmlab/data/embedded-host.xml)"
    assert host.uri == kvmlab.embedded_uri() and host.uri.startswith("test:///")  # the real URI is kept
    other = kvmlab.lab.CourseHost(uri="qemu:///system", backend="qemu", nat="", isolated="", routed="", bridge="",
                                  pool="", iso="")
    assert other.shown_uri == "qemu:///system"


def test_domain_xml_is_the_spec_itself_on_the_embedded_lab(conn):
    spec = DomainSpec(name="vm1", memory="512MiB", vcpus=2)
    host = kvmlab.lab.course_host(conn)
    assert host.domain_xml(spec) == spec.to_xml()
    host.ready(conn, "web01")  # returns at once: the test driver has no guest to wait for
    conn.define(host.domain_xml(spec))
    assert conn.dominfo("vm1").max_memory_kib == 524288


def test_wait_state_returns_the_state_reached(conn):
    conn.shutdown("web01")
    assert kvmlab.lab.wait_state(conn, "web01", "shut off", timeout=5) == "shut off"
    assert kvmlab.lab.wait_state(conn, "db01", "shut off", timeout=0.3) == "running"  # bounded: gives up


def test_wait_state_on_a_missing_domain_teaches(conn):
    with pytest.raises(kvmlab.NotFound) as info:
        kvmlab.lab.wait_state(conn, "nosuch", "shut off", timeout=1)
    assert "virsh list --all" in info.value.hint
