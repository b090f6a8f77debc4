"""Bytes that are not UTF-8 pass through the command line as virsh passes them.

Python keeps such bytes of argv (and, once reconfigured, of stdin) as surrogates; writing with
``surrogateescape`` turns them back into the same bytes, so ``kvmlab virsh $'\\xff'`` prints what
virsh prints and never raises a UnicodeError.
"""

from __future__ import annotations

import sys

__all__ = ["bytes_through"]


def bytes_through() -> None:
    """Reconfigure the process's stdin, stdout and stderr to carry undecodable bytes unchanged."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
