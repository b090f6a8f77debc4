"""lab.disk_host and lab.DiskGuest on the embedded lab: the pool, what this backend can show, and a
guest that says what the real lab does instead of failing (tests/lab/test_disk_real.py boots it)."""

from __future__ import annotations

import pytest

import kvmlab.lab as lab
from kvmlab import InvalidInput

from .conftest import inventory


def test_the_embedded_lab_has_a_pool_and_no_guest(conn):
    host = lab.disk_host(conn)
    assert (host.backend, host.pool, host.sees_files, host.can_boot) == ("embedded", "default", False, False)
    assert host.embedded and host.name("data.raw") == "kvmlab-disk-data.raw"
    text = str(host)
    assert text.startswith("backend:           embedded (test://…/kvmlab/data/embedded-host.xml)\n")
    assert "vol-upload, vol-download and vol-resize are not in it" in text and host.uri == conn.uri


def test_test_default_uses_its_own_pool():
    import kvmlab

    with kvmlab.connect("test:///default") as c:
        host = lab.disk_host(c)
        assert (host.backend, host.pool, host.shown_uri) == ("test", "default-pool", "test:///default")


def test_the_guest_steps_say_what_the_real_lab_does_and_change_nothing(conn):
    host = lab.disk_host(conn)
    before = inventory(conn)
    guest = lab.DiskGuest(conn, host, "web01.qcow2")
    steps = [guest.boot(), guest.write("hello"), guest.reboot(), guest.read()]
    assert all(s.skipped for s in steps) and inventory(conn) == before
    assert str(steps[0]).startswith("embedded lab: nothing boots here, so this step (boot) did not run.\n")
    assert "KVMLAB_URI=qemu:///system" in str(steps[3]) and steps[3].answer == ""
    assert guest.remove() == []


@pytest.mark.parametrize("text", ["it's", "a\nb", "", "x" * 201, "$(reboot)", b"bytes"])
def test_only_plain_notes_are_written(conn, text):
    guest = lab.DiskGuest(conn, lab.disk_host(conn), "web01.qcow2")
    with pytest.raises(InvalidInput) as info:
        guest.write(text)
    assert "letters, digits" in info.value.hint


def test_the_guest_is_the_labs_by_name(conn):
    with pytest.raises(InvalidInput, match="does not start with kvmlab-"):
        lab.DiskGuest(conn, lab.disk_host(conn), "web01.qcow2", name="web01")
