"""virsh's snapshot commands: option tables as in virsh 9.0 (tools/virsh-snapshot.c) bound to SnapshotOps."""

from __future__ import annotations

from .parse import ARGV, BOOL, DATA, STRING, Command, Opt, bool_options
from .streams import xpath_quirk

__all__ = ["COMMANDS"]

DOMAIN = Opt("domain", DATA, required=True, help="domain name, id or uuid")


def _name(help: str = "snapshot name") -> Opt:
    return Opt("snapshotname", STRING, help=help)


def _current(help: str) -> Opt:
    return Opt("current", BOOL, help=help)


COMMANDS = [
    Command(
        "snapshot-create-as",
        [
            DOMAIN,
            Opt("name", STRING, help="name of snapshot"),
            Opt("description", STRING, help="description of snapshot"),
            Opt("print-xml", BOOL, help="print XML document rather than create"),
            Opt("no-metadata", BOOL, help="take snapshot but create no metadata"),
            Opt("halt", BOOL, help="halt domain after snapshot is created"),
            Opt("disk-only", BOOL, help="capture disk state but not vm state"),
            Opt("reuse-external", BOOL, help="reuse any existing external files"),
            Opt("quiesce", BOOL, help="quiesce guest's file systems"),
            Opt("atomic", BOOL, help="require atomic operation"),
            Opt("live", BOOL, help="take a live snapshot"),
            Opt("validate", BOOL, help="validate the XML against the schema"),
            Opt("memspec", STRING, named_only=True, help="memory attributes: [file=]name[,snapshot=type]"),
            Opt("diskspec", ARGV,
                help="disk attributes: disk[,snapshot=type][,driver=type][,stype=type][,file=name]"),
        ],
        lambda conn, v: conn.snapshot_create_as(
            v["domain"], v.get("name"), v.get("description"), memspec=v.get("memspec"), diskspec=v.get("diskspec"),
            **bool_options(v, "print-xml", "no-metadata", "halt", "disk-only", "reuse-external", "quiesce", "atomic",
                           "live", "validate"),
        ),
        help="Create a snapshot from a set of args",
    ),
    Command(
        "snapshot-current",
        [
            DOMAIN,
            Opt("name", BOOL, help="list the name, rather than the full xml"),
            Opt("security-info", BOOL, help="include security sensitive information in XML dump"),
            _name("name of existing snapshot to make current"),
        ],
        lambda conn, v: conn.snapshot_current(v["domain"], snapshotname=v.get("snapshotname"),
                                              **bool_options(v, "name", "security-info")),
        help="Get or set the current snapshot",
    ),
    Command(
        "snapshot-delete",
        [
            DOMAIN,
            _name(),
            _current("delete current snapshot"),
            Opt("children", BOOL, help="delete snapshot and all children"),
            Opt("children-only", BOOL, help="delete children but not snapshot"),
            Opt("metadata", BOOL, help="delete only libvirt metadata, leaving snapshot contents behind"),
        ],
        lambda conn, v: conn.snapshot_delete(v["domain"], v.get("snapshotname"),
                                             **bool_options(v, "current", "children", "children-only", "metadata")),
        help="Delete a domain snapshot",
    ),
    Command(
        "snapshot-dumpxml",
        [
            DOMAIN,
            Opt("snapshotname", DATA, required=True, help="snapshot name"),
            Opt("security-info", BOOL, help="include security sensitive information in XML dump"),
            Opt("xpath", STRING, named_only=True, help="xpath expression to filter the XML document"),
            Opt("wrap", BOOL, help="wrap xpath results in an common root element"),
        ],
        xpath_quirk(lambda conn, v: conn.snapshot_dumpxml(v["domain"], v["snapshotname"], xpath=v.get("xpath"),
                                                          **bool_options(v, "security-info", "wrap"))),
        help="Dump XML for a domain snapshot",
    ),
    Command(
        "snapshot-info",
        [DOMAIN, _name(), _current("info on current snapshot")],
        lambda conn, v: conn.snapshot_info(v["domain"], v.get("snapshotname"), **bool_options(v, "current")),
        help="snapshot information",
    ),
    Command(
        "snapshot-list",
        [
            DOMAIN,
            Opt("parent", BOOL, help="add a column showing parent snapshot"),
            Opt("roots", BOOL, help="list only snapshots without parents"),
            Opt("leaves", BOOL, help="list only snapshots without children"),
            Opt("no-leaves", BOOL, help="list only snapshots that are not leaves (with children)"),
            Opt("metadata", BOOL, help="list only snapshots that have metadata that would prevent undefine"),
            Opt("no-metadata", BOOL, help="list only snapshots that have no metadata managed by libvirt"),
            Opt("inactive", BOOL, help="filter by snapshots taken while inactive"),
            Opt("active", BOOL, help="filter by snapshots taken while active (full system snapshots)"),
            Opt("disk-only", BOOL, help="filter by disk-only snapshots"),
            Opt("internal", BOOL, help="filter by internal snapshots"),
            Opt("external", BOOL, help="filter by external snapshots"),
            Opt("tree", BOOL, help="list snapshots in a tree"),
            Opt("from", STRING, help="limit list to children of given snapshot"),
            _current("limit list to children of current snapshot"),
            Opt("descendants", BOOL, help="with --from, list all descendants"),
            Opt("name", BOOL, help="list snapshot names only"),
            Opt("topological", BOOL, help="sort list topologically rather than by name"),
        ],
        lambda conn, v: conn.snapshot_list(
            v["domain"], from_=v.get("from"),
            **bool_options(v, "parent", "roots", "leaves", "no-leaves", "metadata", "no-metadata", "inactive",
                           "active", "disk-only", "internal", "external", "tree", "current", "descendants", "name",
                           "topological"),
        ),
        help="List snapshots for a domain",
    ),
    Command(
        "snapshot-revert",
        [
            DOMAIN,
            _name(),
            _current("revert to current snapshot"),
            Opt("running", BOOL, help="after reverting, change state to running"),
            Opt("paused", BOOL, help="after reverting, change state to paused"),
            Opt("force", BOOL, help="try harder on risky reverts"),
            Opt("reset-nvram", BOOL, help="re-initialize NVRAM from its pristine template"),
        ],
        lambda conn, v: conn.snapshot_revert(v["domain"], v.get("snapshotname"),
                                             **bool_options(v, "current", "running", "paused", "force", "reset-nvram")),
        help="Revert a domain to a snapshot",
    ),
]
