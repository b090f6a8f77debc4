"""Where an operation's XML comes from: a spec object, an XML string, or a file (as virsh reads it)."""

from __future__ import annotations

import errno
import os
from typing import Union

from ..errors import InvalidInput

__all__ = ["XmlSource", "read_xml_source"]

XmlSource = Union[str, os.PathLike, "object"]  # a spec (has .to_xml()), XML text, or a path

# virsh caps XML files at 10 MiB (VSH_MAX_XML_FILE)
MAX_XML_FILE = 10 * 1024 * 1024


def read_xml_source(source: XmlSource) -> tuple[str, str]:
    """Return ``(xml_text, label)``; ``label`` is the file name virsh would print, or ``""``.

    Raises:
        InvalidInput: the file cannot be read; the message is libvirt's virFileReadAll text.
    """
    if hasattr(source, "to_xml"):
        return source.to_xml(), ""
    if isinstance(source, str) and source.lstrip().startswith("<"):
        return source, ""
    path = os.fspath(source)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_XML_FILE + 1)
    except IsADirectoryError:
        raise InvalidInput(
            f"Failed to read file '{path}': Is a directory",
            hint="pass the path of an XML file, not a folder",
        ) from None
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        verb = "open"
        raise InvalidInput(
            f"Failed to {verb} file '{path}': {reason}",
            hint="check the path; `kvmlab xml domain|network|pool|volume ... > file.xml` writes a valid file"
            if exc.errno == errno.ENOENT
            else "check the file's permissions",
        ) from None
    if len(data) > MAX_XML_FILE:
        raise InvalidInput(f"File '{path}' is too large", hint="an XML definition is a few KiB")
    return data.decode("utf-8", errors="replace"), path
