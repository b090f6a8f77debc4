"""KVM versus TCG, measured: a guest "firmware" of a few bytes runs a loop under each accelerator.

A 64 KiB firmware image built from bytes (:func:`loop_firmware`) runs a CPU loop (KVM's job: the
real CPU runs it) and an I/O loop (every ``out`` instruction exits to QEMU, under KVM too).
:func:`accel_timings` times both under TCG and KVM; :func:`plot_accel_timings` draws the result;
:func:`explain_timings` says what the numbers mean on this machine (:func:`kvm_module`: which KVM it has).
"""

from __future__ import annotations

import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from ..kvm import KVM_MODULES, kvm_module
from .hardware import accelerators, probe_kvm, require_qemu

__all__ = ["EXIT_STATUS", "loop_firmware", "time_loop", "AccelTiming", "accel_timings", "plot_accel_timings",
           "kvm_module", "explain_timings", "lab_verdict"]

# 16-bit real-mode code, run from the top of a 64 KiB firmware image (QEMU maps it at 0xF0000):
#   cli; mov ecx, N
#   loop: [out 0x80, al]  dec ecx; jnz loop     <- the I/O variant adds one port write per turn
#   mov al, 0; out 0xf4, al                     <- isa-debug-exit: QEMU exits with status 1
#   hlt; jmp hlt
_LOOP = {"cpu": b"\x66\x49\x75\xfc", "io": b"\xe6\x80\x66\x49\x75\xfa"}
_EXIT = b"\xb0\x00\xe6\xf4\xf4\xeb\xfd"
EXIT_STATUS = 1  # (0 << 1) | 1: the guest wrote 0 to the debug-exit port, so it ran to the end


def loop_firmware(iterations: int, kind: str = "cpu") -> bytes:
    """A 64 KiB firmware image whose only job is a loop of ``iterations`` turns, then power off."""
    if kind not in _LOOP or not 1 <= iterations < 2**32:
        raise ValueError(_("kind is 'cpu' or 'io'; iterations is 1 .. 2**32-1"))
    code = b"\xfa\x66\xb9" + struct.pack("<I", iterations) + _LOOP[kind] + _EXIT
    image = bytearray(b"\xf4" * 0x10000)  # hlt everywhere else
    image[: len(code)] = code
    image[0xFFF0:0xFFF5] = b"\xea\x00\x00\x00\xf0"  # reset vector: jmp far f000:0000
    return bytes(image)


def time_loop(accel: str, iterations: int, kind: str = "cpu", timeout: float = 20) -> float | None:
    """Wall seconds for QEMU to start, run the loop and exit; None if it did not finish in time."""
    qemu = require_qemu()
    with tempfile.TemporaryDirectory(prefix="kvmlab-loop-") as tmp:
        fw = Path(tmp, "loop.bin")
        fw.write_bytes(loop_firmware(iterations, kind))
        argv = [qemu, "-accel", accel, "-bios", str(fw), "-m", "16", "-display", "none", "-nodefaults",
                "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        start = time.perf_counter()
        try:
            p = subprocess.run(argv, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        elapsed = time.perf_counter() - start
    return elapsed if p.returncode == EXIT_STATUS else None


@dataclass
class AccelTiming:
    """One accelerator, one kind of loop: nanoseconds per turn, or a note saying why there is none."""

    accel: str
    kind: str
    ns_per_turn: float | None = None
    note: str = ""
    runs: list[tuple[int, float | None]] = field(default_factory=list)  # (turns, wall seconds)

    def __str__(self) -> str:
        value = f"{self.ns_per_turn:10.1f} ns/turn" if self.ns_per_turn is not None else f"{'--':>18}"
        return f"{self.accel:<4} {self.kind:<4} {value}   {self.note}"


def _measure(accel: str, kind: str, budget: float, enough: float) -> AccelTiming:
    """Grow the loop x10 until it adds ``enough`` seconds to an empty run, within ``budget`` seconds."""
    t = AccelTiming(accel, kind)
    base = time_loop(accel, 1, kind, timeout=min(budget, 20))
    t.runs.append((1, base))
    spent, n = base or budget, 10_000
    while spent < budget and n < 2**32:
        elapsed = time_loop(accel, n, kind, timeout=budget - spent + 1)
        t.runs.append((n, elapsed))
        if elapsed is None:
            t.note = f"{n:,} turns did not finish in {budget - spent:.0f} s"
            break
        spent += elapsed
        extra = max(elapsed - base, 0.0)  # type: ignore[operator]
        t.ns_per_turn, t.note = extra / n * 1e9, f"{n:,} turns"
        if extra >= enough or extra * 10 > budget - spent:
            break
        n *= 10
    if base is None:
        t.note = "the guest did not start and stop in time"
    return t


def accel_timings(accels: tuple[str, ...] = ("tcg", "kvm"), kinds: tuple[str, ...] = ("cpu", "io"),
                  budget: float = 12, enough: float = 0.25) -> list[AccelTiming]:
    """Time the CPU loop and the I/O loop under each accelerator, ``budget`` seconds for each."""
    compiled, kvm_opens = set(accelerators()), probe_kvm().opens
    out = []
    for accel, kind in ((a, k) for a in accels for k in kinds):
        if accel not in compiled:
            out.append(AccelTiming(accel, kind, note="not compiled into this QEMU"))
        elif accel == "kvm" and not kvm_opens:
            out.append(AccelTiming(accel, kind, note="/dev/kvm is not usable here"))
        else:
            out.append(_measure(accel, kind, budget, enough))
    return out


def plot_accel_timings(timings: list[AccelTiming]):
    """Grouped bars on a log scale: ns per loop turn for the CPU loop and the I/O loop, per accelerator."""
    from ..plots import pyplot

    plt = pyplot()

    accels = list(dict.fromkeys(t.accel for t in timings))
    colors, labels = {"cpu": "#4c72b0", "io": "#dd8452"}, {"cpu": _("CPU loop"), "io": _("I/O loop (out 0x80)")}
    fig, ax = plt.subplots(figsize=(8, 2.8))
    for t in timings:
        y = accels.index(t.accel) + (0.19 if t.kind == "io" else -0.19)
        if t.ns_per_turn:
            ax.barh(y, t.ns_per_turn, height=0.36, color=colors[t.kind])
            ax.text(t.ns_per_turn, y, f" {t.ns_per_turn:,.1f} ns", va="center", fontsize=8)
        else:
            ax.text(0.12, y, f" {t.kind}: {t.note}", va="center", fontsize=8, color="#a00")
    ax.set_xscale("log")
    ax.set_xlim(0.1, max([t.ns_per_turn or 1 for t in timings]) * 30)
    ax.set_yticks(range(len(accels)), [f"-accel {a}" for a in accels])
    ax.invert_yaxis()
    ax.set_xlabel(_("nanoseconds per loop turn (log scale)"))
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()], labels.values(),
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title(_("the same guest loop under two accelerators"))
    fig.tight_layout()
    plt.close(fig)
    return fig


# --- what the numbers mean here ---------------------------------------------------------------------

def explain_timings(timings: list[AccelTiming], probe=None, module: str | None = None) -> str:
    """What the CPU-loop and I/O-loop numbers say about this machine's KVM, in a few lines."""
    probe = probe if probe is not None else probe_kvm()
    module = module if module is not None else kvm_module()
    ns = {(t.accel, t.kind): t.ns_per_turn for t in timings}
    tcg, kvm, kvm_io = ns.get(("tcg", "cpu")), ns.get(("kvm", "cpu")), ns.get(("kvm", "io"))
    backend = f"{module}: {KVM_MODULES[module]}" if module in KVM_MODULES else "the kvm module"
    if not kvm or not tcg:
        lines = ["no KVM measurement on this machine: only TCG runs guests here."]
    elif kvm < tcg:
        lines = [(f"KVM runs the CPU loop {tcg / kvm:.0f}x faster than TCG: the guest's code runs on the real CPU "
                  f"({backend}).")]
    else:
        lines = [f"KVM is {kvm / tcg:.0f}x SLOWER than TCG on this machine."]
        if module == "kvm_pvm":
            lines.append("Why: this machine is itself a VM whose CPU shows no vmx/svm; its /dev/kvm comes from "
                         "kvm_pvm (PVM), a KVM that enters and leaves the guest in software, without VT-x/AMD-V.")
        elif probe.in_vm and not probe.cpu_flags:
            lines.append("Why: this machine is itself a VM and its CPU shows no vmx/svm: its KVM runs guests "
                         "without hardware virtualisation.")
        else:
            lines.append("Unexpected with VT-x/AMD-V: was the machine busy? Run the measurement again.")
        lines.append("On a PC or server with VT-x/AMD-V (kvm_intel or kvm_amd loaded), expect this cell to report "
                     "KVM faster than TCG.")
    if kvm and kvm_io:
        lines.append(f"Under KVM an I/O loop turn costs {kvm_io / kvm:.0f}x a CPU loop turn: each `out 0x80` is a "
                     "VM exit that KVM passes to QEMU (no device in the kernel answers port 0x80).")
    return "\n".join(lines)


def lab_verdict(conn) -> str:
    """The real lab's KVM-or-TCG verdict (``kvmlab.lab.probe``, cached per host after `kvmlab lab up`);
    on any other backend, where it comes from."""
    if getattr(conn, "backend", "") != "qemu":
        return "embedded lab: the real lab's KVM/TCG probe runs with `kvmlab lab up` (see `kvmlab doctor`)."
    from ..lab import probe as lab_probe

    return str(lab_probe.probe())
