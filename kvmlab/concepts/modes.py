"""User mode vs kernel mode (用户模式 / 内核模式), measured on this machine.

Three small experiments for lesson 2:

- :func:`call_costs`: a call that stays in user mode vs one that enters the kernel (a system call).
- :func:`time_splits`: the user/system CPU time of a compute-only loop and of a syscall-heavy loop
  (:func:`measure_times` adds what ``/proc/self/stat`` counted meanwhile).
- :func:`crash_child`: a process that crashes in user mode; the kernel kills it, everything else lives.
- :func:`privileged_child`: a process that runs one ring-0 instruction (``hlt``, ``cli`` …) in user mode.
- :func:`syscalls`: the system calls one line of Python makes, seen by strace (none: user mode only).

The numbers vary from machine to machine and run to run; what they show does not.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from typing import Callable

__all__ = [
    "CallCost",
    "call_costs",
    "TimeSplit",
    "time_split",
    "time_splits",
    "TimeReport",
    "measure_times",
    "compute_only",
    "syscall_heavy",
    "proc_times",
    "ChildCrash",
    "crash_child",
    "PRIVILEGED",
    "privileged_child",
    "syscalls",
    "plot_call_costs",
    "plot_time_splits",
]

MODE_COLORS = {"user": "#4c72b0", "kernel": "#c44e52"}


# --- 1. the cost of entering the kernel -------------------------------------------------------------

@dataclass
class CallCost:
    """How long one call took, in nanoseconds (the best of several repeats)."""

    code: str
    mode: str  # "user": never leaves user mode; "kernel": makes a system call
    ns: float

    def __str__(self) -> str:
        return f"{self.code:<16} {self.mode:<6} {self.ns:8.0f} ns"


# Each is one Python call to a C function: the interpreter's overhead is the same, the difference
# is whether the C function asks the kernel (a system call) or answers by itself.
_CALLS: list[tuple[str, str, Callable[[], object]]] = [
    ("abs(-1)", "user", lambda: abs(-1)),
    ("'kvm'.upper()", "user", lambda: "kvm".upper()),
    ("os.getppid()", "kernel", os.getppid),  # getppid(2): the simplest system call there is
    ("os.stat('/')", "kernel", lambda: os.stat("/")),  # newfstatat(2): the kernel walks a path
]


def call_costs(number: int = 20000, repeat: int = 5) -> list[CallCost]:
    """Time each call ``number`` times, ``repeat`` times over; keep the best (least disturbed) run."""
    out = []
    for code, mode, fn in _CALLS:
        best = min(timeit.repeat(fn, number=number, repeat=repeat))
        out.append(CallCost(code, mode, best / number * 1e9))
    return out


# --- 2. where a process spends its CPU time ---------------------------------------------------------

@dataclass
class TimeSplit:
    """CPU seconds a piece of work spent in user mode and in kernel mode (system time)."""

    label: str
    user: float
    system: float
    wall: float

    @property
    def system_share(self) -> float:
        total = self.user + self.system
        return self.system / total if total else 0.0

    def __str__(self) -> str:
        return (f"{self.label:<13} user {self.user:5.2f} s   system {self.system:5.2f} s   "
                f"({self.system_share:4.0%} in the kernel)")


def compute_only(seconds: float) -> None:
    """Arithmetic only: no system call inside the loop."""
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(10000):
            x += i * i


def syscall_heavy(seconds: float) -> None:
    """Read 1 MiB from /dev/zero again and again: the kernel fills the buffer (read(2)).

    It never waits for a device (that would be *I/O-bound*: blocked, using little CPU in either mode);
    it keeps the CPU busy in the kernel, so its CPU time is system time."""
    fd = os.open("/dev/zero", os.O_RDONLY)
    try:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            os.read(fd, 1 << 20)
    finally:
        os.close(fd)


def proc_times() -> tuple[int, int]:
    """(utime, stime) of this process in clock ticks, as the kernel keeps them in /proc/self/stat."""
    fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5); field 3 is fields[0]


def time_split(work: Callable[[float], None], seconds: float = 0.5, label: str = "") -> TimeSplit:
    """Run ``work(seconds)`` and read the user/system CPU time it added (os.times())."""
    t0, w0 = os.times(), time.perf_counter()
    work(seconds)
    t1, w1 = os.times(), time.perf_counter()
    return TimeSplit(label or work.__name__, t1.user - t0.user, t1.system - t0.system, w1 - w0)


def time_splits(seconds: float = 0.5) -> list[TimeSplit]:
    """The compute-only loop and the syscall-heavy loop, side by side."""
    return [time_split(compute_only, seconds, "compute-only"), time_split(syscall_heavy, seconds, "syscall-heavy")]


@dataclass
class TimeReport:
    """Both loops' splits, and the user and system clock ticks ``/proc/self/stat`` added meanwhile."""

    splits: list[TimeSplit]
    user_ticks: int
    system_ticks: int
    ticks_per_second: int

    def __str__(self) -> str:
        return "\n".join([*(str(s) for s in self.splits),
                          f"/proc/self/stat: +{self.user_ticks} ticks user, +{self.system_ticks} ticks system "
                          f"({self.ticks_per_second} ticks = 1 s)"])  # fmt: skip

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def measure_times(seconds: float = 0.5) -> TimeReport:
    """:func:`time_splits`, read twice over: by ``os.times()`` per loop, and by ``/proc/self/stat``
    (fields 14 and 15, clock ticks) around both."""
    before = proc_times()
    splits = time_splits(seconds)
    after = proc_times()
    return TimeReport(splits, after[0] - before[0], after[1] - before[1], os.sysconf("SC_CLK_TCK"))


# --- 3. a user-mode crash ---------------------------------------------------------------------------

# Read address 0: the CPU faults, the kernel sends SIGSEGV, the process dies. Nothing else does.
CRASH_CODE = "import ctypes; ctypes.string_at(0)"


@dataclass
class ChildCrash:
    """What the parent saw when its child crashed."""

    returncode: int
    stderr: str
    parent_pid: int
    parent_alive: bool

    @property
    def signal_name(self) -> str:
        if self.returncode < 0:
            return signal.Signals(-self.returncode).name
        return ""

    def __str__(self) -> str:
        how = f"killed by {self.signal_name}" if self.signal_name else f"exited with {self.returncode}"
        return f"child {how} (returncode {self.returncode}); parent still running: {self.parent_alive}"


def crash_child(timeout: float = 30) -> ChildCrash:
    """Start a Python child that reads address 0, wait for it, and report."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}  # no traceback dump
    p = subprocess.run([sys.executable, "-c", CRASH_CODE], capture_output=True, text=True,
                       timeout=timeout, env=env)
    # The parent proves it is alive by doing more work after the crash.
    alive = sum(range(1000)) == 499500 and os.getpid() > 0
    return ChildCrash(p.returncode, p.stderr, os.getpid(), alive)


# x86 instructions only ring 0 may run, as machine code. In ring 3 the CPU refuses each with a
# general-protection fault (#GP) and the kernel sends the process SIGSEGV; ``nop`` is the control.
PRIVILEGED = {
    "hlt": "f4",  # stop the CPU until the next interrupt (the kernel's idle loop)
    "cli": "fa",  # switch interrupts off
    "out 0x80, al": "e680",  # write to an I/O port: talk to a device directly
    "mov eax, cr0": "0f20c0",  # read a control register
    "nop": "90",  # no operation: allowed everywhere
}

# The child copies the instruction (and a ``ret``) into an executable page and calls it.
_PRIVILEGED_SCRIPT = """\
import ctypes, mmap
page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(bytes.fromhex({code!r}) + b"\\xc3")
ctypes.CFUNCTYPE(None)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()
"""


def privileged_child(instruction: str = "hlt", timeout: float = 30) -> ChildCrash:
    """Start a Python child that executes one x86 ``instruction`` (a key of PRIVILEGED) in user mode.

    A privileged one ends in SIGSEGV (returncode -11): the CPU refused it in ring 3, the kernel killed
    the child, the parent carries on. ``nop`` returns normally (returncode 0).
    """
    import platform

    from ..errors import InvalidInput, Unsupported
    from ..i18n import _

    if instruction not in PRIVILEGED:
        raise InvalidInput(_("no machine code for {instruction}").format(instruction=repr(instruction)),
                           hint=_("one of: ") + ", ".join(PRIVILEGED))
    if platform.machine() not in ("x86_64", "AMD64", "i686", "i386"):
        raise Unsupported(_("'{instruction}' is an x86 instruction; this CPU is {machine}").format(
                          instruction=instruction, machine=platform.machine()),
                          hint=_("run it on an x86-64 machine"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    p = subprocess.run([sys.executable, "-c", _PRIVILEGED_SCRIPT.format(code=PRIVILEGED[instruction])],
                       capture_output=True, text=True, timeout=timeout, env=env)
    alive = sum(range(1000)) == 499500 and os.getpid() > 0
    return ChildCrash(p.returncode, p.stderr, os.getpid(), alive)


# --- 4. the system calls of one line, seen by strace ------------------------------------------------

_SYSCALL_SCRIPT = """\
import os, hashlib, socket, time
def run():
    try:
        return {code}
    except OSError:
        pass
x = run()           # once first: imports and caches warm up
os.umask(0o077)     # marker: start
x = run()
os.umask(0o022)     # marker: end
"""


def syscalls(code: str, timeout: float = 30) -> list[str]:
    """The system calls a fresh Python makes to evaluate ``code`` (its second time), via strace."""
    from ..errors import Unsupported
    from ..i18n import _

    strace = shutil.which("strace")
    if strace is None:
        raise Unsupported(_("strace is not installed"), hint=_("apt-get install strace"))
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as log:
        subprocess.run([strace, "-qq", "-o", log.name, sys.executable, "-c", _SYSCALL_SCRIPT.format(code=code)],
                       check=True, capture_output=True, timeout=timeout)
        lines = log.read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("umask(077"))
    end = next(i for i, line in enumerate(lines) if line.startswith("umask(022"))
    return [line.split("(", 1)[0] for line in lines[start + 1:end]]


# --- plots (matplotlib: the course extra) -----------------------------------------------------------

def plot_call_costs(costs: list[CallCost]):
    """Horizontal bars, one per call, coloured by the mode it runs in."""
    from ..i18n import _
    from ..plots import pyplot

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(8, 2.6))
    labels = [c.code for c in costs]
    ax.barh(labels, [c.ns for c in costs], color=[MODE_COLORS[c.mode] for c in costs])
    for y, c in enumerate(costs):
        ax.text(c.ns, y, f" {c.ns:.0f} ns", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel(_("nanoseconds per call (best of 5)"))
    ax.set_title(_("user-mode call vs system call"))
    handles = [plt.Rectangle((0, 0), 1, 1, color=col) for col in MODE_COLORS.values()]
    ax.legend(handles, [_("user mode"), _("system call")], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_xlim(0, max(c.ns for c in costs) * 1.3)
    fig.tight_layout()
    plt.close(fig)  # returned, not also drawn by pyplot: a notebook shows it once
    return fig


def plot_time_splits(splits: list[TimeSplit]):
    """Stacked bars: user time and system time of each piece of work."""
    from ..i18n import _
    from ..plots import pyplot

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(8, 2.2))
    labels = [s.label for s in splits]
    ax.barh(labels, [s.user for s in splits], color=MODE_COLORS["user"], label=_("user mode"))
    ax.barh(labels, [s.system for s in splits], left=[s.user for s in splits],
            color=MODE_COLORS["kernel"], label=_("kernel mode (system time)"))
    ax.invert_yaxis()
    ax.set_xlabel(_("CPU seconds"))
    for y, sp in enumerate(splits):
        ax.text(sp.user + sp.system, y, _(" {share:.0%} kernel").format(share=sp.system_share), va="center", fontsize=9)
    ax.set_xlim(0, max(sp.user + sp.system for sp in splits) * 1.25)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title(_("where the CPU time went"))
    fig.tight_layout()
    plt.close(fig)
    return fig
