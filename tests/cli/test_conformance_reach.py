"""`kvmlab virsh` vs real virsh on test:///default: the commands that reach a guest (lesson 11).

domiflist, domblklist, domifaddr (every --source: the test driver makes up an answer for each),
domid / domuuid / domname, domstate --reason, net-dhcp-leases (refused by the test driver) and
console (no terminal here: virsh's own refusals). Stdout, stderr (kvmlab's hint lines aside) and
the exit code must be byte-identical. The real-lab side is tests/lab/test_reach_real.py.
"""

from __future__ import annotations

import pytest

from ..conftest import VIRSH, assert_same, run_cmd

UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"  # test:///default's domain "test"

# A domain with every kind of card and disk virsh's XPath reads (source attributes in various orders)
DEVICES = """<domain type='test'>
  <name>devs</name>
  <memory unit='MiB'>64</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
    <disk type='volume' device='disk'><source pool='default-pool' volume='v1.img'/><target dev='vdc' bus='virtio'/></disk>
    <disk type='network' device='disk'><source protocol='nbd' name='exp'><host name='h' port='10809'/></source>
      <target dev='vdd' bus='virtio'/></disk>
    <disk type='dir' device='floppy'><source dir='/tmp'/><target dev='fda' bus='fdc'/></disk>
    <disk type='nvme' device='disk'><source type='pci' managed='yes' namespace='1'>
      <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source><target dev='vde' bus='virtio'/></disk>
    <interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><model type='e1000'/></interface>
    <interface type='direct'><mac address='52:54:00:00:00:02'/><source dev='eth0' mode='vepa'/></interface>
    <interface type='user'><mac address='52:54:00:00:00:03'/></interface>
    <interface type='network'><mac address='52:54:00:00:00:04'/><source network='default'/><target dev='mytap'/>
      <model type='virtio'/></interface>
    <interface type='ethernet'><mac address='52:54:00:00:00:05'/><target dev='tap9'/></interface>
  </devices>
</domain>
"""
BARE = "<domain type='test'><name>bare</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>"


@pytest.fixture(scope="module")
def xmldir(tmp_path_factory):
    d = tmp_path_factory.mktemp("reachxml")
    (d / "devs.xml").write_text(DEVICES)
    (d / "bare.xml").write_text(BARE)
    return d


LISTS = [
    "domiflist test",
    "domiflist test --inactive",
    "domiflist 1",
    f"domiflist {UUID}",
    "domiflist nosuch",
    "domiflist ''",
    "domblklist test",
    "domblklist test --details",
    "domblklist test --inactive --details",
    "domblklist --domain test --details",
    "domblklist nosuch --details",
    "destroy test; domiflist test; domblklist test; domiflist 1",
]

ADDRESSES = [
    "domifaddr test",
    "domifaddr test --source lease",
    "domifaddr test --source agent",
    "domifaddr test --source arp",
    "domifaddr test --full",
    "domifaddr test testnet0",
    "domifaddr test testnet0 lease",
    "domifaddr test --interface testnet0 --full --source arp",
    "domifaddr test eth9",
    "domifaddr test --source foo",
    "domifaddr test --source LEASE",
    "domifaddr nosuch --source foo",
    "domifaddr nosuch",
    "domifaddr test --interface ''",
    "domifaddr test ''",
    "domifaddr test --source ''",
    "domifaddr nosuch --source ''",
    "destroy test; domifaddr test",
    "suspend test; domifaddr test; resume test",
]

NAMES_AND_STATE = [
    "domid test; domuuid test; domname 1",
    f"domid {UUID}; domname {UUID}",
    f"domuuid {UUID}",  # domuuid takes an id or a name only
    "domname test",  # domname takes an id or a UUID only
    "domid 1",  # domid takes a name or a UUID only
    "domuuid 1; domname 2",
    "domid ''; domname ''; domuuid ''",
    "domstate test; domstate test --reason; domstate 1 --reason",
    "destroy test; domstate test --reason; domid test; domuuid test; domuuid 1",
    "suspend test; domstate test --reason; resume test; domstate test --reason",
    "shutdown test; domstate test --reason; start test; domstate test --reason",
    "domstate nosuch --reason",
]

LEASES_AND_CONSOLE = [
    "net-dhcp-leases default",
    "net-dhcp-leases default --mac aa:bb:cc:dd:ee:ff",
    "net-dhcp-leases dd8fe884-6c02-601e-7551-cca97df1c5df",
    "net-dhcp-leases nosuch",
    "net-dhcp-leases default --mac ''",
    "net-dhcp-leases nosuch --mac ''",
    "net-dhcp-leases default --mac zz",
    "console test",
    "console test --devname serial0 --force",
    "console test --safe; list",
    "console nosuch",
    "console test --devname ''",
    "console nosuch --devname ''",
    "destroy test; console test",
]

PARSE = [
    "domstate test extra",
    "domstate --reason",
    "domiflist",
    "domblklist test --detail",
    "domifaddr test a b c",
    "domifaddr test --full=yes",
    "net-dhcp-leases",
    "net-dhcp-leases default aa:bb:cc:dd:ee:ff extra",
    "domid",
    "console",
    "domifadr test",
]


@pytest.mark.parametrize("batch", LISTS)
def test_domiflist_and_domblklist(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", ADDRESSES)
def test_domifaddr(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", NAMES_AND_STATE)
def test_names_and_state(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", LEASES_AND_CONSOLE)
def test_leases_and_console_without_a_terminal(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", PARSE)
def test_parse_errors(batch):
    assert_same(batch)


def test_every_kind_of_card_and_disk(xmldir):
    ours = assert_same(f"define {xmldir}/devs.xml; domiflist devs; domblklist devs; domblklist devs --details; "
                       "start devs; domiflist devs; domblklist devs --details; domifaddr devs; domifaddr devs --full; "
                       "domstate devs --reason; destroy devs; domstate devs --reason")
    assert "nvme://0000:01:00.0/1" in ours[0] and " br0 " in ours[0] and " mytap " in ours[0]


def test_a_domain_without_devices(xmldir):
    assert_same(f"define {xmldir}/bare.xml; domiflist bare; domblklist bare --details; start bare; domifaddr bare")


def test_argv_form():
    assert_same(["domifaddr", "test", "--source", "arp"])
    assert_same(["domblklist", "test", "--details"])
    assert_same(["domstate", "--reason", "test"])


@pytest.mark.parametrize("command", ["domiflist", "domblklist", "domifaddr", "domstate", "domid", "domuuid",
                                     "domname", "console", "net-dhcp-leases"])
def test_help_is_virshs(command):
    real = run_cmd([VIRSH, "help", command])
    from ..conftest import KVMLAB

    ours = run_cmd([KVMLAB, "virsh", "help", command])
    assert ours == real


def test_the_monitor_group_lists_them_in_virshs_order():
    from ..conftest import KVMLAB

    ours = [ln for ln in run_cmd([KVMLAB, "virsh", "help", "monitor"])[0].splitlines() if ln.strip()]
    names = {ln.split()[0] for ln in ours[1:]}
    assert {"domblklist", "domifaddr", "domiflist", "domstate"} <= names
    real = [ln for ln in run_cmd([VIRSH, "help", "monitor"])[0].splitlines() if ln.split()[:1] and ln.split()[0] in names]
    assert ours[1:] == real


def test_hints_teach_where_the_address_comes_from():
    ours = assert_same("net-dhcp-leases default; domifaddr test --source foo; console test")
    hints = "".join(ours[3])
    assert "dnsmasq" in hints and "real lab" in hints  # why the test driver has no leases
    assert "lease (DHCP leases), agent (guest agent), arp (ARP table)" in hints
    assert "SerialConsole" in hints  # a notebook's way to a console
