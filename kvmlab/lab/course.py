"""The objects the lessons work on, on any backend.

The embedded lab ships them: domains web01 and db01 (running), build (paused), backup and
installer (shut off); networks default (nat), isolated, routed and host-bridge; pools default and
iso. On a real libvirt (the lab's daemon, qemu:///session, a remote host) :func:`course_host`
makes stand-ins the lab owns: the same domain names running the lab's tiny guest, tagged, and
networks and pools named ``kvmlab-…`` (the lab's naming rule), so a lesson never changes what the
lab did not create. Lessons name networks and pools through the returned :class:`CourseHost`::

    host = kvmlab.lab.course_host(conn)
    conn.net_info(host.nat)          # 'default' on the embedded lab, 'kvmlab-nat' on the real one
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import libvirt
from lxml import etree

from ..errors import InvalidState, NotFound, OperationFailed, attempt, libvirt_errors
from ..i18n import _
from ..specs.parser import xml_parser
from ..states import state_name
from .ownership import is_owned, tag_domain_xml, virconn_of
from .resources import LAB_NETWORKS, LAB_POOL, ensure_lab_network, ensure_lab_pool, pool_path

__all__ = ["CourseHost", "course_host", "shown_uri", "wait_state", "COURSE_DOMAINS", "RUNNING", "PAUSED",
           "SHUT_OFF", "EMBEDDED_NAMES", "LAB_NAMES"]

_CHECKOUT = Path(__file__).resolve().parents[2].as_posix()  # the directory that holds kvmlab/
RUNNING = ("web01", "db01")
PAUSED = ("build",)
SHUT_OFF = ("backup", "installer")
COURSE_DOMAINS = {**{n: "running" for n in RUNNING}, **{n: "paused" for n in PAUSED},
                  **{n: "shut off" for n in SHUT_OFF}}  # fmt: skip  # name -> the state a lesson starts from
# role -> name of the network or pool playing it
EMBEDDED_NAMES = {"nat": "default", "isolated": "isolated", "routed": "routed", "bridge": "host-bridge",
                  "pool": "default", "iso": "iso"}  # fmt: skip
LAB_NAMES = {"nat": LAB_NETWORKS["nat"].name, "isolated": LAB_NETWORKS["isolated"].name,
             "routed": LAB_NETWORKS["routed"].name, "bridge": "kvmlab-bridge", "pool": LAB_POOL,
             "iso": "kvmlab-iso"}  # fmt: skip
SESSION_NOTE = ("qemu:///session (no root): virtual networks cannot start here: libvirt needs root to create "
                "bridges and NAT rules. The lab's guests have no network card, and the network lessons (4, 5, 9) "
                "use the embedded lab; `sudo kvmlab lab up` gives the full lab")  # fmt: skip


def shown_uri(uri: str) -> str:
    """``uri`` as a lesson prints it: a node file inside this checkout as ``test://…/kvmlab/data/…``, so a
    stored output does not depend on where the course was cloned; any other URI as it is."""
    prefix = f"test://{_CHECKOUT}/"
    return "test://…/" + uri.removeprefix(prefix) if uri.startswith(prefix) else uri


@dataclass(frozen=True)
class CourseHost:
    """Which networks and pools play which role on this connection, and what it cannot do."""

    uri: str
    backend: str
    nat: str
    isolated: str
    routed: str
    bridge: str
    pool: str
    iso: str
    can_start_networks: bool = True
    domain_type: str = "kvm"  # what a lesson's own <domain type=…> should say: kvm, or qemu (TCG) where KVM fails
    notes: tuple[str, ...] = ()
    made: tuple[str, ...] = field(default=(), compare=False)

    @property
    def embedded(self) -> bool:
        return self.backend == "embedded"

    @property
    def domains(self) -> dict[str, str]:
        return dict(COURSE_DOMAINS)

    def rows(self) -> list[tuple[str, str]]:
        none = "(none: no virtual networks here)"
        nets = [self.nat, self.isolated, self.routed, self.bridge] if self.can_start_networks else [none] * 4
        return [("nat network", nets[0]), ("isolated network", nets[1]), ("routed network", nets[2]),
                ("bridge network", nets[3]), ("pool", self.pool), ("ISO pool", self.iso),
                ("domain type", self.domain_type),
                ("domains", ", ".join(f"{n} ({s})" for n, s in self.domains.items()))]  # fmt: skip

    @property
    def shown_uri(self) -> str:
        """The URI as a lesson prints it (:func:`shown_uri`)."""
        return shown_uri(self.uri)

    def __str__(self) -> str:
        lines = [f"{'backend:':18}{self.backend} ({self.shown_uri})"] + [f"{k + ':':18}{v}" for k, v in self.rows()]
        return "\n".join(lines + [f"note: {n}" for n in self.notes + self.made])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    @property
    def guest_network(self) -> str:
        """The network a lesson's VM joins: the NAT network, or none ("") where networks cannot start."""
        return self.nat if self.can_start_networks else ""

    def ready(self, conn: Any, name: str, timeout: float = 120.0) -> None:
        """Wait (bounded) until a real guest has booted: a shutdown sent earlier is lost, as on any PC
        whose OS has not yet started. The embedded lab's domains are ready at once."""
        if self.backend in ("embedded", "test"):
            return
        from .console import READY_MARKER, Console

        con = Console.open(conn, name)
        try:
            con.wait_for(READY_MARKER, timeout, seen=True)
        finally:
            con.close()

    def wait_state(self, conn: Any, name: str, state: str, timeout: float = 60.0) -> str:
        """:func:`wait_state`: wait (bounded) for ``name`` to reach ``state``; return the state reached."""
        return wait_state(conn, name, state, timeout)

    def domain_xml(self, spec: Any) -> str:
        """XML for a lesson's own VM: the spec itself on the embedded lab; on a real host the lab's
        tiny guest (kernel + initramfs, so it really boots and shuts down) with the spec's name,
        memory and vCPUs, tagged as the lab's."""
        xml = spec.to_xml() if hasattr(spec, "to_xml") else str(spec)
        if self.backend in ("embedded", "test"):
            return xml
        from . import guest

        root = etree.fromstring(xml.encode(), xml_parser())
        name = root.findtext("name")
        mib = _kib(root.find("memory")) // 1024 if root.find("memory") is not None else 128
        out = etree.fromstring(guest.domain_xml(name, networks=None, memory_mib=max(64, min(mib, 4096)), tag=False)
                               .encode(), xml_parser())  # fmt: skip
        out.find("vcpu").text = root.findtext("vcpu") or "1"
        return tag_domain_xml(etree.tostring(out, encoding="unicode"))


def _kib(memory: etree._Element) -> int:
    from ..units import parse_size

    return parse_size(memory.text.strip(), memory.get("unit", "KiB"), what="memory") // 1024


def _state(dom: libvirt.virDomain) -> str:
    try:
        with libvirt_errors():
            return state_name(dom.state()[0])
    except NotFound:
        return "shut off"  # a transient domain is gone once it stops


def wait_state(conn: Any, name: str, state: str, timeout: float = 60.0) -> str:
    """Wait (bounded) until domain ``name`` is in ``state`` (e.g. "shut off"); return the state reached.

    The embedded lab changes state at once; a real guest takes its time to shut down.
    """
    v = virconn_of(conn)
    with libvirt_errors(f"failed to get domain '{name}'"):
        dom = v.lookupByName(name)
    deadline = time.monotonic() + timeout
    while (now := _state(dom)) != state and time.monotonic() < deadline:
        time.sleep(0.2)
    return now


def course_host(conn: Any, progress: Callable[[str], None] | None = print, timeout: float = 120.0) -> CourseHost:
    """The lessons' objects on ``conn``, made (and put in their lesson-start state) where needed.

    On the embedded lab nothing changes: every open is already fresh. On a real libvirt the lab's
    stand-ins are defined if missing and brought to the states the lessons start from; guests that
    must run are booted and waited for (bounded by ``timeout``), with progress.

    Raises:
        InvalidState: a domain with a course name exists and is not the lab's (it is never touched).
    """
    v = virconn_of(conn)
    with libvirt_errors():
        uri = v.getURI()
        backend = "embedded" if getattr(conn, "embedded", False) else v.getType().lower()
    if backend in ("embedded", "test"):
        return CourseHost(uri, backend, **EMBEDDED_NAMES)
    _refuse_foreign_domains(v)  # before anything changes
    session = uri.rstrip("/").endswith("/session")
    made: list[str] = []
    say = progress or (lambda _line: None)
    if not session:
        for mode in ("nat", "routed", "isolated"):
            msg = ensure_lab_network(conn, mode)
            if "exists" not in msg.message:
                made.append(msg.message)
        _network_state(v, LAB_NAMES["isolated"], active=False, made=made)
        _define_network(v, LAB_NAMES["bridge"], _bridge_network_xml(), made)
    made += [m for m in [ensure_lab_pool(conn).message] if "exists" not in m]
    _define_iso_pool(conn, v, made)
    _domains(v, None if session else LAB_NAMES["nat"], say, timeout, made)
    notes = (SESSION_NOTE,) if session else ()
    return CourseHost(uri, backend, **LAB_NAMES, can_start_networks=not session, domain_type=_domain_type(),
                      notes=notes, made=tuple(made))  # fmt: skip


def _domain_type() -> str:
    from .probe import accel

    return "kvm" if accel() == "kvm" else "qemu"


def _network_state(v: libvirt.virConnect, name: str, *, active: bool, made: list[str]) -> None:
    with libvirt_errors(f"failed to get network '{name}'"):
        net = v.networkLookupByName(name)
        if bool(net.isActive()) != active:
            (net.create if active else net.destroy)()
            made.append(f"Network {name} {'started' if active else 'stopped'} (as the lessons expect)")


def _define_network(v: libvirt.virConnect, name: str, xml: str, made: list[str]) -> None:
    if attempt(v.networkLookupByName, name) is None:
        with libvirt_errors(f"Failed to define network from {name}.xml"):
            v.networkDefineXML(xml)
        made.append(f"Network {name} defined (not started: a bridge network needs an existing host bridge)")


def _bridge_network_xml() -> str:
    net = etree.Element("network")
    etree.SubElement(net, "name").text = LAB_NAMES["bridge"]
    etree.SubElement(net, "forward", mode="bridge")
    etree.SubElement(net, "bridge", name="kvmlab-br0")
    return etree.tostring(net, encoding="unicode")


def _define_iso_pool(conn: Any, v: libvirt.virConnect, made: list[str]) -> None:
    name = LAB_NAMES["iso"]
    if attempt(v.storagePoolLookupByName, name) is not None:
        return
    pool = etree.Element("pool", type="dir")
    etree.SubElement(pool, "name").text = name
    etree.SubElement(etree.SubElement(pool, "target"), "path").text = str(pool_path(conn).with_name("kvmlab-iso"))
    with libvirt_errors(f"Failed to define pool from {name}.xml"):
        v.storagePoolDefineXML(etree.tostring(pool, encoding="unicode"), 0)
    made.append(f"Pool {name} defined (not started, like the embedded lab's iso)")


def _refuse_foreign_domains(v: libvirt.virConnect) -> None:
    for name in COURSE_DOMAINS:
        dom = attempt(v.lookupByName, name)
        if dom is None:
            continue
        if not is_owned(dom):
            raise InvalidState(
                _("domain '{name}' exists and is not the lab's: the lessons would change it, so nothing was "
                  "done").format(name=name),
                hint=_("rename yours (virsh domrename {name} my-{name}) or point KVMLAB_URI at another "
                       "host").format(name=name),
            )


def _domains(v: libvirt.virConnect, network: str | None, say: Callable[[str], None], timeout: float,
             made: list[str]) -> None:  # fmt: skip
    from . import guest
    from .console import READY_MARKER, Console

    booted: list[tuple[str, float]] = []
    for name, want in COURSE_DOMAINS.items():
        dom = attempt(v.lookupByName, name)
        if dom is None:
            with libvirt_errors(f"Failed to define domain from {name}.xml"):
                dom = v.defineXML(guest.domain_xml(name, networks=(network,) if network else None))
            made.append(f"Domain '{name}' defined (the lab's tiny guest, tagged)")
        now = _state(dom)
        with libvirt_errors(f"failed to bring domain '{name}' to '{want}'"):
            if want == "shut off" and now != "shut off":
                dom.destroy()
            elif want != "shut off" and now == "shut off":
                dom.create()
                booted.append((name, time.monotonic()))
                say(_("booting {name} (the lab's tiny guest) ...").format(name=name))
            if want == "running" and now == "paused":
                dom.resume()
            if want == "paused" and _state(dom) == "running":
                dom.suspend()  # a paused guest needs no boot to finish
        if _state(dom) != want:
            made.append(f"Domain '{name}' is {_state(dom)}, not {want}")
    for name, t0 in booted:
        if name in PAUSED:
            continue
        con = Console(v.lookupByName(name))
        try:
            con.wait_for(READY_MARKER, max(1.0, timeout - (time.monotonic() - t0)), seen=True)
        except OperationFailed as exc:
            made.append(f"Domain '{name}' started but its guest is not ready: {exc}")
            continue
        finally:
            con.close()
        say(_("{name} ready in {seconds:.1f} s").format(name=name, seconds=time.monotonic() - t0))
        made.append(f"Domain '{name}' started (guest ready)")
