"""QemuFlagsBuilder: fields -> flags -> XML, typed flags -> fields, XML -> flags, and define."""

from __future__ import annotations

import shlex

import pytest

from kvmlab.concepts.qemuflags import flags_to_spec, spec_to_flags
from kvmlab.specs import DomainSpec
from kvmlab.widgets import QemuFlagsBuilder

from ..conftest import inventory
from .helpers import shows

IMG = "/var/lib/libvirt/images"


@pytest.fixture
def qb(conn):
    b = QemuFlagsBuilder(conn)
    yield b
    b.close()


def test_fields_write_the_command_and_the_xml(qb):
    qb.memory.value, qb.smp.value = 2048, 2
    assert qb.command.value == shlex.join(qb.argv())
    assert "-m 2048 -smp 2" in qb.command.value
    spec = DomainSpec.from_xml(qb.xml.value)
    assert (spec.memory, spec.vcpus, spec.type) == (2048 * 1024, 2, "kvm")
    assert spec.to_xml() == flags_to_spec(qb.command.value).to_xml()
    assert shows(qb.mapping.value, "-m 2048") and shows(qb.mapping.value, '<memory unit="MiB">2048</memory>')
    qb.kvm.value = False
    assert "-enable-kvm" not in qb.command.value and DomainSpec.from_xml(qb.xml.value).type == "qemu"
    qb.disk_flag.value = "virtio"
    assert f"-drive file={IMG}/qemu1.qcow2,if=virtio,format=qcow2" in qb.command.value
    assert DomainSpec.from_xml(qb.xml.value).disks[0].bus == "virtio"


def test_a_typed_command_fills_the_fields(qb):
    qb.command.value = (f"qemu-system-x86_64 -name t1 -m 2G -smp 4 -drive file={IMG}/a.qcow2,if=virtio,format=qcow2 "
                        "-cdrom /var/lib/libvirt/iso/d.iso -boot order=dc")
    assert (qb.name.value, qb.memory.value, qb.smp.value, qb.kvm.value) == ("t1", 2048, 4, False)
    assert (qb.disk.value, qb.disk_flag.value) == (f"{IMG}/a.qcow2", "virtio")
    assert (qb.cdrom.value, qb.boot.value) == ("/var/lib/libvirt/iso/d.iso", "dc")
    assert "-m 2G" in qb.command.value  # the learner's spelling stays
    assert DomainSpec.from_xml(qb.xml.value).boot == ["cdrom", "hd"]


def test_edited_xml_goes_back_to_flags(qb):
    spec = DomainSpec.from_xml(qb.xml.value)
    spec.vcpus, spec.memory = 3, "3GiB"
    spec.add_interface(network="default")
    qb.xml.value = spec.to_xml()
    qb.to_flags_button.click()
    assert qb.command.value == shlex.join(spec_to_flags(spec))
    assert (qb.smp.value, qb.memory.value) == (3, 3072)
    assert "network interface" in qb.messages.value  # what flags here do not carry


def test_define_registers_the_domain(conn, qb):
    qb.name.value = "fromflags"
    qb.define_button.click()
    info = conn.dominfo("fromflags")
    assert (info.max_memory_kib, info.cpus) == (1024 * 1024, 1)
    assert shows(qb.status.value, "Domain 'fromflags' defined")


@pytest.mark.parametrize("command, shown", [
    ("qemu-system-x86_64 -m 12X", "Parameter 'size' expects"),
    ("qemu-system-x86_64 -smp 0", "at least one vCPU"),
    ("qemu-system-x86_64 -name x -hda relative.img", "relative path"),
    ("qemu-system-x86_64 -m 512", "no <name>"),
])  # fmt: skip
def test_bad_flags_teach_and_define_changes_nothing(conn, qb, command, shown):
    qb.command.value = command
    assert shows(qb.messages.value, shown)
    before = inventory(conn)
    qb.define_button.click()
    assert inventory(conn) == before
    assert "kvmlab-error" in qb.status.value and shows(qb.status.value, shown)


def test_bad_xml_is_reported(qb):
    qb.xml.value = "<domain><name>x</name>"
    before = qb.command.value
    qb.to_flags_button.click()
    assert "not well-formed" in qb.messages.value and qb.command.value == before
