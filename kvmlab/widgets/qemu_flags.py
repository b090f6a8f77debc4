"""QemuFlagsBuilder: QEMU command-line flags and libvirt domain XML side by side, both ways.

The fields write a ``qemu-system-x86_64`` command line; the command line (editable too) is read
by ``kvmlab.concepts.qemuflags.flags_to_spec`` into domain XML; XML pasted below goes back to
flags with ``spec_to_flags``. The mapping itself lives in that module, not here.
"""

from __future__ import annotations

import shlex
from html import escape

import ipywidgets as W

from ..concepts.qemuflags import flag_pairs, flags_to_spec, spec_to_flags
from ..errors import KvmlabError
from ..i18n import N_, _
from ..specs import DomainSpec
from .panel import Panel
from .status import Status, problems_html
from .validation import spec_problems

__all__ = ["QemuFlagsBuilder"]

BOOT_ORDERS = [(N_("c: hard disk"), "c"), (N_("dc: CD-ROM, then hard disk"), "dc"),
               (N_("cd: hard disk, then CD-ROM"), "cd"), (N_("n: network (PXE)"), "n")]  # fmt: skip
DISK_FLAGS = [(N_("-hda (IDE, QEMU guesses the format)"), "hda"), ("-drive if=virtio,format=…", "virtio")]


def _labels(options):
    """A dropdown's ``(label, value)`` pairs with the labels in the learner's language (at construction)."""
    return [(_(label), value) for label, value in options]


class QemuFlagsBuilder(Panel):
    """Build a QEMU command line and see the libvirt XML it means (and back).

    Attributes:
        kvm, name, memory (MiB, as ``-m``), smp, disk, disk_flag, cdrom, boot: the flag fields.
        command: the command line (edit it directly, or let the fields write it).
        xml: the domain XML; to_flags_button turns edited XML back into flags.
        mapping: each flag next to the XML element it became. messages: problems.
        define_button: ``virsh define`` the XML (validated first); status: its result.

        qb = QemuFlagsBuilder(conn)
        qb.command.value = "qemu-system-x86_64 -enable-kvm -m 2G -smp 2 -hda /var/lib/libvirt/images/a.img"
        qb.xml.value       # <domain type="kvm"> … <memory unit="MiB">2048</memory> …
    """

    def __init__(self, conn=None, name: str = "qemu1"):
        self.conn = conn
        self._syncing = False
        self.kvm = W.Checkbox(value=True, description=_("-enable-kvm"))
        self.name = W.Text(value=name, description=_("-name"))
        self.memory = W.IntText(value=1024, description=_("-m (MiB)"))
        self.smp = W.IntText(value=1, description=_("-smp"))
        self.disk = W.Text(value=f"/var/lib/libvirt/images/{name}.qcow2", description=_("disk"),
                           layout=W.Layout(width="32em"))  # fmt: skip
        self.disk_flag = W.Dropdown(options=_labels(DISK_FLAGS), value="hda", description=_("as"))
        self.cdrom = W.Text(value="", description=_("-cdrom"), placeholder=_("ISO path (empty: none)"),
                            layout=W.Layout(width="32em"))  # fmt: skip
        self.boot = W.Dropdown(options=_labels(BOOT_ORDERS), value="c", description=_("-boot"))
        self.command = W.Textarea(layout=W.Layout(width="100%", height="4em"), continuous_update=False)
        self.xml = W.Textarea(layout=W.Layout(width="100%", height="18em"), continuous_update=False)
        self.to_flags_button = W.Button(description=_("XML → flags"), icon="arrow-up")
        self.mapping = W.HTML()
        self.messages = W.HTML()
        self.define_button = W.Button(description=_("Define"), icon="save", button_style="primary",
                                      tooltip=_("virsh define: register this XML as a domain"))
        self.status = Status()
        for field in self.fields():
            field.observe(lambda _c: self._from_fields(), names="value")
        self.command.observe(lambda _c: self._from_command(), names="value")
        self.to_flags_button.on_click(lambda _b: self.xml_to_flags())
        self.define_button.on_click(lambda _b: self.define())
        note = W.HTML(_("<small><code>-m</code> counts MiB (the notes' “MB”); <code>&lt;memory&gt;</code> "
                        "without <code>unit=</code> counts KiB. Without <code>-enable-kvm</code> QEMU emulates "
                        "the CPU in software (TCG): libvirt calls that <code>type='qemu'</code>.</small>"))
        super().__init__([
            self.kvm, self.name, self.memory, self.smp, W.HBox([self.disk, self.disk_flag]), self.cdrom,
            self.boot, note, W.HTML(_("<b>QEMU command line</b>")), self.command, self.mapping,
            W.HTML(_("<b>libvirt domain XML</b>")), self.xml, W.HBox([self.to_flags_button, self.define_button]),
            self.messages, self.status,
        ])  # fmt: skip
        self._from_fields()

    def fields(self) -> list[W.ValueWidget]:
        return [self.kvm, self.name, self.memory, self.smp, self.disk, self.disk_flag, self.cdrom, self.boot]

    def argv(self) -> list[str]:
        """The command line the fields describe: each field is one flag."""
        argv = ["qemu-system-x86_64"] + (["-enable-kvm"] if self.kvm.value else [])
        if self.name.value.strip():
            argv += ["-name", self.name.value.strip()]
        argv += ["-m", str(self.memory.value), "-smp", str(self.smp.value)]
        disk = self.disk.value.strip()
        if disk and self.disk_flag.value == "hda":
            argv += ["-hda", disk]
        elif disk:
            fmt = "qcow2" if disk.endswith(".qcow2") else "raw"
            argv += ["-drive", f"file={disk.replace(',', ',,')},if=virtio,format={fmt}"]
        if self.cdrom.value.strip():
            argv += ["-cdrom", self.cdrom.value.strip()]
        if self.boot.value != "c":
            argv += ["-boot", f"order={self.boot.value}"]
        return argv

    def spec(self) -> DomainSpec:
        """The DomainSpec of the command line. Raises KvmlabError as flags_to_spec does."""
        return flags_to_spec(self.command.value)

    # -- the three directions -----------------------------------------------------------------

    def _from_fields(self) -> None:
        if not self._syncing:
            self.command.value = shlex.join(self.argv())  # triggers _from_command

    def _from_command(self) -> None:
        try:
            spec = flags_to_spec(self.command.value)
            pairs = flag_pairs(self.command.value)
        except KvmlabError as err:
            self.messages.value = err._repr_html_()
            self.mapping.value = ""
            return
        self._syncing = True
        try:
            self.xml.value = spec.to_xml()
            self._set_fields(spec)
        finally:
            self._syncing = False
        rows = "".join(f"<tr><td><code>{escape(f)}</code></td><td><pre style='margin:0'>{escape(x)}</pre></td></tr>"
                       for f, x in pairs)  # fmt: skip
        head = _("<tr><th>flag</th><th>domain XML</th></tr>")
        self.mapping.value = f"<table>{head}{rows}</table>"
        self.messages.value = problems_html(spec_problems(spec), ok=_("valid domain XML"))

    def _set_fields(self, spec: DomainSpec) -> None:
        """Show a parsed command line in the fields (what the fields cannot say stays in the text)."""
        self.kvm.value = spec.type == "kvm"
        self.name.value = spec.name or ""
        if isinstance(spec.memory, int):
            self.memory.value = spec.memory // 1024
        if isinstance(spec.vcpus, int):
            self.smp.value = spec.vcpus
        disks = [d for d in spec.disks if d.device != "cdrom"]
        cdroms = [d for d in spec.disks if d.device == "cdrom"]
        self.disk.value = (disks[0].path or "") if disks else ""
        if disks:
            self.disk_flag.value = "hda" if disks[0].bus == "ide" and not disks[0].format else "virtio"
        self.cdrom.value = (cdroms[0].path or "") if cdroms else ""
        order = "".join({"hd": "c", "cdrom": "d", "network": "n", "fd": "a"}.get(b, "") for b in spec.boot) or "c"
        if order not in [v for _, v in self.boot.options]:
            self.boot.options = [*self.boot.options, (order, order)]
        self.boot.value = order

    def xml_to_flags(self) -> None:
        """Read the XML box as a domain and write its QEMU flags into the command line."""
        try:
            spec = DomainSpec.from_xml(self.xml.value)
        except KvmlabError as err:
            self.messages.value = err._repr_html_()
            return
        unmapped = len(spec.interfaces)
        self.command.value = shlex.join(spec_to_flags(spec))
        if unmapped:
            self.messages.value += _("<div><small>note: {count} network interface(s) have no flag here "
                                      "(QEMU would need -netdev/-device; libvirt writes those for you)</small></div>"
                                      ).format(count=unmapped)

    def define(self) -> None:
        """Validate the XML of the command line and ``conn.define`` it; read back ``dominfo``."""
        attempted = f"virsh define {self.name.value.strip() or 'NAME'}.xml"
        try:
            spec = self.spec()
            spec.validate()
        except KvmlabError as err:
            self.status.fail(err, attempted)
            return
        result = self.status.run(attempted, self.conn.define, spec)
        if result is not None:
            try:
                self.status.show(result, self.conn.dominfo(spec.name))
            except KvmlabError as err:
                self.status.fail(err, f"virsh dominfo {spec.name}")
