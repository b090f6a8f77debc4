"""Lesson 9 checks: managing virtual networks with virsh (Virsh 管理虚拟网络).

- :func:`check_stop_command` (9.1): a virsh line that stops a network and keeps it — ``net-destory``, the
  course notes' spelling, is caught with the right one; the line runs on your connection like a shell.
- :func:`check_stopped_kept` (9.1b): the same task done with the Python twins: stopped, still defined.
- :func:`check_removed` (9.2): a network deleted for good (stopped *and* undefined).
- :func:`check_autostart` (9.3): the virsh lines that make a network run now *and* at every host boot;
  they are parsed as virsh does and run on your connection.

Each check reads the network's state back from libvirt (``net-list --all``). A failure names the idea
first, then the command (the hint ladder); ``show_answer("9.1")`` gives the code.
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _
from ..ops.network_results import NetworkRow
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["check_stop_command", "check_stopped_kept", "check_removed", "check_autostart", "network_row"]

# What a wrong command does instead of stopping a network and keeping it.
_NOT_STOP = N_({
    "net-undefine": "net-undefine deletes the network's definition (on a running network it either refuses or "
    "leaves it running as transient); the task keeps the definition",
    "destroy": "destroy stops a domain (a VM); networks have their own commands, all starting with net-",
    "shutdown": "shutdown asks a VM to power off; networks have their own commands, all starting with net-",
    "undefine": "undefine deletes a VM's definition; the task stops a network and keeps it",
    "net-autostart": "net-autostart only marks a network to start at every host boot; it does not stop anything",
    "net-start": "net-start starts a network; the task stops one",
    "net-info": "net-info only reads the network's state",
    "net-list": "net-list only lists networks",
    "net-dumpxml": "net-dumpxml only prints the XML",
    "net-define": "net-define registers a network from XML",
    "net-create": "net-create starts a transient network from XML",
})
STOP = N_("the net- command that stops a network keeps its definition, despite its name (lesson 9, "
          "'net-destroy — 停止网络')")

# What a command does instead of bringing a network up now or at every host boot.
_NOT_UP = N_({
    "net-create": "net-create starts a transient network from an XML file; this one is defined already, and a "
    "transient network cannot be marked to autostart",
    "net-define": "net-define registers a network from XML; this one is defined already",
    "net-destroy": "net-destroy stops a network",
    "net-undefine": "net-undefine deletes a network's definition; an autostart mark needs one",
    "net-info": "net-info only reads the network's state",
    "net-list": "net-list only lists networks",
    "net-dumpxml": "net-dumpxml only prints the XML",
    "start": "start boots a VM (a domain); networks have their own commands, all starting with net-",
    "pool-start": "pool-start starts a storage pool; networks have their own net- commands",
    "pool-autostart": "pool-autostart marks a storage pool; networks have their own net- commands",
})
UP = N_("lesson 9, the sections 'net-start — 启动虚拟网络' and 'net-autostart — 设置网络自启': one line each")


def network_row(conn: Any, name: str) -> NetworkRow | None:
    """``name``'s row in ``net-list --all`` (state, autostart, persistence), or None if it is gone."""
    for row in conn.net_list(all=True).networks:
        if row.name == name:
            return row
    return None


def _did(result: Any) -> str:
    return f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"


@graded("9.1", answer='line = "virsh net-destroy $network"   # destroy, not destory: it stops, the definition stays')
def check_stop_command(conn: Any, line: object, network: str = "routed") -> Passed:
    """``line``: the virsh command that stops ``network`` and keeps its definition. It is run on ``conn``."""
    inv = virsh_line(line, "virsh COMMAND routed")
    name = inv.command.name
    if name != "net-destroy":
        raise ExerciseFailed(_("{cmd} does not stop a network and keep it").format(cmd=name),
                             hint=(_(_NOT_STOP[name]) if name in _NOT_STOP
                                   else _("stopping a network takes down its bridge and dnsmasq; "
                                          "its definition stays for net-start")),
                             pointer=_(STOP))
    target = inv.values.get("network")
    expect(target == network, _("the line names '{name}'").format(name=target),
           hint=_("the task stops '{name}'").format(name=network),
           pointer=_("name '{name}' on the line").format(name=network))
    result = run_line(conn, inv)
    return _stopped_kept(conn, network, _did(result))


def _stopped_kept(conn: Any, name: str, done: str = "") -> Passed:
    row = network_row(conn, name)
    if row is None:
        raise ExerciseFailed(_("'{name}' is gone: its definition was deleted (net-undefine)").format(name=name),
                             hint=_("net-destroy alone stops a network and keeps it for net-start; net-undefine "
                                    "deletes the definition"),
                             pointer=_("define it again from its XML (virsh net-define FILE; conn.net_define(xml)), "
                                       "then stop it only"))  # fmt: skip
    if row.active and not row.persistent:
        raise ExerciseFailed(_("'{name}' still runs, and it is transient now: net-undefine deleted its definition "
                               "but does not stop a running network").format(name=name),
                             hint=_("a transient network has no definition: the next stop removes it for good"),
                             pointer=_("define it again from its XML (virsh net-define FILE) before anything else"))
    expect(not row.active, _("'{name}' is still active").format(name=name),
           hint=_("stopping a network takes down its bridge and dnsmasq; its definition stays for net-start"),
           pointer=_(STOP))
    details = [done] if done else []
    return Passed(_("'{name}' is stopped and still defined").format(name=name), *details,
                  _("net-list --all shows it inactive; conn.net_start('{name}') brings it back").format(name=name))


@graded("9.1b", answer="conn.net_destroy('$name')   # virsh net-destroy $name")
def check_stopped_kept(conn: Any, name: str = "routed") -> Passed:
    """``name`` must be stopped (inactive) and still defined (persistent)."""
    return _stopped_kept(conn, name)


@graded("9.2", answer='''if "$name" in conn.net_list().names:           # running: stop it first
    conn.net_destroy("$name")                  # virsh net-destroy $name
if "$name" in conn.net_list(all=True).names:   # still defined: delete its definition
    conn.net_undefine("$name")                 # virsh net-undefine $name''')
def check_removed(conn: Any, name: str = "scratch") -> Passed:
    """``name`` must be gone: no longer running, no longer defined."""
    row = network_row(conn, name)
    if row is None:
        return Passed(_("'{name}' is gone").format(name=name),
                      _("net-destroy stopped it; net-undefine deleted its definition"),
                      _("net-list --all no longer lists it"))
    if row.active and row.persistent:
        raise ExerciseFailed(_("'{name}' is still running and still defined").format(name=name),
                             hint=_("removing a network is two steps: stop it, then delete its definition"),
                             pointer=_("lesson 9, the sections 'net-destroy — 停止网络' and 'net-undefine — 删除网络'; "
                                       "stop first"))
    if row.active:
        raise ExerciseFailed(_("'{name}' is transient and still running").format(name=name),
                             hint=_("a transient network has no definition to delete: stopping it removes it"),
                             pointer=_("net-destroy (conn.net_destroy)"))
    raise ExerciseFailed(_("'{name}' is stopped but still defined: net-list --all shows it inactive").format(name=name),
                         hint=_("stopping a network keeps its definition; deleting the definition is a second command, "
                                "the opposite of net-define"),
                         pointer=_("lesson 9, 'net-undefine — 删除网络' (conn.net_undefine)"))


def _parse_lines(lines: object, example: str) -> list[Any]:
    """The learner's lines, each parsed as virsh does; all are parsed before any runs (as a virsh batch)."""
    items = [lines] if isinstance(lines, str) else lines
    expect(isinstance(items, (list, tuple)) and items, _("no lines yet"),
           hint=_("a list of virsh lines, one command each, e.g. ['{example}']").format(example=example), untried=True)
    invs = []
    for item in items:
        try:
            invs.append(virsh_line(item, example))
        except ExerciseFailed as err:
            # several commands in one string: checks.virsh_line's message, in the language of the moment
            several = _("that is {n} commands in one line: ").split("{n}")[0]
            if err.message.startswith(several):
                n = err.message[len(several):].split()[0]
                raise ExerciseFailed(_("{item} holds {n} commands: each string of the list holds one command").format(
                                         item=repr(item), n=n),
                                     hint=_("the check parses and runs each string of the list as one virsh command"),
                                     pointer=_("split it at ';' into separate strings (and drop the second 'virsh')")
                                     ) from None
            raise
    return invs


@graded("9.3", answer='lines = ["virsh net-start $name",       # running now\n'
                      '         "virsh net-autostart $name"]   # and at every host boot')
def check_autostart(conn: Any, lines: object, name: str = "isolated") -> Passed:
    """``lines``: the virsh commands that make ``name`` run now *and* start at every host boot.
    They are parsed as virsh does, then run on ``conn`` in order; the network's state is read back."""
    invs = _parse_lines(lines, f"virsh COMMAND {name}")
    for inv in invs:
        cmd = inv.command.name
        if cmd not in ("net-start", "net-autostart"):
            raise ExerciseFailed(_("'{line}': {cmd} does not bring a network up").format(line=inv.line, cmd=cmd),
                                 hint=(_(_NOT_UP[cmd]) if cmd in _NOT_UP
                                       else _("the task needs the network up now and after every host boot")),
                                 pointer=_(UP))  # fmt: skip
        target = inv.values.get("network")
        expect(target == name, _("'{line}' names '{target}'").format(line=inv.line, target=target),
               hint=_("the task is about '{name}'").format(name=name),
               pointer=_("name '{name}' on each line").format(name=name))
        if cmd == "net-autostart" and inv.values.get("disable"):
            raise ExerciseFailed(_("'{line}': --disable takes the autostart mark off").format(line=inv.line),
                                 hint=_("the mark is what brings a network up when the host boots"),
                                 pointer=_("net-autostart without --disable sets the mark"))
    row = network_row(conn, name)
    expect(row is not None, _("there is no network '{name}'").format(name=name),
           hint=_("only a defined network can be started"), pointer=_("virsh net-list --all lists them"))
    expect(row.persistent, _("'{name}' is transient").format(name=name),
           hint=_("only a defined (persistent) network can autostart: libvirt keeps the mark with the definition"),
           pointer=_("net-define it from its XML (lesson 9)"))
    done = []
    for inv in invs:
        if inv.command.name == "net-start" and network_row(conn, name).active:
            done.append(_("{line}: not run, '{name}' runs already (this cell ran before?); virsh would say "
                          "error: network is already active").format(line=inv.line, name=name))
            continue
        done.append(_did(run_line(conn, inv)))
    row = network_row(conn, name)
    if row.active and row.autostart:
        return Passed(_("'{name}' runs now and starts at every host boot").format(name=name), *done,
                      _("net-list --all: State active, Autostart yes"),
                      _("libvirt autostarts it once per boot, at the network driver's first start (a marker in "
                        "/run/libvirt/network/); a daemon restart does not start it again"))
    if row.active:
        raise ExerciseFailed(_("'{name}' runs now, but its autostart is off").format(name=name),
                             hint=_("net-start only starts it now: after a host reboot it stays down"),
                             pointer=_("the net- command that marks a network for every host boot (lesson 9, "
                                       "net-autostart)"))  # fmt: skip
    if row.autostart:
        raise ExerciseFailed(_("'{name}' is marked autostart but is not running").format(name=name),
                             hint=_("autostart acts only at host boot (the network driver's first start after it); "
                                    "it does not start the network now"),
                             pointer=_("the net- command that starts a defined network now (lesson 9, net-start)"))
    raise ExerciseFailed(_("'{name}' is neither running nor marked autostart").format(name=name),
                         hint=_("two things: the network running now, and a mark that starts it at every host boot"),
                         pointer=_(UP))
