"""DomainForm: fields -> XML preview -> define/create through the operations, read back from libvirt."""

from __future__ import annotations

import pytest
from lxml import etree

from kvmlab import KvmlabError
from kvmlab.specs import xml_parser
from kvmlab.units import UNITS
from kvmlab.widgets import DomainForm

from ..conftest import inventory
from .helpers import shows, twin


@pytest.fixture
def form(conn):
    f = DomainForm(conn)
    yield f
    f.close()


def _root(conn, name: str):
    return etree.fromstring(conn.dumpxml(name, inactive=True).xml.encode(), xml_parser())


def test_define_registers_the_domain_and_reads_it_back(conn, form):
    form.name.value = "vm1"
    form.memory.value, form.memory_unit.value = 1, "GiB"
    form.vcpus.value = 2
    form.boot.value = ["cdrom", "hd"]
    form.cdrom.value = "/var/lib/libvirt/iso/debian-12-netinst.iso"
    with twin() as other:
        expected = other.define(form.spec())
    form.define_button.click()
    assert "vm1" in conn.list(all=True).names
    info = conn.dominfo("vm1")
    assert (info.state, info.cpus, info.max_memory_kib, info.persistent) == ("shut off", 2, 1024 * 1024, True)
    root = _root(conn, "vm1")
    assert [b.get("dev") for b in root.findall("os/boot")] == ["cdrom", "hd"]
    assert [d.get("file") for d in root.findall("devices/disk/source")] == [
        "/var/lib/libvirt/images/vm1.qcow2", "/var/lib/libvirt/iso/debian-12-netinst.iso"]
    assert root.find("devices/interface/source").get("network") == "default"
    assert root.find("os/type").get("arch") == form.arch.value == "x86_64"
    assert shows(form.status.value, str(expected).strip())
    assert shows(form.status.value, expected.virsh)
    assert shows(form.status.value, expected.api[0])
    assert shows(form.status.value, "virsh dominfo vm1")  # the read-back is shown too


def test_create_starts_a_transient_domain(conn, form):
    form.name.value = "scratch"
    form.create_button.click()
    info = conn.dominfo("scratch")
    assert info.state == "running" and info.persistent is False
    assert shows(form.status.value, "virsh create")
    conn.destroy("scratch")
    assert "scratch" not in conn.list(all=True).names  # transient: gone once stopped


@pytest.mark.parametrize("amount, unit", [(512, "MiB"), (2, "GiB"), (786432, "KiB")])
def test_memory_units_teach_kib_and_reach_libvirt_exactly(conn, form, amount, unit):
    form.name.value = f"m{amount}"
    form.memory.value, form.memory_unit.value = amount, unit
    kib = amount * UNITS[unit] // 1024
    assert f"{kib} KiB" in form.memory_note.value
    assert "KB" in form.memory_note.value and "1000 bytes" in form.memory_note.value
    assert shows(form.preview.value, f'<memory unit="{unit}">{amount}</memory>')
    form.define_button.click()
    assert conn.dominfo(f"m{amount}").max_memory_kib == kib


def test_network_choices_come_from_libvirt(conn, form):
    assert [v for _, v in form.network.options] == ["", *conn.net_list(all=True).names]
    conn.net_define("<network><name>later</name></network>")
    form.refresh()
    assert "later" in [v for _, v in form.network.options]
    form.name.value, form.network.value = "nonic", ""
    form.define_button.click()
    assert _root(conn, "nonic").find("devices/interface") is None


@pytest.mark.parametrize("change, shown", [
    ({"vcpus": -1}, "would crash libvirt"),
    ({"vcpus": 0}, "vcpu"),
    ({"memory": -3}, "is not a size"),
    ({"name": ""}, "no <name>"),
    ({"os_type": "linux"}, "/domain/os/type"),
    ({"disk": "relative.qcow2"}, "relative path"),
])  # fmt: skip
def test_bad_input_teaches_and_changes_nothing(conn, form, change, shown):
    for field, value in change.items():
        getattr(form, field).value = value
    assert shows(form.messages.value, shown)
    before = inventory(conn)
    form.define_button.click()
    form.create_button.click()
    assert inventory(conn) == before
    assert "kvmlab-error" in form.status.value and shows(form.status.value, shown)
    assert shows(form.status.value, "virsh create")


def test_libvirt_refusal_is_shown_with_virsh_lines(conn, form):
    form.name.value = "web01"  # taken, with another UUID
    with twin() as other, pytest.raises(KvmlabError) as info:
        other.define(form.spec())
    before = inventory(conn)
    form.define_button.click()
    assert inventory(conn) == before
    assert shows(form.status.value, f"error: {info.value.virsh_error[0]}")
    assert "already exists" in form.status.value


def test_preview_is_the_spec_and_valid(form):
    form.name.value, form.vcpus.value = "p1", 3
    assert shows(form.preview.value, "<vcpu>3</vcpu>")
    assert "✔" in form.messages.value
