"""PoolForm: a storage pool (dir, fs, netfs, logical) checked live; define, build, start with progress."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from ..i18n import N_, _
from ..specs import PoolSpec
from .spec_form import SpecForm

__all__ = ["PoolForm", "TYPE_LESSONS"]

TYPE_LESSONS = N_({
    "dir": "a directory on the host; each volume is a file in it (pool-build creates the directory)",
    "fs": "a block device (e.g. /dev/sdb1) that libvirt mounts on the target path",
    "netfs": "an NFS export (host:/dir) that libvirt mounts on the target path",
    "logical": "an LVM volume group; each volume is a logical volume (pool-build runs vgcreate)",
})
_DEFAULT_FORMAT = {"fs": "ext4", "netfs": "nfs", "logical": "lvm2"}


class PoolForm(SpecForm):
    """A form for a new storage pool.

    Attributes:
        name, pool_type, target: the pool; source_host, source_dir (netfs), source_devices
        (fs/logical, comma-separated), source_name (logical: the VG), source_format.
        preview, messages: the XML and its problems. define_button (pool-define),
        setup_button (pool-define, pool-build, pool-start[, pool-autostart] with ``progress``).

        form = PoolForm(conn)
        form.name.value = "lab"; form.target.value = "/var/lib/libvirt/lab"; form.setup_button.click()
    """

    KIND, DEFINE, READ_BACK = "pool", "pool-define", ("pool-info", "pool_info")

    def __init__(self, conn, name: str = "lab"):
        self.name = W.Text(value=name, description=_("name"))
        self.pool_type = W.Dropdown(options=list(TYPE_LESSONS), value="dir", description=_("type"))
        self.type_note = W.HTML()
        self.target = W.Text(value=f"/var/lib/libvirt/{name}", description=_("target path"),
                             layout=W.Layout(width="32em"))  # fmt: skip
        self.source_host = W.Text(description=_("NFS host"), placeholder=_("nfs.example.org"))
        self.source_dir = W.Text(description=_("export"), placeholder=_("/srv/images"))
        self.source_devices = W.Text(description=_("devices"), placeholder=_("/dev/sdb1 (comma-separated)"))
        self.source_name = W.Text(description=_("VG name"), placeholder=_("vg_lab"))
        self.source_format = W.Text(description=_("format"))
        self.autostart = W.Checkbox(value=False, description=_("autostart"))
        self.source_box = W.VBox()
        self.define_button = W.Button(description=_("Define"), icon="save", button_style="primary",
                                      tooltip=_("virsh pool-define: register the pool (inactive)"))
        self.setup_button = W.Button(description=_("Define, build, start"), icon="play", button_style="success",
                                     layout=W.Layout(width="auto"),
                                     tooltip=_("virsh pool-define, pool-build, pool-start (and pool-autostart)"))
        self.pool_type.observe(lambda c: self._type_changed(c["old"], c["new"]), names="value")
        self.define_button.on_click(lambda _b: self.define())
        self.setup_button.on_click(lambda _b: self.define(setup=True))
        super().__init__(conn, [self.name, self.pool_type, self.type_note, self.target, self.source_box,
                                self.autostart], [self.define_button, self.setup_button])

    def fields(self) -> list[W.ValueWidget]:
        return [self.name, self.pool_type, self.target, self.source_host, self.source_dir,
                self.source_devices, self.source_name, self.source_format]  # fmt: skip

    def _type_changed(self, old: str, new: str) -> None:
        if self.source_format.value in ("", _DEFAULT_FORMAT.get(old, "")):
            self.source_format.value = _DEFAULT_FORMAT.get(new, "")

    def spec(self) -> PoolSpec:
        """The PoolSpec the fields of the chosen type describe."""
        kind = self.pool_type.value
        spec = PoolSpec(type=kind, name=self.name.value.strip() or None, target=self.target.value.strip() or None)
        if kind == "netfs":
            spec.source_host = self.source_host.value.strip() or None
            spec.source_dir = self.source_dir.value.strip() or None
        if kind in ("fs", "logical"):
            spec.source_devices = [d.strip() for d in self.source_devices.value.split(",") if d.strip()]
        if kind == "logical":
            spec.source_name = self.source_name.value.strip() or None
        if kind != "dir" and self.source_format.value.strip():
            spec.source_format = self.source_format.value.strip()
        return spec

    def lessons(self) -> None:
        """Show the source fields of the chosen type and what the type means."""
        kind = self.pool_type.value
        self.type_note.value = f"<small>{escape(_(TYPE_LESSONS[kind]))}</small>"
        self.source_box.children = {
            "dir": [],
            "fs": [self.source_devices, self.source_format],
            "netfs": [self.source_host, self.source_dir, self.source_format],
            "logical": [self.source_name, self.source_devices, self.source_format],
        }[kind]

    def define(self, setup: bool = False) -> None:
        """``pool-define`` (which validates the spec first), then ``pool-build``, ``pool-start``…, pool-info."""
        then = [("pool-build", "pool_build"), ("pool-start", "pool_start")] if setup else []
        if self.autostart.value:
            then.append(("pool-autostart", "pool_autostart"))
        self.act("pool_define", then=then)
