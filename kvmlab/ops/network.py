"""Network operations: virsh net-list, net-define, net-start, net-info, … on libvirt-python.

Each method mirrors one command of tools/virsh-network.c (virsh 9.0): the same libvirt calls in
the same order, the same text on success, the same ``error:`` lines on failure.
"""

from __future__ import annotations

from typing import Callable

import libvirt

from ..errors import UsageError, attempt, libvirt_errors
from ..i18n import N_, _
from .calls import flag_names, virsh_line
from .network_lookup import lookup_network
from .network_results import NetInfo, NetList, NetMessage, NetworkRow, NetXml  # with the first network command
from .vsh import name_order
from .xpath import dump_text, require_xpath


__all__ = ["NetworkOps", "NetworkRow", "NetList", "NetInfo", "NetMessage", "NetXml"]

_LIST_FLAGS = tuple(
    f"VIR_CONNECT_LIST_NETWORKS_{n}"
    for n in ("ACTIVE", "INACTIVE", "PERSISTENT", "TRANSIENT", "AUTOSTART", "NO_AUTOSTART")
)

_START_HINT = N_(
    "net-start starts a defined network that is not running; `virsh net-info NAME` shows "
    "'Active: yes' when it already runs (net-destroy stops it)"
)
_DESTROY_HINT = N_(
    "net-destroy stops a running network (its definition stays: net-start brings it back; "
    "net-undefine deletes the definition)"
)
_UNDEFINE_HINT = N_("net-undefine deletes a stopped network's definition: run `virsh net-destroy NAME` first")
_TRANSIENT_HINT = N_(
    "this network is transient (made by net-create): it has no definition to delete, and "
    "`virsh net-destroy NAME` removes it for good"
)


class NetworkOps:
    """Mixin for kvmlab.Connection: the network commands of virsh.

    A network is named by name or UUID, as in virsh. Failures raise KvmlabError subclasses
    whose ``virsh_error`` holds virsh's ``error:`` lines: NotFound (no such network),
    InvalidState (e.g. starting a running network), InvalidInput (empty name, bad XML, unreadable
    file), Unsupported (a flag the driver lacks), OperationFailed (anything else libvirt refused).
    """

    virconn: libvirt.virConnect

    # -- net-list -----------------------------------------------------------------------------

    def net_list(
        self,
        all: bool = False,
        inactive: bool = False,
        persistent: bool = False,
        transient: bool = False,
        autostart: bool = False,
        no_autostart: bool = False,
        uuid: bool = False,
        name: bool = False,
        table: bool = False,
    ) -> NetList:
        """virsh net-list: active networks, or ``all`` / ``inactive`` ones, filtered.

        ``name`` / ``uuid`` print one name / UUID a line instead of the table (one of
        ``table``, ``name``, ``uuid`` at most). ``.names`` and ``.networks`` hold the data.
        """
        if table + name + uuid > 1:
            raise UsageError(
                "Only one argument from --table, --name and --uuid may be specified.",  # i18n: virsh's own words
                hint=_("choose one output form: the table (default), --name or --uuid"),
            )
        flags = libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE
        if inactive:
            flags = libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE
        if all:
            flags = libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE | libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE
        for on, flag in (
            (persistent, libvirt.VIR_CONNECT_LIST_NETWORKS_PERSISTENT),
            (transient, libvirt.VIR_CONNECT_LIST_NETWORKS_TRANSIENT),
            (autostart, libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART),
            (no_autostart, libvirt.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART),
        ):
            if on:
                flags |= flag

        with libvirt_errors("Failed to list networks"):
            nets = self.virconn.listAllNetworks(flags)
            rows = [_row(n, NetworkRow) for n in nets]
        rows.sort(key=lambda r: name_order(r.name))
        return NetList(
            networks=rows,
            mode="uuid" if uuid else "name" if name else "table",
            virsh=lambda: virsh_line("net-list", inactive=inactive, all=all, persistent=persistent,
                                     transient=transient, autostart=autostart, no_autostart=no_autostart, uuid=uuid,
                                     name=name, table=table),  # written when it is read
            api=[
                f"nets = conn.listAllNetworks({flag_names(flags, _LIST_FLAGS)})",
                "net.name(); net.UUIDString(); net.isActive(); net.autostart(); net.isPersistent()  # per net",
            ],
        )

    # -- net-info / net-dumpxml ---------------------------------------------------------------

    def net_info(self, network: str) -> NetInfo:
        """virsh net-info: name, UUID, state, persistence, autostart and bridge of a network."""
        api: list[str] = []
        net = lookup_network(self.virconn, network, api)
        api.append("net.name(); net.UUIDString(); net.isActive(); net.isPersistent(); net.autostart(); "
                   "net.bridgeName()")
        active, persistent, autostart = _try(net.isActive), _try(net.isPersistent), _try(net.autostart)

        return NetInfo(  # its text comes from these values (NetInfo.lines)
            name=net.name(), uuid=_try(net.UUIDString), active=None if active is None else bool(active),
            persistent=None if persistent is None else bool(persistent),
            autostart=None if autostart is None else bool(autostart),
            bridge=_try(net.bridgeName),  # a network without a bridge of its own has no line
            virsh=lambda: virsh_line("net-info", network), api=api)

    def net_dumpxml(
        self, network: str, inactive: bool = False, xpath: str | None = None, wrap: bool = False
    ) -> NetXml:
        """virsh net-dumpxml: the network's XML (``inactive``: its persistent definition).

        ``xpath`` prints only the selected nodes (``wrap`` gathers them in ``<nodes>``).
        """
        api: list[str] = []
        net = lookup_network(self.virconn, network, api)
        flags = libvirt.VIR_NETWORK_XML_INACTIVE if inactive else 0
        require_xpath(xpath, "/network/ip")
        with libvirt_errors(hint=N_("this driver cannot show the inactive XML; drop --inactive") if inactive
                            else N_("libvirt could not produce the XML")):
            xml = net.XMLDesc(flags)
        api.append("net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)" if inactive else "net.XMLDesc(0)")
        text = dump_text(xml, xpath, wrap, api)

        return NetXml(xml=text, network=net.name(), api=api,
                      virsh=lambda: virsh_line("net-dumpxml", network, inactive=inactive, xpath=xpath, wrap=wrap))

    # -- net-start / net-destroy / net-undefine / net-autostart -------------------------------

    def net_start(self, network: str) -> NetMessage:
        """virsh net-start: start a defined, inactive network."""
        return self._act(network, "net-start", "create", (), f"Failed to start network {network}", _START_HINT,
                         f"Network {network} started")

    def net_destroy(self, network: str) -> NetMessage:
        """virsh net-destroy: stop a network (a transient one disappears; a persistent one stays defined)."""
        return self._act(network, "net-destroy", "destroy", (), f"Failed to destroy network {network}",
                         _DESTROY_HINT, f"Network {network} destroyed")

    def net_undefine(self, network: str) -> NetMessage:
        """virsh net-undefine: delete a network's persistent definition."""
        return self._act(network, "net-undefine", "undefine", (), f"Failed to undefine network {network}",
                         lambda net: _TRANSIENT_HINT if _try(net.isPersistent) == 0 else _UNDEFINE_HINT,
                         f"Network {network} has been undefined")

    def net_autostart(self, network: str, disable: bool = False) -> NetMessage:
        """virsh net-autostart [--disable]: start the network (or not) when the host boots.

        libvirt autostarts once per boot: at the first start of libvirtd (or virtnetworkd) after a boot,
        which leaves /run/libvirt/network/autostarted behind; a later daemon restart starts nothing
        (virDriverShouldAutostart). The mark does not start the network now.
        """
        verb = "unmark" if disable else "mark"
        return self._act(network, "net-autostart", "setAutostart", (0 if disable else 1,),
                         f"failed to {verb} network {network} as autostarted",
                         N_("autostart applies to persistent networks; check `virsh net-info NAME`"),
                         f"Network {network} {verb}ed as autostarted", disable=disable)

    def _act(
        self,
        network: str,
        command: str,
        method: str,
        args: tuple,
        failed: str,
        hint: str | Callable[[libvirt.virNetwork], str],
        done: str,
        **options: bool,
    ) -> NetMessage:
        """Look the network up, make one call on it, and word success or failure as virsh does.

        ``hint`` may be a function of the network, asked only when the call fails.
        """
        api: list[str] = []
        net = lookup_network(self.virconn, network, api)
        # a hint made from the network is asked for only once the call failed
        with libvirt_errors(failed, hint=(lambda _msg: hint(net)) if callable(hint) else hint):
            getattr(net, method)(*args)
        api.append(f"net.{method}({', '.join(map(str, args))})")

        return NetMessage(message=done, network=net.name(), virsh=lambda: virsh_line(command, network, **options),
                          api=api)


def _row(net: libvirt.virNetwork, row: type[NetworkRow]) -> NetworkRow:
    """One network as net-list shows it (``row``: NetworkRow, imported once per list by the caller)."""
    autostart = _try(net.autostart)
    return row(
        name=net.name(),
        uuid=net.UUIDString(),
        active=_try(net.isActive) != 0,  # virsh: -1 (error) counts as active
        autostart=None if autostart is None else bool(autostart),
        persistent=_try(net.isPersistent) != 0,
    )


def _try(call):
    """The value of a libvirt getter, or None where virsh would print its fallback."""
    return attempt(call)
