"""Hardware virtualisation (硬件虚拟化): what KVM does, what QEMU does, measured on this machine.

- :func:`probe_kvm`: /dev/kvm, the KVM API version, the CPU's vmx/svm flags.
- :func:`device_catalog`, :func:`machine_types`, :func:`accelerators`: what this QEMU can emulate.
- :class:`PausedQemu`: a real QEMU process, paused before its first instruction, to look inside
  (its vCPU threads, its /dev/kvm file descriptors, the PCI devices it emulates).
- :func:`accel_timings`: a 64 KiB guest "firmware" built from bytes runs a loop under TCG and under
  KVM: a CPU loop (KVM's job) and an I/O loop (every ``out`` instruction is QEMU's job).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Unsupported

__all__ = [
    "KvmProbe",
    "probe_kvm",
    "qemu_binary",
    "device_catalog",
    "machine_types",
    "accelerators",
    "QemuProcess",
    "running_qemus",
    "PausedQemu",
    "loop_firmware",
    "AccelTiming",
    "time_loop",
    "accel_timings",
    "plot_accel_timings",
]

QEMU = "qemu-system-x86_64"
_KVM_GET_API_VERSION = 0xAE00  # _IO(KVMIO, 0x00)
_KVM_CHECK_EXTENSION = 0xAE03  # _IO(KVMIO, 0x03)
_KVM_CAP_MAX_VCPUS = 66


# --- the probe --------------------------------------------------------------------------------------

@dataclass
class KvmProbe:
    """What the CPU and the kernel offer for hardware virtualisation."""

    dev_kvm: bool  # the kvm module made /dev/kvm
    opens: bool  # this user may open it (root, or the kvm group)
    api_version: int | None  # KVM_GET_API_VERSION: 12 since Linux 2.6.22
    max_vcpus: int | None  # KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS)
    cpu_flags: list[str]  # vmx (Intel VT-x) / svm (AMD-V) as /proc/cpuinfo lists them
    in_vm: bool  # the "hypervisor" flag: this Linux itself runs in a virtual machine
    error: str = ""

    @property
    def verdict(self) -> str:
        if not self.dev_kvm:
            return "no /dev/kvm: QEMU can only emulate the CPU (TCG)"
        if not self.opens:
            return f"/dev/kvm does not open ({self.error}): run as root or join the kvm group"
        if not self.cpu_flags and self.in_vm:
            return ("/dev/kvm opens, but the CPU shows no vmx/svm: nested KVM inside a VM "
                    "(it may run guests slowly or not at all; measure it)")
        return "/dev/kvm opens: QEMU can run guest code on the real CPU (-accel kvm)"

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("/dev/kvm exists", str(self.dev_kvm)),
            ("/dev/kvm opens", str(self.opens) + (f" ({self.error})" if self.error else "")),
            ("KVM API version", str(self.api_version)),
            ("max vCPUs per VM", str(self.max_vcpus)),
            ("CPU flags vmx/svm", ", ".join(self.cpu_flags) or "none"),
            ("running inside a VM", str(self.in_vm)),
            ("verdict", self.verdict),
        ]

    def __str__(self) -> str:
        return "\n".join(f"{k + ':':<22}{v}" for k, v in self.rows())

    def _repr_html_(self) -> str:
        from ..render import html_fields

        return html_fields(self.rows())


def probe_kvm() -> KvmProbe:
    """Open /dev/kvm and ask it two questions; read the CPU flags. Never starts a guest."""
    flags: set[str] = set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                flags.update(line.split(":", 1)[1].split())
    probe = KvmProbe(Path("/dev/kvm").exists(), False, None, None,
                     sorted(flags & {"vmx", "svm"}), "hypervisor" in flags)
    if probe.dev_kvm:
        try:
            fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
        except OSError as exc:
            probe.error = exc.strerror or str(exc)
        else:
            try:
                probe.opens = True
                probe.api_version = fcntl.ioctl(fd, _KVM_GET_API_VERSION)
                probe.max_vcpus = fcntl.ioctl(fd, _KVM_CHECK_EXTENSION, _KVM_CAP_MAX_VCPUS)
            finally:
                os.close(fd)
    return probe


# --- what this QEMU can emulate ---------------------------------------------------------------------

def qemu_binary() -> str | None:
    return shutil.which(QEMU)


def _require_qemu() -> str:
    qemu = qemu_binary()
    if qemu is None:
        raise Unsupported(f"{QEMU} is not installed", hint="apt-get install qemu-system-x86")
    return qemu


def _qemu_help(*args: str) -> str:
    return subprocess.run([_require_qemu(), *args], capture_output=True, text=True, timeout=30, check=True).stdout


_DEVICE = re.compile(r'name "([^"]+)"(?:, bus ([^,]+))?(?:, alias "([^"]+)")?(?:, desc "([^"]*)")?')


def device_catalog() -> dict[str, list[dict[str, str]]]:
    """``qemu-system-x86_64 -device help`` as {category: [{name, bus, alias, desc}, …]}."""
    catalog: dict[str, list[dict[str, str]]] = {}
    current = None
    for line in _qemu_help("-device", "help").splitlines():
        if line.endswith(" devices:"):
            current = catalog.setdefault(line[: -len(" devices:")], [])
        elif (m := _DEVICE.match(line)) and current is not None:
            name, bus, alias, desc = m.groups()
            current.append({"name": name, "bus": bus or "", "alias": alias or "", "desc": desc or ""})
    return catalog


def machine_types() -> list[dict[str, str]]:
    """``-machine help``: [{name, desc}]; desc ends in "(default)" or "(alias of …)" where QEMU says so."""
    out = []
    for line in _qemu_help("-machine", "help").splitlines()[1:]:
        name, _, desc = line.partition(" ")
        out.append({"name": name, "desc": desc.strip()})
    return out


def accelerators() -> list[str]:
    """``-accel help``: the accelerators compiled into this QEMU (kvm, tcg, …)."""
    return [a.strip() for a in _qemu_help("-accel", "help").splitlines()[1:] if a.strip()]


# --- a real QEMU process: one VM = one process ----------------------------------------------------

class QemuProcess:
    """A running QEMU seen from the host: its threads, its KVM file descriptors, its -device options."""

    def __init__(self, pid: int):
        self.pid = pid

    def __repr__(self) -> str:
        return f"<{type(self).__name__} pid {self.pid}>"

    def threads(self) -> list[str]:
        """Thread names (QEMU names them when started with ``-name …,debug-threads=on``, as libvirt does)."""
        return sorted((t / "comm").read_text().strip() for t in Path(f"/proc/{self.pid}/task").iterdir())

    def kvm_files(self) -> list[str]:
        """The KVM file descriptors it holds: /dev/kvm, the VM, one per vCPU (none under TCG)."""
        links = {os.readlink(f) for f in Path(f"/proc/{self.pid}/fd").iterdir()}
        return sorted(x for x in links if x == "/dev/kvm" or x.startswith("anon_inode:kvm"))

    def argv(self) -> list[str]:
        return Path(f"/proc/{self.pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]

    def devices(self) -> list[str]:
        """The ``-device`` values of its command line: the hardware it emulates for the guest."""
        args = self.argv()
        return [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-device"]

    def drivers(self) -> list[str]:
        """Just the device model of each -device (libvirt writes JSON, a person writes driver,opts)."""
        return [json.loads(d)["driver"] if d.startswith("{") else d.split(",")[0] for d in self.devices()]


def running_qemus() -> list[QemuProcess]:
    """Every QEMU process on this host (on the real lab: one per running domain)."""
    out = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if (d / "comm").read_text().startswith("qemu-system"):
                out.append(QemuProcess(int(d.name)))
        except OSError:
            pass
    return sorted(out, key=lambda q: q.pid)


class PausedQemu(QemuProcess):
    """A QEMU started with ``-S`` (no guest instruction runs yet) and a QMP channel on stdio.

    A context manager: the process always ends (QMP ``quit``, else SIGKILL).
    """

    def __init__(self, accel: str = "tcg", devices: tuple[str, ...] = ("virtio-net-pci,netdev=n0",)):
        qemu = _require_qemu()
        self.accel = accel
        self.command = [qemu, "-name", "kvmlab-demo,debug-threads=on", "-accel", accel, "-S", "-m", "64",
                        "-display", "none", "-nodefaults", "-qmp", "stdio", "-netdev", "user,id=n0"]
        for dev in devices:
            self.command += ["-device", dev]

    def __enter__(self) -> "PausedQemu":
        self.proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        super().__init__(self.proc.pid)
        try:
            self._reply()  # the greeting
            self.qmp("qmp_capabilities")
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.qmp("quit")
            self.proc.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired, Unsupported):
            self.proc.kill()
            self.proc.wait()

    def _reply(self) -> dict:
        while True:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise Unsupported("QEMU exited before it answered", hint=" ".join(self.command))
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def qmp(self, command: str, **arguments) -> object:
        """Send one QMP command (QEMU's JSON monitor, the one libvirtd uses) and return its result."""
        msg = {"execute": command, **({"arguments": arguments} if arguments else {})}
        self.proc.stdin.write(json.dumps(msg) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        reply = self._reply()
        if "error" in reply:
            raise Unsupported(f"QMP {command}: {reply['error'].get('desc')}")
        return reply.get("return")

    def pci_devices(self) -> list[tuple[str, str, str]]:
        """(slot.function, class, vendor:device) of every PCI device of the emulated machine."""
        return [(f"{d['slot']:02x}.{d['function']}", d["class_info"].get("desc", "?"),
                 f"{d['id']['vendor']:04x}:{d['id']['device']:04x}")
                for bus in self.qmp("query-pci") for d in bus["devices"]]  # type: ignore[union-attr]


# --- KVM vs TCG: a loop in a guest built from bytes -------------------------------------------------

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
        raise ValueError("kind is 'cpu' or 'io'; iterations is 1 .. 2**32-1")
    code = b"\xfa\x66\xb9" + struct.pack("<I", iterations) + _LOOP[kind] + _EXIT
    image = bytearray(b"\xf4" * 0x10000)  # hlt everywhere else
    image[: len(code)] = code
    image[0xFFF0:0xFFF5] = b"\xea\x00\x00\x00\xf0"  # reset vector: jmp far f000:0000
    return bytes(image)


def time_loop(accel: str, iterations: int, kind: str = "cpu", timeout: float = 20) -> float | None:
    """Wall seconds for QEMU to start, run the loop and exit; None if it did not finish in time."""
    qemu = _require_qemu()
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
    import matplotlib.pyplot as plt

    accels = list(dict.fromkeys(t.accel for t in timings))
    colors, labels = {"cpu": "#4c72b0", "io": "#dd8452"}, {"cpu": "CPU loop", "io": "I/O loop (out 0x80)"}
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
    ax.set_xlabel("nanoseconds per loop turn (log scale)")
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()], labels.values(),
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title("the same guest loop under two accelerators")
    fig.tight_layout()
    plt.close(fig)
    return fig
