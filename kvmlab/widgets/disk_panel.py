"""DiskPanel: a pool's volumes as bars (capacity vs allocation), and vol-create-as, vol-clone, vol-resize,
attach-disk and detach-disk."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import _
from ..units import pretty_capacity
from .events import Watch
from .panel import Panel
from .status import Status

__all__ = ["DiskPanel", "bars_html"]


def bars_html(volumes) -> str:
    """One bar per volume: the whole bar is the capacity (what the guest sees), the filled part the
    allocation (what the host holds now). A thin volume's bar is nearly empty."""
    if not volumes:
        return _("<i>no volumes</i>")
    rows = []
    for v in volumes:
        cap, alloc = v.capacity or 0, v.allocation or 0
        share = min(100.0, 100.0 * alloc / cap) if cap else 0.0
        bar = (f"<div style='width:16em;height:0.9em;border:1px solid #888;background:#fff;display:inline-block'>"
               f"<div style='width:{share:.1f}%;height:100%;background:#4a7'></div></div>")
        rows.append(f"<tr><td><code>{escape(v.name)}</code></td> <td>{bar}</td> "
                    "<td>" + _("{allocation} of {capacity} ({share} %)").format(
                        allocation=escape(pretty_capacity(alloc)), capacity=escape(pretty_capacity(cap)),
                        share=f"{share:.1f}") + "</td></tr>\n")
    head = _("<tr><th>volume</th><th>allocation / capacity</th><th></th></tr>") + "\n"
    return f"<table class='kvmlab-disks'>{head}{''.join(rows)}</table>"


# the flags of attach-disk/detach-disk: where a change lands (lesson 16)
AFFECTS = (("--persistent", "persistent"), ("--live", "live"), ("--config", "config"), ("--current", "current"))


class DiskPanel(Panel):
    """The volumes of one pool as bars, with create (thin or not), clone and resize, and attach or
    detach the chosen volume to a guest (``--persistent``, ``--live``, ``--config`` or ``--current``).

    Each action shows its virsh line, the libvirt calls and libvirt's answer (or virsh's error and
    a hint), then reads the pool back.

        dp = DiskPanel(conn, "default")
        dp.new_name.value, dp.capacity.value, dp.thin.value = "data.raw", "1G", True
        dp.create_button.click()
        dp.volume.value, dp.guest.value, dp.target.value = "data.raw", "web01", "vdb"
        dp.attach_button.click()
    """

    def __init__(self, conn, pool: str, events: bool = True):
        self.conn, self.pool = conn, pool
        self._paths: dict[str, str] = {}  # volume name -> its file, from the last refresh
        self.bars = W.HTML()
        self.volume = W.Dropdown(options=[], description=_("volume"))
        self.new_name = W.Text(description=_("name"), placeholder=_("disk.qcow2"))
        self.capacity = W.Text(value="1G", description=_("capacity"),
                              tooltip=_("virsh sizes: 1G = 1 GiB, 1GB = 10^9 bytes"))
        self.format = W.Dropdown(options=("qcow2", "raw"), value="qcow2", description=_("format"))
        self.thin = W.Checkbox(value=True, description=_("thin (--allocation 0)"), indent=False)
        self.create_button = W.Button(description=_("Create"), icon="plus", button_style="primary")
        self.clone_name = W.Text(description=_("clone as"), placeholder=_("copy.qcow2"))
        self.clone_button = W.Button(description=_("Clone"), icon="copy")
        self.new_capacity = W.Text(value="2G", description=_("resize to"))
        self.resize_button = W.Button(description=_("Resize"), icon="arrows-h")
        self.guest = W.Dropdown(options=[], description=_("guest"))
        self.target = W.Text(value="vdb", description=_("as (target)"),
                             tooltip=_("the disk's name inside the guest"))
        self.affects = W.ToggleButtons(options=AFFECTS, value="persistent", description=_("where"),
                                       tooltips=[_("running guest and its definition"), _("the running guest only (gone "
                                                 "at its next start)"), _("the definition only (seen at the next start)"),
                                                 _("live if it runs, else the definition")])  # fmt: skip
        self.attach_button = W.Button(description=_("Attach"), icon="link")
        self.detach_button = W.Button(description=_("Detach"), icon="unlink")
        self.command = W.HTML()
        self.status = Status()
        for field in (self.new_name, self.capacity, self.format, self.thin):
            field.observe(lambda _c: self._show_command(), names="value")
        self.create_button.on_click(lambda _b: self.create())
        self.clone_button.on_click(lambda _b: self.clone())
        self.resize_button.on_click(lambda _b: self.resize())
        self.attach_button.on_click(lambda _b: self.attach())
        self.detach_button.on_click(lambda _b: self.detach())
        super().__init__([
            W.HTML(_("<b>Pool {pool}</b>").format(pool=escape(pool))), self.bars,
            W.HBox([self.new_name, self.capacity]), W.HBox([self.format, self.thin, self.create_button]), self.command,
            self.volume, W.HBox([self.clone_name, self.clone_button]), W.HBox([self.new_capacity, self.resize_button]),
            W.HBox([self.guest, self.target]), W.HBox([self.affects, self.attach_button, self.detach_button]),
            self.status,
        ])  # fmt: skip
        self._show_command()
        self.refresh()
        self.watch = Watch(conn, "pool", lambda _n, _e: self.refresh()) if events else None

    def _allocation(self) -> str | None:
        return "0" if self.thin.value else None

    def _show_command(self) -> None:
        line = (f"virsh vol-create-as {self.pool} {self.new_name.value or 'NAME'} {self.capacity.value} "
                f"--format {self.format.value}" + (" --allocation 0" if self.thin.value else ""))
        self.command.value = f"<code>{escape(line)}</code>"

    def refresh(self) -> None:
        """Read ``vol-list --details`` again and redraw the bars."""
        try:
            listing = self.conn.vol_list(self.pool, details=True)
        except KvmlabError as err:
            self.bars.value, self.volume.options = err._repr_html_(), []
            return
        self.bars.value = bars_html(listing.volumes)
        self._paths = {v.name: v.path for v in listing.volumes}
        chosen = self.volume.value
        self.volume.options = listing.names
        if chosen in listing.names:
            self.volume.value = chosen
        try:
            guests = self.conn.list(all=True).names
        except KvmlabError:
            guests = []
        picked = self.guest.value
        self.guest.options = guests
        if picked in guests:
            self.guest.value = picked

    def create(self) -> None:
        """vol-create-as with the fields (``--allocation 0`` when thin), then read the pool back."""
        name = self.new_name.value.strip()
        self.status.run(f"virsh vol-create-as {self.pool} {name} {self.capacity.value}", self.conn.vol_create_as,
                        self.pool, name, self.capacity.value.strip(), allocation=self._allocation(),
                        format=self.format.value)  # fmt: skip
        self.refresh()

    def clone(self) -> None:
        """vol-clone the chosen volume under the new name."""
        if self.volume.value is None:
            self.status.note(_("pick a volume first"))
            return
        self.status.run(f"virsh vol-clone {self.volume.value} {self.clone_name.value} --pool {self.pool}",
                        self.conn.vol_clone, self.volume.value, self.clone_name.value.strip(), pool=self.pool)
        self.refresh()

    def resize(self) -> None:
        """vol-resize the chosen volume (a real host can; the test driver says it cannot)."""
        if self.volume.value is None:
            self.status.note(_("pick a volume first"))
            return
        self.status.run(f"virsh vol-resize {self.volume.value} {self.new_capacity.value} --pool {self.pool}",
                        self.conn.vol_resize, self.volume.value, self.new_capacity.value.strip(), pool=self.pool)
        self.refresh()

    def _flag(self) -> str:
        return dict((v, k) for k, v in AFFECTS)[self.affects.value]

    def attach(self) -> None:
        """attach-disk the chosen volume's file to the chosen guest as ``target``; qcow2 volumes say so
        (``--subdriver qcow2``), or QEMU would read them as raw."""
        if self.volume.value is None or self.guest.value is None:
            self.status.note(_("pick a volume and a guest first"))
            return
        path, target = self._paths.get(self.volume.value, ""), self.target.value.strip()
        qcow2 = self.volume.value.endswith(".qcow2")
        line = (f"virsh attach-disk {self.guest.value} {path} {target}" + (" --subdriver qcow2" if qcow2 else "")
                + f" {self._flag()}")
        self.status.run(line, self.conn.attach_disk, self.guest.value, path, target,
                        subdriver="qcow2" if qcow2 else None, **{self.affects.value: True})
        self.refresh()

    def detach(self) -> None:
        """detach-disk ``target`` from the chosen guest."""
        if self.guest.value is None:
            self.status.note(_("pick a guest first"))
            return
        target = self.target.value.strip()
        self.status.run(f"virsh detach-disk {self.guest.value} {target} {self._flag()}", self.conn.detach_disk,
                        self.guest.value, target, **{self.affects.value: True})
        self.refresh()
