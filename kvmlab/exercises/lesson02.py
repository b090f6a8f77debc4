"""Lesson 2 checks: user mode (用户模式) and kernel mode (内核模式).

- :func:`check_modes`: which operations stay in user mode, which enter the kernel?
- :func:`check_who_goes_down`: six crashes the lesson did not show — what stops, a process, a guest or
  the host? The check runs the one it can run safely here (a program on the host executes ``hlt``) and
  quotes what happened.

A failure first names the idea (``hint``), then, the second time, the lesson section or the command to
look at (``pointer``); only ``show_answer("2.N")`` gives the answer.
"""

from __future__ import annotations

import signal
from typing import Mapping

from ..concepts import modes
from ..errors import KvmlabError
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, choose, expect
from .ladder import graded

__all__ = ["OPERATIONS", "SITUATIONS", "OUTCOMES", "check_modes", "check_who_goes_down"]

# code -> (mode, why). Each line is Python a learner can run; "kernel" means it makes a system call.
OPERATIONS = N_({
    "sum(range(1000))": ("user", "arithmetic on values already in the process's memory"),
    "sorted(['web01', 'db01', 'build'])": ("user", "comparing and moving values in memory"),
    "'KVM'.lower()": ("user", "a new string built in the process's own memory"),
    "hashlib.sha256(b'kvm').hexdigest()": ("user", "the CPU computes the hash; no device is involved"),
    "os.getppid()": ("kernel", "the parent's pid is kept by the kernel: getppid(2) asks it"),
    "open('/etc/hostname').read()": ("kernel", "files live on devices only the kernel drives: openat(2), read(2)"),
    "time.sleep(0.1)": ("kernel", "only the kernel's scheduler can put a process to sleep and wake it"),
    "os.write(1, b'hello')": ("kernel", "the terminal or pipe behind fd 1 belongs to the kernel: write(2)"),
    "socket.socket()": ("kernel", "network sockets are kernel objects: socket(2)"),
    "os.open('/dev/kvm', os.O_RDWR)": ("kernel", "a device file: this is how QEMU starts talking to KVM"),
})

# What a learner may write for each mode (English or the seed's Chinese terms).
_SYNONYMS = {
    "user": "user", "user mode": "user", "用户模式": "user", "用户态": "user",
    "kernel": "kernel", "kernel mode": "kernel", "内核模式": "kernel", "内核态": "kernel",
    "system call": "kernel", "syscall": "kernel",
}

# The idea behind each mode, for a line answered the other way (rung 1).
_MODE_CONCEPT = N_({
    "kernel": "in user mode a process can only compute on its own memory; whatever the kernel keeps or drives "
    "(devices, files, the clock and sleeping, other processes, the network) needs a system call, so a "
    "process cannot do that in user mode",
    "user": "computing on values already in the process's memory needs no system call, however much work it "
    "is: everything it needs is already in user memory",
})


def _mode(code: str, answer: object) -> str:
    text = answer.strip().lower() if isinstance(answer, str) else answer
    if isinstance(text, str) and text in _SYNONYMS:
        return _SYNONYMS[text]
    return choose(answer, ("user", "kernel"), what=code)


_MODES_ANSWER = "modes_answer = {\n" + "".join(
    f"    {code!r}: {mode!r},   # {why}\n" for code, (mode, why) in OPERATIONS.items()) + "}"


@graded("2.1", answer=_MODES_ANSWER)
def check_modes(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each line of OPERATIONS to "user" or "kernel" (用户模式 / 内核模式 work too)."""
    expect(isinstance(answers, Mapping), _("answers must be a dict: {example}").format(
           example="{code: 'user' or 'kernel'}"),
           hint=_("start from {example}").format(example="{code: 'TODO' for code in OPERATIONS}"))
    unknown = [k for k in answers if k not in OPERATIONS]
    expect(not unknown, _("not one of the operations: {code}").format(code=repr(unknown[0] if unknown else '')),
           hint=_("copy the keys from OPERATIONS exactly: {example}").format(
               example="{code: 'TODO' for code in OPERATIONS}"))
    wrong = []
    for code, (mode, why) in OPERATIONS.items():
        if _mode(code, answers.get(code)) != mode:
            wrong.append((code, mode, why))
    if wrong:
        code, mode, why = wrong[0]
        more = _(" (and {n} more)").format(n=len(wrong) - 1) if len(wrong) > 1 else ""
        raise ExerciseFailed(_("{n} of {total} not right: {code}{more}").format(
                                 n=len(wrong), total=len(OPERATIONS), code=code, more=more),
                             hint=_(_MODE_CONCEPT[mode]),
                             pointer=_("{why}. strace shows it: modes.syscalls({code}) (lesson 2, §1)").format(
                                 why=_(why), code=repr(code)))
    n_kernel = sum(1 for m, _ in OPERATIONS.values() if m == "kernel")
    return Passed(_("user mode vs kernel mode"),
                  _("{n_user} stay in user mode (用户模式), {n_kernel} enter the kernel (内核模式)").format(
                      n_user=len(OPERATIONS) - n_kernel, n_kernel=n_kernel),
                  _("rule of thumb: touching a device, a file, the clock's sleep, another process or the "
                    "network needs the kernel"))


# --- exercise 2.2: who goes down? -------------------------------------------------------------------

OUTCOMES = {
    "process": "one program dies; its operating system (the host's or a guest's) and every VM run on",
    "guest": "one VM stops; the host and the other VMs run on",
    "host": "the host's kernel stops: every process and every VM on it",
}

SITUATIONS = {
    "A": "On the host, a program executes `hlt`, the instruction the kernel's idle loop uses to stop the CPU "
    "until the next interrupt.",
    "B": "In the guest web01, the web server reads address 0.",
    "C": "On the host, the QEMU process that runs the guest db01 reads address 0 (a bug in its emulated "
    "network card).",
    "D": "In the guest db01, a driver in the guest's kernel reads address 0, and the guest's kernel panics.",
    "E": "On the host, the kvm module reads address 0 while it handles a VM exit, and the host's kernel panics.",
    "F": "libvirtd, the daemon, crashes while web01 and db01 are running.",
}

_OUTCOME = {"A": "process", "B": "process", "C": "guest", "D": "guest", "E": "host", "F": "process"}

_OUTCOME_WORDS = {
    "process": "process", "one process": "process", "a process": "process", "the process": "process",
    "进程": "process",
    "guest": "guest", "vm": "guest", "one vm": "guest", "the vm": "guest", "one guest": "guest",
    "the guest": "guest", "虚拟机": "guest",
    "host": "host", "the host": "host", "whole host": "host", "the whole host": "host", "宿主机": "host",
    "主机": "host",
}

_WHY = N_({
    "A": "in ring 3 the CPU refuses `hlt` (a general-protection fault) and the kernel kills the program with "
    "SIGSEGV",
    "B": "web01's kernel kills its web server with SIGSEGV; web01 runs on",
    "C": "the host's kernel kills the QEMU process, and db01 goes with it (libvirt: shut off, reason crashed); "
    "web01's QEMU runs on",
    "D": "inside db01 nobody is above its kernel; the host and web01 run on (with a pvpanic device libvirt "
    "reports db01 'crashed (panicked)', lesson 2 §4)",
    "E": "the host's kernel has nobody above it: every process and every VM stop",
    "F": "web01 and db01 keep running in their QEMU processes; a restarted libvirtd finds them again "
    "(libvirtd(8): restarting it does not impact running guests)",
})

# (situation, wrong outcome) -> why not: the diagnosis, in the failure's message. A's "host" is measured.
_NOT = N_({
    ("A", "guest"): "no VM is involved in A: the program runs directly on the host",
    ("B", "guest"): "the web server runs in web01's user mode: web01's own kernel handles the fault, as the "
    "host's kernel did for the child in lesson 2 §3",
    ("B", "host"): "the fault happens in a guest's user mode, two levels below the host's kernel: nothing of it "
    "reaches the host",
    ("C", "process"): "one host process is killed, yes: but ask what that process was running",
    ("C", "host"): "QEMU is a user-mode process on the host: its fault is contained like any other process's",
    ("D", "process"): "the fault is in the guest's kernel mode: inside db01 nobody is above its kernel to clean "
    "up (崩溃不可恢复)",
    ("D", "host"): "the guest's ring 0 is its own: its panic stops its own vCPUs, and the host only sees a QEMU "
    "process whose guest stopped",
    ("E", "process"): "kvm is not a process: it is a module inside the host's kernel, in the host's ring 0",
    ("E", "guest"): "KVM is not in a guest: it is a module of the host's kernel",
    ("F", "guest"): "libvirtd is not a VM: it is a daemon on the host",
    ("F", "host"): "libvirtd is a user-mode daemon (root, but in ring 3): the kernel contains its crash like any "
    "other process's",
})

_CONCEPT = N_({
    "A": "the CPU itself enforces the privilege levels: in user mode (ring 3) a privileged instruction faults "
    "instead of running, and a fault in user mode is the kernel's to handle",
    "B": "a guest's kernel is a real kernel: it treats its own processes exactly as the host's kernel treats "
    "the host's",
    "C": "one VM is one QEMU process on the host: a user-mode process, and everything the guest has (vCPUs, "
    "RAM, devices) lives in it",
    "D": "a kernel's crash stops everything that kernel runs, and nothing outside it; a guest's kernel runs in "
    "the guest's own ring 0",
    "E": "code in the host's kernel mode has nobody above it to clean up (崩溃不可恢复), and every VM depends "
    "on that kernel",
    "F": "libvirt manages VMs, it does not run them: each running VM is its own QEMU process",
})

_POINTER = N_({
    "A": "lesson 2's introduction (rings 0 and 3) and §3; run modes.privileged_child('hlt') and read its "
    "returncode",
    "B": "lesson 2 §3 (崩溃可恢复), then §4: the same boundary one level up, inside a guest",
    "C": "lesson 2's summary table (who runs in user mode) and lesson 1, 'How a call travels', step 4",
    "D": "lesson 2 §4: a guest's kernel panic on the real lab",
    "E": "lesson 2's summary table (who runs in kernel mode) and §4",
    "F": "lesson 1, 'How a call travels': libvirtd starts QEMU; QEMU and KVM run the guest",
})


def _outcome(letter: str, answer: object) -> str:
    text = answer.strip().lower() if isinstance(answer, str) else answer
    if isinstance(text, str) and text in _OUTCOME_WORDS:
        return _OUTCOME_WORDS[text]
    return choose(answer, tuple(OUTCOMES), what=_("situation {letter}").format(letter=letter))


def _run_a() -> tuple[modes.ChildCrash | None, str]:
    """Situation A on this machine: a child executes ``hlt`` in user mode. (result, how it went)."""
    try:
        child = modes.privileged_child("hlt")
    except KvmlabError as err:
        return None, _("situation A was not run here: {message}").format(message=err.message)
    if child.returncode == -int(signal.SIGSEGV) and child.parent_alive:
        return child, _("the check ran A here: the child was killed by SIGSEGV (returncode {code}), "
                        "and this kernel, and this notebook, still run").format(code=child.returncode)
    return None, _("situation A could not run as planned here ({child})").format(child=child)


_ANSWER = """who_goes_down = {
    "A": "process",  # host user mode: the CPU refuses hlt in ring 3, the kernel kills the program (SIGSEGV)
    "B": "process",  # guest user mode: web01's kernel kills its web server; web01 runs on
    "C": "guest",    # host user mode, but that process IS db01's machine: db01 stops, web01 runs on
    "D": "guest",    # guest kernel mode: nobody in db01 is above its kernel; the host runs on
    "E": "host",     # host kernel mode: nobody is above the host's kernel; every VM stops
    "F": "process",  # libvirtd runs no guest: the QEMU processes keep running
}"""


@graded("2.2", answer=_ANSWER)
def check_who_goes_down(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each letter of SITUATIONS to "process", "guest" or "host" (see OUTCOMES)."""
    expect(isinstance(answers, Mapping), _("answers must be a dict like {example}").format(
           example="{'A': 'process', …}"), hint=_("one key per situation: ") + ", ".join(SITUATIONS))
    got = {letter: _outcome(letter, answers.get(letter)) for letter in SITUATIONS}
    wrong = [(k, v) for k, v in got.items() if v != _OUTCOME[k]]
    child, ran = _run_a()
    if wrong:
        letter, outcome = wrong[0]
        why = _(_NOT[(letter, outcome)]) if (letter, outcome) in _NOT else None
        if (letter, outcome) == ("A", "host"):
            why = (_("in user mode the CPU does not halt — ") + ran) if child else _(
                "a program runs in ring 3, where the CPU refuses a privileged instruction instead of running it")
        others = (_(" (also check {letters})").format(letters=", ".join(w[0] for w in wrong[1:]))
                  if len(wrong) > 1 else "")
        raise ExerciseFailed(_("{n} of {total} not right: situation {letter} is not '{outcome}': {why}{others}")
                             .format(n=len(wrong), total=len(SITUATIONS), letter=letter, outcome=outcome, why=why,
                                     others=others),
                             hint=_(_CONCEPT[letter]), pointer=_(_POINTER[letter]))
    return Passed(_("who goes down: the layer that crashed, and what it was running"),
                  *(f"{k} {v}: {_(_WHY[k])}" for k, v in _OUTCOME.items()), ran,
                  _("rule: a crash stops the process or kernel it happened in, and whatever that one was running; nothing else"))
