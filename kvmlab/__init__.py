"""kvmlab: learn KVM, QEMU and libvirt by doing.

    >>> import kvmlab
    >>> conn = kvmlab.connect()          # the embedded lab: libvirt's test driver
    >>> print(conn.list(all=True))       # exactly what `virsh list --all` prints

The names below are imported on first use (PEP 562), so ``import kvmlab`` stays cheap for the
command line: ``kvmlab virsh list`` never loads the spec classes or libvirt's schemas.
"""

import importlib as _importlib

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
from . import specs as _specs

# libvirt's default handler prints every error to the raw stderr (fd 2), even ones kvmlab handles.
_install_error_handler()

__version__ = "0.1.0"

# name -> the module that defines it; one table, so __all__, __getattr__ and __dir__ agree
_LAZY = {
    "Connection": "connection",
    "connect": "connection",
    "default_uri": "connection",
    "embedded_uri": "connection",
    "Result": "ops.result",
    "Message": "ops.result",
    "Table": "ops.result",
    "Fields": "ops.result",
    "Xml": "ops.result",
    "set_language": "language",  # kvmlab's own texts (the exercises' hints) in Chinese: set_language("zh")
    # the spec classes: kvmlab.specs.__all__ is their one list (a light import: specs load lazily too)
    **{name: "specs" for name in _specs.__all__},
}

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
    "set_language",
    *_specs.__all__,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kvmlab' has no attribute {name!r}")  # i18n: not shown (Python's own wording)
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
