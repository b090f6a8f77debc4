"""A byte-reproducible initramfs: a newc cpio archive written in Python, gzip'd with a fixed mtime.

The kernel unpacks the archive into its root tmpfs and runs ``/init``. Every entry gets uid/gid 0,
mtime 0 and an inode number from its position, so the same inputs always give the same bytes
(and the same content hash, which names the cache entry).
"""

from __future__ import annotations

import gzip
import stat
from dataclasses import dataclass, field

__all__ = ["Archive", "Entry", "gzip_fixed"]

_MAGIC = b"070701"  # "newc": ASCII headers, no CRC
_TRAILER = "TRAILER!!!"


@dataclass(frozen=True)
class Entry:
    """One archive member. ``kind`` is one of ``dir``, ``file``, ``symlink``, ``chardev``."""

    path: str
    kind: str
    mode: int = 0o755
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)

    @property
    def st_mode(self) -> int:
        kinds = {"dir": stat.S_IFDIR, "file": stat.S_IFREG, "symlink": stat.S_IFLNK, "chardev": stat.S_IFCHR}
        return kinds[self.kind] | (self.mode & 0o7777)


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def _header(ino: int, mode: int, nlink: int, size: int, rdev: tuple[int, int], namesize: int) -> bytes:
    # Fields: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], namesize, 0)
    return _MAGIC + b"".join(b"%08X" % f for f in fields)


@dataclass
class Archive:
    """Members in insertion order; parent directories are added on demand."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def _parents(self, path: str) -> None:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            parent = "/".join(parts[:i])
            if parent and parent not in self.entries:
                self.entries[parent] = Entry(parent, "dir", 0o755)

    def add(self, entry: Entry) -> None:
        path = entry.path.strip("/")
        if not path:
            raise ValueError("an archive member needs a path")  # i18n: not shown (kvmlab's own archive builder)
        self._parents(path)
        self.entries[path] = Entry(path, entry.kind, entry.mode, entry.data, entry.rdev)

    def dir(self, path: str, mode: int = 0o755) -> None:
        self.add(Entry(path, "dir", mode))

    def file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.add(Entry(path, "file", mode, data))

    def symlink(self, path: str, target: str) -> None:
        self.add(Entry(path, "symlink", 0o777, target.encode()))

    def chardev(self, path: str, major: int, minor: int, mode: int = 0o600) -> None:
        self.add(Entry(path, "chardev", mode, b"", (major, minor)))

    def to_bytes(self) -> bytes:
        """The newc archive, members in sorted path order (parents sort before children)."""
        out = bytearray()
        for ino, path in enumerate(sorted(self.entries), start=1):
            e = self.entries[path]
            name = path.encode() + b"\0"
            nlink = 2 if e.kind == "dir" else 1
            out += _header(ino, e.st_mode, nlink, len(e.data), e.rdev, len(name))
            out += name + _pad4(110 + len(name))
            out += e.data + _pad4(len(e.data))
        name = _TRAILER.encode() + b"\0"
        out += _header(0, 0, 1, 0, (0, 0), len(name)) + name + _pad4(110 + len(name))
        return bytes(out)  # every part is padded to 4 bytes (110 = header length)


def gzip_fixed(data: bytes, level: int = 6) -> bytes:
    """gzip with mtime 0 and no file name, so equal input gives equal output."""
    return gzip.compress(data, compresslevel=level, mtime=0)
