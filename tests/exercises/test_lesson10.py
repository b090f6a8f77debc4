"""Lesson 10 checks: a pool path that does not exist yet, pool-define given a name, GB vs GiB,
pool-destroy vs pool-undefine — each read back from libvirt (and, on a real host, from the disk). The
pool-define and vol-create-as answers are virsh lines, run on the learner's connection; each failure
climbs the hint ladder."""

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
from tests.exercises.conftest import climb

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
    first, second, answer = climb(l10.check_pool_ready, conn, ["virsh pool-build lab"])
    assert first.message == "there is no pool 'lab' yet" and "registered" in first.hint
    assert "virsh pool-define FILE" in second.hint
    assert 'PoolSpec(type="dir", name="lab", target=ws.path("lab"))' in answer


def test_defined_but_never_built_nor_started(conn):
    steps = [_define(conn)]
    first, second, answer = climb(l10.check_pool_ready, conn, steps, path=PATH)
    assert first.message.startswith("'lab' is defined but not running (to run your whole cell again")
    assert 'conn.pool_undefine("lab")' in first.message  # a name in use is not the mistake: the way out at rung 1
    assert first.hint.startswith("a new dir pool needs its directory first") and "pool-build" not in first.hint
    assert second.hint.startswith("virsh pool-build creates the directory")
    lines = answer.splitlines()
    assert lines.index('    conn.pool_build("lab"),  # virsh pool-build lab: creates the directory') == \
        lines.index('    conn.pool_start("lab"),  # virsh pool-start lab') - 1


def test_built_but_not_started(conn):
    steps = [_define(conn), conn.pool_build("lab")]
    first, second, _ = climb(l10.check_pool_ready, conn, steps, path=PATH)
    assert first.message.startswith("'lab' is defined but not running (to run your whole cell again")
    assert "until something starts it" in first.hint
    assert second.hint == "virsh pool-start (conn.pool_start)"


def test_started_without_build_is_caught_on_the_embedded_lab_from_the_steps(conn):
    """The test driver starts a dir pool whose directory does not exist: the check says so."""
    assert not os.path.exists(PATH)
    steps = [_define(conn), conn.pool_start("lab")]
    assert conn.pool_info("lab").state == "running"  # what the test driver allows
    first, second, _ = climb(l10.check_pool_ready, conn, steps, path=PATH)
    assert first.message.startswith(f"'lab' runs, but your steps never built it: nothing created {PATH} (to run your whole cell again")
    assert "test driver never touches the disk" in first.hint
    assert f"cannot open directory '{PATH}': No such file or directory" in first.hint
    assert "pool-build refuses a running pool" in second.hint


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
    assert "<target><path>" in err.hint
    conn.pool_define(PoolSpec(type="fs", name="fsp", target="/mnt/fsp", source_devices=["/dev/sdb1"]))
    assert _failed(l10.check_pool_ready, conn, ["pool-build fsp"], name="fsp").message == "'fsp' is a fs pool"


# --- 10.2 pool-define takes a FILE: the virsh line --------------------------------------------------------

@pytest.fixture
def backup_file(ws):
    f = ws.files / "backup.xml"
    f.write_text(PoolSpec(type="dir", name="backup", target=ws.path("backup")).to_xml())
    return f


def test_a_pool_name_is_caught_and_nothing_changes(conn, ws):
    before = inventory(conn)
    first, second, answer = climb(l10.check_define_from_file, conn, "virsh pool-define backup",
                                  path=ws.path("backup"))
    assert first.message.startswith("pool-define takes an XML FILE, and 'backup' is a pool name (virsh says: error: "
                                     "Failed to open file 'backup': No such file or directory)")  # fmt: skip
    assert "virsh pool-define $name" in first.message
    assert "pool-start backup takes its name" in first.hint and "write_text" not in first.hint
    assert "Path.write_text" in second.hint and "virsh pool-define FILE" in second.hint
    assert answer == ('backup_file.write_text(backup_spec.to_xml())\n'
                      'line = f"virsh pool-define {backup_file}"   '
                      "# a FILE; the notes' `pool-define NAME` is refused")
    assert inventory(conn) == before


def test_the_name_message_quotes_what_real_virsh_says(tmp_path):
    """The check's 'virsh says' is virsh's own line for `pool-define backup` (no such file)."""
    import shutil
    import subprocess

    real = subprocess.run([shutil.which("virsh"), "-c", "test:///default", "pool-define backup"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert real.stderr.strip() == "error: Failed to open file 'backup': No such file or directory"


@pytest.mark.parametrize("line, words", [
    (None, "no command yet"),
    ("TODO", "no command yet"),
    ("<pool type='dir'><name>backup</name></pool>", "that is the XML itself"),
    (PoolSpec(type="dir", name="backup", target="/x"), "that is the XML itself"),
    (Path("/tmp/backup.xml"), "that is the file backup.xml alone, not a virsh line"),
    (42, "no command yet"),
    ("pool-define /nowhere/backup.xml", "there is no file backup.xml"),
    ("virsh pool-define backup.xml", "there is no file backup.xml"),
    ("pool-define", "command 'pool-define' requires <file> option"),
    ("pool-defin backup.xml", "unknown command: 'pool-defin'"),
    ("pool-create backup.xml", "pool-create starts a transient pool"),
    ("pool-start backup", "defined already; this one is not"),
    ("define backup.xml", "define registers a VM"),
    ("pool-define a.xml; pool-start backup", "one line holds one command"),
])  # fmt: skip
def test_wrong_lines_change_nothing(conn, line, words):
    before = inventory(conn)
    err = _failed(l10.check_define_from_file, conn, line)
    assert words in err.message + " " + err.hint
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
    assert words in _failed(l10.check_define_from_file, conn, f"pool-define {f}", path=ws.path("backup")).message
    assert inventory(conn) == before


def test_libvirts_refusal_is_shown_with_virsh_lines(conn, ws):
    f = ws.files / "backup.xml"
    f.write_text("<pool type='dir'><name>backup</name></pool>")  # no <target>
    err = _failed(l10.check_define_from_file, conn, f"virsh pool-define {f}")
    assert err.message == (f"virsh says: error: Failed to define pool from {f} / "
                           "error: XML error: missing storage pool target path")  # fmt: skip
    assert "needs <target><path>" in err.hint


def test_define_from_the_file_runs_the_line_and_passes_again(conn, ws, backup_file):
    done = l10.check_define_from_file(conn, f"virsh pool-define {backup_file}", path=ws.path("backup"))
    assert done.title == "'backup' is defined from the file backup.xml"
    assert done.details[0] == ("Pool backup defined from backup.xml  (virsh pool-define backup.xml; "
                               "pool = conn.storagePoolDefineXML(xml, 0))")  # fmt: skip
    info = conn.pool_info("backup")
    assert (info.state, info.persistent) == ("inactive", True)
    assert done.details[1] == "pool-list --all: inactive, persistent; pool-build and pool-start come next"
    again = l10.check_define_from_file(conn, f"pool-define --file {backup_file} --validate", path=ws.path("backup"))
    assert again.details[0] == "'backup' was defined already (this cell ran before): the line was not run again"


def test_a_relative_file_is_read_where_virsh_runs(conn, ws, backup_file, monkeypatch):
    monkeypatch.chdir(ws.files)  # virsh opens a relative path in its own working directory
    assert l10.check_define_from_file(conn, "virsh pool-define backup.xml", path=ws.path("backup"))
    assert conn.pool_info("backup").persistent


def test_another_pool_of_that_name_is_named(conn, ws, backup_file):
    _define(conn, path="/elsewhere", name="backup")
    before = inventory(conn)
    err = _failed(l10.check_define_from_file, conn, f"pool-define {backup_file}", path=ws.path("backup"))
    assert err.message == ("another pool 'backup' exists already, at /elsewhere: to use the name, first "
                           'conn.pool_destroy("backup") if it runs, then conn.pool_undefine("backup")')
    assert inventory(conn) == before


# --- 10.3 GiB, not GB: the vol-create-as line -------------------------------------------------------------

def _line(capacity, fmt="qcow2", pool="default"):
    return f"virsh vol-create-as {pool} data.qcow2 {capacity}" + (f" --format {fmt}" if fmt else "")


def test_gb_where_gib_was_meant_runs_and_is_read_back(conn):
    first, second, answer = climb(l10.check_volume_capacity, conn, _line("2GB"), pool="default")
    assert first.message == ("'data.qcow2' holds 2000000000 bytes = 1.86 GiB: that is 2GB (10^9 bytes each), "
                             "not 2 GiB")  # the line ran: libvirt's own capacity
    assert conn.vol_info("data.qcow2", pool="default").capacity == 2 * 10**9
    assert "decimal units" in first.hint and "binary ones" in first.hint and "2G" not in first.hint
    assert second.message == first.message + " (this line ran before: the volume is from that run)"
    assert "with a binary unit" in second.hint and "2G" not in second.hint
    assert answer == ('line = "virsh vol-create-as default data.qcow2 2GiB --format qcow2"   '
                      "# 2G is the same; 2GB is 2 x 10^9 bytes")
    conn.vol_delete("data.qcow2", pool="default")
    assert l10.check_volume_capacity(conn, _line("2GiB"), pool="default")


def test_a_new_line_replaces_the_earlier_try_and_says_so(conn):
    _failed(l10.check_volume_capacity, conn, _line("2GB"), pool="default")
    done = l10.check_volume_capacity(conn, _line("2GiB"), pool="default")  # no vol-delete needed by hand
    assert done.details[0] == ("an earlier try's data.qcow2 (1.86 GiB, qcow2) was deleted first (virsh vol-delete "
                               "data.qcow2 --pool default): vol-create-as does not replace a volume")
    assert conn.vol_info("data.qcow2", pool="default").capacity == 2 * 1024**3
    err = _failed(l10.check_volume_capacity, conn, _line("2GiB", fmt="raw"), pool="default")
    assert err.message == ("'data.qcow2' is a raw volume (an earlier try's data.qcow2 (2.00 GiB, qcow2) was deleted "
                           "first (virsh vol-delete data.qcow2 --pool default): vol-create-as does not replace a "
                           "volume)")  # fmt: skip


def test_libvirt_refuses_a_volume_name_in_use(conn):
    """What the check says instead of running the line. The words differ by driver: the test driver says
    'storage vol already exists', the real storage driver 'storage volume ... exists already'."""
    conn.vol_create_as("default", "data.qcow2", "2GB", format="qcow2")
    with pytest.raises(kvmlab.KvmlabError) as info:
        conn.vol_create_as("default", "data.qcow2", "2GiB", format="qcow2")
    assert info.value.virsh_error == ["Failed to create vol data.qcow2", "operation failed: storage vol already exists"]


@pytest.mark.parametrize("capacity, words", [
    ("2M", "2.00 MiB: 2 MiB, not 2 GiB"),
    ("2K", "2 KiB, not 2 GiB"),
    ("2", "2 bytes, not 2 GiB"),
    ("3G", "holds 3221225472 bytes = 3.00 GiB, not 2 GiB = 2147483648 bytes"),
])  # fmt: skip
def test_other_sizes(conn, capacity, words):
    err = _failed(l10.check_volume_capacity, conn, _line(capacity), pool="default")
    assert words in err.message
    assert ("a bare number is bytes" in err.hint) is (capacity == "2")


@pytest.mark.parametrize("capacity", ["2G", "2GiB", "2g", str(2 * 1024**3), "--capacity 2G"])
def test_two_gib_passes(conn, capacity):
    done = l10.check_volume_capacity(conn, _line(capacity), pool="default")
    assert done.details[0].startswith("Vol data.qcow2 created  (virsh vol-create-as default data.qcow2 ")
    assert "pool.createXML(xml, 0)" in done.details[0]
    assert done.details[1:] == ["vol-info: Capacity 2.00 GiB = 2147483648 bytes, format qcow2",
                                "2G = 2GiB = 2147483648 bytes; 2GB would be 2000000000 bytes = 1.86 GiB"]  # fmt: skip
    again = l10.check_volume_capacity(conn, _line(capacity), pool="default")  # the cell run twice
    assert again.details[0] == "'data.qcow2' was created already by this line (the cell ran before): not run again"


def test_wrong_format(conn):
    err = _failed(l10.check_volume_capacity, conn, _line("2G", fmt=None), pool="default")
    assert err.message == "'data.qcow2' is a raw volume" and "set when it is created" in err.hint
    assert l10.check_volume_capacity(conn, _line("2G", fmt=None), pool="default", format=None)


@pytest.mark.parametrize("line, words", [
    ("vol-info data.qcow2 --pool default", "vol-info does not create a volume"),
    ("vol-create-as default data.raw 2G", "the line creates 'data.raw'"),
    ("vol-create-as iso data.qcow2 2G", "the line puts it in pool 'iso'"),
    ("vol-create-as default data.qcow2 2 GiB", "Malformed size"),
    ("vol-create-as default data.qcow2 2XB --format qcow2", "Malformed size 2XB"),
    ("vol-create default data.qcow2", "kvmlab's virsh twin does not run 'vol-create' (real virsh has it"),
    ("TODO", "no command yet"),
])  # fmt: skip
def test_wrong_volume_lines_change_nothing(conn, line, words):
    before = inventory(conn)
    err = _failed(l10.check_volume_capacity, conn, line, pool="default")
    assert words in err.message + " " + err.hint
    assert inventory(conn) == before


def test_no_pool_or_stopped_pool(conn):
    before = inventory(conn)
    assert _failed(l10.check_volume_capacity, conn, _line("2G", pool="lab")).message == "there is no pool 'lab'"
    first, second, _ = climb(l10.check_volume_capacity, conn, _line("2G", pool="iso"), pool="iso")
    assert first.message == "pool 'iso' is not running" and "running pools only" in first.hint
    assert "pool-start iso" in second.hint
    assert inventory(conn) == before


# --- 10.4 pool-destroy stops, pool-undefine deletes ------------------------------------------------------

def test_stopped_kept(conn):
    _define(conn)
    conn.pool_start("lab")
    first, second, answer = climb(l10.check_stopped_kept, conn)
    assert first.message == "'lab' is still running" and "deletes nothing" in first.hint
    assert "pool-destroy" not in first.hint and "'Undo: pool-destroy stops" in second.hint
    assert "conn.pool_destroy('lab')" in answer
    conn.pool_destroy("lab")
    assert l10.check_stopped_kept(conn).title == "'lab' is stopped and still defined"
    conn.pool_undefine("lab")
    err = _failed(l10.check_stopped_kept, conn)
    assert err.message == "there is no pool 'lab': it was never defined, or pool-undefine deleted its definition"
    assert "pool-destroy alone stops a pool" in err.concept and "conn.pool_define(spec)" in err.pointer


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
    first, second, answer = climb(l10.check_removed, conn)
    assert first.message == "'scratch' is still running and still defined" and "in order" in first.hint
    assert "pool-destroy stops, pool-undefine deletes" in second.hint
    assert answer.index('conn.pool_destroy("scratch")') < answer.index('conn.pool_undefine("scratch")')
    conn.pool_destroy("scratch")
    err = _failed(l10.check_removed, conn)
    assert err.message == "'scratch' is stopped but still defined: pool-list --all shows it inactive"
    assert "the opposite of pool-define" in err.concept and "pool-undefine" not in err.concept
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
        assert err.message.startswith(f"'{name}' is defined but stopped, and its directory {path} does not exist "
                                      "(checked on this machine's disk) (to run your whole cell again")
        assert f"cannot open directory '{path}'" in err.hint
        with pytest.raises(kvmlab.KvmlabError) as info:  # what the hint says pool-start does
            c.pool_start(name)
        assert f"cannot open directory '{path}'" in " ".join(info.value.virsh_error)
        steps.append(c.pool_build(name))
        assert os.path.isdir(path)
        assert "not running" in _failed(l10.check_pool_ready, c, steps, name=name, path=path).message
        steps.append(c.pool_start(name))
        done = l10.check_pool_ready(c, steps, name=name, path=path)
        assert done.details[1] == "the directory exists on this machine's disk (os.path.isdir)"
        err = _failed(l10.check_volume_capacity, c, f"vol-create-as {name} data.qcow2 2GB --format qcow2", pool=name)
        assert "that is 2GB" in err.message
        assert (Path(path) / "data.qcow2").is_file()
        again = l10.check_volume_capacity(c, f"vol-create-as {name} data.qcow2 2G --format qcow2", pool=name)
        assert again.details[0].startswith("an earlier try's data.qcow2 (1.86 GiB, qcow2) was deleted first")
        c.pool_destroy(name)
        assert l10.check_stopped_kept(c, name)
    finally:
        done = ws.tidy(c, names=[name])
    assert done == [f"virsh pool-start {name}", f"virsh vol-delete data.qcow2 --pool {name}",
                    f"virsh pool-destroy {name}", f"virsh pool-delete {name}", f"virsh pool-undefine {name}"]
    assert name not in c.pool_list(all=True).names and not ws.pools.exists() and not ws.files.exists()
