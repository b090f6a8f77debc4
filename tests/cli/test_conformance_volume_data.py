"""`kvmlab virsh` vs real virsh on test:///default: vol-clone, vol-resize, vol-upload, vol-download,
pool-delete (lesson 13). The test driver clones and deletes pools; it has no resize, upload or download,
so there both print libvirt's refusal, byte for byte. tests/lab/test_disk_real.py compares the same
commands on the real lab, where they work.
"""

from __future__ import annotations

import pytest

from ..conftest import assert_same

P = "default-pool"

CLONES = [
    f"vol-create-as {P} v1 1M --format qcow2; vol-clone v1 v2 --pool {P}; vol-list {P} --details; "
    f"vol-dumpxml v2 --pool {P}",
    f"vol-create-as {P} v1 1M; vol-clone /default-pool/v1 v3; vol-info v3 --pool {P}",
    f"vol-create-as {P} v1 1M; vol-clone --vol v1 --newname v4 --pool {P}; vol-clone v1 v1 --pool {P}",
    f"vol-create-as {P} v1 1M --format qcow2; vol-clone v1 v2 --pool {P} --print-xml; vol-list {P}",
    f"vol-create-as {P} v1 1M; vol-clone v1 'né' --pool {P} --print-xml; vol-clone v1 'a<b>' --pool {P} --print-xml",
    f"vol-create-as {P} base 1M --format qcow2; vol-create-as {P} top 1M --format qcow2 --backing-vol base "
    f"--backing-vol-format qcow2; vol-clone top top2 --pool {P}; vol-dumpxml top2 --pool {P}",
    f"vol-create-as {P} v1 1M; vol-clone v1 v2 --pool {P} --prealloc-metadata; vol-clone v1 v2 --pool {P} --reflink",
    f"vol-clone nosuch v2; vol-clone nosuch v2 --pool {P}; vol-clone x v2 --pool nosuch",
    f"vol-create-as {P} v1 1M; vol-clone v1 '' --pool {P}; vol-clone nosuch ''",
    "vol-clone; vol-clone v1",
    f"vol-create-as {P} v1 1M; pool-destroy {P}; vol-clone v1 v2 --pool {P}",
]

RESIZES = [
    f"vol-create-as {P} v1 1M; vol-resize v1 2M --pool {P}; vol-resize v1 1M --pool {P} --delta",
    f"vol-create-as {P} v1 1M; vol-resize v1 -1M --pool {P}; vol-resize v1 -1M --pool {P} --shrink; "
    f"vol-resize v1 ' -1M' --pool {P} --shrink",
    f"vol-create-as {P} v1 1M; vol-resize v1 1.5M --pool {P}; vol-resize v1 1X --pool {P}; "
    f"vol-resize v1 '' --pool {P}; vol-resize nosuch 1M --pool {P}",
    f"vol-create-as {P} v1 1M; vol-resize v1 2M --pool {P} --allocate --shrink",
]

TRANSFERS = [
    f"vol-create-as {P} v1 1M; vol-upload v1 /etc/hostname --pool {P}; vol-download v1 /dev/null --pool {P}",
    f"vol-create-as {P} v1 1M; vol-upload v1 /nonexistent --pool {P}; vol-download v1 /nonexistent/x --pool {P}",
    f"vol-create-as {P} v1 1M; vol-upload v1 /etc/hostname --pool {P} --offset 1M; "
    f"vol-upload v1 /etc/hostname --pool {P} --offset -1; vol-upload v1 /etc/hostname --pool {P} --length -1; "
    f"vol-download v1 /dev/null --pool {P} --length 99999999999999999999; "
    f"vol-download v1 /dev/null --pool {P} --offset ''; vol-download v1 /dev/null --pool {P} --offset ' 5'",
    f"vol-upload nosuch /etc/hostname --pool {P}; vol-download nosuch /dev/null; vol-upload x y --offset z",
    f"vol-create-as {P} v1 1M; vol-upload v1 '' --pool {P}; vol-upload v1 /etc/hostname --pool {P} --sparse",
    "vol-upload; vol-download v1",
]

POOL_DELETES = [
    f"pool-delete {P}; pool-destroy {P}; pool-delete {P}; pool-delete {P}; pool-list --all; pool-start {P}",
    "pool-delete nosuch; pool-delete ''; pool-delete",
    f"pool-destroy {P}; pool-delete --pool {P}; pool-undefine {P}; pool-delete {P}",
]


@pytest.mark.parametrize("batch", CLONES)
def test_vol_clone(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", RESIZES)
def test_vol_resize(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", TRANSFERS)
def test_vol_upload_and_download(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", POOL_DELETES)
def test_pool_delete(batch):
    assert_same(batch)


def test_a_malformed_number_fails_its_command_only():
    """virsh reads --offset when the command runs: the rest of the batch still runs."""
    ours = assert_same(f"vol-create-as {P} v1 1M; vol-upload v1 /etc/hostname --pool {P} --offset 1M; vol-list {P}")
    assert " v1 " in ours[0] and any("digits only" in h for h in ours[3])


def test_the_refusals_teach():
    ours = assert_same(f"vol-create-as {P} v1 1M; vol-upload v1 /etc/hostname --pool {P}")
    assert any("real lab" in h for h in ours[3])
    ours = assert_same(f"pool-delete {P}")
    assert any(f"pool-destroy {P}" in h for h in ours[3])
