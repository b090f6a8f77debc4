"""`kvmlab virsh` vs real virsh on test:///default: storage pool and volume commands.

test:///default has one pool, ``default-pool`` (dir, running, no autostart, no volumes).
"""

from __future__ import annotations

import re

import pytest

from ..conftest import HINT, KVMLAB, VIRSH, assert_same, run_cmd, sanitize

# A dir pool with a fixed UUID, so both runs print the same pool-info / pool-list --uuid.
LAB_XML = """<pool type='dir'>
  <name>lab</name>
  <uuid>6c1d5e2a-0b7e-4a55-9f0e-2f4a8c1d7e31</uuid>
  <target>
    <path>{path}</path>
  </target>
</pool>
"""


@pytest.fixture
def files(tmp_path):
    """XML files in a temp folder: a good pool, broken ones, and a folder where a file should be."""
    (tmp_path / "lab.xml").write_text(LAB_XML.format(path=tmp_path / "labdir"))
    (tmp_path / "bad.xml").write_text('<pool type="dir"><name>bad')
    (tmp_path / "notarget.xml").write_text('<pool type="dir"><name>x</name></pool>')
    (tmp_path / "badtype.xml").write_text(
        "<pool type='bogus'><name>y</name><target><path>/tmp/y</path></target></pool>")
    (tmp_path / "dup.xml").write_text(  # the name of test:///default's pool, another UUID
        "<pool type='dir'><name>default-pool</name><uuid>6c1d5e2a-0b7e-4a55-9f0e-2f4a8c1d7e32</uuid>"
        "<target><path>/x</path></target></pool>")
    (tmp_path / "conflict.xml").write_text(  # another pool on default-pool's directory
        "<pool type='dir'><name>other</name><target><path>/default-pool</path></target></pool>")
    (tmp_path / "adir").mkdir()
    return tmp_path


LISTS = [
    "pool-list",
    "pool-list --all",
    "pool-list --inactive",
    "pool-list --details",
    "pool-list --all --details",
    "pool-list --uuid",
    "pool-list --name",
    "pool-list --uuid --name",
    "pool-list --all --persistent",
    "pool-list --all --transient",
    "pool-list --autostart",
    "pool-list --no-autostart",
    "pool-list --type dir",
    "pool-list dir",  # --type is a string option, so it also fills positionally
    "pool-list --type dir,fs --all",
    "pool-list --type fs --all --details",
    "pool-list --type bogus",
    "pool-list --type ''",
    "pool-list --type dir,,x",
    "pool-list --all --inactive",
    "pool-list --details --uuid",
    "pool-list --details --name",
    "pool-list --bogus",
    "pool-list extra junk",
]

INFO = [
    "pool-info default-pool",
    "pool-info default-pool --bytes",
    "pool-info --pool default-pool",
    "pool-info dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566",
    "pool-info nosuch",
    "pool-info 00000000-0000-0000-0000-000000000000",
    "pool-info ''",
    "pool-info",
    "pool-dumpxml default-pool",
    "pool-dumpxml default-pool --inactive",
    "pool-dumpxml default-pool --xpath /pool/target",
    "pool-dumpxml default-pool --xpath //capacity --wrap",
    "pool-dumpxml default-pool --xpath /nothing --wrap",
    "pool-dumpxml default-pool --xpath /nothing",
    "pool-dumpxml default-pool --xpath 'string(/pool/name)'",
    "pool-dumpxml default-pool --xpath /pool/@type",
    "pool-dumpxml default-pool --xpath ''",
    "pool-dumpxml default-pool /pool/name",
    "pool-dumpxml nosuch",
]

STATES = [
    # state errors: start a running pool, stop a stopped one, undefine/build a running one
    "pool-start default-pool",
    "pool-undefine default-pool",
    "pool-build default-pool",
    "pool-destroy default-pool; pool-destroy default-pool; pool-info default-pool",
    "pool-destroy default-pool; pool-list; pool-list --inactive; pool-list --all --details",
    "pool-destroy default-pool; vol-list default-pool; vol-create-as default-pool v1 1M",
    "pool-destroy default-pool; pool-start default-pool; pool-start default-pool; pool-info default-pool",
    "pool-destroy default-pool; pool-undefine default-pool; pool-list --all; pool-info default-pool",
    "pool-destroy default-pool; pool-build default-pool; pool-start default-pool",
    "pool-autostart default-pool; pool-list --autostart; pool-info default-pool; "
    "pool-autostart default-pool --disable; pool-list --all --details",
    "pool-autostart --pool default-pool --disable; pool-list --no-autostart",
    "pool-start default-pool --overwrite --no-overwrite",
    "pool-start nosuch --overwrite --no-overwrite",
    "pool-start default-pool --build",
    "pool-build default-pool --overwrite",
    "pool-destroy nosuch; pool-undefine nosuch; pool-autostart nosuch; pool-build nosuch",
    "pool-destroy default-pool --force",
]

VOLUMES = [
    "vol-list default-pool",
    "vol-list default-pool --details",
    "vol-list nosuch",
    "vol-create-as default-pool v1 1G; vol-create-as default-pool v2 10M --allocation 1M --format qcow2; "
    "vol-create-as default-pool v3 1500 512 raw; vol-list default-pool; vol-list default-pool --details; "
    "pool-info default-pool; pool-list --details",
    "vol-create-as default-pool v1 1G; vol-info v1 --pool default-pool; vol-info /default-pool/v1; "
    "vol-info v1 default-pool --bytes; vol-info v1; vol-dumpxml v1 --pool default-pool; "
    "vol-dumpxml /default-pool/v1",
    "vol-create-as default-pool v1 1M; vol-delete v1 --pool default-pool; vol-list default-pool; "
    "vol-delete v1 --pool default-pool",
    "vol-create-as default-pool v1 1M; vol-delete /default-pool/v1; vol-info /default-pool/v1",
    "vol-create-as default-pool v1 1M; vol-create-as default-pool v1 1M",
    "vol-create-as default-pool big 200T",
    "vol-create-as default-pool v1 1M --format bogus",
    "vol-create-as default-pool v1 1M --print-xml; vol-list default-pool",
    "vol-create-as default-pool v1 1M 512K qcow2 --print-xml",
    "vol-create-as default-pool base 1M; vol-create-as default-pool top 1M --backing-vol base "
    "--backing-vol-format raw --print-xml",
    "vol-create-as default-pool top 1M --backing-vol nosuch",
    "vol-create-as default-pool v1 1M --prealloc-metadata",
    "vol-create-as default-pool v1 1M; vol-info v1 --pool default-pool --physical",
    "vol-create-as default-pool v1 1M; vol-delete v1 --pool default-pool --delete-snapshots",
    "vol-create-as default-pool v1 1M; vol-dumpxml v1 --pool default-pool --xpath //capacity; "
    "vol-dumpxml v1 --pool default-pool --xpath /volume/@type --wrap",
    # lookups
    "vol-info nosuch",
    "vol-info nosuch --pool default-pool",
    "vol-info x --pool nosuch",
    "vol-delete x",
    "vol-dumpxml x",
    "vol-info '' --pool ''",
    "vol-info v1 --pool ''",
    "vol-create-as default-pool '' 1M",
    "vol-create-as nosuch '' 1M",
    "vol-create-as default-pool v1 ''",
    "vol-create-as default-pool v1 1M --allocation ''",
    "vol-create-as default-pool v1 1M --format ''",
    "vol-create-as",
    "vol-create-as default-pool v1",
    "vol-info",
]

SIZES = [
    # virsh's vol-create-as sizes: case-insensitive suffixes, KiB = K = 1024, KB = 1000, bytes
    "vol-create-as default-pool a 1G; vol-create-as default-pool b 1GiB; vol-create-as default-pool c 1GB; "
    "vol-create-as default-pool d 1gb; vol-create-as default-pool e 1gib; vol-create-as default-pool f 1k; "
    "vol-create-as default-pool g 1bytes; vol-create-as default-pool h 2b; vol-create-as default-pool i ' 5'; "
    "vol-create-as default-pool j +7; vol-create-as default-pool k 0; vol-create-as default-pool l 1M 1b; "
    "vol-list default-pool --details",
    "vol-create-as default-pool a 1X",
    "vol-create-as default-pool a -1",
    "vol-create-as default-pool a 1.5G",
    "vol-create-as default-pool a 99999999999E",
    "vol-create-as default-pool a 99999999999999999999999",
    "vol-create-as default-pool a 1GiBs",
    "vol-create-as default-pool a 0x10",
    "vol-create-as default-pool a 1G --allocation zz",
    "vol-create-as default-pool a 1G --allocation 2G; vol-info a --pool default-pool",
]

PARTIAL = [
    # a failure in the middle does not stop the batch; the exit status is the last command's
    "pool-info nosuch; pool-list",
    "pool-list; pool-info nosuch",
    "vol-create-as default-pool v1 1X; vol-create-as default-pool v1 1M; vol-list default-pool",
    "pool-destroy default-pool; vol-info v1 --pool default-pool; pool-start default-pool; vol-list default-pool",
    "pool-undefine default-pool; pool-list --all; pool-destroy default-pool; pool-undefine default-pool; "
    "pool-list --all",
    # a parse error anywhere: nothing runs
    "pool-list; pool-info; pool-list",
    "pool-destroy default-pool; pool-lst",
    "vol-create-as default-pool v1 1M; vol-list default-pool --bogus",
]


@pytest.mark.parametrize("batch", LISTS)
def test_pool_list(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", INFO)
def test_pool_info_and_xml(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", STATES)
def test_pool_states(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", VOLUMES)
def test_volumes(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", SIZES)
def test_sizes(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", PARTIAL)
def test_partial_failures(batch):
    assert_same(batch)


def test_define_build_start_info_destroy_undefine(files):
    """The course's walk: define a new dir pool from a file, build, start, inspect, stop, forget."""
    xml = files / "lab.xml"
    assert_same(
        f"pool-define {xml}; pool-list --all --details; pool-build lab; pool-start lab; pool-info lab; "
        f"pool-info lab --bytes; pool-dumpxml lab; pool-autostart lab; pool-list --all --autostart; "
        f"vol-create-as lab disk1 2G; vol-list lab --details; pool-destroy lab; pool-list --all; "
        f"pool-undefine lab; pool-list --all; pool-info lab"
    )


def test_define_errors(files):
    assert_same(
        f"pool-define {files / 'bad.xml'}; pool-define {files / 'notarget.xml'}; "
        f"pool-define {files / 'badtype.xml'}; pool-define {files / 'nosuch.xml'}; pool-define {files / 'adir'}; "
        f"pool-define ''; pool-list --all"
    )


def test_define_conflicts(files):
    ours = assert_same(f"pool-define {files / 'dup.xml'}; pool-define {files / 'conflict.xml'}; "
                       f"pool-create {files / 'conflict.xml'}; pool-list --all")
    assert any("its own <target><path>" in h for h in ours[3])


def test_define_takes_a_file_not_a_name():
    """The course text writes `pool-define $name`: virsh wants an XML file. kvmlab says so."""
    ours = assert_same("pool-define default-pool")
    assert any("takes an XML FILE, not a pool name" in h for h in ours[3])


def test_create_is_transient(files):
    xml = files / "lab.xml"
    assert_same(
        f"pool-create {xml}; pool-list --all --details --transient; pool-autostart lab; pool-undefine lab; "
        f"pool-create {xml}; pool-destroy lab; pool-list --all; pool-info lab"
    )


def test_create_and_define_options(files):
    xml = files / "lab.xml"
    assert_same(f"pool-define --validate {xml}; pool-create --build {xml}; pool-start --build lab; "
                f"pool-create {xml} --overwrite --no-overwrite; pool-start lab --no-overwrite; "
                f"pool-build lab --overwrite --no-overwrite; pool-build lab --no-overwrite; pool-start lab")


def test_state_errors_teach():
    ours = assert_same("pool-undefine default-pool")
    assert any("pool-destroy" in h and "stops" in h for h in ours[3])
    ours = assert_same("pool-destroy default-pool; pool-destroy default-pool")
    assert any("pool-undefine" in h for h in ours[3])


def test_sizes_teach():
    ours = assert_same("vol-create-as default-pool a 1.5G")
    assert any("1G = 1GiB" in h for h in ours[3])


# pool-edit: the editor runs on a temp file; stdin is a pipe, as in CI (virsh asks "Try again?" on a tty)

_TMPFILE = re.compile(r"/\S+?\.xml")


def same_with_stdin(batch: str, env: dict):
    """assert_same with stdin not a terminal and temp-file names hidden."""
    real = run_cmd([VIRSH, "-c", "test:///default", batch], env=env, input="")
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", batch], env=env, input="")
    hints = HINT.findall(err)
    err = HINT.sub("", err)
    assert sanitize(out) == sanitize(real[0]), f"stdout differs for {batch!r}"
    assert _TMPFILE.sub("TMP.xml", err) == _TMPFILE.sub("TMP.xml", real[1]), f"stderr differs for {batch!r}"
    assert rc == real[2], f"exit code differs for {batch!r}"
    return out, err, rc, hints


EDITS = [
    # a change to a running pool's definition applies at its next start
    ("sed -i s,/default-pool,/srv/pool,",
     "pool-edit default-pool; pool-dumpxml default-pool; pool-destroy default-pool; pool-start default-pool; "
     "pool-dumpxml default-pool"),
    ("sed -i s,/default-pool,/srv/pool,",
     "pool-destroy default-pool; pool-edit default-pool; pool-dumpxml default-pool"),
    ("true", "pool-edit default-pool"),
    # refused XML: virsh prints "error: Failed." and then a bogus success line, exit 0
    ("sed -i s,dir,bogus,", "pool-edit default-pool; pool-list"),
    ("sed -i s,default-pool,other,", "pool-edit default-pool; pool-list --all"),
    ("false", "pool-edit default-pool; pool-list"),
    ("true", "pool-edit nosuch"),
    ("true", "pool-edit ''"),
]


@pytest.mark.parametrize("editor,batch", EDITS)
def test_pool_edit(editor, batch):
    same_with_stdin(batch, {"EDITOR": editor, "VISUAL": editor})  # $VISUAL wins over $EDITOR in virsh
