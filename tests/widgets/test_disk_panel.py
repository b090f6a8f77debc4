"""DiskPanel: bars of allocation against capacity, create (thin or thick), clone and resize, each with
its virsh line and libvirt calls, and the pool read back after every click."""

from __future__ import annotations

import re

import pytest

from kvmlab.notebook import widget_text
from kvmlab.widgets import DiskPanel

from ..conftest import inventory
from .helpers import shows


@pytest.fixture
def panel(conn):
    p = DiskPanel(conn, "default")
    yield p
    p.close()


def _share(panel, name: str) -> float:
    """The filled part of ``name``'s bar, in percent, as drawn."""
    row = next(r for r in panel.bars.value.split("<tr>") if f"<code>{name}</code>" in r)
    return float(re.search(r"width:([0-9.]+)%", row).group(1))


def test_bars_are_allocation_over_capacity(conn, panel):
    assert panel.volume.options == tuple(conn.vol_list("default").names)
    web = conn.vol_info("web01.qcow2", pool="default")
    assert _share(panel, "web01.qcow2") == round(100 * web.allocation / web.capacity, 1) == 40.0
    assert "4.00 GiB of 10.00 GiB (40.0 %)" in widget_text(panel.bars.value)


def test_create_thin_then_thick(conn, panel):
    panel.new_name.value, panel.capacity.value, panel.format.value = "thin.raw", "1G", "raw"
    assert shows(panel.command.value, "virsh vol-create-as default thin.raw 1G --format raw --allocation 0")
    panel.create_button.click()
    assert conn.vol_info("thin.raw", pool="default").allocation == 0 and _share(panel, "thin.raw") == 0.0
    assert shows(panel.status.value, "Vol thin.raw created") and shows(panel.status.value, "pool.createXML(xml, 0)")
    panel.new_name.value, panel.thin.value = "thick.raw", False
    assert "--allocation" not in widget_text(panel.command.value)
    panel.create_button.click()
    assert _share(panel, "thick.raw") == 100.0 and "thick.raw" in panel.volume.options


def test_clone_and_resize_show_their_lines(conn, panel):
    panel.volume.value = "db01.qcow2"
    panel.clone_name.value = "db02.qcow2"
    panel.clone_button.click()
    assert "db02.qcow2" in conn.vol_list("default").names and "db02.qcow2" in panel.volume.options
    assert shows(panel.status.value, "virsh vol-clone db01.qcow2 db02.qcow2 --pool default")
    assert panel.volume.value == "db01.qcow2"  # the choice survives the refresh
    before = inventory(conn)
    panel.new_capacity.value = "30G"
    panel.resize_button.click()  # the test driver has no resize: virsh's lines and the hint
    assert inventory(conn) == before
    assert shows(panel.status.value, "error: Failed to change size of volume 'db01.qcow2' to 30G")
    assert shows(panel.status.value, "the real lab (qemu:///system) can")


def test_bad_input_teaches_and_changes_nothing(conn, panel):
    before = inventory(conn)
    panel.new_name.value, panel.capacity.value = "x.qcow2", "1.5G"
    panel.create_button.click()
    assert shows(panel.status.value, "error: Malformed size 1.5G")
    panel.clone_name.value = ""
    panel.volume.value = "web01.qcow2"
    panel.clone_button.click()
    assert shows(panel.status.value, "Option argument is empty")
    assert inventory(conn) == before


def test_a_stopped_pool_shows_why_it_has_no_bars(conn):
    p = DiskPanel(conn, "iso", events=False)
    assert p.volume.options == () and "pool-start iso" in p.bars.value
    p.clone_button.click()
    assert "pick a volume first" in p.status.value
    p.close()


def test_attach_on_the_test_driver_shows_its_refusal_and_changes_nothing(conn, panel):
    """libvirt's test driver has no attach call at all (lesson 16): the panel shows virsh's words for it."""
    before = conn.domblklist("web01").disks
    panel.volume.value, panel.guest.value, panel.target.value = "web01.qcow2", "web01", "vdb"
    panel.affects.value = "config"
    panel.attach_button.click()
    assert shows(panel.status.value, "virsh attach-disk web01 ")
    assert "--subdriver qcow2 --config" in widget_text(panel.status.value)
    assert "not supported" in widget_text(panel.status.value)
    assert conn.domblklist("web01").disks == before and conn.domblklist("web01", inactive=True).disks == before
    panel.detach_button.click()
    assert shows(panel.status.value, "virsh detach-disk web01 vdb --config")
    assert "No disk found whose source path or target is vdb" in widget_text(panel.status.value)


def test_attach_without_a_pick_says_what_to_do(conn):
    p = DiskPanel(conn, "default", events=False)
    try:
        p.volume.value, p.guest.value = None, None
        p.attach_button.click()
        assert "pick a volume and a guest first" in widget_text(p.status.value)
    finally:
        p.close()


def test_the_guest_list_is_the_hosts_domains(conn, panel):
    assert panel.guest.options == tuple(conn.list(all=True).names)
