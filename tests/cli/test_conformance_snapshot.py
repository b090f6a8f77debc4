"""`kvmlab virsh` vs real virsh on test:///default: the snapshot commands.

test:///default has one domain, ``test`` (running), and no snapshots. Its test driver keeps a
snapshot's metadata only (no disk is touched) and makes internal snapshots only. Creation times
differ from one process to the other by a second at most: they are compared as ``DATE``.
"""

from __future__ import annotations

import re

import pytest

from ..conftest import HINT, KVMLAB, VIRSH, run_cmd

_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")
_CREATED = re.compile(r"<creationTime>\d+</creationTime>")
_AUTO_NAME = re.compile(r"\b1\d{9}\b")  # a snapshot created without a name is named after the time


def _same_times(text: str) -> str:
    return _AUTO_NAME.sub("EPOCH", _CREATED.sub("<creationTime>T</creationTime>", _DATE.sub("DATE", text)))


def assert_same(batch: str):
    """stdout (times aside), stderr (kvmlab's hint lines aside) and exit code as virsh's."""
    real = run_cmd([VIRSH, "-c", "test:///default", batch])
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", batch])
    assert _same_times(out) == _same_times(real[0]), f"stdout differs for {batch!r}"
    assert HINT.sub("", err) == real[1], f"stderr differs for {batch!r}"
    assert rc == real[2], f"exit code differs for {batch!r}"
    return out, err, rc, HINT.findall(err)


# a tree: a - b - e and a - c - d (revert to a, then to b, between the snapshots)
TREE = ("snapshot-create-as test a; snapshot-create-as test b; snapshot-revert test a; snapshot-create-as test c; "
        "snapshot-create-as test d; snapshot-revert test b; snapshot-create-as test e")

CREATE = [
    "snapshot-list test",
    "snapshot-create-as test s1 'first one'; snapshot-create-as test s2 --description two; snapshot-list test",
    "snapshot-create-as test; snapshot-list test --name",
    "snapshot-create-as test --print-xml",
    "snapshot-create-as test s1 --print-xml --no-metadata",
    "snapshot-create-as test s1 desc vda vdb --print-xml",
    "snapshot-create-as test s1 --print-xml --diskspec vda,snapshot=external,file=/tmp/a --diskspec vdb "
    "--memspec file=/m,snapshot=external",
    "snapshot-create-as test a --print-xml --diskspec ''",
    "snapshot-create-as test a --print-xml --diskspec ',,'",
    "snapshot-create-as test a --print-xml --diskspec vda,,b",
    "snapshot-create-as test a --print-xml --diskspec 'vda,file=/x,,y' --diskspec vdb",
    "snapshot-create-as test a --print-xml --diskspec ',snapshot=no'",
    "snapshot-create-as test a --print-xml --diskspec 'vda,stype=block,file=/dev/sdz,driver=qcow2'",
    "snapshot-create-as test a --print-xml --diskspec \"a<b,file=/x&y,driver=q<\"",
    "snapshot-create-as test 'a<b' 'x&y' --print-xml",
    "snapshot-create-as test 'a<b' 'x&y'; snapshot-list test --name; snapshot-info test 'a<b'",
    "snapshot-create-as test a --print-xml --memspec snapshot=no",
    "snapshot-create-as test a --memspec snapshot=no; snapshot-dumpxml test a --xpath //memory",
    "snapshot-create-as test s1 --no-metadata; snapshot-list test",
    "snapshot-create-as test s1 --disk-only",
    "snapshot-create-as test s1 --reuse-external",
    "snapshot-create-as test s1 --halt; list --all; snapshot-list test; snapshot-revert test s1; list",
    "snapshot-create-as test s1 --halt --reuse-external; list --all",
    "snapshot-create-as test s1 --live --quiesce --atomic --validate; snapshot-list test --name",
    "snapshot-create-as test s1 --memspec /tmp/x",
    "snapshot-create-as test s1 --memspec bogus",
    "snapshot-create-as test s1 --memspec ,",
    "snapshot-create-as test s1 --memspec 'snapshot=a,snapshot=b'",
    "snapshot-create-as test s4 --memspec snapshot=external",
    "snapshot-create-as test s6 --memspec file=rel",
    "snapshot-create-as test s1 --diskspec vda,snapshot=external",
    "snapshot-create-as test s1 --diskspec vda,bogus",
    "snapshot-create-as test s1 --diskspec 'vda,'",
    "snapshot-create-as test s1 --diskspec ,vda",
    "snapshot-create-as test s1 --diskspec vda,stype=zz --print-xml",
    "snapshot-create-as test s1 --diskspec \"vda,driver=q'x\"",
    "snapshot-create-as test s2 --diskspec vda,snapshot=bogus",
    "snapshot-create-as test s3 --diskspec vdz",
    "snapshot-create-as test s7 --diskspec vda,snapshot=no",
    "snapshot-create-as test s8 --diskspec vda --diskspec vda",
    "snapshot-create-as test s1 vda,bogus; snapshot-list test --name",
    "snapshot-create-as test s1 --diskspec ''; snapshot-list test --name",
    "snapshot-create-as test --diskspec vda,snapshot=no a",
    "snapshot-create-as test a; snapshot-create-as test a",
    "snapshot-create-as test a/b; snapshot-create-as test .; snapshot-list test --name",
    "snapshot-create-as nosuch --name ''",
    "snapshot-create-as test --name ''",
    "snapshot-create-as test --description ''",
    "snapshot-create-as test --memspec ''",
    "snapshot-create-as test a --print-xml --memspec ''",
    "snapshot-create-as",
    "snapshot-create-as test --diskspec",
    "snapshot-create-as test a b c --name x",
    "snapshot-create-as 1 byid; snapshot-create-as 6695eb01-f6a4-8304-79aa-97f2502e193f byuuid; snapshot-list test",
]

LISTS = [
    f"{TREE}; snapshot-list test --tree",
    f"{TREE}; snapshot-list test --parent",
    f"{TREE}; snapshot-list test --roots; snapshot-list test --leaves; snapshot-list test --no-leaves; "
    "snapshot-list test --name; snapshot-list test --topological --name",
    f"{TREE}; snapshot-list test --from a; snapshot-list test --from a --descendants; snapshot-list test --from a "
    "--tree; snapshot-list test --current; snapshot-list test --current --tree; "
    "snapshot-list test --current --descendants --name",
    f"{TREE}; snapshot-list test --internal; snapshot-list test --external; snapshot-list test --active; "
    "snapshot-list test --inactive; snapshot-list test --disk-only; snapshot-list test --metadata; "
    "snapshot-list test --no-metadata",
    f"{TREE}; snapshot-list test --from a --tree --descendants; snapshot-list test --from b --tree; "
    "snapshot-list test --topological; snapshot-list test --tree --topological",
    f"{TREE}; snapshot-list test --leaves --parent; snapshot-list test --roots --name; "
    "snapshot-list test --from c --name; snapshot-list --domain test --from=a --descendants --parent",
    f"{TREE}; snapshot-list test --tree --name",
    f"{TREE}; snapshot-list test --tree --leaves",
    f"{TREE}; snapshot-list test --tree --internal",
    f"{TREE}; snapshot-list test --parent --roots",
    f"{TREE}; snapshot-list test --parent --tree",
    f"{TREE}; snapshot-list test --roots --current",
    f"{TREE}; snapshot-list test --descendants",
    f"{TREE}; snapshot-list test --from a --current",
    f"{TREE}; snapshot-list test --from nosuch",
    f"{TREE}; snapshot-list test --roots --from a",
    "snapshot-list test --current",
    "snapshot-list test --from ''",
    "snapshot-list nosuch",
    "snapshot-list nosuch --from ''",
    "snapshot-list nosuch --descendants",
    "snapshot-list nosuch --tree --name",
    "snapshot-list ''",
    "snapshot-list",
    "snapshot-list test --bogus",
]

INFO = [
    f"{TREE}; snapshot-info test a; snapshot-info test --current; snapshot-info test d; "
    "snapshot-info --domain test --snapshotname c",
    "snapshot-info test",
    "snapshot-info test --current",
    "snapshot-create-as test a; snapshot-info test a --current",
    "snapshot-create-as test a; snapshot-info test --snapshotname ''",
    "snapshot-info nosuch a",
    "snapshot-info nosuch ''",
    "snapshot-info nosuch --current",
    "snapshot-info '' a",
    "snapshot-info test nosuch",
    "snapshot-current test",
    "snapshot-current test --name",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-current test --name; "
    "snapshot-current test --snapshotname a; snapshot-current test --name; snapshot-current test",
    "snapshot-create-as test a; snapshot-current test --name --snapshotname a",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-current test a; snapshot-info test a",
    "snapshot-create-as test a; snapshot-current test --snapshotname nosuch",
    "snapshot-create-as test a; snapshot-current test --snapshotname ''",
    "snapshot-create-as test a; snapshot-current test --security-info --name; snapshot-current test --security-info",
    "snapshot-current nosuch --snapshotname ''",
    "snapshot-current nosuch --name --snapshotname a",
    "snapshot-current 1",
    "snapshot-create-as test a; snapshot-dumpxml test a",
    "snapshot-create-as test a; snapshot-dumpxml test a --security-info",
    "snapshot-create-as test a; snapshot-dumpxml test",
    "snapshot-create-as test a; snapshot-dumpxml test nosuch",
    "snapshot-create-as test a; snapshot-dumpxml test a --xpath /domainsnapshot/name; "
    "snapshot-dumpxml test a --xpath //name --wrap; snapshot-dumpxml test a --xpath 'string(//state)'; "
    "snapshot-dumpxml test a --xpath /nothing; snapshot-dumpxml test a --xpath /nothing --wrap; "
    "snapshot-dumpxml test a --xpath /domainsnapshot/memory/@snapshot",
    "snapshot-create-as test a; snapshot-dumpxml test a --xpath ''",
    "snapshot-create-as test a; snapshot-dumpxml test ''",
    "snapshot-dumpxml nosuch a",
    "snapshot-dumpxml nosuch ''",
    "snapshot-dumpxml '' a",
]

CHANGES = [
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-revert test; snapshot-revert test --current; "
    "snapshot-revert test a --running; list; snapshot-revert test a --paused; list; "
    "snapshot-revert test a --running --paused",
    "snapshot-create-as test a; destroy test; snapshot-revert test a; list --all; snapshot-revert test a --force",
    "snapshot-create-as test a; suspend test; snapshot-create-as test p; resume test; snapshot-revert test p; "
    "list; snapshot-info test p; snapshot-list test --parent",
    "snapshot-create-as test a; snapshot-revert test a --reset-nvram",
    "snapshot-create-as test a; snapshot-revert test a --current",
    "snapshot-revert test a",
    "snapshot-revert nosuch a",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-delete test a; snapshot-list test --parent; "
    "snapshot-current test --name",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-delete test b; snapshot-current test --name",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-delete test a --children; snapshot-list test; "
    "snapshot-current test",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-delete test a --children-only; "
    "snapshot-list test --name; snapshot-current test --name",
    "snapshot-create-as test a; snapshot-delete test a --metadata; snapshot-list test --name",
    "snapshot-create-as test a; snapshot-create-as test b; snapshot-delete test --current; "
    "snapshot-current test --name",
    "snapshot-create-as test a; snapshot-delete test a --children --children-only",
    "snapshot-create-as test a; snapshot-delete test",
    "snapshot-create-as test a; snapshot-delete test nosuch; snapshot-delete test a --current",
    "snapshot-delete nosuch a",
    "snapshot-delete test ''",
    f"{TREE}; snapshot-delete test c; snapshot-list test --tree; snapshot-delete test a --children-only; "
    "snapshot-list test --tree; snapshot-info test a",
    # a failure in the middle does not stop the batch; a parse error anywhere runs nothing
    "snapshot-create-as test a; snapshot-revert test nosuch; snapshot-list test --name",
    "snapshot-create-as test a; snapshot-lst test",
    "snapshot-create-as test a; snapshot-list test --bogus",
]


@pytest.mark.parametrize("batch", CREATE)
def test_create(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", LISTS)
def test_list(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", INFO)
def test_info_current_dumpxml(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", CHANGES)
def test_revert_and_delete(batch):
    assert_same(batch)


def test_the_tree_is_virshs_drawing():
    """Not only the same bytes: the tree the lesson draws has the branches the reverts made."""
    out, _, rc, _ = assert_same(f"{TREE}; snapshot-list test --tree")
    assert rc == 0
    assert out.split("Domain snapshot e created\n", 1)[1] == (
        "a\n  |\n  +- b\n  |   |\n  |   +- e\n  |     \n  +- c\n      |\n      +- d\n        \n\n")


def test_errors_teach():
    *_, hints = assert_same("snapshot-create-as test s1 --disk-only")
    assert any("test driver keeps snapshot metadata" in h for h in hints)
    *_, hints = assert_same("snapshot-info test")
    assert any("--current" in h for h in hints)
    *_, hints = assert_same("snapshot-revert test nosuch")
    assert any("snapshot-list" in h for h in hints)


def test_file_given_to_a_positional_argv():
    """--diskspec is virsh's argv option: words after the name and description are disk specs."""
    out, *_ = assert_same("snapshot-create-as test s1 desc vda,snapshot=internal vdb --print-xml")
    assert "<disk name='vda' snapshot='internal'/>" in out and "<disk name='vdb'/>" in out


def test_help_lists_the_snapshot_group_as_virsh():
    real = run_cmd([VIRSH, "-c", "test:///default", "help snapshot"])[0]
    ours = run_cmd([KVMLAB, "virsh", "-c", "test:///default", "help snapshot"])[0]
    kept = [line for line in real.splitlines(keepends=True)
            if not line.startswith("    ") or line.split()[0] in ours.split()]
    assert ours == "".join(kept)
    assert "snapshot-revert" in ours and "snapshot-create " not in ours
