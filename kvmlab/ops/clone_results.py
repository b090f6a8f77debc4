"""conn.clone's result and its command lines: what virt-clone prints (``Allocating …``, ``Clone '…' created
successfully.``), the table of what changed, the virt-clone line and the same by hand in virsh."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

import libvirt

from ..errors import libvirt_errors
from ..i18n import _
from ..render import html_table, virsh_table
from .result import Result

__all__ = ["CloneResult", "CloneDisk", "virt_clone_line", "clone_steps"]


@dataclass
class CloneDisk:
    """One disk of the clone: where it came from and how it was made (``copy``, ``overlay``, ``shared``)."""

    target: str
    source: str
    path: str
    pool: str = ""
    volume: str = ""
    how: str = "copy"
    seconds: float = 0.0


@dataclass
class CloneResult(Result):
    """virt-clone's output (``Allocating …``, ``Clone '…' created successfully.``), and what changed:
    ``.changes`` is a table of name, UUID, MACs and disks, source beside clone."""

    source: str = ""
    name: str = ""
    uuid: str = ""
    source_uuid: str = ""
    macs: list[tuple[str, str]] = field(default_factory=list)  # (source's, clone's), per card
    disks: list[CloneDisk] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    xml: str = ""
    steps: list[str] = field(default_factory=list)  # the same by hand, as virsh lines
    defined: bool = True

    def text(self) -> str:
        if not self.defined:
            return self.xml
        lines = [f"Allocating '{d.path.rsplit('/', 1)[-1]}'" for d in self.disks if d.how != "shared"]
        return "\n".join(lines + ["", f"Clone '{self.name}' created successfully."]) + "\n"

    def rows(self) -> list[tuple[str, str, str]]:
        picks = _("(libvirt picks one)")
        rows = [("name", self.source, self.name), ("uuid", self.source_uuid, self.uuid or picks)]
        rows += [(f"mac (card {i})", old or "-", new or picks) for i, (old, new) in enumerate(self.macs)]
        rows += [(f"disk {d.target} ({d.how})", d.source, d.path) for d in self.disks]
        rows += [("file", old, new) for old, new in self.renamed]
        return rows

    @property
    def changes(self) -> str:
        """What the clone has instead of the source's: one row per thing changed."""
        return virsh_table(("What", "Source", "Clone"), self.rows())

    def body_html(self) -> str:
        from html import escape

        return (f"<pre>{escape(self.text())}</pre>" +
                html_table(("What", "Source", "Clone"), self.rows()) +
                f"<div style='font-size:90%;color:#555'><b>{escape(_('by hand:'))}</b> " +
                "<br>".join(f"<code>{escape(s)}</code>" for s in self.steps) + "</div>")


def virt_clone_line(src: str, name: str, disks: str, plans: list, macs: list[str], print_xml: bool) -> str:
    """virt-clone's line; for overlays (virt-clone makes none) the overlays first, then virt-clone
    --preserve-data, which uses the files as they are."""
    q = shlex.quote
    words = ["virt-clone", "--original", src, "--name", name]
    for _el, _vol, _pool, new, _how in plans:
        words += ["--file", new["from"].rsplit("/", 1)[0] + "/" + new["name"]]
    words += [w for mac in macs for w in ("--mac", mac)]
    words += ["--preserve-data"] if disks == "overlay" else []
    words += ["--print-xml"] if print_xml else []
    line = " ".join(q(w) for w in words)
    if disks == "copy":
        return line
    return "; ".join([s for s in clone_steps(src, name, plans, disks) if s.startswith("virsh vol-create-as")] + [line])


def clone_steps(src: str, name: str, plans: list, disks: str) -> list[str]:
    """The clone by hand, in virsh: the XML out, the disks, the edit, the XML in."""
    q = shlex.quote
    steps = [f"virsh dumpxml {q(src)} --inactive --security-info > {q(name)}.xml"]
    for _el, vol, pool, new, _how in plans:
        with libvirt_errors():
            vol_name, pool_name, size = vol.name(), pool.name(), _size_word(vol.info()[1])
        if disks == "copy":
            steps.append(f"virsh vol-clone {q(vol_name)} {q(new['name'])} --pool {q(pool_name)}")
        else:
            steps.append(f"virsh vol-create-as {q(pool_name)} {q(new['name'])} {size} --format qcow2 "
                         f"--backing-vol {q(vol_name)} --backing-vol-format {_format(vol)}")
    steps.append(f"# edit {name}.xml: <name>{name}</name>; delete <uuid> and each <mac>; each disk's <source>")
    steps.append(f"virsh define {q(name)}.xml")
    return steps


def _size_word(capacity: int) -> str:
    """A capacity as vol-create-as reads it: 64M, 8G (binary units), or bytes."""
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if capacity and capacity % (1 << shift) == 0:
            return f"{capacity >> shift}{unit}"
    return str(capacity)


def _format(vol: libvirt.virStorageVol) -> str:
    with libvirt_errors():
        xml = vol.XMLDesc(0)
    m = re.search(r"<format type='([^']+)'", xml)
    return m.group(1) if m else "raw"
