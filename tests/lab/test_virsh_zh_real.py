"""`kvmlab virsh` against real virsh on the real lab (qemu:///system) under zh_CN.UTF-8.

virsh's own words come from libvirt's Chinese catalog on the client; libvirt's message about the
failure comes from the daemon, in the daemon's language (the lab's libvirtd runs in English): both
programs print that mix, byte for byte. Read-only batches on the lab's own network and pool, and
names no engineer uses, so runs in parallel never disturb one another.
"""

from __future__ import annotations

import pytest

import kvmlab.lab as lab
from tests import conftest

pytestmark = pytest.mark.reallab


@pytest.fixture(autouse=True, scope="module")
def _lab_network_and_pool(real_lab):
    """The batches read the lab's own kvmlab-nat and kvmlab-pool: make sure they are there (up is idempotent)."""
    lab.up()

ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
BATCHES = [
    "net-info kvmlab-nat; dominfo zh-nosuch; net-info zh-nosuch; pool-info zh-nosuch",
    "start zh-nosuch; net-start kvmlab-nat; pool-start kvmlab-pool",
    "destory zh-nosuch",
]


@pytest.mark.parametrize("batch", BATCHES)
def test_real_lab_in_chinese_is_virshs(real_lab, batch):
    real, ours = conftest.both(batch, uri=real_lab, env=ZH)
    assert ours[:3] == real


def test_the_daemon_speaks_its_own_language(real_lab):
    """virsh's line is Chinese here; the daemon's follows the locale the lab's libvirtd started in
    (English under CI's C.UTF-8), and kvmlab passes it through untouched either way."""
    real, ours = conftest.both("net-start kvmlab-nat", uri=real_lab, env=ZH)
    first, second = real[1].splitlines()
    assert first == "错误： 开始网络 kvmlab-nat 失败"
    assert second.startswith("错误： ") and second != first
    assert ours[1] == real[1]
