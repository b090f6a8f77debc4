"""Lessons 4 (4.2, 4.3), 5 and 6 in Chinese: a wrong answer, taken from the solutions' own data, fails with a
Chinese message and hint under set_language("zh"), and with the same English as before after set_language(None)."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson04 as l4
from kvmlab.exercises import lesson05 as l5
from kvmlab.exercises import lesson06 as l6
from kvmlab.exercises.ladder import PROGRESS
from kvmlab.specs import DhcpRange, IpSpec, NetworkSpec

from .conftest import has_chinese as _has_chinese


def _fail(lang, check, *args, **kwargs) -> ExerciseFailed:
    """The first failure of ``check`` in ``lang`` (None: back to the environment's English)."""
    kvmlab.set_language(lang)
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as info:
        check(*args, **kwargs)
    return info.value


def _english_chinese_english(check, *args, **kwargs):
    english = _fail("en", check, *args, **kwargs)
    zh = _fail("zh", check, *args, **kwargs)
    again = _fail(None, check, *args, **kwargs)
    for err in (english, again):
        assert not _has_chinese(err.message + (err.hint or "") + (err.pointer or ""))
    assert (again.message, again.hint, again.pointer) == (english.message, english.hint, english.pointer)
    assert _has_chinese(zh.message) and _has_chinese(zh.hint)
    return english, zh


def test_a_lab_network_with_prefix_16_fails_in_chinese_and_the_same_in_english(conn):
    lab = NetworkSpec(name="lab", mode="nat", bridge="virbr10")  # the solution's network, with prefix 16
    lab.ips.append(IpSpec(address="192.168.150.1", prefix=16,
                          ranges=[DhcpRange(start="192.168.150.100", end="192.168.150.200")]))
    conn.net_define(lab)
    english, zh = _english_chinese_english(l4.check_dhcp_network, conn, attempted=lab)
    assert english.message.startswith("the subnet of 'lab' is 192.168.0.0/16, the task asks for 192.168.150.0/24: "
                                      "prefix 16 (netmask 255.255.0.0) makes it 192.168.0.0/16; to try again: ")
    assert zh.message.startswith("'lab' 的子网是 192.168.0.0/16，任务要求的是 192.168.150.0/24：前缀 16（子网掩码 "
                                 "255.255.0.0）让它成了 192.168.0.0/16；要重试：先 conn.net_undefine(\"lab\")")
    assert zh.hint.startswith("子网就是 <ip> 的地址加上它的前缀")


def test_starting_the_routed_candidate_fails_in_chinese_and_nothing_starts(conn):
    l4.define_candidates(conn)
    english, zh = _english_chinese_english(l4.check_start_line, conn, "virsh net-start blue")
    assert english.message.startswith("'blue' is in route mode (<forward mode='route'/>): routed packets leave")
    assert zh.message.startswith("'blue' 是 route 模式（<forward mode='route'/>）：路由转发的数据包带着客户机自己的地址")
    assert zh.message.endswith("。什么也没有启动")
    assert "blue" not in conn.net_list().names


def test_the_network_named_as_the_bridge_fails_in_chinese(conn):
    english, zh = _english_chinese_english(l5.check_bridge, conn, "default")
    assert english.message == "'default' is the libvirt network, not the Linux bridge"
    assert zh.message == "'default' 是 libvirt 网络，不是 Linux 网桥"
    assert zh.hint.startswith("libvirt 网络是 libvirt 的对象") and zh.pointer.startswith("virsh net-info NETWORK 输出里的")


def test_a_bridge_named_as_the_tap_fails_in_chinese(conn):
    _, zh = _english_chinese_english(l5.check_tap, conn, "virbr0")
    assert zh.message == "virbr0 是网桥（交换机），不是 web01 在上面的端口"


def test_minus_m_2_for_2_gib_fails_in_chinese_and_the_same_in_english():
    line = "qemu-system-x86_64 -enable-kvm -m 2 -smp 2 -hda /var/lib/libvirt/images/ex6.qcow2"
    english, zh = _english_chinese_english(l6.check_command, line)
    assert english.message == "-m 2 is 2 MiB: without a suffix -m counts MiB, not GiB"
    assert zh.message == "-m 2 是 2 MiB：-m 不带后缀时以 MiB 计，不是 GiB"
    assert zh.pointer.startswith("-m N 不带后缀时以 MiB 计；-m NG 以 GiB 计（第 6 课「`-m`：内存，以 MiB 计」）")


def test_memory_in_mib_for_kib_fails_in_chinese():
    english, zh = _english_chinese_english(l6.check_memory_kib, 2048)
    assert english.message.startswith("<memory>2048</memory> would be 2048 KiB = 2 MiB: that is the MiB number")
    assert zh.message.startswith("<memory>2048</memory> 会是 2048 KiB = 2 MiB：这是以 MiB 计的数")
    kvmlab.set_language("zh")
    PROGRESS.reset()
    with pytest.raises(ExerciseFailed) as untried:
        l6.check_command("TODO")
    assert untried.value.message == "命令行：还没有作答"


def test_a_right_answer_is_told_in_chinese_too(conn):
    kvmlab.set_language("zh")
    done = l5.check_bridge(conn, "virbr0")
    assert done.title == "web01 接在 virbr0 上" and str(done).startswith("通过: web01 接在 virbr0 上")
    assert str(l6.check_memory_kib(2048 * 1024)).endswith("libvirt 读回时打印为 <memory unit='KiB'>2097152</memory>")
    kvmlab.set_language(None)
    assert l5.check_bridge(conn, "virbr0").title == "web01 is plugged into virbr0"
