"""Lesson 16 checks: hot-plug and changing a VM (热插拔).

- :func:`exercise_lab`: the exercises' own guest, ``kvmlab-hot-ex`` (running, no disk, no card) and its volume.
- :func:`check_attach_line`: the virsh line that gives the running guest a disk it has now **and** after its
  next boot. ``--live`` alone (gone at the next boot), ``--config`` alone (the guest sees nothing now),
  ``--print-xml``, ``attach-device`` and ``attach-interface`` are each caught. On a driver that can hot-plug
  (the real lab) the line runs, and the disk is read back from libvirt (live and saved definition) and from
  inside the guest (/proc/partitions); the embedded lab's test driver cannot hot-plug, so there the line is
  checked, not run, and the check says so.
- :func:`check_two_vcpus`: the running guest has 2 vCPUs, read back from libvirt (vcpucount) and, on the
  real lab, from the guest's own /proc/cpuinfo. A definition changed without a new start is caught.
"""

from __future__ import annotations

from typing import Any

from ..concepts.hotplug_guest import HotplugLab, hotplug_lab
from ..errors import KvmlabError, libvirt_errors
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["EXERCISE_DOMAIN", "exercise_lab", "disk_targets", "check_attach_line", "check_two_vcpus"]

EXERCISE_DOMAIN = "kvmlab-hot-ex"

_NOT_ATTACH = N_({
    "attach-device": "attach-device sends a device XML you wrote in a file; this task has no file",
    "attach-interface": "attach-interface adds a network card, not a disk",
    "detach-disk": "detach-disk takes a disk away",
    "domblklist": "domblklist only lists the disks a domain has",
    "vol-create-as": "vol-create-as makes a volume in a pool; the volume exists already, the guest does not have it",
    "edit": "edit changes the saved definition only (as --config does): the running guest sees nothing",
})
_WHERE = N_('print(conn.virsh("help attach-disk")): --live, --config, --persistent, --current — lesson 16, '
            "'--live, --config, --persistent, --current'")


def exercise_lab(conn: Any, progress=print) -> HotplugLab:
    """The exercises' guest ``kvmlab-hot-ex``, fresh: running with no disk and no card, and a raw volume."""
    return hotplug_lab(conn, EXERCISE_DOMAIN, progress=progress)


def disk_targets(conn: Any, domain: str, inactive: bool = False) -> dict[str, str | None]:
    """The domain's disks as libvirt lists them (domblklist): target -> source."""
    return {d.target: d.source for d in conn.domblklist(domain, inactive=inactive).disks}


def _can_hotplug(lab: HotplugLab) -> bool:
    return lab.real


@graded("16.1", answer='line = "virsh attach-disk $domain $source $target --persistent"   # or --live --config')
def check_attach_line(lab: HotplugLab, line: object, domain: str = EXERCISE_DOMAIN, source: str = "",
                      target: str = "vdb") -> Passed:
    """``line``: the virsh command that gives running ``domain`` the disk ``source`` as ``target``, now and
    after its next boot. Parsed as virsh does; run on a driver that can hot-plug, then read back from
    libvirt and from inside the guest."""
    conn = lab.conn
    source = source or lab.disk
    inv = virsh_line(line, f"virsh COMMAND {domain} …")
    cmd = inv.command.name
    if cmd != "attach-disk":
        raise ExerciseFailed(_("{cmd} does not give the guest a disk from its file").format(cmd=cmd),
                             hint=_(_NOT_ATTACH[cmd]) if cmd in _NOT_ATTACH else _(
                                 "one virsh command writes a <disk> from a file's path and a target, and hands it "
                                 "to the domain"),
                             pointer=_('print(conn.virsh("help domain")): the command that attaches a disk device'))
    v = inv.values
    try:
        real = conn.dominfo(str(v.get("domain"))).name
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: error: {message}").format(message=err.message), hint=err.hint) from None
    expect(real == domain, _("the line names '{real}'").format(real=real),
           hint=_("the task changes '{domain}'").format(domain=domain),
           pointer=_("name '{domain}' on the line").format(domain=domain))
    expect(v.get("source") == source, _("the line attaches {given}, not the exercise's volume").format(
               given=repr(v.get("source"))),
           hint=_("the source is the disk's file on the host: the volume's path"),
           pointer=_("the source is {source}").format(source=source))
    expect(v.get("target") == target, _("the line's target is {given}").format(given=repr(v.get("target"))),
           hint=_("the task names the disk '{target}' for libvirt").format(target=target),
           pointer=_("the target is {target}").format(target=target))
    if v.get("print-xml"):
        raise ExerciseFailed(_("--print-xml only prints the <disk>: nothing is attached"),
                             hint=_("printing the XML is a dry run; the guest gets nothing"),
                             pointer=_("drop --print-xml"))
    live, config = bool(v.get("live")), bool(v.get("config"))
    persistent, current = bool(v.get("persistent")), bool(v.get("current"))
    if not (persistent or (live and config)):
        if config:
            why = _("--config changes the saved definition only: the running guest sees nothing until its next boot")
        else:
            why = _("{how} changes the running guest only: the next boot would not have the disk").format(
                how="--live" if live else "--current" if current else _("without an option (= --current)"))
        raise ExerciseFailed(why, hint=_("a running guest and its saved definition are two things: the task wants "
                                         "the disk in both"), pointer=_(_WHERE))
    have_live, have_config = disk_targets(conn, domain).get(target), disk_targets(conn, domain, True).get(target)
    if not _can_hotplug(lab):
        return Passed(_("the line gives '{domain}' the disk now and at its next boot").format(domain=domain),
                      _("(the embedded lab's test driver cannot hot-plug: the line was checked, not run; on the real "
                        "lab it runs and the guest is asked)"))
    if have_live == source and have_config == source:
        result_line = _("(the disk was attached already: this line ran before, e.g. a cell run twice)")
    else:
        result = run_line(conn, inv)
        result_line = f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"
    now, later = disk_targets(conn, domain).get(target), disk_targets(conn, domain, True).get(target)
    expect(now == source and later == source, _("libvirt lists {target} as {now} now and {later} for the next "
                                                "boot").format(target=target, now=repr(now), later=repr(later)),
           hint=_("the line should have put the disk in both"), pointer=_(_WHERE))
    view = lab.wait_inside(seen="vda")
    expect(any(kib == 8192 for _n, kib in view.disks or []), _("the guest does not see an 8 MiB disk "
                                                               "(/proc/partitions: {disks})").format(disks=view.disks),
           hint=_("a live attach shows in the guest at once (PCI hot-plug)"))
    name = next(n for n, kib in view.disks or [] if kib == 8192)
    return Passed(_("'{domain}' has the disk now and at its next boot").format(domain=domain), result_line,
                  _("libvirt: {target} -> {now} (live and --inactive)").format(target=target, now=now),
                  _("inside the guest: /proc/partitions lists {name} (8192 KiB) — the guest's own name for it").format(
                      name=name))


@graded("16.2", answer='''conn.setvcpus(lab.domain, $count, maximum=True, config=True)  # virsh setvcpus $domain $count --maximum --config
conn.setvcpus(lab.domain, $count, config=True)                # virsh setvcpus $domain $count --config
conn.destroy(lab.domain)                                # a new QEMU process reads the new definition
conn.start(lab.domain)
lab.wait_ready()''')
def check_two_vcpus(lab: HotplugLab, count: int = 2, domain: str = EXERCISE_DOMAIN) -> Passed:
    """The running ``domain`` must have ``count`` vCPUs: libvirt's live count, and on the real lab the
    CPUs the guest's kernel lists in /proc/cpuinfo."""
    conn = lab.conn
    with libvirt_errors():
        dom = conn.virconn.lookupByName(domain)
        running = dom.isActive() == 1
    expect(running, _("'{domain}' is not running").format(domain=domain),
           hint=_("the task is about the running guest"), pointer=_("virsh start {domain}").format(domain=domain))
    counts = conn.vcpucount(domain).counts
    live, config = counts.get(("current", "live")), counts.get(("current", "config"))
    top = counts.get(("maximum", "config"))
    if live != count:
        if config == count:
            raise ExerciseFailed(_("the definition has {config} vCPUs, the running guest still {live}").format(
                                     config=config, live=live),
                                 hint=_("QEMU reads the definition when it starts; a reboot from inside keeps the same "
                                        "QEMU process"), pointer=_("destroy, then start the domain (lesson 8)"))
        if (top or 0) < count:
            raise ExerciseFailed(_("the maximum is {top}: {count} vCPUs do not fit (vcpucount: live {live})").format(
                                     top=top, count=count, live=live),
                                 hint=_("the count stays at or below the maximum, which only changes for the next "
                                        "boot"),
                                 pointer=_("setvcpus with --maximum --config raises it; then the count with --config, "
                                           "and a new start (lesson 16, 'vCPUs')"))
        raise ExerciseFailed(_("the running guest has {live} vCPUs, its definition {config}").format(
                                 live=live, config=config),
                             hint=_("set the count in the definition, then start the guest again"),
                             pointer=_("setvcpus N --config, then destroy and start (lesson 16, 'vCPUs')"))
    inside = lab.cpus_inside()
    if inside is None:
        return Passed(_("'{domain}' runs with {count} vCPUs").format(domain=domain, count=count),
                      _("vcpucount: {counts}").format(counts=counts),
                      _("(the embedded lab runs no guest: its CPUs were not asked)"))
    expect(inside == count, _("libvirt says {live} vCPUs, the guest's kernel lists {inside}").format(
               live=live, inside=inside),
           hint=_("the guest must have booted with them"),
           pointer=_("start the guest again and wait for it (lab.wait_ready())"))
    return Passed(_("'{domain}' runs with {count} vCPUs").format(domain=domain, count=count),
                  _("vcpucount: live {live}, config {config}, maximum {top}").format(live=live, config=config, top=top),
                  _("inside the guest: /proc/cpuinfo lists {inside} processors").format(inside=inside))
