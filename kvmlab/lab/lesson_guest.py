"""A running guest of a part-2 lesson's own, on any backend: the part-2 twin of :func:`course_host`.

Part 2 works on real guests, so a lesson makes its own (never web01 and friends, which belong to
part 1): one domain, tagged as the lab's, with one card on the lab's NAT network, one disk and a
serial console.

* On the real lab (``qemu:///system``) it is the lab's tiny guest (kernel + busybox initramfs,
  ``console=ttyS0``) on ``kvmlab-nat``, with a small qcow2 disk of its own under
  ``/var/lib/kvmlab/disks``; :func:`lesson_guest` boots it and waits (bounded, with progress) until
  its shell is ready and dnsmasq has given its card a lease.
* On the embedded lab (libvirt's test driver) it is a description with the same devices: the
  commands that read libvirt's view (domiflist, domblklist, domifaddr, domstate) work, but nothing
  boots, so there is no console and no DHCP lease; :attr:`LessonGuest.notes` says so.
* On ``qemu:///session`` (no root) there are no virtual networks: the guest has no card.

``guest.remove(conn)`` destroys and undefines it and deletes its disk file (``lab reset`` removes
the domain too: it is tagged).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, OperationFailed, attempt, libvirt_errors, suppressed
from ..i18n import _
from ..specs import DomainSpec
from ..specs.devices import ConsoleSpec, DiskSpec, InterfaceSpec, SerialSpec
from .ownership import is_owned, tag_domain_xml, virconn_of
from .paths import STATE_DIR
from .resources import LAB_NETWORKS, ensure_lab_network

__all__ = ["LessonGuest", "lesson_guest", "disk_dir", "EMBEDDED_MAC", "EMBEDDED_NOTE"]

_NAME = re.compile(r"^kvmlab-[A-Za-z0-9][A-Za-z0-9_.-]{0,56}$")
EMBEDDED_MAC = "52:54:00:4b:11:01"  # fixed, so the embedded lab's outputs are the same at every run
EMBEDDED_UUID = "8a1e5c3d-0b11-4e11-9a11-4b1100000011"  # likewise (a real guest gets a random one)
DISK_MIB = 64
EMBEDDED_NOTE = ("embedded lab (libvirt's test driver): the guest is a description, nothing boots. domiflist, "
                 "domblklist, domifaddr and domstate read libvirt's view and work; there is no serial console "
                 "and no DHCP lease (net-dhcp-leases is refused). With the real lab (`sudo kvmlab lab up`, "
                 "KVMLAB_URI=qemu:///system) the same cells boot a real guest and type into it")  # fmt: skip
SESSION_NOTE = ("qemu:///session (no root): no virtual networks, so the guest has no network card, no "
                "address and no lease; its console works. `sudo kvmlab lab up` gives the full lab")  # fmt: skip

NO_LEASE_NOTE = ("(no lease to show: on qemu:///session the guest has no network card, so no dnsmasq leased it "
                 "an address; on the real lab this is `virsh net-dhcp-leases kvmlab-nat --mac MAC`)")  # fmt: skip


def disk_dir(uri: str) -> Path:
    """Where lesson guests' disk files go: /var/lib/kvmlab/disks, or under $HOME for a session."""
    if uri.rstrip("/").endswith("/session"):
        return Path.home() / ".local/share/kvmlab/disks"
    return STATE_DIR / "disks"


@dataclass(frozen=True)
class LessonGuest:
    """The lesson's guest: its name, the network its card is on, its disk, and what this backend can do."""

    uri: str
    backend: str
    name: str
    network: str  # "" when the guest has no card (qemu:///session)
    disk: str  # the disk's file ("" for none)
    real: bool  # a real guest runs: console, leases and the shell inside work
    notes: tuple[str, ...] = ()
    made: tuple[str, ...] = field(default=(), compare=False)

    @property
    def embedded(self) -> bool:
        return self.backend in ("embedded", "test")

    def rows(self) -> list[tuple[str, str]]:
        console = "yes (virsh console; Ctrl-] leaves)" if self.real else "no (the test driver has no consoles)"
        return [("guest", self.name), ("network", self.network or "(none)"), ("disk", self.disk or "(none)"),
                ("serial console", console)]  # fmt: skip

    def __str__(self) -> str:
        lines = [f"{'backend:':18}{self.backend} ({self.uri})"] + [f"{k + ':':18}{v}" for k, v in self.rows()]
        return "\n".join(lines + [f"note: {n}" for n in self.notes + self.made])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def dhcp_leases(self, conn: Any) -> Any:
        """``virsh net-dhcp-leases NETWORK --mac MAC`` for the guest's first card, run on ``conn`` (a
        VirshRun: it prints what virsh prints); without a card (qemu:///session) a line that says why
        there is no lease."""
        if not self.network:
            return NO_LEASE_NOTE
        mac = conn.domiflist(self.name).macs[0]
        return conn.virsh(f"net-dhcp-leases {self.network} --mac {mac}")

    def remove(self, conn: Any) -> list[str]:
        """Destroy and undefine the guest, and delete its disk file; returns what was done."""
        v = virconn_of(conn)
        done: list[str] = []
        dom = attempt(v.lookupByName, self.name)
        if dom is not None and is_owned(dom):
            with libvirt_errors(f"failed to remove domain '{self.name}'"):
                if dom.isActive():
                    dom.destroy()
                    done.append(f"Domain '{self.name}' destroyed")
                if dom.isPersistent():
                    dom.undefine()
                done.append(f"Domain '{self.name}' has been undefined")
        if self.disk and not self.embedded and Path(self.disk).is_file():
            Path(self.disk).unlink()
            done.append(f"Removed {self.disk}")
        return done


def _backend(conn: Any, v: libvirt.virConnect) -> tuple[str, str]:
    with libvirt_errors():
        uri = v.getURI()
        backend = "embedded" if getattr(conn, "embedded", False) else v.getType().lower()
    return uri, backend


def lesson_guest(conn: Any, name: str = "kvmlab-guest", *, progress: Callable[[str], None] | None = print,
                 timeout: float = 120.0) -> LessonGuest:
    """The lesson's guest ``name``, defined if missing and running (a real one booted and leased).

    Args:
        name: the guest's name; it starts with ``kvmlab-`` (the lab's) and is also its hostname.
        progress: called with one line per step while a real guest boots (None: quiet).
        timeout: seconds a real guest may take to boot and get its lease.

    Raises:
        InvalidState: a domain called ``name`` exists and is not the lab's (it is never touched).
        ConsoleTimeout: a real guest did not come up in time (its console's last lines are attached).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput(_("invalid lesson guest name {name}").format(name=repr(name)),
                           hint=_("a lesson's guest is the lab's: kvmlab-<letters, digits, '-', '_', '.'>"))
    v = virconn_of(conn)
    uri, backend = _backend(conn, v)
    say = progress or (lambda _line: None)
    made: list[str] = []
    dom = attempt(v.lookupByName, name)
    if dom is not None and not is_owned(dom):
        raise InvalidState(_("domain '{name}' exists and is not the lab's: the lesson would change it, so nothing was "
                             "done").format(name=name),
                           hint=_("rename yours (virsh domrename {name} my-{name}) or point KVMLAB_URI at another "
                                  "host").format(name=name))
    if backend in ("embedded", "test"):
        if dom is None:
            with libvirt_errors(f"Failed to define domain from {name}.xml"):
                dom = v.defineXML(_test_xml(name))
            made.append(f"Domain '{name}' defined (a description: the test driver boots nothing)")
        _start(dom, made)
        return LessonGuest(uri, backend, name, "default", f"/var/lib/libvirt/images/{name}.qcow2", False,
                           notes=(EMBEDDED_NOTE,), made=tuple(made))
    session = uri.rstrip("/").endswith("/session")
    network = "" if session else LAB_NETWORKS["nat"].name
    if network:
        msg = ensure_lab_network(conn, "nat")
        if "exists" not in msg.message:
            made.append(msg.message)
    disk = disk_dir(uri) / f"{name}.qcow2"
    if dom is None:
        _make_disk(disk)
        from .guest import domain_xml

        with libvirt_errors(f"Failed to define domain from {name}.xml"):
            dom = v.defineXML(domain_xml(name, networks=[network] if network else None, disk=disk))
        made.append(f"Domain '{name}' defined (the lab's tiny guest, tagged; disk {disk})")
    booted = _start(dom, made)
    t0 = time.monotonic()
    if booted:
        say(_("booting {name} (the lab's tiny guest) ...").format(name=name))
    _wait_ready(conn, name, timeout, say, booted)
    if network:
        _wait_lease(v, dom, network, max(5.0, timeout - (time.monotonic() - t0)), say if booted else (lambda _l: None))
    if booted:
        say(_("{name} ready in {seconds:.1f} s").format(name=name, seconds=time.monotonic() - t0))
    return LessonGuest(uri, backend, name, network, str(disk), True, notes=(SESSION_NOTE,) if session else (),
                       made=tuple(made))


def _test_xml(name: str) -> str:
    """A test-driver domain shaped like the real guest: its kernel command line (console=ttyS0), a card
    on 'default', a disk and a serial console."""
    spec = DomainSpec(type="test", name=name, uuid=EMBEDDED_UUID, memory="128MiB", vcpus=1, os_type="hvm",
                      kernel="/var/lib/kvmlab/guest/vmlinux", initrd="/var/lib/kvmlab/guest/initrd.img",
                      cmdline=f"console=ttyS0 kvmlab.name={name}")  # as the real guest boots (described only)
    spec.disks.append(DiskSpec(type="file", device="disk", driver="qemu", format="qcow2",
                               path=f"/var/lib/libvirt/images/{name}.qcow2", target="vda", bus="virtio"))
    spec.interfaces.append(InterfaceSpec(type="network", network="default", mac=EMBEDDED_MAC, model="virtio"))
    spec.serials.append(SerialSpec(type="pty", target_port=0))
    spec.consoles.append(ConsoleSpec(type="pty", target_type="serial", target_port=0))
    return tag_domain_xml(spec.to_xml())


def _start(dom: libvirt.virDomain, made: list[str]) -> bool:
    """Bring the domain to 'running' (start, or resume a paused one); True when it was started now."""
    with libvirt_errors(f"Failed to start domain '{dom.name()}'"):
        state = dom.state()[0]
        if state == libvirt.VIR_DOMAIN_PAUSED:
            dom.resume()
            made.append(f"Domain '{dom.name()}' resumed")
        elif state in (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_CRASHED):
            if state == libvirt.VIR_DOMAIN_CRASHED:
                dom.destroy()
            dom.create()
            made.append(f"Domain '{dom.name()}' started")
            return True
    return False


def _make_disk(path: Path) -> None:
    """A small empty qcow2 image (qemu-img create), the guest's /dev/vda."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        out = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), f"{DISK_MIB}M"],
                             capture_output=True, text=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OperationFailed(_("could not create the guest's disk {path}: {why}").format(path=path, why=exc),
                              hint=_("install qemu-utils (qemu-img): apt-get install qemu-utils")) from exc
    if out.returncode != 0:
        raise OperationFailed(_("qemu-img could not create {path}: {why}").format(path=path, why=out.stderr.strip()),
                              hint=_("check that {path} is writable").format(path=path.parent))
    os.chmod(path, 0o644)


def _wait_ready(conn: Any, name: str, timeout: float, say: Callable[[str], None], booted: bool) -> None:
    """Wait (bounded) for the guest's ready marker on its serial log; tell each step."""
    from .console import READY_MARKER, Console

    con = Console.open(conn, name)
    try:
        con.wait_for(READY_MARKER, timeout, seen=True)
    finally:
        con.close()
    if booted:
        say(_("{name}: its shell is ready on the serial console (ttyS0)").format(name=name))


def _wait_lease(v: libvirt.virConnect, dom: libvirt.virDomain, network: str, timeout: float,
                say: Callable[[str], None]) -> None:
    """Wait (bounded) until the network's dnsmasq holds a lease for the guest's MAC."""
    from lxml import etree

    from ..specs.parser import xml_parser

    with libvirt_errors():
        root = etree.fromstring(dom.XMLDesc(0).encode(), xml_parser())
        net = v.networkLookupByName(network)
    macs = [m.lower() for m in root.xpath(f"devices/interface[source/@network='{network}']/mac/@address")]
    deadline = time.monotonic() + timeout
    while True:
        leases = []
        with suppressed(libvirt.VIR_ERR_NO_SUPPORT):
            leases = net.DHCPLeases(None, 0)
        got = [le for le in leases if (le.get("mac") or "").lower() in macs]
        if got:
            say(_("{name}: {network} leased it {ip} (MAC {mac})").format(
                name=dom.name(), network=network, ip=got[0]["ipaddr"], mac=got[0]["mac"]))
            return
        if time.monotonic() >= deadline:
            raise OperationFailed(_("{name} got no DHCP lease on {network} within {timeout:g} s").format(
                                      name=dom.name(), network=network, timeout=timeout),
                                  hint=_("look at the guest's console (virsh console {name}): the guest runs udhcpc "
                                         "on eth0; `virsh net-dhcp-leases {network}` lists what dnsmasq gave "
                                         "out").format(name=dom.name(), network=network))
        time.sleep(0.2)
