"""Lesson 16's guest on the embedded lab (what it says it cannot do), and the reading of the guest's answers.
The real guest is asked in tests/lab/test_hotplug_real.py."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState
from kvmlab.concepts.hotplug_guest import hotplug_lab, parse_view

ANSWER = [
    "major minor  #blocks  name", "", " 254        0       8192 vda", " 254       16       4096 vdb", "==", "vda",
    "vdb", "==", "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\\    link/loopback "
    "00:00:00:00:00:00 brd 00:00:00:00:00:00", "2: eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop qlen 1000\\    "
    "link/ether 52:54:00:af:0d:00 brd ff:ff:ff:ff:ff:ff",
]


def test_the_guests_answer_is_read_into_disks_and_links():
    view = parse_view(ANSWER)
    assert view.disks == [("vda", 8192), ("vdb", 4096)] and view.block == ["vda", "vdb"]
    assert view.links == [("lo", "00:00:00:00:00:00"), ("eth0", "52:54:00:af:0d:00")]
    assert "vda (8192 KiB), vdb (4096 KiB)" in view.text() and "eth0 52:54:00:af:0d:00" in view.text()


def test_an_empty_guest_reads_as_none():
    view = parse_view(["major minor  #blocks  name", "", "==", "==", "1: lo: <LOOPBACK> mtu 1\\ link/loopback "
                       "00:00:00:00:00:00 brd 00:00:00:00:00:00"])
    assert view.disks == [] and view.block == [] and "(none)" in view.text()


def test_the_embedded_lab_says_what_it_cannot_do(conn):
    lab = hotplug_lab(conn, "kvmlab-hot-t", progress=None)
    assert "backend:       embedded" in str(lab) and "no device can be hot-plugged" in str(lab)
    assert conn.dominfo(lab.domain).state == "running" and conn.domblklist(lab.domain).disks == []
    assert "no guest to ask" in lab.inside().text() and lab.cpus_inside() is None
    assert lab.disk.endswith("kvmlab-hot-t.img") and conn.vol_info(lab.volume, pool=lab.pool).capacity == 8 * 2**20
    again = hotplug_lab(conn, "kvmlab-hot-t", progress=None)  # a previous run's domain and volume go first
    assert again.domain == lab.domain
    assert "removed" in again.remove().message
    assert lab.domain not in conn.list(all=True).names


def test_names_outside_the_lab_are_refused(conn):
    with pytest.raises(InvalidInput, match="invalid lesson domain name"):
        hotplug_lab(conn, "mine", progress=None)
    conn.define("<domain type='test'><name>kvmlab-hot-u</name><memory>8192</memory><os><type>hvm</type></os>"
                "</domain>")
    with pytest.raises(InvalidState, match="is not the lab's"):
        hotplug_lab(conn, "kvmlab-hot-u", progress=None)
