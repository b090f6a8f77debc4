"""kvmlab: learn KVM, QEMU and libvirt by doing.

    >>> import kvmlab
    >>> conn = kvmlab.connect()          # the embedded lab: libvirt's test driver
    >>> print(conn.list(all=True))       # exactly what `virsh list --all` prints
"""

from .connection import Connection, connect, default_uri, embedded_uri
from .errors import (
    ConnectionFailed,
    InvalidInput,
    InvalidState,
    KvmlabError,
    NotFound,
    OperationFailed,
    SpecError,
    Unsupported,
    UsageError,
)
from .errors import install_error_handler as _install_error_handler
from .ops.result import Fields, Message, Result, Table, Xml
from . import specs as _specs
from .specs import *  # noqa: F401,F403 (the spec classes: listed once, in kvmlab.specs.__all__)

# libvirt's default handler prints every error to the raw stderr (fd 2), even ones kvmlab handles.
_install_error_handler()

__version__ = "0.1.0"

__all__ = [
    "Connection",
    "connect",
    "default_uri",
    "embedded_uri",
    "KvmlabError",
    "UsageError",
    "ConnectionFailed",
    "NotFound",
    "InvalidState",
    "InvalidInput",
    "SpecError",
    "OperationFailed",
    "Unsupported",
    "Result",
    "Message",
    "Table",
    "Fields",
    "Xml",
]

__all__ += _specs.__all__
