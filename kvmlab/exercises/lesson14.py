"""Lesson 14 checks: snapshots (快照).

- :func:`exercise_lab`: the exercises' own guest, ``kvmlab-snap-ex`` (a qcow2 disk its guest writes to).
- :func:`check_snapshot_line`: the virsh line that takes a snapshot to come back to, memory included.
  ``snapshot-create`` (it wants an XML file), ``--disk-only`` (no memory: an external overlay on QEMU),
  ``--print-xml`` (nothing made) and a missing name are each caught. The line runs on your connection.
- :func:`check_undone`: a mistake undone by going back to the snapshot, read back from libvirt (the
  current snapshot, the domain's state) and, on the real lab, from inside the guest: the file written
  after the snapshot must be gone from its RAM and from its disk. ``snapshot-delete`` of the snapshot
  taken after the mistake (it removes a snapshot, not the changes) is caught.
"""

from __future__ import annotations

from typing import Any

import libvirt

from ..concepts.snapshot_guest import SnapshotLab, snapshot_lab
from ..errors import KvmlabError, attempt, libvirt_errors
from ..i18n import N_, _
from ..specs.snapshot import SnapshotSpec
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line, virsh_words
from .ladder import graded

__all__ = ["EXERCISE_DOMAIN", "exercise_lab", "snapshot_names", "check_snapshot_line", "check_undone"]

EXERCISE_DOMAIN = "kvmlab-snap-ex"

# What each other snapshot command does instead of taking a snapshot.
_NOT_TAKE = N_({
    "snapshot-list": "snapshot-list only lists the snapshots a domain has",
    "snapshot-info": "snapshot-info only describes one snapshot",
    "snapshot-current": "snapshot-current shows (or marks) the current snapshot; it takes none",
    "snapshot-dumpxml": "snapshot-dumpxml prints a snapshot's XML",
    "snapshot-revert": "snapshot-revert goes back to a snapshot that exists; the task takes a new one",
    "snapshot-delete": "snapshot-delete removes a snapshot",
    "suspend": "suspend pauses the vCPUs; nothing is saved that a revert could go back to",
    "dumpxml": "dumpxml prints the domain's XML; a copy of the XML is not the disk's or the memory's state",
})


def exercise_lab(conn: Any, progress=print) -> SnapshotLab:
    """The exercises' guest ``kvmlab-snap-ex``, fresh: running, no snapshots, an empty 64 MiB qcow2 disk."""
    return snapshot_lab(conn, EXERCISE_DOMAIN, progress=progress)


def _domain(conn: Any, name: str) -> libvirt.virDomain | None:
    return attempt(conn.virconn.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])


def snapshot_names(conn: Any, domain: str) -> list[str]:
    """The domain's snapshots, as libvirt lists them ([] when there is no such domain)."""
    dom = _domain(conn, domain)
    if dom is None:
        return []
    with libvirt_errors():
        return sorted(s.getName() for s in dom.listAllSnapshots(0))


def _spec(conn: Any, domain: str, name: str) -> SnapshotSpec | None:
    dom = _domain(conn, domain)
    snap = attempt(dom.snapshotLookupByName, name, 0, codes=[libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT]) if dom else None
    if snap is None:
        return None
    with libvirt_errors():
        return SnapshotSpec.from_xml(snap.getXMLDesc(0))


def _kept_memory(spec: SnapshotSpec) -> str:
    return f"State: {spec.state}, <memory snapshot='{spec.memory}'/>, Location: {spec.location}"


_FROM_ARGS = N_('print(conn.virsh("help snapshot")) (virsh help snapshot): the command that creates a snapshot '
                "'from a set of args'")


@graded("14.1", answer='line = "virsh snapshot-create-as $domain $name"   # conn.snapshot_create_as(\'$domain\', '
                       '\'$name\')')
def check_snapshot_line(conn: Any, line: object, domain: str = EXERCISE_DOMAIN, name: str = "clean") -> Passed:
    """``line``: the virsh command that takes snapshot ``name`` of running ``domain``, its memory
    included. It is parsed as virsh does, then run on ``conn``; the snapshot is read back from libvirt."""
    words = virsh_words(line, f"virsh COMMAND {domain} …").split()
    if words[0] == "snapshot-create":  # virsh has it; kvmlab runs only its -as twin, and that is the point here
        raise ExerciseFailed(_("snapshot-create reads the snapshot's XML from a file (--xmlfile); this task has no "
                               "file"),
                             hint=_("a snapshot is made from a <domainsnapshot> document; one virsh command writes "
                                    "that document for you from a name"),
                             pointer=_(_FROM_ARGS))
    inv = virsh_line(line, f"virsh COMMAND {domain} …")
    cmd = inv.command.name
    if cmd != "snapshot-create-as":
        raise ExerciseFailed(_("{cmd} does not take a snapshot from a name").format(cmd=cmd),
                             hint=_(_NOT_TAKE[cmd]) if cmd in _NOT_TAKE else _(
                                 "a snapshot is made from a <domainsnapshot> document; one virsh command writes "
                                 "that document for you from a name"),
                             pointer=_(_FROM_ARGS))
    values = inv.values
    target = str(values.get("domain"))
    try:
        real = conn.dominfo(target).name  # virsh's lookup: an id or UUID names the domain too
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: error: {message}").format(message=err.message), hint=err.hint) from None
    expect(real == domain, _("the line names '{real}'").format(real=real) if real == target
           else _("'{target}' is {real}").format(target=target, real=real),
           hint=_("the task snapshots '{domain}'").format(domain=domain),
           pointer=_("name '{domain}' on the line").format(domain=domain))
    if values.get("print-xml"):
        raise ExerciseFailed(_("--print-xml only prints the <domainsnapshot> document: nothing is taken"),
                             hint=_("a snapshot exists once libvirt has it; printing the XML is a dry run"),
                             pointer=_("drop --print-xml"))
    if values.get("disk-only"):
        raise ExerciseFailed(_("--disk-only saves the disks but not the memory: a revert would give a shut-off "
                               "guest, and on QEMU it makes an external overlay file (this libvirt cannot revert "
                               "to that)"), hint=_("a snapshot with the memory brings back the running guest, "
                                                   "programs and RAM included; a disk-only one only its disks"),
                             pointer=_("take the snapshot without --disk-only (and without --memspec/--diskspec)"))
    if values.get("no-metadata"):
        raise ExerciseFailed(_("--no-metadata leaves libvirt no record of the snapshot: snapshot-list would not "
                               "show it and snapshot-revert could not find it"),
                             hint=_("libvirt's metadata is what snapshot-list, -info and -revert work from"),
                             pointer=_("drop --no-metadata"))
    given = values.get("name")
    if given is None:
        raise ExerciseFailed(_("the line gives the snapshot no name: libvirt would name it after the time "
                               "(seconds since 1970)"), hint=_("a snapshot's name is how you revert to it later"),
                             pointer=_("the snapshot's name is the word after the domain "
                                       '(print(conn.virsh("help snapshot-create-as")))'))
    expect(given == name, _("the line names the snapshot '{given}'").format(given=given),
           hint=_("the task calls it '{name}'").format(name=name),
           pointer=_("the snapshot's name is the word after the domain"))
    if name in snapshot_names(conn, domain):
        spec = _spec(conn, domain, name)
        return Passed(_("'{name}' exists already: this line ran before (a cell run twice)").format(name=name),
                      _kept_memory(spec),
                      _("run again, virsh would say: error: operation failed: domain moment {name} already exists")
                      .format(name=name))
    result = run_line(conn, inv)
    spec = _spec(conn, domain, name)
    expect(spec is not None, _("libvirt has no snapshot '{name}' of '{domain}'").format(name=name, domain=domain),
           hint=_("the line should have made it"))
    expect(spec.state != "disk-snapshot" and spec.memory != "no",
           _("'{name}' holds no memory ({kept})").format(name=name, kept=_kept_memory(spec)),
           hint=_("the guest must be running when the snapshot is taken for its memory to be saved"),
           pointer=_("start the domain (lesson 8), then take the snapshot again under a new name"))
    ran = f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"  # virsh's words and the calls
    return Passed(_("snapshot '{name}' of '{domain}' taken, memory included").format(name=name, domain=domain), ran,
                  _("virsh snapshot-info {domain} {name}: {kept}").format(
                      domain=domain, name=name, kept=_kept_memory(spec)),
                  _("internal: on QEMU it lives inside the disk's qcow2 file (qemu-img snapshot -l lists it)"))


def _current(conn: Any, domain: str) -> str | None:
    dom = _domain(conn, domain)
    if dom is None:
        return None
    with libvirt_errors():
        if not dom.hasCurrentSnapshot(0):
            return None
        return dom.snapshotCurrent(0).getName()


@graded("14.2", answer='''if "$after" not in lesson14.snapshot_names(conn, lab.domain):   # an earlier try deleted it
    print(lab.write("$mistake"))                              # the exercise's cell, run again: the mistake
    conn.snapshot_create_as(lab.domain, "$after", "after the mistake")   # and its snapshot
conn.snapshot_revert(lab.domain, "$snapshot")   # virsh snapshot-revert kvmlab-snap-ex $snapshot''')
def check_undone(lab: SnapshotLab, snapshot: str = "clean", mistake: str = "mistake.txt",
                 after: str = "broken") -> Passed:
    """The guest of ``lab`` must be back as it was at ``snapshot``: ``mistake`` gone from it. libvirt
    says which snapshot is current; on the real lab the guest itself says which files it has."""
    conn, domain = lab.conn, lab.domain
    names = snapshot_names(conn, domain)
    if snapshot not in names:
        raise ExerciseFailed(_("'{domain}' has no snapshot '{snapshot}' (it has: {names})").format(
                                 domain=domain, snapshot=snapshot, names=", ".join(names) or _("none")),
                             hint=_("going back needs the snapshot from before the mistake: without it there is "
                                    "nothing to go back to"),
                             pointer=_("exercise 14.1 takes '{snapshot}': do it, then run this exercise's cells "
                                       "again").format(snapshot=snapshot))
    current = _current(conn, domain)
    if after not in names:
        look = lab.look()
        still = (_(": the guest still has {mistake}").format(mistake=mistake)
                 if look.files is not None and mistake in look.files + (look.disk or []) else "")
        raise ExerciseFailed(_("'{after}' was deleted, and the task keeps it: deleting a snapshot removes the saved "
                               "state, not what changed since{still}").format(after=after, still=still),
                             hint=_("snapshot-delete forgets a saved state; going back to one is another command"),
                             pointer=_("run the exercise's cells again (they take 'broken' again), then go back to "
                                       "'clean' with the command of lesson 14, 'snapshot-revert — go back'"))
    if current == after:
        raise ExerciseFailed(_("the current snapshot is '{after}': the domain is as it was after the mistake, or "
                               "nothing was reverted").format(after=after),
                             hint=_("'{after}' was taken after {mistake} was written; the state to go back to is "
                                    "the one from before").format(after=after, mistake=mistake),
                             pointer=_("lesson 14, 'snapshot-revert — go back': the command that goes back, with "
                                       "the snapshot taken before the mistake"))
    expect(current == snapshot, _("the current snapshot is {current}, not '{snapshot}'").format(
               current=repr(current), snapshot=snapshot),
           hint=_("going back to a snapshot makes it the current one"),
           pointer=_("lesson 14, 'snapshot-revert — go back': the command that goes back, with the snapshot taken "
                     "before the mistake"))
    with libvirt_errors():
        state = conn.virconn.lookupByName(domain).state()[0]
    expect(state == libvirt.VIR_DOMAIN_RUNNING, _("'{domain}' is not running after the revert").format(domain=domain),
           hint=_("reverting to a snapshot of a running guest brings it back running"),
           pointer=_("revert again, without --paused"))
    look = lab.look()
    if look.files is None:
        return Passed(_("'{domain}' is back at '{snapshot}'").format(domain=domain, snapshot=snapshot),
                      _("libvirt: current snapshot = {current}; '{after}' kept (delete is not undo)").format(
                          current=current, after=after),
                      _("(the embedded lab runs no guest: its files were not asked)"))
    expect(mistake not in look.files and mistake not in (look.disk or []),
           _("the guest still has {mistake} (files: {files}; disk: {disk})").format(
               mistake=mistake, files=", ".join(look.files) or _("none"), disk=", ".join(look.disk or []) or _("none")),
           hint=_("a revert puts back the memory and the disks as they were; a file written after that is gone"),
           pointer=_("lesson 14, 'snapshot-revert — go back': go back to the snapshot from before the mistake"))
    return Passed(_("'{domain}' is back at '{snapshot}': {mistake} is gone").format(
                      domain=domain, snapshot=snapshot, mistake=mistake),
                  _("libvirt: current snapshot = {current}").format(current=current),
                  _("inside the guest: files {files}; disk lines {disk}").format(
                      files=', '.join(look.files) or _('(none)'), disk=', '.join(look.disk or []) or _('(none)')))
