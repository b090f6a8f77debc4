"""The real lab's daemon: up is idempotent, everything lives in the namespace, down leaves nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import libvirt
import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.lab import netns
from kvmlab.lab.paths import LIBVIRT_RUN, LIBVIRTD_PID, NETNS, RUN_DIR, VIRTLOGD_PID
from kvmlab.lab.process import alive, comm, netns_inode, read_pid, terminate, wait_until

KVMLAB = str(Path(sys.executable).with_name("kvmlab"))
DAEMONS = {"libvirtd", "virtlogd", "dnsmasq"}
FOREIGN_NS = "kvmlab-test-foreign"


def run(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def processes() -> list[tuple[int, str, int, int | None]]:
    """(pid, comm, uid, netns inode) of every process, read from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                out.append((int(d.name), (d / "comm").read_text().strip(), d.stat().st_uid, netns_inode(int(d.name))))
            except OSError:
                pass
    return out


def host_links() -> list[str]:
    return sorted(line.split()[0] for line in run("ip", "-br", "link").stdout.splitlines())


def host_firewall() -> str:
    """The host's firewall rules, read only (iptables-save prints, never changes)."""
    return run("iptables-save").stdout if shutil.which("iptables-save") else ""


def _firewall_rules(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if not line.startswith("#"))


def require_netns_mode() -> None:
    m, why = lab.mode()
    if m != "netns":
        pytest.fail(f"these tests check kvmlab's own daemon, but the lab is in mode {m!r}: {why}", pytrace=False)


@pytest.mark.reallab
def test_up_is_idempotent(real_lab):
    require_netns_mode()
    first = lab.status()
    again = lab.up()
    assert again.libvirtd_pid == first.libvirtd_pid and again.virtlogd_pid == first.virtlogd_pid
    assert "the lab was already up" in again.notes
    assert int(LIBVIRTD_PID.read_text()) == first.libvirtd_pid
    assert int(VIRTLOGD_PID.read_text()) == first.virtlogd_pid
    # The daemon runs in the lab's namespace, not the host's; the host still reaches its socket.
    lab_ns = netns_inode(f"/run/netns/{NETNS}")
    assert netns_inode(first.libvirtd_pid) == lab_ns != netns_inode(os.getpid())
    with kvmlab.connect(real_lab) as c:
        assert c.virconn.getType() == "QEMU" and c.virconn.getURI() == "qemu:///system"


@pytest.mark.reallab
def test_cli_status_shows_what_runs(real_lab):
    require_netns_mode()
    st = lab.status()
    p = run(KVMLAB, "lab", "status")
    assert p.returncode == 0, p.stderr
    assert "Mode:           netns\n" in p.stdout
    assert "URI:            qemu:///system\n" in p.stdout
    assert f"libvirtd:       pid {st.libvirtd_pid} (started by kvmlab)\n" in p.stdout
    assert f"Namespace:      {NETNS} (links: lo" in p.stdout
    assert p.stdout.count("Accelerator:    KVM") + p.stdout.count("Accelerator:    TCG") == 1
    forced = subprocess.run([KVMLAB, "lab", "status"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, KVMLAB_ACCEL="tcg"))
    assert "Accelerator:    TCG (forced by $KVMLAB_ACCEL=tcg)\n" in forced.stdout


@pytest.mark.reallab
def test_lab_networks_and_guests_live_only_in_the_namespace(real_lab, kvmconn, helpers):
    require_netns_mode()
    links_before, fw_before = host_links(), _firewall_rules(host_firewall())
    c = kvmconn(real_lab)
    try:
        for mode in lab.LAB_NETWORKS:
            lab.ensure_lab_network(c, mode)
        guest = c.virconn.createXML(lab.tag_domain_xml(helpers.domain_xml(c.virconn, "kvmlab-nic", "kvmlab-nat")), 0)
        inside = netns.links(NETNS)
        assert {"kvmlab-nat0", "kvmlab-iso0", "kvmlab-rt0"} <= set(inside)
        assert any(name.startswith("vnet") for name in inside), inside  # the guest's tap
        assert host_links() == links_before, "a bridge or tap appeared on the host"
        lab_ns = netns_inode(f"/run/netns/{NETNS}")
        here = {comm for _, comm, _, ns in processes() if ns == lab_ns}
        assert {"libvirtd", "virtlogd", "dnsmasq"} <= here and any(x.startswith("qemu-system") for x in here)
        nat = run("ip", "netns", "exec", NETNS, "iptables", "-t", "nat", "-S").stdout
        assert "-s 192.168.250.0/24 ! -d 192.168.250.0/24" in nat and "MASQUERADE" in nat
        assert _firewall_rules(host_firewall()) == fw_before, "the host's firewall changed"
        assert guest.isActive()
    finally:
        lab.reset(real_lab)
    assert not {"kvmlab-nat0", "kvmlab-iso0", "kvmlab-rt0"} & set(netns.links(NETNS))


def _leftovers(old_ns: int | None) -> list[str]:
    qemu_uid = int(run("id", "-u", "libvirt-qemu").stdout.strip() or -1)
    found = [f"{comm} (pid {pid})" for pid, comm, uid, ns in processes()
             if comm in DAEMONS or (comm.startswith("qemu-system") and uid == qemu_uid) or (old_ns and ns == old_ns)]
    if netns.exists(NETNS):
        found.append(f"namespace {NETNS}")
    found += [str(p) for p in (LIBVIRTD_PID, VIRTLOGD_PID) if p.exists()]
    if LIBVIRT_RUN.exists():
        found.append(f"{LIBVIRT_RUN} (stale sockets and pid files)")
    return found


@pytest.mark.reallab
def test_down_leaves_nothing_and_up_restores(real_lab, kvmconn, helpers, tmp_path):
    require_netns_mode()
    links_before, fw_before = host_links(), _firewall_rules(host_firewall())
    c = kvmconn(real_lab)
    v = c.virconn
    helpers.learner_objects(v, str(tmp_path / "learner-pool"))
    try:
        v.lookupByName("learner-vm").create()  # a learner's running guest
        lab.ensure_lab_network(c, "nat")
        v.createXML(lab.tag_domain_xml(helpers.domain_xml(v, "kvmlab-nic", "kvmlab-nat")), 0)
        old_ns = netns_inode(f"/run/netns/{NETNS}")
        c.close()

        report = lab.down()
        assert "Domain 'kvmlab-nic' destroyed and undefined" in report.lines
        assert "Network kvmlab-nat destroyed and undefined" in report.lines
        assert "Domain 'learner-vm' stopped (kept its definition)" in report.lines
        assert "Network learner-net stopped (kept its definition)" in report.lines
        assert f"deleted network namespace {NETNS}" in report.lines
        wait_until(lambda: not _leftovers(old_ns), 5)
        assert _leftovers(old_ns) == []
        assert NETNS not in run("ip", "netns", "list").stdout
        assert not RUN_DIR.exists() or not any(RUN_DIR.iterdir())
        assert host_links() == links_before and _firewall_rules(host_firewall()) == fw_before

        p = run(KVMLAB, "lab", "down")  # idempotent
        assert p.returncode == 0 and "the lab was not running" in p.stdout, p
        p = run(KVMLAB, "lab", "status")
        assert p.returncode == 0 and "Mode:           down\n" in p.stdout

        p = run(KVMLAB, "lab", "up")
        assert p.returncode == 0, p.stderr
        assert "started kvmlab's own virtlogd and libvirtd" in p.stdout
        assert "Lab networks:   kvmlab-nat (active)" in p.stdout
    finally:
        if lab.mode()[0] == "down":
            lab.up()
        with kvmlab.connect(real_lab) as again:
            # The learner's work survived the lab going down and up; it is stopped, not gone.
            assert not again.virconn.lookupByName("learner-vm").isActive()
            assert again.virconn.networkLookupByName("learner-net").isPersistent()
            helpers.remove_learner_objects(again.virconn)


def _start_foreign(tmp_path: Path) -> list[Path]:
    """Start virtlogd + libvirtd as an admin would, not through kvmlab, in a namespace of our own."""
    subprocess.run(["ip", "netns", "add", FOREIGN_NS], check=True)
    pidfiles = []
    for name in ("virtlogd", "libvirtd"):
        pidfile = tmp_path / f"{name}.pid"
        subprocess.run(["ip", "netns", "exec", FOREIGN_NS, name, "-d", "-p", str(pidfile)], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        pidfiles.append(pidfile)
    def answers() -> bool:
        try:
            libvirt.open("qemu:///system").close()
            return True
        except libvirt.libvirtError:
            return False
    assert wait_until(answers, 30, 0.25), "the foreign libvirtd did not answer"
    return pidfiles


def _stop_foreign(pidfiles: list[Path]) -> None:
    terminate([int(p.read_text()) for p in reversed(pidfiles) if p.exists()])
    terminate(netns.pids(FOREIGN_NS))
    netns.delete(FOREIGN_NS)


@pytest.mark.reallab
def test_a_system_libvirtd_is_used_and_never_stopped(real_lab, tmp_path):
    require_netns_mode()
    lab.down()
    pidfiles: list[Path] = []
    try:
        pidfiles = _start_foreign(tmp_path)
        assert lab.mode()[0] == "system"
        st = lab.up()
        foreign_pid = int(pidfiles[1].read_text())
        assert st.mode == "system" and st.uri == "qemu:///system" and st.libvirtd_pid == foreign_pid
        assert f"libvirtd:       pid {foreign_pid} (not started by kvmlab)\n" in str(st)
        assert any("using the system libvirtd" in n and "never stop it" in n for n in st.notes)
        assert not netns.exists(NETNS)  # kvmlab made no namespace of its own
        assert "kvmlab-nat (active)" in st.networks  # it lives in the foreign daemon's namespace
        report = lab.down()
        assert "Network kvmlab-nat destroyed and undefined" in report.lines
        assert any("never stop it" in n for n in report.notes)
        assert alive(foreign_pid), "lab down stopped a libvirtd it did not start"
    finally:
        _stop_foreign(pidfiles)
        lab.down()  # clears the foreign daemon's runtime leftovers
        lab.up()
    assert lab.mode()[0] == "netns"


def test_cli_usage_errors():
    assert run(KVMLAB, "lab").returncode == 2
    p = run(KVMLAB, "lab", "bogus")
    assert p.returncode == 2 and "unknown command 'bogus'" in p.stderr
    p = run(KVMLAB, "lab", "up", "-c", "test:///default")
    assert p.returncode == 2 and "unexpected argument" in p.stderr
    p = run(KVMLAB, "lab", "status", "-c")
    assert p.returncode == 2 and "needs a URI" in p.stderr
    p = run(KVMLAB, "lab", "--help")
    assert p.returncode == 0 and "kvmlab lab <command>" in p.stdout


def test_cli_reset_and_status_on_any_uri():
    p = run(KVMLAB, "lab", "status", "-c", "test:///default")
    assert p.returncode == 0 and "Mode:           uri\n" in p.stdout and "Lab networks:   (none)" in p.stdout
    p = run(KVMLAB, "lab", "reset", "-c", "test:///default")
    assert p.returncode == 0 and "nothing to reset" in p.stdout
    p = run(KVMLAB, "lab", "status", "-c", "test:///nonexistent-file.xml")
    assert p.returncode == 0 and "does not answer" in p.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_non_root_is_told_what_session_lacks():
    # Import as root (the tree may be unreadable to others), then drop to 'nobody' and ask.
    code = ("import os, kvmlab.lab as l; os.setgid(65534); os.setuid(65534); "
            "m, why = l.mode(); print(m); print(why)")
    p = run(sys.executable, "-c", code)
    assert p.returncode == 0, p.stderr
    mode, why = p.stdout.splitlines()[:2]
    assert mode == "session" and "virtual networks" in why and "qemu:///session" in why


SESSION_SCRIPT = """
import os, sys
import kvmlab, kvmlab.lab as lab
from kvmlab.cli.lab import main
os.setgid(65534); os.setuid(65534)
print("UP", main(["up"]))
with kvmlab.connect(lab.lab_uri()) as c:
    try:
        lab.ensure_lab_network(c, "nat")
    except kvmlab.Unsupported as exc:
        print("REFUSED", exc.message, "|", exc.hint)
print("DOWN", main(["down"]))
"""


@pytest.mark.reallab
def test_non_root_lab_is_the_session_and_says_what_is_missing():
    home = Path(tempfile.mkdtemp(prefix="kvmlab-session-"))
    os.chown(home, 65534, 65534)
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=f"{home}/run", XDG_CONFIG_HOME=f"{home}/config",
               XDG_CACHE_HOME=f"{home}/cache", XDG_DATA_HOME=f"{home}/data")
    try:
        p = subprocess.run([sys.executable, "-c", SESSION_SCRIPT], capture_output=True, text=True, env=env,
                           timeout=120, stdin=subprocess.DEVNULL)
        assert p.returncode == 0, p.stderr
        out = p.stdout
        assert "UP 0" in out and "Mode:           session\n" in out and "URI:            qemu:///session\n" in out
        assert "Missing there: virtual networks" in out
        assert f"Pool kvmlab-pool defined, started (dir {home}/.local/share/kvmlab/pool)" in out
        assert "REFUSED cannot create network 'kvmlab-nat' on qemu:///session" in out
        assert "DOWN 0" in out and "Pool kvmlab-pool destroyed and undefined" in out
    finally:
        # The per-user daemon libvirt started for 'nobody' would linger 120 s: stop it now.
        pid = read_pid(home / "run/libvirt/libvirtd.pid")
        if pid and alive(pid) and comm(pid) == "libvirtd":
            terminate([pid])
        shutil.rmtree(home, ignore_errors=True)
