"""Hand XML bytes that are not UTF-8 to libvirt's own parser, as virsh does, to get libvirt's refusal.

libvirt-python only takes ``str`` (it encodes it as UTF-8), so bytes such as a UTF-16 or Latin-1
file cannot reach libvirt through it. virsh passes them as they are, and libvirt's XML parser
refuses them (``Input is not proper UTF-8`` or ``Start tag expected``), quoting the raw bytes.
libvirt parses every document as UTF-8 whatever it declares, so such bytes are always refused:
the define call below never defines anything, it only lets libvirt word the error.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

__all__ = ["parse_error"]


class _VirError(ctypes.Structure):  # the head of virError (virterror.h): code, domain, message
    _fields_ = [("code", ctypes.c_int), ("domain", ctypes.c_int), ("message", ctypes.c_char_p)]


_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_QUIET = _HANDLER(lambda _data, _err: None)  # libvirt's messages here are not UTF-8: Python's handler cannot take them
_LOCK = threading.Lock()
_QUIET_LOCK = threading.Lock()  # one quiet window at a time: another thread must not reset it under us
_lib: ctypes.CDLL | None = None

# kind -> libvirt's define call (the parser is the same for define and create)
_DEFINE = {"domain": "virDomainDefineXML", "network": "virNetworkDefineXML", "pool": "virStoragePoolDefineXML"}
_FREE = {"domain": "virDomainFree", "network": "virNetworkFree", "pool": "virStoragePoolFree"}


def _libvirt() -> ctypes.CDLL:
    global _lib
    with _LOCK:
        if _lib is None:
            lib = ctypes.CDLL(ctypes.util.find_library("virt") or "libvirt.so.0")
            for kind, name in _DEFINE.items():
                fn = getattr(lib, name)
                fn.restype = ctypes.c_void_p
                fn.argtypes = [ctypes.c_void_p, ctypes.c_char_p] + ([ctypes.c_uint] if kind == "pool" else [])
                getattr(lib, _FREE[kind]).argtypes = [ctypes.c_void_p]
            lib.virGetLastError.restype = ctypes.POINTER(_VirError)
            lib.virConnSetErrorFunc.argtypes = [ctypes.c_void_p, ctypes.c_void_p, _HANDLER]
            _lib = lib
        return _lib


def parse_error(virconn, kind: str, data: bytes) -> tuple[str, int] | None:
    """libvirt's message (raw bytes kept as surrogates) and error code for ``data``, or None if
    libvirt took it after all (then the object is defined, exactly as virsh would have done)."""
    lib = _libvirt()
    conn = ctypes.c_void_p(virconn.c_pointer())
    args = (conn, data) + ((0,) if kind == "pool" else ())
    with _QUIET_LOCK:
        lib.virConnSetErrorFunc(conn, None, _QUIET)
        try:
            obj = getattr(lib, _DEFINE[kind])(*args)
            if obj:
                getattr(lib, _FREE[kind])(obj)
                return None
            err = lib.virGetLastError()
            if not err:
                return None
            found = (err.contents.message or b"").decode("utf-8", "surrogateescape"), err.contents.code
            lib.virResetLastError()
            return found
        finally:
            lib.virConnSetErrorFunc(conn, None, ctypes.cast(None, _HANDLER))
