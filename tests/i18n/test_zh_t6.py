"""The lesson helpers of kvmlab/concepts/ teach in Chinese when it is chosen: one wrong call per helper
(offline, or on the embedded lab's test driver) raises its teaching error with a Chinese message and
hint under set_language("zh"), and exactly the English one again after set_language(None)."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.concepts import (accel, bridge_demo, bridges, broken_vm, clone_lab, crash, disk_images, hardware,
                             host_check, host_daemons, hotplug_guest, install_lab, modes, nocloud, qemu_img,
                             qemuflags, reach_evidence, reachability, snapshot_guest, topology, virt_install,
                             xml_compare)
from kvmlab.errors import KvmlabError

from .conftest import has_chinese as _has_chinese


class _NoPanicDom:
    """A domain whose XML has no <panic> device (crash.crash_ready refuses it)."""

    def XMLDesc(self, flags: int) -> str:
        return "<domain type='test'><name>kvmlab-crash</name><devices/></domain>"

    def name(self) -> str:
        return "kvmlab-crash"


# helper -> a wrong call (conn: a fresh embedded lab); every one of these hints is prose, not a bare command
CASES = {
    "bridge_demo": lambda conn: bridge_demo._port(conn, "no-such-guest"),
    "bridges": lambda conn: bridges.brif("not/a/bridge"),
    "broken_vm": lambda conn: broken_vm._check("not-the-lab", "missing-kernel"),
    "clone_lab": lambda conn: clone_lab._check("not-the-lab"),
    "crash": lambda conn: crash.crash_ready(_NoPanicDom()),
    "disk_images": lambda conn: disk_images.space_use("/nonexistent/kvmlab-t6/base.qcow2"),
    "hardware": lambda conn: hardware.PausedQemu("tcg", smp=0),
    "host_check": lambda conn: host_check.parse_validate("nothing checked here"),
    "host_daemons": lambda conn: host_daemons.default_uri(-1),
    "hotplug_guest": lambda conn: hotplug_guest.hotplug_lab(conn, "not-the-lab"),
    "install_lab": lambda conn: install_lab.install_lab(conn, "not-the-lab", progress=None),
    "modes": lambda conn: modes.privileged_child("no-such-instruction"),
    "nocloud": lambda conn: nocloud.default_seed("not a hostname!"),
    "qemu_img": lambda conn: qemu_img.create("base.qcow2"),
    "qemuflags": lambda conn: qemuflags.flags_to_spec("qemu-system-x86_64 -no-such-flag 1"),
    "reach_evidence": lambda conn: reach_evidence._run(["/nonexistent/kvmlab-t6-tool"]),
    "reach_matrix": lambda conn: reachability.recording().cell("nowhere", "nobody"),
    "reachability": lambda conn: reachability.measure(None, situation="no such situation"),
    "snapshot_guest": lambda conn: snapshot_guest.snapshot_lab(conn, "not-the-lab", progress=None),
    "topology": lambda conn: topology._root(42),
    "virt_install": lambda conn: virt_install._argv(42),
    "xml_compare": lambda conn: xml_compare._parse("", "left"),
}


def _raise(call, conn) -> KvmlabError:
    with pytest.raises(KvmlabError) as info:
        call(conn)
    return info.value


@pytest.mark.parametrize("helper", sorted(CASES))
def test_a_concepts_helper_teaches_in_chinese_and_the_same_in_english_again(helper, conn):
    call = CASES[helper]
    english = _raise(call, conn)
    assert not _has_chinese(str(english)) and english.hint
    kvmlab.set_language("zh")
    zh = _raise(call, conn)
    assert _has_chinese(zh.message), zh.message
    assert _has_chinese(zh.hint), zh.hint
    kvmlab.set_language(None)
    again = _raise(call, conn)
    assert (again.message, again.hint) == (english.message, english.hint)


def test_progress_lines_and_plain_errors_follow_the_language(monkeypatch):
    lines: list[str] = []
    kvmlab.set_language("zh")
    # _wait_ready says "booting …", then opens the console: stop it there, no guest is needed
    monkeypatch.setattr("kvmlab.lab.console.Console.open", lambda *a, **k: (_ for _ in ()).throw(RuntimeError))
    with pytest.raises(RuntimeError):
        snapshot_guest._wait_ready(None, "kvmlab-snap", 1.0, lines.append)
    assert lines == ["正在启动 kvmlab-snap（实验环境的微型客户机）……"]
    with pytest.raises(ValueError) as zh:
        accel.loop_firmware(0)
    assert _has_chinese(str(zh.value))
    kvmlab.set_language(None)
    with pytest.raises(ValueError) as english:
        accel.loop_firmware(0)
    assert str(english.value) == "kind is 'cpu' or 'io'; iterations is 1 .. 2**32-1"


def test_a_qemu_img_argument_name_is_worded_in_chinese_too():
    kvmlab.set_language("zh")
    with pytest.raises(KvmlabError) as info:
        qemu_img.create("x:y.qcow2", size="1G")
    assert info.value.message == "镜像名 'x:y.qcow2' 含有 ':'"
    kvmlab.set_language(None)
    with pytest.raises(KvmlabError) as english:
        qemu_img.create("x:y.qcow2", size="1G")
    assert english.value.message == "the image name 'x:y.qcow2' holds ':'"
