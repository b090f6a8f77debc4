"""Lesson 2 checks: user mode (用户模式) and kernel mode (内核模式).

- :func:`check_modes`: which operations stay in user mode, which enter the kernel?
- :func:`check_crash`: the returncode of a child process that crashed in user mode.
"""

from __future__ import annotations

import signal
from typing import Mapping

from .checks import ExerciseFailed, Passed, choose, expect

__all__ = ["OPERATIONS", "check_modes", "check_crash"]

# code -> (mode, why). Each line is Python a learner can run; "kernel" means it makes a system call.
OPERATIONS = {
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
}

# What a learner may write for each mode (English or the seed's Chinese terms).
_SYNONYMS = {
    "user": "user", "user mode": "user", "用户模式": "user", "用户态": "user",
    "kernel": "kernel", "kernel mode": "kernel", "内核模式": "kernel", "内核态": "kernel",
    "system call": "kernel", "syscall": "kernel",
}


def _mode(code: str, answer: object) -> str:
    text = answer.strip().lower() if isinstance(answer, str) else answer
    if isinstance(text, str) and text in _SYNONYMS:
        return _SYNONYMS[text]
    return choose(answer, ("user", "kernel"), what=code)


def check_modes(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each line of OPERATIONS to "user" or "kernel" (用户模式 / 内核模式 work too)."""
    expect(isinstance(answers, Mapping), "answers must be a dict: {code: 'user' or 'kernel'}",
           hint="start from {code: 'TODO' for code in OPERATIONS}")
    unknown = [k for k in answers if k not in OPERATIONS]
    expect(not unknown, f"not one of the operations: {unknown[0] if unknown else ''!r}",
           hint="copy the keys from OPERATIONS exactly: {code: 'TODO' for code in OPERATIONS}")
    wrong = []
    for code, (mode, why) in OPERATIONS.items():
        if _mode(code, answers.get(code)) != mode:
            wrong.append((code, mode, why))
    if wrong:
        code, mode, why = wrong[0]
        if mode == "kernel":
            hint = f"{why}: a process cannot do that in user mode"
        else:
            hint = f"{why}: everything it needs is already in user memory, so no system call"
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        raise ExerciseFailed(f"{len(wrong)} of {len(OPERATIONS)} not right: {code}{more}", hint=hint)
    n_kernel = sum(1 for m, _ in OPERATIONS.values() if m == "kernel")
    return Passed("user mode vs kernel mode",
                  f"{len(OPERATIONS) - n_kernel} stay in user mode (用户模式), {n_kernel} enter the kernel (内核模式)",
                  "rule of thumb: touching a device, a file, the clock's sleep, another process or the "
                  "network needs the kernel")


def check_crash(returncode: object) -> Passed:
    """``returncode`` is what subprocess reported for a child that read address 0."""
    expect(isinstance(returncode, int) and not isinstance(returncode, bool),
           f"returncode should be an int, got {type(returncode).__name__}",
           hint="subprocess.run([...]).returncode")
    sigsegv = int(signal.SIGSEGV)
    if returncode == -sigsegv:
        return Passed("the child crashed, the parent (and the system) carried on",
                      f"returncode {returncode}: killed by signal {sigsegv} (SIGSEGV, segmentation fault)",
                      "the CPU faulted in user mode, the kernel killed only that process: 崩溃可恢复")
    if returncode == 128 + sigsegv:
        return Passed("the child crashed (seen through a shell)",
                      f"{returncode} = 128 + {sigsegv}: a shell's way to say 'killed by SIGSEGV'",
                      "subprocess without a shell reports the same as -11")
    if returncode == 0:
        raise ExerciseFailed("returncode 0: the child ended normally, nothing crashed",
                             hint="make the child read address 0: python -c 'import ctypes; ctypes.string_at(0)'")
    if returncode == 1:
        raise ExerciseFailed("returncode 1: the child exited with an error, it did not crash",
                             hint="a Python exception is the interpreter catching a problem; a crash is the CPU "
                             "faulting: ctypes.string_at(0) reads address 0 with no checks")
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else "?"
        raise ExerciseFailed(f"returncode {returncode}: killed by {name}, not by a memory fault",
                             hint=f"a read of address 0 ends in SIGSEGV (signal {sigsegv})")
    raise ExerciseFailed(f"returncode {returncode}: the child exited by itself",
                         hint="a crash is a signal from the kernel: subprocess reports it as a negative number")
