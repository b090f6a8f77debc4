"""KVM or TCG? Ask the hardware, then really boot the tiny guest under KVM — with a timeout.

``/dev/kvm`` opening is not enough: in a nested VM it can open, answer ioctls, and still hang a Linux
guest forever. So the probe boots the lab's own guest with ``qemu-system-x86_64 -accel kvm`` and
waits (bounded) for its ready marker. The verdict and its reason are cached per host (kernel,
QEMU, CPU and guest build); ``force=True`` asks again. ``$KVMLAB_ACCEL=kvm|tcg`` overrides it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import select
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..kvm import KVM_API_VERSION, open_kvm
from .console import READY_MARKER
from .guest_image import build, cache_root

__all__ = ["Verdict", "probe", "accel", "QEMU"]

QEMU = "qemu-system-x86_64"
BOOT_TIMEOUT = 20.0


@dataclass
class Verdict:
    """The probe's answer: ``accel`` is ``kvm`` or ``tcg``; ``reason`` says why in one sentence."""

    accel: str
    reason: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    boot_seconds: float | None = None
    host: str = ""
    cached: bool = False

    @property
    def domain_type(self) -> str:
        """The ``<domain type=…>`` to use: ``kvm``, or ``qemu`` for TCG."""
        return "kvm" if self.accel == "kvm" else "qemu"

    def explain(self) -> str:
        lines = [f"accelerator: {self.accel.upper()} (<domain type='{self.domain_type}'>): {self.reason}"]
        lines += [f"  [{'ok' if ok else '--'}] {name}: {detail}" for name, ok, detail in self.checks]
        if self.cached:
            lines.append("  (cached verdict: kvmlab.lab.probe.probe(force=True) asks again)")
        return "\n".join(lines)

    __str__ = explain


def _verdict_file() -> Path:
    return cache_root().parent / "kvm-probe.json"


def _host_key(guest_key: str) -> str:
    model = ""
    try:
        model = next((ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")), "")
    except OSError:
        pass
    qemu = shutil.which(QEMU) or ""
    stamp = f"{os.stat(qemu).st_mtime_ns}" if qemu else ""
    raw = "\n".join([platform.release(), model, qemu, stamp, guest_key])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _open_kvm(checks: list) -> str | None:
    """None if /dev/kvm opens and speaks KVM's API; else why not."""
    kvm = open_kvm()
    if not kvm.exists:
        why = "no /dev/kvm: the CPU has no VT-x/AMD-V exposed here, or the kvm module is not loaded"
        checks.append(("/dev/kvm", False, why))
        return why
    if not kvm.opens:
        why = f"/dev/kvm exists but does not open ({kvm.error}): not root and not in group 'kvm'?"
        checks.append(("/dev/kvm", False, why))
        return why
    version = f"error {kvm.ioctl_error}" if kvm.ioctl_error else kvm.api_version
    checks.append(("/dev/kvm", kvm.speaks_kvm, f"opens; KVM_GET_API_VERSION = {version}"))
    return None if kvm.speaks_kvm else f"/dev/kvm answered API version {version}, not {KVM_API_VERSION}"


def boot_under_kvm(timeout: float = BOOT_TIMEOUT, progress: Callable[[str], None] | None = None) -> tuple[bool, str, float]:
    """Boot the tiny guest with ``-accel kvm``; (booted, what happened, seconds). Never hangs."""
    image = build()
    cmd = [QEMU, "-machine", "pc", "-accel", "kvm", "-m", "128", "-nodefaults", "-no-user-config",
           "-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio",
           "-kernel", str(image.boot_kernel()), "-initrd", str(image.initrd),
           "-append", "console=ttyS0 panic=-1 kvmlab.name=kvm-probe"]
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as exc:
        return False, f"{QEMU} did not run: {exc.strerror}", 0.0
    out = b""
    try:
        while time.monotonic() - t0 < timeout:
            ready, _, _ = select.select([p.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
                if progress:
                    progress(chunk.decode(errors="replace"))
                if READY_MARKER.encode() in out:
                    return True, "the guest booted to its shell", time.monotonic() - t0
    finally:
        p.kill()
        p.wait(timeout=10)
    seconds = time.monotonic() - t0
    text = out.decode(errors="replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "warning:" not in ln]
    if p.returncode not in (None, -9) and seconds < timeout:
        return False, f"QEMU exited (status {p.returncode}): {lines[-1] if lines else 'no output'}", seconds
    if not lines:
        return False, (f"no output at all in {timeout:g} s: the guest hung before its kernel printed "
                       "(typical of nested KVM that opens but cannot run a Linux guest)"), seconds
    return False, f"hung after {len(lines)} console lines; last: {lines[-1][:120]!r}", seconds


def probe(force: bool = False, timeout: float = BOOT_TIMEOUT,
          progress: Callable[[str], None] | None = None) -> Verdict:
    """KVM if it really boots a guest here, else TCG; cached per host and guest build."""
    forced = os.environ.get("KVMLAB_ACCEL", "").lower()
    if forced in ("kvm", "tcg"):
        return Verdict(forced, f"forced by $KVMLAB_ACCEL={forced}", host="env")
    image = build()
    host = _host_key(image.key)
    path = _verdict_file()
    if not force and path.exists():
        try:
            d = json.loads(path.read_text())
            if d.get("host") == host:
                d["checks"] = [tuple(c) for c in d["checks"]]
                return Verdict(**{**d, "cached": True})
        except (OSError, ValueError, TypeError):
            pass
    checks: list[tuple[str, bool, str]] = []
    why = _open_kvm(checks)
    if why:
        v = Verdict("tcg", why, checks, host=host)
    else:
        booted, what, secs = boot_under_kvm(timeout, progress)
        checks.append((f"boot under KVM (timeout {timeout:g} s)", booted, f"{what} ({secs:.1f} s)"))
        if booted:
            v = Verdict("kvm", f"KVM works: the guest booted in {secs:.1f} s", checks, secs, host)
        else:
            v = Verdict("tcg", "KVM is present but did not boot the guest, so QEMU emulates the CPU (TCG)",
                        checks, None, host)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({k: val for k, val in asdict(v).items() if k != "cached"}, indent=2) + "\n")
    except OSError:
        pass
    return v


def cached_verdict() -> Verdict | None:
    """The last verdict, without building or booting anything (for doctor and lab status)."""
    forced = os.environ.get("KVMLAB_ACCEL", "").lower()
    if forced in ("kvm", "tcg"):
        return Verdict(forced, f"forced by $KVMLAB_ACCEL={forced}", host="env")
    try:
        d = json.loads(_verdict_file().read_text())
        d["checks"] = [tuple(c) for c in d["checks"]]
        return Verdict(**{**d, "cached": True})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def accel(**kwargs) -> str:
    """``kvm`` or ``tcg``: what the lab's guests should use (see :func:`probe`)."""
    return probe(**kwargs).accel
