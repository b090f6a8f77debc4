"""`lab up | status | down | reset`: the real lab's life cycle, in whichever mode this machine allows.

Modes, decided afresh on every call:

* ``netns``   root, and kvmlab's own libvirtd runs inside the network namespace ``kvmlab-lab``;
* ``system``  root, and a libvirtd kvmlab did not start already answers: kvmlab uses it, never stops it;
* ``session`` not root: qemu:///session, the per-user daemon (no virtual networks there);
* ``down``    root, and no daemon runs.
"""

from __future__ import annotations

import os

from ..connection import connect
from ..errors import ConnectionFailed, KvmlabError, OperationFailed, libvirt_errors
from ..i18n import _
from . import daemon, netns
from .cleanup import Cleanup, remove_owned, stop_running
from .links import remove_owned_links
from .paths import NETNS, SESSION_URI, SYSTEM_URI
from .resources import ensure_lab_network, ensure_lab_pool
from .status import LabReport, LabStatus, inventory_fields

__all__ = ["mode", "lab_uri", "up", "status", "down", "reset", "SESSION_MISSING"]

SESSION_MISSING = (
    "not root, so the lab is qemu:///session (a per-user libvirtd started on demand). Missing "
    "there: virtual networks (no bridges, NAT or dnsmasq without root: guests get user-mode "
    "networking), the system pool under /var/lib/kvmlab (the lab pool lives in "
    "~/.local/share/kvmlab/pool), and KVM unless you are in group 'kvm'. Run `sudo kvmlab lab up` "
    "for the full lab"
)


def mode() -> tuple[str, str]:
    """(mode, why): see the module docstring."""
    if os.geteuid() != 0:
        return "session", SESSION_MISSING
    running = daemon.ours()
    if running is not None:
        return "netns", f"kvmlab's own libvirtd runs in network namespace {NETNS}"
    foreign = daemon.foreign_daemon()
    if foreign:
        return "system", f"using the system libvirtd: {foreign}; kvmlab will never stop it"
    return "down", "no libvirt daemon runs; `kvmlab lab up` starts kvmlab's own"


def lab_uri() -> str:
    """The URI of the running lab (qemu:///system or qemu:///session)."""
    m, _why = mode()
    if m == "down":
        raise ConnectionFailed(
            _("the real lab is down"),
            hint=_("start it with `kvmlab lab up` (or kvmlab.lab.up() in a notebook)"),
            virsh_error=["failed to connect to the hypervisor"],
        )
    return SESSION_URI if m == "session" else SYSTEM_URI


def up(resources: bool = True, timeout: float = daemon.START_TIMEOUT) -> LabStatus:
    """Bring the real lab up (idempotent) and return its status.

    As root with no libvirtd running, start virtlogd and libvirtd inside the namespace
    ``kvmlab-lab``; with a system libvirtd, use it; without root, use qemu:///session.
    ``resources`` also makes the lab pool and (not in a session) the NAT network kvmlab-nat.
    """
    m, why = mode()
    notes = []
    if m == "down":
        daemon.start(timeout)
        notes.append(f"started kvmlab's own virtlogd and libvirtd in network namespace {NETNS}")
    elif m == "netns":
        notes.append("the lab was already up")
    else:
        notes.append(why)
    if resources:
        with connect(lab_uri()) as conn:
            notes.append(str(ensure_lab_pool(conn)).strip())
            if m != "session":
                notes.append(str(ensure_lab_network(conn, "nat")).strip())
    st = status()
    st.notes = notes + [n for n in st.notes if n not in notes]
    return st


def status(uri: str | None = None) -> LabStatus:
    """What runs: mode, URI, daemon pids, namespace, KVM or TCG, and the lab's own objects.

    ``uri`` asks any libvirt URI (e.g. a remote qemu+ssh://…) for the lab's objects instead.
    """
    if uri is not None:
        st = LabStatus(mode="uri", uri=uri, fields=[("Mode:", "uri"), ("URI:", uri)])
    else:
        m, why = mode()
        st = LabStatus(mode=m, notes=[why], fields=[("Mode:", m)])
        if m != "down":
            st.uri = lab_uri()
        st.fields.append(("URI:", st.uri or "(lab down)"))
        if m == "netns":
            d = daemon.ours()
            st.libvirtd_pid, st.virtlogd_pid = (d.libvirtd, d.virtlogd) if d else (None, None)
            st.netns = NETNS
            st.fields += [
                ("libvirtd:", f"pid {st.libvirtd_pid} (started by kvmlab)"),
                ("virtlogd:", f"pid {st.virtlogd_pid}" if st.virtlogd_pid else "not running"),
                ("Namespace:", f"{NETNS} (links: {', '.join(netns.links(NETNS))}; "
                               f"{len(netns.pids(NETNS))} processes)"),
            ]
        elif m == "system":
            pids = daemon.foreign_pids()
            st.libvirtd_pid = pids[0] if pids else None
            st.fields.append(("libvirtd:", f"pid {', '.join(map(str, pids)) or 'unknown'} (not started by kvmlab)"))
        elif m == "down" and netns.exists(NETNS):
            st.notes.append(f"namespace {NETNS} exists without a daemon: `kvmlab lab down` clears it")
    if st.uri is None:
        return st
    try:
        with connect(st.uri) as conn:
            st.running = True
            with libvirt_errors():
                inventory_fields(st, conn.virconn)
    except ConnectionFailed as exc:
        st.notes.append(f"{st.uri} does not answer: {exc.message}")
    except KvmlabError as exc:  # an object vanished while we looked: say so, don't crash
        st.notes.append(f"{st.uri}: {exc.message}")
    return st


def _raise_failures(c: Cleanup, what: str) -> None:
    if c.failed:
        raise OperationFailed(
            _("{what} left {n} object(s): {objects}").format(what=what, n=len(c.failed), objects="; ".join(c.failed)),
            hint=_("look at each with virsh dominfo / net-info / pool-info, then run it again"),
            virsh_error=c.failed,
        )


def _remove_lab_links(c: Cleanup) -> None:
    """The links a lesson built by hand in the lab's namespace (a demo bridge), borrowed taps put back."""
    try:
        c.done += remove_owned_links()
    except KvmlabError as exc:
        c.failed.append(f"links in namespace {NETNS}: {exc.message}")


def reset(uri: str | None = None) -> LabReport:
    """Remove exactly what the lab owns on ``uri`` (default: the running lab).

    With kvmlab's own daemon, a bridge a lesson built by hand in the namespace (tagged by its alias)
    goes first, the taps it borrowed back on their bridges. Then tagged domains are destroyed and
    undefined, then networks and pools named kvmlab-… (with their volumes). A learner's own
    domains, networks and pools are left as they are.
    """
    target = uri or lab_uri()
    c = Cleanup()
    if target == SYSTEM_URI and mode()[0] == "netns":
        _remove_lab_links(c)
    with connect(target) as conn:
        remove_owned(conn, c)
    _raise_failures(c, "lab reset")
    lines = c.done or ["nothing to reset: the lab owns no domain, network or pool here"]
    return LabReport(lines=lines, virsh=f"kvmlab lab reset -c {target}", api=c.api)


def down(timeout: float = daemon.STOP_TIMEOUT) -> LabReport:
    """Tear the lab down in order: its domains, networks, pools, then daemons and namespace.

    With kvmlab's own daemon, the learner's running domains and networks are stopped too
    (their processes live in the namespace) but stay defined. A system libvirtd is left running.
    """
    m, why = mode()
    c = Cleanup()
    notes: list[str] = []
    if m == "netns":
        _remove_lab_links(c)  # the namespace goes too, but say what a lesson had left in it
    if m in ("netns", "system", "session"):
        uri = lab_uri()
        try:
            with connect(uri) as conn:
                remove_owned(conn, c)
                if m == "netns":
                    stop_running(conn, c)
        except KvmlabError as exc:
            c.failed.append(f"{uri}: {exc.message}")
    if m in ("netns", "down"):
        c.done += daemon.stop(timeout)
        if m == "down" and not c.done:
            notes.append("the lab was not running; nothing was left behind")
    else:
        notes.append(why)
    _raise_failures(c, "lab down")
    return LabReport(lines=c.done, notes=notes, virsh="kvmlab lab down", api=c.api)
