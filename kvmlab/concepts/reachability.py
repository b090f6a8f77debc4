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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import InvalidInput, InvalidState, NotFound
from ..i18n import N_, _
from ..lab.containment import require_contained
from ..lab.paths import NETNS
from ..lab.reach_plan import MODES, NETS, OUTSIDE, OUTSIDE_GUEST, RETURN_ROUTE, guest
from .reach_evidence import gather
from .reach_matrix import SITUATIONS, Cell, Matrix, Ping, fill
from .reach_predict import TARGETS, keys, predicted

if TYPE_CHECKING:
    from .reach_table import Prediction

__all__ = ["prediction", "SITUATIONS", "TARGETS", "RECORDING", "Ping", "Cell", "Matrix", "keys", "predicted", "measure",
           "recording", "save_recording", "PING", "HOW_TO_GO_LIVE"]

RECORDING = Path(__file__).resolve().parents[1] / "data" / "network-modes-recording.json"
HOW_TO_GO_LIVE = N_("Run it live: `sudo kvmlab lab up`, then KVMLAB_URI=qemu:///system, and run the lesson again.")
NAMESPACE = NETNS  # the namespace checked closed before any ping (tests point it at one with a way out)
# One echo request, at most 2 s for its answer; a cell with no answer is asked once more, waiting 3 s (a
# busy two-core host can be slow to answer the first ping across networks). Bounded in count and time.
PING = "ping -c 1 -W {wait} {address}"
WAITS = (2, 3)


def prediction() -> "Prediction":
    """Lesson 4's prediction of the whole matrix (a table; no ping involved)."""
    from .reach_table import Prediction

    return Prediction()


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
                raise InvalidState(_("{guest} printed no result for a ping of {address}").format(guest=g,
                                                                                                 address=address),
                                   hint=_("its console output is in its serial log; run the measurement again"))
            pings[key] = by_address[address]
    return pings, routes


def measure(lab: Any, situation: str = "as built", live: bool | None = None,
            progress: Callable[[str], None] | None = print) -> Matrix:  # fmt: skip
    """The matrix on ``lab`` (:func:`kvmlab.lab.reach_lab.reach_lab`): measured live where the guests run.

    ``live`` None: live on the real lab, else the recording (saying why). True: live or InvalidState.
    False: the recording. ``situation``: a key of :data:`SITUATIONS`.
    """
    if situation not in SITUATIONS:
        raise InvalidInput(_("unknown situation {situation}").format(situation=repr(situation)),
                           hint=_("one of: ") + ', '.join(SITUATIONS))
    reason = "" if getattr(lab, "live", False) else (getattr(lab, "reason", "") or "no guest runs here.")
    if live is False:
        reason = "You asked for the recording (live=False)."
    if reason:
        if live:
            raise InvalidState(_("the pings cannot run here: {reason}").format(reason=reason), hint=_(HOW_TO_GO_LIVE))
        m = recording(situation)
        m.reason = reason.rstrip(".") + "."
        return m
    say = progress or (lambda _line: None)
    require_contained(NAMESPACE)  # before any ping: a namespace with a way out stops everything here
    plan = _plan(lab.addresses)
    t0 = time.monotonic()
    outside = OUTSIDE_GUEST.name
    say(_("pinging: {pings} pings from {guests} guests at once "
          "({command}; a ping with no answer is asked once more)").format(
              pings=sum(map(len, plan.values())), guests=len(plan), command=PING.format(wait=WAITS[0], address='…')))
    try:
        if situation == "no route back":
            lab.run(outside, f"ip route del {RETURN_ROUTE[0]}")
        pings, routes = _read(plan, lab.run_all({g: _script([a for _k, a in row]) for g, row in plan.items()},
                                                timeout=30))  # fmt: skip
        again = {g: [(k, a) for k, a in row if pings[k].verdict.startswith("no answer")] for g, row in plan.items()}
        again = {g: row for g, row in again.items() if row}
        if again:
            results = lab.run_all({g: _script([a for _k, a in row], WAITS[1]) for g, row in again.items()}, timeout=30)
            pings.update(_read(again, results, tries=2)[0])
    finally:
        if situation == "no route back":
            lab.run(outside, f"ip route replace {RETURN_ROUTE[0]} via {RETURN_ROUTE[1]}")
    seconds = time.monotonic() - t0
    m = Matrix(situation, live=True, evidence=gather(routes), addresses=dict(lab.addresses), seconds=seconds)
    fill(m, pings)
    say(_("done: {cells} cells in {seconds:.1f} s").format(cells=m.pings(), seconds=seconds))
    return m


# -- the recording ------------------------------------------------------------------------------------

def recording(situation: str = "as built", path: Path = RECORDING) -> Matrix:
    """A measurement recorded on the real lab (``live`` False), with where and when it was made."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NotFound(_("no readable recording of lesson 12's measurement at {path}: {exc}").format(path=path,
                                                                                                     exc=exc),
                       hint=_("record one on the real lab: scripts/record_network_modes.py")) from exc
    if situation not in data["situations"]:
        raise NotFound(_("the recording has no situation {situation}").format(situation=repr(situation)),
                       hint=_("it has {situations}").format(situations=', '.join(data['situations'])))
    return Matrix.from_json(data["situations"][situation], data["recorded"])


def save_recording(matrices: list[Matrix], where: str, path: Path = RECORDING) -> Path:
    """Store live measurements (one per situation) as the recording shown where none can run."""
    if not matrices or not all(m.live for m in matrices):
        raise InvalidState(_("only live measurements can be recorded"),
                           hint=_("measure(lab, live=True) on the real lab"))
    data = {"recorded": {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                         "where": where},
            "situations": {m.situation: m.to_json() for m in matrices}}  # fmt: skip
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

