"""Disk image files measured: a scratch directory for qemu-img, and thin provisioning in numbers.

A file has two sizes. Its **apparent** size (``st_size``: what ``ls -l`` and ``du --apparent-size``
show) is how long the file says it is; its **allocated** size (``st_blocks × 512``: what ``du`` and the
first column of ``ls -ls`` show) is what the host's disk really holds for it. A thin (sparse) image
has holes: a 1 GiB raw file can take 0 bytes until the guest writes. That is thin provisioning
(精简配置): promise the capacity, allocate on write.

    >>> ws = workspace()                       # a fresh temporary directory, yours to tidy()
    >>> ws.create("disk.raw", "1G", format="raw")
    >>> ws.usage("disk.raw")                   # 1.00 GiB apparent, 0 B allocated
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..ops.result import Table
from ..units import pretty_capacity
from . import qemu_img
from .qemu_img import ImgCommand, ImgInfo

__all__ = ["SpaceUse", "Usage", "ImageFiles", "workspace", "space_use", "usage"]

PREFIX = "kvmlab-disk-"  # temporary directories this module makes (and tidy() removes)


@dataclass
class SpaceUse:
    """One file's two sizes, in bytes."""

    name: str
    apparent: int
    allocated: int

    @property
    def sparse(self) -> bool:
        """True when the host holds less than the file's length: it has holes (it is thin)."""
        return self.allocated < self.apparent

    @property
    def percent(self) -> float:
        """Allocated as a percentage of apparent (0 for an empty file)."""
        return 100.0 * self.allocated / self.apparent if self.apparent else 0.0


@dataclass
class Usage(Table):
    """Apparent vs allocated size of some files, as ``ls -ls`` / ``du`` would show them."""

    files: list[SpaceUse] = field(default_factory=list)
    command: str = ""

    def __getitem__(self, name: str) -> SpaceUse:
        for f in self.files:
            if f.name == name:
                return f
        raise KeyError(name)

    def calls_html(self) -> str:
        from html import escape

        return f"<div class='kvmlab-calls' style='font-size:90%;color:#555'><b>shell:</b> <code>$ {escape(self.command)}</code></div>"


def space_use(path: str | os.PathLike, name: str | None = None) -> SpaceUse:
    """``os.stat``: st_size (apparent) and st_blocks × 512 (allocated).

    Raises:
        NotFound: there is no such file.
    """
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(_("no file {path}").format(path=os.fspath(path)),
                       hint=_("check the name; the workspace's .files lists its files")) from None
    return SpaceUse(name or os.path.basename(os.fspath(path)), st.st_size, st.st_blocks * 512)


def usage(*paths: str | os.PathLike, cwd: str | os.PathLike | None = None) -> Usage:
    """The two sizes of each file, as a table (relative paths are read in ``cwd``)."""
    base = Path(cwd or ".")
    files = [space_use(base / p, os.fspath(p)) for p in paths]
    rows = [(f.name, f"{pretty_capacity(f.apparent)} ({f.apparent})", f"{pretty_capacity(f.allocated)} ({f.allocated})",
             f"{f.percent:.1f} %") for f in files]
    names = " ".join(os.fspath(p) for p in paths)
    return Usage(header=("File", "Apparent: ls -l (bytes)", "Allocated: du (bytes)", "Allocated / apparent"),
                 rows=rows, files=files, command=f"ls -ls {names}; du --apparent-size -B1 {names}; du -B1 {names}")


class ImageFiles:
    """A scratch directory where qemu-img runs: names are plain file names inside it.

    Each method is the qemu-img function of :mod:`kvmlab.concepts.qemu_img` run in ``dir``, so the
    commands it shows use the short names (``qemu-img create -f qcow2 base.qcow2 1G``).
    """

    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory)

    def __repr__(self) -> str:
        return f"<ImageFiles: {len(self.files)} file(s)>"  # no temporary path: notebooks stay the same

    def _name(self, name: object) -> str:
        if isinstance(name, os.PathLike):
            name = os.fspath(name)
        if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
            raise InvalidInput(_("{name} is not a file name in the workspace").format(name=repr(name)),
                               hint=_("use a plain name such as 'base.qcow2': the workspace keeps its files together"))
        return name

    @property
    def files(self) -> list[str]:
        """The file names in the workspace, sorted."""
        return sorted(p.name for p in self.dir.iterdir()) if self.dir.is_dir() else []

    def path(self, name: str) -> Path:
        """The full path of ``name`` (for a tool outside kvmlab)."""
        return self.dir / self._name(name)

    def create(self, name: str, size: str | int | None = None, format: str = "qcow2", backing: str | None = None,
               backing_format: str | None = None, preallocation: str | None = None,
               overwrite: bool = False) -> ImgCommand:
        """:func:`qemu_img.create` here. An overlay: ``backing='base.qcow2', backing_format='qcow2'``."""
        return qemu_img.create(self._name(name), size, format, None if backing is None else self._name(backing),
                               backing_format, preallocation, cwd=self.dir, overwrite=overwrite)

    def info(self, name: str, backing_chain: bool = False) -> ImgInfo:
        """:func:`qemu_img.info` here (``backing_chain``: ``qemu-img info --backing-chain``)."""
        return qemu_img.info(self._name(name), backing_chain, cwd=self.dir)

    def convert(self, source: str, target: str, format: str, overwrite: bool = False) -> ImgCommand:
        """:func:`qemu_img.convert` here: an independent copy in ``format`` (``-f``: the source's own format,
        so qemu-img never has to guess it)."""
        return qemu_img.convert(self._name(source), self._name(target), format, self._format(source), cwd=self.dir,
                                overwrite=overwrite)

    def resize(self, name: str, size: str | int, shrink: bool = False) -> ImgCommand:
        """:func:`qemu_img.resize` here (``'+1G'`` grows by 1 GiB; ``-f`` names the format: a raw image whose
        format qemu-img had to guess gets a warning and a protected first sector)."""
        return qemu_img.resize(self._name(name), size, shrink, self._format(name), cwd=self.dir)

    def write(self, name: str, offset: str | int = 0, length: str | int = "1M", pattern: int = 0x5A) -> ImgCommand:
        """Write ``length`` bytes of ``pattern`` at ``offset`` through the image's format (qemu-io)."""
        return qemu_img.write(self._name(name), offset, length, pattern, format=self._format(name), cwd=self.dir)

    def pattern_at(self, name: str, offset: str | int = 0, length: str | int = "1M", pattern: int = 0x5A) -> bool:
        """Does the disk ``name`` (read through its backing chain) hold ``pattern`` there?"""
        return qemu_img.pattern_at(self._name(name), offset, length, pattern, format=self._format(name), cwd=self.dir)

    def image_map(self, name: str) -> list[dict]:
        """:func:`qemu_img.image_map` here: which layer holds each range of the disk."""
        return qemu_img.image_map(self._name(name), cwd=self.dir)

    def usage(self, *names: str) -> Usage:
        """Apparent vs allocated size of these files (all of them when none are named)."""
        return usage(*(self._name(n) for n in names or self.files), cwd=self.dir)

    def remove(self, name: str) -> None:
        """Delete one file of the workspace."""
        self.path(name).unlink(missing_ok=True)

    def tidy(self) -> str:
        """Remove the workspace and everything in it; returns what was removed."""
        count = len(self.files)
        shutil.rmtree(self.dir, ignore_errors=True)
        return f"removed the workspace and its {count} file(s)"

    def _format(self, name: str) -> str:
        return self.info(name).format


def workspace(parent: str | os.PathLike | None = None) -> ImageFiles:
    """A fresh temporary directory for image files (under ``parent`` if given); ``tidy()`` removes it."""
    return ImageFiles(tempfile.mkdtemp(prefix=PREFIX, dir=parent))


