"""The snapshot operations with bad input: from Python a KvmlabError that says what was expected (never
a bare TypeError or UnicodeError) and nothing changed; from the command line virsh's own bytes."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, NotFound

from ..conftest import VIRSH
from .conftest import (
    URI,
    assert_batch_unchanged,
    assert_virsh_same,
    kvmlab_virsh,
    refused,
    run,
    virsh_lines,
)

FF = b"a\xffb".decode("utf-8", "surrogateescape")  # argv bytes that are not UTF-8, as Python holds them

WRONG_TYPES = [
    ("name as a list", lambda c: c.snapshot_create_as("web01", ["s1"]), "as text for --name"),
    ("name as bytes", lambda c: c.snapshot_create_as("web01", b"s1"), "as text for --name"),
    ("description as a dict", lambda c: c.snapshot_create_as("web01", "s1", {"d": 1}), "expected text for --description"),
    ("memspec as a list", lambda c: c.snapshot_create_as("web01", "s1", memspec=["/m"]), "expected text for --memspec"),
    ("diskspec as an int", lambda c: c.snapshot_create_as("web01", "s1", diskspec=7), "--diskspec as text"),
    ("diskspec list of ints", lambda c: c.snapshot_create_as("web01", "s1", diskspec=[1, 2]), "--diskspec as text"),
    ("info name as a float", lambda c: c.snapshot_info("web01", 1.5), "as text for --snapshotname"),
    ("revert name as a list", lambda c: c.snapshot_revert("web01", ["s1"]), "as text for --snapshotname"),
    ("delete name as a set", lambda c: c.snapshot_delete("web01", {"s1"}), "as text for --snapshotname"),
    ("list from as bytes", lambda c: c.snapshot_list("web01", from_=b"s1"), "as text for --from"),
    ("current name as a list", lambda c: c.snapshot_current("web01", snapshotname=["s1"]), "as text for --snapshotname"),
    ("dumpxml without a name", lambda c: c.snapshot_dumpxml("web01", None), "needs the snapshot's name"),
    ("dumpxml xpath as an int", lambda c: c.snapshot_dumpxml("web01", "s1", xpath=3), "XPath expression as text"),
    ("domain as a list", lambda c: c.snapshot_list(["web01"]), "domain name as text"),
]


@pytest.mark.parametrize("call, words", [(c, w) for _, c, w in WRONG_TYPES], ids=[n for n, _, _ in WRONG_TYPES])
def test_values_of_the_wrong_type_are_refused(lab, call, words):
    lab.snapshot_create_as("web01", "s1")  # something to find, so only the bad value can fail
    before = lab.snapshot_list("web01").names
    err = refused(lambda: call(lab), InvalidInput)
    assert words in err.message
    assert lab.snapshot_list("web01").names == before
    lab.snapshot_delete("web01", "s1")  # the lab fixture checks that the host ends as it began


@pytest.mark.parametrize("op", ["snapshot_info", "snapshot_revert", "snapshot_delete", "snapshot_dumpxml"])
@pytest.mark.parametrize("name", ["a\0b", "\0"])
def test_a_nul_in_a_snapshot_name(lab, op, name):
    err = refused(lambda: getattr(lab, op)("web01", name), InvalidInput)
    assert "NUL character" in err.message


@pytest.mark.parametrize("op", ["snapshot_info", "snapshot_revert", "snapshot_delete"])
def test_neither_name_nor_current_is_virshs_error(lab, op):
    err = refused(lambda: getattr(lab, op)("web01"), InvalidInput)
    assert err.virsh_error == ["--snapshotname or --current is required"]
    assert "--current" in err.hint


def test_undecodable_snapshot_names_are_not_found_as_in_virsh(default_host):
    for op, argv in (("snapshot_info", ["snapshot-info", "test"]), ("snapshot_revert", ["snapshot-revert", "test"]),
                     ("snapshot_delete", ["snapshot-delete", "test"]), ("snapshot_dumpxml", ["snapshot-dumpxml", "test"])):
        err = refused(lambda op=op: getattr(default_host, op)("test", FF), NotFound)
        real = run([VIRSH, "-c", URI, *argv, FF.encode("utf-8", "surrogateescape")])
        assert err.virsh_error == virsh_lines(real[1])


def test_an_undecodable_name_never_reaches_libvirt(lab):
    err = refused(lambda: lab.snapshot_create_as("web01", FF), InvalidInput)
    assert "not UTF-8" in err.message
    assert lab.snapshot_list("web01").names == []


@pytest.mark.parametrize("argv", [
    ["snapshot-info", "test", FF], ["snapshot-revert", "test", FF], ["snapshot-delete", "test", FF],
    ["snapshot-dumpxml", "test", FF], ["snapshot-list", "test", "--from", FF], ["snapshot-current", "test", FF],
    ["snapshot-list", FF], ["snapshot-create-as", FF, "s1"], ["snapshot-create-as", "test", FF, "--print-xml"],
    ["snapshot-create-as", "test", "s1", f"d{FF}", "--print-xml"], ["snapshot-create-as", "test", "a\x1bb"],
    ["snapshot-create-as", "test", "s1", "x\x01y", "--print-xml"],
], ids=repr)
def test_argv_bytes_as_virsh(argv):
    assert_virsh_same(["-c", URI, *argv])


@pytest.mark.parametrize("batch", [
    f"snapshot-info test {FF}", f"snapshot-revert test {FF}", f"snapshot-delete test {FF}", f"snapshot-list {FF}",
    "snapshot-create-as test s1 --memspec 'a\x01b'", "snapshot-create-as test s1 --diskspec 'vda,driver=q\"x'",
    "snapshot-create-as test s1 --diskspec 'vda,snapshot=<'", "snapshot-create-as test 'a\x1bb'",
    "snapshot-create-as test s1 --memspec file=rel", "snapshot-create-as test s1 --diskspec vda,stype=zz",
    "snapshot-create-as test s1 --diskspec vda --diskspec vda", "snapshot-dumpxml test s1 --xpath '\x1b'",
])
def test_batches_as_virsh_and_nothing_changes(batch):
    out, err, _ = assert_batch_unchanged(batch)
    assert b"Domain snapshot" not in out


def test_a_refused_create_leaves_no_snapshot(lab):
    refused(lambda: lab.snapshot_create_as("web01", "s1", diskspec="vda,stype=zz"), InvalidInput)
    refused(lambda: lab.snapshot_create_as("web01", "s1", memspec="bogus"), InvalidInput)
    assert lab.snapshot_list("web01", name=True).names == []


def test_the_cli_refuses_an_undecodable_name_without_a_traceback():
    out, err, rc = kvmlab_virsh(["-c", URI, "snapshot-create-as", "test", FF])
    assert rc == 1 and out == b"\n" and err.startswith(b"error: the snapshot's name")
