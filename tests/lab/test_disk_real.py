"""Lesson 13 on the real lab: the commands the test driver lacks (vol-upload, vol-download, vol-resize),
and vol-clone and pool-delete with real files, against real virsh on qemu:///system; the tiny guest
writes its disk, reboots and reads it back; exercise 13.2 on a real pool.

Each virsh batch runs twice, once through real virsh and once through `kvmlab virsh`, each on a fresh
scratch pool ``kvmlab-disk-scratch`` (a transient dir pool in a temporary directory): stdout, stderr
(kvmlab's hint lines aside), the exit code and the downloaded files must be the same. Nothing here
touches another object of the lab; the lesson's guest and volumes are named ``kvmlab-disk-…``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.exercises import ExerciseFailed, PROGRESS
from kvmlab.exercises import lesson13

from tests.conftest import HINT, KVMLAB, VIRSH

pytestmark = pytest.mark.reallab

POOL = "kvmlab-disk-scratch"


@pytest.fixture(scope="module")
def uri(request):
    """qemu:///system of the lab that runs (never started or stopped here), else the session's real_lab."""
    if lab.mode()[0] in ("netns", "system"):
        return lab.lab_uri()
    return request.getfixturevalue("real_lab")


@pytest.fixture(scope="module")
def conn(uri):
    c = kvmlab.connect(uri)
    yield c
    c.close()


def _pool_xml(where: Path) -> str:
    return f"<pool type='dir'><name>{POOL}</name><target><path>{where}</path></target></pool>"


def _run_on_fresh_pool(argv0: list[str], batch: str, uri: str, work: Path) -> tuple[str, str, int, dict]:
    """``batch`` (POOL and DIR filled in) on a fresh scratch pool; (stdout, stderr, rc, downloaded files)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o755)
    (work / "up.txt").write_text("hello disk\n")
    v = kvmlab.connect(uri).virconn
    v.storagePoolCreateXML(_pool_xml(work / "p"), 1)  # VIR_STORAGE_POOL_CREATE_WITH_BUILD
    try:
        p = subprocess.run([*argv0, "-c", uri, batch.replace("POOL", POOL).replace("DIR", str(work))],
                           capture_output=True, text=True, timeout=120)
    finally:
        pool = v.storagePoolLookupByName(POOL)
        for vol in pool.listAllVolumes(0):
            vol.delete(0)
        pool.destroy()
    files = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(work.glob("down*"))}
    return p.stdout, HINT.sub("", p.stderr), p.returncode, files


def same_on_real(batch: str, uri: str) -> tuple[str, str, int, dict]:
    work = Path(tempfile.gettempdir()) / "kvmlab-disk-conformance"
    real = _run_on_fresh_pool([VIRSH], batch, uri, work)
    ours = _run_on_fresh_pool([KVMLAB, "virsh"], batch, uri, work)
    shutil.rmtree(work, ignore_errors=True)
    assert ours[0] == real[0], f"stdout differs for {batch!r}"
    assert ours[1] == real[1], f"stderr differs for {batch!r}"
    assert ours[2] == real[2], f"exit code differs for {batch!r}"
    assert ours[3] == real[3], f"downloaded files differ for {batch!r}"
    return ours


BATCHES = [
    # upload into a thin raw volume, read back in pieces, plain and sparse
    "vol-create-as POOL b.raw 10M --format raw --allocation 0; vol-upload b.raw DIR/up.txt --pool POOL; "
    "vol-info b.raw --pool POOL; vol-download b.raw DIR/down1 --pool POOL --length 16; "
    "vol-download b.raw DIR/down2 --pool POOL --offset 6 --length 4; vol-download b.raw DIR/down3 --pool POOL --sparse; "
    "vol-download b.raw DIR/down4 --pool POOL; vol-upload b.raw DIR/up.txt --pool POOL --offset 4096 --sparse; "
    "vol-download b.raw DIR/down5 --pool POOL --length 4200 --sparse; vol-download b.raw DIR/down6 --pool POOL "
    "--offset 20000000; vol-upload b.raw DIR/up.txt --pool POOL --length -1",
    # a qcow2 volume downloads as its qcow2 file
    "vol-create-as POOL c.qcow2 10M --format qcow2; vol-download c.qcow2 DIR/down1 --pool POOL --sparse; "
    "vol-info c.qcow2 --pool POOL --physical",
    # file errors, numbers
    "vol-create-as POOL b.raw 1M --format raw; vol-upload b.raw /nonexistent --pool POOL; "
    "vol-download b.raw /nonexistent/x --pool POOL; vol-upload b.raw DIR/up.txt --pool POOL --offset 1M; "
    "vol-download b.raw DIR/down1 --pool POOL --offset '' ; vol-download nosuch DIR/down2 --pool POOL",
    # clones copy the data; a clone of an overlay stands alone
    "vol-create-as POOL c.qcow2 10M --format qcow2; vol-clone c.qcow2 d.qcow2 --pool POOL; "
    "vol-create-as POOL b.raw 10M --format raw --allocation 0; vol-upload b.raw DIR/up.txt --pool POOL; "
    "vol-clone b.raw e.raw --pool POOL; vol-download e.raw DIR/down1 --pool POOL --length 11; vol-info e.raw --pool POOL; "
    "vol-clone b.raw b.raw --pool POOL; vol-list POOL --details",
    # resize
    "vol-create-as POOL c.qcow2 10M --format qcow2; vol-resize c.qcow2 20M --pool POOL; vol-resize c.qcow2 5M --pool POOL; "
    "vol-resize c.qcow2 -5M --pool POOL --shrink; vol-create-as POOL b.raw 1M --format raw; "
    "vol-resize b.raw 1M --pool POOL --delta; vol-resize b.raw 30M --pool POOL --allocate; "
    "vol-info c.qcow2 --pool POOL --bytes; vol-info b.raw --pool POOL --bytes; vol-resize b.raw -1M --pool POOL",
    # pool-delete refuses a running pool
    "pool-delete POOL; vol-list POOL",
]


@pytest.mark.parametrize("batch", BATCHES)
def test_volume_data_commands_as_real_virsh(uri, batch):
    same_on_real(batch, uri)


def test_pool_delete_removes_the_empty_directory_as_virsh_does(uri, tmp_path):
    for argv0 in ([VIRSH], [KVMLAB, "virsh"]):
        where = tmp_path / ("real" if argv0 == [VIRSH] else "ours") / "p"
        where.parent.mkdir()
        xml = where.parent / "pool.xml"
        xml.write_text(_pool_xml(where))
        batch = (f"pool-define {xml}; pool-build {POOL}; pool-delete {POOL}; pool-start {POOL}; pool-build {POOL}; "
                 f"pool-start {POOL}; vol-create-as {POOL} v 1M; pool-destroy {POOL}; pool-delete {POOL}; "
                 f"pool-start {POOL}; vol-delete v --pool {POOL}; pool-destroy {POOL}; pool-delete {POOL}; "
                 f"pool-undefine {POOL}")
        p = subprocess.run([*argv0, "-c", uri, batch], capture_output=True, text=True, timeout=120)
        out = p.stdout.replace(str(xml), "FILE")
        err = HINT.sub("", p.stderr).replace(str(where), "DIR")
        if argv0 == [VIRSH]:
            real = (out, err, p.returncode)
        else:
            assert (out, err, p.returncode) == real
        assert "Directory not empty" in err and "cannot open directory" in err and not where.exists()
        assert out.count(f"Pool {POOL} deleted") == 2


def test_the_guest_writes_its_disk_reboots_and_reads_it_back(conn):
    host = lab.disk_host(conn)
    vol = host.name("test.raw")
    conn.vol_create_as(host.pool, vol, "8M", format="raw", allocation=0)
    lines: list[str] = []
    guest = lab.DiskGuest(conn, host, vol, name="kvmlab-disk-test", progress=lines.append)
    try:
        booted = guest.boot(timeout=120)
        assert " 8192 vda" in booted.text() and any("virsh start kvmlab-disk-test" in ln for ln in lines)
        assert guest.read().answer == ""  # a new thin volume reads as zeros
        assert guest.write("kvmlab-disk test 42").lines[-1] == "written"
        assert conn.vol_info(vol, pool=host.pool).allocation > 0  # the host now holds a block of it
        rebooted = guest.reboot(timeout=120)
        assert rebooted.virsh == "virsh reboot kvmlab-disk-test"
        assert guest.read().answer == "kvmlab-disk test 42"
    finally:
        guest.remove()
    down = Path(tempfile.mkdtemp(prefix="kvmlab-disk-")) / "sector.bin"
    try:
        got = conn.vol_download(vol, down, pool=host.pool, length=512)
        assert got.nbytes == 512 and down.read_bytes().rstrip(b"\0") == b"kvmlab-disk test 42\n"
    finally:
        shutil.rmtree(down.parent)
        conn.vol_delete(vol, pool=host.pool)
    assert lab.DiskGuest(conn, host, vol, name="kvmlab-disk-test").remove() == []


def test_exercise_13_2_on_a_real_pool(conn):
    host = lab.disk_host(conn)
    PROGRESS.reset()
    try:
        with pytest.raises(ExerciseFailed, match="allocated already"):
            lesson13.check_thin_volume(conn, f"vol-create-as {host.pool} {lesson13.THIN_NAME} 2G --format raw",
                                       pool=host.pool)
        path = conn.vol_dumpxml(lesson13.THIN_NAME, pool=host.pool, xpath="/volume/target/path").xml
        st = os.stat(path.split(">")[1].split("<")[0])
        assert st.st_blocks * 512 >= st.st_size == 2 * 2**30  # thick: libvirt allocated the whole file
        done = lesson13.check_thin_volume(
            conn, f"vol-create-as {host.pool} {lesson13.THIN_NAME} 2G --format raw --allocation 0", pool=host.pool)
        assert "Allocation 0 bytes" in " ".join(done.details)
    finally:
        lesson13.tidy(conn, pool=host.pool)
        PROGRESS.reset()


def test_a_clone_onto_a_taken_name_teaches_on_a_real_pool(conn):
    """A real dir pool words it "already in use" (the test driver "already exists"): the same hint."""
    host = lab.disk_host(conn)
    vol = host.name("taken.raw")
    conn.vol_create_as(host.pool, vol, "1M", format="raw")
    try:
        with pytest.raises(kvmlab.KvmlabError) as info:
            conn.vol_clone(vol, vol, pool=host.pool)
        assert info.value.virsh_error[0] == f"Failed to clone vol from {vol}" and "already in use" in info.value.virsh_error[1]
        assert "pick another name" in info.value.hint
    finally:
        conn.vol_delete(vol, pool=host.pool)
