"""Lesson 18: a VM that will not start, for a real reason, and the two places that say why.

:func:`broken_vm` defines ``kvmlab-l18-broken`` (tagged as the lab's, so ``kvmlab lab reset`` removes it) whose
``<kernel>`` is wrong in one of two ways, then runs ``virsh start`` on it:

* ``missing-kernel``: the file does not exist. libvirt launches QEMU's process, fails to label the file for
  it (``unable to stat``) and stops it: the log has QEMU's command line and ``shutting down, reason=failed``.
* ``not-a-kernel``: the file exists but holds text. QEMU itself refuses it, and its own words
  (``qemu: invalid kernel header``) are in the log and, quoted, in virsh's error.

:class:`BrokenStart` keeps virsh's ``error:`` lines, the guest's log (``/var/log/libvirt/qemu/NAME.log`` on
qemu:///system, ``~/.cache/libvirt/qemu/log/NAME.log`` on qemu:///session) and ``domstate --reason``.
libvirt's test driver (the embedded lab) opens no file and starts it anyway: there the result says so and
carries the recording ``kvmlab/data/broken-vm-recording.json``, made on the real lab.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libvirt

from ..errors import InvalidInput, InvalidState, KvmlabError, attempt, libvirt_errors
from ..i18n import _
from ..ops.result import Result
from .host_daemons import log_path

__all__ = ["BrokenStart", "broken_vm", "remove", "FAULTS", "RECORDING", "DEFAULT_NAME", "recorded"]

RECORDING = Path(__file__).resolve().parents[1] / "data" / "broken-vm-recording.json"
DEFAULT_NAME = "kvmlab-l18-broken"
FAULTS = {
    "missing-kernel": "its <kernel> names a file that does not exist",
    "not-a-kernel": "its <kernel> names a file that exists but holds text, not a Linux kernel",
}
_NAME = re.compile(r"^kvmlab-[A-Za-z0-9][A-Za-z0-9_.-]{0,50}$")
# the log lines worth reading: libvirt's start and stop markers, and whatever QEMU itself said
_KEEP = re.compile(r"starting up|shutting down|^qemu[:-]|^\S*qemu-system|error|warning|char device", re.IGNORECASE)


def _kernel_dir(uri: str) -> Path:
    if uri.rstrip("/").endswith("/session"):
        return Path.home() / ".local/share/kvmlab/l18"
    return Path("/var/lib/kvmlab/l18")


def _xml(name: str, kernel: str, kind: str) -> str:
    return (f"<domain type='{kind}'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
            f"<os><type arch='x86_64' machine='pc'>hvm</type><kernel>{kernel}</kernel>"
            "<cmdline>console=ttyS0</cmdline></os>"
            "<devices><serial type='pty'/><console type='pty'/></devices></domain>")


@dataclass
class BrokenStart(Result):
    """``virsh start`` of a VM that will not start: virsh's error, the guest's log, its state and reason.

    ``live`` is False on the embedded lab: ``error``/``log_lines`` then come from the recording (``source``).
    """

    domain: str = ""
    fault: str = ""
    kernel: str = ""
    uri: str = ""
    error: list[str] = field(default_factory=list)  # virsh's lines after "error: "
    log: str = ""  # the guest's log file
    log_lines: list[str] = field(default_factory=list)  # that log, from this start on
    state: str = ""  # virsh domstate --reason, after the start
    live: bool = True
    note: str = ""
    source: str = ""

    def text(self) -> str:
        """What ``virsh start`` printed (virsh prints errors on stderr)."""
        if not self.error:
            return f"Domain '{self.domain}' started\n"
        return "".join(f"error: {line}\n" for line in self.error)

    def highlights(self) -> list[str]:
        """The log lines that say what happened (QEMU's long command line left out)."""
        return [ln for ln in self.log_lines if _KEEP.search(ln)]

    def report(self) -> str:
        head = [self.source] if self.source else []
        if self.note:
            head.append(f"note: {self.note}")
        body = [f"$ virsh start {self.domain}", self.text().rstrip(), "",
                f"$ virsh domstate {self.domain} --reason", self.state, "",
                f"$ less {self.log}   # from its last 'starting up': {len(self.highlights())} of "
                f"{len(self.log_lines)} lines (QEMU's command line left out)",
                *(f"  {ln[:160]}" for ln in self.highlights())]
        return "\n".join(head + body) + "\n"


def recorded(fault: str = "missing-kernel", path: Path = RECORDING) -> BrokenStart:
    """The recording of this fault on the real lab (see its 'recorded': where and when)."""
    rec = json.loads(path.read_text(encoding="utf-8"))
    r = rec["faults"][fault]
    where = rec["recorded"]
    return BrokenStart(virsh=f"virsh start {r['domain']}", api=[f"dom = conn.lookupByName('{r['domain']}')",
                       "dom.create()"], domain=r["domain"], fault=fault, kernel=r["kernel"], uri=where["uri"],
                       error=r["error"], log=r["log"], log_lines=r["log_lines"], state=r["state"], live=False,
                       source=f"(a recording: `virsh start {r['domain']}` on {where['where']}, {where['at']})")


def _check(name: object, fault: object) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput(_("invalid lesson domain name {name}").format(name=repr(name)),
                           hint=_("the lab's objects are named kvmlab-…, e.g. '{example}' (lab reset removes them)")
                           .format(example=DEFAULT_NAME))
    if fault not in FAULTS:
        raise InvalidInput(_("unknown fault {fault}").format(fault=repr(fault)),
                           hint=_("choose one of: ") + ", ".join(FAULTS))


def remove(conn: Any, name: str = DEFAULT_NAME) -> str:
    """Destroy and undefine the lab's domain ``name`` and delete its kernel stand-in; what was done.

    Raises:
        InvalidState: a domain by that name exists and is not the lab's (it is never touched).
    """
    from ..lab.ownership import is_owned

    _check(name, "missing-kernel")
    v = conn.virconn
    dom = attempt(v.lookupByName, name, codes=[libvirt.VIR_ERR_NO_DOMAIN])
    done = f"no domain '{name}'"
    if dom is not None:
        if getattr(conn, "embedded", False) is False and not is_owned(dom):
            raise InvalidState(_("domain '{name}' exists and is not the lab's: nothing was done").format(name=name),
                               hint=_("rename yours (virsh domrename {name} my-{name}) or pass another name")
                               .format(name=name))
        with libvirt_errors(f"Failed to remove domain '{name}'"):
            if dom.isActive():
                dom.destroy()
            dom.undefine()
        done = f"Domain '{name}' removed"
    with libvirt_errors():
        uri = v.getURI()
    if v.getType().lower() == "qemu":
        kernel = _kernel_dir(uri) / f"{name}.vmlinuz"
        if kernel.exists():
            kernel.unlink()
        if kernel.parent.is_dir() and not any(kernel.parent.iterdir()):
            kernel.parent.rmdir()
    return done


def _read_log(path: str) -> list[str]:
    """The log's lines from its last 'starting up' on ([] when it cannot be read from here)."""
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return []
    start = max((i for i, ln in enumerate(lines) if "starting up" in ln), default=0)
    return lines[start:]


def broken_vm(conn: Any, name: str = DEFAULT_NAME, fault: str = "missing-kernel") -> BrokenStart:
    """Define ``name`` with a wrong ``<kernel>`` (``fault``), ``virsh start`` it, and read why it failed.

    A previous one of the lab's by that name is removed first.

    Raises:
        InvalidInput: ``name`` does not start with ``kvmlab-``, or ``fault`` is not one of FAULTS.
        InvalidState: a domain by that name exists and is not the lab's.
    """
    from ..lab.ownership import tag_domain_xml

    _check(name, fault)
    remove(conn, name)
    v = conn.virconn
    with libvirt_errors():
        uri, kind = v.getURI(), v.getType().lower()
    real = kind == "qemu"
    kernel_dir = _kernel_dir(uri) if real else Path("/var/lib/kvmlab/l18")
    kernel = kernel_dir / (f"{name}.vmlinuz" if fault == "not-a-kernel" else f"missing/{name}.vmlinuz")
    if real and fault == "not-a-kernel":
        kernel_dir.mkdir(parents=True, exist_ok=True)
        kernel.write_text("this is a text file, not a Linux kernel\n")
        os.chmod(kernel, 0o644)  # QEMU runs as libvirt-qemu on qemu:///system
    xml = _xml(name, str(kernel), "qemu")
    with libvirt_errors(f"Failed to define domain from {name}.xml"):
        v.defineXML(tag_domain_xml(xml) if real else xml)
    error: list[str] = []
    try:
        conn.start(name)
    except KvmlabError as err:
        error = list(err.virsh_error)
    state_text = str(conn.domstate(name, reason=True)).strip()  # virsh domstate NAME --reason
    log = log_path(uri, name)
    api = [f"dom = conn.lookupByName('{name}')", "dom.create()", "dom.state()  # domstate --reason"]
    if not real:
        rec = recorded(fault)
        same = lambda lines: [ln.replace(DEFAULT_NAME, name) for ln in lines]  # noqa: E731 (the recording's name)
        rec.error, rec.log, rec.log_lines = same(rec.error), rec.log.replace(DEFAULT_NAME, name), same(rec.log_lines)
        note = (f"libvirt's test driver opens no file, so it started '{name}' ({state_text}); below is the same "
                "VM started on the real lab, recorded" + (f" as {DEFAULT_NAME}" if name != DEFAULT_NAME else ""))
        return BrokenStart(virsh=f"virsh start {name}", api=api, domain=name, fault=fault, kernel=str(kernel),
                           uri=uri, error=rec.error, log=rec.log, log_lines=rec.log_lines, state=rec.state,
                           live=False, note=note, source=rec.source)
    lines = _read_log(log)
    note = "" if lines else f"{log} cannot be read from here (another machine, or no permission)"
    return BrokenStart(virsh=f"virsh start {name}", api=api, domain=name, fault=fault, kernel=str(kernel), uri=uri,
                       error=error, log=log, log_lines=lines, state=state_text, live=True, note=note,
                       source=f"(run now, on {uri})")
