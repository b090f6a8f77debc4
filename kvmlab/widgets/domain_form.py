"""DomainForm: fill in a virtual machine, watch its XML and validation live, define or create it.

The form builds a ``DomainSpec`` from its fields on every change (nothing else is kept) and
shows what ``virsh define`` would receive. Define / Create call ``conn.define(spec)`` /
``conn.create(spec)`` (the operation validates the spec once), then read the domain back with
``dominfo`` (the shared steps live in :class:`.spec_form.SpecForm`).
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import N_, _
from ..specs.domain import DomainSpec
from ..units import UNITS
from .spec_form import SpecForm

__all__ = ["DomainForm", "MEMORY_UNITS", "memory_lesson"]

MEMORY_UNITS = (("MiB", "MiB"), ("GiB", "GiB"), ("KiB", "KiB"))
OS_TYPES = ((N_("hvm: a full virtual machine (KVM / QEMU)"), "hvm"), (N_("linux: a Xen paravirtual guest"), "linux"),
            (N_("exe: a container (LXC)"), "exe"))  # fmt: skip
DOMAIN_TYPES = ((N_("kvm: hardware-assisted (/dev/kvm)"), "kvm"), (N_("qemu: emulated in software (TCG)"), "qemu"))
ARCHES = ("x86_64", "i686", "aarch64")
BOOT_DEVICES = ["hd", "cdrom", "network", "fd"]
DISK_BUSES = ("virtio", "sata", "scsi", "ide")


def memory_lesson(amount: int, unit: str) -> str:
    """One line of HTML on what the amount is in the XML's default unit (KiB) and in libvirt's KB."""
    if amount < 0 or unit not in UNITS:
        return ""
    nbytes = amount * UNITS[unit]
    kib_text = str(nbytes // 1024) if nbytes % 1024 == 0 else f"{nbytes / 1024:.3f}"
    kb_text = str(nbytes // 1000) if nbytes % 1000 == 0 else f"{nbytes / 1000:.3f}"
    return _(
        "<small>{amount} {unit} = <b>{kib} KiB</b>. <code>&lt;memory&gt;</code> without "
        "<code>unit=</code> is read in KiB (1024 bytes): that is what the notes call “KB”. "
        "libvirt's own <code>unit='KB'</code> means 1000 bytes: {amount} {unit} = {kb} KB.</small>"
    ).format(amount=amount, unit=escape(unit), kib=kib_text, kb=kb_text)


def _labels(options):
    """A dropdown's ``(label, value)`` pairs with the labels in the learner's language (at construction)."""
    return tuple((_(label), value) for label, value in options)


class DomainForm(SpecForm):
    """A form for a new domain.

    Attributes:
        name, memory, memory_unit, vcpus, domain_type, os_type, arch, boot, disk, disk_bus, cdrom,
        network: the fields (``boot`` is a list of devices in boot order).
        preview: the XML that define would receive; messages: validation problems.
        define_button, create_button: ``virsh define`` / ``virsh create``.
        status: the virsh command, libvirt calls and result of the last action (or the error).

        form = DomainForm(conn)
        form.name.value = "vm1"; form.memory.value = 1; form.memory_unit.value = "GiB"
        form.define_button.click()
    """

    KIND, DEFINE, READ_BACK = "domain", "define", ("dominfo", "dominfo")

    def __init__(self, conn, name: str = "vm1"):
        self.conn = conn
        self.name = W.Text(value=name, description=_("name"))
        self.memory = W.IntText(value=512, description=_("memory"))
        self.memory_unit = W.Dropdown(options=MEMORY_UNITS, value="MiB", layout=W.Layout(width="7em"))
        self.memory_note = W.HTML()
        self.vcpus = W.IntText(value=1, description=_("vCPUs"))
        self.domain_type = W.Dropdown(options=_labels(DOMAIN_TYPES), value="kvm", description=_("type"))
        self.os_type = W.Dropdown(options=_labels(OS_TYPES), value="hvm", description=_("OS type"))
        self.arch = W.Dropdown(options=ARCHES, value="x86_64", description=_("arch"), layout=W.Layout(width="14em"))
        self.boot = W.TagsInput(value=["hd"], allowed_tags=BOOT_DEVICES, allow_duplicates=False)
        self.disk = W.Text(value=f"/var/lib/libvirt/images/{name}.qcow2", description=_("disk"),
                           placeholder=_("image path (empty: no disk)"), layout=W.Layout(width="32em"))  # fmt: skip
        self.disk_bus = W.Dropdown(options=DISK_BUSES, value="virtio", layout=W.Layout(width="7em"))
        self.cdrom = W.Text(value="", description=_("CD-ROM"), placeholder=_("ISO path (empty: none)"),
                            layout=W.Layout(width="32em"))  # fmt: skip
        self.network = W.Dropdown(description=_("network"))
        self.define_button = W.Button(description=_("Define"), icon="save", button_style="primary",
                                      tooltip=_("virsh define: register the domain (it stays shut off)"))
        self.create_button = W.Button(description=_("Create"), icon="play", button_style="success",
                                      tooltip=_("virsh create: start a transient domain (gone after it stops)"))
        self.refresh()
        self.define_button.on_click(lambda _b: self.define())
        self.create_button.on_click(lambda _b: self.create())
        super().__init__(conn, [
            self.name, W.HBox([self.memory, self.memory_unit]), self.memory_note, self.vcpus,
            self.domain_type, W.HBox([self.os_type, self.arch]), W.HBox([W.Label(_("boot order")), self.boot]),
            W.HBox([self.disk, self.disk_bus]), self.cdrom, self.network,
        ], [self.define_button, self.create_button])  # fmt: skip

    def fields(self) -> list[W.ValueWidget]:
        return [self.name, self.memory, self.memory_unit, self.vcpus, self.domain_type, self.os_type,
                self.arch, self.boot, self.disk, self.disk_bus, self.cdrom, self.network]  # fmt: skip

    def refresh(self) -> None:
        """Read the networks a NIC can join (``virsh net-list --all``) from libvirt."""
        try:
            names = self.conn.net_list(all=True).names
        except KvmlabError:
            names = []
        current = self.network.value
        self.network.options = [(_("(no network interface)"), "")] + [(n, n) for n in names]
        self.network.value = current if current in names else ("default" if "default" in names else "")

    def spec(self) -> DomainSpec:
        """The DomainSpec the fields describe.

        Raises:
            KvmlabError: a field holds something that is not even a value (a negative size).
        """
        spec = DomainSpec(name=self.name.value.strip() or None, type=self.domain_type.value,
                          os_type=self.os_type.value, arch=self.arch.value, vcpus=self.vcpus.value,
                          boot=list(self.boot.value))  # fmt: skip
        spec.memory = f"{self.memory.value}{self.memory_unit.value}"
        if self.disk.value.strip():
            spec.add_disk(self.disk.value.strip(), bus=self.disk_bus.value)
        if self.cdrom.value.strip():
            spec.add_disk(self.cdrom.value.strip(), device="cdrom")
        if self.network.value:
            spec.add_interface(network=self.network.value)
        return spec

    def lessons(self) -> None:
        self.memory_note.value = memory_lesson(self.memory.value, self.memory_unit.value)

    def acted(self) -> None:
        self.refresh()

    def define(self) -> None:
        """``conn.define(spec)`` (which validates it first), then show ``dominfo`` read back from libvirt."""
        self.act("define")

    def create(self) -> None:
        """``conn.create(spec)`` (a transient, running domain), then ``dominfo``."""
        self.act("create")
