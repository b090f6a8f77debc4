"""snapshot-create-as's <domainsnapshot> document, written the way virsh writes it (cmdSnapshotCreateAs,
virshParseSnapshotMemspec, virshParseSnapshotDiskspec), so ``--print-xml`` matches virsh byte for byte
and libvirt receives the same document virsh would send.

virsh builds this document with virBuffer calls, not with an XML library: names, descriptions and
file names go through virBufferEscapeString, while ``snapshot=``, ``driver=`` and ``stype=`` are
pasted in as given. A quote in those reaches libvirt, whose parser then refuses the document, as it
does for virsh. The lines are written here in the same order, with the same escaping.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInput
from ..i18n import N_, _
from .vsh import split_list

__all__ = ["escape_text", "MemSpec", "DiskSpec", "parse_memspec", "parse_diskspec", "create_as_document"]

# virBufferEscapeString: when any of these is in the string it is escaped; the control
# characters among them (U+0001-U+0008, U+000B, U+000C, U+000E-U+0019) are dropped
_CONTROL = {chr(c) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1A))}
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;"}


def escape_text(text: str) -> str:
    """virBufferEscapeString's rule: a string without any of its special characters is written as
    it is; otherwise ``<>&"'`` become entities and its control characters are dropped."""
    if not any(ch in _ENTITIES or ch in _CONTROL for ch in text):
        return text
    return "".join(_ENTITIES.get(ch, "" if ch in _CONTROL else ch) for ch in text)


@dataclass(frozen=True)
class MemSpec:
    """``--memspec [file=]PATH[,snapshot=TYPE]``: where the guest's RAM goes."""

    snapshot: str | None = None
    file: str | None = None

    def lines(self) -> list[str]:
        attrs = "".join(f" {k}='{escape_text(v)}'" for k, v in (("snapshot", self.snapshot), ("file", self.file))
                        if v is not None)
        return [f"<memory{attrs}/>"]


@dataclass(frozen=True)
class DiskSpec:
    """``--diskspec DISK[,snapshot=TYPE][,driver=TYPE][,stype=TYPE][,file=PATH]``: one disk's part."""

    name: str | None  # None: virsh's empty diskspec, which it writes as a bare "/>"
    snapshot: str | None = None
    driver: str | None = None
    stype: str | None = None
    file: str | None = None

    def lines(self) -> list[str]:
        head = "" if self.name is None else f"<disk name='{escape_text(self.name)}'"
        if self.snapshot is not None:
            head += f" snapshot='{self.snapshot}'"
        if self.stype is not None:
            head += f" type='{self.stype}'"
        if self.driver is None and self.file is None:
            return [head + "/>"]
        inner = [f"  <driver type='{self.driver}'/>"] if self.driver is not None else []
        if self.file is not None:
            attr = "dev" if self.stype == "block" else "file"
            inner.append(f"  <source {attr}='{escape_text(self.file)}'/>")
        return [head + ">", *inner, "</disk>"]


def parse_memspec(text: str) -> MemSpec:
    """virshParseSnapshotMemspec: ``snapshot=``, ``file=`` or an absolute path, each once.

    Raises:
        InvalidInput: virsh's ``unable to parse memspec: TEXT``.
    """
    snapshot = file = None
    for part in split_list(text):
        if snapshot is None and part.startswith("snapshot="):
            snapshot = part[len("snapshot="):]
        elif file is None and part.startswith("file="):
            file = part[len("file="):]
        elif file is None and part.startswith("/"):
            file = part
        else:
            raise InvalidInput(f"unable to parse memspec: {text}",  # i18n: virsh's own words
                               hint=_("--memspec takes [file=]/absolute/path[,snapshot=external|internal|no], "
                                      "e.g. --memspec file=/var/lib/libvirt/images/vm.mem,snapshot=external"))
    return MemSpec(snapshot, file)


def parse_diskspec(text: str) -> DiskSpec:
    """virshParseSnapshotDiskspec: the disk's name first, then ``snapshot=``, ``driver=``, ``stype=``
    and ``file=``, each once (``,,`` is a comma inside a value).

    Raises:
        InvalidInput: virsh's ``unable to parse diskspec: TEXT`` (after ``Unknown storage type``
            for an stype other than file or block).
    """
    usage = N_("--diskspec takes DISK[,snapshot=external|internal|no][,driver=qcow2][,stype=file|block][,file=PATH], "
             "e.g. --diskspec vda,snapshot=external,file=/var/lib/libvirt/images/vm.overlay")
    parts = split_list(text) if text != "" else [None]  # virsh splits "" into no words: a disk without a name
    values: dict[str, str] = {}
    for part in parts[1:]:
        key = next((k for k in ("snapshot", "driver", "stype", "file") if part.startswith(k + "=") and k not in values),
                   None)
        if key is None:
            raise InvalidInput(f"unable to parse diskspec: {text}", hint=_(usage))  # i18n: virsh's own words
        values[key] = part[len(key) + 1:]
    stype = values.get("stype")
    if stype is not None and stype not in ("file", "block"):
        raise InvalidInput(f"Unknown storage type: '{stype}'", hint=_("stype is file (the default) or block"),  # i18n: virsh's own words
                           virsh_error=[f"Unknown storage type: '{stype}'", f"unable to parse diskspec: {text}"])
    return DiskSpec(parts[0], values.get("snapshot"), values.get("driver"), stype, values.get("file"))


def create_as_document(name: str | None, description: str | None, memspec: MemSpec | None,
                       disks: list[DiskSpec] | None) -> str:
    """The <domainsnapshot> document, line for line as cmdSnapshotCreateAs writes it."""
    lines = []
    if name is not None:
        lines.append(f"<name>{escape_text(name)}</name>")
    if description is not None:
        lines.append(f"<description>{escape_text(description)}</description>")
    if memspec is not None:
        lines += memspec.lines()
    if disks is not None:
        lines += ["<disks>", *("  " + line for disk in disks for line in disk.lines()), "</disks>"]
    return "<domainsnapshot>\n" + "".join(f"  {line}\n" for line in lines) + "</domainsnapshot>\n"
