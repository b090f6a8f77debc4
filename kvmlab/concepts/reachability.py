"""Lesson 12 (组网模式实测): who reaches whom in each forward mode — predicted by lesson 4, measured by ping.

    >>> from kvmlab.lab.reach_lab import reach_lab
    >>> from kvmlab.concepts import reachability as reach
    >>> lab = reach_lab(conn)            # five networks, eleven tiny guests (real lab) or descriptions
    >>> m = reach.measure(lab)           # 40 pings from inside the guests, or the recording where none run
    >>> m                                # the coloured table: measured beside lesson 4's prediction
    >>> print(m.explain("route", "nat")) # the path of one ping, with the rules that decide it

The matrix has a row per mode (the guest that pings) and a column per target: the ``a`` guest of each
network (on its own row: the ``b`` guest of the same network), the host (the lab namespace's address
on the guest's network) and the outside (203.0.113.1); a last column has the outside pinging each
network's guest. Every ping is ``ping -c 1 -W 2 ADDRESS``, typed into a guest's serial console; the
guests of one row ping at once, all rows at once. Before the first ping the lab checks that its
namespace has no way out (:func:`kvmlab.lab.containment.require_contained`) and refuses otherwise.

Where no guest runs (the embedded lab, qemu:///session, another libvirt) :func:`measure` returns a
**recording** of a real-lab measurement, labelled with where and when it was made, never as live.
tests/lab/test_network_modes_real.py checks that a fresh measurement still has the recording's matrix.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import InvalidInput, InvalidState, NotFound
from ..lab.containment import require_contained
from ..lab.paths import NETNS
from ..lab.reach_plan import MODES, NETS, OUTSIDE, OUTSIDE_GUEST, RETURN_ROUTE, guest
from .reach_evidence import Evidence, gather
from .reach_explain import Reasoning, explain
from .reach_predict import TARGETS, keys, predicted

if TYPE_CHECKING:
    from .reach_table import Explained, Prediction

__all__ = ["prediction", "SITUATIONS", "TARGETS", "RECORDING", "Ping", "Cell", "Matrix", "keys", "predicted", "measure",
           "recording", "save_recording", "PING", "HOW_TO_GO_LIVE"]

RECORDING = Path(__file__).resolve().parents[1] / "data" / "network-modes-recording.json"
HOW_TO_GO_LIVE = "Run it live: `sudo kvmlab lab up`, then KVMLAB_URI=qemu:///system, and run the lesson again."
NAMESPACE = NETNS  # the namespace checked closed before any ping (tests point it at one with a way out)
# One echo request, at most 2 s for its answer; a cell with no answer is asked once more, waiting 3 s (a
# busy two-core host can be slow to answer the first ping across networks). Bounded in count and time.
PING = "ping -c 1 -W {wait} {address}"
WAITS = (2, 3)
SITUATIONS = {
    "as built": f"as the lab builds it: the outside (the LAN's router) has a route back, {RETURN_ROUTE[0]} via "
                f"the host {RETURN_ROUTE[1]}",
    "no route back": f"the outside forgets its route to {RETURN_ROUTE[0]} (`ip route del {RETURN_ROUTE[0]}` on "
                     "it), as most home routers know nothing of a host's routed subnets",
}  # fmt: skip


def prediction() -> "Prediction":
    """Lesson 4's prediction of the whole matrix (a table; no ping involved)."""
    from .reach_table import Prediction

    return Prediction()


@dataclass(frozen=True)
class Ping:
    """One ping as the guest ran it: its command, exit status and output."""

    guest: str
    address: str
    command: str
    status: int
    output: tuple[str, ...] = ()
    tries: int = 1  # 2: the first ping had no answer, this is the second

    @property
    def reached(self) -> bool:
        return self.status == 0

    @property
    def verdict(self) -> str:
        if self.reached:
            return "answered"
        if any("Network is unreachable" in ln for ln in self.output):
            return "no route: the guest had nowhere to send it"
        return f"no answer within {self.command.split()[4]} s" + (", asked twice" if self.tries > 1 else "")


@dataclass
class Cell:
    """One cell: lesson 4's prediction, the ping that measured it, and why (the path's steps)."""

    src: str
    dst: str
    ping: Ping | None = None
    reasoning: Reasoning | None = None

    @property
    def predicted(self) -> bool:
        return predicted(self.src, self.dst)[0]

    @property
    def measured(self) -> bool | None:
        return None if self.ping is None else self.ping.reached

    @property
    def agrees(self) -> bool:
        return self.measured is None or self.measured == self.predicted

    @property
    def label(self) -> str:
        who = "the outside" if self.src == "outside" else f"{self.src} guest"
        to = ("the other guest on its network" if self.dst == self.src else "the host" if self.dst == "host"
              else "the outside" if self.dst == "outside" else f"{self.dst} guest")  # fmt: skip
        return f"{who} → {to}"

    def story(self) -> str:
        yes = {True: "yes", False: "no", None: "not measured"}
        lines = [f"{self.label}: measured {yes[self.measured]}, lesson 4 predicted {yes[self.predicted]}"
                 + ("" if self.agrees else "  ≠ the prediction")]
        if self.ping:
            answer = next((ln for ln in self.ping.output if "packets transmitted" in ln or "unreachable" in ln), "")
            again = " (the second try: the first had no answer)" if self.ping.tries > 1 and self.ping.reached else ""
            lines.append(f"  ping: `{self.ping.command}` in {self.ping.guest}{again}: {self.ping.verdict}"
                         + (f" ({answer.strip()})" if answer else ""))
        lines.append(f"  lesson 4: {predicted(self.src, self.dst)[1]}")
        if self.reasoning:
            lines += [f"  {s}" for s in self.reasoning.steps]
        return "\n".join(lines)


@dataclass
class Matrix:
    """The measured matrix (live or recorded), with lesson 4's prediction beside every cell."""

    situation: str
    live: bool
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=Evidence)
    addresses: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    reason: str = ""  # why it is not live
    recorded: dict[str, str] = field(default_factory=dict)  # where and when the recording was made

    def cell(self, src: str, dst: str) -> Cell:
        if (src, dst) not in self.cells:
            raise InvalidInput(f"there is no cell {src!r} → {dst!r}",
                               hint=f"rows: {', '.join(MODES)} or 'outside'; columns: {', '.join(TARGETS)}")
        return self.cells[src, dst]

    def reached(self, src: str, dst: str) -> bool:
        return bool(self.cell(src, dst).measured)

    def mismatches(self) -> list[Cell]:
        return [c for c in self.cells.values() if not c.agrees]

    def shape(self) -> dict[str, bool | None]:
        """What must not drift between a recording and a fresh measurement: each cell's verdict."""
        return {f"{s} → {d}": c.measured for (s, d), c in self.cells.items()}

    def pings(self) -> int:
        return sum(c.ping is not None for c in self.cells.values())

    def header(self) -> str:
        what = f"situation: {self.situation} — {SITUATIONS.get(self.situation, '')}"
        if self.live:
            twice = sum(c.ping is not None and c.ping.tries > 1 for c in self.cells.values())
            return (f"LIVE on the real lab: {self.pings()} cells pinged from inside the guests just now "
                    f"({twice} with no answer asked twice), in {self.seconds:.1f} s, namespace checked closed "
                    f"first. {what}")
        return (f"RECORDING, nothing was pinged now: {self.reason} Shown: a real-lab measurement recorded "
                f"{self.recorded.get('at', '?')} on {self.recorded.get('where', '?')}. {what}")

    def explain(self, src: str, dst: str) -> str:
        """One cell's story: the ping, lesson 4's words, and each step of the path with its evidence."""
        return self.cell(src, dst).story()

    def explained(self) -> "Explained":
        """Every cell's story, row by row (HTML: one fold per row)."""
        from .reach_table import Explained

        return Explained(self)

    @property
    def source(self) -> str:
        """Where the evidence below comes from: just now, or the recording."""
        return "read just now" if self.live else f"recorded {self.recorded.get('at', '?')}; nothing ran now"

    def firewall(self, mode: str) -> str:
        """The forwarding and NAT rules libvirt added for one network (its INPUT/OUTPUT lines only open DNS, DHCP)."""
        if mode not in NETS:
            raise InvalidInput(f"unknown mode {mode!r}", hint=f"one of: {', '.join(MODES)}")
        n = NETS[mode]
        lines = [ln for ln in self.evidence.for_mode(mode) if not re.search(r"LIBVIRT_(INP|OUT) ", ln)]
        io = len(self.evidence.for_mode(mode)) - len(lines)
        head = (f"# ip netns exec kvmlab-lab iptables -S; … iptables -t nat -S: the lines for {n.bridge} and "
                f"{n.subnet} ({self.source})")
        tail = [f"(and {io} LIBVIRT_INP/LIBVIRT_OUT lines that open DNS and DHCP to the host)"] if io else []
        return "\n".join([head, *(lines or [f"(none: no rule names {n.bridge} or {n.subnet})"]), *tail])

    def routes(self, who: str) -> str:
        """`ip route` inside the pinging guest of ``who`` (a mode, or "outside"), as measured."""
        g = OUTSIDE_GUEST if who == "outside" else guest(who)
        lines = self.evidence.guest_routes.get(g.name, [])
        return "\n".join([f"{g.name}# ip route   ({self.source})", *(lines or ["(not measured)"])])

    def __str__(self) -> str:
        from .reach_table import matrix_text

        return matrix_text(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        from .reach_table import matrix_html

        return matrix_html(self)

    # -- storage ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"situation": self.situation, "seconds": round(self.seconds, 2), "addresses": self.addresses,
                "pings": [{"src": s, "dst": d, **vars(c.ping), "output": list(c.ping.output)}
                          for (s, d), c in self.cells.items() if c.ping],
                "evidence": self.evidence.to_json()}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any], recorded: dict[str, str]) -> "Matrix":
        m = cls(data["situation"], live=False, evidence=Evidence.from_json(data["evidence"]),
                addresses=data.get("addresses", {}), seconds=data.get("seconds", 0.0), recorded=recorded)
        pings = {(p["src"], p["dst"]): Ping(p["guest"], p["address"], p["command"], p["status"], tuple(p["output"]),
                                            p.get("tries", 1)) for p in data["pings"]}  # fmt: skip
        _fill(m, pings)
        return m


def _fill(m: Matrix, pings: dict[tuple[str, str], Ping]) -> None:
    for src, dst in keys():
        ping = pings.get((src, dst))
        routes = m.evidence.guest_routes.get(ping.guest if ping else "", [])
        m.cells[src, dst] = Cell(src, dst, ping, explain(src, dst, m.evidence, routes))


# -- measuring ----------------------------------------------------------------------------------------

def _plan(addresses: dict[str, str]) -> dict[str, list[tuple[tuple[str, str], str]]]:
    """Pinging guest -> [(cell, address)]: each mode's ``a`` guest pings its row, the outside its column."""
    def addr(mode: str, role: str = "a") -> str:
        return addresses[guest(mode, role).name]

    plan = {}
    for src in MODES:
        row = [((src, dst), addr(dst, "b" if dst == src else "a")) for dst in MODES]
        row += [((src, "host"), NETS[src].host), ((src, "outside"), OUTSIDE)]
        plan[guest(src).name] = row
    plan[OUTSIDE_GUEST.name] = [(("outside", m), addr(m)) for m in MODES]
    return plan


def _script(addresses: list[str], wait: int = WAITS[0]) -> str:
    """A shell line for the guest: every ping at once (each bounded), then each one's output and status."""
    targets = " ".join(addresses)
    ping = PING.format(wait=wait, address="$t")
    return (f"for t in {targets}; do ({ping} >/tmp/ping-$t 2>&1; echo \"exit $?\" >>/tmp/ping-$t) & done; wait; "
            f"for t in {targets}; do echo \"== {ping}\"; cat /tmp/ping-$t; done; echo '== ip route'; ip route")


_HEAD = re.compile(r"^== ping -c 1 -W (\d+) (\S+)$")


def _parse(name: str, lines: list[str], tries: int = 1) -> tuple[dict[str, Ping], list[str]]:
    """The guest's output -> address -> Ping, and its `ip route` lines."""
    pings: dict[str, Ping] = {}
    current, wait, out, routes, in_routes = None, "", [], [], False

    def flush() -> None:
        if current is not None:
            status = next((int(ln.split()[1]) for ln in out if re.fullmatch(r"exit \d+", ln.strip())), -1)
            pings[current] = Ping(name, current, PING.format(wait=wait, address=current), status,
                                  tuple(ln for ln in out if not ln.startswith("exit ")), tries)
    for ln in lines:
        head = _HEAD.match(ln.strip())
        if head or ln.strip() == "== ip route":
            flush()
            current, wait = (head.group(2), head.group(1)) if head else (None, "")
            out, in_routes = [], not head
        elif in_routes:
            if ln.strip():
                routes.append(" ".join(ln.split()))
        else:
            out.append(ln.rstrip())
    flush()
    return pings, routes


def _read(plan: dict[str, list[tuple[tuple[str, str], str]]], results: dict[str, tuple[int, list[str]]],
          tries: int = 1) -> tuple[dict[tuple[str, str], Ping], dict[str, list[str]]]:  # fmt: skip
    """Each planned cell's Ping from the guests' transcripts (and each guest's routes)."""
    pings, routes = {}, {}
    for g, row in plan.items():
        by_address, routes[g] = _parse(g, results[g][1], tries)
        for key, address in row:
            if address not in by_address:
                raise InvalidState(f"{g} printed no result for a ping of {address}",
                                   hint="its console output is in its serial log; run the measurement again")
            pings[key] = by_address[address]
    return pings, routes


def measure(lab: Any, situation: str = "as built", live: bool | None = None,
            progress: Callable[[str], None] | None = print) -> Matrix:  # fmt: skip
    """The matrix on ``lab`` (:func:`kvmlab.lab.reach_lab.reach_lab`): measured live where the guests run.

    ``live`` None: live on the real lab, else the recording (saying why). True: live or InvalidState.
    False: the recording. ``situation``: a key of :data:`SITUATIONS`.
    """
    if situation not in SITUATIONS:
        raise InvalidInput(f"unknown situation {situation!r}", hint=f"one of: {', '.join(SITUATIONS)}")
    reason = "" if getattr(lab, "live", False) else (getattr(lab, "reason", "") or "no guest runs here.")
    if live is False:
        reason = "You asked for the recording (live=False)."
    if reason:
        if live:
            raise InvalidState(f"the pings cannot run here: {reason}", hint=HOW_TO_GO_LIVE)
        m = recording(situation)
        m.reason = reason.rstrip(".") + "."
        return m
    say = progress or (lambda _line: None)
    require_contained(NAMESPACE)  # before any ping: a namespace with a way out stops everything here
    plan = _plan(lab.addresses)
    t0 = time.monotonic()
    outside = OUTSIDE_GUEST.name
    say(f"pinging: {sum(map(len, plan.values()))} pings from {len(plan)} guests at once "
        f"({PING.format(wait=WAITS[0], address='…')}; a ping with no answer is asked once more)")
    try:
        if situation == "no route back":
            lab.run(outside, f"ip route del {RETURN_ROUTE[0]}")
        pings, routes = _read(plan, lab.run_all({g: _script([a for _, a in row]) for g, row in plan.items()},
                                                timeout=30))  # fmt: skip
        again = {g: [(k, a) for k, a in row if pings[k].verdict.startswith("no answer")] for g, row in plan.items()}
        again = {g: row for g, row in again.items() if row}
        if again:
            results = lab.run_all({g: _script([a for _, a in row], WAITS[1]) for g, row in again.items()}, timeout=30)
            pings.update(_read(again, results, tries=2)[0])
    finally:
        if situation == "no route back":
            lab.run(outside, f"ip route replace {RETURN_ROUTE[0]} via {RETURN_ROUTE[1]}")
    seconds = time.monotonic() - t0
    m = Matrix(situation, live=True, evidence=gather(routes), addresses=dict(lab.addresses), seconds=seconds)
    _fill(m, pings)
    say(f"done: {m.pings()} cells in {seconds:.1f} s")
    return m


# -- the recording ------------------------------------------------------------------------------------

def recording(situation: str = "as built", path: Path = RECORDING) -> Matrix:
    """A measurement recorded on the real lab (``live`` False), with where and when it was made."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NotFound(f"no readable recording of lesson 12's measurement at {path}: {exc}",
                       hint="record one on the real lab: scripts/record_network_modes.py") from exc
    if situation not in data["situations"]:
        raise NotFound(f"the recording has no situation {situation!r}", hint=f"it has {', '.join(data['situations'])}")
    return Matrix.from_json(data["situations"][situation], data["recorded"])


def save_recording(matrices: list[Matrix], where: str, path: Path = RECORDING) -> Path:
    """Store live measurements (one per situation) as the recording shown where none can run."""
    if not matrices or not all(m.live for m in matrices):
        raise InvalidState("only live measurements can be recorded", hint="measure(lab, live=True) on the real lab")
    data = {"recorded": {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                         "where": where},
            "situations": {m.situation: m.to_json() for m in matrices}}  # fmt: skip
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

