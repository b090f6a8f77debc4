"""Results own their text: an info result holds typed values once and builds virsh's lines from them;
the volume results live in their own module; doctor's report is a Table like any other result."""

from __future__ import annotations

import dataclasses

import pytest

from kvmlab.doctor import Check, Report
from kvmlab.ops import volume_results
from kvmlab.ops.network_results import NetInfo
from kvmlab.ops.pool_results import PoolInfo
from kvmlab.ops.result import Fields, Info, Table


def _rebuilt(result):
    """A copy made from the typed fields alone (the text is not stored anywhere else)."""
    return dataclasses.replace(result)


@pytest.mark.parametrize("call", [
    lambda c: c.dominfo("web01"), lambda c: c.dominfo("backup"), lambda c: c.net_info("default"),
    lambda c: c.pool_info("default"), lambda c: c.pool_info("default", bytes=True), lambda c: c.pool_info("iso"),
    lambda c: c.vol_info(c.vol_list("default").names[0], pool="default"),
    lambda c: c.vol_info(c.vol_list("default").names[0], pool="default", bytes=True),
])  # fmt: skip
def test_info_text_comes_from_the_typed_values(conn, call):
    result = call(conn)
    assert isinstance(result, Info) and not isinstance(result, Fields)  # no second copy as label lines
    assert result.text() == _rebuilt(result).text() != ""
    assert result["Name"] == result.name


def test_changing_a_value_changes_the_text():
    info = NetInfo(name="lab", uuid="u", active=True, persistent=True, autostart=None, bridge=None)
    assert info.text() == ("Name:           lab\nUUID:           u\nActive:         yes\n"
                           "Persistent:     yes\nAutostart:      no autostart\n")
    info.active = False
    assert "Active:         no\n" in info.text()


def test_pool_sizes_show_only_for_a_running_pool():
    stopped = PoolInfo(name="p", uuid="u", state="inactive", persistent=True, autostart=False)
    assert "Capacity" not in stopped.text()
    running = dataclasses.replace(stopped, state="running", capacity=2048, allocation=1024, available=1024,
                                  in_bytes=True)
    assert "Capacity:       2048\n" in running.text()


def test_volume_results_have_their_own_module():
    from kvmlab.ops import pool_results

    for name in ("VolSummary", "VolList", "VolInfo", "VolMessage"):
        assert hasattr(volume_results, name) and not hasattr(pool_results, name)
    vol = volume_results.VolInfo(name="a.img", type="file", capacity=1024, allocation=0, physical=True,
                                 in_bytes=True)
    assert vol.text().splitlines()[-1] == "Physical:       0 bytes"


def test_doctor_report_is_a_table():
    report = Report([Check("libvirt", True, "9.0.0", required=True),
                     Check("schemas", False, "missing", "apt-get install libvirt-daemon", True)])
    assert isinstance(report, Table) and not report.ok
    text = str(report)
    assert text.splitlines()[0].split() == ["Check", "Detail"]
    assert " MISSING   schemas   missing (fix: apt-get install libvirt-daemon)\n" in text
    assert text.endswith("\nverdict: the course cannot run: fix the MISSING lines\n")
    html = report._repr_html_()
    assert "<table" in html and "verdict" in html and "libvirt API" not in html  # no virsh twin to show


def test_the_repr_still_lists_the_lines_as_notebooks_show_it(conn):
    info = conn.net_info("default")
    text = repr(info)
    assert text.startswith("NetInfo(virsh='virsh net-info default', api=[")
    assert f"], fields={info.lines()!r}, name='default', uuid=" in text and text.endswith("bridge='virbr0')")
    assert "in_bytes" not in repr(conn.pool_info("default", bytes=True))
