"""The course's virsh sequence on a real guest, through kvmlab's Connection methods (real lab, QEMU).

define -> start -> dominfo -> suspend -> resume -> edit -> shutdown (graceful, via the ACPI power
button) -> start -> reboot -> destroy -> undefine; three networks (NAT, isolated, routed) with the
guest's DHCP leases read back from libvirt; a dir pool with a qcow2 volume as the guest's /dev/vda;
and `kvmlab virsh` against the real virsh on qemu:///system.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from pathlib import Path

import libvirt
import pytest
from lxml import etree

import kvmlab
from kvmlab.errors import KvmlabError, NotFound
from kvmlab.lab import ensure_lab_network, ensure_lab_pool, guest, probe
from kvmlab.lab.console import DHCP_MARKER, READY_MARKER, Console, wait_ready
from tests.conftest import both, sanitize

pytestmark = pytest.mark.reallab

BOOT = 150.0  # seconds: TCG on a busy 2-core machine; a healthy boot takes ~3-10 s
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@pytest.fixture(scope="module")
def lab(real_lab):
    conn = kvmlab.connect(real_lab)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def image():
    return guest.build()


@pytest.fixture(scope="module")
def accel():
    """kvm or tcg, decided by really booting under KVM once (cached)."""
    return probe.accel()


def wait_state(conn, name: str, state: int, timeout: float) -> float:
    """Poll the domain's state until it is ``state``; return the seconds it took."""
    t0 = time.monotonic()
    dom = conn.virconn.lookupByName(name)
    while dom.state(0)[0] != state:
        assert time.monotonic() - t0 < timeout, f"{name} not in state {state} after {timeout} s: {dom.state(0)}"
        time.sleep(0.2)
    return time.monotonic() - t0


def remove_domain(conn, name: str) -> None:
    try:
        dom = conn.virconn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    dom.undefine()


def mem_total(con: Console) -> int:
    status, out = con.run("grep MemTotal /proc/meminfo", 30)
    assert status == 0
    return int(next(re.search(r"MemTotal:\s+(\d+)", ln).group(1) for ln in out if "MemTotal:" in ln))


def test_vm_sequence(lab, image, accel):
    name = "kvmlab-seq"
    remove_domain(lab, name)
    ensure_lab_network(lab, "nat")
    try:
        assert name in str(lab.define(guest.domain_xml(name, image, accel=accel)))
        assert lab.dominfo(name)["State"] == "shut off"

        assert str(lab.start(name)) == f"Domain '{name}' started\n"
        con = wait_ready(lab, name, BOOT)
        info = lab.dominfo(name)
        assert info["State"] == "running" and info["Max memory"] == "131072 KiB"
        first_mem = mem_total(con)

        assert str(lab.suspend(name)) == f"Domain '{name}' suspended\n"
        assert lab.dominfo(name)["State"] == "paused"
        con.skip()
        con.send("echo KVMLAB-ANSWER-$((20+22))\n")
        with pytest.raises(KvmlabError):  # a paused vCPU runs nothing: no answer
            con.wait_for("KVMLAB-ANSWER-42", 3)
        assert str(lab.resume(name)) == f"Domain '{name}' resumed\n"
        assert lab.dominfo(name)["State"] == "running"
        con.wait_for("KVMLAB-ANSWER-42", 60)  # typed while paused, answered once resumed

        # edit: 192 MiB in the persistent definition; the running guest keeps 128 until it restarts.
        xml = lab.virconn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        root = etree.fromstring(xml.encode(), PARSER)
        for tag in ("memory", "currentMemory"):
            el = root.find(tag)
            if el is not None:
                el.set("unit", "KiB")
                el.text = str(192 * 1024)
        lab.edit(name, xml=etree.tostring(root, encoding="unicode"))
        assert lab.dominfo(name)["Max memory"] == "131072 KiB"  # live: unchanged
        assert "<memory unit='KiB'>196608</memory>" in lab.virconn.lookupByName(name).XMLDesc(
            libvirt.VIR_DOMAIN_XML_INACTIVE)

        # shutdown presses the ACPI power button; acpid in the guest powers off cleanly.
        con.skip()
        assert str(lab.shutdown(name)) == f"Domain '{name}' is being shutdown\n"
        wait_state(lab, name, libvirt.VIR_DOMAIN_SHUTOFF, 90)
        con.poll()
        transcript = "\n".join(con.lines_seen)
        assert "power button" in transcript and "shutting down" in transcript
        con.close()
        assert lab.dominfo(name)["State"] == "shut off"

        lab.start(name)
        con = wait_ready(lab, name, BOOT)
        assert lab.dominfo(name)["Max memory"] == "196608 KiB"
        assert mem_total(con) > first_mem + 50 * 1024  # the edit took effect at this boot

        dom_id = lab.virconn.lookupByName(name).ID()
        con.skip()
        assert str(lab.reboot(name)) == f"Domain '{name}' is being rebooted\n"
        con.wait_for("power button", 60)
        con.wait_for(READY_MARKER, BOOT)  # the same QEMU process boots the kernel again
        assert lab.virconn.lookupByName(name).ID() == dom_id
        assert lab.dominfo(name)["State"] == "running"
        con.close()

        assert str(lab.destroy(name)) == f"Domain '{name}' destroyed\n"
        assert lab.dominfo(name)["State"] == "shut off"
        assert str(lab.undefine(name)) == f"Domain '{name}' has been undefined\n"
        with pytest.raises(NotFound):
            lab.dominfo(name)
    finally:
        remove_domain(lab, name)


def net_xml(name: str, bridge: str, subnet: str, forward: str | None) -> str:
    net = etree.Element("network")
    etree.SubElement(net, "name").text = name
    if forward:
        etree.SubElement(net, "forward", mode=forward)
    etree.SubElement(net, "bridge", name=bridge, stp="on", delay="0")
    ip = etree.SubElement(net, "ip", address=f"{subnet}.1", netmask="255.255.255.0")
    etree.SubElement(etree.SubElement(ip, "dhcp"), "range", start=f"{subnet}.100", end=f"{subnet}.200")
    return etree.tostring(net, encoding="unicode")


NETS = [  # name, bridge, subnet, forward mode
    ("kvmlab-t-nat", "kvmlab-tnat0", "192.168.180", "nat"),
    ("kvmlab-t-iso", "kvmlab-tiso0", "192.168.181", None),
    ("kvmlab-t-route", "kvmlab-trt0", "192.168.182", "route"),
]


def test_networks_give_dhcp_leases(lab, image, accel):
    """One guest, three NICs (e1000), one per network kind; each lease seen by the guest and by libvirt."""
    name = "kvmlab-nets"
    remove_domain(lab, name)
    for net, *_ in NETS:
        try:
            lab.net_destroy(net)
        except KvmlabError:
            pass
        try:
            lab.net_undefine(net)
        except KvmlabError:
            pass
    try:
        for net, bridge, subnet, forward in NETS:
            assert str(lab.net_define(net_xml(net, bridge, subnet, forward))).startswith(f"Network {net} defined")
            assert str(lab.net_start(net)) == f"Network {net} started\n"
        lab.define(guest.domain_xml(name, image, networks=[n for n, *_ in NETS], nic_model="e1000", accel=accel))
        lab.start(name)
        con = wait_ready(lab, name, BOOT)
        guest_ips: dict[str, str] = {}  # ip -> nic, from the guest's own DHCP lines
        deadline = time.monotonic() + BOOT
        while len(guest_ips) < 3:
            assert time.monotonic() < deadline, f"the guest got only {guest_ips} by DHCP"
            con.poll()
            for line in con.lines_seen:
                m = re.search(DHCP_MARKER + r" (\S+) (\S+)", line)
                if m:
                    guest_ips[m.group(2)] = m.group(1)
            time.sleep(0.2)
        con.close()
        macs = [m.get("address") for m in etree.fromstring(
            lab.virconn.lookupByName(name).XMLDesc(0).encode(), PARSER).iterfind("devices/interface/mac")]
        for (net, _bridge, subnet, _fwd), mac in zip(NETS, macs):
            leases = []
            t0 = time.monotonic()
            while not leases and time.monotonic() - t0 < 30:
                leases = [x for x in lab.virconn.networkLookupByName(net).DHCPLeases() if x["mac"] == mac]
                time.sleep(0.3 if not leases else 0)
            assert leases, f"libvirt shows no lease on {net} for {mac}"
            assert leases[0]["ipaddr"].startswith(subnet + ".") and leases[0]["ipaddr"] in guest_ips
            assert leases[0]["hostname"] == name
    finally:
        remove_domain(lab, name)
        for net, *_ in NETS:
            try:
                lab.net_destroy(net)
            except KvmlabError:
                pass
            try:
                lab.net_undefine(net)
            except KvmlabError:
                pass


def test_pool_volume_is_the_guests_disk(lab, image, accel):
    """pool-define (dir) -> pool-build -> pool-start -> vol-create-as qcow2 -> the guest sees /dev/vda."""
    name, pool, vol = "kvmlab-disk", f"kvmlab-t-pool-{uuid.uuid4().hex[:6]}", "disk0.qcow2"
    path = Path("/var/lib/kvmlab/test-pools") / pool  # QEMU (maybe not root) must reach it: not /tmp/pytest-of-root
    remove_domain(lab, name)
    xml = etree.Element("pool", type="dir")
    etree.SubElement(xml, "name").text = pool
    etree.SubElement(etree.SubElement(xml, "target"), "path").text = str(path)
    try:
        assert str(lab.pool_define(etree.tostring(xml, encoding="unicode"))).startswith(f"Pool {pool} defined")
        assert str(lab.pool_build(pool)) == f"Pool {pool} built\n" and path.is_dir()
        assert str(lab.pool_start(pool)) == f"Pool {pool} started\n"
        lab.vol_create_as(pool, vol, "16M", format="qcow2")
        assert (path / vol).read_bytes()[:4] == b"QFI\xfb"  # a real qcow2 file on disk
        lab.define(guest.domain_xml(name, image, networks=None, disk=(pool, vol), accel=accel))
        lab.start(name)
        con = wait_ready(lab, name, BOOT)
        boot_log = "\n".join(con.lines_seen)
        assert re.search(r"\b\d+\s+0\s+16384 vda\b", boot_log), "rc.sysinit prints /proc/partitions at boot"
        status, out = con.run("echo kvmlab-was-here | dd of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null; sync", 30)
        assert status == 0
        con.close()
    finally:
        remove_domain(lab, name)
        try:
            p = lab.virconn.storagePoolLookupByName(pool)
            if p.isActive():
                for v in p.listAllVolumes(0):
                    v.delete(0)
                p.destroy()
            p.undefine()
        except libvirt.libvirtError:
            pass
        shutil.rmtree(path, ignore_errors=True)


def test_kvmlab_virsh_matches_real_virsh_on_qemu(lab, image, accel):
    """The same batch through real virsh and `kvmlab virsh` on qemu:///system: equal output."""
    name = "kvmlab-twin"
    remove_domain(lab, name)
    ensure_lab_network(lab, "nat")
    ensure_lab_pool(lab)
    try:
        lab.define(guest.domain_xml(name, image, accel=accel))
        lab.start(name)
        batch = (f"list --all; dominfo {name}; net-list --all; net-info kvmlab-nat; pool-list --all; "
                 "pool-info kvmlab-pool; vol-list kvmlab-pool; suspend {0}; dominfo {0}; resume {0}; "
                 "net-info no-such-net; dominfo {0}").replace("{0}", name)
        real, ours = both(batch, uri="qemu:///system")
        vary = [(re.compile(r"^((?:Allocation|Available):\s+).*$", re.M), r"\1<varies>")]

        def norm(text: str) -> str:
            text = sanitize(text)
            for rx, repl in vary:
                text = rx.sub(repl, text)
            return text

        assert norm(ours[0]) == norm(real[0])
        assert ours[1] == real[1] and ours[2] == real[2]
        assert "error: failed to get network 'no-such-net'" in real[1]  # the batch goes on after it
        assert f" {name} " in real[0] and "running" in real[0]
    finally:
        remove_domain(lab, name)
