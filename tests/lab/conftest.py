"""Real-lab fixtures: bring the lab up once per session, and learner-style objects to protect.

`real_lab` starts kvmlab's own libvirtd (in network namespace kvmlab-lab) if nothing runs,
yields the URI, and takes the lab down at the end only if it started it. It fails loudly, never
skips: CI is root on a machine with libvirt-daemon-system and qemu-system-x86 installed.
"""

from __future__ import annotations

import os
import re
import types
import uuid

import libvirt
import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.errors import KvmlabError

# A learner's objects: names without the kvmlab- prefix, a domain without the lab's tag.
LEARNER_VM = "learner-vm"
LEARNER_NET = "learner-net"
LEARNER_POOL = "learner-pool"


@pytest.fixture(scope="session")
def real_lab():
    """The URI of the running real lab (qemu:///system as root)."""
    if os.geteuid() != 0:
        pytest.fail("the real-lab tests need root: run them as root (CI does)", pytrace=False)
    before, _ = lab.mode()
    try:
        st = lab.up()
    except KvmlabError as exc:
        pytest.fail(f"the real lab did not come up: {exc}", pytrace=False)
    if not st.running:
        pytest.fail(f"the real lab came up but {st.uri} does not answer:\n{st}", pytrace=False)
    yield st.uri
    if before == "down" and lab.mode()[0] == "netns":
        lab.down()


def domain_xml(v: libvirt.virConnect, name: str, network: str | None = None) -> str:
    """A tiny domain for whichever driver ``v`` is (test or QEMU); no disk, nothing to boot."""
    if v.getType() == "Test":
        return (f"<domain type='test'><name>{name}</name><memory unit='MiB'>32</memory>"
                "<os><type>hvm</type></os></domain>")
    nic = (f"<interface type='network'><source network='{network}'/><model type='virtio'/>"
           "<rom enabled='no'/></interface>") if network else ""
    return (f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>32</memory>"
            "<os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>"
            f"<devices>{nic}<video><model type='none'/></video><memballoon model='none'/></devices></domain>")


def learner_objects(v: libvirt.virConnect, pool_dir: str) -> None:
    """Define (and start where it matters) a learner's own VM, network and pool."""
    v.defineXML(domain_xml(v, LEARNER_VM))
    net = v.networkDefineXML(
        f"<network><name>{LEARNER_NET}</name><uuid>{uuid.uuid4()}</uuid><bridge name='lrnbr0'/>"
        "<ip address='192.168.160.1' netmask='255.255.255.0'/></network>"
    )
    net.create()
    pool = v.storagePoolDefineXML(
        f"<pool type='dir'><name>{LEARNER_POOL}</name><target><path>{pool_dir}</path></target></pool>", 0
    )
    pool.build(0)
    pool.create(0)
    pool.createXML(
        "<volume><name>mine.img</name><capacity unit='MiB'>1</capacity>"
        "<target><format type='raw'/></target></volume>", 0
    )


def remove_learner_objects(v: libvirt.virConnect) -> None:
    """Test teardown: what a learner would do by hand (virsh undefine / net-undefine / pool-delete)."""
    for lookup, name in ((v.lookupByName, LEARNER_VM), (v.networkLookupByName, LEARNER_NET),
                         (v.storagePoolLookupByName, LEARNER_POOL)):
        try:
            obj = lookup(name)
        except libvirt.libvirtError:
            continue
        if isinstance(obj, libvirt.virStoragePool) and obj.isActive():
            for vol in obj.listAllVolumes(0):
                vol.delete(0)
        if obj.isActive():
            obj.destroy()
        if isinstance(obj, libvirt.virStoragePool):
            obj.delete(0)
        obj.undefine()


_POOL_SIZES = re.compile(r"<(capacity|allocation|available)\b[^>]*>\d+</\1>")


def snapshot(v: libvirt.virConnect) -> dict:
    """Every domain, network and pool with state and XML (pool sizes aside: the disk is shared)."""
    out = {}
    for d in v.listAllDomains(0):
        out["dom", d.name()] = (d.isActive(), d.isPersistent(), d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    for n in v.listAllNetworks(0):
        out["net", n.name()] = (n.isActive(), n.autostart(), n.XMLDesc(0))
    for p in v.listAllStoragePools(0):
        vols = sorted(x.name() for x in p.listAllVolumes(0)) if p.isActive() else []
        out["pool", p.name()] = (p.isActive(), p.autostart(), _POOL_SIZES.sub("", p.XMLDesc(0)), vols)
    return out


def ownership_scenario(conn: kvmlab.Connection, reset_uri: str, learner_dir: str) -> None:
    """The lab's promise, on any URI: `lab reset` removes what the lab made and nothing else.

    A learner's VM, network (running) and pool (with a volume) exist before; so does a domain
    *named* kvmlab-… but not tagged (tags decide for domains). The lab then makes its three
    networks, its pool with a volume, a tagged persistent domain and a tagged running one.
    """
    v = conn.virconn
    real = v.getType() == "QEMU"
    lab.reset(reset_uri)  # start from "no lab objects"
    try:
        learner_objects(v, learner_dir)
        v.defineXML(domain_xml(v, "kvmlab-untagged"))
        before = snapshot(v)

        for mode in lab.LAB_NETWORKS:
            lab.ensure_lab_network(conn, mode)
        lab.ensure_lab_pool(conn)
        v.storagePoolLookupByName(lab.LAB_POOL).createXML(
            "<volume><name>lab-disk.img</name><capacity unit='MiB'>1</capacity>"
            "<target><format type='raw'/></target></volume>", 0)
        persistent = v.defineXML(lab.tag_domain_xml(domain_xml(v, "kvmlab-guest")))
        running = v.createXML(lab.tag_domain_xml(domain_xml(v, "kvmlab-running", "kvmlab-nat" if real else None)), 0)
        assert lab.is_owned(persistent) and lab.is_owned(running)
        assert not lab.is_owned(v.lookupByName("kvmlab-untagged"))
        assert not lab.is_owned(v.lookupByName(LEARNER_VM))
        st = lab.status(reset_uri)
        assert sorted(st.networks) == ["kvmlab-isolated (active)", "kvmlab-nat (active)", "kvmlab-routed (active)"]
        assert st.pools == ["kvmlab-pool (active)"]
        assert sorted(st.domains) == ["kvmlab-guest (shut off)", "kvmlab-running (running)"]

        report = lab.reset(reset_uri)
        assert "Domain 'kvmlab-running' destroyed and undefined" in report.lines
        assert "Pool kvmlab-pool destroyed and undefined" in report.lines
        assert "dom.destroy()" in report.api
        assert snapshot(v) == before, "reset changed something that was not the lab's"
        again = lab.reset(reset_uri)
        assert again.lines == ["nothing to reset: the lab owns no domain, network or pool here"]
        assert snapshot(v) == before
    finally:
        try:
            v.lookupByName("kvmlab-untagged").undefine()
        except libvirt.libvirtError:
            pass
        remove_learner_objects(v)
        lab.reset(reset_uri)


@pytest.fixture
def kvmconn():
    """Factory: kvmlab.connect(uri), closed at teardown."""
    opened = []

    def _open(uri: str) -> kvmlab.Connection:
        c = kvmlab.connect(uri)
        opened.append(c)
        return c

    yield _open
    for c in opened:
        c.close()


@pytest.fixture(scope="session")
def helpers():
    """The helpers above, for test modules (tests/lab is not a package, so no imports)."""
    return types.SimpleNamespace(
        domain_xml=domain_xml,
        ownership_scenario=ownership_scenario,
        learner_objects=learner_objects,
        remove_learner_objects=remove_learner_objects,
        snapshot=snapshot,
    )
