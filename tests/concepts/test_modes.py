"""User mode vs kernel mode, measured: the shape of each result, and what it must show."""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from kvmlab.concepts import modes


def test_call_costs_system_calls_cost_more_than_user_calls():
    costs = modes.call_costs(number=5000, repeat=3)
    assert [c.mode for c in costs] == ["user", "user", "kernel", "kernel"]
    assert all(c.ns > 0 for c in costs)
    by_code = {c.code: c.ns for c in costs}
    assert by_code["os.stat('/')"] > by_code["abs(-1)"]
    assert min(c.ns for c in costs if c.mode == "kernel") > min(c.ns for c in costs if c.mode == "user")


def test_time_splits_compute_in_user_syscalls_in_kernel():
    cpu, io = modes.time_splits(0.4)
    assert (cpu.label, io.label) == ("compute-only", "syscall-heavy")
    assert cpu.wall >= 0.4 and io.wall >= 0.4
    assert cpu.user > 0 and cpu.system_share < 0.5
    assert io.system > 0 and io.system_share > 0.5
    assert "in the kernel" in str(io)


def test_proc_times_agree_with_os_times():
    ticks = os.sysconf("SC_CLK_TCK")
    utime, stime = modes.proc_times()
    t = os.times()
    assert abs(utime / ticks - t.user) < 0.05 and abs(stime / ticks - t.system) < 0.05
    modes.compute_only(0.1)
    assert modes.proc_times()[0] >= utime


def test_time_split_of_a_custom_workload_labels_it():
    split = modes.time_split(modes.compute_only, 0.05)
    assert split.label == "compute_only" and split.user + split.system >= 0


def test_measure_times_agrees_with_proc_self_stat():
    report = modes.measure_times(0.3)
    cpu, io = report.splits
    assert report.ticks_per_second == os.sysconf("SC_CLK_TCK")
    # /proc counts both loops: at least most of their os.times() seconds, in ticks
    assert report.user_ticks >= 0.5 * cpu.user * report.ticks_per_second
    assert report.system_ticks >= 0.5 * io.system * report.ticks_per_second
    lines = str(report).splitlines()
    assert lines[0].startswith("compute-only  user") and lines[1].startswith("syscall-heavy user")
    assert lines[2] == (f"/proc/self/stat: +{report.user_ticks} ticks user, +{report.system_ticks} ticks system "
                        f"({report.ticks_per_second} ticks = 1 s)")


def test_crash_child_is_a_sigsegv_and_the_parent_survives():
    crash = modes.crash_child()
    assert crash.returncode == -signal.SIGSEGV
    assert crash.signal_name == "SIGSEGV"
    assert crash.parent_alive and crash.parent_pid == os.getpid()
    assert str(crash) == "child killed by SIGSEGV (returncode -11); parent still running: True"


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_syscalls_sees_the_kernel_calls_only():
    assert modes.syscalls("abs(-1)") == []
    assert modes.syscalls("os.getcwd()") == ["getcwd"]
    assert modes.syscalls("os.stat('/')") == ["newfstatat"] or modes.syscalls("os.stat('/')") == ["stat"]


def test_plots_draw_one_bar_per_measurement():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    costs = [modes.CallCost("abs(-1)", "user", 50.0), modes.CallCost("os.getppid()", "kernel", 300.0)]
    fig = modes.plot_call_costs(costs)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["abs(-1)", "os.getppid()"]
    assert len(ax.patches) == 2
    splits = [modes.TimeSplit("compute-only", 0.4, 0.0, 0.4), modes.TimeSplit("syscall-heavy", 0.02, 0.38, 0.4)]
    ax = modes.plot_time_splits(splits).axes[0]
    assert len(ax.patches) == 4  # user + system for each
    assert [t.get_text() for t in ax.texts] == [" 0% kernel", " 95% kernel"]
