"""Lesson 10 checks: storage pools with virsh (Virsh 管理虚拟存储池), and their volumes (lesson 10b).

One exercise covers both lessons (10: the pools, 10b: the volumes); both lessons also take their
scratch directory and pool directories from :func:`workspace`.

- :func:`workspace`: where the exercises' pools and XML files go (``tidy()`` removes them again).
- :func:`check_pool_ready` (10.1): a new dir pool defined, **built** and started — a missing directory is caught.
- :func:`check_define_from_file` (10.2): the virsh line ``pool-define FILE``; a pool name (the course notes'
  ``virsh pool-define $name``) is caught before anything runs, then the line runs on your connection.
- :func:`check_volume_capacity` (10.3): the virsh line ``vol-create-as`` for a volume of N GiB, run on your
  connection and read back with vol-info — ``GB`` (10⁹ bytes) where GiB was meant is caught.
- :func:`check_stopped_kept` / :func:`check_removed` (10.4a, 10.4b): pool-destroy (stop) versus pool-undefine
  (delete).

Whether a pool's directory "exists" depends on the backend; the checks say what they looked at. A local
qemu host (``qemu:///system``): the disk. The embedded lab: libvirt's test driver never touches a disk (its
pool-build only checks that the pool is stopped, its pool-start takes any path), so the pool's state and
XML as libvirt reports them, and the steps you took. A failure names the idea first, then the command
(the hint ladder); ``show_answer("10.1")`` gives the code.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from ..errors import InvalidInput, InvalidState, KvmlabError, NotFound, SpecError, suppressed
from ..i18n import N_, _
from ..specs import PoolSpec, VolumeSpec
from ..units import parse_size, pretty_capacity
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["Workspace", "workspace", "sees_disk", "pool_row", "EXERCISE_POOLS", "check_pool_ready",
           "check_define_from_file", "check_volume_capacity", "check_stopped_kept", "check_removed"]

EXERCISE_POOLS = ("lab", "backup", "scratch")
DESCRIBED_ONLY = "/srv/kvmlab-lesson10"  # the embedded lab's pool directories: libvirt's description only
GIB, GB = 1024**3, 1000**3


def sees_disk(conn: Any) -> bool:
    """True when this machine's disk is the pool host's disk: a qemu driver without a remote host."""
    return conn.backend == "qemu" and not urlsplit(conn.uri).netloc


@dataclass
class Workspace:
    """``files``: a real temporary directory for your XML files. ``pools``: where the exercise pools'
    directories go — on a local qemu host a fresh temporary directory (``on_disk``), elsewhere a path
    libvirt only describes."""

    files: Path
    pools: Path
    on_disk: bool

    def path(self, pool: str) -> str:
        """The target directory of exercise pool ``pool`` (it does not exist until pool-build)."""
        return str(self.pools / pool)

    def tidy(self, conn: Any, names: Sequence[str] = EXERCISE_POOLS) -> list[str]:
        """Remove the exercise pools kept under ``pools`` (volumes, directory, definition) and the
        temporary directories; returns the virsh lines of what was done. Pools of the same names
        elsewhere are left alone."""
        done = []
        for name in names:
            row = pool_row(conn, name)
            if row is None or not _target(conn, name).startswith(str(self.pools) + "/"):
                continue
            if self.on_disk and not row.active:  # volumes are listed (and deleted) in running pools only
                with contextlib.suppress(KvmlabError):
                    done.append(conn.pool_start(name).virsh)
                    row.active = True
            if row.active:
                for vol in conn.vol_list(name).names:
                    done.append(conn.vol_delete(vol, pool=name).virsh)
                done.append(conn.pool_destroy(name).virsh)
            if self.on_disk:  # virsh pool-delete: libvirt removes the (now empty) directory
                with suppressed():
                    conn.virconn.storagePoolLookupByName(name).delete(0)
                    done.append(f"virsh pool-delete {name}")
            if row.persistent:
                done.append(conn.pool_undefine(name).virsh)
        shutil.rmtree(self.files, ignore_errors=True)
        if self.on_disk:
            shutil.rmtree(self.pools, ignore_errors=True)
        return done


def workspace(conn: Any) -> Workspace:
    """A fresh workspace for this connection (see :class:`Workspace`)."""
    files = Path(tempfile.mkdtemp(prefix="kvmlab-lesson10-files-"))
    if sees_disk(conn):
        pools = Path(tempfile.mkdtemp(prefix="kvmlab-lesson10-pools-"))
        os.chmod(pools, 0o755)  # libvirtd (root) creates the pools' directories in here
        return Workspace(files=files, pools=pools, on_disk=True)
    return Workspace(files=files, pools=Path(DESCRIBED_ONLY), on_disk=False)


def pool_row(conn: Any, name: str):
    """``name``'s row in ``pool-list --all`` (state, autostart, persistence, sizes), or None."""
    return next((p for p in conn.pool_list(all=True).pools if p.name == name), None)


def _target(conn: Any, name: str) -> str:
    return PoolSpec.from_xml(conn.pool_dumpxml(name).xml).target or ""


def _commands(steps: object) -> list[tuple[str, str, str]]:
    """(command, pool, virsh line) for each step: a kvmlab result or a virsh line."""
    expect(isinstance(steps, (list, tuple)) and len(steps) > 0, _("no steps yet"), untried=True,
           hint=_("a list of what each conn.pool_…() call returned, in the order you made the calls"))
    out = []
    for step in steps:
        line = step if isinstance(step, str) else getattr(step, "virsh", None)
        expect(isinstance(line, str) and line.strip(), _("{step} is not a step").format(step=repr(step)),
               hint=_("each step is what a conn.pool_…() call returned (or its virsh line)"))
        try:
            words = shlex.split(line)
        except ValueError:  # an unclosed quote: plain words are good enough here
            words = line.split()
        words = words[1:] if words and words[0] == "virsh" else words
        expect(words, _("an empty step"), hint=_("each step is what a conn.pool_…() call returned"))
        pool = getattr(step, "pool", "") or (words[1] if len(words) > 1 else "")
        out.append((words[0], pool, line))
    return out


def _directory(conn: Any, target: str, active: bool) -> bool | None:
    """Does the pool's directory exist? The disk's answer on a local qemu host; None on the test
    driver, which never touches a disk; on a remote host libvirt's word (a running dir pool has one)."""
    if sees_disk(conn):
        return os.path.isdir(target)
    if conn.backend in ("embedded", "test"):
        return None
    return True if active else None


def _built(commands: list[tuple[str, str, str]], name: str) -> bool:
    """Was ``name`` built before (or while) it was started, according to the steps?"""
    for cmd, pool, line in commands:
        if pool != name:
            continue
        if cmd == "pool-build" or (cmd in ("pool-start", "pool-create") and "--build" in line.split()):
            return True
        if cmd in ("pool-start", "pool-create"):
            return False  # started before any build
    return False


def _did(result: Any, *, source: str = "", file: str = "") -> str:
    """A run line's output, its virsh line and its libvirt calls (a temporary path shown as the file name)."""
    text = f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"
    return text.replace(source, file) if source else text


@graded("10.1", answer="""row = lesson10.pool_row(conn, "$name")   # an earlier try? libvirt keeps its definition
if row and row.active:
    conn.pool_destroy("$name")   # virsh pool-destroy $name
if row:
    conn.pool_undefine("$name")  # virsh pool-undefine $name
spec = PoolSpec(type="dir", name="$name", target=ws.path("$name"))
steps = [
    conn.pool_define(spec),   # virsh pool-define $name.xml: registered, stopped
    conn.pool_build("$name"),  # virsh pool-build $name: creates the directory
    conn.pool_start("$name"),  # virsh pool-start $name
]""")
def check_pool_ready(conn: Any, steps: object, name: str = "lab", path: str | None = None) -> Passed:
    """``name`` must be a running dir pool (at ``path``) whose directory was made by pool-build.

    ``steps`` are the results of your calls, in order. On a local qemu host the directory itself is
    checked; on the embedded lab (whose test driver never touches the disk) your steps are.
    """
    commands = _commands(steps)
    row = pool_row(conn, name)
    expect(row is not None, _("there is no pool '{name}' yet").format(name=name),
           hint=_("a pool exists for libvirt once its XML is registered (defined)"),
           pointer=_("virsh pool-define FILE registers it (conn.pool_define(spec) in kvmlab)"))
    spec = PoolSpec.from_xml(conn.pool_dumpxml(name).xml)
    expect(spec.type == "dir", _("'{name}' is a {type} pool").format(name=name, type=spec.type),
           hint=_("a dir pool keeps its volumes as files in one directory of the host"),
           pointer=_("the type= of <pool> (PoolSpec(type=…))"))
    if path is not None and spec.target != path:
        raise ExerciseFailed(_("'{name}' keeps its volumes in {target}, the task asks for {path}").format(
                                 name=name, target=spec.target, path=path),
                             hint=_("a dir pool's directory is its <target><path>"),
                             pointer=_("virsh pool-edit {name} changes <target><path> (conn.pool_edit); or "
                                       "pool-destroy, pool-undefine and define it again").format(
                                 name=name))  # fmt: skip
    target = spec.target or ""
    exists = _directory(conn, target, row.active)
    built = _built(commands, name)
    redo = _(" (to run your whole cell again, first conn.pool_destroy(\"{name}\") if it runs, then "
             "conn.pool_undefine(\"{name}\"): libvirt refuses a second '{name}' without the first one's "
             "UUID)").format(name=name)
    needs_dir = _("a new dir pool needs its directory first: pool-start does not create it")
    build_then_start = _("virsh pool-build creates the directory (conn.pool_build); then pool-start")
    if not row.active:
        if exists is False:
            raise ExerciseFailed(_("'{name}' is defined but stopped, and its directory {target} does not exist "
                                   "(checked on this machine's disk)").format(name=name, target=target) + redo,
                                 hint=_("{needs_dir}; it fails with \"cannot open directory '{target}': No such "
                                        "file or directory\"").format(needs_dir=needs_dir, target=target),
                                 pointer=build_then_start)  # fmt: skip
        if exists or built:
            raise ExerciseFailed(_("'{name}' is defined but not running").format(name=name) + redo,
                                 hint=_("a defined pool stays inactive until something starts it"),
                                 pointer=_("virsh pool-start (conn.pool_start)"))
        raise ExerciseFailed(_("'{name}' is defined but not running").format(name=name) + redo, hint=needs_dir,
                             pointer=build_then_start)
    if exists is False:
        raise ExerciseFailed(_("'{name}' runs, but its directory {target} is not on this machine's disk").format(
                                 name=name, target=target),
                             hint=_("someone removed the directory under a running pool"),
                             pointer=_("pool-destroy, then pool-build, then pool-start"))
    if exists is None and not built:
        raise ExerciseFailed(_("'{name}' runs, but your steps never built it: nothing created {target}").format(
                                 name=name, target=target) + redo,
                             hint=_("the embedded lab's test driver never touches the disk, so pool-start "
                                    "worked anyway; on a real host it fails with \"cannot open directory "
                                    "'{target}': No such file or directory\"").format(target=target),
                             pointer=_("stop it (pool-destroy: pool-build refuses a running pool), then pool-build, "
                                       "then pool-start again"))  # fmt: skip
    if sees_disk(conn):
        seen = _("the directory exists on this machine's disk (os.path.isdir)")
    elif exists is None:
        seen = _("embedded lab: the test driver never touches the disk, so your steps were checked (pool-build "
                 "before pool-start); on a real host this check looks at the directory itself")
    else:
        seen = _("libvirt started it, which it does only when the directory exists (on the pool's remote host)")
    return Passed(_("'{name}' is a running dir pool at {target}").format(name=name, target=target),
                  " → ".join(line for _c, _p, line in commands), seen)


# Exercise 10.2: what a command does instead of defining a pool from a file.
_NOT_DEFINE = N_({
    "pool-create": "pool-create starts a transient pool from the file: nothing is kept once it stops; the task "
    "defines a persistent one",
    "pool-start": "pool-start starts a pool that is defined already; this one is not defined yet",
    "pool-build": "pool-build creates a defined pool's directory; this one is not defined yet",
    "pool-edit": "pool-edit changes a pool that is defined already",
    "pool-dumpxml": "pool-dumpxml prints a defined pool's XML",
    "define": "define registers a VM (a domain) from XML; pools have their own commands, all starting with pool-",
    "net-define": "net-define registers a virtual network from XML; pools have their own pool- commands",
})
FROM_FILE = N_("virsh pool-define FILE, with the file's path on the line (an f-string puts a Path there)")


def _write_first() -> str:
    return _("write the XML into the file first (Path.write_text), then {from_file}").format(from_file=_(FROM_FILE))


@graded("10.2", answer=('backup_file.write_text(backup_spec.to_xml())\n'
                        'line = f"virsh pool-define {backup_file}"   '
                        "# a FILE; the notes' `pool-define NAME` is refused"))
def check_define_from_file(conn: Any, line: object, name: str = "backup", path: str | None = None) -> Passed:
    """``line``: the virsh command that defines pool ``name`` (target ``path``) from an XML file. Once the
    file is right it is run on ``conn``, as virsh would run it."""
    if hasattr(line, "to_xml") or (isinstance(line, str) and line.lstrip().startswith("<")):
        raise ExerciseFailed(_("that is the XML itself; virsh pool-define takes the path of a FILE"),
                             hint=_("virsh reads a definition from a file (conn.pool_define also accepts a spec or "
                                    "the text, but this exercise does it virsh's way)"),
                             pointer=_write_first())
    if isinstance(line, os.PathLike):
        raise ExerciseFailed(_("that is the file {file} alone, not a virsh line").format(file=Path(line).name),
                             hint=_("a virsh line starts with the command, then its arguments"), pointer=_(FROM_FILE))
    inv = virsh_line(line, "virsh COMMAND FILE")
    cmd = inv.command.name
    if cmd != "pool-define":
        raise ExerciseFailed(_("{cmd} does not define a pool from a file").format(cmd=cmd),
                             hint=_(_NOT_DEFINE[cmd]) if cmd in _NOT_DEFINE else _(
                                 "defining registers a pool's XML with libvirt; it stays defined (persistent) and "
                                 "stopped"),
                             pointer=_(FROM_FILE))  # fmt: skip
    text = str(inv.values.get("file"))
    file = Path(text)
    if not file.is_file():
        write = _write_first()
        said = _("virsh says: error: Failed to open file '{text}': No such file or directory").format(text=text)
        if "/" not in text and not text.endswith(".xml"):
            raise ExerciseFailed(_("pool-define takes an XML FILE, and '{text}' is a pool name ({said}). The "
                                   "course notes write `virsh pool-define $name`; $name there must be a file").format(
                                     text=text, said=said),
                                 hint=_("pool-define reads the pool's XML from a file; to start a pool that is "
                                        "defined already, pool-start {text} takes its name").format(text=text),
                                 pointer=write)  # fmt: skip
        raise ExerciseFailed(_("there is no file {file} ({said})").format(file=file.name, said=said),
                             hint=_("virsh opens the path as given, relative to the directory it runs in"),
                             pointer=write)
    try:
        spec = PoolSpec.from_xml(file.read_bytes())
    except SpecError as err:
        write = _write_first()
        raise ExerciseFailed(f"{file.name}: {err.message}", hint=_("the file must hold one complete <pool> document"),
                             pointer=_("{write}; `virsh pool-dumpxml default` shows a complete one").format(
                                 write=write)) from err
    expect(spec.name == name, _("{file} defines the pool '{pool}'").format(file=file.name, pool=spec.name),
           hint=_("the task names it '{name}'").format(name=name), pointer=_("the <name> in the file"))
    if path is not None:
        expect(spec.target == path, _("{file} puts the pool in {target}").format(file=file.name, target=spec.target),
               hint=_("the task says {path}").format(path=path), pointer=_("the <target><path> in the file"))
    row = pool_row(conn, name)
    if row is not None and path is not None and _target(conn, name) != path:
        raise ExerciseFailed(_("another pool '{name}' exists already, at {target}: to use the name, "
                               "first conn.pool_destroy(\"{name}\") if it runs, then conn.pool_undefine(\"{name}\")")
                             .format(name=name, target=_target(conn, name)),
                             hint=_("one name, one pool: the file would replace another pool's definition"),
                             pointer=_("virsh pool-list --all shows '{name}'; pool-undefine deletes no data").format(
                                 name=name))
    if row is None:
        did = [_did(run_line(conn, inv), source=text, file=file.name)]  # no temporary directory names
        row = pool_row(conn, name)
    else:
        did = [_("'{name}' was defined already (this cell ran before): the line was not run again").format(name=name)]
    after = _("; pool-build and pool-start come next") if row.state == "inactive" else ""
    return Passed(_("'{name}' is defined from the file {file}").format(name=name, file=file.name), *did,
                  _("pool-list --all: {state}, persistent{after}").format(state=row.state, after=after))


def _held(conn: Any, name: str, pool: str) -> tuple[int, str] | None:
    """(capacity in bytes, format) of volume ``name`` in ``pool`` (vol-info, vol-dumpxml); None if none."""
    try:
        cap = conn.vol_info(name, pool=pool).capacity
    except InvalidState as err:
        raise ExerciseFailed(_("pool '{pool}' is not running").format(pool=pool),
                             hint=_("volumes are listed and made in running pools only"), pointer=err.hint) from err
    except NotFound:
        expect(pool_row(conn, pool) is not None, _("there is no pool '{pool}'").format(pool=pool),
               hint=_("the volume goes into the pool of exercise 10.1"),
               pointer=_("virsh pool-list --all lists the pools"))
        return None  # the pool is there: the volume is not
    return cap, VolumeSpec.from_xml(conn.vol_dumpxml(name, pool=pool).xml).format or "raw"


def _verdict(conn: Any, name: str, pool: str, gib: int, format: str | None, note: str = "") -> tuple[int, str]:
    """What libvirt holds for the volume, or the failure that names the size or format mistake."""
    held = _held(conn, name, pool)
    expect(held is not None, _("there is no volume '{name}' in pool '{pool}'").format(name=name, pool=pool),
           hint=_("vol-create-as makes a volume from a name, a size and a format"),
           pointer="virsh vol-create-as {pool} {name} SIZE --format FORMAT".format(pool=pool, name=name))
    cap, kind = held
    want = gib * GIB
    redo = _("the capacity argument of vol-create-as, with a binary unit (lesson 10b, 'vol-create-as — create a "
             "volume'); the check deletes this try before it runs your next line")
    if cap == gib * GB:
        raise ExerciseFailed(_("'{name}' holds {cap} bytes = {pretty}: that is {gib}GB (10^9 bytes "
                               "each), not {gib} GiB{note}").format(name=name, cap=cap, pretty=pretty_capacity(cap),
                                                                    gib=gib, note=note),
                             hint=_(DECIMAL_BINARY), pointer=redo)  # fmt: skip
    for unit, size in (("MiB", 1024**2), ("KiB", 1024), ("bytes", 1)):
        if cap == gib * size:
            said = (_("'{name}' holds {pretty}: {gib} bytes, not {gib} GiB{note}") if unit == "bytes" else
                    _("'{name}' holds {pretty}: {gib} {unit}, not {gib} GiB{note}"))
            raise ExerciseFailed(said.format(name=name, pretty=pretty_capacity(cap), gib=gib, unit=unit, note=note),
                                 hint=(_("a bare number is bytes; ") if unit == "bytes" else "")
                                 + _("the letter after the number says how many bytes each one counts"),
                                 pointer=redo)
    expect(cap == want, _("'{name}' holds {cap} bytes = {pretty}, not {gib} GiB = {want} bytes{note}").format(
               name=name, cap=cap, pretty=pretty_capacity(cap), gib=gib, want=want, note=note),
           hint=_("the capacity is the number times its unit"), pointer=redo)
    if format is not None:
        expect(kind == format, _("'{name}' is a {kind} volume{note}").format(name=name, kind=kind, note=note),
               hint=_("a volume's format (qcow2, raw) is set when it is created"),
               pointer=_("vol-create-as's --format option (the check deletes this try before it runs your next "
                         "line)"))
    return cap, kind


def _asked(inv: Any) -> tuple[int | None, str]:
    """The capacity (bytes; None if virsh would refuse it) and format a vol-create-as line asks for."""
    try:
        cap = parse_size(str(inv.values.get("capacity")))
    except InvalidInput:
        cap = None
    return cap, str(inv.values.get("format") or "raw")


DECIMAL_BINARY = N_("sizes come in decimal units (kB, MB, GB: powers of 1000) and binary ones (KiB, MiB, GiB: "
                    "powers of 1024); the task asks for a binary one")

_NOT_CREATE = N_({
    "vol-info": "vol-info only reads a volume's sizes",
    "vol-list": "vol-list only lists a pool's volumes",
    "vol-delete": "vol-delete deletes a volume",
    "vol-dumpxml": "vol-dumpxml only prints a volume's XML",
    "pool-build": "pool-build creates a pool's directory, not a volume in it",
})


@graded("10.3", answer=lambda name="data.qcow2", pool="lab", gib=2, format="qcow2", **_: (
    f'line = "virsh vol-create-as {pool} {name} {gib}GiB' + (f" --format {format}" if format else "")
    + f'"   # {gib}G is the same; {gib}GB is {gib} x 10^9 bytes'))
def check_volume_capacity(conn: Any, line: object, name: str = "data.qcow2", pool: str = "lab", gib: int = 2,
                          format: str | None = "qcow2") -> Passed:
    """``line``: the virsh command that creates volume ``name`` in ``pool`` holding ``gib`` GiB (``gib`` × 1024³
    bytes) in ``format``. It is parsed as virsh does, run on ``conn``, and read back with vol-info."""
    inv = virsh_line(line, f"virsh COMMAND {pool} …")
    cmd = inv.command.name
    if cmd != "vol-create-as":
        raise ExerciseFailed(_("{cmd} does not create a volume").format(cmd=cmd),
                             hint=_(_NOT_CREATE[cmd]) if cmd in _NOT_CREATE else _(
                                 "a volume is created from a name, a size and a format"),
                             pointer=_("lesson 10b, 'vol-create-as — create a volume': POOL NAME CAPACITY --format "
                                       "FORMAT"))
    made, where = inv.values.get("name"), inv.values.get("pool")
    expect(made == name, _("the line creates '{made}'").format(made=made),
           hint=_("the task names the volume '{name}'").format(name=name),
           pointer=_("vol-create-as takes the pool first, then the volume's name"))
    expect(where == pool, _("the line puts it in pool '{where}'").format(where=where),
           hint=_("the task puts it in pool '{pool}'").format(pool=pool),
           pointer=_("vol-create-as takes the pool first, then the volume's name"))
    held = _held(conn, name, pool)
    earlier = []
    if held is not None and _asked(inv) != held:  # an earlier try of another size or format: it goes first
        conn.vol_delete(name, pool=pool)
        earlier = [_("an earlier try's {name} ({pretty}, {format}) was deleted first "
                     "(virsh vol-delete {name} --pool {pool}): vol-create-as does not replace a volume").format(
                       name=name, pretty=pretty_capacity(held[0]), format=held[1], pool=pool)]
        held = None
    if held is not None:
        note = _(" (this line ran before: the volume is from that run)")
        cap, kind = _verdict(conn, name, pool, gib, format, note)
        did = _("'{name}' was created already by this line (the cell ran before): not run again").format(name=name)
    else:
        result = run_line(conn, inv)
        cap, kind = _verdict(conn, name, pool, gib, format, " (" + earlier[0] + ")" if earlier else "")
        did = _did(result)
    return Passed(_("'{name}' holds {gib} GiB").format(name=name, gib=gib), *earlier, did,
                  _("vol-info: Capacity {pretty} = {cap} bytes, format {kind}").format(
                      pretty=pretty_capacity(cap), cap=cap, kind=kind),
                  _("{gib}G = {gib}GiB = {cap} bytes; {gib}GB would be {gb} bytes = {gb_pretty}").format(
                      gib=gib, cap=cap, gb=gib * GB, gb_pretty=pretty_capacity(gib * GB)))


@graded("10.4a", answer="conn.pool_destroy('$name')   # virsh pool-destroy $name: stops it; nothing is deleted")
def check_stopped_kept(conn: Any, name: str = "lab") -> Passed:
    """``name`` must be stopped and still defined: pool-destroy, not pool-undefine."""
    row = pool_row(conn, name)
    if row is None:
        raise ExerciseFailed(_("there is no pool '{name}': it was never defined, or pool-undefine deleted its "
                               "definition").format(name=name),
                             hint=_("pool-destroy alone stops a pool and keeps it for pool-start; pool-undefine "
                                    "deletes the definition (no data)"),
                             pointer=_("define it again from its XML (virsh pool-define FILE; conn.pool_define(spec)): "
                                       "pool-undefine deletes no data, so on a real host its directory and volumes "
                                       "are still there"))  # fmt: skip
    expect(not row.active, _("'{name}' is still running").format(name=name),
           hint=_("taking a pool offline deletes nothing: its definition and volumes stay for pool-start"),
           pointer=_("lesson 10, 'Undo: pool-destroy stops, pool-undefine deletes': despite its name, one of them "
                     "deletes nothing"))
    return Passed(_("'{name}' is stopped and still defined").format(name=name),
                  _("pool-list --all shows it inactive, persistent"),
                  _("conn.pool_start('{name}') brings it back, volumes and all").format(name=name))


@graded("10.4b", answer='''row = lesson10.pool_row(conn, "$name")
if row and row.active:            # running: stop it first
    conn.pool_destroy("$name")    # virsh pool-destroy $name
if row and row.persistent:        # still defined: then delete its definition
    conn.pool_undefine("$name")   # virsh pool-undefine $name''')
def check_removed(conn: Any, name: str = "scratch") -> Passed:
    """``name`` must be gone: stopped (pool-destroy) and its definition deleted (pool-undefine)."""
    row = pool_row(conn, name)
    if row is None:
        return Passed(_("'{name}' is gone").format(name=name),
                      _("pool-destroy stopped it; pool-undefine deleted its definition"),
                      _("pool-list --all no longer lists it"))
    if row.active and row.persistent:
        raise ExerciseFailed(_("'{name}' is still running and still defined").format(name=name),
                             hint=_("removing a pool is two steps, in order: stop it, then delete its definition "
                                    "(libvirt refuses to delete a running pool's definition)"),
                             pointer=_("lesson 10, 'Undo: pool-destroy stops, pool-undefine deletes'; stop first"))
    if row.active:
        raise ExerciseFailed(_("'{name}' is transient and still running").format(name=name),
                             hint=_("a transient pool (pool-create) has no definition: stopping it removes it"),
                             pointer=_("pool-destroy (conn.pool_destroy)"))
    raise ExerciseFailed(_("'{name}' is stopped but still defined: pool-list --all shows it inactive").format(
                             name=name),
                         hint=_("stopping a pool keeps its definition; deleting the definition is a second command, "
                                "the opposite of pool-define"),
                         pointer=_("lesson 10, 'Undo: pool-destroy stops, pool-undefine deletes' (conn.pool_undefine)"))
