"""Where an operation's XML comes from: a spec object, XML text or bytes, or a file (as virsh reads it).

virsh reads a file into a C string and hands those bytes to libvirt, which parses them as UTF-8
whatever the ``<?xml encoding?>`` line says. So kvmlab reads the same way: text ends at the first
NUL byte, and bytes that are not UTF-8 go to libvirt's own parser as bytes (:mod:`.raw_xml`), so
the error is libvirt's, word for word, and nothing is defined with a mangled name.
"""

from __future__ import annotations

import errno
import os
from typing import Union

import libvirt

from ..errors import InvalidInput
from ..i18n import N_, _

__all__ = ["XmlSource", "read_xml_source", "xml_bytes_text", "MAX_XML_FILE"]

XmlSource = Union[str, bytes, os.PathLike, "object"]  # a spec (has .to_xml()), XML text or bytes, or a path

# virsh caps XML files at 10 MiB (VSH_MAX_XML_FILE); virFileReadAll refuses a longer one with EOVERFLOW
MAX_XML_FILE = 10 * 1024 * 1024

_EXPECTED = N_("a spec object (DomainSpec, NetworkSpec, PoolSpec ...), XML text (a str starting with '<'), "
             "the XML as bytes, or the path of an XML file (str or pathlib.Path)")

# virsh's first error line when libvirt refuses the XML: (kind, label) -> its words
_FAILED_LINE = {
    "domain": lambda verb, label: f"Failed to {verb} domain from {label or '/dev/stdin'}",
    "network": lambda verb, label: f"Failed to {verb} network from {label or 'network.xml'}",  # the line's FILE
    "pool": lambda verb, label: f"Failed to {verb} pool from {label or 'pool.xml'}",
}


def read_xml_source(source: XmlSource, *, virconn: libvirt.virConnect | None = None, kind: str = "",
                    verb: str = "define") -> tuple[str, str]:
    """Return ``(xml_text, label)``; ``label`` is the file name virsh would print, or ``""``.

    ``virconn`` and ``kind`` (domain, network, pool) let libvirt itself word the refusal of
    bytes that are not UTF-8, as virsh shows it (``verb`` is define or create).

    Raises:
        InvalidInput: ``source`` is of no type that holds XML; the file cannot be read (libvirt's
            virFileReadAll text); or the XML is not UTF-8 (libvirt's parser's text).
    """
    if hasattr(source, "to_xml"):
        return source.to_xml(), ""
    if isinstance(source, (bytes, bytearray, memoryview)):  # bytes are the document itself, never a name
        return _as_libvirt_reads(bytes(source), "", virconn, kind, verb), ""
    if isinstance(source, str) and source.lstrip().startswith("<"):
        try:  # bytes that came in undecodable (argv, stdin) travel as surrogates: give libvirt those bytes
            data = source.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:  # a lone surrogate no bytes stand for
            raise InvalidInput(
                _("the XML holds U+{code}, a lone UTF-16 surrogate no text can hold").format(
                    code=f"{ord(source[exc.start]):04X}"),
                hint=_("it came from a broken decoding; read the file as UTF-8 (or pass its bytes) instead"),
            ) from None
        return _as_libvirt_reads(data, "", virconn, kind, verb), ""
    if not isinstance(source, (str, os.PathLike)):
        raise InvalidInput(
            _("expected XML, got {type}: {value}").format(type=type(source).__name__, value=f"{source!r:.60}"),
            hint=_("pass {expected}; virsh define takes a FILE").format(expected=_(_EXPECTED)),
        )
    path = os.fspath(source)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if "\0" in path:
        raise InvalidInput(
            _("the file name {name} holds a NUL character").format(name=repr(path)),
            hint=_("a file name never holds NUL (\\0); pass the path of an XML file"),
        )
    return _as_libvirt_reads(_read_file(path), path, virconn, kind, verb), path


def _read_file(path: str) -> bytes:
    """virFileReadAll: at most MAX_XML_FILE bytes; libvirt's words when it cannot."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_XML_FILE + 1)
    except IsADirectoryError:
        raise InvalidInput(
            f"Failed to read file '{path}': {os.strerror(errno.EISDIR)}",  # i18n: virsh's own words (the C library's strerror after it)
            hint=_("pass the path of an XML file, not a folder"),
        ) from None
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise InvalidInput(
            f"Failed to open file '{path}': {reason}",  # i18n: virsh's own words
            hint=_("check the path; `kvmlab xml domain|network|pool|volume ... > file.xml` writes a valid file")
            if exc.errno == errno.ENOENT
            else _("check the file's permissions"),
        ) from None
    if len(data) > MAX_XML_FILE:
        raise InvalidInput(
            f"Failed to read file '{path}': {os.strerror(errno.EOVERFLOW)}",  # i18n: virsh's own words
            hint=_("virsh reads at most {mib} MiB of XML (a definition is a few KiB): "
                   "is this really the XML file? (/dev/zero and disk images are not)").format(
                mib=MAX_XML_FILE // (1024 * 1024)),
        )
    return data


def xml_bytes_text(data: bytes) -> str | None:
    """The text libvirt reads from ``data`` (a C string: it ends at the first NUL), or None if not UTF-8."""
    data = data.split(b"\0", 1)[0]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _as_libvirt_reads(data: bytes, label: str, virconn, kind: str, verb: str) -> str:
    text = xml_bytes_text(data)
    if text is not None:
        return text
    where = f"'{label}'" if label else _("the XML")
    hint = _("{where} is not UTF-8 text (a UTF-16 or Latin-1 file?); libvirt reads XML as UTF-8 whatever its "
             "<?xml encoding?> line says: convert it, e.g. `iconv -f UTF-16 -t UTF-8 in.xml > out.xml`").format(
        where=where)
    from .raw_xml import parse_error  # ctypes, loaded only for bytes that are not UTF-8

    found = parse_error(virconn, kind, data) if virconn is not None and kind in _FAILED_LINE else None
    if found is None:
        raise InvalidInput(_("{where} is not valid UTF-8").format(where=where), hint=hint)
    message, code = found
    first = _FAILED_LINE[kind](verb, label)
    err = InvalidInput(f"{first}: {message}", hint=hint, virsh_error=[first, message])
    err.libvirt_code = code
    raise err
