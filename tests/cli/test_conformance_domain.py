"""`kvmlab virsh` vs real virsh on test:///default: domain commands."""

import pytest

from ..conftest import assert_same

BATCHES = [
    "list",
    "list --all",
    "list --inactive",
    "list --all; list --inactive; list",
    "list --bogus",
    "destory test",
    "list; destory test",
]


@pytest.mark.parametrize("batch", BATCHES)
def test_batch_matches_virsh(batch):
    assert_same(batch)


def test_typo_gets_a_hint():
    ours = assert_same("destory test")
    assert ours[3] == ["kvmlab hint: did you mean 'destroy'? (destroy = forced power-off; shutdown = graceful)\n"]
