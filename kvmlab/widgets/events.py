"""libvirt's event loop on one daemon thread, and lifecycle watches that widgets refresh from.

libvirt delivers events (a domain started, a network stopped …) only through an event loop
that the application runs. ``start()`` registers libvirt's default implementation
(``libvirt.virEventRegisterDefaultImpl()``) and runs ``libvirt.virEventRunDefaultImpl()`` on a
daemon thread, once per process (kvmlab.eventloop). Call it before ``kvmlab.connect()``: remote connections
(``qemu:///system``) hook their socket into the loop when they are opened; the test driver
works either way.

``Watch`` registers a lifecycle callback (``conn.virconn.domainEventRegisterAny(None,
libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)`` and its network / pool twins) and calls
``on_event(name, event)`` from the loop's thread; ``stop()`` deregisters it.
"""

from __future__ import annotations

import threading
from typing import Callable

import libvirt

from ..errors import libvirt_errors, suppressed
from ..i18n import N_, _
from ..eventloop import running, start  # the one loop of the process (the console needs it too)

__all__ = ["start", "running", "Watch", "EVENT_NAMES"]

_lock = threading.Lock()

# libvirt's lifecycle event numbers -> the words virsh's `event --loop` prints
EVENT_NAMES: dict[str, dict[int, str]] = {
    "domain": {
        libvirt.VIR_DOMAIN_EVENT_DEFINED: "defined",
        libvirt.VIR_DOMAIN_EVENT_UNDEFINED: "undefined",
        libvirt.VIR_DOMAIN_EVENT_STARTED: "started",
        libvirt.VIR_DOMAIN_EVENT_SUSPENDED: "suspended",
        libvirt.VIR_DOMAIN_EVENT_RESUMED: "resumed",
        libvirt.VIR_DOMAIN_EVENT_STOPPED: "stopped",
        libvirt.VIR_DOMAIN_EVENT_SHUTDOWN: "shutdown",
        libvirt.VIR_DOMAIN_EVENT_PMSUSPENDED: "pmsuspended",
        libvirt.VIR_DOMAIN_EVENT_CRASHED: "crashed",
    },
    "network": {
        libvirt.VIR_NETWORK_EVENT_DEFINED: "defined",
        libvirt.VIR_NETWORK_EVENT_UNDEFINED: "undefined",
        libvirt.VIR_NETWORK_EVENT_STARTED: "started",
        libvirt.VIR_NETWORK_EVENT_STOPPED: "stopped",
    },
    "pool": {
        libvirt.VIR_STORAGE_POOL_EVENT_DEFINED: "defined",
        libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED: "undefined",
        libvirt.VIR_STORAGE_POOL_EVENT_STARTED: "started",
        libvirt.VIR_STORAGE_POOL_EVENT_STOPPED: "stopped",
        libvirt.VIR_STORAGE_POOL_EVENT_CREATED: "created",
        libvirt.VIR_STORAGE_POOL_EVENT_DELETED: "deleted",
    },
}

# kind -> (register method, event id, deregister method, the call as a learner would write it)
_REGISTER = {
    "domain": ("domainEventRegisterAny", libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, "domainEventDeregisterAny",
               "conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, callback, None)"),
    "network": ("networkEventRegisterAny", libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, "networkEventDeregisterAny",
                "conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, callback, None)"),
    "pool": ("storagePoolEventRegisterAny", libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
             "storagePoolEventDeregisterAny",
             "conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, callback, None)"),
}


class _Hub:
    """The one libvirt registration per connection and kind; it fans events out to its watches.

    libvirt refuses a second registration of the same event on one connection ("event callback
    already tracked": libvirt-python hands every registration the same C callback), so several
    widgets on one connection share this.
    """

    def __init__(self, virconn: libvirt.virConnect, kind: str):
        register, event_id, self._deregister, _ = _REGISTER[kind]
        self.virconn, self.kind = virconn, kind
        self.watches: list[Watch] = []
        with libvirt_errors(hint=N_("this driver has no lifecycle events: use Refresh instead")):
            self.id: int = getattr(virconn, register)(None, event_id, self._callback, None)

    def _callback(self, _virconn, obj, event: int, _detail: int, _opaque) -> None:
        try:
            name = obj.name()
        except Exception as exc:  # noqa: BLE001 - nothing may escape into libvirt's loop
            for watch in list(self.watches):
                watch.errors.append(exc)
            return
        word = EVENT_NAMES[self.kind].get(event, f"event {event}")
        for watch in list(self.watches):
            watch._deliver(name, word)

    def close(self) -> None:
        with suppressed(lost=True):  # the connection may be closed, or its daemon gone
            getattr(self.virconn, self._deregister)(self.id)


_hubs: dict[tuple[int, str], _Hub] = {}


class Watch:
    """A lifecycle-event callback on one connection for one kind of object.

    Args:
        conn: a kvmlab.Connection.
        kind: ``"domain"``, ``"network"`` or ``"pool"``.
        on_event: called as ``on_event(name, event)`` on the event thread, ``event`` being a
            word from ``EVENT_NAMES`` (``"started"``, ``"stopped"`` …). Exceptions it raises
            are kept in ``errors`` (never printed: stray stderr breaks notebooks under nbval).
    """

    def __init__(self, conn, kind: str, on_event: Callable[[str, str], None]):
        if kind not in _REGISTER:
            raise ValueError(_("kind must be one of {kinds}, not {kind}").format(kinds=sorted(_REGISTER), kind=repr(kind)))
        start()
        self.kind = kind
        self.api = _REGISTER[kind][3]
        self.errors: list[BaseException] = []
        self.events: list[tuple[str, str]] = []  # (name, event) as received, newest last
        self._on_event = on_event
        self._conn = conn
        self._hub: _Hub | None = None
        self._join(conn.virconn)

    def _join(self, virconn: libvirt.virConnect) -> None:
        """Register (or share) the hub of ``virconn`` for this kind."""
        self._key = (id(virconn), self.kind)
        with _lock:
            hub = _hubs.get(self._key)
            if hub is None or hub.virconn is not virconn:
                hub = _hubs[self._key] = _Hub(virconn, self.kind)
            hub.watches.append(self)
        self._hub = hub

    def renew(self) -> bool:
        """Register again on the Connection's current virConnect if it was reopened (its daemon went
        away and came back); True when it did. Dashboards call it after a refresh that worked."""
        hub = self._hub
        if hub is None:
            return False
        current = self._conn.virconn
        if hub.virconn is current:
            return False
        self.stop()
        self._join(current)
        return True

    def _deliver(self, name: str, word: str) -> None:
        try:
            self.events.append((name, word))
            del self.events[:-50]
            self._on_event(name, word)
        except Exception as exc:  # noqa: BLE001 - nothing may escape into libvirt's loop
            self.errors.append(exc)

    @property
    def active(self) -> bool:
        return self._hub is not None

    def stop(self) -> None:
        """Stop receiving events (safe to call twice, or after the connection closed)."""
        with _lock:
            hub, self._hub = self._hub, None
            if hub is None:
                return
            hub.watches.remove(self)
            if not hub.watches:
                hub.close()
                if _hubs.get(self._key) is hub:  # a newer hub under the same key is not ours to drop
                    del _hubs[self._key]
