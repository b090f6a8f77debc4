"""Lesson 8 checks: managing VMs with virsh (Virsh 管理虚拟机).

- :func:`check_running`: a VM that must run now — ``define`` alone only registers it (创建但不启动).
- :func:`check_graceful_shutdown`: a VM shut down, not destroyed.
- :func:`check_force_line`: the virsh line that forces a hung VM off — ``destory`` (the notes' spelling)
  is caught with the right word; the line runs on your connection like a shell.
- :func:`check_memory_edit`: a definition edited to more RAM (KiB, and <currentMemory> too).
- :func:`check_deleted`: a VM deleted for good (undefine).

How can a check tell ``shutdown`` from ``destroy`` when both end "shut off"? libvirt records *why*
a domain stopped: ``dom.state()`` returns ``(VIR_DOMAIN_SHUTOFF, reason)`` with reason
``VIR_DOMAIN_SHUTOFF_SHUTDOWN`` (the guest powered itself off) or ``VIR_DOMAIN_SHUTOFF_DESTROYED``
(forced). The test driver records both exactly as QEMU's driver does, so the verdict is libvirt's.
"""

from __future__ import annotations

import time
from typing import Any

import libvirt

from ..errors import KvmlabError, attempt, libvirt_errors
from ..i18n import N_, _
from ..states import reason_constant, state_constant, state_name
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line
from .ladder import graded
from .lesson07 import memory_mistake, read_domain

__all__ = ["state_of", "state_text", "check_running", "check_graceful_shutdown", "check_force_line",
           "check_memory_edit", "check_deleted"]  # fmt: skip

# What each wrong command does instead of forcing a hung VM off.
_NOT_FORCE = N_({
    "shutdown": "shutdown only asks the guest to power off (through the QEMU guest agent if the VM has one, "
    "otherwise the ACPI power button); a hung guest never answers: forcing it off is like pulling the plug "
    "(强制关闭)",
    "reboot": "reboot asks the guest to restart; a hung guest does not answer, and the task stops it",
    "undefine": "undefine deletes the definition; a running VM keeps running (as a transient one)",
    "suspend": "suspend pauses the vCPUs: the VM keeps its memory and stays on",
    "resume": "resume continues a paused VM",
    "start": "start boots a VM that is shut off",
    "dominfo": "dominfo only reads the VM's state",
    "net-destroy": "net-destroy stops a network; a VM's commands have no net- prefix",
})


def state_of(conn: Any, name: str) -> tuple[int, int] | None:
    """``dom.state()`` of ``name``: (state, reason), or None if libvirt has no such domain."""
    dom = attempt(conn.virconn.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    if dom is None:
        return None
    with libvirt_errors():
        return tuple(dom.state())  # type: ignore[return-value]


def state_text(state: tuple[int, int]) -> str:
    """``shut off (VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED)``: virsh's word and libvirt's names."""
    return f"{state_name(state[0])} ({state_constant(state[0])}, {reason_constant(*state)})"


def _missing(name: str, how: str, pointer: str = "") -> ExerciseFailed:
    """The failure for a domain libvirt does not have; ``how`` and ``pointer`` come worded (``_()``)."""
    return ExerciseFailed(_("libvirt has no domain '{name}'").format(name=name), hint=how, pointer=pointer)


@graded("8.1", answer='''if "$name" in conn.list().names:           # an earlier try runs (a transient one vanishes here)
    conn.destroy("$name")                  # virsh destroy $name
if "$name" in conn.list(all=True).names:   # an earlier definition: libvirt keeps it
    conn.undefine("$name")                 # virsh undefine $name
conn.define(xml)                           # virsh define $name.xml: registered, shut off
conn.start("$name")                        # virsh start $name''')
def check_running(conn: Any, name: str = "web02", persistent: bool = False) -> Passed:
    """``name`` must be running now; with ``persistent=True`` it must also keep its definition."""
    st = state_of(conn, name)
    if st is None:
        raise _missing(name, _("a VM libvirt keeps is registered first, then booted: two steps; one step from XML "
                               "boots it but keeps no definition"),
                       pointer=_("lesson 8, the sections 'define $xml' and 'create $xml'"))
    with libvirt_errors():
        kept = bool(conn.virconn.lookupByName(name).isPersistent())
    if st[0] == libvirt.VIR_DOMAIN_SHUTOFF:
        ran = st[1] in (libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED)
        raise ExerciseFailed((_("'{name}' is defined but {state}: it ran, and was stopped") if ran else
                              _("'{name}' is defined but {state}: define only registers a VM (创建但不启动), it does "
                                "not start it")).format(name=name, state=state_text(st)),
                             hint=_("a defined VM is shut off until something boots it"),
                             pointer=_("the virsh command that boots a defined VM is start (lesson 8)"))  # fmt: skip
    if st[0] == libvirt.VIR_DOMAIN_PAUSED:
        raise ExerciseFailed(_("'{name}' is {state}: its vCPUs are stopped").format(name=name, state=state_text(st)),
                             hint=_("a paused VM keeps its memory but its vCPUs do not run"),
                             pointer=_("virsh suspend pauses it; its opposite lets it run again (lesson 8)"))
    expect(st[0] == libvirt.VIR_DOMAIN_RUNNING, _("'{target}' is {name}").format(target=name, name=state_text(st)),
           hint=_("the task wants it running now"), pointer=_("virsh dominfo {name} shows its state").format(name=name))
    if persistent and not kept:
        raise ExerciseFailed(_("'{name}' runs, but it is transient (Persistent: no): create made a VM that "
                               "vanishes once it stops").format(name=name),
                             hint=_("a definition is what libvirt keeps after a VM stops (persistent vs transient)"),
                             pointer=_("virsh dumpxml {name} > {name}.xml; virsh define {name}.xml makes the running "
                                       "VM persistent (its own XML carries its UUID; the notebook's xml has none, so "
                                       "libvirt would refuse it); or destroy it, then define + start").format(
                                 name=name))  # fmt: skip
    how = (_("persistent: libvirt keeps its definition; it can be stopped and started again") if kept
           else _("transient: create started it from XML without keeping a definition; once stopped it is gone"))
    return Passed(_("'{name}' is running").format(name=name), _("dom.state() = {state}").format(state=state_text(st)),
                  how)


def _wait(conn: Any, name: str, timeout: float) -> tuple[int, int] | None:
    """Give a real guest time to power off after ``shutdown`` (the test driver is instant)."""
    end = time.monotonic() + timeout
    st = state_of(conn, name)
    while st and st[0] in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_SHUTDOWN) and time.monotonic() < end:
        time.sleep(0.5)
        st = state_of(conn, name)
    return st


@graded("8.2", answer='''if "$name" not in conn.list().names:   # an earlier try stopped it: start it again
    conn.start("$name")                   # virsh start $name
conn.shutdown("$name")                    # virsh shutdown $name: asks the guest OS''')
def check_graceful_shutdown(conn: Any, name: str = "web01", timeout: float | None = None) -> Passed:
    """``name`` must be shut off *by its guest* (``shutdown``), not forced (``destroy``).

    ``timeout``: seconds to wait for a real guest still powering off (default: 0 on the test
    driver, 60 on a real one).
    """
    if timeout is None:
        timeout = 0.0 if conn.backend in ("embedded", "test") else 60.0
    st = _wait(conn, name, timeout)
    if st is None:
        raise _missing(name, _("undefine deleted it? The task only shuts it down (the definition stays)"),
                       pointer=_("define it again from its XML (lesson 8), then stop it gracefully"))
    if st[0] == libvirt.VIR_DOMAIN_SHUTOFF:
        if st[1] == libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN:
            return Passed(_("'{name}' was shut down gracefully").format(name=name),
                          _("dom.state() = {state}: the guest powered itself off").format(state=state_text(st)),
                          _("shutdown asks the guest OS to power off (through the QEMU guest agent if the VM has "
                            "one, otherwise the virtual ACPI power button): the OS closes its files and stops"))
        if st[1] == libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED:
            raise ExerciseFailed(_("'{name}' is {state}: it was destroyed (forced off, like pulling "
                                   "the plug), not shut down").format(name=name, state=state_text(st)),
                                 hint=_("a graceful stop (正常关闭) asks the guest OS, which closes its files first; "
                                        "destroy (强制关闭) is for a guest that does not answer"),
                                 pointer=_("start it again, then use virsh's command that asks the guest "
                                           "(lesson 8: shutdown vs destroy)"))
        raise ExerciseFailed(_("'{name}' is {state}: libvirt did not see it shut down").format(
                                 name=name, state=state_text(st)),
                             hint=_("libvirt records why a VM stopped; only a guest that powered itself off counts"),
                             pointer=_("start it, then stop it with virsh's graceful command (lesson 8)"))
    if st[0] == libvirt.VIR_DOMAIN_PAUSED:
        raise ExerciseFailed(_("'{target}' is {name}").format(target=name, name=state_text(st)),
                             hint=_("a paused guest runs no code: neither its guest agent nor its ACPI handler can "
                                    "react to the request"),
                             pointer=_("resume it first, then stop it gracefully (lesson 8)"))  # fmt: skip
    waited = _(" after {seconds} s").format(seconds=f"{timeout:g}") if timeout else ""
    if st[0] == libvirt.VIR_DOMAIN_SHUTDOWN:
        raise ExerciseFailed(_("'{name}' is still shutting down{waited}").format(name=name, waited=waited),
                             hint=_("the guest got the request; give it time, then check again"))
    raise ExerciseFailed(_("'{target}' is {name}").format(target=name, name=state_text(st)) + waited,
                         hint=_("a graceful stop asks the guest OS to power off: through the QEMU guest agent if the "
                                "VM has one, otherwise the ACPI power button")
                              + (_("; a guest with neither an agent nor ACPI (<features><acpi/>) with acpid ignores it")
                                 if waited else ""),
                         pointer=_("virsh has one command that asks and one that forces: use the one that asks"))  # fmt: skip


@graded("8.3", answer='line = "virsh destroy $name"')
def check_force_line(conn: Any, line: object, name: str = "db01") -> Passed:
    """``line``: the virsh command that forces ``name`` off. It is parsed as virsh does, then run on ``conn``."""
    inv = virsh_line(line, "virsh COMMAND db01")
    if inv.command.name != "destroy":
        cmd = inv.command.name
        raise ExerciseFailed(_("{cmd} does not force a VM off").format(cmd=cmd),
                             hint=(_(_NOT_FORCE[cmd]) if cmd in _NOT_FORCE
                                   else _("forcing a VM off (强制关闭) is like pulling the plug")),
                             pointer=_('print(conn.virsh("help domain")) (virsh help domain) lists the command that forces a VM '
                                       "off; the notes misspell it"))
    target = str(inv.values.get("domain"))
    try:
        real = conn.dominfo(target).name  # virsh's lookup: an id or UUID names a domain too
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: error: {message}").format(message=err.message), hint=err.hint) from None
    expect(real == name, _("the line names '{name}'").format(name=real) if real == target
           else _("'{target}' is {name}").format(target=target, name=real),
           hint=_("the task forces '{name}' off").format(name=name), pointer=_("name '{name}' on the line").format(name=name))
    before = state_of(conn, name)
    if before == (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED):
        return Passed(_("'{name}' was already forced off: this line ran before (a cell run twice)").format(name=name),
                      _("dom.state() = {state}").format(state=state_text(before)),
                      _("run again, virsh would say: error: Failed to destroy domain '{target}' (domain is not running)")
                      .format(target=target))
    result = run_line(conn, inv)
    st = state_of(conn, name)
    expect(st and st[1] == libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED and st[0] == libvirt.VIR_DOMAIN_SHUTOFF,
           _("'{target}' is {name}").format(target=name, name=state_text(st) if st else _("gone")),
           hint=_("destroy should have forced it off"))
    ran = f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"  # virsh's words and the calls
    return Passed(_("'{name}' was forced off").format(name=name), ran,
                  _("dom.state() = {state}").format(state=state_text(st)),
                  _("the definition stays: conn.start() boots it again"))  # fmt: skip


@graded("8.4", answer=lambda name="installer", memory_mib=2048, **_: (
    "from kvmlab.specs import DomainSpec\n\n"
    f'spec = DomainSpec.from_xml(conn.dumpxml("{name}", inactive=True).xml)   # whatever an earlier edit left\n'
    f"spec.memory = spec.current_memory = {memory_mib} * 1024   # KiB = {memory_mib * 1024}: <memory> and "
    "<currentMemory>\n"
    f'conn.edit("{name}", xml=spec)   # virsh edit {name}'))
def check_memory_edit(conn: Any, name: str = "installer", memory_mib: int = 2048) -> Passed:
    """``name``'s definition must give the guest ``memory_mib`` MiB: <memory> and <currentMemory>."""
    spec = read_domain(conn, name)
    wrong = memory_mistake(spec.memory, memory_mib)
    if wrong:
        raise ExerciseFailed(wrong[0], hint=wrong[1], pointer=_("change <memory> and <currentMemory> with virsh edit "
                             "(conn.edit in kvmlab); lesson 7 has the units"))
    current = spec.current_memory
    if isinstance(current, int) and current < spec.memory:
        raise ExerciseFailed(_("<memory> is {memory_mib} MiB, but <currentMemory> is still {current_mib} MiB: "
                               "the guest boots with <memory>, then the balloon driver gives back all but <currentMemory> "
                               "(the balloon target), so it runs with the old amount").format(
                                 memory_mib=memory_mib, current_mib=current // 1024),
                             hint=_("the guest runs with <currentMemory> once its balloon driver loads"),
                             pointer=_("give <currentMemory> the same size as <memory>"))  # fmt: skip
    live = ""
    st = state_of(conn, name)
    if st and st[0] != libvirt.VIR_DOMAIN_SHUTOFF:
        live = _("'{name}' is {state}: it keeps its current memory until its next boot").format(
            name=name, state=state_text(st))
    return Passed(_("'{name}' will boot with {memory_mib} MiB").format(name=name, memory_mib=memory_mib),
                  _("virsh dumpxml --inactive {name}: <memory unit='KiB'>{memory}</memory>, "
                    "<currentMemory unit='KiB'>{current}</currentMemory>").format(
                      name=name, memory=spec.memory, current=current), *([live] if live else []))


@graded("8.5", answer='''if "$name" in conn.list().names:           # running (an earlier try started it): stop it
    conn.destroy("$name")                  # virsh destroy $name (a transient VM vanishes here)
if "$name" in conn.list(all=True).names:   # still defined: delete the definition
    conn.undefine("$name")                 # virsh undefine $name''')
def check_deleted(conn: Any, name: str = "backup") -> Passed:
    """``name`` must be gone: not running, not defined."""
    st = state_of(conn, name)
    if st is None:
        return Passed(_("'{name}' is gone").format(name=name),
                      _("undefine deleted its definition; list --all no longer shows it"),
                      _("its disk image stays: undefine deletes storage only with --remove-all-storage"))
    with libvirt_errors():
        kept = bool(conn.virconn.lookupByName(name).isPersistent())
    running = st[0] != libvirt.VIR_DOMAIN_SHUTOFF
    if running and not kept:
        raise ExerciseFailed(_("'{name}' is {state} and transient: undefine deleted the definition "
                               "but does not stop a running VM").format(name=name, state=state_text(st)),
                             hint=_("a transient VM vanishes once it stops"),
                             pointer=_("stop it (lesson 8: shutdown or destroy)"))
    if running:
        raise ExerciseFailed(_("'{name}' is {state} and still defined").format(name=name, state=state_text(st)),
                             hint=_("deleting a VM is two steps: stop it, then delete its definition"),
                             pointer=_("virsh destroy or shutdown stops it; the command that deletes a definition is in "
                                       "lesson 8"))
    raise ExerciseFailed(_("'{name}' is {state} but still defined: list --all shows it").format(
                             name=name, state=state_text(st)),
                         hint=_("destroy and shutdown only stop a VM; its definition stays"),
                         pointer=_('the opposite of define deletes a definition (print(conn.virsh("help domain")))'))  # fmt: skip
