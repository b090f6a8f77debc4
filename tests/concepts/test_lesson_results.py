"""The results the lessons 1-5 print in one call: each reads what it says from libvirt, QEMU or /proc.

Where a demo runs only on the real lab (the tap's two sides, the crashes, the lab's networks), the
embedded path is tested here; tests/lab/test_lessons_real.py runs the lessons on the real lab.
"""

from __future__ import annotations

import dataclasses
import shutil

import libvirt
import pytest
from lxml import etree

import kvmlab
import kvmlab.lab
from kvmlab.concepts import crash, hardware, network_modes, qemu_view, tap_demo, virsh_compare, voices
from kvmlab.specs import NetworkSpec
from kvmlab.specs.rng import rng_problems

QEMU = hardware.qemu_binary()
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")
needs_virsh = pytest.mark.skipif(shutil.which("virsh") is None, reason="virsh is not installed")


@pytest.fixture
def host(conn):
    return kvmlab.lab.course_host(conn)


# --- lesson 1 -----------------------------------------------------------------------------------------

@needs_virsh
def test_real_virsh_prints_what_print_result_writes(conn):
    run = virsh_compare.real_virsh(kvmlab.embedded_uri(), "list", "--all")
    assert run.returncode == 0 and run.same_as(conn.list(all=True))
    assert not run.same_as("something else")
    assert str(run).startswith("$ virsh -c test://…/kvmlab/data/embedded-host.xml list --all\n Id   Name")
    assert run.argv[2] == kvmlab.embedded_uri()  # the real path ran; only the shown one is shortened


def test_a_missing_virsh_is_said_not_compared():
    run = virsh_compare.RealVirsh(["virsh", "-c", "test:///default", "list"], installed=False)
    assert run.same_as("anything") and str(run).endswith("apt-get install libvirt-clients)\n")


@needs_virsh
def test_a_session_is_one_connection_in_both_virshes():
    s = virsh_compare.session(kvmlab.embedded_uri(), "suspend web01\nlist\nquit\n")
    assert s.same is True and str(s).endswith("virsh prints the same bytes: True")
    assert " 1    web01   paused" in s.ours and "Domain 'web01' suspended" in s.ours


def test_shown_uri_shortens_only_the_checkouts_node_files():
    from kvmlab.lab.course import shown_uri

    assert shown_uri(kvmlab.embedded_uri()) == "test://…/kvmlab/data/embedded-host.xml"
    assert shown_uri("qemu:///system") == "qemu:///system" and shown_uri("test:///default") == "test:///default"


def test_the_client_library_cannot_reach_a_socket_nobody_listens_on():
    v = voices.unreachable_daemon()
    assert v.lines == ["error: failed to connect to the hypervisor",
                       f"error: Failed to connect socket to '{voices.NO_SOCKET}': No such file or directory"]


@needs_qemu
def test_qemu_speaks_first_with_its_own_name():
    v = voices.qemu_refuses()
    assert not v.quoted and len(v.lines) == 1
    assert v.lines[0].startswith("qemu-system-x86_64: -m 64X: ")


def test_the_embedded_lab_has_no_qemu_processes(conn):
    seen = qemu_view.domain_processes(conn)
    assert seen.qemus == [] and seen.domains == []
    assert str(seen).startswith("embedded lab: libvirt's test driver answers inside this Python process")


# --- lesson 2 -----------------------------------------------------------------------------------------

def test_the_crash_demo_runs_nothing_on_the_embedded_lab(conn):
    before = {d.name(): d.state()[0] for d in conn.virconn.listAllDomains(0)}
    demo = crash.demo(conn)
    assert demo.reports == [] and demo.guest == "kvmlab-guest"
    text = str(demo)
    assert "there is no guest kernel here to crash" in text
    assert "<panic model='isa'/>" in text and "keeps showing 'running'" in text
    assert {d.name(): d.state()[0] for d in conn.virconn.listAllDomains(0)} == before


# --- lesson 3 -----------------------------------------------------------------------------------------

@needs_qemu
def test_a_paused_tcg_qemu_has_a_tcg_vcpu_thread_and_no_kvm_file():
    seen = qemu_view.look("tcg")
    assert seen.vcpu_threads == ["CPU 0/TCG"] and seen.kvm_files == [] and seen.status == "prelaunch"
    assert [ids for _, _, ids in seen.pci][-1] == "1af4:1000"  # the one virtio-net-pci we asked for
    assert "-name kvmlab-demo,debug-threads=on" in str(seen).splitlines()[0]  # without it: no thread names


def test_kvm_look_says_why_it_starts_nothing_without_dev_kvm():
    probe = hardware.KvmProbe(False, False, None, None, [], True)
    seen = qemu_view.look("kvm", probe)
    assert seen.skipped == "no usable /dev/kvm here: no /dev/kvm: QEMU can only emulate the CPU (TCG)"
    assert "CPU 0/KVM" in str(seen)


# --- lesson 4 -----------------------------------------------------------------------------------------

def test_network_table_is_what_libvirt_holds(conn):
    rows = {r.name: r for r in network_modes.network_table(conn).rows}
    assert list(rows) == conn.net_list(all=True).names
    for name, row in rows.items():
        spec = NetworkSpec.from_xml(conn.virconn.networkLookupByName(name).XMLDesc(0))
        assert (row.mode, row.bridge) == (spec.mode, spec.bridge)
    assert rows["default"].subnets == ("192.168.122.1/24",) and rows["host-bridge"].subnets == ()
    assert "no <ip>: the LAN gives addresses" in str(network_modes.network_table(conn))


def test_only_isolated_has_no_way_out(conn):
    ways = {w.network: w for w in network_modes.ways_out(conn).rows}
    assert {n for n, w in ways.items() if not w.reaches_outside} == {"isolated"}
    assert ways["isolated"].edges == ()
    assert ways["default"].edges == ("host --[NAT (masquerade)]-- outside",)
    assert ways["host-bridge"].from_outside.startswith("yes") and ways["isolated"].from_outside == "no"


def test_lab_networks_make_nothing_where_no_kernel_holds_them(conn, host):
    before = conn.net_list(all=True).names
    assert str(network_modes.lab_networks(conn, host)).startswith("embedded lab: the networks above")
    session = dataclasses.replace(host, backend="qemu", can_start_networks=False)
    assert str(network_modes.lab_networks(conn, session)).startswith("qemu:///session: no virtual network")
    assert conn.net_list(all=True).names == before


def test_a_network_lesson_keeps_a_connection_that_can_start_networks(conn):
    same, host = kvmlab.lab.network_course_host(conn)
    assert same is conn and host.can_start_networks and host.notes == ()


def test_mode_forms_define_and_remove_one_network(conn):
    pytest.importorskip("ipywidgets")
    from kvmlab.widgets import ModeForms

    forms = ModeForms(conn)
    try:
        assert list(forms.forms) == ["nat", "route", "open", "isolated", "bridge"]
        assert forms["bridge"].bridge.value == "br0" and forms["route"].address.value == "192.168.151.1"
        assert forms.summary().count(": valid\n") == 5
        forms["route"].define_start_button.click()
        assert conn.virconn.networkLookupByName("lab-route").isActive()
        assert forms.remove("route") == "Network lab-route destroyed\nNetwork lab-route has been undefined\n"
        forms["open"].define_button.click()  # defined, never started: nothing to destroy
        assert forms.remove("open") == "Network lab-open has been undefined\n"
        assert not {"lab-route", "lab-open"} & set(conn.net_list(all=True).names)
    finally:
        forms.close()


# --- lesson 5 -----------------------------------------------------------------------------------------

def test_the_tap_demo_starts_nothing_on_the_embedded_lab(conn, host):
    before = sorted(d.name() for d in conn.virconn.listAllDomains(0))
    sides = tap_demo.both_sides(conn, host)
    assert sides.libvirt is None and sides.macs == []
    assert str(sides).startswith("embedded lab: libvirt's test driver only describes bridges and taps")
    session = dataclasses.replace(host, backend="qemu", can_start_networks=False)
    assert "no bridge exists to look at" in str(tap_demo.both_sides(conn, session))
    assert sorted(d.name() for d in conn.virconn.listAllDomains(0)) == before
    with pytest.raises(libvirt.libvirtError):
        conn.virconn.lookupByName(tap_demo.DEMO_GUEST)


def test_the_tap_demo_guest_is_valid_and_has_one_virtio_nic():
    xml = tap_demo.demo_xml("kvmlab-nat")
    assert rng_problems("domain", xml) == []
    root = etree.fromstring(xml.encode())
    assert root.get("type") == "qemu" and root.findtext("name") == tap_demo.DEMO_GUEST
    nics = root.findall("devices/interface")
    assert len(nics) == 1 and nics[0].find("model").get("type") == "virtio"
    assert nics[0].find("source").get("network") == "kvmlab-nat" and root.find("devices/disk") is None


def test_bridge_creator_follows_the_mode(conn):
    from kvmlab.concepts import bridges

    made = {b.network: b.creator for b in bridges.libvirt_bridges(conn)}
    assert made["host-bridge"] == "already exists on the host"
    assert {made[n] for n in ("default", "isolated", "routed")} == {"libvirt creates it at net-start"}
