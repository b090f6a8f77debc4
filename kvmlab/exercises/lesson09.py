"""Lesson 9 checks: managing virtual networks with virsh (Virsh 管理虚拟网络).

- :func:`check_stop_command`: a virsh line that stops a network and keeps it — ``net-destory``, the
  course notes' spelling, is caught with the right one; the line runs on your connection like a shell.
- :func:`check_stopped_kept`: a network stopped for maintenance that is still defined.
- :func:`check_removed`: a network deleted for good (stopped *and* undefined).
- :func:`check_autostart`: a network that runs now *and* starts with libvirtd.

Each check reads the network's state back from libvirt (``net-list --all``).
"""

from __future__ import annotations

from typing import Any

from ..ops.network_results import NetworkRow
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line

__all__ = ["check_stop_command", "check_stopped_kept", "check_removed", "check_autostart", "network_row"]

# What a wrong command does instead of stopping a network and keeping it.
_NOT_STOP = {
    "net-undefine": "net-undefine deletes the network's definition (on a running network it either refuses or "
    "leaves it running as transient); stopping is net-destroy",
    "destroy": "destroy stops a domain (a VM); networks have their own commands, all starting with net-",
    "shutdown": "shutdown asks a VM to power off; a network is stopped with net-destroy",
    "undefine": "undefine deletes a VM's definition; the task stops a network and keeps it",
    "net-autostart": "net-autostart only decides what happens when libvirtd starts; it does not stop anything",
    "net-start": "net-start starts a network; the task stops one",
    "net-info": "net-info only reads the network's state",
    "net-list": "net-list only lists networks",
    "net-dumpxml": "net-dumpxml only prints the XML",
    "net-define": "net-define registers a network from XML",
    "net-create": "net-create starts a transient network from XML",
}


def network_row(conn: Any, name: str) -> NetworkRow | None:
    """``name``'s row in ``net-list --all`` (state, autostart, persistence), or None if it is gone."""
    for row in conn.net_list(all=True).networks:
        if row.name == name:
            return row
    return None


def check_stop_command(conn: Any, line: object, network: str = "routed") -> Passed:
    """``line``: the virsh command that stops ``network`` and keeps its definition. It is run on ``conn``."""
    inv = virsh_line(line, "virsh net-info routed")
    name = inv.command.name
    if name != "net-destroy":
        raise ExerciseFailed(f"{name} does not stop a network and keep it",
                             hint=_NOT_STOP.get(name, "the command that stops a network is net-destroy"))
    target = inv.values.get("network")
    expect(target == network, f"the line names '{target}'", hint=f"the task stops '{network}'")
    result = run_line(conn, inv)
    return _stopped_kept(conn, network, f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})")


def _stopped_kept(conn: Any, name: str, done: str = "") -> Passed:
    row = network_row(conn, name)
    if row is None:
        raise ExerciseFailed(f"'{name}' is gone: its definition was deleted (net-undefine)",
                             hint="net-destroy alone stops a network and keeps it for net-start; to get it back, "
                                  "define it again from its XML (conn.net_define(xml))")  # fmt: skip
    if row.active and not row.persistent:
        raise ExerciseFailed(f"'{name}' still runs, and it is transient now: net-undefine deleted its definition "
                             "but does not stop a running network",
                             hint="define it again from its XML (conn.net_define(xml)) before anything else: "
                                  "a net-destroy now would remove it for good")  # fmt: skip
    expect(not row.active, f"'{name}' is still active",
           hint=f"stop it with conn.net_destroy('{name}') (virsh net-destroy {name})")
    details = [done] if done else []
    return Passed(f"'{name}' is stopped and still defined", *details,
                  f"net-list --all shows it inactive; conn.net_start('{name}') brings it back")


def check_stopped_kept(conn: Any, name: str = "routed") -> Passed:
    """``name`` must be stopped (inactive) and still defined (persistent)."""
    return _stopped_kept(conn, name)


def check_removed(conn: Any, name: str = "scratch") -> Passed:
    """``name`` must be gone: no longer running, no longer defined."""
    row = network_row(conn, name)
    if row is None:
        return Passed(f"'{name}' is gone", "net-destroy stopped it; net-undefine deleted its definition",
                      "net-list --all no longer lists it")
    if row.active and row.persistent:
        raise ExerciseFailed(f"'{name}' is still running and still defined",
                             hint=f"first stop it: conn.net_destroy('{name}'), then delete the definition: "
                                  f"conn.net_undefine('{name}')")  # fmt: skip
    if row.active:
        raise ExerciseFailed(f"'{name}' is transient and still running",
                             hint=f"a transient network has no definition to delete: conn.net_destroy('{name}') "
                                  "removes it")  # fmt: skip
    raise ExerciseFailed(f"'{name}' is stopped but still defined: net-list --all shows it inactive",
                         hint=f"net-destroy only stops a network; net-undefine deletes its definition: "
                              f"conn.net_undefine('{name}') (virsh net-undefine {name})")  # fmt: skip


def check_autostart(conn: Any, name: str = "isolated") -> Passed:
    """``name`` must run now and be marked to start whenever libvirtd starts."""
    row = network_row(conn, name)
    expect(row is not None, f"there is no network '{name}'", hint="conn.net_list(all=True) lists them")
    expect(row.persistent, f"'{name}' is transient", hint="only a defined (persistent) network can autostart: "
           "net-define it from its XML")
    if row.active and row.autostart:
        return Passed(f"'{name}' runs now and starts with libvirtd",
                      "net-start: now; net-autostart: at every libvirtd start (a host reboot)",
                      "net-list --all: State active, Autostart yes")
    if row.active:
        raise ExerciseFailed(f"'{name}' runs now, but its autostart is off",
                             hint="net-start only starts it now: after a reboot (libvirtd restart) it stays down. "
                                  f"Mark it: conn.net_autostart('{name}') (virsh net-autostart {name}); "
                                  "disable=True does the opposite")  # fmt: skip
    if row.autostart:
        raise ExerciseFailed(f"'{name}' is marked autostart but is not running",
                             hint="autostart acts only when libvirtd starts; it does not start the network now: "
                                  f"conn.net_start('{name}') (virsh net-start {name})")  # fmt: skip
    raise ExerciseFailed(f"'{name}' is neither running nor marked autostart",
                         hint=f"two commands: conn.net_start('{name}') now, conn.net_autostart('{name}') for "
                              "every libvirtd start")  # fmt: skip
