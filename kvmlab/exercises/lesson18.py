"""Lesson 18 checks: checking a host (检查宿主机).

- :func:`check_slow_line`: of virt-host-validate's lines, the one that makes guests slow. A harmless WARN
  (vhost-net, IOMMU, secure guest), a PASS line, an LXC line and words matching several lines are each caught.
- :func:`check_log_file`: the file that says why ``kvmlab-l18-ex`` would not start, for this connection's
  libvirt (``/var/log/libvirt/qemu/NAME.log``, or the session's under ``~/.cache``); the daemon's own log, the
  system log, the directory and another VM's file are caught. Where the file can be read, it is read back.
- :func:`check_nonroot_uri`: the URI a non-root ``virsh`` opens without ``-c``, and the line that lists the VM
  that seemed to disappear.

A first failure names the idea, a second points at the lesson's section; ``show_answer("18.N")`` gives the answer.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from ..concepts.broken_vm import BrokenStart, broken_vm
from ..concepts.host_check import SLOW, HostValidate, host_validate
from ..concepts.host_daemons import SESSION, SYSTEM, log_path
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, answered, expect
from .ladder import graded

__all__ = ["EXERCISE_DOMAIN", "exercise_checks", "exercise_vm", "expected_log", "check_slow_line",
           "check_log_file", "check_nonroot_uri", "tidy"]

EXERCISE_DOMAIN = "kvmlab-l18-ex"
_SECTION_VALIDATE = N_("lesson 18, 'virt-host-validate, line by line'")
_SECTION_LOG = N_("lesson 18, 'A VM that will not start'")
_SECTION_URI = N_("lesson 18, 'qemu:///system or qemu:///session'")
_SLOW_IDEA = N_("guests are slow when QEMU must emulate the guest's CPU instruction by instruction (TCG) instead of "
                "letting KVM run guest code on the real CPU")


def exercise_checks(conn: Any) -> HostValidate:
    """The output exercise 18.1 reads: the recording (embedded lab), or virt-host-validate run here."""
    return host_validate(conn)


def exercise_vm(conn: Any) -> BrokenStart:
    """Exercise 18.2's VM ``kvmlab-l18-ex``: defined with a kernel file that does not exist, and started (it fails)."""
    return broken_vm(conn, EXERCISE_DOMAIN)


def _session(uri: object) -> bool:
    return isinstance(uri, str) and uri.rstrip("/").endswith("/session")


def expected_log(uri: str, domain: str = EXERCISE_DOMAIN) -> str:
    """The guest log's path for ``domain`` on ``uri`` (the embedded lab, test:///…, stands for qemu:///system)."""
    return log_path(uri if _session(uri) else SYSTEM, domain)


# --- 18.1 -------------------------------------------------------------------------------------------------
def _why_not_slow(row: Any) -> str:
    if row.driver == "LXC":
        return _("'{line}' is an LXC line: it concerns libvirt's container driver, not QEMU guests").format(
            line=row.line)
    if row.status == "PASS":
        return _("'{line}' passed: nothing is wrong there").format(line=row.line)
    return _("'{line}' is a {status} that does not slow a guest down: {if_not}").format(
        line=row.line, status=row.status, if_not=row.if_not)


@graded("18.1", answer='line = "QEMU: Checking for hardware virtualization"   # FAIL: no vmx/svm, so TCG')
def check_slow_line(checks: HostValidate, line: object) -> Passed:
    """``line``: the words of the one line of ``checks`` (virt-host-validate's output) that makes guests slow."""
    expect(isinstance(checks, HostValidate), _("checks must be the output the exercise gave"),
           hint=_("checks = lesson18.exercise_checks(conn)  (what virt-host-validate printed, read into rows)"))
    text = answered(line, "line", _("copy the words of one line of the output, e.g. 'QEMU: Checking for …'"))
    words = " ".join(text.split()).lower()
    rows = [r for r in checks.rows if words in f"{r.driver}: checking {r.check}".lower()
            or words in f"{r.driver}: checking {r.check} : {r.status} ({r.detail})".lower()]
    if not rows:
        raise ExerciseFailed(_("no line of the output contains {text}").format(text=repr(text)),
                             hint=_("copy the words of one line as printed, e.g. 'QEMU: Checking for …'"),
                             pointer=_("print(checks) lists every line"))
    if len({r.line for r in rows}) > 1:
        raise ExerciseFailed(_("{text} matches {n} lines").format(text=repr(text), n=len(rows)),
                             hint=_("give enough words to name one line"),
                             pointer=_("copy the whole 'QEMU: Checking …' part of the line you mean"))
    row = rows[0]
    if not (row.matters == SLOW and row.status in ("WARN", "FAIL")):
        raise ExerciseFailed(_why_not_slow(row), hint=_(_SLOW_IDEA),
                             pointer=_("lesson 18, 'virt-host-validate, line by line': the check that reads the "
                                       "CPU's flags"))
    return Passed(f"{row.line}: {row.status}", _("it looks at {looks_at}").format(looks_at=row.looks_at), row.if_not,
                  _("the WARNs (vhost-net, IOMMU, secure guest) cost an ordinary guest nothing"))


# --- 18.2 -------------------------------------------------------------------------------------------------
_DAEMON_LOGS = ("/var/log/kvmlab/libvirtd.log", "/var/log/libvirt/libvirtd.log", "/var/log/kvmlab/virtlogd.log",
                "/var/log/libvirt/virtqemud.log")
_SYSTEM_LOGS = ("/var/log/syslog", "/var/log/messages", "/var/log/kern.log", "journalctl")
_LOG_IDEA = N_("libvirt keeps one log file per guest, named after it: QEMU's command line for each start, whatever "
               "QEMU printed, and how it ended")


@graded("18.2", answer=lambda uri=SYSTEM, domain=EXERCISE_DOMAIN, **_: (
    f'log = "{expected_log(uri, domain)}"   # one file per guest, named after it'
    + ("" if _session(uri) else "\n# (on qemu:///session: ~/.cache/libvirt/qemu/log/NAME.log)")))
def check_log_file(path: object, uri: str, domain: str = EXERCISE_DOMAIN) -> Passed:
    """``path``: the file to read for why ``domain`` would not start, on the libvirt at ``uri`` (the embedded
    lab's test:///… stands for qemu:///system)."""
    text = answered(path, "log", _("a file's full path, e.g. '/var/log/…'"))
    expect(isinstance(uri, str) and isinstance(domain, str), _("uri and domain must be strings"),
           hint=_("pass the exercise VM's: check_log_file(log, vm.uri, vm.domain)"))
    want = expected_log(uri, domain)
    given = os.path.normpath(os.path.expanduser(text.split()[0] if text.startswith("/") or text.startswith("~")
                                                else text))
    low = text.lower()
    if given in _DAEMON_LOGS or low.startswith("journalctl -u"):
        raise ExerciseFailed(_("{text} is the daemon's own log: what libvirt did, not what QEMU printed for "
                               "{domain}").format(text=text, domain=domain),
                             hint=_(_LOG_IDEA), pointer=_(_SECTION_LOG))
    if given in _SYSTEM_LOGS or low.startswith("journalctl") or low.startswith("dmesg"):
        raise ExerciseFailed(_("{text} is the system's log: libvirt writes a guest's output to a file of its "
                               "own").format(text=text),
                             hint=_(_LOG_IDEA), pointer=_(_SECTION_LOG))
    expect(given.startswith("/"), _("{text} is not a file's path").format(text=repr(text)),
           hint=_("a full path starts with /"), pointer=_(_SECTION_LOG))
    if given == os.path.dirname(want):
        raise ExerciseFailed(_("{given} is the directory of the guests' logs; which file in it?").format(given=given),
                             hint=_("each guest's file is named after the guest"), pointer=_(_SECTION_LOG))
    session = _session(uri)
    other = log_path(SYSTEM if session else SESSION, domain)
    if given == os.path.normpath(other):
        where = SESSION if not session else SYSTEM
        raise ExerciseFailed(_("{given} is where {where}'s guests log; {domain} is on {uri}").format(
                                 given=given, where=where, domain=domain, uri=SESSION if session else SYSTEM),
                             hint=_("qemu:///system's guests log under /var/log, a session's under the user's "
                                    "~/.cache"),
                             pointer=_(_SECTION_LOG))
    if given != want and os.path.dirname(given) == os.path.dirname(want):
        raise ExerciseFailed(_("{file} is not {domain}'s log").format(file=os.path.basename(given), domain=domain),
                             hint=_("each guest's file is named after the guest"),
                             pointer=_("lesson 18, 'A VM that will not start': the file's name is the domain's name"))
    expect(given == want, _("{given} is not where libvirt writes {domain}'s log").format(given=given, domain=domain),
           hint=_(_LOG_IDEA), pointer=_(_SECTION_LOG))
    details = [_("libvirt writes it through virtlogd; each start appends a 'starting up' line, QEMU's command line, "
                 "whatever QEMU printed, and 'shutting down, reason=…'")]
    lines: list[str] | None = None
    if uri.startswith("qemu"):
        try:
            with open(want, errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            pass
    if lines is None:
        details.append(_("(not read back: the embedded lab runs no QEMU; on the real lab the check reads the file)")
                       if not uri.startswith("qemu") else _("(not read back: the file is not on this machine)"))
    else:
        start = max((i for i, ln in enumerate(lines) if "starting up" in ln), default=0)
        last = [ln for ln in lines[start:] if "shutting down" in ln or ln.startswith("qemu") or "error" in ln]
        details.append(_("read back: {n} lines; the last start ends: {last}").format(
            n=len(lines), last=' | '.join(last)[-300:]))
    return Passed(_("{want}: {domain}'s log").format(want=want, domain=domain), *details)


# --- 18.3 -------------------------------------------------------------------------------------------------
_URI_IDEA = N_("without -c, virsh takes $LIBVIRT_DEFAULT_URI, then uri_default in libvirt.conf, and else the QEMU "
               "driver's instance that belongs to the user running it")


def _fix_ok(fix: str) -> str:
    """'' if ``fix`` lists qemu:///system's VMs, else why not."""
    try:
        words = shlex.split(fix)
    except ValueError as err:
        return _("the line does not parse as a shell line ({error})").format(error=err)
    root = bool(words) and words[0] == "sudo"
    if root:
        words = words[1:]
    if not words or words[0] != "virsh":
        return _("the line should start with virsh")
    uri = ""
    for i, w in enumerate(words):
        if w in ("-c", "--connect") and i + 1 < len(words):
            uri = words[i + 1]
        elif w.startswith("--connect="):
            uri = w.split("=", 1)[1]
    if "list" not in words:
        return _("the line should list the VMs (virsh list)")
    if "--all" not in words:
        return _("without --all, virsh list shows only running VMs; the defined one is shut off")
    if uri and uri != SYSTEM:
        return _("-c {uri} is not the libvirt that 'sudo virsh define' used").format(uri=uri)
    if not uri and not root:
        return _("without -c this virsh opens the same libvirt as before, and lists nothing again")
    return ""


@graded("18.3", answer='uri = "qemu:///session"   # not root, no LIBVIRT_DEFAULT_URI, no uri_default\n'
                       'fix = "virsh -c qemu:///system list --all"   # or: export LIBVIRT_DEFAULT_URI=qemu:///system')
def check_nonroot_uri(uri: object, fix: object) -> Passed:
    """``uri``: what a non-root ``virsh list --all`` opens (no -c, no LIBVIRT_DEFAULT_URI, no libvirt.conf);
    ``fix``: a virsh line that lists the VM ``sudo virsh define`` made."""
    text = answered(uri, "uri", _("a libvirt URI, as `virsh uri` prints it: driver:///instance"))
    if text == SYSTEM:
        raise ExerciseFailed(_("qemu:///system is what root's virsh opens (or anyone's given -c or "
                               "LIBVIRT_DEFAULT_URI); this user is not root and set neither"), hint=_(_URI_IDEA),
                             pointer=_(_SECTION_URI))
    if text in ("session", "system") or not text.startswith(("qemu", "test", "lxc")):
        raise ExerciseFailed(_("{text} is not a whole URI").format(text=repr(text)),
                             hint=_("write it as `virsh uri` prints it: driver:///instance"),
                             pointer=_(_SECTION_URI))
    if text.startswith("qemu+") or text.startswith("test:"):
        raise ExerciseFailed(_("{text} is a URI only -c or LIBVIRT_DEFAULT_URI would choose").format(text=text),
                             hint=_(_URI_IDEA), pointer=_(_SECTION_URI))
    expect(text == SESSION, _("{text} is not a URI of the QEMU driver's two instances").format(text=text),
           hint=_(_URI_IDEA),
           pointer=_("lesson 18, 'qemu:///system or qemu:///session': qemu:///system and its other instance"))
    line = answered(fix, "fix", _("a virsh line, as typed in a shell"))
    why = _fix_ok(line)
    if why:
        raise ExerciseFailed(_("fix: {why}").format(why=why),
                             hint=_("the VM is in another libvirt: ask that one, by its URI"),
                             pointer=_("lesson 18, 'qemu:///system or qemu:///session': virsh's -c option"))
    return Passed(_("a non-root virsh opens qemu:///session; the VM is in qemu:///system"),
                  _("{line}: lists qemu:///system's VMs, shut-off ones included").format(line=line),
                  _("for good: export LIBVIRT_DEFAULT_URI=qemu:///system (and on Debian, the group 'libvirt')"))


def tidy(conn: Any) -> str:
    """Remove exercise 18.2's VM and its kernel stand-in (``kvmlab lab reset`` would remove the VM too)."""
    from ..concepts.broken_vm import remove

    return remove(conn, EXERCISE_DOMAIN)
