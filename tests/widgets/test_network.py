"""NetworkForm (every mode, subnet and DHCP checks) and NetworkDashboard (net-* buttons, events)."""

from __future__ import annotations

import pytest
from lxml import etree

from kvmlab import KvmlabError
from kvmlab.specs import xml_parser
from kvmlab.widgets import NetworkDashboard, NetworkForm

from ..conftest import inventory
from .helpers import shows, twin, wait_for


@pytest.fixture
def form(conn):
    f = NetworkForm(conn)
    yield f
    f.close()


@pytest.fixture
def nets(conn):
    d = NetworkDashboard(conn)
    yield d
    d.close()


def _net(conn, name: str):
    return etree.fromstring(conn.net_dumpxml(name).xml.encode(), xml_parser())


@pytest.mark.parametrize("mode", ["nat", "route", "isolated", "open", "bridge"])
def test_each_mode_defines_what_libvirt_keeps(conn, form, mode):
    form.name.value, form.mode.value = f"n-{mode}", mode
    form.bridge.value = "br0" if mode == "bridge" else "virbr20"
    assert "✔" in form.messages.value
    assert (form.ip_box.layout.display == "none") == (mode == "bridge")
    form.define_button.click()
    assert f"n-{mode}" in conn.net_list(all=True).names
    root = _net(conn, f"n-{mode}")
    forward = root.find("forward")
    assert (forward is None) if mode == "isolated" else forward.get("mode") == mode
    if mode == "bridge":
        assert root.find("ip") is None and root.find("bridge").get("name") == "br0"
    else:
        rng = root.find("ip/dhcp/range")
        assert (rng.get("start"), rng.get("end")) == ("192.168.150.2", "192.168.150.254")
    assert shows(form.status.value, f"virsh net-info n-{mode}")  # read back


def test_define_and_start_with_progress(conn, form):
    form.autostart.value = True
    with twin() as other:
        expected = other.net_define(form.spec())
    form.define_start_button.click()
    info = conn.net_info("lab")
    assert info.active and info.autostart and info.persistent
    assert form.progress.value == form.progress.max == 4 and form.progress.bar_style == "success"
    for line in (str(expected).strip(), "Network lab started", "virsh net-start lab", "virsh net-autostart lab"):
        assert shows(form.status.value, line)


@pytest.mark.parametrize("field, value, shown", [
    ("dhcp_start", "192.168.151.2", "is not inside the subnet 192.168.150.0/24"),
    ("dhcp_end", "192.168.150.1", "is reversed"),
    ("address", "192.168.150.0", "is the network address"),
    ("address", "300.1.1.1", "is not an IP address"),
    ("prefix", 40, "not valid"),
    ("dhcp_end", "192.168.150.255", "broadcast"),
    ("name", "", "no <name>"),
])  # fmt: skip
def test_subnet_and_dhcp_mistakes_teach_and_change_nothing(conn, form, field, value, shown):
    getattr(form, field).value = value
    assert shows(form.messages.value, shown)
    before = inventory(conn)
    form.define_button.click()
    form.define_start_button.click()
    assert inventory(conn) == before
    assert "kvmlab-error" in form.status.value and shows(form.status.value, shown)


def test_subnet_lesson_follows_the_prefix(form):
    form.prefix.value = 16
    assert "netmask 255.255.0.0" in form.subnet_note.value and "192.168.0.0/16" in form.subnet_note.value


def test_a_failing_step_stops_the_sequence(conn, form):
    form.name.value = "default"  # taken: libvirt refuses the define, nothing else runs
    before = inventory(conn)
    form.define_start_button.click()
    assert inventory(conn) == before
    assert form.progress.bar_style == "danger" and form.progress.value == 0
    assert "kvmlab-error" in form.status.value and "Network default started" not in form.status.value


def test_dashboard_rows_and_buttons(conn, nets):
    assert nets.names == conn.net_list(all=True).names
    nets.row("isolated").start_button.click()
    assert conn.net_info("isolated").active and nets.state("isolated").startswith("active")
    assert shows(nets.status.value, "Network isolated started")
    nets.row("isolated").autostart_button.click()
    assert conn.net_info("isolated").autostart and "autostart yes" in nets.state("isolated")
    nets.row("isolated").no_autostart_button.click()
    assert not conn.net_info("isolated").autostart
    nets.row("routed").info_button.click()
    assert shows(nets.status.value, conn.net_info("routed").virsh)
    nets.row("isolated").destroy_button.click()
    nets.row("isolated").undefine_button.click()
    assert "isolated" not in conn.net_list(all=True).names and "isolated" not in nets.names


@pytest.mark.parametrize("name, action", [("default", "undefine"), ("default", "start")])
def test_dashboard_teaches_on_refusal(conn, nets, name, action):
    with twin() as other, pytest.raises(KvmlabError) as info:
        getattr(other, f"net_{action}")(name)
    before = inventory(conn)
    getattr(nets.row(name), f"{action}_button").click()
    assert inventory(conn) == before
    assert shows(nets.status.value, f"virsh net-{action} {name}")
    for line in info.value.virsh_error:
        assert shows(nets.status.value, f"error: {line}")


def test_dashboard_follows_events(conn, nets):
    conn.virconn.networkLookupByName("isolated").create()
    assert wait_for(lambda: nets.state("isolated").startswith("active"))
    assert "event: network isolated started" in nets.source.value
