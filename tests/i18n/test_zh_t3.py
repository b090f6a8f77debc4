"""Lessons 10, 11 and 12 in Chinese: one wrong answer to a check of each lesson (the classic mistakes the
solutions notebooks show) fails with a Chinese message and hint under set_language("zh"), and with the
same English text as before once the language is handed back (set_language(None))."""

from __future__ import annotations

import pytest

import kvmlab
import kvmlab.lab
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson10 as l10
from kvmlab.exercises import lesson11 as l11
from kvmlab.exercises import lesson12 as l12
from kvmlab.exercises.ladder import PROGRESS
from kvmlab.lab.reach_lab import reach_lab

from .conftest import has_chinese as _has_chinese


def _fails(call, *args, **kwargs) -> ExerciseFailed:
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as info:
        call(*args, **kwargs)
    return info.value


def test_a_gb_volume_fails_in_chinese_and_the_same_in_english(conn):
    # exercise 10.3's classic mistake (solutions notebook): 2GB where 2 GiB was meant; the check runs the line
    line = "virsh vol-create-as default data-gb.qcow2 2GB --format qcow2"
    args = (l10.check_volume_capacity, conn, line, "data-gb.qcow2")
    english = _fails(*args, pool="default", gib=2)
    assert english.message == ("'data-gb.qcow2' holds 2000000000 bytes = 1.86 GiB: that is 2GB (10^9 bytes each), "
                               "not 2 GiB")
    assert english.hint.startswith("sizes come in decimal units") and not _has_chinese(str(english))
    kvmlab.set_language("zh")
    zh = _fails(*args, pool="default", gib=2)  # the volume from the first run is read back, not made again
    assert zh.message == ("'data-gb.qcow2' 的容量是 2000000000 字节 = 1.86 GiB：这是 2GB（每 GB 为 10^9 字节），"
                          "不是 2 GiB（这条命令之前运行过：这个卷是那次运行创建的）")
    assert zh.hint.startswith("大小的单位有十进制的") and _has_chinese(zh.pointer)
    assert "第 10 课第二部分「`vol-create-as` — 创建存储卷」" in zh.pointer
    kvmlab.set_language(None)
    again = _fails(*args, pool="default", gib=2)
    assert again.message == english.message + " (this line ran before: the volume is from that run)"
    assert again.hint == english.hint and again.pointer == english.pointer
    conn.vol_delete("data-gb.qcow2", pool="default")


def test_a_missing_pool_fails_in_chinese_and_the_same_in_english(conn):
    english = _fails(l10.check_stopped_kept, conn, "lab")  # 10.4a: no pool 'lab' was ever defined here
    assert english.message == "there is no pool 'lab': it was never defined, or pool-undefine deleted its definition"
    kvmlab.set_language("zh")
    zh = _fails(l10.check_stopped_kept, conn, "lab")
    assert zh.message == "没有存储池 'lab'：它从未被定义过，或者 pool-undefine 删除了它的定义"
    assert zh.hint.startswith("单独的 pool-destroy 只是停止存储池") and _has_chinese(zh.pointer)
    kvmlab.set_language(None)
    assert _fails(l10.check_stopped_kept, conn, "lab").message == english.message


def test_domiflist_for_the_address_fails_in_chinese_and_the_same_in_english(conn):
    # exercise 11.1's classic first try (solutions notebook): domiflist shows the card but no address
    guest = kvmlab.lab.lesson_guest(conn, l11.GUEST, progress=None)
    ip, mac = l11.guest_cards(conn)[0][2], l11.guest_cards(conn)[0][0]
    line = f"domiflist {guest.name}"
    english = _fails(l11.check_address, conn, line, ip, mac)
    assert english.message == ("domiflist: domiflist lists the guest's cards from its XML (type, network, model, "
                               "MAC): the XML holds no address")
    assert english.hint.startswith("a guest's address is not in its definition") and not _has_chinese(str(english))
    kvmlab.set_language("zh")
    zh = _fails(l11.check_address, conn, line, ip, mac)
    assert zh.message == "domiflist：domiflist 根据 XML 列出客户机的网卡（类型、网络、型号、MAC）：XML 里没有地址"
    assert zh.hint.startswith("客户机的地址不在它的定义里") and zh.pointer.startswith("第 11 课「查找客户机的地址」")
    assert zh.ladder().startswith("提示 1/2。")
    kvmlab.set_language(None)
    again = _fails(l11.check_address, conn, line, ip, mac)
    assert (again.message, again.hint, again.pointer) == (english.message, english.hint, english.pointer)


def test_a_wrong_console_key_fails_in_chinese(conn):
    kvmlab.lab.lesson_guest(conn, l11.GUEST, progress=None)
    kvmlab.set_language("zh")
    zh = _fails(l11.check_console, conn, "ttyS0", "Ctrl-C")
    assert zh.message == "key：Ctrl-C 会发给客户机（中断客户机里的命令）；virsh 仍保持连接"
    assert zh.hint.startswith("virsh console 把你的终端置于原始模式")
    kvmlab.set_language(None)
    assert _fails(l11.check_console, conn, "ttyS0", "Ctrl-C").message == (
        "key: Ctrl-C goes to the guest (it interrupts the guest's command); virsh stays connected")


def test_too_few_changed_cells_fail_in_chinese_and_the_same_in_english(conn):
    # exercise 12.1's first try (solutions notebook): only the routed network's two cells
    lab12 = reach_lab(conn, progress=None)
    changed = {("route", "outside"), ("outside", "route")}
    english = _fails(l12.check_route_back, lab12, changed)
    assert "changes too: measured yes with the route, no without it: " in english.message
    assert english.message.endswith(" (6 cell(s) missing in all)")
    assert english.hint.startswith("a guest that keeps its own address is answered only by whoever knows")
    kvmlab.set_language("zh")
    zh = _fails(l12.check_route_back, lab12, changed)
    assert "也会变化：有路由时测得「通」，没有路由时「不通」：" in zh.message and zh.message.endswith("（一共漏了 6 格）")
    assert zh.hint.startswith("保留自己地址的客户机") and zh.pointer.startswith("对每个有一端在局域网上的格子")
    kvmlab.set_language(None)
    again = _fails(l12.check_route_back, lab12, changed)
    assert (again.message, again.hint, again.pointer) == (english.message, english.hint, english.pointer)


def test_a_mode_that_forwards_fails_in_chinese(conn):
    lab12 = reach_lab(conn, progress=None)
    kvmlab.set_language("zh")
    zh = _fails(l12.check_isolated_line, conn, "virsh net-dumpxml kvmlab-net12-route")
    assert zh.message == "'kvmlab-net12-route' 有 <forward mode='route'>：它会转发，不是隔离网络"
    assert zh.hint == "隔离网络就是 XML 里根本没有 <forward> 元素的网络"
    kvmlab.set_language(None)
    assert _fails(l12.check_isolated_line, conn, "virsh net-dumpxml kvmlab-net12-route").message == (
        "'kvmlab-net12-route' has <forward mode='route'>: it forwards, it is not isolated")
    assert lab12 is not None


def test_a_right_answer_is_worded_in_chinese_too(conn):
    english = str(l10.check_removed(conn, "scratch"))  # 10.4b: no pool 'scratch' is left
    assert "'scratch' is gone" in english and "pool-list --all no longer lists it" in english
    kvmlab.set_language("zh")
    zh = str(l10.check_removed(conn, "scratch"))
    assert "'scratch' 已经没有了" in zh and "pool-list --all 不再列出它" in zh
    kvmlab.set_language(None)
    assert str(l10.check_removed(conn, "scratch")) == english
