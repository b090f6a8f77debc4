"""virsh's pool commands: option tables as in virsh 9.0 (tools/virsh-pool.c) bound to PoolOps."""

from __future__ import annotations

from ..errors import FAILED, EditRejected
from ..ops.calls import virsh_line
from .parse import BOOL, DATA, STRING, Command, Opt, bool_options
from .streams import say_errors, xpath_quirk

__all__ = ["COMMANDS"]

POOL = Opt("pool", DATA, required=True, help="pool name or uuid")
FILE = Opt("file", DATA, required=True, help="file containing an XML pool description")
BUILD = Opt("build", BOOL, help="build the pool as normal")
NO_OVERWRITE = Opt("no-overwrite", BOOL, help="do not overwrite any existing data")
OVERWRITE = Opt("overwrite", BOOL, help="overwrite any existing data")


def _pool_edit(conn, v: dict):
    """On a terminal virsh asks "Failed. Try again? [y,n,f,?]". Without one it reports its verdict
    and then, a virsh quirk, ``Pool (null) XML configuration edited.`` with exit status 0."""
    from ..ops.editor import ask_reedit  # the editor's modules load when an edit runs

    def ask(err: EditRejected, relax: bool):
        return ask_reedit(err.reason, relax, err.virsh_error if err.reason == FAILED else [])

    try:
        return conn.pool_edit_session(v["pool"], ask=ask)
    except EditRejected as err:
        from ..ops.pool_edit import EDIT_FAILED_STDOUT
        from ..ops.pool_results import PoolMessage

        reason = (err.virsh_error[0] if err.virsh_error else err.message).splitlines()[0]
        say_errors([err.reason], hint=f"{reason} — {err.hint}")
        return PoolMessage(message=EDIT_FAILED_STDOUT, virsh=virsh_line("pool-edit", v["pool"]))


COMMANDS = [
    Command(
        "pool-list",
        [
            Opt("inactive", BOOL, help="list inactive pools"),
            Opt("all", BOOL, help="list inactive & active pools"),
            Opt("transient", BOOL, help="list transient pools"),
            Opt("persistent", BOOL, help="list persistent pools"),
            Opt("autostart", BOOL, help="list pools with autostart enabled"),
            Opt("no-autostart", BOOL, help="list pools with autostart disabled"),
            Opt("type", STRING, help="only list pool of specified type(s) (if supported)"),
            Opt("details", BOOL, help="display extended details for pools"),
            Opt("uuid", BOOL, help="list UUID of active pools only"),
            Opt("name", BOOL, help="list name of active pools only"),
        ],
        lambda conn, v: conn.pool_list(type=v.get("type"), **bool_options(
            v, "all", "details", "inactive", "autostart", "no-autostart", "persistent", "transient", "uuid", "name")),
        help="list pools",
    ),
    Command(
        "pool-define",
        [FILE, Opt("validate", BOOL, help="validate the XML against the schema")],
        lambda conn, v: conn.pool_define(v["file"], **bool_options(v, "validate")),
        help="define an inactive persistent storage pool or modify an existing persistent one from an XML file",
    ),
    Command(
        "pool-create",
        [FILE, BUILD, NO_OVERWRITE, OVERWRITE],
        lambda conn, v: conn.pool_create(v["file"], **bool_options(v, "build", "overwrite", "no-overwrite")),
        help="create a pool from an XML file",
    ),
    Command(
        "pool-build",
        [POOL, NO_OVERWRITE, OVERWRITE],
        lambda conn, v: conn.pool_build(v["pool"], **bool_options(v, "overwrite", "no-overwrite")),
        help="build a pool",
    ),
    Command(
        "pool-start",
        [POOL, BUILD, NO_OVERWRITE, OVERWRITE],
        lambda conn, v: conn.pool_start(v["pool"], **bool_options(v, "build", "overwrite", "no-overwrite")),
        help="start a (previously defined) inactive pool",
    ),
    Command(
        "pool-info",
        [POOL, Opt("bytes", BOOL, help="Return pool info in bytes")],
        lambda conn, v: conn.pool_info(v["pool"], **bool_options(v, "bytes")),
        help="storage pool information",
    ),
    Command(
        "pool-dumpxml",
        [
            POOL,
            Opt("inactive", BOOL, help="show inactive defined XML"),
            Opt("xpath", STRING, named_only=True, help="xpath expression to filter the XML document"),
            Opt("wrap", BOOL, help="wrap xpath results in an common root element"),
        ],
        xpath_quirk(lambda conn, v: conn.pool_dumpxml(v["pool"], xpath=v.get("xpath"),
                                                      **bool_options(v, "inactive", "wrap"))),
        help="pool information in XML",
    ),
    Command("pool-edit", [POOL], _pool_edit, help="edit XML configuration for a storage pool"),
    Command("pool-destroy", [POOL], lambda conn, v: conn.pool_destroy(v["pool"]), help="destroy (stop) a pool"),
    Command("pool-undefine", [POOL], lambda conn, v: conn.pool_undefine(v["pool"]), help="undefine an inactive pool"),
    Command("pool-delete", [POOL], lambda conn, v: conn.pool_delete(v["pool"]), help="delete a pool"),
    Command(
        "pool-autostart",
        [POOL, Opt("disable", BOOL, help="disable autostarting")],
        lambda conn, v: conn.pool_autostart(v["pool"], **bool_options(v, "disable")),
        help="autostart a pool",
    ),
]
