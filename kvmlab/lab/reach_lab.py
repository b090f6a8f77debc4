"""Lesson 12's lab, built for real: five networks, eleven tiny guests booted in parallel, one outside.

:func:`reach_lab` builds what :mod:`kvmlab.lab.reach_plan` describes and returns a :class:`ReachLab`:

* on kvmlab's own lab (root, libvirtd in namespace ``kvmlab-lab``, ``qemu:///system``): first the
  containment check (:mod:`kvmlab.lab.containment`: no way out of the namespace, or nothing starts),
  then the hand-made bridge (``ip -n kvmlab-lab link add kvmlab-net12br type bridge``), the five
  networks, and the eleven guests, all booted at once and waited for together (bounded, with
  progress). The bridge guests and the outside get their addresses by hand over their consoles;
* on the embedded lab (libvirt's test driver) the five networks are created as libvirt descriptions
  (their XML is real libvirt's), but no guest boots and no packet exists: ``live`` is False;
* on ``qemu:///session`` (no root) no virtual network can start: nothing is made.

Re-running it reuses what runs already (a second notebook, a re-run cell). :meth:`ReachLab.remove`
takes everything away; ``kvmlab lab reset`` does too (tagged guests, ``kvmlab-`` networks, and the
bridge's alias mark).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, KvmlabError, NotFound, attempt, libvirt_errors, suppressed
from ..i18n import _
from . import guest as guest_mod
from .boot_wait import wait_all
from .console import DHCP_MARKER, READY_MARKER, Console
from .containment import Containment, require_contained
from .control import mode as lab_mode
from .links import ALIAS_PREFIX, alias_for, ip_in_lab, lab_links
from .ownership import is_owned, virconn_of
from .paths import NETNS, SYSTEM_URI
from .reach_plan import GUESTS, MODES, NETS, OUTSIDE, OUTSIDE_GUEST, RETURN_ROUTE, LabGuest, network_xml

__all__ = ["ReachLab", "reach_lab", "remove", "BOOT_TIMEOUT", "NAMESPACE", "not_live_reason"]

NAMESPACE = NETNS  # the namespace checked closed before anything starts (tests point it at one with a way out)
BOOT_TIMEOUT = 90.0  # eleven guests at once under TCG on two cores: ~20 s measured; a hung one says so
Progress = Callable[[str], None]


@dataclass
class ReachLab:
    """What lesson 12 runs on: the backend, the networks, the guests and their addresses.

    ``live`` is True only when the guests really run here (kvmlab's own lab); ``reason`` says why not.
    """

    uri: str
    backend: str
    live: bool
    reason: str = ""
    addresses: dict[str, str] = field(default_factory=dict)  # guest name -> IPv4 address
    containment: Containment | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # what took how long: boot, addresses …
    made: list[str] = field(default_factory=list)
    conn: Any = field(default=None, repr=False, compare=False)

    @property
    def networks(self) -> dict[str, str]:
        """mode -> libvirt network name."""
        return {m: n.name for m, n in NETS.items()}

    def net(self, mode: str) -> str:
        return NETS[mode].name

    def address(self, mode: str, role: str = "a") -> str:
        from .reach_plan import guest

        return self.addresses.get(guest(mode, role).name, "")

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """mode, network, bridge, the host's address, guests (with addresses when live)."""
        out = []
        for m, n in NETS.items():
            gs = [g for g in GUESTS if g.mode == m] + ([OUTSIDE_GUEST] if m == "bridge" else [])
            names = ", ".join(f"{g.name}" + (f" {self.addresses[g.name]}" if g.name in self.addresses else "")
                              for g in gs)  # fmt: skip
            out.append((m, n.name, n.bridge, f"{n.host}/24" + (" + DHCP" if n.dhcp else ""), names))
        return out

    def __str__(self) -> str:
        shown = self.uri
        if self.backend == "embedded":
            shown = "test://…/kvmlab/data/embedded-host.xml"
        lines = [f"{'backend:':10}{self.backend} ({shown})",
                 "guests:   " + (f"{len(GUESTS)} running, one per line below" if self.live else
                                 f"none run here: {self.reason}")]  # fmt: skip
        lines += [f"  {m:9}{name:23}{bridge:17}{host:24}{guests}" for m, name, bridge, host, guests in self.rows()]
        if self.seconds:
            lines.append("timing:   " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
        return "\n".join(lines + [f"note: {m}" for m in self.made])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def network_xml(self, mode: str) -> str:
        """The network's XML as libvirt holds it (``virsh net-dumpxml``); where no network could be made
        (qemu:///session), the XML the lab would define, marked as such."""
        if mode not in NETS:
            raise InvalidInput(_("unknown mode {mode}").format(mode=repr(mode)),
                               hint=_("one of: {choices}").format(choices=", ".join(MODES)))
        name = NETS[mode].name
        try:
            with libvirt_errors(f"failed to get network '{name}'"):
                return virconn_of(self.conn).networkLookupByName(name).XMLDesc(0)
        except NotFound:
            return f"<!-- not in libvirt here ({self.reason}); the XML the lab would define: -->\n" + network_xml(mode)

    def safety(self) -> str:
        """What the containment check saw before anything started (or why there was nothing to check)."""
        if self.containment is not None:
            return str(self.containment)
        return (f"nothing to check: {self.reason}. On kvmlab's own lab the namespace {NETNS} is checked before "
                "anything starts and before every measurement: no default route, no link out of it.")

    def shell(self, who: str, command: str) -> str:
        """``command`` typed into the serial console of ``who``'s guest (a mode's ``a`` guest, or "outside")."""
        from .reach_plan import guest

        g = OUTSIDE_GUEST if who == "outside" else guest(who)
        if not self.live:
            return f"[{g.name} does not run here: {self.reason}. On the real lab this cell types `{command}` into it.]"
        status, out = self.run(g.name, command)
        return "\n".join([f"{g.name}# {command}", *out] + ([f"[exit status {status}]"] if status else []))

    def remove(self) -> list[str]:
        """:func:`remove`: the lesson's guests, networks and bridge, gone."""
        self.live = False
        self.reason = "the lesson's lab was removed"
        return remove(self.conn)

    # -- inside the guests ---------------------------------------------------------------------
    def console(self, name: str) -> Console:
        if not self.live:
            raise InvalidState(_("no guest runs here, so there is no console of {name}: {reason}").format(
                                   name=name, reason=self.reason),
                               hint=_("on the real lab (`sudo kvmlab lab up`, KVMLAB_URI=qemu:///system) they run"))
        return Console.open(self.conn, name)

    def run(self, name: str, command: str, timeout: float = 20.0) -> tuple[int, list[str]]:
        """Type ``command`` into guest ``name``'s serial console; (exit status, output lines)."""
        with self.console(name) as con:
            return con.run(command, timeout)

    def run_all(self, commands: dict[str, str], timeout: float = 20.0) -> dict[str, tuple[int, list[str]]]:
        """One command per guest, all guests at once (each on its own console)."""
        with ThreadPoolExecutor(max_workers=len(commands) or 1) as pool:
            futures = {n: pool.submit(self.run, n, c, timeout) for n, c in commands.items()}
            return {n: f.result() for n, f in futures.items()}


def not_live_reason(conn: Any) -> str:
    """Why guests cannot run and ping here ('' when they can: kvmlab's own lab in its namespace)."""
    v = virconn_of(conn)
    with libvirt_errors():
        driver, uri = v.getType(), v.getURI()
    if getattr(conn, "embedded", False) or driver == "Test":
        return ("this is the embedded lab (libvirt's test driver): its networks are descriptions, no guest boots "
                "and no packet exists")
    if uri.rstrip("/").endswith("/session"):
        return ("qemu:///session (no root) has no virtual networks: libvirt creates no bridge, dnsmasq or "
                "firewall rule without root")
    if lab_mode()[0] != "netns" or uri != SYSTEM_URI:
        return (f"{uri} is not kvmlab's own libvirtd in namespace {NETNS}: the lesson builds bridges and pings "
                "only inside that namespace, never on a host's own interfaces")
    return ""


def _ensure_network(v: libvirt.virConnect, mode: str, made: list[str]) -> None:
    name = NETS[mode].name
    net = attempt(v.networkLookupByName, name, codes=[libvirt.VIR_ERR_NO_NETWORK])
    if net is not None and net.isActive():
        return
    with libvirt_errors(f"failed to start network '{name}'"):
        if net is None:
            v.networkCreateXML(network_xml(mode))  # transient: gone once destroyed (virsh net-create)
        else:
            net.create()
    made.append(f"network {name} started ({mode})")


def _ensure_bridge(made: list[str]) -> None:
    """The LAN bridge (the host's "br0") in the lab namespace, with the host's address, marked as the lab's."""
    br, host = NETS["bridge"].bridge, NETS["bridge"].host
    links = {lk["ifname"]: lk for lk in lab_links()}
    if br in links and not str(links[br].get("ifalias", "")).startswith(ALIAS_PREFIX):
        raise InvalidState(_("a link {link} exists in namespace {ns} and is not the lab's").format(link=br, ns=NETNS),
                           hint=_("delete it (ip -n {ns} link del {link}) or `kvmlab lab reset`").format(
                               link=br, ns=NETNS))
    if br not in links:
        ip_in_lab("link", "add", br, "type", "bridge")
        ip_in_lab("link", "set", br, "alias", alias_for({}))  # `lab reset` deletes it by this mark
        made.append(f"bridge {br} made in namespace {NETNS} (the host's br0 of this lab)")
    ip_in_lab("addr", "replace", f"{host}/24", "dev", br)
    ip_in_lab("link", "set", br, "up")


def _start_guests(v: libvirt.virConnect, say: Progress, made: list[str]) -> list[LabGuest]:
    """Start every guest not running yet (transient, tagged); the ones started, in order."""
    accel = "kvm" if guest_mod.probe.accel() == "kvm" else "tcg"
    todo: list[tuple[LabGuest, libvirt.virDomain | None]] = []
    for g in GUESTS:  # every check first: a foreign domain stops everything before anything starts
        dom = attempt(v.lookupByName, g.name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        if dom is not None and not is_owned(dom):
            raise InvalidState(_("domain '{name}' exists and is not the lab's: nothing was started").format(name=g.name),
                               hint=_("rename yours (virsh domrename {name} my-{name})").format(name=g.name))
        if dom is None or not dom.isActive():
            todo.append((g, dom))
    if not todo:
        return []
    xml = {g.name: guest_mod.domain_xml(g.name, networks=(g.network,), accel=accel) for g, _boot in todo}
    say(_("booting {n} guests at once ({accel}): {names}").format(
        n=len(todo), accel=accel.upper(), names=", ".join(g.name for g, _boot in todo)))

    def start(g: LabGuest, dom: libvirt.virDomain | None) -> None:
        if dom is not None:  # defined and shut off (by hand): start it as it is
            with libvirt_errors(f"failed to start domain '{g.name}'"):
                dom.create()
        else:  # transient (virsh create): gone once destroyed
            with libvirt_errors(f"Failed to create domain from {g.name}.xml"):
                v.createXML(xml[g.name], 0)

    # libvirtd starts QEMU processes in parallel from parallel calls: a sequence would take 2 s per guest
    with ThreadPoolExecutor(max_workers=len(todo)) as pool:
        for f in [pool.submit(start, g, dom) for g, dom in todo]:
            f.result()
    made.append(f"{len(todo)} guests started (tiny, transient, tagged as the lab's)")
    return [g for g, _boot in todo]


def _static(g: LabGuest) -> str:
    """The commands that give a LAN guest its address by hand (the LAN of this lab has no DHCP server)."""
    dev = "eth0"
    cmds = ["killall udhcpc 2>/dev/null", f"ip addr flush dev {dev}", f"ip addr add {g.static}/24 dev {dev}",
            f"ip link set {dev} up"]  # fmt: skip
    # No ICMP redirects: a router that forwards a packet back out of the LAN it came from tells the sender
    # to go to the host directly, and the sender remembers that for minutes; every ping here must take
    # the path its row describes, whatever was pinged before.
    if g.mode == "outside":  # the LAN's router: forwards, and knows the routed subnets are behind the host
        cmds += ["echo 1 > /proc/sys/net/ipv4/ip_forward",
                 "for f in /proc/sys/net/ipv4/conf/*/send_redirects; do echo 0 > $f; done",
                 f"ip route replace {RETURN_ROUTE[0]} via {RETURN_ROUTE[1]}"]  # fmt: skip
    else:
        cmds += ["for f in /proc/sys/net/ipv4/conf/*/accept_redirects; do echo 0 > $f; done",
                 f"ip route replace default via {OUTSIDE}", "ip route flush cache"]  # fmt: skip
    return "; ".join(cmds)


def reach_lab(conn: Any, progress: Progress | None = print, timeout: float = BOOT_TIMEOUT) -> ReachLab:
    """Lesson 12's networks and guests on ``conn`` (see the module docstring); bounded by ``timeout`` s."""
    say = progress or (lambda _line: None)
    v = virconn_of(conn)
    with libvirt_errors():
        uri = v.getURI()
    backend = "embedded" if getattr(conn, "embedded", False) else v.getType().lower()
    reason = not_live_reason(conn)
    lab = ReachLab(uri, backend, live=False, reason=reason, conn=conn)
    if uri.rstrip("/").endswith("/session"):
        return lab
    if reason:  # the embedded lab (or another libvirt): the networks as descriptions only, no bridge touched
        if backend in ("embedded", "test"):
            for m in MODES:
                _ensure_network(v, m, lab.made)
        return lab
    t0 = time.monotonic()
    lab.containment = require_contained(NAMESPACE)  # before anything is made: a namespace with a way out stops here
    _ensure_bridge(lab.made)
    for m in MODES:
        _ensure_network(v, m, lab.made)
    lab.seconds["networks"] = time.monotonic() - t0
    t1 = time.monotonic()
    _start_guests(v, say, lab.made)
    names = [g.name for g in GUESTS]
    wait_all(conn, names, READY_MARKER, timeout, say, "ready")
    lab.seconds["boot"] = time.monotonic() - t1
    t2 = time.monotonic()
    lab.live = True
    lab.run_all({g.name: _static(g) for g in GUESTS if g.static}, timeout=20)
    dhcp = [g.name for g in GUESTS if not g.static]
    leases = wait_all(conn, dhcp, DHCP_MARKER, max(10.0, timeout - (time.monotonic() - t1)), say, "leased")
    lab.addresses = {g.name: g.static or leases[g.name].split()[-1] for g in GUESTS}
    lab.seconds["addresses"] = time.monotonic() - t2
    return lab


def remove(conn: Any) -> list[str]:
    """Destroy the lesson's guests and networks and delete its bridge; one line per object removed.

    The guests go at once (libvirtd stops QEMU processes in parallel from parallel calls), then the networks.
    """
    v = virconn_of(conn)

    def destroy(obj: Any, what: str, codes: tuple[int, ...]) -> str:
        with suppressed(*codes, libvirt.VIR_ERR_OPERATION_INVALID):
            if obj.isActive():
                obj.destroy()
            if obj.isPersistent():
                obj.undefine()
        return f"{what} destroyed"

    doms = [(d, g.name) for g in GUESTS
            if (d := attempt(v.lookupByName, g.name, codes=[libvirt.VIR_ERR_NO_DOMAIN])) is not None and is_owned(d)]
    with ThreadPoolExecutor(max_workers=len(doms) or 1) as pool:
        done = list(pool.map(lambda dn: destroy(dn[0], f"Domain '{dn[1]}'", (libvirt.VIR_ERR_NO_DOMAIN,)), doms))
    for m in MODES:
        net = attempt(v.networkLookupByName, NETS[m].name, codes=[libvirt.VIR_ERR_NO_NETWORK])
        if net is not None:
            done.append(destroy(net, f"Network {NETS[m].name}", (libvirt.VIR_ERR_NO_NETWORK,)))
    if not getattr(conn, "embedded", False) and v.getType() != "Test" and not not_live_reason(conn):
        br = NETS["bridge"].bridge
        try:
            if any(lk["ifname"] == br and str(lk.get("ifalias", "")).startswith(ALIAS_PREFIX)
                   for lk in lab_links()):  # fmt: skip
                ip_in_lab("link", "del", br)
                done.append(f"Link {br} deleted from namespace {NETNS}")
        except KvmlabError:
            pass
    return done
