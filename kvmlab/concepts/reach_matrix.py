"""Lesson 12's matrix as data: one :class:`Ping` per cell, each :class:`Cell` with lesson 4's prediction and the
path's explanation, and the :class:`Matrix` (live or recorded) that holds them, shows them (text, coloured HTML)
and stores them (JSON, for the recording). Measuring is :mod:`kvmlab.concepts.reachability`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput
from ..i18n import _
from ..lab.reach_plan import MODES, NETS, OUTSIDE_GUEST, RETURN_ROUTE, guest
from .reach_evidence import Evidence
from .reach_explain import Reasoning, explain
from .reach_predict import TARGETS, keys, predicted

if TYPE_CHECKING:
    from .reach_table import Explained

__all__ = ["SITUATIONS", "Ping", "Cell", "Matrix", "fill"]

SITUATIONS = {
    "as built": f"as the lab builds it: the outside (the LAN's router) has a route back, {RETURN_ROUTE[0]} via "
                f"the host {RETURN_ROUTE[1]}",
    "no route back": f"the outside forgets its route to {RETURN_ROUTE[0]} (`ip route del {RETURN_ROUTE[0]}` on "
                     "it), as most home routers know nothing of a host's routed subnets",
}  # fmt: skip


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
            raise InvalidInput(_("there is no cell {src} → {dst}").format(src=repr(src), dst=repr(dst)),
                               hint=_("rows: {rows} or 'outside'; columns: {columns}").format(
                                   rows=', '.join(MODES), columns=', '.join(TARGETS)))
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
            raise InvalidInput(_("unknown mode {mode}").format(mode=repr(mode)), hint=_("one of: ") + ', '.join(MODES))
        n = NETS[mode]
        lines = [ln for ln in self.evidence.for_mode(mode) if not re.search(r"LIBVIRT_(INP|OUT) ", ln)]
        io = len(self.evidence.for_mode(mode)) - len(lines)
        head = (f"# ip netns exec kvmlab-lab iptables -S; … iptables -t nat -S: the lines for {n.bridge} and "
                f"{n.subnet} ({self.source})")
        tail = [f"(and {io} LIBVIRT_INP/LIBVIRT_OUT lines that open DNS and DHCP to the host)"] if io else []
        return "\n".join([head, *(lines or [f"(none: no rule names {n.bridge} or {n.subnet})"]), *tail])

    def host_routes(self) -> str:
        """The host's routes to the lesson's networks (`ip -n kvmlab-lab route`), as measured."""
        return "\n".join([f"# ip -n kvmlab-lab route   (the lines of the lesson's bridges; {self.source})",
                          *(self.evidence.routes or ["(not measured)"])])

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
        fill(m, pings)
        return m


def fill(m: Matrix, pings: dict[tuple[str, str], Ping]) -> None:
    for src, dst in keys():
        ping = pings.get((src, dst))
        routes = m.evidence.guest_routes.get(ping.guest if ping else "", [])
        m.cells[src, dst] = Cell(src, dst, ping, explain(src, dst, m.evidence, routes))
