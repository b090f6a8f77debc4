"""virsh's network commands: option tables (as in tools/virsh-network.c, virsh 9.0) bound to NetworkOps."""

from __future__ import annotations

from .parse import BOOL, DATA, STRING, Command, Opt, bool_options
from .streams import xpath_quirk

__all__ = ["COMMANDS"]


def _network(help: str = "network name or uuid") -> Opt:
    return Opt("network", DATA, required=True, help=help)


def _file() -> Opt:
    return Opt("file", DATA, required=True, help="file containing an XML network description")


_VALIDATE = Opt("validate", BOOL, help="validate the XML against the schema")

_LIST_OPTS = [
    Opt("inactive", BOOL, help="list inactive networks"),
    Opt("all", BOOL, help="list inactive & active networks"),
    Opt("persistent", BOOL, help="list persistent networks"),
    Opt("transient", BOOL, help="list transient networks"),
    Opt("autostart", BOOL, help="list networks with autostart enabled"),
    Opt("no-autostart", BOOL, help="list networks with autostart disabled"),
    Opt("uuid", BOOL, help="list uuid's only"),
    Opt("name", BOOL, help="list network names only"),
    Opt("table", BOOL, help="list table (default)"),
]


@xpath_quirk
def _dumpxml(conn, v: dict):
    return conn.net_dumpxml(
        v["network"], xpath=v.get("xpath"), **bool_options(v, "inactive", "wrap")
    )


def _list(conn, v: dict):
    return conn.net_list(**bool_options(v, *(o.name for o in _LIST_OPTS)))


COMMANDS = [
    Command("net-list", _LIST_OPTS, _list, help="list networks"),
    Command("net-dhcp-leases", [_network(), Opt("mac", STRING, help="MAC address")],
            lambda conn, v: conn.net_dhcp_leases(v["network"], mac=v.get("mac")),
            help="print lease info for a given network"),
    Command(
        "net-define",
        [_file(), _VALIDATE],
        lambda conn, v: conn.net_define(v["file"], **bool_options(v, "validate")),
        help="define an inactive persistent virtual network or modify an existing persistent one from an XML file",
    ),
    Command(
        "net-create",
        [_file(), _VALIDATE],
        lambda conn, v: conn.net_create(v["file"], **bool_options(v, "validate")),
        help="create a network from an XML file",
    ),
    Command(
        "net-start",
        [_network()],
        lambda conn, v: conn.net_start(v["network"]),
        help="start a (previously defined) inactive network",
    ),
    Command("net-info", [_network()], lambda conn, v: conn.net_info(v["network"]), help="network information"),
    Command(
        "net-dumpxml",
        [
            _network(),
            Opt("inactive", BOOL, help="show inactive defined XML"),
            Opt("xpath", STRING, named_only=True, help="xpath expression to filter the XML document"),
            Opt("wrap", BOOL, help="wrap xpath results in an common root element"),
        ],
        _dumpxml,
        help="network information in XML",
    ),
    Command(
        "net-destroy",
        [_network()],
        lambda conn, v: conn.net_destroy(v["network"]),
        help="destroy (stop) a network",
    ),
    Command(
        "net-autostart",
        [_network(), Opt("disable", BOOL, help="disable autostarting")],
        lambda conn, v: conn.net_autostart(v["network"], **bool_options(v, "disable")),
        help="autostart a network",
    ),
    Command(
        "net-undefine",
        [_network()],
        lambda conn, v: conn.net_undefine(v["network"]),
        help="undefine a persistent network",
    ),
]
