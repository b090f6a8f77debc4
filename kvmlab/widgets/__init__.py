"""ipywidgets forms and dashboards over kvmlab's operations (needs ``pip install kvmlab[course]``).

Widgets call operations only and keep no state that libvirt holds: they read it back after
each action, and dashboards also refresh on libvirt's lifecycle events (``events.start()``
runs libvirt's event loop on a daemon thread). Every action shows the virsh command, the
libvirt-python calls and the result, or virsh's error lines with a hint.

    >>> from kvmlab import widgets
    >>> widgets.start_events()          # before connect(): remote URIs hook into the loop on open
    >>> conn = kvmlab.connect()
    >>> widgets.DomainForm(conn)        # fill in, watch the XML, press Define
    >>> widgets.Dashboard(conn)         # start / shutdown / destroy … with the state kept current

Submodules are imported on first use, so ``import kvmlab`` never needs ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DomainForm",
    "Dashboard",
    "XmlEditor",
    "NetworkForm",
    "ModeForms",
    "NetworkDashboard",
    "PoolForm",
    "PoolDashboard",
    "VolumePanel",
    "DiskPanel",
    "SnapshotTree",
    "QemuFlagsBuilder",
    "Status",
    "SerialConsole",
    "start_events",
]

_WHERE = {
    "DomainForm": "domain_form",
    "Dashboard": "dashboard",
    "XmlEditor": "xml_editor",
    "NetworkForm": "network_form",
    "ModeForms": "mode_forms",
    "NetworkDashboard": "network_dashboard",
    "PoolForm": "pool_form",
    "PoolDashboard": "pool_dashboard",
    "VolumePanel": "volume_panel",
    "DiskPanel": "disk_panel",
    "SnapshotTree": "snapshot_tree",
    "QemuFlagsBuilder": "qemu_flags",
    "Status": "status",
    "SerialConsole": "console",
    "start_events": "events",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'kvmlab.widgets' has no attribute {name!r}")  # i18n: not shown (Python's own wording)
    module = importlib.import_module(f".{_WHERE[name]}", __name__)
    value = getattr(module, "start" if name == "start_events" else name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
