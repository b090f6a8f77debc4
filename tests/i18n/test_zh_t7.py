"""kvmlab's widgets, specs, virsh front end, units and CLI in Chinese (issue 12 item 2): a form built after
set_language("zh") shows Chinese labels, one built after set_language(None) the English it always had."""

from __future__ import annotations

import pytest

import kvmlab

from .conftest import has_chinese as _has_chinese


def _labels(form) -> dict[str, str]:
    return {"name": form.name.description, "memory": form.memory.description, "disk": form.disk.description,
            "define": form.define_button.description, "create": form.create_button.description,
            "tooltip": form.define_button.tooltip, "placeholder": form.disk.placeholder}


def test_a_domain_form_built_in_chinese_has_chinese_labels_and_english_after(conn):
    from kvmlab.widgets import DomainForm

    english = DomainForm(conn)
    before = _labels(english)
    assert before == {"name": "name", "memory": "memory", "disk": "disk", "define": "Define", "create": "Create",
                      "tooltip": "virsh define: register the domain (it stays shut off)",
                      "placeholder": "image path (empty: no disk)"}
    english.close()

    kvmlab.set_language("zh")
    form = DomainForm(conn)
    zh = _labels(form)
    assert (zh["name"], zh["memory"], zh["define"], zh["create"]) == ("名称", "内存", "定义", "创建")
    assert all(_has_chinese(text) for text in zh.values())
    assert zh["tooltip"].startswith("virsh define：")  # the command stays as it is
    assert "XML 预览" in form.children[-2].value and "virsh define" in form.children[-2].value
    assert "有效" in form.messages.value  # the validation line of a valid spec
    assert "hvm：" in dict((v, k) for k, v in form.os_type.options)["hvm"]
    form.memory.value, form.memory_unit.value = 1, "GiB"
    assert "1 GiB = <b>1048576 KiB</b>" in form.memory_note.value and "笔记" in form.memory_note.value
    form.close()

    kvmlab.set_language(None)
    again = DomainForm(conn)
    assert _labels(again) == before
    again.close()


def test_the_other_widgets_speak_chinese_too(conn):
    from kvmlab.widgets import Dashboard, NetworkForm, PoolForm, SnapshotTree, VolumePanel, XmlEditor

    kvmlab.set_language("zh")
    net = NetworkForm(conn)
    assert (net.mode.description, net.define_start_button.description) == ("模式", "定义并启动")
    assert "NAT" in net.mode_note.value and _has_chinese(net.mode_note.value)
    assert "子网" in net.subnet_note.value
    pool = PoolForm(conn)
    assert pool.setup_button.description == "定义、构建、启动" and _has_chinese(pool.type_note.value)
    dash = Dashboard(conn, events=False)
    row = dash.row("web01")
    assert (row.start_button.description, row.destroy_button.description) == ("启动", "强制关机")
    assert row.start_button.tooltip.startswith("virsh start：")
    assert "虚拟机（virsh list --all）" in dash.children[0].value and "读取" in dash.source.value
    tree = SnapshotTree(conn, "web01")
    assert tree.create_button.description == "拍快照" and "还没有快照" in tree.tree.value
    tree.revert_button.click()
    assert "先在列表里选一个快照" in tree.status.value
    vols = VolumePanel(conn, events=False)
    assert vols.create_button.description == "创建卷"
    ed = XmlEditor(conn, "web01")
    assert (ed.apply_button.description, ed.diff_button.description) == ("应用", "对比")
    for w in (net, pool, dash, tree, vols, ed):
        w.close()

    kvmlab.set_language(None)
    dash = Dashboard(conn, events=False)
    assert dash.row("web01").destroy_button.description == "destroy"
    assert "Domains (virsh list --all)" in dash.children[0].value
    dash.close()


def test_kvmlab_hint_after_a_virsh_typo_is_chinese_and_virsh_error_line_stays(conn):
    english = conn.virsh("destory web01")
    assert "kvmlab hint: did you mean 'destroy'? (destroy = forced power-off; shutdown = graceful)" in english.stderr
    kvmlab.set_language("zh")
    zh = conn.virsh("destory web01")
    assert "kvmlab hint: 你是不是想输入 'destroy'？（destroy = 强制关机；shutdown = 正常关机）" in zh.stderr
    kvmlab.set_language(None)
    assert conn.virsh("destory web01").stderr == english.stderr


def test_a_bad_size_and_bad_xml_are_explained_in_chinese():
    from kvmlab.specs import DomainSpec
    from kvmlab.units import parse_size

    kvmlab.set_language("zh")
    with pytest.raises(kvmlab.InvalidInput) as size:
        parse_size("12 apples", what="memory")
    assert size.value.message == "memory '12 apples' 的单位 'apples' 无法识别"
    assert size.value.hint.startswith("libvirt 认识 b, bytes,") and "unknown suffix 'apples'" in size.value.hint
    with pytest.raises(kvmlab.KvmlabError) as xml:
        DomainSpec.from_xml("<domain><name>x</domain>")
    assert xml.value.message.startswith("XML 格式不正确（第 1 行）：") and _has_chinese(xml.value.hint)
    kvmlab.set_language(None)
    with pytest.raises(kvmlab.InvalidInput) as again:
        parse_size("12 apples", what="memory")
    assert again.value.message == "memory '12 apples' has an unknown unit 'apples'"


def test_a_spec_problem_shown_in_the_form_is_chinese(conn):
    from kvmlab.specs import DomainSpec, NetworkSpec
    from kvmlab.widgets import DomainForm

    english = [p.message for p in DomainSpec(name="vm1", memory="512").problems()]
    assert any(m.startswith("<memory unit='KiB'>512</memory> is 512 KiB = 0.50 MiB, far too small to boot.") for m in english)
    kvmlab.set_language("zh")
    zh = [p.message for p in DomainSpec(name="vm1", memory="512").problems()]
    assert any(m.startswith("<memory unit='KiB'>512</memory> 是 512 KiB = 0.50 MiB，小得根本无法启动。") for m in zh)
    assert any("kvmlab 有意更严格" in m for m in zh)
    form = DomainForm(conn)
    form.memory.value, form.memory_unit.value = 0, "MiB"
    assert "<memory> 是 0" in form.messages.value.replace("&lt;", "<").replace("&gt;", ">")
    form.close()
    net = NetworkSpec.from_xml("<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                               "<range start='10.0.0.9' end='10.0.0.2'/></dhcp></ip></network>")
    assert "DHCP 范围 10.0.0.9 - 10.0.0.2 写反了" in [p.message for p in net.problems()]
    kvmlab.set_language(None)
    assert [p.message for p in DomainSpec(name="vm1", memory="512").problems()] == english
