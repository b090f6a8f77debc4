"""The lab's teaching errors and progress lines in Chinese (kvmlab/lab/), English again after."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.lab import containment, guest, guest_image, reach_plan, resources

from .conftest import has_chinese as _cjk


@pytest.mark.parametrize("call", [
    lambda: guest.domain_xml("no spaces allowed"),
    lambda: guest.domain_xml("kvmlab-x", accel="hvf"),
    lambda: guest.domain_xml("kvmlab-x", accel="tcg", memory_mib=8),
    lambda: containment.inspect("a/b"),
    lambda: resources.network_xml("bogus"),
    lambda: reach_plan.network_xml("bogus"),
], ids=["guest name", "accelerator", "memory", "namespace", "lab network", "forward mode"])
def test_a_lab_error_is_chinese_then_english_again(call):
    with pytest.raises(kvmlab.KvmlabError) as english:
        call()
    assert not _cjk(str(english.value))
    kvmlab.set_language("zh")
    with pytest.raises(type(english.value)) as zh:
        call()
    assert _cjk(zh.value.message) and _cjk(zh.value.hint), str(zh.value)
    kvmlab.set_language(None)
    with pytest.raises(type(english.value)) as again:
        call()
    assert str(again.value) == str(english.value)


def test_the_guest_builds_progress_lines_are_chinese():
    lines: list[str] = []
    kvmlab.set_language("zh")
    guest_image.build(progress=lines.append)
    assert lines and lines[0].startswith("内核 ")
    assert any(line.startswith(("已缓存：", "已构建：")) for line in lines), lines
