"""Pool operations on the embedded lab: pools ``default`` (dir, running, autostart, 4 volumes) and
``iso`` (dir, stopped). Text is compared with real virsh on the same node file."""

from __future__ import annotations

import subprocess

import pytest

import kvmlab
from kvmlab import InvalidInput, InvalidState, KvmlabError, NotFound, OperationFailed

from kvmlab.errors import EditAbandoned, EditRejected

from ..conftest import VIRSH, inventory

MARK = "@@@"
# what kvmlab.connect() does to a fresh embedded host that concerns pools (connection._shape_embedded)
SHAPE = "pool-destroy iso; pool-autostart default"

LAB_XML = """<pool type='dir'>
  <name>lab</name>
  <uuid>6c1d5e2a-0b7e-4a55-9f0e-2f4a8c1d7e31</uuid>
  <target>
    <path>/srv/lab</path>
  </target>
</pool>
"""


def virsh_lab(commands: str, setup: str = "") -> str:
    """stdout of real virsh for the LAST command of ``commands``, on a fresh embedded host shaped like
    kvmlab's (plus ``setup``), without the blank line virsh adds after each command."""
    batch = "; ".join(c for c in (SHAPE, setup, f"echo {MARK}", commands) if c)
    out = subprocess.run([VIRSH, "-c", kvmlab.embedded_uri(), batch], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60).stdout
    chunks = out.split(MARK + "\n", 1)[1]
    assert chunks.endswith("\n")
    return chunks[:-1]


def unchanged(conn, call, exc_type=KvmlabError):
    """Run ``call``; it must raise ``exc_type`` and leave the whole lab as it was. Returns the error."""
    before = inventory(conn)
    with pytest.raises(exc_type) as info:
        call()
    assert inventory(conn) == before
    assert info.value.hint, "every error teaches something"
    return info.value


# --- pool-list ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,line", [
    ({}, "pool-list"),
    ({"all": True}, "pool-list --all"),
    ({"inactive": True}, "pool-list --inactive"),
    ({"all": True, "details": True}, "pool-list --all --details"),
    ({"details": True}, "pool-list --details"),
    ({"all": True, "uuid": True}, "pool-list --all --uuid"),
    ({"all": True, "name": True}, "pool-list --all --name"),
    ({"all": True, "uuid": True, "name": True}, "pool-list --all --uuid --name"),
    ({"all": True, "autostart": True}, "pool-list --all --autostart"),
    ({"all": True, "no_autostart": True}, "pool-list --all --no-autostart"),
    ({"all": True, "type": "dir"}, "pool-list --all --type dir"),
    ({"all": True, "type": ["fs", "logical"]}, "pool-list --all --type fs,logical"),
])
def test_pool_list_text_matches_virsh(conn, kwargs, line):
    result = conn.pool_list(**kwargs)
    assert str(result) == virsh_lab(line)
    assert result.virsh == "virsh " + line
    assert result.api[0].startswith("conn.listAllStoragePools(")


def test_pool_list_typed_data(conn):
    pools = conn.pool_list(all=True, details=True)
    assert pools.names == ["default", "iso"]
    assert "iso" in pools and "nosuch" not in pools and len(pools) == 2
    default, iso = pools.pools
    assert (default.active, default.state, default.autostart, default.persistent) == (True, "running", True, True)
    assert default.capacity == 100 * 2**30
    assert default.allocation + default.available == default.capacity
    assert (iso.active, iso.state, iso.autostart, iso.capacity) == (False, "inactive", False, None)
    assert default.uuid == conn.virconn.storagePoolLookupByName("default").UUIDString()
    assert conn.pool_list().names == ["default"]
    assert conn.pool_list(inactive=True).names == ["iso"]


def test_pool_list_html(conn):
    html = conn.pool_list(all=True, details=True)._repr_html_()
    assert "<table" in html and "<td style='text-align:left'>iso</td>" in html
    assert "virsh pool-list --all --details" in html and "listAllStoragePools" in html
    assert "<pre>" in conn.pool_list(name=True)._repr_html_()


@pytest.mark.parametrize("kwargs,line", [
    ({"all": True, "inactive": True}, "Options --all and --inactive are mutually exclusive"),
    ({"details": True, "uuid": True}, "Options --details and --uuid are mutually exclusive"),
    ({"details": True, "name": True}, "Options --details and --name are mutually exclusive"),
    ({"type": "bogus"}, "Invalid pool type 'bogus'"),
    ({"type": "dir,,x"}, "Invalid pool type 'dir,x'"),
    ({"type": ""}, "Failed to get option 'type': Option argument is empty"),
])
def test_pool_list_bad_options(conn, kwargs, line):
    err = unchanged(conn, lambda: conn.pool_list(**kwargs), InvalidInput)
    assert err.virsh_error == [line]


# --- pool-info, pool-dumpxml ---------------------------------------------------------------------------

@pytest.mark.parametrize("pool,bytes_", [("default", False), ("default", True), ("iso", False),
                                         ("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566", False)])
def test_pool_info_matches_virsh(conn, pool, bytes_):
    info = conn.pool_info(pool, bytes=bytes_)
    assert str(info) == virsh_lab(f"pool-info {pool}" + (" --bytes" if bytes_ else ""))


def test_pool_info_typed(conn):
    info = conn.pool_info("default")
    assert (info.name, info.state, info.persistent, info.autostart) == ("default", "running", True, True)
    assert info.capacity == 100 * 2**30 and info["Capacity"] == "100.00 GiB"
    assert info.virsh == "virsh pool-info default"
    assert info.api == ["pool = conn.storagePoolLookupByName('default')",
                        "pool.name(); pool.UUIDString(); pool.info(); pool.isPersistent(); pool.autostart()"]
    assert conn.pool_info("iso").capacity is None
    assert "<table" in info._repr_html_() and "100.00 GiB" in info._repr_html_()


def test_pool_lookup_errors(conn):
    err = unchanged(conn, lambda: conn.pool_info("nosuch"), NotFound)
    assert err.virsh_error == ["failed to get pool 'nosuch'",
                               "Storage pool not found: no storage pool with matching name 'nosuch'"]
    assert "pool-list --all" in err.hint
    err = unchanged(conn, lambda: conn.pool_info(""), InvalidInput)
    assert err.virsh_error == ["Failed to get option 'pool': Option argument is empty"]


def test_pool_dumpxml(conn):
    result = conn.pool_dumpxml("default")
    assert result.xml == conn.virconn.storagePoolLookupByName("default").XMLDesc(0)
    assert str(result) == virsh_lab("pool-dumpxml default")
    assert result.api[-1] == "pool.XMLDesc(0)"
    assert str(conn.pool_dumpxml("default", xpath="/pool/target/path")) == virsh_lab(
        "pool-dumpxml default --xpath /pool/target/path")
    assert str(conn.pool_dumpxml("iso", xpath="//capacity", wrap=True)) == virsh_lab(
        "pool-dumpxml iso --xpath //capacity --wrap")
    unchanged(conn, lambda: conn.pool_dumpxml("default", xpath="string(/pool/name)"), OperationFailed)


# --- define, create, build, start, destroy, undefine, autostart ---------------------------------------

@pytest.fixture
def lab_xml(tmp_path):
    path = tmp_path / "lab.xml"
    path.write_text(LAB_XML)
    return path


def test_define_build_start_destroy_undefine(conn, lab_xml):
    msg = conn.pool_define(str(lab_xml))
    assert str(msg) == f"Pool lab defined from {lab_xml}\n" and msg.pool == "lab"
    assert msg.virsh == f"virsh pool-define {lab_xml}"
    assert msg.api == ["pool = conn.storagePoolDefineXML(xml, 0)"]
    assert conn.pool_list(inactive=True).names == ["iso", "lab"]
    assert str(conn.pool_build("lab")) == "Pool lab built\n"
    started = conn.pool_start("lab")
    assert str(started) == "Pool lab started\n"
    assert started.api == ["pool = conn.storagePoolLookupByName('lab')", "pool.create(0)"]
    assert conn.pool_info("lab").state == "running"
    assert str(conn.pool_destroy("lab")) == "Pool lab destroyed\n"
    assert conn.pool_info("lab").state == "inactive"
    assert str(conn.pool_undefine("lab")) == "Pool lab has been undefined\n"
    assert "lab" not in conn.pool_list(all=True)


def test_define_from_xml_string_and_pathlike(conn, lab_xml):
    msg = conn.pool_define(LAB_XML)  # no file: virsh's FILE is the one on the recorded line
    assert (str(msg), msg.virsh) == ("Pool lab defined from lab.xml\n", "virsh pool-define lab.xml")
    conn.pool_undefine("lab")
    assert str(conn.pool_define(lab_xml)) == f"Pool lab defined from {lab_xml}\n"


def test_define_wants_a_file_not_a_name(conn):
    """The course text writes `virsh pool-define $name`."""
    err = unchanged(conn, lambda: conn.pool_define("default"), InvalidInput)
    assert err.virsh_error == ["Failed to open file 'default': No such file or directory"]
    assert "XML FILE, not a pool name" in err.hint and "pool-start default" in err.hint


@pytest.mark.parametrize("text,first,second", [
    ('<pool type="dir"><name>bad', "Failed to define pool from {f}", "Premature end of data"),
    ('<pool type="dir"><name>x</name></pool>', "Failed to define pool from {f}",
     "XML error: missing storage pool target path"),
    ("<pool type='bogus'><name>y</name><target><path>/y</path></target></pool>",
     "Failed to define pool from {f}", "Invalid value for attribute 'type'"),
])
def test_define_bad_xml(conn, tmp_path, text, first, second):
    f = tmp_path / "p.xml"
    f.write_text(text)
    err = unchanged(conn, lambda: conn.pool_define(str(f)), InvalidInput)
    assert err.virsh_error[0] == first.format(f=f) and second in err.virsh_error[1]


def test_define_unreadable_file(conn, tmp_path):
    err = unchanged(conn, lambda: conn.pool_define(str(tmp_path)), InvalidInput)
    assert err.virsh_error == [f"Failed to read file '{tmp_path}': Is a directory"]
    err = unchanged(conn, lambda: conn.pool_define(""), InvalidInput)
    assert err.virsh_error == ["Failed to get option 'file': Option argument is empty"]


def test_create_is_transient(conn, lab_xml):
    assert str(conn.pool_create(str(lab_xml))) == f"Pool lab created from {lab_xml}\n"
    info = conn.pool_list(all=True, details=True, transient=True).pools
    assert [(p.name, p.persistent, p.state) for p in info] == [("lab", False, "running")]
    err = unchanged(conn, lambda: conn.pool_autostart("lab"))
    assert err.virsh_error == ["failed to mark pool lab as autostarted", "invalid argument: pool has no config file"]
    assert "transient" in err.hint
    conn.pool_destroy("lab")
    assert "lab" not in conn.pool_list(all=True)


def test_create_exclusive_options(conn, lab_xml):
    err = unchanged(conn, lambda: conn.pool_create(str(lab_xml), overwrite=True, no_overwrite=True), InvalidInput)
    assert err.virsh_error == ["Options --overwrite and --no-overwrite are mutually exclusive"]


def test_start_a_running_pool(conn):
    err = unchanged(conn, lambda: conn.pool_start("default"), InvalidState)
    assert err.virsh_error == ["Failed to start pool default",
                               "Requested operation is not valid: storage pool 'default' is active"]
    assert "already running" in err.hint


def test_destroy_a_stopped_pool(conn):
    err = unchanged(conn, lambda: conn.pool_destroy("iso"), InvalidState)
    assert err.virsh_error == ["Failed to destroy pool iso",
                               "Requested operation is not valid: storage pool 'iso' is not active"]
    assert "pool-undefine" in err.hint


def test_undefine_a_running_pool(conn):
    err = unchanged(conn, lambda: conn.pool_undefine("default"), InvalidState)
    assert err.virsh_error[0] == "Failed to undefine pool default"
    assert "pool-destroy default" in err.hint and "pool-destroy stops, pool-undefine deletes" in err.hint


def test_build_a_running_pool(conn):
    err = unchanged(conn, lambda: conn.pool_build("default"), InvalidState)
    assert err.virsh_error[0] == "Failed to build pool default"


def test_start_iso_then_list_its_volume(conn):
    assert str(conn.pool_start("iso")) == "Pool iso started\n"
    assert conn.vol_list("iso").names == ["debian-12-netinst.iso"]


def test_autostart(conn):
    msg = conn.pool_autostart("iso")
    assert str(msg) == "Pool iso marked as autostarted\n" and msg.api[-1] == "pool.setAutostart(1)"
    assert conn.pool_list(all=True, autostart=True).names == ["default", "iso"]
    assert str(conn.pool_autostart("iso", disable=True)) == "Pool iso unmarked as autostarted\n"
    assert conn.pool_list(all=True, autostart=True).names == ["default"]


# --- pool-edit ---------------------------------------------------------------------------------------------

def test_edit_with_xml(conn):
    old = conn.pool_dumpxml("iso").xml
    new = old.replace("/var/lib/libvirt/iso", "/srv/iso")
    msg = conn.pool_edit("iso", xml=new)
    assert str(msg) == "Pool iso XML configuration edited.\n" and msg.pool == "iso"
    assert msg.api[-1] == "pool = conn.storagePoolDefineXML(edited, 0)"
    assert "<path>/srv/iso</path>" in conn.pool_dumpxml("iso").xml


def test_edit_unchanged(conn):
    msg = conn.pool_edit("default", xml=conn.pool_dumpxml("default").xml)
    assert str(msg) == "Pool default XML configuration not changed.\n"


def test_edit_refused(conn):
    bad = conn.pool_dumpxml("iso").xml.replace("type='dir'", "type='bogus'")
    err = unchanged(conn, lambda: conn.pool_edit("iso", xml=bad), EditRejected)
    assert err.reason == "Failed." and err.edited == bad
    assert err.virsh_error == ["XML error: Invalid value for attribute 'type' in element 'pool': 'bogus'."]


def test_edit_session_retries_on_request(conn):
    """What the CLI's "Try again? [y,n,f,?]" does: 'f' defines again, 'n' gives up."""
    bad = conn.pool_dumpxml("iso").xml.replace("type='dir'", "type='bogus'")
    answers = iter(["f", "n"])
    seen = []

    def ask(err, relax):
        seen.append((err.reason, relax))
        return next(answers)

    unchanged(conn, lambda: conn.pool_edit_session("iso", xml=bad, ask=ask), EditAbandoned)
    assert seen == [("Failed.", False), ("Failed.", False)]


def test_edit_renamed_pool_is_refused(conn):
    """Changing <name> keeps the UUID: libvirt refuses, nothing changes."""
    renamed = conn.pool_dumpxml("iso").xml.replace("<name>iso</name>", "<name>other</name>")
    err = unchanged(conn, lambda: conn.pool_edit("iso", xml=renamed), EditRejected)
    assert err.virsh_error == ["operation failed: Storage source conflict with pool: 'iso'"]


def test_edit_with_an_editor(conn):
    msg = conn.pool_edit("iso", editor="sed -i s,/var/lib/libvirt/iso,/srv/iso,")
    assert msg.api[2] == "edited = kvmlab.ops.editor.run_editor(xml, editor='sed -i s,/var/lib/libvirt/iso,/srv/iso,')"
    assert str(msg) == "Pool iso XML configuration edited.\n"
    assert "<path>/srv/iso</path>" in conn.pool_dumpxml("iso").xml
    assert str(conn.pool_edit("iso", editor="true")) == "Pool iso XML configuration not changed.\n"
    err = unchanged(conn, lambda: conn.pool_edit("iso", editor="false"), OperationFailed)
    line = err.virsh_error[0]
    assert line.startswith("internal error: Child process (false /") and line.endswith("unexpected exit status 1")


def test_active_pool_hints_match_the_real_storage_drivers_words():
    """The qemu storage driver says 'already active' / 'still active' where the test driver says 'is active'."""
    import libvirt

    from kvmlab.errors import map_libvirt_error
    from kvmlab.ops.pool_lifecycle import _when_active

    hints = _when_active("stop it first")
    for msg in ("Requested operation is not valid: storage pool 'p' is already active",
                "Requested operation is not valid: storage pool 'p' is still active",
                "Requested operation is not valid: storage pool 'p' is active"):
        exc = libvirt.libvirtError(msg)
        exc.err = (libvirt.VIR_ERR_OPERATION_INVALID, 0, msg, 0, "", None, None, 0, 0)
        assert map_libvirt_error(exc, hints=hints).hint == "stop it first"
