"""The lab guest's domain XML, built on DomainSpec: the same document the raw-lxml builder wrote.

Pure unit tests: a GuestImage made of paths (nothing is built) and an explicit accelerator (nothing
is probed or booted).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from kvmlab.errors import InvalidInput
from kvmlab.lab import guest
from kvmlab.lab.console import log_path
from kvmlab.lab.ownership import LAB_NS
from kvmlab.specs import DomainSpec

IMAGE = guest.GuestImage(Path("/g/vmlinuz"), Path("/g/vmlinux"), Path("/g/initrd.img"), "6.1.0", "xz", "ab",
                         ("virtio_net",), "k")
CMDLINE = "quiet cryptomgr.notests tsc=reliable no_timer_check i8042.noaux"

# What the raw-lxml domain_xml wrote (before it was built on DomainSpec), for two opposite sets of options.
BEFORE_TCG = f"""<domain type="qemu">
  <name>kvmlab-a</name>
  <metadata><kvmlab:lab xmlns:kvmlab="{LAB_NS}"/></metadata>
  <memory unit="MiB">128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch="x86_64" machine="pc">hvm</type>
    <kernel>/g/vmlinux</kernel>
    <initrd>/g/initrd.img</initrd>
    <cmdline>console=ttyS0 kvmlab.name=kvmlab-a {CMDLINE}</cmdline>
  </os>
  <features><acpi/><tcg><tb-cache unit="MiB">32</tb-cache></tcg></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>preserve</on_crash>
  <devices>
    <disk type="volume" device="disk">
      <driver name="qemu" type="qcow2"/><source pool="kvmlab-pool" volume="d.qcow2"/><target dev="vda" bus="virtio"/>
    </disk>
    <interface type="network"><source network="kvmlab-nat"/><model type="virtio"/><rom enabled="no"/></interface>
    <interface type="network"><source network="kvmlab-isolated"/><model type="virtio"/><rom enabled="no"/></interface>
    <serial type="pty"><log file="{log_path("kvmlab-a")}" append="off"/><target port="0"/></serial>
    <console type="pty"><target type="serial" port="0"/></console>
    <controller type="usb" model="none"/>
    <video><model type="none"/></video>
    <memballoon model="none"/>
    <panic model="isa"/>
  </devices>
</domain>"""

BEFORE_KVM = f"""<domain type="kvm">
  <name>kvmlab-b</name>
  <memory unit="MiB">256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch="x86_64" machine="pc">hvm</type>
    <kernel>/g/vmlinuz</kernel>
    <initrd>/g/initrd.img</initrd>
    <cmdline>console=ttyS0 kvmlab.name=kvmlab-b foo=1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type="file" device="disk"><driver name="qemu" type="raw"/><source file="/var/x.img"/><target dev="vda" bus="virtio"/></disk>
    <serial type="pty"><log file="{log_path("kvmlab-b")}" append="off"/><target port="0"/></serial>
    <console type="pty"><target type="serial" port="0"/></console>
    <controller type="usb" model="none"/>
    <video><model type="none"/></video>
    <memballoon model="virtio" freePageReporting="on"/>
  </devices>
</domain>"""


def shape(el: etree._Element) -> tuple:
    """Tag, attributes, text and children, with children in any order: what libvirt reads from it."""
    kids = sorted((shape(c) for c in el if isinstance(c.tag, str)), key=repr)
    return el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), tuple(kids)


def parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode())


def tcg_guest() -> str:
    return guest.domain_xml("kvmlab-a", IMAGE, accel="tcg", networks=["kvmlab-nat", "kvmlab-isolated"],
                            disk=("kvmlab-pool", "d.qcow2"))


def kvm_guest() -> str:
    return guest.domain_xml("kvmlab-b", IMAGE, accel="kvm", networks=None, disk="/var/x.img", disk_format="raw",
                            boot="bzimage", panic=False, balloon=True, fast=False, cmdline="foo=1", memory_mib=256,
                            nic_model="e1000", tag=False)


@pytest.mark.parametrize("build,before", [(tcg_guest, BEFORE_TCG), (kvm_guest, BEFORE_KVM)])
def test_the_spec_built_guest_is_the_same_document(build, before):
    assert shape(parse(build())) == shape(parse(before))


def test_devices_come_in_libvirts_order():
    devices = parse(tcg_guest()).find("devices")
    assert [c.tag for c in devices] == ["disk", "controller", "interface", "interface", "serial", "console",
                                        "video", "memballoon", "panic"]  # fmt: skip


def test_the_guest_reads_back_as_a_spec():
    spec = DomainSpec.from_xml(tcg_guest())
    assert spec.memory == 128 * 1024 and spec.acpi and spec.tb_cache == 32 * 1024
    assert [d.volume for d in spec.disks] == ["d.qcow2"] and spec.disks[0].pool == "kvmlab-pool"
    assert [(n.network, n.rom) for n in spec.interfaces] == [("kvmlab-nat", "no"), ("kvmlab-isolated", "no")]
    assert spec.serials[0].log_file == str(log_path("kvmlab-a")) and spec.consoles[0].target_type == "serial"
    assert [p.model for p in spec.panics] == ["isa"] and spec.memballoons[0].model == "none"
    assert spec.element.find(f"metadata/{{{LAB_NS}}}lab") is not None  # the ownership tag is kept
    assert DomainSpec.from_xml(kvm_guest()).tb_cache is None and not DomainSpec.from_xml(kvm_guest()).panics


def test_the_guest_passes_libvirts_schema_and_checks(tmp_path):
    for xml in (tcg_guest(), kvm_guest()):
        assert [p for p in DomainSpec.from_xml(xml).problems() if p.severity == "error"] == []
        validator = shutil.which("virt-xml-validate")
        assert validator, "virt-xml-validate (libvirt-clients) checks the XML against libvirt's schema"
        (tmp_path / "g.xml").write_text(xml)
        p = subprocess.run([validator, str(tmp_path / "g.xml"), "domain"], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("kwargs", [
    {"name": "bad name"}, {"accel": "hvf"}, {"nic_model": "rtl8139"}, {"memory_mib": 10},
    {"disk": "/tmp/x.img", "disk_format": "vmdk"},
])
def test_bad_options_are_refused_before_anything_is_built(kwargs):
    with pytest.raises(InvalidInput) as e:
        guest.domain_xml(**{"name": "kvmlab-ok", "image": IMAGE, "accel": "tcg", **kwargs})
    assert e.value.hint
