"""Lesson 10 checks: storage pools with virsh (Virsh 管理虚拟存储池), and their volumes (lesson 10b).

One exercise covers both lessons (10: the pools, 10b: the volumes); both lessons also take their
scratch directory and pool directories from :func:`workspace`.

- :func:`workspace`: where the exercises' pools and XML files go (``tidy()`` removes them again).
- :func:`check_pool_ready`: a new dir pool defined, **built** and started — a missing directory is caught.
- :func:`check_define_from_file`: ``pool-define`` given an XML *file*; a pool name (the course notes'
  ``virsh pool-define $name``) is caught before anything runs.
- :func:`check_volume_capacity`: a volume of N GiB — ``GB`` (10⁹ bytes) where GiB was meant is caught.
- :func:`check_stopped_kept` / :func:`check_removed`: pool-destroy (stop) versus pool-undefine (delete).

Whether a pool's directory "exists" depends on the backend; the checks say what they looked at. A local
qemu host (``qemu:///system``): the disk. The embedded lab: libvirt's test driver never touches a disk (its
pool-build only checks that the pool is stopped, its pool-start takes any path), so the pool's state and
XML as libvirt reports them, and the steps you took.
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


from ..errors import InvalidState, KvmlabError, NotFound, SpecError, suppressed
from ..specs import PoolSpec, VolumeSpec
from ..units import pretty_capacity
from .checks import ExerciseFailed, Passed, expect

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
    expect(isinstance(steps, (list, tuple)) and len(steps) > 0, "no steps yet",
           hint="collect what each call returns, in order: steps = [conn.pool_define(...), conn.…(...), …]")
    out = []
    for step in steps:
        line = step if isinstance(step, str) else getattr(step, "virsh", None)
        expect(isinstance(line, str) and line.strip(), f"{step!r} is not a step",
               hint="each step is what a conn.pool_…() call returned (or its virsh line)")
        try:
            words = shlex.split(line)
        except ValueError:  # an unclosed quote: plain words are good enough here
            words = line.split()
        words = words[1:] if words and words[0] == "virsh" else words
        expect(words, "an empty step", hint="each step is what a conn.pool_…() call returned")
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


def check_pool_ready(conn: Any, steps: object, name: str = "lab", path: str | None = None) -> Passed:
    """``name`` must be a running dir pool (at ``path``) whose directory was made by pool-build.

    ``steps`` are the results of your calls, in order. On a local qemu host the directory itself is
    checked; on the embedded lab (whose test driver never touches the disk) your steps are.
    """
    commands = _commands(steps)
    row = pool_row(conn, name)
    expect(row is not None, f"there is no pool '{name}' yet",
           hint=f"pool-define registers it from XML: conn.pool_define(spec) (virsh pool-define {name}.xml)")
    spec = PoolSpec.from_xml(conn.pool_dumpxml(name).xml)
    expect(spec.type == "dir", f"'{name}' is a {spec.type} pool", hint="the task asks for <pool type='dir'>")
    if path is not None and spec.target != path:
        raise ExerciseFailed(f"'{name}' keeps its volumes in {spec.target}, the task asks for {path}",
                             hint=f"change <target><path>: conn.pool_edit('{name}', xml=...) (virsh pool-edit "
                                  f"{name}), or pool-destroy, pool-undefine and define it again")  # fmt: skip
    target = spec.target or ""
    exists = _directory(conn, target, row.active)
    built = _built(commands, name)
    build = f"conn.pool_build('{name}') (virsh pool-build {name}) creates the directory"
    if not row.active:
        if exists is False:
            raise ExerciseFailed(f"'{name}' is defined but stopped, and its directory {target} does not exist "
                                 "(checked on this machine's disk)",
                                 hint=f"pool-start fails with \"cannot open directory '{target}': No such file or "
                                      f"directory\": {build}; then conn.pool_start('{name}')")  # fmt: skip
        raise ExerciseFailed(f"'{name}' is defined but not running",
                             hint=f"conn.pool_start('{name}') (virsh pool-start {name})" if exists or built
                             else f"a new dir pool needs its directory first: {build}; "
                                  f"then conn.pool_start('{name}')")  # fmt: skip
    if exists is False:
        raise ExerciseFailed(f"'{name}' runs, but its directory {target} is not on this machine's disk",
                             hint=f"someone removed it: conn.pool_destroy('{name}'), then {build}, then start it")
    if exists is None and not built:
        raise ExerciseFailed(f"'{name}' runs, but your steps never built it: nothing created {target}",
                             hint="the embedded lab's test driver never touches the disk, so pool-start "
                                  "worked anyway; on a real host it fails with \"cannot open directory "
                                  f"'{target}': No such file or directory\". Stop it (conn.pool_destroy('{name}')"
                                  f", pool-build refuses a running pool), then {build}, then start it "
                                  "again")  # fmt: skip
    if sees_disk(conn):
        seen = "the directory exists on this machine's disk (os.path.isdir)"
    elif exists is None:
        seen = ("embedded lab: the test driver never touches the disk, so your steps were checked (pool-build "
                "before pool-start); on a real host this check looks at the directory itself")
    else:
        seen = "libvirt started it, which it does only when the directory exists (on the pool's remote host)"
    return Passed(f"'{name}' is a running dir pool at {target}",
                  " → ".join(line for _c, _p, line in commands), seen)


def check_define_from_file(conn: Any, source: object, name: str = "backup", path: str | None = None) -> Passed:
    """``source`` is what you give pool-define: the path of an XML file defining pool ``name``
    (target ``path``). The check runs ``conn.pool_define(source)`` once the file is right."""
    expect(source is not None and str(source).strip() and str(source).strip().upper() != "TODO",
           "no answer yet", hint="the path of the XML file you wrote, e.g. str(ws.files / 'backup.xml')")
    write = f"write it first: (ws.files / '{name}.xml').write_text(spec.to_xml())"
    if hasattr(source, "to_xml") or (isinstance(source, str) and source.lstrip().startswith("<")):
        raise ExerciseFailed("that is the XML itself; virsh pool-define takes the path of a FILE",
                             hint=f"{write}, then give pool-define that path (conn.pool_define also accepts the "
                                  "spec or the text, but this exercise does it virsh's way)")  # fmt: skip
    expect(isinstance(source, (str, os.PathLike)), f"{source!r} is not a file path", hint=write)
    file = Path(source)
    if not file.is_file():
        text = os.fspath(source)
        said = f"virsh says: error: Failed to open file '{text}': No such file or directory"
        if "/" not in text and not text.endswith(".xml"):
            raise ExerciseFailed(f"pool-define takes an XML FILE, and '{text}' is a pool name ({said}). The "
                                 "course notes write `virsh pool-define $name`; $name there must be a file",
                                 hint=f"{write}, then pass that path; to start a pool that is defined already "
                                      f"use pool-start {text}")  # fmt: skip
        raise ExerciseFailed(f"there is no file {file.name} ({said})", hint=write)
    try:
        spec = PoolSpec.from_xml(file.read_bytes())
    except SpecError as err:
        raise ExerciseFailed(f"{file.name}: {err.message}", hint=f"{write}; `virsh pool-dumpxml default` shows "
                             "a complete one") from err
    expect(spec.name == name, f"{file.name} defines the pool '{spec.name}'", hint=f"the task names it '{name}'")
    if path is not None:
        expect(spec.target == path, f"{file.name} puts the pool in {spec.target}", hint=f"the task says {path}")
    row = pool_row(conn, name)
    if row is not None and path is not None and _target(conn, name) != path:
        raise ExerciseFailed(f"another pool '{name}' exists already, at {_target(conn, name)}",
                             hint=f"conn.pool_undefine('{name}') removes that definition (stop it first)")
    if row is None:
        try:
            done = conn.pool_define(os.fspath(source))
        except KvmlabError as err:
            raise ExerciseFailed("virsh says: " + " / ".join(f"error: {e}" for e in err.virsh_error),
                                 hint=err.hint) from err
        message = done.message.replace(os.fspath(source), file.name)  # no temporary directory names
        did = [f"{message}  (virsh pool-define {file.name}; {'; '.join(done.api)})"]
        row = pool_row(conn, name)
    else:
        did = [f"'{name}' was defined already (this cell ran before)"]
    after = "; pool-build and pool-start come next" if row.state == "inactive" else ""
    return Passed(f"'{name}' is defined from the file {file.name}", *did, f"pool-list --all: {row.state}, "
                  f"persistent{after}")


def check_volume_capacity(conn: Any, name: str = "data.qcow2", pool: str = "lab", gib: int = 2,
                          format: str | None = "qcow2") -> Passed:
    """Volume ``name`` in ``pool`` must hold ``gib`` GiB (``gib`` × 1024³ bytes), read back with vol-info."""
    try:
        info = conn.vol_info(name, pool=pool)
    except InvalidState as err:
        raise ExerciseFailed(f"pool '{pool}' is not running", hint=err.hint) from err
    except NotFound as err:
        expect(pool_row(conn, pool) is not None, f"there is no pool '{pool}'",
               hint="the pool of exercise 10.1; conn.pool_list(all=True) lists the pools")
        raise ExerciseFailed(f"there is no volume '{name}' in pool '{pool}'",
                             hint=f"create it: conn.vol_create_as('{pool}', '{name}', SIZE, "
                                  f"format='{format or 'raw'}')") from err
    want, cap = gib * GIB, info.capacity
    redo = (f"Delete it (conn.vol_delete('{name}', pool='{pool}')) and create it again with '{gib}G' or "
            f"'{gib}GiB'")
    if cap == gib * GB:
        raise ExerciseFailed(f"'{name}' holds {cap} bytes = {pretty_capacity(cap)}: that is {gib}GB (10^9 bytes "
                             f"each), not {gib} GiB",
                             hint=f"vol-create-as reads G and GiB as 1024³ bytes and GB as 10⁹: {gib}GiB = {want} "
                                  f"bytes. {redo}")  # fmt: skip
    for unit, size in (("MiB", 1024**2), ("KiB", 1024), ("bytes", 1)):
        if cap == gib * size:
            raise ExerciseFailed(f"'{name}' holds {pretty_capacity(cap)}: {gib} {unit}, not {gib} GiB",
                                 hint=("a bare number is bytes. " if unit == "bytes" else "") + redo)
    expect(cap == want, f"'{name}' holds {cap} bytes = {pretty_capacity(cap)}, not {gib} GiB = {want} bytes",
           hint=redo)
    if format is not None:
        kind = VolumeSpec.from_xml(conn.vol_dumpxml(name, pool=pool).xml).format or "raw"
        expect(kind == format, f"'{name}' is a {kind} volume",
               hint=f"the task asks for --format {format}: delete it (conn.vol_delete('{name}', pool='{pool}')) "
                    f"and create it again with format='{format}'")  # fmt: skip
    return Passed(f"'{name}' holds {gib} GiB", f"vol-info: Capacity {pretty_capacity(cap)} = {cap} bytes",
                  f"{gib}G = {gib}GiB = {want} bytes; {gib}GB would be {gib * GB} bytes = "
                  f"{pretty_capacity(gib * GB)}")


def check_stopped_kept(conn: Any, name: str = "lab") -> Passed:
    """``name`` must be stopped and still defined: pool-destroy, not pool-undefine."""
    row = pool_row(conn, name)
    if row is None:
        raise ExerciseFailed(f"there is no pool '{name}': it was never defined, or pool-undefine deleted its "
                             "definition",
                             hint="pool-destroy alone stops a pool and keeps it for pool-start. Define it again "
                                  "from its XML (conn.pool_define(spec)): pool-undefine deletes no data, so on a "
                                  "real host its directory and volumes are still there")  # fmt: skip
    expect(not row.active, f"'{name}' is still running",
           hint=f"stop it: conn.pool_destroy('{name}') (virsh pool-destroy {name}); despite the name it deletes "
                "nothing")  # fmt: skip
    return Passed(f"'{name}' is stopped and still defined", "pool-list --all shows it inactive, persistent",
                  f"conn.pool_start('{name}') brings it back, volumes and all")


def check_removed(conn: Any, name: str = "scratch") -> Passed:
    """``name`` must be gone: stopped (pool-destroy) and its definition deleted (pool-undefine)."""
    row = pool_row(conn, name)
    if row is None:
        return Passed(f"'{name}' is gone", "pool-destroy stopped it; pool-undefine deleted its definition",
                      "pool-list --all no longer lists it")
    if row.active and row.persistent:
        raise ExerciseFailed(f"'{name}' is still running and still defined",
                             hint=f"two steps, in this order: conn.pool_destroy('{name}') stops it, "
                                  f"conn.pool_undefine('{name}') deletes the definition (pool-undefine refuses "
                                  "a running pool)")  # fmt: skip
    if row.active:
        raise ExerciseFailed(f"'{name}' is transient and still running",
                             hint=f"a transient pool (pool-create) has no definition: conn.pool_destroy('{name}') "
                                  "removes it")  # fmt: skip
    raise ExerciseFailed(f"'{name}' is stopped but still defined: pool-list --all shows it inactive",
                         hint=f"pool-destroy only stops a pool; pool-undefine deletes its definition: "
                              f"conn.pool_undefine('{name}') (virsh pool-undefine {name})")  # fmt: skip
