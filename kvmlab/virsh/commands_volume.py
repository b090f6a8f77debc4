"""virsh's volume commands: option tables as in virsh 9.0 (tools/virsh-volume.c) bound to VolumeOps."""

from __future__ import annotations

from .parse import BOOL, DATA, STRING, Command, Opt, bool_options
from .streams import xpath_quirk

__all__ = ["COMMANDS"]

VOL = Opt("vol", DATA, required=True, help="vol name, key or path")
POOL_OPTIONAL = Opt("pool", STRING, help="pool name or uuid")


COMMANDS = [
    Command(
        "vol-list",
        [Opt("pool", DATA, required=True, help="pool name or uuid"),
         Opt("details", BOOL, help="display extended details for volumes")],
        lambda conn, v: conn.vol_list(v["pool"], **bool_options(v, "details")),
        help="list vols",
    ),
    Command(
        "vol-create-as",
        [
            Opt("pool", DATA, required=True, help="pool name"),
            Opt("name", DATA, required=True, help="name of the volume"),
            Opt("capacity", DATA, required=True, help="size of the vol, as scaled integer (default bytes)"),
            Opt("allocation", STRING, help="initial allocation size, as scaled integer (default bytes)"),
            Opt("format", STRING, help="file format type raw,bochs,qcow,qcow2,qed,vmdk"),
            Opt("backing-vol", STRING, help="the backing volume if taking a snapshot"),
            Opt("backing-vol-format", STRING, help="format of backing volume if taking a snapshot"),
            Opt("prealloc-metadata", BOOL, help="preallocate metadata (for qcow2 instead of full allocation)"),
            Opt("print-xml", BOOL, help="print XML document, but don't define/create"),
        ],
        lambda conn, v: conn.vol_create_as(
            v["pool"], v["name"], v["capacity"], allocation=v.get("allocation"), format=v.get("format"),
            backing_vol=v.get("backing-vol"), backing_vol_format=v.get("backing-vol-format"),
            **bool_options(v, "prealloc-metadata", "print-xml"),
        ),
        help="create a volume from a set of args",
    ),
    Command(
        "vol-info",
        [
            VOL,
            POOL_OPTIONAL,
            Opt("bytes", BOOL, help="sizes are represented in bytes rather than pretty units"),
            Opt("physical", BOOL, help="return the physical size of the volume in allocation field"),
        ],
        lambda conn, v: conn.vol_info(v["vol"], pool=v.get("pool"), **bool_options(v, "bytes", "physical")),
        help="storage vol information",
    ),
    Command(
        "vol-delete",
        [
            VOL,
            POOL_OPTIONAL,
            Opt("delete-snapshots", BOOL,
                help="delete snapshots associated with volume (must be supported by storage driver)"),
        ],
        lambda conn, v: conn.vol_delete(v["vol"], pool=v.get("pool"), **bool_options(v, "delete-snapshots")),
        help="delete a vol",
    ),
    Command(
        "vol-dumpxml",
        [
            VOL,
            POOL_OPTIONAL,
            Opt("xpath", STRING, named_only=True, help="xpath expression to filter the XML document"),
            Opt("wrap", BOOL, help="wrap xpath results in an common root element"),
        ],
        xpath_quirk(lambda conn, v: conn.vol_dumpxml(v["vol"], pool=v.get("pool"), xpath=v.get("xpath"),
                                                     **bool_options(v, "wrap"))),
        help="vol information in XML",
    ),
]
