"""A right answer is confirmed in Chinese when it is chosen (helper p1): the Passed title and details of
lessons 1, 2, 3, 8, 9, 15 and 18 are Chinese under set_language("zh") and byte-identical English after
set_language(None). The right answers are those of exercises/solutions/*.ipynb. Also the concept texts
p1 translated: bridge_demo's reasons and HOW_TO_GO_LIVE, and qemu_img's hints."""

from __future__ import annotations

import shutil

import pytest

import kvmlab
from kvmlab.concepts import bridge_demo, qemu_img
from kvmlab.errors import KvmlabError
from kvmlab.exercises import lesson01, lesson02, lesson03, lesson08, lesson09, lesson15, lesson18
from kvmlab.exercises.ladder import PROGRESS

from .conftest import has_chinese as _has_chinese


def _fresh():
    return kvmlab.connect(kvmlab.embedded_uri())


def _lesson08_force(conn):
    return lesson08.check_force_line(conn, "virsh destroy db01", "db01")


def _lesson08_force_twice(conn):
    lesson08.check_force_line(conn, "virsh destroy db01", "db01")
    return lesson08.check_force_line(conn, "virsh destroy db01", "db01")  # the cell run a second time


def _lesson08_deleted(conn):
    conn.undefine("backup")
    return lesson08.check_deleted(conn, "backup")


def _lesson09_removed(conn):
    from kvmlab.specs import NetworkSpec

    scratch = NetworkSpec(name="scratch", mode="isolated", bridge="virbr30")
    scratch.add_ip("192.168.170.0/24")
    conn.net_define(scratch)
    conn.net_start("scratch")
    conn.net_destroy("scratch")
    conn.net_undefine("scratch")
    return lesson09.check_removed(conn, "scratch")


def _lesson09_autostart(conn):
    return lesson09.check_autostart(conn, ["virsh net-start isolated", "virsh net-autostart isolated"])


MODES = {code: mode for code, (mode, _why) in lesson02.OPERATIONS.items()}
WHO_GOES_DOWN = {"A": "process", "B": "process", "C": "guest", "D": "guest", "E": "host", "F": "process"}
WHO_CHANGES = {
    "name": "virt-clone", "uuid": "virt-clone", "mac": "virt-clone", "disk file": "virt-clone",
    "hostname": "virt-sysprep", "machine-id": "virt-sysprep", "ssh host keys": "virt-sysprep",
    "memory size": "nobody", "network": "nobody",
}

# lesson -> a right answer (conn: a fresh embedded lab), from the solutions notebooks
RIGHT = {
    "1.1": lambda conn: lesson01.check_layers({"A": "virsh", "B": "libvirt", "C": "libvirtd", "D": "QEMU", "E": "KVM"}),
    "2.1": lambda conn: lesson02.check_modes(MODES),
    "2.2": lambda conn: lesson02.check_who_goes_down(WHO_GOES_DOWN),
    "3.1": lambda conn: lesson03.check_roles({"cpu": "KVM", "memory": "KVM", "io": "QEMU", "management": "libvirt"}),
    "3.2": lambda conn: lesson03.check_virtio_blk("virtio-blk-pci"),
    "8.3": _lesson08_force,
    "8.3 again": _lesson08_force_twice,
    "8.5": _lesson08_deleted,
    "9.2": _lesson09_removed,
    "9.3": _lesson09_autostart,
    "15.3": lambda conn: lesson15.check_who_changes(WHO_CHANGES),
    "18.3": lambda conn: lesson18.check_nonroot_uri("qemu:///session", "virsh -c qemu:///system list --all"),
}


def _passed(case: str) -> str:
    PROGRESS.reset()
    conn = _fresh()
    try:
        done = RIGHT[case](conn)
    finally:
        conn.close()
    assert done
    return str(done)


@pytest.mark.parametrize("case", sorted(RIGHT))
def test_a_right_answer_is_confirmed_in_chinese_and_the_same_in_english(case):
    english = _passed(case)
    assert not _has_chinese(english.replace("用户模式", "").replace("内核模式", ""))
    kvmlab.set_language("zh")
    zh = _passed(case)
    title, *details = zh.splitlines()
    assert title.startswith("通过: ") and _has_chinese(title.removeprefix("通过: ")), zh
    assert any(_has_chinese(d) for d in details), zh
    kvmlab.set_language(None)
    assert _passed(case) == english


def test_the_english_words_are_the_old_ones():
    assert str(_passed("8.5")) == ("passed: 'backup' is gone\n"
                                   "  - undefine deleted its definition; list --all no longer shows it\n"
                                   "  - its disk image stays: undefine deletes storage only with --remove-all-storage")
    assert _passed("3.1").splitlines()[0] == "passed: KVM: CPU and memory; QEMU: I/O; libvirt: management"


def test_the_bridge_demo_says_why_not_live_in_chinese():
    def refusal() -> KvmlabError:
        conn = _fresh()
        try:
            with pytest.raises(KvmlabError) as info:
                bridge_demo.run(conn, "web01", live=True)
        finally:
            conn.close()
        return info.value

    english = refusal()
    assert "This is the embedded lab (libvirt's test driver)" in english.message
    assert english.hint == bridge_demo.HOW_TO_GO_LIVE
    kvmlab.set_language("zh")
    zh = refusal()
    assert "内嵌实验环境" in zh.message and zh.hint.startswith("要真实运行：") and "`sudo kvmlab lab up`" in zh.hint
    kvmlab.set_language(None)
    again = refusal()
    assert (again.message, again.hint) == (english.message, english.hint)


@pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img is not installed")
def test_a_qemu_img_hint_is_chinese(tmp_path):
    def failure() -> KvmlabError:
        with pytest.raises(KvmlabError) as info:
            qemu_img.run("qemu-img", ["info", str(tmp_path / "no-such.qcow2")])
        return info.value

    english = failure()
    kvmlab.set_language("zh")
    zh = failure()
    assert _has_chinese(zh.hint) and zh.hint != english.hint
    kvmlab.set_language(None)
    assert failure().hint == english.hint
