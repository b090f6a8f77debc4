"""Lesson 17 checks: installing the usual way (常规安装方式): virt-install and the NoCloud seed.

- :func:`exercise_disk`: the exercises' disk, ``kvmlab-ex17.qcow2``: it stands for a cloud image, a disk that
  already holds an installed OS.
- :func:`check_import_line`: the virt-install line that makes a VM from that disk without installing anything.
  An install method (``--cdrom``, ``--location``, ``--pxe``), a new disk (``size=``), virsh instead of
  virt-install and a missing ``--osinfo`` are each caught; the line then runs for real with ``--print-xml``
  against your connection (nothing is defined) and the XML is read back.
- :func:`check_seed`: a NoCloud seed image that cloud-init would use: read back from the ISO's bytes, its
  label (``config-2`` is OpenStack's), its ``#cloud-config`` header (a space, or none) and its hostname.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from lxml import etree

from ..concepts import nocloud, virt_install
from ..concepts.install_files import make_disk
from ..concepts.install_lab import EMBEDDED_DIR
from ..errors import KvmlabError, libvirt_errors
from ..i18n import N_, _
from ..specs.parser import xml_parser
from .checks import ExerciseFailed, Passed, expect, untouched
from .ladder import graded

__all__ = ["EXERCISE_VM", "exercise_disk", "remove_files", "broken_seed", "check_import_line", "check_seed"]

EXERCISE_VM = "kvmlab-ex17"

_METHOD_WHY = N_({
    "cdrom": "--cdrom boots an installer from an ISO: it would install an OS onto the disk",
    "location": "--location fetches an installer's kernel and initrd from an install tree: it installs",
    "pxe": "--pxe boots an installer from the network: it installs",
    "install": "--install names an OS to install: it installs",
})
_IMPORT_IDEA = N_("the disk already holds an installed OS (a cloud image): the VM only has to be built around it "
                  "and booted from it; no installer runs")
_METHODS_POINTER = N_("lesson 17, 'Three ways to put an OS on a disk': the option that builds the VM around an "
                      "existing disk")


def exercise_disk(conn: Any) -> str:
    """The exercise's disk image (made once, empty: it stands for a cloud image); its path."""
    from ..lab.lesson_guest import disk_dir

    with libvirt_errors():
        uri, kind = conn.virconn.getURI(), conn.virconn.getType().lower()
    where = disk_dir(uri) if kind == "qemu" else EMBEDDED_DIR
    disk = where / f"{EXERCISE_VM}.qcow2"
    if not disk.exists():
        make_disk(disk)
    return str(disk)


def remove_files(conn: Any) -> list[str]:
    """Delete the exercises' disk and every ``kvmlab-ex17-*`` file beside it (the seeds); their paths."""
    disk = Path(exercise_disk(conn))
    gone = []
    for path in sorted([disk, *disk.parent.glob(f"{EXERCISE_VM}-*")]):
        if path.is_file():
            path.unlink()
            gone.append(str(path))
    return gone


def _words(line: object) -> list[str]:
    if untouched(line) or not isinstance(line, str):
        raise ExerciseFailed(_("no virt-install line yet"), hint=_("write the command as you would type it in a "
                                                                   "shell, starting with virt-install"), untried=True)
    try:
        return shlex.split(line.replace("\\\n", " "))
    except ValueError as err:
        raise ExerciseFailed(_("the shell cannot split this line: {error}").format(error=err),
                             hint=_("close every quote you open")) from None


def _value(words: list[str], option: str) -> list[str]:
    """Every value given to ``option`` (``--disk X`` and ``--disk=X``)."""
    out = []
    for i, w in enumerate(words):
        if w == option and i + 1 < len(words):
            out.append(words[i + 1])
        elif w.startswith(option + "="):
            out.append(w[len(option) + 1:])
    return out


def _disk_path(value: str) -> str:
    head = value.split(",")[0]
    return head[5:] if head.startswith("path=") else ("" if "=" in head else head)


@graded("17.1", answer='line = f"virt-install --name $name --memory 128 --import --disk {disk} --osinfo linux2022 '
                       '--network none --graphics none"')
def check_import_line(conn: Any, line: object, disk: str, name: str = EXERCISE_VM) -> Passed:
    """``line``: the virt-install command that makes VM ``name`` from ``disk`` (an installed OS) without
    installing. It is read as a shell reads it, then run with ``--print-xml`` on ``conn``: nothing is made."""
    words = _words(line)
    if words[0] == "virsh":
        raise ExerciseFailed(_("virsh {command} needs a domain XML you wrote yourself").format(
                                 command=words[1] if len(words) > 1 else ""),
                             hint=_("one program writes the XML from a few options, defines it and starts the VM"),
                             pointer=_("lesson 17, 'The virt-install line'"))
    expect(Path(words[0]).name == "virt-install", _("the line runs {program}, not virt-install").format(
               program=repr(words[0])),
           hint=_("the tool of this lesson builds a VM from command-line options"),
           pointer=_("lesson 17, 'The virt-install line'"))
    method = virt_install.install_method(words)
    if method in _METHOD_WHY:
        raise ExerciseFailed(_(_METHOD_WHY[method]), hint=_(_IMPORT_IDEA), pointer=_(_METHODS_POINTER))
    if method is None:
        raise ExerciseFailed(_("the line names no way to get an OS: virt-install stops with 'An install method "
                               "must be specified' (only --print-xml lets such a line through)"),
                             hint=_(_IMPORT_IDEA), pointer=_(_METHODS_POINTER))
    disks = [_disk_path(v) for v in _value(words, "--disk")]
    if any("size=" in v for v in _value(words, "--disk")):
        raise ExerciseFailed(_("--disk …size=N makes a new, empty disk: there is no OS on it to boot"),
                             hint=_("the OS is on the disk you were given: the VM uses that file as it is"),
                             pointer=_("--disk {disk}").format(disk=disk))
    expect(disk in disks, _("the line does not use {disk} as a disk").format(disk=disk) + (
               _(" (it uses {disks})").format(disks=", ".join(disks)) if disks else ""),
           hint=_("the installed OS is on that file: it must be the VM's (first) disk"),
           pointer=_("--disk {disk}").format(disk=disk))
    given = _value(words, "--name") or _value(words, "-n")
    expect(given == [name], _("the VM is named {given}").format(given=repr(given[0])) if given
           else _("the line gives the VM no --name"),
           hint=_("the task calls the VM '{name}'").format(name=name), pointer=_("--name {name}").format(name=name))
    if method == "kernel":
        raise ExerciseFailed(_("--boot kernel=… boots a kernel file from the host: it works (the lab does it), but "
                               "the disk's own boot loader and kernel are not used"), hint=_(_IMPORT_IDEA),
                             pointer=_(_METHODS_POINTER))
    if not _value(words, "--osinfo") and not _value(words, "--os-variant"):
        raise ExerciseFailed(_("the line names no OS: virt-install 4 stops with '--os-variant/--osinfo OS name is "
                               "required'"),
                             hint=_("virt-install picks the machine and devices from the OS it is told "
                                    "(libosinfo); a disk image cannot be detected"),
                             pointer=_("--osinfo linux2022 (or debian12 …: virt-install --osinfo list)"))
    ran = virt_install.print_xml(conn, words)
    if ran.note:
        return Passed(_("the line imports (virt-install is not installed here, so it was not run)"), ran.note)
    if ran.returncode != 0:
        raise ExerciseFailed(_("virt-install says: {error}").format(error=ran.error),
                             hint=_("virt-install refused the line: its ERROR says what to change"),
                             pointer=_("run it yourself: virt_install.print_xml(conn, shlex.split(line))"))
    try:
        docs = [etree.fromstring(("<domain" + d).strip().encode(), xml_parser())
                for d in ran.xml.split("<domain")[1:]]
    except etree.XMLSyntaxError as err:
        raise ExerciseFailed(_("virt-install printed no readable XML: {error}").format(error=err),
                             hint=_("run the line with --print-xml yourself")) from None
    final = docs[-1]
    sources = final.xpath("devices/disk[@device='disk']/source/@file")
    expect(len(docs) == 1, _("virt-install printed two domains (an install run, then the installed VM)"),
           hint=_(_IMPORT_IDEA), pointer=_(_METHODS_POINTER))
    expect(sources[:1] == [disk], _("the VM's first disk is {disks}").format(disks=sources[:1]),
           hint=_("the VM boots its first disk"), pointer=_("put --disk {disk} first").format(disk=disk))
    boots = [b.get("dev") for b in final.findall("os/boot")]
    return Passed(_("virt-install builds '{name}' around {disk}: nothing is installed").format(
                      name=name, disk=Path(disk).name),
                  _("ran: virt-install --connect {uri} … --print-xml (exit 0, nothing defined)").format(uri=ran.uri),
                  _("<disk device='disk'> source {source}; boot: {boot}; machine {machine}").format(
                      source=sources[0], boot=', '.join(boots) or _('the first disk (libvirt default)'),
                      machine=final.xpath('string(os/type/@machine)') or _('(driver default)')),
                  _("without --print-xml it defines the VM, then starts it (virsh define, then virsh start)"))


def broken_seed(hostname: str = EXERCISE_VM) -> nocloud.Seed:
    """A colleague's seed that cloud-init ignores: label config-2, and '# cloud-config' with a space."""
    good = nocloud.default_seed(hostname)
    return nocloud.Seed(meta_data=good.meta_data, user_data=good.user_data.replace("#cloud-config", "# cloud-config"),
                        network_config=good.network_config, label="config-2")


_SEED_POINTER = N_("lesson 17, 'cloud-init and the NoCloud seed'")


@graded("17.2", answer='''seed = nocloud.Seed(meta_data=broken.meta_data, network_config=broken.network_config,
                   user_data=broken.user_data.replace("# cloud-config", "#cloud-config"), label="cidata")
print(nocloud.build_seed(seed, iso))''')
def check_seed(iso: object, hostname: str = EXERCISE_VM) -> Passed:
    """``iso``: the path of a seed image that cloud-init's NoCloud would use and that names ``hostname``;
    it is read back from the ISO's bytes."""
    if untouched(iso) or not isinstance(iso, (str, Path)):
        raise ExerciseFailed(_("no seed image yet"), hint=_("build one with nocloud.build_seed(seed, PATH)"),
                             untried=True)
    try:
        got = nocloud.read_seed(iso)
    except KvmlabError as err:
        raise ExerciseFailed(err.message, hint=err.hint) from None
    if got.label not in (nocloud.LABEL, nocloud.LABEL.upper()):
        other = (_(": config-2 is what OpenStack's ConfigDrive data source looks for")
                 if got.label.lower() == "config-2" else "")
        raise ExerciseFailed(_("the seed's volume label is {label}{other}").format(label=repr(got.label), other=other),
                             hint=_("cloud-init's NoCloud finds its seed disk by the filesystem's label, and only "
                                    "one"),
                             pointer=_("lesson 17, 'cloud-init and the NoCloud seed': the label, Seed(label=…)"))
    for name in ("meta-data", "user-data"):
        expect(name in got.files, _("the seed has no {name} file").format(name=name),
               hint=_("NoCloud needs both meta-data and user-data"), pointer=_(_SEED_POINTER))
    first = got.files["user-data"].splitlines()[0] if got.files["user-data"].strip() else ""
    if first != nocloud.HEADER:
        near = first.replace(" ", "").lower() == nocloud.HEADER
        raise ExerciseFailed(_("user-data starts with {first}").format(first=repr(first)) + (
                                 _(", not exactly the header") if near else ""),
                             hint=_("cloud-init tells the kind of user-data by its exact first line; one it does not "
                                    "know is skipped, silently"),
                             pointer=_("lesson 17, 'cloud-init and the NoCloud seed': user-data's first line"))
    left = nocloud.problems(got)
    expect(not left, "; ".join(left), hint=_("the seed still has something cloud-init would not use"),
           pointer=_(_SEED_POINTER))
    host = next((ln.split(":", 1)[1].strip() for ln in got.files["meta-data"].splitlines()
                 if ln.startswith("local-hostname:")), "")
    expect(host == hostname, _("meta-data's local-hostname is {host}").format(host=repr(host)),
           hint=_("the VM is to be called '{hostname}'").format(hostname=hostname),
           pointer=_("meta-data: local-hostname"))
    return Passed(_("cloud-init's NoCloud would use this seed: label {label}, {files}").format(
                      label=repr(got.label), files=', '.join(sorted(got.files))),
                  _("user-data starts with {header}; meta-data: local-hostname {host}").format(
                      header=nocloud.HEADER, host=host),
                  _("attach it as a CD-ROM: virt-install … --disk seed.iso,device=cdrom"))
