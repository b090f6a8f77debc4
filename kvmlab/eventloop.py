"""libvirt's event loop, once per process, on a daemon thread.

libvirt delivers events (a domain started …) and drives non-blocking streams (a guest's console)
only through an event loop that the application runs. :func:`start` registers libvirt's default
implementation (``libvirt.virEventRegisterDefaultImpl()``) and runs
``libvirt.virEventRunDefaultImpl()`` on a daemon thread. Only one thread may run the loop, so
every part of kvmlab that needs it (the widgets' lifecycle watches, the serial console) calls
:func:`start` here. A remote connection (``qemu:///system``) hooks its socket into the loop when
it is *opened*: open connections that need the loop after :func:`start`.
"""

from __future__ import annotations

import threading
import time

import libvirt

__all__ = ["start", "running"]

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _loop() -> None:
    while True:
        if libvirt.virEventRunDefaultImpl() < 0:
            time.sleep(0.1)  # never spin on a broken loop


def start() -> None:
    """Register libvirt's default event loop and run it on a daemon thread (idempotent)."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        libvirt.virEventRegisterDefaultImpl()
        _thread = threading.Thread(target=_loop, name="kvmlab-libvirt-events", daemon=True)
        _thread.start()


def running() -> bool:
    """True once :func:`start` has run in this process."""
    return _thread is not None and _thread.is_alive()
