"""Lessons 13-18's checks in Chinese: one wrong answer per lesson fails with a Chinese message and hint under
set_language("zh"), and with the very same English as before after set_language(None).

Only what runs on the embedded lab (test:///default) or on plain data: the checks that need the real lab's
guests (a hot-plugged disk seen inside, a reverted guest's files) are not exercised here."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises.ladder import PROGRESS

from .conftest import has_chinese as _has_chinese


def _fail(check, *args, **kwargs) -> ExerciseFailed:
    PROGRESS.reset()  # the same rung each time: the first failure, hint = the idea
    with pytest.raises(ExerciseFailed) as info:
        check(*args, **kwargs)
    return info.value


def _zh_then_english(check, *args, **kwargs) -> tuple[ExerciseFailed, ExerciseFailed]:
    """The failure in English, in Chinese, and in English again (byte for byte the first one)."""
    english = _fail(check, *args, **kwargs)
    assert not _has_chinese(english.message)  # (an English hint may gloss a term in Chinese: 覆盖镜像)
    kvmlab.set_language("zh")
    zh = _fail(check, *args, **kwargs)
    assert _has_chinese(zh.message) and _has_chinese(zh.hint), (zh.message, zh.hint)
    assert zh.hint != english.hint
    kvmlab.set_language(None)
    again = _fail(check, *args, **kwargs)
    assert (again.message, again.hint, again.pointer) == (english.message, english.hint, english.pointer)
    return english, zh


def test_lesson13_a_new_empty_disk_is_not_an_overlay_in_chinese():
    from kvmlab.exercises import lesson13

    ws = lesson13.workspace()
    try:
        ws.create("web.qcow2", "64M", format="qcow2")  # no backing file: a new, empty disk
        english, zh = _zh_then_english(lesson13.check_overlay, ws)
        assert english.message == "web.qcow2 has no backing file: it is a new, empty disk"
        assert zh.message == "web.qcow2 没有后备文件：它是一块新的空磁盘"
        assert zh.hint.startswith("覆盖镜像（overlay）是一个新建的")
    finally:
        ws.tidy()


def test_lesson14_print_xml_takes_no_snapshot_in_chinese(conn):
    from kvmlab.exercises import lesson14

    lab = lesson14.exercise_lab(conn, progress=None)
    line = f"virsh snapshot-create-as {lab.domain} clean --print-xml"
    english, zh = _zh_then_english(lesson14.check_snapshot_line, conn, line)
    assert english.message == "--print-xml only prints the <domainsnapshot> document: nothing is taken"
    assert zh.message == "--print-xml 只打印 <domainsnapshot> 文档：什么快照也没拍"
    assert "演练" in zh.hint and lesson14.snapshot_names(conn, lab.domain) == []


def test_lesson15_destroy_and_the_mac_in_chinese(conn):
    from kvmlab.exercises import lesson15

    lab = lesson15.exercise_lab(conn, progress=None)
    english, zh = _zh_then_english(lesson15.check_ready_line, conn, f"destroy {lab.template}")
    assert english.message.startswith("destroy pulls the plug: the guest stops at once")
    assert zh.message.startswith("destroy 等于拔电源") and "完整" in zh.hint
    assert conn.domstate(lab.template).state == "running"  # the wrong line ran nothing

    answers = {thing: who for thing, (who, _why) in lesson15.THINGS.items()}
    answers["mac"] = "nobody"  # the hand-made clone's mistake
    english, zh = _zh_then_english(lesson15.check_who_changes, answers)
    assert english.message == "1 of 9 not right: the MAC left alone is the hand-made clone's mistake"
    assert zh.message == "9 项中有 1 项不对：MAC 不改正是手工克隆的常见错误"
    assert english.pointer.startswith("lesson 15, 'Ask each clone from inside': one MAC on two cards")
    kvmlab.set_language("zh")
    assert _fail(lesson15.check_who_changes, answers).pointer.startswith("第 15 课「从内部逐个询问克隆」：同一网络上")


def test_lesson16_live_alone_in_chinese(conn):
    from kvmlab.exercises import lesson16

    lab = lesson16.exercise_lab(conn, progress=None)
    line = f"virsh attach-disk {lab.domain} {lab.disk} vdb --live"
    english, zh = _zh_then_english(lesson16.check_attach_line, lab, line, lab.domain, lab.disk, "vdb")
    assert english.message == "--live changes the running guest only: the next boot would not have the disk"
    assert zh.message == "--live 只修改运行中的客户机：下次启动时就没有这块磁盘了"
    assert zh.hint.startswith("运行中的客户机和它保存的定义是两回事")

    english, zh = _zh_then_english(lesson16.check_attach_line, lab, f"virsh attach-disk {lab.domain} {lab.disk} vdb",
                                   lab.domain, lab.disk, "vdb")
    assert english.message.startswith("without an option (= --current) changes the running guest only")
    assert zh.message.startswith("不加选项（= --current） 只修改运行中的客户机")


def test_lesson17_an_installer_is_not_an_import_in_chinese(conn):
    from kvmlab.exercises import lesson17

    disk = lesson17.exercise_disk(conn)
    try:
        line = (f"virt-install --name {lesson17.EXERCISE_VM} --memory 128 --cdrom /tmp/debian.iso --disk {disk} "
                "--osinfo linux2022 --network none --graphics none")
        english, zh = _zh_then_english(lesson17.check_import_line, conn, line, disk)
        assert english.message == "--cdrom boots an installer from an ISO: it would install an OS onto the disk"
        assert zh.message == "--cdrom 从 ISO 启动安装程序：它会往磁盘上安装一个操作系统"
        assert zh.hint.startswith("磁盘上已经有装好的操作系统（云镜像）")
    finally:
        lesson17.remove_files(conn)


def test_lesson18_the_system_uri_in_chinese():
    from kvmlab.exercises import lesson18

    english, zh = _zh_then_english(lesson18.check_nonroot_uri, "qemu:///system", "virsh list --all")
    assert english.message.startswith("qemu:///system is what root's virsh opens")
    assert zh.message.startswith("qemu:///system 是 root 的 virsh 打开的")
    assert zh.hint.startswith("不加 -c 时，virsh 先取 $LIBVIRT_DEFAULT_URI")

    english, zh = _zh_then_english(lesson18.check_nonroot_uri, "qemu:///session", "virsh list")
    assert english.message == "fix: without --all, virsh list shows only running VMs; the defined one is shut off"
    assert zh.message == "fix：不加 --all，virsh list 只显示运行中的虚拟机；而定义好的那台是关机状态"
