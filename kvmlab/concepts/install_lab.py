"""Lesson 17's VM, installed the usual way: ``virt-install --import`` of a disk, direct kernel boot, and a
NoCloud seed on a CD-ROM that the guest reads over its serial console.

    lab = install_lab(conn)        # the seed ISO, the disk, the kernel/initrd, the virt-install line
    lab.print_xml()                # virt-install … --print-xml: what it would define
    lab.install()                  # virt-install … --noautoconsole (real QEMU) / define + start (embedded)
    lab.read_seed()                # in the guest: findfs LABEL=cidata, mount it, read the files
    lab.remove()

The tiny guest has no cloud-init (it is busybox): it reads the seed as cloud-init would find it, by its
label, but does not act on it. Its initramfs lacks CD-ROM drivers, so the lesson's initrd is the guest's
with a second cpio archive appended (the kernel unpacks both): the ahci/ata_piix, sr_mod, cdrom and isofs
modules, loaded with insmod before the mount.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, attempt, libvirt_errors
from ..i18n import _
from ..ops.result import Message, Result
from . import nocloud, virt_install, xml_compare
from .install_files import DISK_MIB, cdrom_initrd, log_file, make_disk

__all__ = ["InstallLab", "SeedRead", "install_lab", "EMBEDDED_DIR", "EMBEDDED_UUID", "EMBEDDED_MAC", "RECORDING"]

# The embedded lab's files (virt-install checks that they exist): one folder per user, so that root's and a
# learner's runs never share one (notebooks/sanitize.cfg maps kvmlab-install-UID back to kvmlab-install).
EMBEDDED_DIR = Path(tempfile.gettempdir()) / ("kvmlab-install" + ("" if os.geteuid() == 0 else f"-{os.geteuid()}"))
EMBEDDED_UUID = "8a1e5c3d-0b17-4e17-9a17-4b1700000017"  # fixed on the embedded lab: the same output every run
EMBEDDED_MAC = "52:54:00:4b:17:01"
RECORDING = Path(__file__).resolve().parent.parent / "data" / "virt-install-real-lab.xml"
_MOUNT = "/mnt/cidata"


@dataclass
class SeedRead(Result):
    """What the guest read of its seed: the device found by label, the files and their first lines."""

    device: str = ""
    files: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    note: str = ""
    command: str = ""

    def text(self) -> str:
        if self.note:
            return f"({self.note})\n"
        return (f"findfs LABEL={nocloud.LABEL}: {self.device}\n"
                f"mounted on {_MOUNT}: {' '.join(self.files)}\n" + "".join(f"  {ln}\n" for ln in self.lines))


@dataclass
class InstallLab:
    """The lesson's VM and its files; ``real``: a QEMU guest boots and can be typed into."""

    conn: Any = field(repr=False)
    name: str
    uri: str
    backend: str
    real: bool
    disk: str
    seed: nocloud.SeedImage
    kernel: str
    initrd: str
    kernel_args: str
    network: str | None
    virt_type: str
    notes: tuple[str, ...] = ()

    def argv(self, *extra: str) -> list[str]:
        """The virt-install command line for this VM (without --connect)."""
        fixed = not self.real  # the embedded lab's UUID and MAC are fixed: the same output every run
        extra_serial = ["--serial", f"pty,log.file={log_file(self.name)},log.append=off"] if self.real else []
        return virt_install.command(self.name, self.disk, kernel=self.kernel, initrd=self.initrd,
                                    kernel_args=self.kernel_args, cdrom=self.seed.path, network=self.network,
                                    mac=EMBEDDED_MAC if fixed and self.network else None, virt_type=self.virt_type,
                                    uuid=EMBEDDED_UUID if fixed else None, extra=[*extra_serial, *extra])

    def __str__(self) -> str:
        rows = [("backend:", f"{self.backend} ({self.uri})"), ("VM:", self.name),
                ("disk (import):", f"{self.disk} (qcow2, {DISK_MIB} MiB)"),
                ("seed (cdrom):", f"{self.seed.path} (label {self.seed.contents.label!r})"),
                ("kernel:", self.kernel), ("initrd:", self.initrd), ("kernel args:", self.kernel_args),
                ("network:", self.network or "(none)"), ("virt type:", self.virt_type)]
        return "\n".join([f"{k:16}{v}" for k, v in rows] + [f"note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def print_xml(self) -> virt_install.VirtInstallRun:
        """virt-install … --print-xml against the lesson's connection: nothing is defined. Once the VM exists
        virt-install refuses its disk ("already in use by other guests"): then the check is turned off."""
        made = attempt(self.conn.virconn.lookupByName, self.name, codes=[libvirt.VIR_ERR_NO_DOMAIN]) is not None
        return virt_install.print_xml(self.conn, self.argv(*(["--check", "path_in_use=off"] if made else [])))

    def kvmlab_xml(self) -> "xml_compare.KvmlabXml":
        """``kvmlab xml domain`` with the same guest's options: only what was asked, libvirt's defaults for the rest."""
        argv = xml_compare.kvmlab_xml_argv(self.name, self.disk, kernel=self.kernel, initrd=self.initrd,
                                           kernel_args=self.kernel_args, cdrom=self.seed.path, network=self.network,
                                           virt_type="qemu" if self.virt_type == "test" else self.virt_type)
        return xml_compare.kvmlab_xml(argv)

    def compare(self) -> xml_compare.XmlComparison:
        """virt-install's XML beside kvmlab xml's, aspect by aspect. On a real QEMU virt-install runs now;
        on the embedded lab (whose test driver has no q35, no virtio) its XML is the real lab's, recorded."""
        if self.real:
            ran = self.print_xml()
            if not ran.ok:
                raise InvalidState(_("virt-install refused the line: {error}").format(error=ran.error or ran.note),
                                   hint=_("lab.print_xml() shows the whole answer"))
            left, label = ran.xml, "virt-install"
        else:
            left, label = RECORDING.read_text(encoding="utf-8"), "virt-install*"
        result = xml_compare.compare(left, self.kvmlab_xml().xml, (label, "kvmlab xml"))
        if not self.real:
            result.note = ("* recorded on the real lab (virt-install 4.1, libvirt 9.0, QEMU 7.2): libvirt's test "
                           "driver offers no q35 machine and no virtio devices, so virt-install cannot pick them here")
        return result

    def install(self, timeout: float = 120.0, progress: Callable[[str], None] | None = print) -> Message:
        """Make the VM. Real QEMU: run virt-install (it defines the VM, then starts it), tag it as the lab's, wait
        (bounded) for the guest's shell. Embedded: define virt-install's printed XML and start it."""
        from ..lab.ownership import LAB_NS, LAB_NS_PREFIX, tag_domain_xml

        self.remove()
        v = self.conn.virconn
        if not self.real:
            printed = self.print_xml()
            if not printed.ok:
                raise InvalidState(_("virt-install refused the line: {error}").format(
                                   error=printed.error or printed.note),
                                   hint=_("read its ERROR line; virt-install --print-xml shows what it would make"))
            with libvirt_errors(f"Failed to define domain from {self.name}.xml"):
                dom = v.defineXML(tag_domain_xml(printed.xml))
                dom.create()
            return Message(message=f"Domain '{self.name}' defined from virt-install's XML and started (the test "
                                   "driver boots nothing)", virsh=f"virsh define {self.name}.xml; virsh start {self.name}",
                           api=["virDomainDefineXML(xml)", "virDomainCreate(dom)"])
        ran = virt_install.run(self.conn, self.argv("--noautoconsole"), timeout=timeout)
        if ran.returncode != 0 or ran.note:
            raise InvalidState(_("virt-install failed: {error}").format(error=ran.error or ran.note),
                               hint=_("run the same line with --print-xml to see what it would make"))
        with libvirt_errors():
            dom = v.lookupByName(self.name)
            flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG | libvirt.VIR_DOMAIN_AFFECT_LIVE
            dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<lab/>", LAB_NS_PREFIX, LAB_NS, flags)
        from ..lab.console import wait_ready

        say = progress or (lambda _line: None)
        say(_("virt-install made {name} in {seconds:.1f} s; booting it (the lab's tiny guest) ...").format(
            name=self.name, seconds=ran.seconds))
        wait_ready(self.conn, self.name, timeout).close()
        return Message(message=f"Domain '{self.name}' created by virt-install in {ran.seconds:.1f} s and booted",
                       virsh=f"virt-install --name {self.name} … --import --noautoconsole",
                       api=ran.api + ["virDomainSetMetadata (kvmlab's tag, so lab reset removes it)"])

    def read_seed(self, timeout: float = 60.0) -> SeedRead:
        """In the guest: load the CD-ROM drivers, find the seed by its label, mount it, read its files."""
        command = (f"for m in $(cat /etc/modules-cdrom); do insmod /lib/modules/$m 2>/dev/null; done; "
                   f"sleep 1; dev=$(findfs LABEL={nocloud.LABEL}); echo DEV $dev; mkdir -p {_MOUNT}; "
                   f"mount -t iso9660 -o ro $dev {_MOUNT} && echo FILES $(ls {_MOUNT}) && "
                   f"head -n 2 {_MOUNT}/meta-data {_MOUNT}/user-data; umount {_MOUNT}")
        if not self.real:
            return SeedRead(note="the embedded lab runs no guest: nothing reads the seed. On the real lab the guest "
                                 "mounts its CD-ROM and reads the files", command=command)
        from ..lab.console import Console

        with Console.open(self.conn, self.name) as con:
            status, lines = con.run(command, timeout)
        lines = [ln.strip() for ln in lines if ln.strip()]
        device = next((ln[4:] for ln in lines if ln.startswith("DEV ")), "")
        files = next((ln[6:].split() for ln in lines if ln.startswith("FILES ")), [])
        body = [ln for ln in lines if not ln.startswith(("DEV ", "FILES ", "KVMLAB-"))]  # not the async DHCP line
        note = "" if status == 0 and files else f"the guest could not read the seed (exit status {status}): {body[-3:]}"
        return SeedRead(device=device, files=files, lines=body, note=note, command=command)

    def remove(self) -> Message:
        """Destroy and undefine the VM (only the lab's); its disk file stays for the next install."""
        from ..lab.ownership import is_owned

        v = self.conn.virconn
        api = []
        dom = attempt(v.lookupByName, self.name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
        if dom is not None:
            if not is_owned(dom) and self.real:
                raise InvalidState(_("domain '{name}' exists and is not the lab's: it was not touched").format(
                                   name=self.name),
                                   hint=_("rename yours (virsh domrename {name} my-{name})").format(name=self.name))
            with libvirt_errors(f"failed to remove domain '{self.name}'"):
                if dom.isActive():
                    dom.destroy()
                    api.append("dom.destroy()")
                dom.undefine()
                api.append("dom.undefine()")
        return Message(message=f"Domain '{self.name}' removed" if dom else f"no domain '{self.name}' to remove",
                       virsh=f"virsh destroy {self.name}; virsh undefine {self.name}", api=api)

    def delete_files(self) -> list[str]:
        """Remove the VM, then its files: the disk and every ``NAME-*`` file beside it (seeds, the initrd)."""
        self.remove()
        disk = Path(self.disk)
        gone = []
        for path in sorted([disk, *disk.parent.glob(f"{self.name}-*")]):
            if path.is_file():
                path.unlink()
                gone.append(str(path))
        return gone


def install_lab(conn: Any, name: str = "kvmlab-inst", *, progress: Callable[[str], None] | None = print
                ) -> InstallLab:
    """Prepare lesson 17's VM ``name``: its seed ISO, its (empty) disk to import, the kernel and initrd,
    and the network; a previous VM of the lab's by that name is removed. Nothing is installed yet.

    Raises:
        InvalidInput: ``name`` does not start with ``kvmlab-``.
        InvalidState: a domain ``name`` exists that is not the lab's (it is never touched).
    """
    from ..lab.lesson_guest import disk_dir
    from ..lab.ownership import is_owned

    if not isinstance(name, str) or not name.startswith("kvmlab-") or not name.replace("-", "").isalnum():
        raise InvalidInput(_("invalid lesson VM name {name}").format(name=repr(name)),
                           hint=_("the lab's names start with kvmlab-, e.g. kvmlab-inst"))
    say = progress or (lambda _line: None)
    v = conn.virconn
    with libvirt_errors():
        uri, kind = v.getURI(), v.getType().lower()
    real = kind == "qemu"
    old = attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    if old is not None and real and not is_owned(old):
        raise InvalidState(_("domain '{name}' exists and is not the lab's: the lesson would change it, so nothing was "
                             "done").format(name=name),
                           hint=_("rename yours (virsh domrename {name} my-{name}) or pass another name")
                           .format(name=name))
    session = uri.rstrip("/").endswith("/session")
    notes: list[str] = []
    if real:
        from ..lab import guest, probe
        from ..lab.guest import FAST_CMDLINE
        from ..lab.resources import LAB_NETWORKS, ensure_lab_network

        where = disk_dir(uri)
        image = guest.build()
        kernel = str(image.boot_kernel("pvh"))
        initrd = str(cdrom_initrd(Path(image.initrd), where / f"{name}-initrd.img"))
        args = f"console=ttyS0 kvmlab.name={name} {FAST_CMDLINE}"
        network = None if session else LAB_NETWORKS["nat"].name
        if network:
            ensure_lab_network(conn, "nat")
        else:
            notes.append("qemu:///session: no virtual networks, so the VM gets no network card (--network none)")
        virt_type = "kvm" if probe.accel() == "kvm" else "qemu"
    else:
        where = EMBEDDED_DIR
        kernel, initrd = "/var/lib/kvmlab/guest/vmlinux", "/var/lib/kvmlab/guest/initrd-cdrom.img"
        args = f"console=ttyS0 kvmlab.name={name}"
        network, virt_type = "default", "test"
        notes.append("embedded lab (libvirt's test driver): virt-install runs for real against a node file of this "
                     "lab, but its capabilities are the test driver's, and nothing boots")
    backend = "embedded" if getattr(conn, "embedded", False) else kind
    disk = where / f"{name}.qcow2"
    if not disk.exists():
        make_disk(disk)
    seed = nocloud.build_seed(nocloud.default_seed(name.replace("_", "-")), where / f"{name}-seed.iso")
    lab = InstallLab(conn, name, uri, backend, real, str(disk), seed, kernel, initrd, args, network, virt_type,
                     tuple(notes))
    gone = lab.remove()
    if gone.api:
        say(gone.message)
    return lab
