"""Build a Linux bridge by hand and move a running guest's tap onto it — for real, on the real lab.

:func:`run` does, as root and **inside the lab's network namespace** ``kvmlab-lab`` only::

    ip -n kvmlab-lab -br link ; bridge -n kvmlab-lab link          # before
    ip -n kvmlab-lab link add kvmlab-brx type bridge                # the lessons' "br-x"
    ip -n kvmlab-lab link set kvmlab-brx up
    ip -n kvmlab-lab link set vnet0 master kvmlab-brx               # web01's tap leaves kvmlab-nat0
    bridge -n kvmlab-lab link ; ip netns exec kvmlab-lab brctl show # after, and brctl beside ip/bridge
    ip -n kvmlab-lab link set vnet0 master kvmlab-nat0              # put it back …
    ip -n kvmlab-lab link del kvmlab-brx                            # … and remove the bridge

and returns a :class:`BridgeDemo`: every command with a ``#`` prompt and its real output.

Where no kernel bridge can be touched (the embedded lab, whose bridges are libvirt's test-driver
descriptions; qemu:///session; a system libvirtd whose bridges are the host's own), nothing runs:
the result says so and shows a **recording** of the real run, labelled with where and when it was
made. tests/lab/test_bridge_demo_real.py checks that a fresh real run still has the recording's shape.
"""

from __future__ import annotations

import datetime
import json
import platform
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import libvirt

from ..errors import InvalidInput, InvalidState, KvmlabError, NotFound, OperationFailed, libvirt_errors
from ..i18n import N_, _
from ..lab.control import mode as lab_mode
from ..lab.links import ALIAS_PREFIX, DEMO_BRIDGE, alias_for, lab_links
from ..lab.paths import NETNS, SYSTEM_URI
from .bridges import libvirt_bridges

__all__ = ["Step", "BridgeDemo", "run", "recording", "save_recording", "RECORDING", "HOW_TO_GO_LIVE"]

RECORDING = Path(__file__).resolve().parents[1] / "data" / "bridge-demo-recording.json"
HOW_TO_GO_LIVE = N_("Run it live: `sudo kvmlab lab up`, then set KVMLAB_URI=qemu:///system (the lab's libvirtd) "
                    "and run it again.")
LEASE_TIMEOUT = 30.0  # a guest that has just booted asks for its address in the background
FORWARD_TIMEOUT = 15.0  # STP's forward delay is 2 s per state (listening, learning) on the lab's bridges

PHASES = {
    "before": "before: the lab's links, and the ports of its bridges",
    "build": "build {bridge} and plug {guest}'s tap {tap} into it",
    "after": "after: {tap} is a port of {bridge}, no longer of {home}",
    "brctl": "the same bridges with brctl (bridge-utils), beside ip and bridge",
    "restore": "put {tap} back on {home} and delete {bridge}",
}


@dataclass(frozen=True)
class Step:
    """One command as root typed it on the host, its output, exit status and time; or a note (no command)."""

    phase: str
    command: str
    output: str = ""
    status: int = 0
    seconds: float = 0.0
    note: str = ""

    def text(self) -> str:
        if not self.command:
            return f"[{self.note}]"
        out = self.output.rstrip("\n")
        lines = [f"# {self.command}"] + ([out] if out else [])
        if self.status:
            lines.append(f"[exit status {self.status}{': ' + self.note if self.note else ''}]")
        return "\n".join(lines)


@dataclass
class BridgeDemo:
    """The transcript of the demo, live or recorded, and the facts it established.

    ``live`` is True only when every command ran just now; otherwise ``reason`` says why not and
    ``recorded`` says where and when the shown transcript was recorded.
    """

    live: bool
    guest: str
    tap: str
    home: str  # the bridge libvirt plugged the tap into (the network's bridge)
    bridge: str  # the bridge built by hand
    steps: list[Step] = field(default_factory=list)
    reason: str = ""
    recorded: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    waited_forwarding: float = 0.0  # how long the tap took to forward again on its own bridge (STP)

    # -- the facts, read from the transcript itself --------------------------------------------

    def masters(self, phase: str) -> dict[str, str]:
        """port -> bridge from the last ``bridge link`` of ``phase``."""
        outs = [s.output for s in self.steps if s.phase == phase and _kind(s.command) == "bridge link"]
        return _bridge_link(outs[-1]) if outs else {}

    @property
    def phase_seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for s in self.steps:
            out[s.phase] = round(out.get(s.phase, 0.0) + s.seconds, 3)
        return out

    # -- how it looks ------------------------------------------------------------------------------

    def header(self) -> list[str]:
        if self.live:
            return [f"LIVE on the real lab: every command below ran just now, as root, inside network namespace "
                    f"{NETNS} (the host's own interfaces were not touched): {len(self.commands())} commands "
                    f"in {self.seconds:.1f} s, {self.waited_forwarding:.1f} s of it waiting for STP."]
        rec = self.recorded
        return [f"SIMULATED HERE: nothing below ran now. {self.reason}",
                f"RECORDING of this demo on kvmlab's real lab, recorded {rec.get('at', '?')} on "
                f"{rec.get('where', '?')}; it is shown as it was printed then, and did not run now.",
                _(HOW_TO_GO_LIVE)]

    def commands(self) -> list[str]:
        return [s.command for s in self.steps if s.command]

    def text(self) -> str:
        fmt = {"bridge": self.bridge, "guest": self.guest, "tap": self.tap, "home": self.home}
        lines = self.header()
        phase = None
        for s in self.steps:
            if s.phase != phase:
                phase = s.phase
                lines += ["", f"── {PHASES.get(phase, phase).format(**fmt)}"]
            lines.append(s.text())
        if not self.live:
            lines += ["", f"[end of the recording ({self.recorded.get('at', '?')}). {_(HOW_TO_GO_LIVE)}]"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text())

    # -- comparing runs --------------------------------------------------------------------------

    def shape(self) -> list[tuple]:
        """What must not drift between the recording and a fresh real run.

        Per step: its phase, its command with the tap and the guest's address generalised, whether it
        succeeded, and what its output says about the three links of the demo (the tap, its own
        bridge, the demo bridge): which are listed, and which bridge the tap is a port of. MACs,
        ifindexes, flags, STP states and other links (other guests' taps, a learner's bridges) differ
        from run to run and are left out.
        """
        names = {self.tap: "TAP", self.home: self.home, self.bridge: self.bridge}
        return [(s.phase, _generalise(s.command, self.tap, self._guest_ip()),
                 s.status == 0, _facts(s.command, s.output, names)) for s in self.steps if s.command]  # fmt: skip

    def _guest_ip(self) -> str:
        for c in self.commands():
            if " ping " in c:
                return c.split()[-1]
        return ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BridgeDemo:
        steps = [Step(**s) for s in data.get("steps", [])]
        return cls(**{**data, "steps": steps})


# -- reading outputs ------------------------------------------------------------------------------

_BRIDGE_LINK = re.compile(r"^\d+:\s+([^\s:@]+)(?:@\S+)?:.*?\smaster\s+(\S+)", re.M)


def _bridge_link(output: str) -> dict[str, str]:
    """``bridge link`` output -> {port: master}."""
    return dict(_BRIDGE_LINK.findall(output))


def _brctl_show(output: str) -> dict[str, list[str]]:
    """``brctl show`` output -> {bridge: [interfaces]} (continuation lines carry more interfaces)."""
    out: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines()[1:]:
        if not line.strip():
            continue
        if not line[0].isspace():
            cols = line.split()
            current = cols[0]
            out[current] = cols[3:4] if len(cols) > 3 else []
        elif current is not None:
            out[current] += line.split()
    return out


def _kind(command: str) -> str:
    words = command.split()
    if "brctl" in words:
        return "brctl show"
    if "ping" in words:
        return "ping"
    if "virsh" in words:
        return "virsh"
    if words[:1] == ["bridge"] and "link" in words:
        return "bridge link"
    if words[:1] == ["ip"] and "-br" in words:
        return "ip -br"
    if words[:1] == ["ip"] and "-d" in words:
        return "ip -d"
    return "other"


def _generalise(command: str, tap: str, ip: str) -> str:
    words = ["TAP" if w == tap else "GUEST-IP" if ip and w == ip else w for w in command.split()]
    return " ".join(words)


def _facts(command: str, output: str, names: dict[str, str]) -> tuple:
    kind = _kind(command)
    if kind == "ip -br":
        listed = {line.split()[0].split("@")[0] for line in output.splitlines() if line.strip()}
        return tuple(sorted(names[n] for n in listed if n in names))
    if kind == "bridge link":
        return tuple(sorted((names[p], m) for p, m in _bridge_link(output).items() if p in names))
    if kind == "brctl show":
        return tuple(sorted((b, tuple(sorted(names[i] for i in ports if i in names)))
                            for b, ports in _brctl_show(output).items() if b in names))  # fmt: skip
    if kind == "ip -d":  # brctl's "STP enabled" column, and the lab's mark on the link
        stp = re.search(r"\bstp_state (\d)", output)
        return (("stp_state", stp.group(1) if stp else None), ("lab alias", "alias " + ALIAS_PREFIX in output))
    if kind == "virsh":
        rows = [line.split() for line in output.splitlines()]
        return tuple(tuple(names.get(c, c) for c in row[:4]) for row in rows if row and row[0] in names)
    return ()


# -- running it -----------------------------------------------------------------------------------


def _tool(name: str) -> str:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}", f"/bin/{name}")
                                       if Path(p).exists()), name)  # fmt: skip


class _Runner:
    """Runs one command at a time, keeps the transcript, and fails loudly on a surprise."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.phase = "before"

    def __call__(self, *words: str, expect: int = 0, note: str = "") -> Step:
        argv = [_tool(words[0]), *words[1:]]
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        except FileNotFoundError as exc:
            raise OperationFailed(_("`{tool}` is not installed").format(tool=words[0]),
                                  hint=_("apt-get install iproute2 bridge-utils busybox-static libvirt-clients")) from exc
        except subprocess.TimeoutExpired as exc:
            raise OperationFailed(_("`{command}` did not finish in 30 s").format(command=' '.join(words))) from exc
        step = Step(self.phase, shlex.join(words), (p.stdout + p.stderr).expandtabs(8) if p.returncode else
                    p.stdout.expandtabs(8), p.returncode, round(time.monotonic() - t0, 4),
                    note if p.returncode else "")  # fmt: skip
        self.steps.append(step)
        if p.returncode != expect:
            raise OperationFailed(_("`{command}` exited with status {status}, not {expect}: {output}").format(
                                  command=step.command, status=p.returncode, expect=expect,
                                  output=(p.stderr or p.stdout).strip()),
                                  hint=_("the demo puts the tap back and deletes its bridge; if anything is left, "
                                         "`kvmlab lab reset` does it"))
        return step

    def note(self, text: str) -> None:
        self.steps.append(Step(self.phase, "", note=text))


def _not_live_reason(conn: Any) -> str:
    """Why this connection cannot run the demo for real ('' when it can)."""
    v = getattr(conn, "virconn", conn)
    with libvirt_errors():
        driver, uri = v.getType(), v.getURI()
    if getattr(conn, "embedded", False) or driver == "Test":
        return _("This is the embedded lab (libvirt's test driver): its bridges (virbr0 …) and taps (testnet0) "
                 "are libvirt's description only. No kernel holds them, so there is nothing for ip, bridge or "
                 "brctl to show, and nothing to attach.")
    m, _net = lab_mode()
    if uri.rstrip("/").endswith("/session"):
        return _("qemu:///session (no root) has no virtual networks: libvirt creates no bridge or tap without "
                 "root, so there is nothing to move.")
    if m != "netns":
        return _("kvmlab's own libvirtd is not running (the lab is not in its namespace): the bridges of this "
                 "libvirt are the host's own interfaces, and this demo never changes the host's interfaces.")
    if uri != SYSTEM_URI:
        return _("{uri} is not the lab's libvirtd ({system}): its taps are not in namespace {netns}.").format(
            uri=uri, system=SYSTEM_URI, netns=NETNS)
    return ""


def _port(conn: Any, guest: str) -> tuple[str, str, str, str]:
    """(tap, its bridge, network, MAC) of ``guest``'s first NIC on a libvirt network."""
    running = conn.list().names
    if guest not in conn.list(all=True).names:
        raise NotFound(_("there is no guest '{guest}'").format(guest=guest),
                       hint=_("conn.list(all=True) lists them (virsh list --all)"))
    if guest not in running:
        raise InvalidState(_("'{guest}' is not running, so it has no tap to move").format(guest=guest),
                           hint=_("start it first: conn.start('{guest}') (virsh start {guest})").format(guest=guest))
    for b in libvirt_bridges(conn):
        for p in b.ports:
            if p.domain == guest and p.tap and b.bridge and b.active:
                return p.tap, b.bridge, b.network, p.mac or ""
    raise InvalidState(_("'{guest}' has no NIC on a running libvirt network").format(guest=guest),
                       hint=_("virsh domiflist {guest}").format(guest=guest))


def _lease(conn: Any, network: str, mac: str, timeout: float = LEASE_TIMEOUT) -> str:
    """The guest's IPv4 address from the network's DHCP leases, waiting (bounded) for a guest that has
    just booted: its DHCP client runs in the background ('' when no lease came in time)."""
    v = getattr(conn, "virconn", conn)
    deadline = time.monotonic() + timeout
    while True:
        with libvirt_errors():
            leases = v.networkLookupByName(network).DHCPLeases()
        for lease in leases:
            if lease.get("mac", "").lower() == mac.lower() and lease.get("type") == libvirt.VIR_IP_ADDR_TYPE_IPV4:
                return lease["ipaddr"]
        if time.monotonic() >= deadline:
            return ""
        time.sleep(0.25)


def _master(tap: str) -> str | None:
    return next((lk.get("master") for lk in lab_links() if lk["ifname"] == tap), None)


def _port_state(tap: str) -> str:
    out = subprocess.run([_tool("bridge"), "-n", NETNS, "-j", "link", "show", "dev", tap], capture_output=True,
                         text=True, timeout=15, stdin=subprocess.DEVNULL).stdout  # fmt: skip
    try:
        return (json.loads(out or "[]") or [{}])[0].get("state", "")
    except json.JSONDecodeError:
        return ""


def _restore(tap: str, home: str, bridge: str, r: _Runner) -> None:
    """Put the tap back on its own bridge and delete the demo bridge, whatever state the demo left."""
    r.phase = "restore"
    links = {lk["ifname"]: lk for lk in lab_links()}
    if tap in links and links[tap].get("master") != home and home in links:
        r("ip", "-n", NETNS, "link", "set", tap, "master", home)
    if bridge in links:
        r("ip", "-n", NETNS, "link", "del", bridge)


def _live(conn: Any, guest: str, during: Callable[[BridgeDemo], None] | None) -> BridgeDemo:
    tap, home, network, mac = _port(conn, guest)
    if _master(tap) != home:
        raise InvalidState(_("{guest}'s tap {tap} is not a port of {home} in namespace {netns}").format(
                           guest=guest, tap=tap, home=home, netns=NETNS),
                           hint=_("`kvmlab lab reset` puts back what an interrupted demo moved"))
    if DEMO_BRIDGE in {lk["ifname"] for lk in lab_links()}:
        raise InvalidState(_("{bridge} already exists in namespace {netns}").format(bridge=DEMO_BRIDGE, netns=NETNS),
                           hint=_("`kvmlab lab reset` removes it (and puts its borrowed taps back)"))
    demo = BridgeDemo(live=True, guest=guest, tap=tap, home=home, bridge=DEMO_BRIDGE)
    r = _Runner()
    demo.steps = r.steps
    ip_addr = _lease(conn, network, mac)
    if not ip_addr:
        r.note(_("{guest} has no DHCP lease on {network} after {seconds:g} s: no ping in this run").format(
            guest=guest, network=network, seconds=LEASE_TIMEOUT))
    ns = ("-n", NETNS)
    ping = ("ip", "netns", "exec", NETNS, "busybox", "ping", "-c", "1", "-W", "1", ip_addr)
    virsh = ("virsh", "-c", SYSTEM_URI, "domiflist", guest)
    t0 = time.monotonic()
    try:
        r("ip", *ns, "-br", "link")
        r("bridge", *ns, "link")
        r(*virsh)
        if ip_addr:
            r(*ping)
        r.phase = "build"
        r("ip", *ns, "link", "add", DEMO_BRIDGE, "type", "bridge")
        r("ip", *ns, "link", "set", DEMO_BRIDGE, "alias", alias_for({tap: home}))
        r("ip", *ns, "link", "set", DEMO_BRIDGE, "up")
        r("ip", *ns, "-br", "link", "show", DEMO_BRIDGE)
        r("ip", *ns, "link", "set", tap, "master", DEMO_BRIDGE)
        r.phase = "after"
        r("bridge", *ns, "link")
        r("ip", *ns, "-br", "link")
        r("ip", *ns, "-br", "link", "show", "master", DEMO_BRIDGE)
        r(*virsh)
        if ip_addr:
            r(*ping, expect=1, note=f"no answer: {guest} is now alone on {DEMO_BRIDGE}, away from {home}")
        r.phase = "brctl"
        r("ip", "netns", "exec", NETNS, "brctl", "show")
        r("ip", *ns, "-br", "link", "show", "type", "bridge")
        r("bridge", *ns, "link")
        r("ip", *ns, "-d", "link", "show", DEMO_BRIDGE)
        if during is not None:
            during(demo)
        r.phase = "restore"
        r("ip", *ns, "link", "set", tap, "master", home)
        r("ip", *ns, "link", "del", DEMO_BRIDGE)
        r("bridge", *ns, "link", "show", "dev", tap)
        w0 = time.monotonic()
        while _port_state(tap) != "forwarding" and time.monotonic() - w0 < FORWARD_TIMEOUT:
            time.sleep(0.1)
        demo.waited_forwarding = round(time.monotonic() - w0, 2)
        r.note(_("{seconds:.1f} s later {tap} forwards again: {home} runs STP, and a new port "
                 "listens, then learns, for the forward delay each before it forwards").format(
                     seconds=demo.waited_forwarding, tap=tap, home=home))
        r("bridge", *ns, "link")
        r("ip", *ns, "-br", "link", "show", "type", "bridge")
        if ip_addr:
            r(*ping)
    except BaseException:
        try:
            _restore(tap, home, DEMO_BRIDGE, r)
        except KvmlabError:
            pass  # the first error is the one to see; `lab reset` finishes the job
        raise
    demo.seconds = round(time.monotonic() - t0, 2)
    return demo


def recording(path: Path = RECORDING) -> BridgeDemo:
    """The transcript recorded on the real lab (``live`` False), with where and when it was made."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NotFound(_("no readable recording of the bridge demo at {path}: {exc}").format(path=path, exc=exc),
                       hint=_("record one on the real lab: scripts/record_bridge_demo.py")) from exc
    demo = BridgeDemo.from_json(data)
    demo.live = False
    return demo


def run(conn: Any, guest: str = "web01", live: bool | None = None,
        during: Callable[[BridgeDemo], None] | None = None) -> BridgeDemo:  # fmt: skip
    """The bridge demo on ``conn``: live where kernel bridges can be touched, else the recording.

    ``live`` None: run it for real when ``conn`` is the real lab's libvirtd in namespace kvmlab-lab,
    else show the recording and say why. True: run it for real, or raise InvalidState with the
    reason. False: always the recording. ``during`` is called with the
    transcript so far while the tap is a port of the demo bridge (to look with your own commands).

    The tap is always put back on its own bridge and the demo bridge deleted, also on failure;
    `kvmlab lab reset` does the same after an interrupted run (the bridge's alias names the tap).
    """
    if not isinstance(guest, str) or not guest.strip():
        raise InvalidInput(_("guest must be a domain name, not {guest}").format(guest=repr(guest)),
                           hint=_("e.g. run(conn, 'web01') (virsh list shows the running guests)"))
    reason = _not_live_reason(conn) if live is not False else _("You asked for the recording (live=False).")
    if not reason:
        return _live(conn, guest, during)
    if live:
        raise InvalidState(_("the bridge demo cannot run live here: {reason}").format(reason=reason),
                           hint=_(HOW_TO_GO_LIVE))
    demo = recording()
    demo.reason = reason
    return demo


def save_recording(demo: BridgeDemo, path: Path = RECORDING) -> Path:
    """Store a live run as the recording shown where the demo cannot run (with where and when)."""
    if not demo.live:
        raise InvalidState(_("only a live run can be recorded"), hint=_("run(conn, live=True) on the real lab"))
    data = demo.to_json()
    data["live"] = False
    data["recorded"] = {
        "at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "where": _where(),
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _where() -> str:
    """This machine in one line: OS, kernel, and the versions of the tools whose output is shown."""

    def version(pattern: str, *argv: str) -> str:
        try:
            p = subprocess.run([_tool(argv[0]), *argv[1:]], capture_output=True, text=True, timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        found = re.search(pattern, p.stdout + p.stderr)
        return found.group(1) if found else "?"

    os_name = "Linux"
    try:
        os_name = next(line.split("=", 1)[1].strip().strip('"') for line in
                       Path("/etc/os-release").read_text().splitlines() if line.startswith("PRETTY_NAME="))  # fmt: skip
    except (OSError, StopIteration):
        pass
    iproute2 = version(r"iproute2-([^\s,]+)", "ip", "-V")
    bridge_utils = version(r"bridge-utils, (\S+)", "brctl", "--version")
    libvirt_version = version(r"libvirt\) (\S+)", "libvirtd", "--version")
    return (f"{os_name}, kernel {platform.release()}, iproute2 {iproute2}, bridge-utils {bridge_utils}, "
            f"libvirt {libvirt_version}; kvmlab's own libvirtd in network namespace {NETNS}")
