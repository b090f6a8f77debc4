"""Lesson 15 checks: cloning and templates (克隆与模板).

- :func:`exercise_lab`: the exercises' template ``kvmlab-tmpl-ex``, running (someone forgot to shut it down).
- :func:`check_ready_line`: the virsh line that makes the running template safe to clone. ``shutdown`` and
  ``suspend`` pass (read back from libvirt: shut off, or paused); ``destroy`` (a power cut), ``reboot``,
  ``save`` into a file, and a line naming another domain are each caught. The line runs on your connection.
- :func:`check_clone`: a clone of the template, read back from libvirt: it exists, and its UUID, its MACs
  and its disk file are its own. A hand-made clone that kept the MAC, or that shares the template's disk,
  is caught.
- :func:`check_who_changes`: for each thing a VM has, who changes it in a clone: virt-clone (outside the
  guest), virt-sysprep (inside), or nobody (it stays the template's). The MAC left alone, the hostname
  given to virt-clone and the machine-id left alone are each named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libvirt
from lxml import etree

from ..concepts.clone_lab import CloneLab, clone_lab
from ..errors import KvmlabError, attempt, libvirt_errors
from ..i18n import N_, _
from ..specs.parser import xml_parser
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line, virsh_words
from .ladder import graded

__all__ = ["EXERCISE_TEMPLATE", "exercise_lab", "check_ready_line", "check_clone", "THINGS", "check_who_changes"]

EXERCISE_TEMPLATE = "kvmlab-tmpl-ex"

_NOT_READY = N_({
    "reboot": "reboot starts the guest again at once: it is running, and writing its disk, when the copy is made",
    "reset": "reset is a cold reboot: the guest runs again at once",
    "start": "start boots a guest; this one runs already",
    "resume": "resume lets a paused guest run on",
    "dominfo": "dominfo only describes the domain",
    "domstate": "domstate only says what state the domain is in",
    "undefine": "undefine removes the definition: there would be nothing left to clone",
    "dumpxml": "dumpxml prints the XML; the disk still changes under a copy",
})
_POINTER = N_("lesson 15, 'Predict, then run': the two ways the answer names (lesson 8 has both commands)")


def exercise_lab(conn: Any, progress=print) -> CloneLab:
    """The exercises' template ``kvmlab-tmpl-ex``, fresh, with no clones, and running."""
    lab = clone_lab(conn, EXERCISE_TEMPLATE, progress=progress)
    lab.boot(lab.template, progress=progress)
    return lab


def _state(conn: Any, name: str) -> int | None:
    dom = attempt(conn.virconn.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    if dom is None:
        return None
    with libvirt_errors():
        return dom.state()[0]


def _wait_stopped(conn: Any, name: str, timeout: float = 40.0) -> int | None:
    """A guest shutting down takes a moment (the ACPI button, then its init): wait, bounded."""
    import time

    deadline = time.monotonic() + timeout
    state = _state(conn, name)
    while state in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_SHUTDOWN) and time.monotonic() < deadline:
        time.sleep(0.3)
        state = _state(conn, name)
    return state


def _saved(cmd: str) -> None:
    raise ExerciseFailed(_("{cmd} stops the guest and keeps its RAM in a file: a clone would not get that file, and "
                           "the template would come back running from it").format(cmd=cmd),
                         hint=_("a template is a guest stopped for good, or frozen for the time of a copy"),
                         pointer=_(_POINTER))


@graded("15.1", answer='line = "virsh shutdown $domain"   # or: virsh suspend $domain (paused: fine for a full copy)')
def check_ready_line(conn: Any, line: object, domain: str = EXERCISE_TEMPLATE) -> Passed:
    """``line``: the virsh command that makes running ``domain`` safe to clone. Parsed as virsh does,
    run on ``conn``, and the domain's state read back from libvirt."""
    words = line.split() if isinstance(line, str) else []
    first = (words[1:] if words[:1] == ["virsh"] else words)[:1]
    if first in (["save"], ["managedsave"]):  # virsh has them; kvmlab's twin runs neither, and that is the point
        _saved(first[0])
    virsh_words(line, f"virsh COMMAND {domain}")
    inv = virsh_line(line, f"virsh COMMAND {domain}")
    cmd = inv.command.name
    if cmd == "destroy":
        raise ExerciseFailed(_("destroy pulls the plug: the guest stops at once, and what it had not yet written from "
                               "its RAM never reaches the disk you are about to copy"),
                             hint=_("a clone needs a disk that no longer changes, and is whole: let the guest stop by "
                                    "itself, or freeze it as it is"), pointer=_(_POINTER))
    if cmd in ("save", "managedsave"):
        _saved(cmd)
    if cmd not in ("shutdown", "suspend"):
        raise ExerciseFailed(_("{cmd} does not stop the guest from writing its disk").format(cmd=cmd),
                             hint=_(_NOT_READY[cmd]) if cmd in _NOT_READY else _(
                                 "a running guest writes its disk while it is copied; the copy must be made of a "
                                 "disk that no longer changes"),
                             pointer=_(_POINTER))
    target = str(inv.values.get("domain"))
    try:
        real = conn.dominfo(target).name
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: error: {message}").format(message=err.message), hint=err.hint) from None
    expect(real == domain, _("the line names '{real}'").format(real=real),
           hint=_("the task makes '{domain}' ready to clone").format(domain=domain),
           pointer=_("name '{domain}' on the line").format(domain=domain))
    before = _state(conn, domain)
    done = ""
    if before == libvirt.VIR_DOMAIN_RUNNING:
        done = str(run_line(conn, inv)).strip()
    state = _wait_stopped(conn, domain) if cmd == "shutdown" else _state(conn, domain)
    from ..states import state_name

    expect(state in (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_PAUSED),
           _("'{domain}' is {state} after the line").format(domain=domain, state=state_name(state)),
           hint=_("the guest must be shut off (or paused) before its disk is copied"),
           pointer=_("run the line again, then read `virsh domstate` (conn.domstate)"))
    how = (_("shut off: clone it by copy or by overlay") if state == libvirt.VIR_DOMAIN_SHUTOFF
           else _("paused: its disk no longer changes; a full copy is safe (an overlay is not: it resumes one day)"))
    return Passed(_("'{domain}' is {how}").format(domain=domain, how=how),
                  done or _("(it was {state} already)").format(state=state_name(before)),
                  _("virsh domstate {domain}: {state}").format(domain=domain, state=state_name(state)))


def _facts(conn: Any, name: str) -> tuple[str, list[str], list[str]] | None:
    dom = attempt(conn.virconn.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    if dom is None:
        return None
    with libvirt_errors():
        root = etree.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE).encode(), xml_parser())
        uuid = dom.UUIDString()
    macs = [m.lower() for m in root.xpath("devices/interface/mac/@address")]
    files = [f for f in root.xpath("devices/disk[@device='disk']/source/@file")]
    return uuid, macs, files


@graded("15.2", answer='''if "$clone" in conn.list(all=True).names:   # an earlier try: remove it (its own disk, never the template's)
    print(lab.remove_clone("$clone"))
made = conn.clone("$source", "$clone")   # virt-clone --original $source --name $clone
print(made.changes)''')
def check_clone(conn: Any, source: str = EXERCISE_TEMPLATE, clone: str = "kvmlab-tmpl-ex-web") -> Passed:
    """``clone`` must be a clone of ``source`` with an identity of its own: read back from libvirt."""
    src, new = _facts(conn, source), _facts(conn, clone)
    expect(src is not None, _("there is no domain '{name}'").format(name=source),
           hint=_("the template comes from the exercise's first cell"), pointer=_("run the first cell again"))
    if new is None:
        raise ExerciseFailed(_("there is no domain '{name}'").format(name=clone),
                             hint=_("a clone is a new domain, defined from the template's definition with a new "
                                    "identity"),
                             pointer=_("lesson 15, 'A full copy': the one call that does virt-clone's four steps"),
                             untried=True)
    (s_uuid, s_macs, s_files), (c_uuid, c_macs, c_files) = src, new
    expect(c_uuid != s_uuid, _("the clone has the template's UUID"), hint=_("a UUID names one domain for ever"))
    shared = sorted(set(c_macs) & set(s_macs))
    if not shared:
        with libvirt_errors():
            others = [d for d in conn.virconn.listAllDomains(0) if d.name() not in (clone,)]
        for dom in others:
            facts = _facts(conn, dom.name())
            if facts and set(facts[1]) & set(c_macs):
                shared, source = sorted(set(facts[1]) & set(c_macs)), dom.name()
                break
    if shared:
        raise ExerciseFailed(_("'{clone}' has the MAC {mac} of '{source}': two guests with one MAC get one DHCP "
                               "address and steal each other's packets").format(clone=clone, mac=shared[0],
                                                                                source=source),
                             hint=_("a hand-made clone must delete each <mac> (libvirt then picks a new one); "
                                    "virt-clone does it for you"),
                             pointer=_("lesson 15, 'The mistake: a clone made by hand'; then undefine '{clone}' "
                                       "(virsh undefine {clone}) and clone again with conn.clone").format(clone=clone))
    both = sorted(set(c_files) & set(s_files))
    expect(not both, _("'{clone}' writes the template's disk {disk}").format(clone=clone, disk=both[0] if both else ""),
           hint=_("two guests writing one disk corrupt it: a clone gets a copy or an overlay of its own"),
           pointer=_("lesson 15, 'A full copy' and 'An overlay'; undefine '{clone}' and clone again").format(clone=clone))
    expect(bool(c_files), _("'{clone}' has no disk").format(clone=clone),
           hint=_("a clone gets the template's disk contents"),
           pointer=_("clone again with conn.clone, which copies each disk"))
    return Passed(_("'{clone}' is a clone of '{source}' with an identity of its own").format(clone=clone, source=source),
                  _("UUID {uuid} (template: {template})").format(uuid=c_uuid, template=s_uuid),
                  _("MACs {macs} (template: {template})").format(
                      macs=', '.join(c_macs) or _('(no card)'), template=', '.join(s_macs) or _('(no card)')),
                  _("disk {files}").format(files=', '.join(c_files)),
                  _("inside it, hostname and machine-id are still the template's: virt-sysprep's job"))


# --- exercise 15.3: who changes what ----------------------------------------------------------------

WHO = ("virt-clone", "virt-sysprep", "nobody")
# thing -> (who changes it in a clone, why)
THINGS = {
    "name": ("virt-clone", N_("libvirt knows a domain by its name: two cannot share one")),
    "uuid": ("virt-clone", N_("the UUID names the domain for ever: libvirt refuses a second domain with the same one")),
    "mac": ("virt-clone", N_("one MAC on two cards on one network: one DHCP lease, packets stolen")),
    "disk file": ("virt-clone", N_("two guests writing one disk corrupt it")),
    "hostname": ("virt-sysprep", N_("it is inside the guest (/etc/hostname), which virt-clone never opens")),
    "machine-id": ("virt-sysprep", N_("/etc/machine-id, inside the guest: systemd, journald and DHCP (its DUID) "
                                      "tell hosts apart by it")),
    "ssh host keys": ("virt-sysprep", N_("inside the guest (/etc/ssh): clones with one key pair can pose as each other")),
    "memory size": ("nobody", N_("a clone is the same hardware: change it later if you want (virsh setmaxmem)")),
    "network": ("nobody", N_("the clone's card joins the same network as the template's")),
}
_WHO_CONCEPT = N_({
    "virt-clone": "what libvirt holds (the domain's XML, the volumes) is what virt-clone changes: the things "
                  "that name the VM or that two VMs cannot share",
    "virt-sysprep": "virt-clone never opens the disk: what the guest keeps in its own files stays the template's "
                    "until virt-sysprep resets it",
    "nobody": "a clone is meant to be the same machine: only what identifies it, or cannot be shared, changes",
})
_WHO_ANSWER = "who_changes = {\n" + "".join(f"    {k!r}: {w!r},   # {why}\n" for k, (w, why) in THINGS.items()) + "}"


@graded("15.3", answer=_WHO_ANSWER)
def check_who_changes(answers: object) -> Passed:
    """``answers`` maps each of THINGS to who changes it in a clone: "virt-clone", "virt-sysprep" or "nobody"."""
    expect(isinstance(answers, Mapping), _("the answer must be a dict: {example}").format(
               example="{thing: 'virt-clone', 'virt-sysprep' or 'nobody'}"),
           hint=_("start from {example}").format(example="{thing: 'TODO' for thing in lesson15.THINGS}"), untried=True)
    if all(str(v).strip().upper() == "TODO" for v in answers.values()):
        raise ExerciseFailed(_("no answer yet: every value is 'TODO'"), hint=_("choose one of: ") + ", ".join(WHO),
                             untried=True)
    unknown = [k for k in answers if k not in THINGS]
    expect(not unknown, _("not one of the things: {thing}").format(thing=repr(unknown[0] if unknown else "")),
           hint=_("copy the keys from lesson15.THINGS exactly"))
    odd = [v for v in answers.values() if str(v).strip().lower() not in WHO]
    expect(not odd, _("{given} is not one of {choices}").format(given=repr(odd[0] if odd else ""),
                                                               choices=", ".join(WHO)),
           hint=_("choose one of: ") + ", ".join(WHO))
    wrong = [(k, w, why) for k, (w, why) in THINGS.items() if str(answers.get(k, "")).strip().lower() != w]
    if wrong:
        thing, who, why = wrong[0]
        more = _(" (and {n} more)").format(n=len(wrong) - 1) if len(wrong) > 1 else ""
        given = str(answers.get(thing, _("(missing)")))
        if thing == "mac" and given == "nobody":
            msg = _("{n} of {total} not right: the MAC left alone is the hand-made clone's mistake{more}").format(
                n=len(wrong), total=len(THINGS), more=more)
        else:
            msg = _("{n} of {total} not right: {thing} ({given}){more}").format(
                n=len(wrong), total=len(THINGS), thing=repr(thing), given=given, more=more)
        raise ExerciseFailed(msg, hint=_(_WHO_CONCEPT[who]),
                             pointer=_("lesson 15, 'Ask each clone from inside': {why}").format(
                                 why=_(THINGS[thing][1])))
    return Passed(_("who changes what in a clone"),
                  _("virt-clone: name, UUID, MAC, disk file (what libvirt holds)"),
                  _("virt-sysprep: hostname, machine-id, SSH host keys (inside the guest)"),
                  _("nobody: the hardware and the network (a clone is the same machine)"))
