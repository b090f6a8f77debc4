"""Lesson 10 checks: a pool path that does not exist yet, pool-define given a name, GB vs GiB,
pool-destroy vs pool-undefine — each read back from libvirt (and, on a real host, from the disk)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson10 as l10
from kvmlab.specs import PoolSpec

from tests.conftest import inventory

PATH = "/srv/kvmlab-lesson10/lab"


def _failed(call, *args, **kwargs) -> ExerciseFailed:
    with pytest.raises(ExerciseFailed) as info:
        call(*args, **kwargs)
    return info.value


@pytest.fixture
def ws(conn):
    w = l10.workspace(conn)
    yield w
    w.tidy(conn)


# --- the workspace -------------------------------------------------------------------------------------

def test_embedded_workspace_describes_pools_and_keeps_files_on_disk(conn, ws):
    assert not ws.on_disk and str(ws.pools) == l10.DESCRIBED_ONLY and ws.path("lab") == PATH
    assert ws.files.is_dir() and not list(ws.files.iterdir())


@pytest.mark.parametrize("backend, uri, seen", [
    ("qemu", "qemu:///system", True),
    ("qemu", "qemu:///session", True),
    ("qemu", "qemu+ssh://root@host/system", False),
    ("test", "test:///default", False),
])  # fmt: skip
def test_only_a_local_qemu_host_shares_this_disk(backend, uri, seen):
    assert l10.sees_disk(SimpleNamespace(backend=backend, uri=uri)) is seen


def test_embedded_connection_does_not_see_the_disk(conn):
    assert l10.sees_disk(conn) is False


@pytest.mark.parametrize("backend, uri, active, known", [
    ("test", "test:///default", True, None),           # the test driver never touches a disk
    ("qemu", "qemu+ssh://root@host/system", True, True),  # a running dir pool has its directory
    ("qemu", "qemu+ssh://root@host/system", False, None),
])  # fmt: skip
def test_what_is_known_about_the_directory_without_this_disk(backend, uri, active, known):
    assert l10._directory(SimpleNamespace(backend=backend, uri=uri), "/nowhere", active) is known


def test_tidy_removes_exercise_pools_under_the_workspace_only(conn):
    ws = l10.workspace(conn)
    conn.pool_define(PoolSpec(type="dir", name="lab", target=ws.path("lab")))
    conn.pool_start("lab")
    conn.vol_create_as("lab", "data.qcow2", "1G", format="qcow2")
    conn.pool_define(PoolSpec(type="dir", name="backup", target="/var/lib/libvirt/backup"))  # not ours
    (ws.files / "lab.xml").write_text("<pool/>")
    done = ws.tidy(conn)
    assert done == ["virsh vol-delete data.qcow2 --pool lab", "virsh pool-destroy lab", "virsh pool-undefine lab"]
    assert conn.pool_list(all=True).names == ["backup", "default", "iso"]
    assert not ws.files.exists()


# --- 10.1 a new dir pool: define, build, start -----------------------------------------------------------

def _define(conn, path=PATH, name="lab"):
    return conn.pool_define(PoolSpec(type="dir", name=name, target=path))


@pytest.mark.parametrize("steps, words", [
    ([], "no steps yet"),
    ("pool-define lab.xml", "no steps yet"),
    ([None], "is not a step"),
    ([""], "is not a step"),
    (["   "], "is not a step"),
])  # fmt: skip
def test_steps_must_be_results_or_lines(conn, steps, words):
    assert words in _failed(l10.check_pool_ready, conn, steps).message


def test_no_pool_yet(conn):
    err = _failed(l10.check_pool_ready, conn, ["virsh pool-build lab"])
    assert err.message == "there is no pool 'lab' yet" and "conn.pool_define(spec)" in err.hint


def test_defined_but_never_built_nor_started(conn):
    steps = [_define(conn)]
    err = _failed(l10.check_pool_ready, conn, steps, path=PATH)
    assert err.message == "'lab' is defined but not running"
    assert err.hint.startswith("a new dir pool needs its directory first: conn.pool_build('lab')")


def test_built_but_not_started(conn):
    steps = [_define(conn), conn.pool_build("lab")]
    err = _failed(l10.check_pool_ready, conn, steps, path=PATH)
    assert err.message == "'lab' is defined but not running" and err.hint == "conn.pool_start('lab') (virsh pool-start lab)"


def test_started_without_build_is_caught_on_the_embedded_lab_from_the_steps(conn):
    """The test driver starts a dir pool whose directory does not exist: the check says so."""
    assert not os.path.exists(PATH)
    steps = [_define(conn), conn.pool_start("lab")]
    assert conn.pool_info("lab").state == "running"  # what the test driver allows
    err = _failed(l10.check_pool_ready, conn, steps, path=PATH)
    assert err.message == f"'lab' runs, but your steps never built it: nothing created {PATH}"
    assert "test driver never touches the disk" in err.hint
    assert f"cannot open directory '{PATH}': No such file or directory" in err.hint
    assert "conn.pool_build('lab')" in err.hint


def test_a_line_with_an_unclosed_quote_is_still_read(conn):
    _define(conn)
    conn.pool_start("lab")
    assert l10.check_pool_ready(conn, ["pool-build lab 'oops", "pool-start lab"])


def test_build_after_start_does_not_count(conn):
    _define(conn)
    conn.pool_start("lab")
    steps = ["virsh pool-define lab.xml", "virsh pool-start lab", "virsh pool-build lab"]
    assert "never built it" in _failed(l10.check_pool_ready, conn, steps).message


def test_a_build_of_another_pool_does_not_count(conn):
    steps = [_define(conn), conn.pool_build("iso"), conn.pool_start("lab")]
    assert "never built it" in _failed(l10.check_pool_ready, conn, steps).message


def test_define_build_start_passes(conn):
    steps = [_define(conn), conn.pool_build("lab"), conn.pool_start("lab")]
    done = l10.check_pool_ready(conn, steps, path=PATH)
    assert done.title == f"'lab' is a running dir pool at {PATH}"
    assert done.details[0] == "virsh pool-define lab.xml → virsh pool-build lab → virsh pool-start lab"
    assert done.details[1].startswith("embedded lab: the test driver never touches the disk")


@pytest.mark.parametrize("steps", [
    ["pool-define lab.xml", "pool-build lab", "pool-start lab"],
    ["virsh pool-define lab.xml", "virsh pool-start lab --build"],  # conn.pool_start("lab", build=True)
])  # fmt: skip
def test_virsh_lines_count_too(conn, steps):
    _define(conn)
    conn.pool_start("lab")
    assert l10.check_pool_ready(conn, steps, path=PATH)


def test_pool_start_build_is_a_real_host_option(conn):
    """The test driver refuses pool-start --build (a flag it does not implement); the check would count it."""
    _define(conn)
    with pytest.raises(kvmlab.Unsupported, match="unsupported flags"):
        conn.pool_start("lab", build=True)


def test_wrong_path_or_type(conn):
    _define(conn, path="/srv/kvmlab-lesson10/lab2")
    err = _failed(l10.check_pool_ready, conn, ["pool-build lab"], path=PATH)
    assert err.message == f"'lab' keeps its volumes in /srv/kvmlab-lesson10/lab2, the task asks for {PATH}"
    assert "conn.pool_edit('lab'" in err.hint
    conn.pool_define(PoolSpec(type="fs", name="fsp", target="/mnt/fsp", source_devices=["/dev/sdb1"]))
    assert _failed(l10.check_pool_ready, conn, ["pool-build fsp"], name="fsp").message == "'fsp' is a fs pool"


# --- 10.2 pool-define takes a FILE ---------------------------------------------------------------------

@pytest.fixture
def backup_file(ws):
    f = ws.files / "backup.xml"
    f.write_text(PoolSpec(type="dir", name="backup", target=ws.path("backup")).to_xml())
    return f


def test_a_pool_name_is_caught_and_nothing_changes(conn, ws):
    before = inventory(conn)
    err = _failed(l10.check_define_from_file, conn, "backup", path=ws.path("backup"))
    assert err.message.startswith("pool-define takes an XML FILE, and 'backup' is a pool name (virsh says: error: "
                                  "Failed to open file 'backup': No such file or directory)")  # fmt: skip
    assert "virsh pool-define $name" in err.message
    assert "write_text(spec.to_xml())" in err.hint and "pool-start backup" in err.hint
    assert inventory(conn) == before


def test_the_name_message_quotes_what_real_virsh_says(tmp_path):
    """The check's 'virsh says' is virsh's own line for `pool-define backup` (no such file)."""
    import shutil
    import subprocess

    real = subprocess.run([shutil.which("virsh"), "-c", "test:///default", "pool-define backup"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert real.stderr.strip() == "error: Failed to open file 'backup': No such file or directory"


@pytest.mark.parametrize("source, words", [
    (None, "no answer yet"),
    ("TODO", "no answer yet"),
    ("<pool type='dir'><name>backup</name></pool>", "that is the XML itself"),
    (PoolSpec(type="dir", name="backup", target="/x"), "that is the XML itself"),
    (42, "is not a file path"),
    ("/nowhere/backup.xml", "there is no file backup.xml"),
    ("backup.xml", "there is no file backup.xml"),
])  # fmt: skip
def test_wrong_sources_change_nothing(conn, source, words):
    before = inventory(conn)
    assert words in _failed(l10.check_define_from_file, conn, source).message
    assert inventory(conn) == before


@pytest.mark.parametrize("content, words", [
    ("<pool type='dir'><name>backup", "not well-formed"),
    ("<network><name>backup</name></network>", "expected a <pool> document, got <network>"),
    ("<pool type='dir'><name>lab</name><target><path>/srv/kvmlab-lesson10/backup</path></target></pool>",
     "defines the pool 'lab'"),
    ("<pool type='dir'><name>backup</name><target><path>/srv/backup</path></target></pool>",
     "puts the pool in /srv/backup"),
])  # fmt: skip
def test_wrong_files_change_nothing(conn, ws, content, words):
    f = ws.files / "backup.xml"
    f.write_text(content)
    before = inventory(conn)
    assert words in _failed(l10.check_define_from_file, conn, str(f), path=ws.path("backup")).message
    assert inventory(conn) == before


def test_libvirts_refusal_is_shown_with_virsh_lines(conn, ws):
    f = ws.files / "backup.xml"
    f.write_text("<pool type='dir'><name>backup</name></pool>")  # no <target>
    err = _failed(l10.check_define_from_file, conn, str(f))
    assert err.message == (f"virsh says: error: Failed to define pool from {f} / "
                           "error: XML error: missing storage pool target path")  # fmt: skip
    assert "needs <target><path>" in err.hint


def test_define_from_the_file_passes_and_again(conn, ws, backup_file):
    done = l10.check_define_from_file(conn, str(backup_file), path=ws.path("backup"))
    assert done.title == "'backup' is defined from the file backup.xml"
    assert done.details[0] == ("Pool backup defined from backup.xml  (virsh pool-define backup.xml; "
                               "pool = conn.storagePoolDefineXML(xml, 0))")  # fmt: skip
    info = conn.pool_info("backup")
    assert (info.state, info.persistent) == ("inactive", True)
    assert done.details[1] == "pool-list --all: inactive, persistent; pool-build and pool-start come next"
    again = l10.check_define_from_file(conn, Path(backup_file), path=ws.path("backup"))
    assert again.details[0] == "'backup' was defined already (this cell ran before)"


def test_another_pool_of_that_name_is_named(conn, ws, backup_file):
    _define(conn, path="/elsewhere", name="backup")
    before = inventory(conn)
    err = _failed(l10.check_define_from_file, conn, str(backup_file), path=ws.path("backup"))
    assert err.message == "another pool 'backup' exists already, at /elsewhere"
    assert inventory(conn) == before


# --- 10.3 GiB, not GB ----------------------------------------------------------------------------------

def _vol(conn, capacity, fmt="qcow2"):
    conn.vol_create_as("default", "data.qcow2", capacity, format=fmt)


def test_gb_where_gib_was_meant(conn):
    _vol(conn, "2GB")
    err = _failed(l10.check_volume_capacity, conn, pool="default")
    assert err.message == "'data.qcow2' holds 2000000000 bytes = 1.86 GiB: that is 2GB (10^9 bytes each), not 2 GiB"
    assert "G and GiB as 1024³ bytes and GB as 10⁹: 2GiB = 2147483648 bytes" in err.hint
    assert "conn.vol_delete('data.qcow2', pool='default')" in err.hint


@pytest.mark.parametrize("capacity, words", [
    ("2M", "2.00 MiB: 2 MiB, not 2 GiB"),
    ("2K", "2 KiB, not 2 GiB"),
    ("2", "2 bytes, not 2 GiB"),
    ("3G", "holds 3221225472 bytes = 3.00 GiB, not 2 GiB = 2147483648 bytes"),
])  # fmt: skip
def test_other_sizes(conn, capacity, words):
    _vol(conn, capacity)
    err = _failed(l10.check_volume_capacity, conn, pool="default")
    assert words in err.message
    assert ("a bare number is bytes" in err.hint) is (capacity == "2")


@pytest.mark.parametrize("capacity", ["2G", "2GiB", "2g", str(2 * 1024**3), 2 * 1024**3])
def test_two_gib_passes(conn, capacity):
    _vol(conn, capacity)
    done = l10.check_volume_capacity(conn, pool="default")
    assert done.details == ["vol-info: Capacity 2.00 GiB = 2147483648 bytes",
                            "2G = 2GiB = 2147483648 bytes; 2GB would be 2000000000 bytes = 1.86 GiB"]  # fmt: skip


def test_wrong_format(conn):
    _vol(conn, "2G", fmt="raw")
    err = _failed(l10.check_volume_capacity, conn, pool="default")
    assert err.message == "'data.qcow2' is a raw volume" and "format='qcow2'" in err.hint
    assert l10.check_volume_capacity(conn, pool="default", format=None)


def test_no_pool_no_volume_or_stopped_pool(conn):
    assert _failed(l10.check_volume_capacity, conn).message == "there is no pool 'lab'"
    err = _failed(l10.check_volume_capacity, conn, pool="default")
    assert err.message == "there is no volume 'data.qcow2' in pool 'default'"
    assert err.hint == "create it: conn.vol_create_as('default', 'data.qcow2', SIZE, format='qcow2')"
    err = _failed(l10.check_volume_capacity, conn, pool="iso")
    assert err.message == "pool 'iso' is not running" and "pool-start iso" in err.hint


# --- 10.4 pool-destroy stops, pool-undefine deletes ------------------------------------------------------

def test_stopped_kept(conn):
    _define(conn)
    conn.pool_start("lab")
    err = _failed(l10.check_stopped_kept, conn)
    assert err.message == "'lab' is still running" and "conn.pool_destroy('lab')" in err.hint
    conn.pool_destroy("lab")
    assert l10.check_stopped_kept(conn).title == "'lab' is stopped and still defined"
    conn.pool_undefine("lab")
    err = _failed(l10.check_stopped_kept, conn)
    assert err.message == "there is no pool 'lab': it was never defined, or pool-undefine deleted its definition"
    assert "pool-destroy alone stops a pool" in err.hint and "conn.pool_define(spec)" in err.hint


def test_undefine_of_a_running_pool_is_refused_and_the_check_still_says_running(conn):
    _define(conn)
    conn.pool_start("lab")
    with pytest.raises(kvmlab.InvalidState) as info:
        conn.pool_undefine("lab")
    assert "run `virsh pool-destroy lab` first" in info.value.hint
    assert _failed(l10.check_stopped_kept, conn).message == "'lab' is still running"


def test_removed(conn):
    _define(conn, name="scratch")
    conn.pool_start("scratch")
    err = _failed(l10.check_removed, conn)
    assert err.message == "'scratch' is still running and still defined"
    assert "conn.pool_destroy('scratch') stops it, conn.pool_undefine('scratch')" in err.hint
    conn.pool_destroy("scratch")
    err = _failed(l10.check_removed, conn)
    assert err.message == "'scratch' is stopped but still defined: pool-list --all shows it inactive"
    assert "pool-destroy only stops a pool; pool-undefine deletes its definition" in err.hint
    conn.pool_undefine("scratch")
    assert l10.check_removed(conn).title == "'scratch' is gone"


def test_removed_transient(conn):
    conn.pool_create(PoolSpec(type="dir", name="scratch", target="/srv/scratch"))
    assert "transient and still running" in _failed(l10.check_removed, conn).message
    conn.pool_destroy("scratch")
    assert l10.check_removed(conn)


# --- the real lab: the disk itself -------------------------------------------------------------------------

@pytest.mark.reallab
def test_real_host_checks_the_directory_on_disk(lab_conn):
    c, name = lab_conn, "kvmlab-l10test"  # the lab's prefix: `kvmlab lab reset` removes it if we fail
    ws = l10.workspace(c)
    assert ws.on_disk and ws.pools.is_dir()
    path = ws.path(name)
    try:
        steps = [_define(c, path=path, name=name)]
        err = _failed(l10.check_pool_ready, c, steps, name=name, path=path)
        assert err.message == (f"'{name}' is defined but stopped, and its directory {path} does not exist "
                               "(checked on this machine's disk)")  # fmt: skip
        with pytest.raises(kvmlab.KvmlabError) as info:  # what the hint promises pool-start does
            c.pool_start(name)
        assert f"cannot open directory '{path}'" in " ".join(info.value.virsh_error)
        steps.append(c.pool_build(name))
        assert os.path.isdir(path)
        assert "not running" in _failed(l10.check_pool_ready, c, steps, name=name, path=path).message
        steps.append(c.pool_start(name))
        done = l10.check_pool_ready(c, steps, name=name, path=path)
        assert done.details[1] == "the directory exists on this machine's disk (os.path.isdir)"
        c.vol_create_as(name, "data.qcow2", "2GB", format="qcow2")
        assert "2GB" in _failed(l10.check_volume_capacity, c, pool=name).message
        assert (Path(path) / "data.qcow2").is_file()
        c.pool_destroy(name)
        assert l10.check_stopped_kept(c, name)
    finally:
        done = ws.tidy(c, names=[name])
    assert done == [f"virsh pool-start {name}", f"virsh vol-delete data.qcow2 --pool {name}",
                    f"virsh pool-destroy {name}", f"virsh pool-delete {name}", f"virsh pool-undefine {name}"]
    assert name not in c.pool_list(all=True).names and not ws.pools.exists() and not ws.files.exists()
