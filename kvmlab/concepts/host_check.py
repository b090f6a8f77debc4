"""Lesson 18: is this host ready for KVM guests? ``virt-host-validate`` read line by line, and KVM itself.

* :func:`parse_validate` turns virt-host-validate's output into :class:`CheckRow` s, each with what the check
  looks at and whether a WARN/FAIL there matters (only the hardware-virtualisation and /dev/kvm lines make
  guests slow; vhost-net, IOMMU and secure-guest warnings do not).
* :func:`host_validate` runs it here (a real backend) or shows the recording in
  ``kvmlab/data/virt-host-validate-recording.json`` (the embedded lab: the same output every run).
* :func:`kvm_check` answers ``lsmod | grep kvm``, the vmx/svm CPU flags and /dev/kvm, and names the case of
  the course's own build machine: a VM with **PVM** (``kvm_pvm``), where /dev/kvm opens without vmx/svm.

The checks' meanings follow libvirt's tools/virt-host-validate-qemu.c: without vmx/svm the /dev/kvm lines are
not even printed; /dev/vhost-net, the cgroup controllers, IOMMU and secure guests are WARN-level checks.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..i18n import _
from ..kvm import KVM_MODULES, cpu_flags, kvm_module, open_kvm
from ..ops.result import Result
from ..render import escape, html_table

__all__ = ["CheckRow", "HostValidate", "KvmCheck", "parse_validate", "explain", "host_validate", "kvm_check",
           "recording", "RECORDING", "SLOW"]

RECORDING = Path(__file__).resolve().parents[1] / "data" / "virt-host-validate-recording.json"
_LINE = re.compile(r"^\s*(QEMU|LXC|BHYVE):\s+Checking (.+?)\s*:\s+(PASS|WARN|FAIL|NOTE)(?:\s+\((.*)\))?\s*$")
SLOW = "guests slow"  # CheckRow.matters for a line whose FAIL leaves QEMU only TCG

# (what the check's text contains, what it looks at, what a WARN/FAIL means, does a WARN/FAIL matter)
_MEANINGS = [
    ("hardware virtualization", "the CPU flags vmx (Intel VT-x) or svm (AMD-V) in /proc/cpuinfo",
     "no VT-x/AMD-V: KVM cannot run guests, QEMU emulates every instruction (TCG), many times slower", SLOW),
    ("/dev/kvm exists", "the device the kvm module makes (printed only when vmx/svm are present)",
     "no /dev/kvm: kvm_intel/kvm_amd not loaded, or virtualisation off in the firmware: guests run under TCG", SLOW),
    ("/dev/kvm is accessible", "this user may open /dev/kvm (root, or the group 'kvm')",
     "this user cannot open /dev/kvm: its own guests (qemu:///session) get no KVM, only TCG "
     "(<domain type='qemu'>); add the user to the group 'kvm'", SLOW),
    ("/dev/vhost-net", "vhost_net: virtio-net's packets handled in the host kernel",
     "QEMU's own thread moves the packets instead: networking a little slower, guests run normally", "no"),
    ("/dev/net/tun", "tap devices for guests' network cards",
     "no tap devices: guests cannot have network cards on a bridge or a virtual network", "networking"),
    ("cgroup", "a cgroup controller libvirt uses to limit a guest's CPU, memory, devices or disk I/O",
     "libvirt cannot apply that kind of limit (<cputune>, <memtune>, <blkiotune>); guests still run", "no"),
    ("IOMMU", "VT-d/AMD-Vi, for giving a guest a physical PCI device (passthrough)",
     "no PCI passthrough (<hostdev>); ordinary guests do not need it", "no"),
    ("secure guest", "AMD SEV or IBM Secure Execution: guests whose memory the host cannot read",
     "no encrypted-memory guests; ordinary guests do not need them", "no"),
    ("Linux >=", "a kernel new enough for containers (LXC driver)", "the LXC driver cannot run", "LXC only"),
    ("namespace", "a kernel namespace libvirt's LXC driver puts containers in", "LXC containers miss it",
     "LXC only"),
    ("/sys/fs/fuse", "FUSE, which libvirt's LXC driver uses for the container's /proc/meminfo",
     "containers see the host's /proc/meminfo", "LXC only"),
    ("PowerPC KVM", "kvm_hv, KVM on POWER", "POWER guests run slower", SLOW),
]


@dataclass(frozen=True)
class CheckRow:
    """One line of virt-host-validate: driver, check, status, its detail, and what it means."""

    driver: str  # QEMU, LXC (or BHYVE)
    check: str  # the text after "Checking "
    status: str  # PASS, WARN, FAIL (or NOTE)
    detail: str  # the text in parentheses after WARN/FAIL
    looks_at: str
    if_not: str  # what a WARN/FAIL means
    matters: str  # SLOW, "no", "networking", "LXC only" … (for a WARN/FAIL)

    @property
    def line(self) -> str:
        return f"{self.driver}: Checking {self.check}"

    @property
    def verdict(self) -> str:
        """One short verdict for the table: ok, or what this WARN/FAIL costs."""
        if self.status in ("PASS", "NOTE"):
            return "ok"
        if self.matters == SLOW:
            return "MATTERS: guests run under TCG (slow)"
        if self.matters == "no":
            return "harmless for ordinary guests"
        return f"matters for {self.matters}" if self.matters != "LXC only" else "only for LXC containers"


def explain(driver: str, check: str, status: str, detail: str = "") -> CheckRow:
    """A CheckRow for one check, with its meaning (unknown checks are marked as such, not guessed)."""
    low = check.lower()
    for key, looks_at, if_not, matters in _MEANINGS:
        if key.lower() in low:
            if driver == "LXC" and key == "cgroup":
                if_not, matters = "LXC cannot apply that limit to containers", "LXC only"
            return CheckRow(driver, check, status, detail, looks_at, if_not, matters)
    return CheckRow(driver, check, status, detail, "(a check this lesson does not describe: see man "
                    "virt-host-validate)", "read its detail text", "unknown")


def parse_validate(text: object) -> list[CheckRow]:
    """virt-host-validate's output -> one CheckRow per check line (other lines are skipped).

    Raises:
        InvalidInput: ``text`` is not a string, or holds no check line.
    """
    if not isinstance(text, str):
        raise InvalidInput(_("virt-host-validate's output must be text, not {type}").format(type=type(text).__name__),
                           hint=_("pass what the command printed, e.g. subprocess.run(['virt-host-validate'], "
                                  "capture_output=True, text=True).stdout (in a shell: virt-host-validate)"))
    rows = [explain(*m.groups(default="")) for m in map(_LINE.match, text.splitlines()) if m]
    if not rows:
        raise InvalidInput(_("no 'QEMU: Checking … : PASS/WARN/FAIL' line in the text given"),
                           hint=_("pass virt-host-validate's standard output (run without -q: -q prints only "
                                  "the checks that did not pass)"))
    return rows


@dataclass
class HostValidate(Result):
    """virt-host-validate's lines, explained. ``source`` says who printed them: this machine now, or a recording."""

    output: str = ""
    returncode: int | None = None
    rows: list[CheckRow] = field(default_factory=list)
    source: str = ""

    def text(self) -> str:
        return self.output

    @property
    def slow(self) -> list[CheckRow]:
        """The WARN/FAIL lines that leave guests under TCG."""
        return [r for r in self.rows if r.status in ("WARN", "FAIL") and r.matters == SLOW]

    def table(self, driver: str = "", problems_only: bool = False) -> str:
        """The rows as text: status, check, verdict, meaning (``driver`` 'QEMU' or 'LXC' to keep one)."""
        rows = [r for r in self.rows if (not driver or r.driver == driver)
                and (not problems_only or r.status in ("WARN", "FAIL"))]
        out = []
        for r in rows:
            out.append(f"{r.status:4}  {r.line}")
            out.append(f"      looks at: {r.looks_at}")
            if r.status in ("WARN", "FAIL"):
                out.append(f"      {r.verdict}: {r.if_not}")
        return "\n".join(out)

    def summary(self) -> str:
        counts = {s: sum(r.status == s for r in self.rows) for s in ("PASS", "WARN", "FAIL")}
        slow = (f"guests will be SLOW: {self.slow[0].line} is {self.slow[0].status}" if self.slow
                else "nothing here makes guests slow")
        return (f"{self.source}\nexit status {self.returncode}; {counts['PASS']} PASS, {counts['WARN']} WARN, "
                f"{counts['FAIL']} FAIL; {slow}")

    def body_html(self) -> str:
        rows = [(r.status, r.line, r.verdict if r.status in ("WARN", "FAIL") else "ok", r.looks_at) for r in self.rows]
        return (f"<div>{escape(self.source)}</div>"
                + html_table(("status", "check", "verdict", "what it looks at"), rows))


def recording(path: Path = RECORDING) -> dict[str, Any]:
    """The recording of this lesson's host commands on the course's build machine (see its 'recorded')."""
    return json.loads(path.read_text(encoding="utf-8"))


def _source(rec: dict[str, Any], what: str) -> str:
    where = rec["recorded"]
    return f"(a recording: `{what}` as {where['user']} on {where['where']}, {where['at']})"


def _here(conn: Any) -> str:
    """'(run now, on this machine)', and a warning when ``conn`` is another machine's libvirt."""
    uri = getattr(conn, "uri", "") or ""
    host = uri.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1] if "://" in uri else ""
    if host and host not in ("localhost", "127.0.0.1", "::1"):
        return (f"(run now, on this machine, not on {host}, which conn talks to: run the command there, "
                f"e.g. ssh {host} virt-host-validate)")
    return "(run now, on this machine)"


def host_validate(conn: Any = None, *, live: bool | None = None, timeout: float = 60.0) -> HostValidate:
    """virt-host-validate, explained: run here (a real backend, or ``live=True``), or the recording.

    The embedded lab has no host to check (libvirt's test driver runs in this process), so by default it
    shows the recording, the same at every run. Where the program is missing, the recording too, and says why.
    """
    if live is None:
        live = conn is not None and not getattr(conn, "embedded", True)
    program = shutil.which("virt-host-validate")
    if live and program:
        try:
            run = subprocess.run([program], capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            why = f"virt-host-validate did not finish: {exc}"
        else:
            return HostValidate(virsh="virt-host-validate", api=[], output=run.stdout, returncode=run.returncode,
                                rows=parse_validate(run.stdout), source=_here(conn))
    else:
        why = "" if not live else "virt-host-validate is not installed here (Debian: apt-get install libvirt-clients)"
    rec = recording()
    v = rec["virt-host-validate"]
    source = _source(rec, v["command"]) + (f"\n({why})" if why else "")
    return HostValidate(virsh=v["command"], api=[], output=v["stdout"], returncode=v["returncode"],
                        rows=parse_validate(v["stdout"]), source=source)


@dataclass
class KvmCheck(Result):
    """KVM on this host: the module, the CPU flags, /dev/kvm, and the verdict with its reason."""

    modules: list[str] = field(default_factory=list)  # kvm* under /sys/module (what lsmod | grep kvm lists)
    lsmod: str = ""  # what `lsmod | grep kvm` printed (or why it could not run)
    flags: list[str] = field(default_factory=list)  # vmx / svm found in /proc/cpuinfo
    hypervisor: bool = False  # the CPU flag 'hypervisor': this host is itself a VM
    dev_kvm: str = ""  # missing / does not open / opens, API 12
    kind: str = ""  # hardware (VT-x/AMD-V), pvm, none
    source: str = ""

    def text(self) -> str:
        back = next((KVM_MODULES[m] for m in self.modules if m in KVM_MODULES), "none")
        rows = [("lsmod | grep kvm:", self.lsmod.strip() or "(nothing)"),
                ("/sys/module/kvm*:", ", ".join(self.modules) or "(none)"),
                ("KVM back end:", back),
                ("CPU flags vmx/svm:", ", ".join(self.flags) or "none (no VT-x / AMD-V visible)"),
                ("flag 'hypervisor':", "yes: this host is itself a VM" if self.hypervisor else "no: bare metal"),
                ("/dev/kvm:", self.dev_kvm)]
        return "\n".join([self.source, *(f"{k:20}{v}" for k, v in rows), "", self.verdict()]) + "\n"

    def verdict(self) -> str:
        if self.kind == "hardware":
            return ("KVM with hardware virtualisation: vmx/svm present and /dev/kvm opens. Guests get "
                    "<domain type='kvm'> and run at nearly the CPU's own speed.")
        if self.kind == "pvm":
            return ("PVM: /dev/kvm opens although the CPU shows no vmx/svm. kvm_pvm is KVM without hardware "
                    "virtualisation, for a host that is itself a VM: it switches to the guest in software. "
                    "virt-host-validate reads only the CPU flags, so it says FAIL. Whether a guest really boots "
                    "under it decides: on the course's build machine the lab's probe booted none in 20 s, so its "
                    "guests use TCG (<domain type='qemu'>).")
        if self.kind == "no-access":
            return ("/dev/kvm is there but this user may not open it (not root, not in the group 'kvm'): this user's "
                    "own guests (qemu:///session) get no KVM, only TCG (<domain type='qemu'>); qemu:///system's guests "
                    "are not affected. Fix: usermod -aG kvm USER, then log in again.")
        return ("no KVM: " + self.dev_kvm + ". QEMU emulates the CPU (TCG, <domain type='qemu'>): guests work, "
                "slowly. Fix: enable VT-x/AMD-V in the firmware and load kvm_intel or kvm_amd.")


def _kind(modules: list[str], flags: list[str], opens: bool, denied: bool = False) -> str:
    """hardware (vmx/svm and /dev/kvm opens), pvm (it opens without them), no-access (it exists, this user may
    not open it), or none."""
    if not opens:
        return "no-access" if denied else "none"
    return "pvm" if "kvm_pvm" in modules or not flags else "hardware"


def kvm_check(conn: Any = None, *, live: bool | None = None) -> KvmCheck:
    """``lsmod | grep kvm``, vmx/svm and /dev/kvm, here (a real backend or ``live=True``) or the recording."""
    if live is None:
        live = conn is not None and not getattr(conn, "embedded", True)
    if not live:
        rec = recording()
        mods, dev = rec["sys/module"], rec["dev/kvm"]
        flags = rec["cpu flags"]["stdout"].split()
        lsmod = rec["lsmod"]["stdout"] or f"(lsmod failed: {rec['lsmod']['stderr'].strip().splitlines()[-1]})"
        opens = dev["opens"]
        dev_text = f"opens, KVM_GET_API_VERSION = {dev['api_version']}" if opens else "does not open"
        return KvmCheck(virsh="lsmod | grep kvm; grep -E 'vmx|svm' /proc/cpuinfo; ls -l /dev/kvm", modules=mods,
                        lsmod=lsmod, flags=flags, hypervisor=rec["hypervisor flag"], dev_kvm=dev_text,
                        kind=_kind(mods, flags, opens), source=_source(rec, "lsmod | grep kvm") + "")
    try:
        run = subprocess.run("lsmod | grep kvm", shell=True, capture_output=True, text=True, timeout=10)
        lsmod = run.stdout or (f"(lsmod failed: {run.stderr.strip().splitlines()[-1]})" if run.stderr.strip()
                               else "(no kvm module listed)")
    except (OSError, subprocess.TimeoutExpired) as exc:
        lsmod = f"(lsmod did not run: {exc})"
    sysmod = Path("/sys/module")
    mods = sorted(p.name for p in sysmod.glob("kvm*")) if sysmod.is_dir() else []
    allflags = cpu_flags()
    flags = sorted(allflags & {"vmx", "svm"})
    dev = open_kvm()
    dev_text = ("missing" if not dev.exists else f"exists but does not open ({dev.error})" if not dev.opens
                else f"opens, KVM_GET_API_VERSION = {dev.api_version}")
    if kvm_module() == "kvm_pvm" and "kvm_pvm" not in mods:
        mods.append("kvm_pvm")
    return KvmCheck(virsh="lsmod | grep kvm; grep -E 'vmx|svm' /proc/cpuinfo; ls -l /dev/kvm",
                    api=["open('/dev/kvm'); ioctl(KVM_GET_API_VERSION)"], modules=mods, lsmod=lsmod, flags=flags,
                    hypervisor="hypervisor" in allflags, dev_kvm=dev_text,
                    kind=_kind(mods, flags, dev.opens, dev.exists and not dev.opens),
                    source=_here(conn))
