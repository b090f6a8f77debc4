"""`kvmlab virsh` vs real virsh on test:///default: hot-plug and resource commands (lesson 16).

The test driver cannot attach or detach a device (virDomainAttachDevice*: "not supported"), so here
attach-/detach- are checked by --print-xml and their errors; live hot-plug is checked on the real lab
(tests/lab/test_hotplug_real.py). setmem/setmaxmem/setvcpus/vcpucount, autostart and domstate --reason
work on the test driver. ``TWO`` is a shut-off domain with two cards and a cdrom, defined in the batch.
"""

from __future__ import annotations

import re

import pytest

from ..conftest import HINT, KVMLAB, VIRSH, run_cmd

_CPU_TIME = re.compile(r"CPU time: +[0-9.]+s\n")
_UUID = re.compile(r"UUID: +[0-9a-f-]{36}\n")
TWO_XML = ("<domain type='test'><name>two</name><memory>8192</memory><os><type>hvm</type></os><devices>"
           "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>"
           "<interface type='network'><mac address='52:54:00:00:00:02'/><source network='default'/></interface>"
           "<disk type='file' device='cdrom'><source file='/x &amp; \"y\"'/><target dev='hdc'/><readonly/></disk>"
           "</devices></domain>")


def _same(text: str) -> str:
    return _UUID.sub("UUID\n", _CPU_TIME.sub("CPU time\n", text))


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    path = tmp_path_factory.mktemp("hotplug") / "two.xml"
    path.write_text(TWO_XML)
    return f"define {path}; "


def assert_same(batch: str):
    """stdout (CPU time aside), stderr (kvmlab's hint lines aside) and exit code as virsh's."""
    real = run_cmd([VIRSH, "-c", "test:///default", batch])
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", batch])
    assert _same(out) == _same(real[0]), f"stdout differs for {batch!r}"
    assert HINT.sub("", err) == real[1], f"stderr differs for {batch!r}"
    assert rc == real[2], f"exit code differs for {batch!r}"
    return out, err, rc, HINT.findall(err)


ATTACH_DISK = [
    "attach-disk test /tmp/a.img vdb --print-xml",
    "attach-disk test /dev/null vdb --print-xml",
    "attach-disk test /tmp/a.img vdb",
    "attach-disk test /tmp/a.img vdb --config",
    "attach-disk test /tmp/a.img vdb --live --config",
    "attach-disk test /tmp/a.img vdb --persistent",
    "attach-disk test /tmp/a.img vdb --targetbus virtio --driver qemu --subdriver qcow2 --iothread 1 --cache none "
    "--io native --type cdrom --mode readonly --serial S1 --wwn 0x5000c50015ea71ac --alias ua-d --rawio --print-xml",
    "attach-disk test \"a'<&b\" \"v'<b\" --targetbus \"x'<\" --serial \"s<&\" --alias \"a<'\" --mode shareable "
    "--driver \"d'<\" --print-xml",
    "attach-disk test '' vdb --print-xml",
    "attach-disk test a '' --print-xml",
    "attach-disk test a vdb --driver '' --print-xml",
    "attach-disk test a vdb --mode bogus --print-xml",
    "attach-disk test a vdb --mode ''",
    "attach-disk test a vdb --sourcetype bogus --print-xml",
    "attach-disk test a vdb --sourcetype block --print-xml",
    "attach-disk test a vdb --sourcetype file --print-xml",
    "attach-disk test a vdb --sourcetype network --print-xml",
    "attach-disk test a vdb --source-protocol nbd --print-xml",
    "attach-disk test a vdb --source-protocol nbd --source-host-name h:10809 --print-xml",
    "attach-disk test a vdb --source-protocol nbd --source-host-transport unix --source-host-socket /s --print-xml",
    "attach-disk test a vdb --source-host-name h --print-xml",
    "attach-disk test a vdb --source-protocol nbd --source-host-socket /s --print-xml",
    "attach-disk test a vdb --source-protocol nbd --source-host-transport unix --source-host-socket /s "
    "--source-host-name h --print-xml",
    "attach-disk test a vdb --source-protocol nbd --sourcetype file --print-xml",
    "attach-disk test a vdb --wwn 123 --print-xml",
    "attach-disk test a vdb --wwn 5000c50015ea71ac --print-xml",
    "attach-disk test a vdb --shareable --print-xml",
    "attach-disk test a vdb --multifunction --print-xml",
    "attach-disk nosuch a vdb --print-xml",
    "attach-disk nosuch a vdb",
    "attach-disk test a vdb --persistent --current --print-xml",
    "attach-disk test a vdb --live --current",
    "attach-disk test a vdb --config --current",
]

ATTACH_INTERFACE = [
    "attach-interface test network default --print-xml",
    "attach-interface test network default",
    "attach-interface test network default --config --live",
    "attach-interface test bogus x --print-xml",
    "attach-interface test user x --print-xml",
    "attach-interface test user x --source-mode bad",
    "attach-interface test bridge br0 --target t0 --mac 52:54:00:00:00:01 --script /s --model virtio --alias ua-x "
    "--inbound 100,200,300,400 --outbound 10,20,30 --managed --print-xml",
    "attach-interface test direct eth0 --print-xml",
    "attach-interface test network 'a<b' --print-xml",
    "attach-interface test network x --inbound 0 --print-xml",
    "attach-interface test network x --inbound a --print-xml",
    "attach-interface test network x --inbound 1,2,3,4,5 --print-xml",
    "attach-interface test network x --outbound 1,2,3,4 --print-xml",
    "attach-interface test network x --outbound 0,2 --print-xml",
    "attach-interface test network x --inbound ,,,5 --print-xml",
    "attach-interface test vhostuser /s --print-xml",
    "attach-interface test vhostuser /s --source-mode server --print-xml",
    "attach-interface test network x --source-mode bad --print-xml",
    "attach-interface nosuch network x",
    "attach-interface nosuch network x --print-xml",
    "attach-interface test network x --persistent --current",
    "attach-interface test network x --mac ''",
]

DETACH = [
    "detach-disk test vda --print-xml",
    "detach-disk test /guest/diskimage1 --print-xml",
    "detach-disk test vda --print-xml --config",
    "detach-disk test vda --print-xml --live --config",
    "detach-disk test vda",
    "detach-disk test vda --config",
    "detach-disk test vdz",
    "detach-disk test vdz --print-xml",
    "detach-disk test ''",
    "detach-disk nosuch vda --print-xml",
    "detach-disk test vda --persistent --current",
    "detach-interface test network --print-xml",
    "detach-interface test network --live --config --print-xml",
    "detach-interface test network",
    "detach-interface test network --config",
    "detach-interface test bridge --print-xml",
    "detach-interface test bogus",
    "detach-interface test network --mac aa:bb --print-xml",
    "detach-interface test network --mac AA:BB:CC:DD:EE:FF --print-xml",
    "detach-interface test network --mac 00:16:3e:5d:c7:9e",
    "detach-interface test ''",
    "detach-interface test '' --print-xml",
    "detach-interface test network --mac ''",
    "detach-interface nosuch ''",
    "detach-interface test network --persistent --current",
]

TWO = [
    "detach-interface two network",
    "detach-interface two network --print-xml",
    "detach-interface two network --mac 52:54:0:0:0:2 --print-xml",
    "detach-disk two '/x & \"y\"' --print-xml",
    "detach-disk two hdc --config --print-xml",
    "detach-disk two hdc --config",
    "setmem two 4M --config; setmaxmem two 16M; dominfo two",
    "autostart two; list --all --autostart; dominfo two; autostart two --disable; list --all --autostart",
    "setvcpus two 2 --config --maximum; vcpucount two; setvcpus two 2; vcpucount two --current",
    "vcpucount two --live",
    "vcpucount two --active",
    "vcpucount two",
    "setmem two 1M --live",
    "setmem two 1M",
    "setvcpus two 1 --live",
    "domstate two --reason; start two; domstate two --reason; destroy two; domstate two --reason",
]

RESOURCES = [
    "setmem test 100M; dominfo test",
    "setmem test 100M --config; dominfo test",
    "setmem test 100x",
    "setmem test ''",
    "setmem test -1",
    "setmem test 1.5",
    "setmem test 99999999999999999999",
    "setmem test 99999999999999999P",
    "setmem test 1P",
    "setmem test 1023b; dominfo test",
    "setmem test 0",
    "setmaxmem test 0",
    "setmaxmem test 0 --config",
    "setmem test ' 5M'",
    "setmem test +5M",
    "setmem test 5m; setmem test 5MiB; setmem test 5mb; dominfo test",
    "setmem test '5 M'",
    "setmem test 100M --live --current",
    "setmem test 100M --config --live",
    "setmem test 1x --live --config",
    "setmem nosuch 1M",
    "setmem 1 1M --current",
    "setmaxmem test 100M --config --live",
    "setmaxmem test 1x",
    "setmaxmem test 2G",
    "setmaxmem nosuch 1x",
    "setvcpus test 0",
    "setvcpus test 99",
    "setvcpus test x",
    "setvcpus test -1",
    "setvcpus test ' 1'",
    "setvcpus test +1",
    "setvcpus test 4294967296",
    "setvcpus test 3 --config",
    "setvcpus test 4 --maximum",
    "setvcpus test 4 --maximum --live",
    "setvcpus test 1 --guest",
    "setvcpus test 1 --hotpluggable",
    "setvcpus test 1 --guest --config",
    "setvcpus test 1 --guest --live",
    "setvcpus nosuch x",
    "setvcpus test 1 --live; vcpucount test",
    "setvcpus test 1 --current; dominfo test",
    "setvcpus test 1 --config; vcpucount test",
    "setvcpus test 4 --config --maximum; vcpucount test",
    "vcpucount test --maximum",
    "vcpucount test --active --live",
    "vcpucount test --config",
    "vcpucount test --guest",
    "vcpucount test --maximum --active",
    "vcpucount test --current --live",
    "vcpucount test --live --config",
    "vcpucount test --guest --config",
    "vcpucount test --current",
    "vcpucount test --maximum --current",
    "vcpucount test --active --current",
    "vcpucount nosuch --active --maximum",
    "autostart test; dominfo test",
    "autostart test --disable",
    "autostart nosuch",
    "autostart 1; list --autostart",
    "domstate test --reason",
    "destroy test; domstate test --reason; start test; domstate test --reason",
]


@pytest.mark.parametrize("batch", ATTACH_DISK)
def test_attach_disk(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", ATTACH_INTERFACE)
def test_attach_interface(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", DETACH)
def test_detach(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", TWO)
def test_on_a_shut_off_domain_with_two_cards(two, batch):
    assert_same(two + batch)


@pytest.mark.parametrize("batch", RESOURCES)
def test_memory_vcpus_autostart(batch):
    assert_same(batch)


def test_the_test_driver_refusal_teaches_print_xml():
    *_, hints = assert_same("attach-disk test /tmp/a.img vdb --live")
    assert hints and "--print-xml" in hints[0] and "real lab" in hints[0]


def test_setmem_above_the_maximum_says_raise_it_first():
    *_, hints = assert_same("setmem test 1P")
    assert hints and "setmaxmem" in hints[0] and "--config" in hints[0]


def test_setmaxmem_on_a_running_domain_says_config_and_reboot():
    *_, hints = assert_same("setmaxmem test 2G")
    assert hints and "--config" in hints[0] and "shutdown + start" in hints[0]
