"""kvmlab.lab.lesson_guest on the embedded lab: a part-2 lesson's own guest, shaped like the real one.
The real-lab side (booted, leased, removed) is tests/lab/test_reach_real.py."""

from __future__ import annotations

import dataclasses

import pytest

import kvmlab
import kvmlab.lab
from kvmlab.lab.lesson_guest import EMBEDDED_MAC, EMBEDDED_UUID


def test_the_embedded_guest_is_made_running_and_tagged(conn):
    g = kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None)
    assert (g.name, g.network, g.real, g.embedded) == ("kvmlab-reach", "default", False, True)
    assert g.made == ("Domain 'kvmlab-reach' defined (a description: the test driver boots nothing)",
                      "Domain 'kvmlab-reach' started")
    dom = conn.virconn.lookupByName("kvmlab-reach")
    assert kvmlab.lab.is_owned(dom) and dom.isPersistent() and dom.UUIDString() == EMBEDDED_UUID
    assert conn.domiflist("kvmlab-reach").macs == [EMBEDDED_MAC]
    assert conn.domblklist("kvmlab-reach").disks[0].source == g.disk
    assert "console=ttyS0" in conn.dumpxml("kvmlab-reach", xpath="/domain/os/cmdline").xml
    assert str(g).startswith("backend:          embedded (") and "serial console:   no (the test driver" in str(g)
    assert "there is no serial console" in g.notes[0]


def test_the_embedded_outputs_are_the_same_every_time():
    seen = []
    for _ in range(2):
        with kvmlab.connect() as c:
            g = kvmlab.lab.lesson_guest(c, "kvmlab-reach", progress=None)
            seen.append((c.domid(g.name).value, str(c.domifaddr(g.name)), str(c.domiflist(g.name))))
    assert seen[0] == seen[1] and seen[0][0] == "4" and "192.168.122.63/24" in seen[0][1]


def test_a_second_call_finds_it_and_a_paused_one_is_resumed(conn):
    kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None)
    again = kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None)
    assert again.made == ()
    conn.suspend("kvmlab-reach")
    resumed = kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None)
    assert resumed.made == ("Domain 'kvmlab-reach' resumed",)
    conn.destroy("kvmlab-reach")
    assert kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None).made == ("Domain 'kvmlab-reach' started",)


def test_a_learners_domain_of_that_name_is_never_touched(conn):
    conn.virconn.defineXML("<domain type='test'><name>kvmlab-mine</name><memory unit='MiB'>64</memory>"
                           "<os><type>hvm</type></os></domain>")
    with pytest.raises(kvmlab.InvalidState, match="not the lab's"):
        kvmlab.lab.lesson_guest(conn, "kvmlab-mine", progress=None)
    assert conn.domstate("kvmlab-mine").state == "shut off"


@pytest.mark.parametrize("name", ["web01", "reach", "kvmlab-", "kvmlab-a b", 42, None])
def test_a_lesson_guest_is_named_as_the_labs(conn, name):
    with pytest.raises(kvmlab.InvalidInput, match="invalid lesson guest name"):
        kvmlab.lab.lesson_guest(conn, name, progress=None)


def test_remove_takes_the_guest_away(conn):
    g = kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None)
    assert g.remove(conn) == ["Domain 'kvmlab-reach' destroyed", "Domain 'kvmlab-reach' has been undefined"]
    assert "kvmlab-reach" not in conn.list(all=True)


def test_dhcp_leases_asks_for_the_guests_card_and_says_why_without_one(conn):
    g = kvmlab.lab.lesson_guest(conn, "kvmlab-reach", progress=None)
    run = g.dhcp_leases(conn)  # the test driver refuses, as virsh on test:/// does
    assert run.line == f"net-dhcp-leases default --mac {EMBEDDED_MAC}" and run.exit_code == 1
    assert "virNetworkGetDHCPLeases" in run.stderr
    cardless = dataclasses.replace(g, network="")  # as on qemu:///session: no virtual networks
    assert "no network card" in cardless.dhcp_leases(conn) and "virsh net-dhcp-leases" in cardless.dhcp_leases(conn)
