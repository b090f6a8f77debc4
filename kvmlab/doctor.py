"""What this machine can run: libvirt, the URIs that answer, KVM vs TCG, QEMU, the schemas.

``doctor()`` returns a Report: printable (the CLI), a table in a notebook (lesson 1), and ``.ok`` says
whether the course can run at all (the embedded lab needs only libvirt and its schemas).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

from .ops.result import Table

from .kvm import KVM_MODULES, KvmDevice, cpu_flags, kvm_module, open_kvm

__all__ = ["Check", "Report", "doctor", "probe_uri"]

SCHEMAS = Path("/usr/share/libvirt/schemas")


@dataclass
class Check:
    """One line of the report. ``ok`` is True, False, or None (information, not a failure)."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""
    required: bool = False

    @property
    def mark(self) -> str:
        return {True: "ok", False: "MISSING" if self.required else "no", None: "--"}[self.ok]


@dataclass
class Report(Table):
    """The machine report, a result like any other (kvmlab.ops.result.Table): ``str()`` for the
    terminal, a table in a notebook. One row a check: its mark, name and detail (and the fix, for
    a failed one); the verdict follows."""

    header: Sequence[str] = field(default=("", "Check", "Detail"), init=False)
    rows: list[tuple] = field(default_factory=list, init=False)  # derived from the checks
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = [(c.mark, c.name, c.detail + (f" (fix: {c.fix})" if c.fix and c.ok is False else ""))
                     for c in self.checks]

    @property
    def ok(self) -> bool:
        """False when a check the course needs has failed."""
        return all(c.ok is not False for c in self.checks if c.required)

    @property
    def verdict(self) -> str:
        return "the course can run" if self.ok else "the course cannot run: fix the MISSING lines"

    def text(self) -> str:
        return super().text() + f"\nverdict: {self.verdict}\n"

    def body_html(self) -> str:
        return super().body_html() + f"<div><b>verdict:</b> {escape(self.verdict)}</div>"


def _version(n: int) -> str:
    return f"{n // 1000000}.{n // 1000 % 1000}.{n % 1000}"


def probe_uri(uri: str, timeout: float = 5.0) -> tuple[bool, str]:
    """Open ``uri`` in a thread with a deadline: (answered, detail). Never hangs."""
    box: dict = {}

    def attempt() -> None:
        import libvirt

        from .errors import KvmlabError, install_error_handler, libvirt_errors

        install_error_handler()
        try:
            with libvirt_errors():
                c = libvirt.open(uri)
                box["ok"] = (True, f"{c.getType()} driver, libvirt {_version(c.getLibVersion())}")
                c.close()
        except KvmlabError as exc:  # libvirt's own words, without kvmlab's framing
            box["ok"] = (False, (exc.virsh_error[-1] or "error").splitlines()[0])

    t = threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join(timeout)
    return box.get("ok", (False, f"no answer within {timeout:.0f} s"))


def _libvirt_checks() -> list[Check]:
    try:
        import libvirt
    except ImportError as exc:
        return [Check("libvirt-python", False, str(exc), "./kvmlab.sh setup (needs libvirt-dev, pkg-config, gcc)", True)]
    checks = [Check("libvirt library", True, f"libvirt {_version(libvirt.getVersion())} (libvirt-python loaded)", required=True)]
    from .connection import embedded_uri

    ok, detail = probe_uri(embedded_uri())
    checks.append(Check("embedded lab", ok, f"{detail}: {embedded_uri()}", "reinstall kvmlab (its node file is missing)", True))
    return checks


def _daemon_checks() -> list[Check]:
    pids = _pids("libvirtd")
    checks = [
        Check(
            "libvirtd daemon",
            bool(pids) or None,
            f"running (pid {', '.join(pids)})" if pids else "not running: `kvmlab lab up` starts a private one",
        )
    ]
    if pids:
        ok, detail = probe_uri("qemu:///system")
        checks.append(Check("qemu:///system", ok, detail, "kvmlab lab up"))
    elif os.geteuid() != 0:
        checks.append(Check("qemu:///session", None, "per-user daemon; virtual networks cannot start there"))
    uri = os.environ.get("KVMLAB_URI")
    if uri:
        ok, detail = probe_uri(uri)
        checks.append(Check("KVMLAB_URI", ok, f"{uri}: {detail}", "check the URI or unset KVMLAB_URI"))
    return checks


def _pids(name: str) -> list[str]:
    out = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if (d / "comm").read_text().strip() == name:
                out.append(d.name)
        except OSError:
            pass
    return sorted(out, key=int)


def _flags_detail(flags: set[str], dev: KvmDevice, module: str | None) -> str:
    """The CPU-flags line, read together with /dev/kvm: each fact alone misleads on a PVM host."""
    names = {"vmx": "vmx (Intel VT-x)", "svm": "svm (AMD-V)"}
    if flags:
        have = ", ".join(names[f] for f in sorted(flags))
        if dev.exists:
            return f"{have}: hardware virtualisation, used by /dev/kvm" + (f" ({module})" if module else "")
        return f"{have}, but no /dev/kvm: load kvm_intel or kvm_amd (modprobe) to use it"
    if module == "kvm_pvm" and dev.exists:
        return ("no vmx/svm in /proc/cpuinfo, yet /dev/kvm exists: it comes from kvm_pvm (PVM), a KVM that runs "
                "guests without VT-x/AMD-V, switching to them in software (slower than hardware KVM: lesson 3)")
    if dev.exists:
        return ("no vmx/svm in /proc/cpuinfo, yet /dev/kvm exists: a KVM that does not use VT-x/AMD-V "
                f"({module or 'module unknown'}); the 'KVM boots a guest' line says whether guests run under it")
    return ("no vmx/svm in /proc/cpuinfo (a VM without nested virtualisation, or VT-x/AMD-V switched off in "
            "the firmware) and no /dev/kvm: guests run under TCG only")


def _kvm_checks(flags: set[str] | None = None, dev: KvmDevice | None = None,
                module: str | None = None) -> list[Check]:  # fmt: skip
    """The CPU flags and /dev/kvm, each line worded with the other in mind (the machine's own by default)."""
    flags = (cpu_flags() if flags is None else flags) & {"vmx", "svm"}
    kvm = open_kvm() if dev is None else dev
    module = kvm_module() if dev is None and module is None else module
    checks = [Check("CPU virtualisation flags", bool(flags) or None, _flags_detail(flags, kvm, module))]
    if not kvm.exists:
        checks.append(Check("/dev/kvm", None, "absent: guests run under TCG (QEMU's emulator), slower but real",
                            "load kvm_intel or kvm_amd, or accept TCG"))
    elif kvm.opens:
        checks.append(Check("/dev/kvm", True, "exists and opens" + (f" ({module}: {KVM_MODULES[module]})"
                                                                   if module in KVM_MODULES else "")))
    else:
        checks.append(Check("/dev/kvm", False, f"exists but does not open: {kvm.error}", "run as root or join the kvm group"))
    checks.append(_kvm_boot_check())
    return checks


def _kvm_boot_check() -> Check:
    """Does KVM actually boot a Linux guest? /dev/kvm can open and still hang a nested guest."""
    try:
        from .lab import probe
    except ImportError:
        return Check("KVM boots a guest", None, "not probed (the real lab is not installed)")
    verdict = probe.cached_verdict()
    if verdict is None:
        return Check("KVM boots a guest", None, "not probed yet: `kvmlab guest probe` boots a test guest with a timeout")
    return Check("KVM boots a guest", verdict.accel == "kvm" or None,
                 f"{verdict.accel.upper()}: {verdict.reason}" + (f" ({verdict.boot_seconds:.1f} s)" if verdict.boot_seconds else ""))


def _tool_checks() -> list[Check]:
    checks = []
    qemu = shutil.which("qemu-system-x86_64")
    if qemu:
        ver = subprocess.run([qemu, "--version"], capture_output=True, text=True, timeout=10).stdout.splitlines()
        checks.append(Check("QEMU", True, ver[0] if ver else qemu))
    else:
        checks.append(Check("QEMU", False, "qemu-system-x86_64 not found (only the embedded lab works)", "apt-get install qemu-system-x86"))
    rng = SCHEMAS / "domain.rng"
    checks.append(Check("libvirt RelaxNG schemas", rng.exists(), str(SCHEMAS), "apt-get install libvirt-daemon (ships the schemas)", True))
    for tool, pkg in (("virsh", "libvirt-clients"), ("virt-xml-validate", "libvirt-clients")):
        path = shutil.which(tool)
        checks.append(Check(tool, bool(path), path or "not found", f"apt-get install {pkg}"))
    return checks


def doctor() -> Report:
    """Run every check (each bounded in time) and return the report."""
    return Report(_libvirt_checks() + _daemon_checks() + _kvm_checks() + _tool_checks())
