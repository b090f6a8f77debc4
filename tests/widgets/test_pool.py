"""PoolForm (each type, define-build-start with progress), PoolDashboard, VolumePanel."""

from __future__ import annotations

import pytest

from kvmlab import KvmlabError
from kvmlab.units import UNITS
from kvmlab.widgets import PoolDashboard, PoolForm, VolumePanel

from ..conftest import inventory
from .helpers import shows, twin, wait_for


@pytest.fixture
def form(conn):
    f = PoolForm(conn)
    yield f
    f.close()


@pytest.fixture
def pools(conn):
    d = PoolDashboard(conn)
    yield d
    d.close()


@pytest.fixture
def vols(conn):
    v = VolumePanel(conn, "default")
    yield v
    v.close()


def test_define_build_start_with_progress(conn, form):
    form.autostart.value = True
    form.setup_button.click()
    info = conn.pool_info("lab")
    assert (info.state, info.autostart, info.persistent) == ("running", True, True)
    assert form.progress.value == form.progress.max == 5 and form.progress.bar_style == "success"
    for line in ("virsh pool-build lab", "virsh pool-start lab", "virsh pool-autostart lab", "virsh pool-info lab"):
        assert shows(form.status.value, line)


@pytest.mark.parametrize("kind, fields", [
    ("dir", {}),
    ("fs", {"source_devices": "/dev/sdb1"}),
    ("netfs", {"source_host": "nfs.example.org", "source_dir": "/srv/images"}),
    ("logical", {"source_name": "vg_lab", "source_devices": "/dev/sdc"}),
])  # fmt: skip
def test_each_type_defines(conn, form, kind, fields):
    form.name.value, form.pool_type.value = f"p-{kind}", kind
    for field, value in fields.items():
        getattr(form, field).value = value
    assert "✔" in form.messages.value, form.messages.value
    form.define_button.click()
    assert f"p-{kind}" in conn.pool_list(all=True).names
    assert f"type=\"{kind}\"" in conn.pool_dumpxml(f"p-{kind}").xml.replace("'", '"')


@pytest.mark.parametrize("change, shown", [
    ({"target": "relative/path"}, "is relative"),
    ({"pool_type": "netfs"}, "needs the server"),
    ({"pool_type": "fs"}, "block device"),
    ({"name": ""}, "name"),
])  # fmt: skip
def test_bad_pool_teaches_and_changes_nothing(conn, form, change, shown):
    for field, value in change.items():
        getattr(form, field).value = value
    assert shows(form.messages.value, shown)
    before = inventory(conn)
    form.define_button.click()
    form.setup_button.click()
    assert inventory(conn) == before
    assert "kvmlab-error" in form.status.value and shows(form.status.value, shown)


def test_type_picks_its_source_fields(form):
    form.pool_type.value = "netfs"
    assert form.source_box.children == (form.source_host, form.source_dir, form.source_format)
    assert form.source_format.value == "nfs"
    form.pool_type.value = "dir"
    assert form.source_box.children == () and form.source_format.value == ""


def test_pool_dashboard_buttons_and_events(conn, pools):
    assert pools.names == conn.pool_list(all=True).names
    pools.row("iso").start_button.click()
    assert conn.pool_info("iso").state == "running" and pools.state("iso").startswith("running")
    assert shows(pools.status.value, "virsh pool-start iso")
    pools.row("iso").destroy_button.click()
    assert conn.pool_info("iso").state == "inactive"
    conn.virconn.storagePoolLookupByName("iso").create(0)  # elsewhere
    # the events of the two clicks arrive on libvirt's event thread too, perhaps after this create:
    # wait for the refresh that the 'started' event itself triggered
    assert wait_for(lambda: "event: pool iso started" in pools.source.value)
    assert pools.state("iso").startswith("running")


def test_pool_dashboard_refusal(conn, pools):
    with twin() as other, pytest.raises(KvmlabError) as info:
        other.pool_undefine("default")
    before = inventory(conn)
    pools.row("default").undefine_button.click()
    assert inventory(conn) == before
    for line in info.value.virsh_error:
        assert shows(pools.status.value, f"error: {line}")


def test_volume_create_and_delete(conn, vols):
    assert vols.volumes.options == tuple(conn.vol_list("default").names)
    vols.new_name.value, vols.capacity.value, vols.capacity_unit.value = "scratch.qcow2", 2, "GiB"
    assert shows(vols.command.value, "virsh vol-create-as default scratch.qcow2 2GiB --format qcow2")
    vols.create_button.click()
    assert "scratch.qcow2" in conn.vol_list("default").names and "scratch.qcow2" in vols.volumes.options
    assert conn.vol_info("scratch.qcow2", pool="default").capacity == 2 * UNITS["GiB"]
    assert shows(vols.status.value, "Vol scratch.qcow2 created")
    vols.volumes.value = "scratch.qcow2"
    vols.delete_button.click()
    assert "scratch.qcow2" not in conn.vol_list("default").names and "scratch.qcow2" not in vols.volumes.options
    assert shows(vols.status.value, "virsh vol-delete scratch.qcow2 --pool default")


def test_gb_is_not_gib(conn, vols):
    vols.new_name.value, vols.capacity.value, vols.capacity_unit.value = "decimal.img", 1, "GB"
    vols.format.value = "raw"
    vols.create_button.click()
    assert conn.vol_info("decimal.img", pool="default").capacity == 10**9


@pytest.mark.parametrize("name, capacity", [("neg.qcow2", -1), ("", 1), ("bad<name", 1)])
def test_bad_volume_teaches_and_changes_nothing(conn, vols, name, capacity):
    vols.new_name.value, vols.capacity.value = name, capacity
    with twin() as other, pytest.raises(KvmlabError) as info:
        other.vol_create_as("default", name, f"{capacity}GiB", format="qcow2")
    before = inventory(conn)
    vols.create_button.click()
    assert inventory(conn) == before
    for line in info.value.virsh_error:
        assert shows(vols.status.value, f"error: {line}")


def test_inactive_pool_teaches_instead_of_listing(conn, vols):
    vols.pool.value = "iso"
    assert vols.volumes.options == () and "kvmlab-error" in vols.listing.value
    assert "pool-start" in vols.listing.value
    conn.pool_start("iso")
    assert wait_for(lambda: vols.volumes.options == tuple(conn.vol_list("iso").names))  # pool event
