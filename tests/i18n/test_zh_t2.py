"""Lessons 7, 8 and 9 in Chinese: a wrong answer to one check of each lesson fails with a Chinese message,
hint and pointer under set_language("zh"), and with the same English as before after set_language(None)."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.errors import ExerciseFailed
from kvmlab.exercises import lesson07, lesson08, lesson09
from kvmlab.exercises.ladder import PROGRESS

from .conftest import has_chinese as _has_chinese


def _fail_twice(setup, check, lang):
    """The first two failures (rung 1, then rung 2 with the pointer) of ``check`` on a fresh lab set up by
    ``setup``, in language ``lang``."""
    kvmlab.set_language(lang)
    PROGRESS.reset()
    conn = kvmlab.connect(kvmlab.embedded_uri())
    try:
        setup(conn)
        errs = []
        for _try in range(2):
            with pytest.raises(ExerciseFailed) as info:
                check(conn)
            errs.append(info.value)
        return errs
    finally:
        conn.close()
        PROGRESS.reset()


def _both(setup, check):
    zh = _fail_twice(setup, check, "zh")
    en = _fail_twice(setup, check, None)
    for err in zh:
        assert _has_chinese(err.message) and _has_chinese(err.hint), err
    assert _has_chinese(zh[1].pointer)
    kvmlab.set_language("zh")  # the ladder's framing is worded when it is shown
    assert zh[1].ladder().startswith("提示 2/2。")
    kvmlab.set_language(None)
    assert en[1].ladder().startswith("hint 2/2.")
    for a, b in zip(zh, en):  # the same diagnosis, worded twice: the English is the msgid, never Chinese-only
        assert a.message != b.message and a.hint != b.hint
    return zh, en


LAB7 = ("<domain type='kvm'><name>lab7</name><memory>512</memory><vcpu>2</vcpu>"
        "<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os></domain>")


def test_lesson_7_the_bare_memory_number_in_chinese_and_english():
    zh, en = _both(lambda c: c.define(LAB7), lesson07.check_domain)
    assert zh[0].message.startswith("libvirt 里存的是 512 KiB = 0.50 MiB：<memory> 拿到的是以 MiB 计的数字 512")
    assert '想再试一次：先 conn.undefine("lab7")' in zh[0].message
    assert zh[0].hint == "除非 unit= 指定了别的单位，<memory> 按 KiB 计数；光秃秃的数字就是 KiB"
    assert "第 7 课「<memory>：以 KiB 计，以及“KB”陷阱」" in zh[1].pointer
    assert en[0].message == ("libvirt holds 512 KiB = 0.50 MiB: <memory> got the MiB number 512, and a number "
                             "without unit= counts KiB (the notes' \"KB\"), not MiB — to try again: "
                             "conn.undefine(\"lab7\") first (virsh undefine lab7), then define the fixed XML "
                             "(libvirt refuses a second 'lab7' without the first one's UUID)")
    assert en[1].pointer == ("give <memory> a unit='MiB' attribute, or write the size in KiB (MiB x 1024); "
                             "lesson 7, '<memory>: KiB, and the \"KB\" trap'")


def test_lesson_7_the_broken_xml_half_fixed_in_chinese():
    xml = lesson07.BROKEN_XML.replace("<vcpu>two</vcpu>", "<vcpu>2</vcpu>")
    zh, en = _both(lambda c: None, lambda c: lesson07.check_fixed_xml(c, xml))
    assert zh[0].message.startswith("还剩 3 个问题；第一个：/domain/memory")
    assert zh[0].message.endswith("（接下来：/domain/os/boot, /domain/cpus）")
    assert zh[0].hint == "<memory> 里光秃秃的数字按 KiB 计［发现者：kvmlab 的检查］"
    assert zh[1].pointer == "<memory> 的 unit= 属性；第 7 课「<memory>：以 KiB 计，以及“KB”陷阱」"
    assert en[0].message.startswith("3 problems left; first /domain/memory")
    assert en[0].hint == "a bare number in <memory> counts KiB [found by kvmlab's checks]"
    assert en[1].pointer == "the unit= attribute of <memory>; lesson 7, '<memory>: KiB, and the \"KB\" trap'"


def test_lesson_8_destroy_where_shutdown_was_asked_in_chinese_and_english():
    zh, en = _both(lambda c: c.destroy("web01"), lambda c: lesson08.check_graceful_shutdown(c, "web01"))
    assert zh[0].message.startswith("'web01' 处于 shut off (VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED)：")
    assert zh[0].hint.startswith("正常关闭是请客户机操作系统自己关机")
    assert en[0].message == ("'web01' is shut off (VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED): it was "
                             "destroyed (forced off, like pulling the plug), not shut down")
    assert en[1].pointer == "start it again, then use virsh's command that asks the guest (lesson 8: shutdown vs destroy)"


def test_lesson_8_the_wrong_command_for_a_hung_vm_in_chinese():
    zh, en = _both(lambda c: None, lambda c: lesson08.check_force_line(c, "virsh shutdown db01"))
    assert zh[0].message == "shutdown 不能强制关闭虚拟机"
    assert en[0].message == "shutdown does not force a VM off"
    assert en[0].hint.startswith("shutdown only asks the guest to power off")


def test_lesson_9_net_undefine_where_net_destroy_was_asked_in_chinese_and_english():
    zh, en = _both(lambda c: None, lambda c: lesson09.check_stop_command(c, "virsh net-undefine routed"))
    assert zh[0].message == "net-undefine 不能在停止网络的同时保留它"
    assert zh[0].hint.startswith("net-undefine 删除的是网络的定义")
    assert zh[1].pointer.startswith("停止网络的那条 net- 命令会保留网络的定义")
    assert en[0].message == "net-undefine does not stop a network and keep it"
    assert en[1].pointer == ("the net- command that stops a network keeps its definition, despite its name "
                             "(lesson 9, 'net-destroy — 停止网络')")


def test_lesson_9_two_commands_in_one_string_are_caught_in_both_languages():
    line = ["virsh net-start isolated; virsh net-autostart isolated"]
    zh, en = _both(lambda c: None, lambda c: lesson09.check_autostart(c, line))
    assert zh[0].message == f"{line[0]!r} 里有 2 条命令：列表中的每个字符串只能放一条命令"
    assert en[0].message == f"{line[0]!r} holds 2 commands: each string of the list holds one command"
