"""virsh's volume commands: option tables as in virsh 9.0 (tools/virsh-volume.c) bound to VolumeOps."""

from __future__ import annotations

from .parse import BOOL, DATA, INT, STRING, Command, Opt, bool_options
from .streams import xpath_quirk

__all__ = ["COMMANDS"]

VOL = Opt("vol", DATA, required=True, help="vol name, key or path")
POOL_OPTIONAL = Opt("pool", STRING, help="pool name or uuid")
FILE = Opt("file", DATA, required=True, help="file")
SPARSE = Opt("sparse", BOOL, help="preserve sparseness of volume")


def _transfer(verb: str):
    """vol-upload / vol-download: ``--offset`` and ``--length`` are read (as numbers) by the op."""
    return lambda conn, v: getattr(conn, f"vol_{verb}")(
        v["vol"], v["file"], pool=v.get("pool"), offset=v.get("offset", 0), length=v.get("length", 0),
        **bool_options(v, "sparse"))


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
    Command(
        "vol-clone",
        [
            VOL,
            Opt("newname", DATA, required=True, help="clone name"),
            POOL_OPTIONAL,
            Opt("prealloc-metadata", BOOL, help="preallocate metadata (for qcow2 instead of full allocation)"),
            Opt("reflink", BOOL, help="use btrfs COW lightweight copy"),
            Opt("print-xml", BOOL, help="print XML document rather than clone the volume"),
        ],
        lambda conn, v: conn.vol_clone(v["vol"], v["newname"], pool=v.get("pool"),
                                       **bool_options(v, "prealloc-metadata", "reflink", "print-xml")),
        help="clone a volume.",
    ),
    Command(
        "vol-resize",
        [
            VOL,
            Opt("capacity", DATA, required=True, help="new capacity for the vol, as scaled integer (default bytes)"),
            POOL_OPTIONAL,
            Opt("allocate", BOOL, help="allocate the new capacity, rather than leaving it sparse"),
            Opt("delta", BOOL, help="use capacity as a delta to current size, rather than the new size"),
            Opt("shrink", BOOL, help="allow the resize to shrink the volume"),
        ],
        lambda conn, v: conn.vol_resize(v["vol"], v["capacity"], pool=v.get("pool"),
                                        **bool_options(v, "allocate", "delta", "shrink")),
        help="resize a vol",
    ),
    Command(
        "vol-upload",
        [VOL, FILE, POOL_OPTIONAL, Opt("offset", INT, help="volume offset to upload to"),
         Opt("length", INT, help="amount of data to upload"), SPARSE],
        _transfer("upload"),
        help="upload file contents to a volume",
    ),
    Command(
        "vol-download",
        [VOL, FILE, POOL_OPTIONAL, Opt("offset", INT, help="volume offset to download from"),
         Opt("length", INT, help="amount of data to download"), SPARSE],
        _transfer("download"),
        help="download volume contents to a file",
    ),
]
