"""VolumePanel: the volumes of a pool (vol-list), vol-create-as and vol-delete as a small form."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from ..errors import KvmlabError
from ..i18n import N_, _
from .events import Watch
from .panel import Panel
from .status import Status

__all__ = ["VolumePanel", "CAPACITY_UNITS"]

# virsh reads "1G" as GiB (1024**3 bytes) and "1GB" as 10**9: the picker offers both kinds.
CAPACITY_UNITS = (("MiB", "MiB"), ("GiB", "GiB"), ("KiB", "KiB"), (N_("GB (10^9 bytes)"), "GB"), (N_("bytes"), "B"))
FORMATS = ("qcow2", "raw")


class VolumePanel(Panel):
    """Volumes of one pool, with create and delete.

    Attributes:
        pool: which pool (``virsh pool-list --all``).
        listing: ``virsh vol-list POOL --details`` as libvirt answered at the last refresh.
        volumes: the volume names, to pick one for ``delete_button``.
        new_name, capacity, capacity_unit, format: the ``vol-create-as`` fields.

        vp = VolumePanel(conn, "default")
        vp.new_name.value = "scratch.qcow2"; vp.capacity.value = 2; vp.capacity_unit.value = "GiB"
        vp.create_button.click()
    """

    def __init__(self, conn, pool: str | None = None, events: bool = True):
        self.conn = conn
        names = conn.pool_list(all=True).names
        self.pool = W.Dropdown(options=names, value=pool if pool in names else (names[0] if names else None),
                               description=_("pool"))  # fmt: skip
        self.listing = W.HTML()
        self.volumes = W.Select(options=[], description=_("volume"), rows=5)
        self.delete_button = W.Button(description=_("Delete volume"), icon="trash", button_style="danger",
                                      tooltip=_("virsh vol-delete VOL --pool POOL: deletes the data too"))  # fmt: skip
        self.new_name = W.Text(description=_("name"), placeholder=_("disk1.qcow2"))
        self.capacity = W.IntText(value=1, description=_("capacity"))
        self.capacity_unit = W.Dropdown(options=[(_(label), unit) for label, unit in CAPACITY_UNITS], value="GiB", layout=W.Layout(width="11em"))
        self.format = W.Dropdown(options=FORMATS, value="qcow2", description=_("format"))
        self.create_button = W.Button(description=_("Create volume"), icon="plus", button_style="primary")
        self.command = W.HTML()
        self.status = Status()
        self.pool.observe(lambda _c: self.refresh(), names="value")
        for field in (self.new_name, self.capacity, self.capacity_unit, self.format):
            field.observe(lambda _c: self._show_command(), names="value")
        self.create_button.on_click(lambda _b: self.create())
        self.delete_button.on_click(lambda _b: self.delete())
        super().__init__([
            self.pool, self.listing, W.HBox([self.volumes, self.delete_button]),
            W.HTML(_("<b>New volume</b> <small>(capacity units: <code>G</code> and <code>GiB</code> are "
                     "1024³ bytes, <code>GB</code> is 10⁹)</small>")),
            W.HBox([self.new_name, self.capacity, self.capacity_unit]), self.format,
            W.HBox([self.create_button, self.command]), self.status,
        ])  # fmt: skip
        self._show_command()
        self.refresh()
        self.watch = Watch(conn, "pool", lambda _n, _e: self.refresh()) if events else None

    def _size(self) -> str:
        return f"{self.capacity.value}{self.capacity_unit.value}"

    def _show_command(self) -> None:
        line = f"virsh vol-create-as {self.pool.value} {self.new_name.value or 'NAME'} {self._size()} " \
               f"--format {self.format.value}"
        self.command.value = f"<code>{escape(line)}</code>"

    def refresh(self) -> None:
        """Read ``vol-list --details`` of the chosen pool again."""
        pool = self.pool.value
        if pool is None:
            self.listing.value, self.volumes.options = _("<i>no pools</i>"), []
            return
        try:
            result = self.conn.vol_list(pool, details=True)
        except KvmlabError as err:
            self.listing.value = err._repr_html_()
            self.volumes.options = []
            return
        self.listing.value = result._repr_html_()
        self.volumes.options = result.names

    def create(self) -> None:
        """vol-create-as with the fields; then read the list back."""
        pool, name = self.pool.value, self.new_name.value.strip()
        self.status.run(f"virsh vol-create-as {pool} {name} {self._size()} --format {self.format.value}",
                        self.conn.vol_create_as, pool, name, self._size(), format=self.format.value)  # fmt: skip
        self.refresh()

    def delete(self) -> None:
        """vol-delete the selected volume; then read the list back."""
        pool, vol = self.pool.value, self.volumes.value
        if vol is None:
            self.status.note(_("pick a volume in the list first"))
            return
        self.status.run(f"virsh vol-delete {vol} --pool {pool}", self.conn.vol_delete, vol, pool=pool)
        self.refresh()
