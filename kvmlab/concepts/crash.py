"""User mode vs kernel mode, measured: crash a process in the guest, then crash the guest's kernel.

The course notes say: a crash in user mode is recoverable, a crash in kernel mode is not. On the
lab's real guest (serial console with a root shell):

* :func:`user_crash` runs ``/bin/segfault`` (a 137-byte program that reads address 0). The CPU
  faults, the guest kernel kills that one process with SIGSEGV, the shell reports it, and the guest
  goes on answering: ``dominfo`` still says running.
* :func:`kernel_crash` writes ``c`` to ``/proc/sysrq-trigger``: the guest kernel dereferences NULL
  itself and panics. Nothing inside can recover. The panic device (``<panic model='isa'/>``)
  tells QEMU; with ``<on_crash>preserve</on_crash>`` libvirt stops the vCPU and reports the domain
  *crashed* (``virsh domstate NAME --reason`` -> ``crashed (panicked)``). The host is untouched.
  Without a panic device the guest kernel would spin in its panic loop and burn a host core until
  someone destroys it — so kvmlab refuses to crash a domain that lacks one, and destroys after.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import libvirt
from lxml import etree

from ..errors import InvalidInput, InvalidState, OperationFailed, libvirt_errors
from ..i18n import _
from ..lab.console import Console
from ..ops.result import Fields
from ..specs.parser import xml_parser
from ..states import state_name

GUEST = "kvmlab-guest"  # the lab's tiny guest: `kvmlab guest xml > guest.xml; virsh create guest.xml`

# Why libvirt can say "crashed (panicked)" at all: the lab's guest is made to tell it.
PANIC_DEVICE_NOTE = (
    "libvirt can say 'crashed (panicked)' because the lab's guest has a panic device, <panic model='isa'/>",
    "(the pvpanic port), and <on_crash>preserve</on_crash>. Without a panic device the host never learns",
    "of the panic: libvirt keeps showing 'running' while the guest's vCPU spins.")


@dataclass
class CrashReport(Fields):
    """What happened, measured. ``str()`` prints ``Label: value`` lines; ``console`` has the evidence."""

    kind: str = ""
    domain: str = ""
    state_after: str = ""
    guest_alive: bool = False
    guest_cpu_after: float | None = None  # seconds of guest CPU in the second after the crash
    host_ok: bool = False
    console: list[str] = field(default_factory=list)


def _state(dom: libvirt.virDomain) -> tuple[int, int]:
    with libvirt_errors():
        return tuple(dom.state(0))  # type: ignore[return-value]


def _host_ok(v: libvirt.virConnect) -> tuple[bool, str]:
    """The host still answers: libvirt responds and the load is a number we can read."""
    t = time.monotonic()
    v.getLibVersion()
    load = os.getloadavg()[0]
    return True, f"libvirt answered in {1000 * (time.monotonic() - t):.0f} ms; load average {load:.2f}"


def _cpu_over(dom: libvirt.virDomain, seconds: float = 1.0) -> float:
    """Guest CPU time (s) spent during ``seconds`` of wall time: ~0 when its vCPU is stopped."""
    before = dom.info()[4]
    time.sleep(seconds)
    return (dom.info()[4] - before) / 1e9


def crash_ready(dom: libvirt.virDomain) -> None:
    """Refuse to crash a kernel that would then burn a host core: it needs the panic device.

    Raises:
        InvalidInput: no ``<panic>`` device, or ``on_crash`` is not ``preserve``/``destroy``.
    """
    root = etree.fromstring(dom.XMLDesc(0).encode(), xml_parser())
    on_crash = root.findtext("on_crash") or "destroy"
    if root.find("devices/panic") is None:
        raise InvalidInput(
            _("domain '{name}' has no panic device").format(name=dom.name()),
            hint=_("add <panic model='isa'/> (kvmlab.lab.guest.domain_xml does): without it a panicked "
                   "guest kernel spins forever and burns a host core until `virsh destroy`"),
        )
    if on_crash not in ("preserve", "destroy", "coredump-destroy"):
        raise InvalidInput(
            _("domain '{name}' has on_crash={on_crash}").format(name=dom.name(), on_crash=on_crash),
            hint=_("use <on_crash>preserve</on_crash> to look at the crashed guest, or destroy"),
        )


def _running(conn, name: str) -> tuple[libvirt.virConnect, libvirt.virDomain]:
    v = getattr(conn, "virconn", conn)
    with libvirt_errors(f"failed to get domain '{name}'"):
        dom = v.lookupByName(name)
    if _state(dom)[0] != libvirt.VIR_DOMAIN_RUNNING:
        raise InvalidState(_("domain '{name}' is not running").format(name=name),
                           hint=_("start it first: virsh start {name}").format(name=name))
    return v, dom


def user_crash(conn, name: str, console: Console | None = None, timeout: float = 30.0) -> CrashReport:
    """Segfault one process in the guest; show the guest lives on."""
    v, dom = _running(conn, name)
    con = console or Console(dom)
    try:
        status, out = con.run("/bin/segfault", timeout)
        alive_status, alive = con.run("echo guest-alive $(cut -d' ' -f1 /proc/uptime)", timeout)
        _dmesg_status, dmesg = con.run("dmesg | grep segfault | tail -n 1", timeout)
    finally:
        if console is None:
            con.close()
    state = state_name(_state(dom)[0])
    ok, host = _host_ok(v)
    alive_ok = alive_status == 0 and any(line.startswith("guest-alive") for line in alive)
    fields = [
        ("Crash:", "user mode: /bin/segfault read address 0"),
        ("Exit status:", f"{status} (128 + 11: killed by SIGSEGV)" if status == 139 else str(status)),
        ("Guest kernel:", (dmesg[-1].strip() if dmesg else "(no segfault line in dmesg)")),
        ("Guest after:", "answers on its console" if alive_ok else "does not answer"),
        ("State:", state),
        ("Host:", host),
    ]
    return CrashReport(
        fields=fields, kind="user", domain=name, state_after=state, guest_alive=alive_ok, host_ok=ok,
        console=out + alive + dmesg, virsh=f"virsh console {name}  (then: /bin/segfault); virsh dominfo {name}",
        api=[f"dom = conn.lookupByName('{name}')", "# console: /bin/segfault", "dom.state(0)"],
    )


def kernel_crash(conn, name: str, console: Console | None = None, timeout: float = 60.0,
                 destroy: bool = True) -> CrashReport:
    """Panic the guest kernel (sysrq ``c``); wait, bounded, for libvirt to report it crashed."""
    v, dom = _running(conn, name)
    crash_ready(dom)
    con = console or Console(dom)
    try:
        con.skip()
        con.send("echo c > /proc/sysrq-trigger\n")
        deadline = time.monotonic() + timeout
        while _state(dom)[0] not in (libvirt.VIR_DOMAIN_CRASHED, libvirt.VIR_DOMAIN_SHUTOFF):
            if time.monotonic() > deadline:
                raise OperationFailed(
                    _("domain '{name}' did not report a crash within {timeout:g} s").format(name=name, timeout=timeout),
                    hint=_("is the pvpanic-mmio module loaded in the guest? (its console shows insmod errors)"))
            time.sleep(0.2)
        state, reason = _state(dom)
        con.poll()
        console_lines = [ln for ln in con.lines_seen if ln.strip()]
        cpu = _cpu_over(dom) if state == libvirt.VIR_DOMAIN_CRASHED else None
    finally:
        if console is None:
            con.close()
    ok, host = _host_ok(v)
    why = "panicked" if (state, reason) == (libvirt.VIR_DOMAIN_CRASHED, libvirt.VIR_DOMAIN_CRASHED_PANICKED) else str(reason)
    panic_line = next((ln for ln in console_lines if "Kernel panic" in ln), "(no panic line captured)")
    fields = [
        ("Crash:", "kernel mode: echo c > /proc/sysrq-trigger (the kernel dereferences NULL)"),
        ("Guest console:", panic_line.strip()),
        ("State:", f"{state_name(state)} ({why})"),
        ("Guest CPU after:", f"{cpu:.2f} s in the next second (vCPU stopped: no host core burnt)" if cpu is not None
         else "-"),
        ("Host:", host),
    ]
    api = [f"dom = conn.lookupByName('{name}')", "# console: echo c > /proc/sysrq-trigger",
           "dom.state(0)  # -> [VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED]"]
    if destroy and dom.isActive():
        with libvirt_errors(f"Failed to destroy domain '{name}'"):
            dom.destroy()
        fields.append(("Afterwards:", "destroyed (virsh destroy): a crashed guest only restarts from scratch"))
        api.append("dom.destroy()")
    return CrashReport(
        fields=fields, kind="kernel", domain=name, state_after=state_name(state), guest_alive=False,
        guest_cpu_after=cpu, host_ok=ok, console=console_lines[-20:],
        virsh=f"virsh domstate {name} --reason" + (f"; virsh destroy {name}" if destroy else ""), api=api,
    )


@dataclass
class CrashDemo:
    """Lesson 2's two crashes on ``guest``, or why they did not run here (``note``)."""

    guest: str
    reports: list[CrashReport] = field(default_factory=list)
    note: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n\n".join(str(r).rstrip("\n") for r in self.reports) if self.reports else "\n".join(self.note)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def demo(conn, guest: str = GUEST) -> CrashDemo:
    """On the real lab: crash a process in ``guest`` (it lives on), then its kernel (the host lives on;
    the guest is destroyed after). Elsewhere nothing runs, and the result says what would happen."""
    if getattr(conn, "backend", "") != "qemu":
        return CrashDemo(guest, note=[
            "embedded lab: there is no guest kernel here to crash (the test driver runs no code).",
            "On the real lab (KVMLAB_URI=qemu:///system after `kvmlab lab up`) this cell crashes a process",
            "in the guest (SIGSEGV: the guest lives on), then the guest's kernel with",
            "`echo c > /proc/sysrq-trigger`: the guest panics and libvirt reports it 'crashed (panicked)';",
            "the host and every other guest carry on.", *PANIC_DEVICE_NOTE])
    running = conn.list().names
    if guest not in running:
        start = f"start the lab's guest first: kvmlab guest xml > guest.xml && virsh create guest.xml ({guest})"
        return CrashDemo(guest, note=[start])
    return CrashDemo(guest, reports=[user_crash(conn, guest), kernel_crash(conn, guest)])
