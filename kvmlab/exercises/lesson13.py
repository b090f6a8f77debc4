"""Lesson 13 checks: disk images (磁盘镜像).

- :func:`workspace`: a scratch directory with ``base.qcow2`` (64 MiB, its first 64 KiB written).
- :func:`check_overlay`: ``web.qcow2`` must be a qcow2 overlay of ``base.qcow2``, read back with
  ``qemu-img info --backing-chain``: a raw file, a copy (convert), a new empty disk, the wrong backing
  file, or the right one read in the wrong format (``-F raw``) are each named.
- :func:`check_thin_volume`: a virsh line that makes a 2 GiB raw volume taking no space until the guest
  writes; the line runs on your connection and the volume is read back with vol-info and vol-dumpxml:
  ``2GB`` (10⁹ bytes each), qcow2, and a raw volume fully allocated (no ``--allocation 0``) are named.
"""

from __future__ import annotations

from typing import Any

from ..concepts import disk_images
from ..concepts.disk_images import ImageFiles
from ..errors import KvmlabError, NotFound, OperationFailed
from ..i18n import N_, _
from ..specs import VolumeSpec
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line
from .ladder import graded
from .lesson10 import DECIMAL_BINARY

__all__ = ["workspace", "check_overlay", "check_thin_volume", "THIN_NAME", "tidy"]

BASE_DATA = (0, 64 * 1024, 0x5A)  # offset, length, byte: what base.qcow2 holds, for the overlay to show
THIN_NAME = "kvmlab-disk-thin.raw"
GIB, GB = 1024**3, 1000**3

_OVERLAY = N_("an overlay (覆盖镜像) is a new, small qcow2 file whose header names a backing file: reads of "
              "blocks it has not written fall through to the backing file, writes stay in the overlay")


def workspace() -> ImageFiles:
    """A fresh scratch directory holding ``base.qcow2`` (64 MiB; its first 64 KiB hold the byte 0x5a)."""
    ws = disk_images.workspace()
    ws.create("base.qcow2", "64M", format="qcow2")
    offset, length, byte = BASE_DATA
    ws.write("base.qcow2", offset, length, byte)
    return ws


def _shows_base(ws: ImageFiles, name: str) -> bool:
    offset, length, byte = BASE_DATA
    try:
        return ws.pattern_at(name, offset, length, byte)
    except KvmlabError:
        return False


@graded("13.1", answer='ws.create("$name", backing="$base", backing_format="qcow2", overwrite=True)   '
                       "# overwrite: an earlier try's $name goes\n"
                       "# shell: qemu-img create -f qcow2 -b $base -F qcow2 $name")
def check_overlay(ws: Any, name: str = "web.qcow2", base: str = "base.qcow2") -> Passed:
    """``name`` in the workspace must be a qcow2 overlay whose backing file is ``base`` (read as qcow2)."""
    expect(isinstance(ws, ImageFiles), _("{ws} is not the exercise's workspace").format(ws=repr(ws)),
           hint=_("pass the workspace the first cell made: ws = lesson13.workspace()"))
    expect(name in ws.files, _("there is no {name} in the workspace yet (it holds: {files})").format(
               name=name, files=", ".join(ws.files)),
           hint=_(_OVERLAY), pointer=_("qemu-img create, with -b (the backing file) and -F (its format): "
                                       "ws.create(…, backing=…, backing_format=…)"),
           untried=set(ws.files) <= {base})  # nothing made yet: the untouched cell does not climb
    try:
        shown = ws.info(name, backing_chain=True)
    except OperationFailed as err:
        raise ExerciseFailed(_("qemu-img cannot read {name}: {error}").format(
            name=name, error=" / ".join(err.virsh_error)), hint=err.hint) from None
    top = shown.top
    if top.format != "qcow2":
        raise ExerciseFailed(_("{name} is a {format} image").format(name=name, format=top.format),
                             hint=_("only a format with a header can name a backing file: a raw image is nothing "
                                    "but the disk's bytes"), pointer=_("qemu-img create -f qcow2 (format='qcow2')"))
    if top.backing_file is None:
        if _shows_base(ws, name):
            raise ExerciseFailed(_("{name} has no backing file, yet it holds {base}'s data: it is a copy "
                                   "(qemu-img convert or cp), not an overlay").format(name=name, base=base),
                                 hint=_("a copy is independent and takes as much room as the data; an overlay "
                                        "stays small and shares the base's blocks until the guest changes them"),
                                 pointer=_("qemu-img create -b (the backing file) instead of convert"))
        raise ExerciseFailed(_("{name} has no backing file: it is a new, empty disk").format(name=name),
                             hint=_(_OVERLAY),
                             pointer=_("qemu-img create -b BASE -F FORMAT (ws.create: backing=, backing_format=)"))
    if top.backing_file.rsplit("/", 1)[-1] != base:
        raise ExerciseFailed(_("{name}'s backing file is {backing}, not {base}").format(
                                 name=name, backing=top.backing_file, base=base),
                             hint=_("the overlay reads through to the file its header names"),
                             pointer=_("make it again (overwrite=True) with {base} as the backing file").format(
                                 base=base))
    real = ws.info(base).format
    if top.backing_format != real:
        raise ExerciseFailed(_("{name} reads {base} as {backing_format}, but {base} is a {real} file: the "
                               "guest would see {base}'s {real} header and tables as its disk").format(
                                 name=name, base=base, backing_format=top.backing_format, real=real),
                             hint=_("the backing format tells QEMU how to read the backing file; it is never "
                                    "guessed, because a guest could write a fake header into a raw disk"),
                             pointer=_("-F {real} (backing_format='{real}')").format(real=real))
    depths = {part.get("depth") for part in ws.image_map(name)}
    return Passed(_("{name} is an overlay of {base}").format(name=name, base=base),
                  _("qemu-img info --backing-chain {name}: {chain}").format(name=name, chain=shown.chain()),
                  _("reads fall through: {name} shows {base}'s first 64 KiB (0x5a), read with qemu-io").format(
                      name=name, base=base)
                  if _shows_base(ws, name) else _("{name} already holds data of its own at the start").format(name=name),
                  _("qemu-img map: every range of the disk comes from {source}").format(source=(
                      _("{base} (depth 1): {name} holds nothing of its own yet").format(base=base, name=name)
                      if depths == {1}
                      else _("the layers at depths {depths}").format(depths=", ".join(str(d) for d in sorted(depths))))))


_CAPACITY = N_("the capacity argument of vol-create-as, with a binary unit (lesson 10b, 'vol-create-as — create a volume')")


@graded("13.2", answer='line = "vol-create-as $pool $name 2G --format raw --allocation 0"\n'
                       "# the same in Python: conn.vol_create_as('$pool', '$name', '2G', format='raw', allocation=0)")
def check_thin_volume(conn: Any, line: object, pool: str = "default", name: str = THIN_NAME) -> Passed:
    """``line`` is one virsh command that makes ``name`` in ``pool``: raw, 2 GiB, nothing allocated yet.

    The check runs the line on ``conn`` (after deleting a volume ``name`` an earlier try left), then
    reads the volume back with vol-info and vol-dumpxml.
    """
    inv = virsh_line(line, "virsh COMMAND POOL NAME …")
    cmd, values = inv.command.name, inv.values
    expect(cmd == "vol-create-as", _("{cmd} does not create a volume from a name, a size and options").format(cmd=cmd),
           hint=_("one virsh command creates a volume from arguments (no XML file)"),
           pointer=_("vol-create-as POOL NAME CAPACITY, with its options"))
    expect(values.get("pool") == pool, _("the line makes the volume in pool {given}").format(
               given=repr(values.get("pool"))),
           hint=_("the task's pool is {pool}").format(pool=repr(pool)),
           pointer=_("vol-create-as {pool} …").format(pool=pool))
    expect(values.get("name") == name, _("the line names the volume {given}").format(given=repr(values.get("name"))),
           hint=_("the task names it {name}").format(name=repr(name)),
           pointer=_("vol-create-as {pool} {name} …").format(pool=pool, name=name))
    earlier = ""
    try:
        conn.vol_delete(name, pool=pool)
        earlier = _("an earlier try's {name} was deleted first").format(name=name)
    except KvmlabError:  # none yet (or no such pool: running the line says so in virsh's words)
        pass
    run_line(conn, inv)
    info = conn.vol_info(name, pool=pool, bytes=True)
    spec = VolumeSpec.from_xml(conn.vol_dumpxml(name, pool=pool).xml)
    if info.capacity == 2 * GB:
        raise ExerciseFailed(_("{name} holds {capacity} bytes = {gib} GiB: GB counts 10^9 bytes").format(
                                 name=name, capacity=info.capacity, gib=f"{info.capacity / GIB:.2f}"),
                             hint=_(DECIMAL_BINARY), pointer=_(_CAPACITY))
    expect(info.capacity == 2 * GIB, _("{name} holds {capacity} bytes, not 2 GiB ({bytes} bytes)").format(
               name=name, capacity=info.capacity, bytes=2 * GIB),
           hint=_("the capacity is the disk size the guest sees"), pointer=_(_CAPACITY))
    expect(spec.format == "raw", _("{name} is {format}, not raw").format(
               name=name, format=spec.format or _("of no stated format")),
           hint=_("a raw volume is the disk's bytes and nothing else; it is thin only while the file has holes"),
           pointer=_("--format raw"))
    if info.allocation:
        raise ExerciseFailed(_("{name} has {allocation} bytes allocated already: the whole disk is reserved "
                               "now (thick)").format(name=name, allocation=info.allocation),
                             hint=_("for a new raw volume libvirt reserves the full capacity unless told how much to "
                                    "allocate now; thin provisioning (精简配置) allocates nothing until the guest writes"),
                             pointer=_("vol-create-as's --allocation option: what to reserve now"))
    return Passed(_("{name} is a thin 2 GiB raw volume").format(name=name),
                  *([earlier] if earlier else []),
                  _("virsh {line}").format(line=inv.line),
                  _("vol-info --bytes: Capacity {capacity} bytes, Allocation {allocation} bytes").format(
                      capacity=info.capacity, allocation=info.allocation),
                  _("vol-dumpxml: <format type='raw'/>; the file is sparse: its holes take no room on the host"))


def tidy(conn: Any, ws: ImageFiles | None = None, pool: str = "default") -> list[str]:
    """Remove what the exercises made: the thin volume (if any) and the workspace."""
    done = []
    try:
        done.append(conn.vol_delete(THIN_NAME, pool=pool).virsh)
    except NotFound:
        pass
    if ws is not None:
        done.append(ws.tidy())
    return done
