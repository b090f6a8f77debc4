"""Lesson 18: which libvirt a virsh talks to (qemu:///system or qemu:///session) and which daemons serve it.

* :func:`default_uri` is libvirt's rule for a virsh run without ``-c``: ``$LIBVIRT_DEFAULT_URI``, else
  ``uri_default`` in the client's libvirt.conf, else the first driver that answers — for QEMU,
  ``qemu:///system`` for root and ``qemu:///session`` for everyone else. That last step is why a VM
  "disappears": ``sudo virsh list`` and ``virsh list`` ask two different libvirts (libvirt.org/uri.html).
* :func:`uri_report` puts that beside what this connection says (``virsh uri``: ``conn.getURI()``).
* :func:`daemons` lists the libvirt daemons running here: the monolithic ``libvirtd`` or the modular
  ``virtqemud``/``virtnetworkd``/``virtstoraged``…, and ``virtlogd`` (it writes the guests' logs).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import InvalidInput, libvirt_errors
from ..i18n import _
from ..ops.result import Result
from ..render import html_table

__all__ = ["backend_line", "default_uri", "UriReport", "uri_report", "DaemonList", "daemons", "DAEMONS", "log_path"]

SYSTEM, SESSION = "qemu:///system", "qemu:///session"
_CONF = re.compile(r'^\s*uri_default\s*=\s*"([^"]*)"', re.MULTILINE)

# daemon -> what it does (libvirt.org/daemons.html)
DAEMONS = {
    "libvirtd": "monolithic: every driver (QEMU, networks, storage …) in one daemon",
    "virtqemud": "modular: QEMU/KVM guests only",
    "virtnetworkd": "modular: virtual networks (net-*)",
    "virtstoraged": "modular: storage pools and volumes (pool-*, vol-*)",
    "virtnodedevd": "modular: host devices (nodedev-*)",
    "virtproxyd": "modular: answers on libvirtd's old socket and forwards to the right daemon",
    "virtlogd": "writes each guest's log (system: /var/log/libvirt/qemu/NAME.log; session: ~/.cache/libvirt/qemu/log/)",
    "virtlockd": "disk locks, so two guests do not write one disk",
}


def default_uri(euid: int, env: Mapping[str, str] | None = None, conf: str = "") -> tuple[str, str]:
    """The URI a virsh run without ``-c`` opens, and why: (uri, the rule that chose it).

    ``env`` stands for the environment (``LIBVIRT_DEFAULT_URI``), ``conf`` for the client's libvirt.conf
    (``~/.config/libvirt/libvirt.conf``, or ``/etc/libvirt/libvirt.conf`` for root).

    Raises:
        InvalidInput: ``euid`` is not a user id (an int >= 0).
    """
    if isinstance(euid, bool) or not isinstance(euid, int) or euid < 0:
        raise InvalidInput(_("euid must be a user id (0 for root), not {euid}").format(euid=repr(euid)),
                           hint=_("pass os.geteuid() (in a shell: id -u)"))
    given = (env or {}).get("LIBVIRT_DEFAULT_URI", "")
    if given:
        return given, "$LIBVIRT_DEFAULT_URI is set"
    found = _CONF.search(conf or "")
    if found:
        return found.group(1), "uri_default in libvirt.conf"
    if euid == 0:
        return SYSTEM, "root: the QEMU driver's system instance (the host's libvirtd / virtqemud)"
    return SESSION, "not root: the QEMU driver's session instance (a libvirt of this user's own)"


def _conf_text(euid: int) -> str:
    path = (Path("/etc/libvirt/libvirt.conf") if euid == 0
            else Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "libvirt" / "libvirt.conf")
    try:
        return path.read_text()
    except OSError:
        return ""


def log_path(uri: str, domain: str) -> str:
    """Where a QEMU guest's log is: /var/log/libvirt/qemu/NAME.log (system), or under the user's cache (session)."""
    if uri.rstrip("/").endswith("/session"):
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return f"{cache}/libvirt/qemu/log/{domain}.log"
    return f"/var/log/libvirt/qemu/{domain}.log"


@dataclass
class UriReport(Result):
    """``virsh uri`` on this connection, beside the URI a plain ``virsh`` would open for root and for a user."""

    uri: str = ""
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (who, opens, why)

    def text(self) -> str:
        return f"{self.uri}\n"

    def table(self) -> str:
        width = max(len(r[0]) for r in self.rows)
        return "\n".join(f"{who:{width}}  {uri:17} {why}" for who, uri, why in self.rows)

    def body_html(self) -> str:
        return f"<pre>{self.uri}</pre>" + html_table(("who runs virsh", "opens", "why"), self.rows)


def uri_report(conn: Any) -> UriReport:
    """``virsh uri`` (``conn.getURI()``), and libvirt's default for root, a user, and a user with the variable set."""
    with libvirt_errors():
        uri = conn.virconn.getURI()
    rows = [("root, no -c", *default_uri(0)),
            ("a user, no -c", *default_uri(1000)),
            ("a user, LIBVIRT_DEFAULT_URI=qemu:///system", *default_uri(1000, {"LIBVIRT_DEFAULT_URI": SYSTEM})),
            ("anyone, -c qemu:///system", SYSTEM, "-c (--connect) always wins")]
    return UriReport(virsh="virsh uri", api=["conn.getURI()"], uri=uri, rows=rows)


def here() -> tuple[str, str]:
    """What a plain ``virsh`` opens for this process's user, here and now (environment and libvirt.conf read)."""
    euid = os.geteuid()
    return default_uri(euid, os.environ, _conf_text(euid))


@dataclass
class DaemonList(Result):
    """The libvirt daemons running here: (name, pid, user, what it does); ``note`` for what could not be seen."""

    rows: list[tuple[str, int, str, str]] = field(default_factory=list)
    note: str = ""

    def text(self) -> str:
        lines = [f"{n:13} pid {pid:<7} {user:10} {what}" for n, pid, user, what in self.rows]
        style = ("monolithic (libvirtd)" if any(r[0] == "libvirtd" for r in self.rows) else
                 "modular (virtqemud …)" if any(r[0].startswith("virt") and r[0] not in ("virtlogd", "virtlockd")
                                                for r in self.rows) else "none running")
        return "\n".join([*lines, f"style: {style}"] + ([f"note: {self.note}"] if self.note else [])) + "\n"

    def body_html(self) -> str:
        return html_table(("daemon", "pid", "user", "what it does"), self.rows, caption=self.note)


def _user(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def daemons(conn: Any = None, proc: Path = Path("/proc")) -> DaemonList:
    """The libvirt daemons running on this machine (read from /proc, like ``ps -C libvirtd,virtqemud,…``);
    on the embedded lab, which needs none, the recording of the real lab's."""
    if conn is not None and getattr(conn, "embedded", False):
        from .host_check import recording

        rec = recording()
        where = rec["recorded"]
        rows = [(n, pid, user, DAEMONS[n]) for n, pid, user in rec["daemons"]["rows"]]
        note = (f"the embedded lab needs no daemon (libvirt's test driver runs inside this Python process), so this is "
                f"a recording: the real lab's daemons on {where['where'].split(':')[0]}, {where['at']}; installed there: "
                f"{rec['daemons']['installed']}")
        return DaemonList(virsh=rec["daemons"]["command"], api=[], rows=rows, note=note)
    rows = []
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            uid = entry.stat().st_uid
        except OSError:
            continue
        if name in DAEMONS:
            rows.append((name, int(entry.name), _user(uid), DAEMONS[name]))
    rows.sort(key=lambda r: (list(DAEMONS).index(r[0]), r[1]))
    return DaemonList(virsh="ps -o pid,user,args -C " + ",".join(DAEMONS), api=[], rows=rows,
                      note="" if rows else "no libvirt daemon runs here (a qemu:///session libvirtd starts on demand)")


def backend_line(conn: Any) -> str:
    """The lesson's first lines: which libvirt this notebook talks to, and where the host checks come from."""
    with libvirt_errors():
        uri, kind = conn.virconn.getURI(), conn.virconn.getType().lower()
    embedded = bool(getattr(conn, "embedded", False))
    backend = "embedded" if embedded else kind
    checks = ("recordings from the course's build machine and its real lab (the embedded lab has no host to check)"
              if embedded else "run now, on this machine")
    return f"backend:      {backend} ({uri})\nhost checks:  {checks}"
