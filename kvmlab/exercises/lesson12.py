"""Lesson 12 checks: network modes, measured (组网模式实测).

- :func:`check_route_back` (12.1): which cells of the matrix change when the outside (the LAN's router)
  forgets its route back to the host's subnets. The truth is measured: both situations pinged from
  inside the guests on the real lab, or lesson 12's recording where no guest runs (it says so).
- :func:`check_build_servers`, :func:`check_test_network`, :func:`check_web_servers` (12.2a-c): the mode
  for a requirement, checked against the measured matrices, cell by cell.
- :func:`check_isolated_line` (12.3): the virsh line that shows the isolated network's XML; it runs on
  your connection, and the check reads what it printed.

Every wrong answer is diagnosed from the measurement: the cell, what the ping did, and the step of its
path (a firewall rule, a route) that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..concepts import reachability as reach
from ..i18n import N_, _
from ..lab.reach_plan import MODES, NETS, RETURN_ROUTE
from ..specs import NetworkSpec
from .checks import ExerciseFailed, Passed, choose, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["REQUIREMENTS", "Requirement", "measured", "changed_cells", "check_route_back", "check_build_servers",
           "check_test_network", "check_web_servers", "check_isolated_line"]

_CACHE: dict[int, tuple[Any, dict[str, reach.Matrix]]] = {}  # id(lab) -> (lab, situation -> matrix)


def measured(lab: Any, situation: str) -> reach.Matrix:
    """The lab's matrix in ``situation``: measured once per lab in this kernel (live), or the recording."""
    if not getattr(lab, "live", False):  # the recording: nothing to measure, nothing to keep
        return reach.measure(lab, situation, progress=None)
    _lab, done = _CACHE.setdefault(id(lab), (lab, {}))
    if situation not in done:
        done[situation] = reach.measure(lab, situation, progress=None)
    return done[situation]


_YES = N_({True: "yes", False: "no", None: "not measured"})


def _yes(value: bool | None) -> str:
    return _(_YES[value])


def _first_failure(cell: reach.Cell) -> str:
    steps = cell.reasoning.steps if cell.reasoning else []
    bad = next((s for s in steps if not s.ok), None)
    return bad.text if bad else "; ".join(s.text for s in steps)


def changed_cells(lab: Any) -> set[tuple[str, str]]:
    """The cells whose measured verdict differs between the two situations."""
    before, after = measured(lab, "as built"), measured(lab, "no route back")
    return {k for k in reach.keys() if before.cells[k].measured != after.cells[k].measured}


def _cells(answer: object) -> set[tuple[str, str]]:
    """The learner's cells as (row, column) pairs; a clear failure for anything else."""
    untried = answer is None or answer == "TODO" or (isinstance(answer, (set, list, tuple, frozenset))
                                                     and "TODO" in answer)
    example = _("e.g. {example}: row = the guest that pings (or 'outside'), column = what it pings").format(
        example="{('nat', 'outside'), ('outside', 'bridge')}")
    expect(not untried, _("no answer yet: give the cells as a set of (row, column) pairs"), untried=True,
           hint=example)
    expect(isinstance(answer, (set, list, tuple, frozenset)),
           _("{answer} is not a set of (row, column) pairs").format(answer=repr(answer)), hint=example)
    cells = set()
    for item in answer:  # type: ignore[union-attr]
        expect(isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item),
               _("{item} is not a (row, column) pair").format(item=repr(item)),
               hint=_("each cell is a pair of names, e.g. ('route', 'outside')"))
        expect(item in reach.keys(), _("there is no cell {item} in the matrix").format(item=repr(item)),
               hint=_("rows: {rows} and 'outside' (whose row has only the modes as columns); columns: {columns}")
               .format(rows=", ".join(MODES), columns=", ".join(reach.TARGETS)))
        cells.add(item)
    return cells


@graded("12.1", answer=lambda **_: "changed = {\n" + "".join(
    f"    {k!r},\n" for k in sorted(changed_cells(_RecordingLab()))) + "}")
def check_route_back(lab: Any, changed: object) -> Passed:
    """``changed``: the cells that change when the outside forgets ``10.112.0.0/16 via 203.0.113.2``."""
    cells = _cells(changed)
    before, after = measured(lab, "as built"), measured(lab, "no route back")
    truth = changed_cells(lab)
    wrong = sorted(cells - truth)
    missing = sorted(truth - cells)
    if wrong:
        c = after.cells[wrong[0]]
        why = (_("its path never uses the outside's route: {step}").format(step=_first_failure(c)) if c.measured else
               _("it fails with the route too, for another reason: {step}").format(
                   step=_first_failure(before.cells[wrong[0]])))
        raise ExerciseFailed(_("{label} does not change: measured {measured} in both situations; {why}").format(
                                 label=c.label, measured=_yes(c.measured), why=why)
                             + (_(" (and {n} more cell(s) you named do not change)").format(n=len(wrong) - 1)
                                if len(wrong) > 1 else ""),
                             hint=_("only a packet whose answer (or whose way in) needs the LAN's router to know the "
                                    "host's subnets is affected. NAT's answers go to the host's own LAN address"),
                             pointer=_("for each cell you named, read m.explain(row, column): which step uses the "
                                       "outside's route `{net} via {via}`?").format(
                                 net=RETURN_ROUTE[0], via=RETURN_ROUTE[1]))  # fmt: skip
    if missing:
        c = after.cells[missing[0]]
        raise ExerciseFailed(_("{label} changes too: measured {before} with the route, {after} without it: {step}")
                             .format(label=c.label, before=_yes(before.cells[missing[0]].measured),
                                     after=_yes(c.measured), step=_first_failure(c))
                             + (_(" ({n} cell(s) missing in all)").format(n=len(missing)) if len(missing) > 1 else ""),
                             hint=_("a guest that keeps its own address is answered only by whoever knows the way "
                                    "back to its subnet; on the LAN only the router can know it, and every LAN "
                                    "machine asks the router for addresses off its own subnet"),
                             pointer=_("m.explain(row, column) for each cell whose one side is on the LAN (the "
                                       "outside, or a guest plugged into the LAN): which step uses `{net} via "
                                       "{via}`?").format(net=RETURN_ROUTE[0], via=RETURN_ROUTE[1]))  # fmt: skip
    return Passed(_("the {n} cells that need the LAN's router to know the way back").format(n=len(truth)),
                  _("measured just now from inside the guests") if after.live else f"{after.header()}",
                  _("NAT is unaffected: its guests' packets leave with the host's own address (MASQUERADE)"),
                  _("routed and open networks need a route on the LAN's router (or NAT, or bridge mode)"))


@dataclass(frozen=True)
class Requirement:
    """A requirement as cells of the matrix: for the chosen mode M, each (row, column) must be measured as given."""

    text: str
    situation: str
    cells: tuple[tuple[str, str, bool], ...]  # (row, column, wanted); "M" stands for the chosen mode
    concept: str
    pointer: str

    def rows(self, mode: str) -> list[tuple[str, str, bool]]:
        out = []
        for src, dst, want in self.cells:
            if src == "*" or dst == "*":  # every other mode's guest
                out += [(mode if src == "M" else m, m if dst == "*" else mode, want) for m in MODES if m != mode]
            else:
                out.append((mode if src == "M" else src, mode if dst == "M" else dst, want))
        return out


REQUIREMENTS = {
    "a": Requirement(N_("build servers: they download packages from outside; nothing outside may start a "
                        "connection to them; you cannot change the LAN's router"),
                     "no route back", (("M", "outside", True), ("outside", "M", False)),
                     N_("a mode whose guests go out with an address the outside already knows, and that lets "
                        "in only answers"), N_("the columns 'outside' and 'from outside', situation 'no route back'")),
    "b": Requirement(N_("a test network: its VMs talk to each other and to the host, and to nothing else, "
                        "in either direction"), "as built",
                     (("M", "M", True), ("M", "host", True), ("M", "outside", False), ("outside", "M", False),
                      ("M", "*", False), ("*", "M", False)),
                     N_("a network with no forwarding at all still has a bridge, an address for the host and DHCP"),
                     N_("lesson 12's matrix: the row and the column of each mode, outside included")),
    "c": Requirement(N_("web servers that the LAN's machines can reach, with no change on the LAN's router and no "
                        "NAT"), "no route back", (("outside", "M", True), ("M", "outside", True)),
                     N_("a guest the LAN reaches without any router knowing extra routes is itself on the LAN"),
                     N_("the column 'from outside' in situation 'no route back' (exercise 12.1)")),
}  # fmt: skip


def _check_mode(lab: Any, key: str, mode: object) -> Passed:
    req = REQUIREMENTS[key]
    chosen = choose(mode, MODES, "mode")
    m = measured(lab, req.situation)
    for src, dst, want in req.rows(chosen):
        c = m.cell(src, dst)
        if c.measured != want:
            raise ExerciseFailed(_("{chosen}: {label} was measured {measured} ({situation}); the requirement needs "
                                   "{want}. Why: {step}").format(
                                     chosen=chosen, label=c.label, measured=_yes(c.measured), situation=req.situation,
                                     want=_yes(want), step=_first_failure(c)),
                                 hint=_(req.concept), pointer=_(req.pointer))
    return Passed(_("{chosen} meets it: {text}").format(chosen=chosen, text=_(req.text)),
                  *(f"{m.cell(s, d).label}: {_yes(w)}" for s, d, w in req.rows(chosen)),
                  _("checked against the matrix {how} ({situation})").format(
                      how=_("measured just now") if m.live else _("recorded on the real lab"), situation=req.situation))


@graded("12.2a", answer='mode_a = "nat"')
def check_build_servers(lab: Any, mode: object) -> Passed:
    """12.2a: :data:`REQUIREMENTS` ``a`` (out yes, in no, the LAN's router untouched)."""
    return _check_mode(lab, "a", mode)


@graded("12.2b", answer='mode_b = "isolated"')
def check_test_network(lab: Any, mode: object) -> Passed:
    """12.2b: :data:`REQUIREMENTS` ``b`` (each other and the host, nothing else)."""
    return _check_mode(lab, "b", mode)


@graded("12.2c", answer='mode_c = "bridge"')
def check_web_servers(lab: Any, mode: object) -> Passed:
    """12.2c: :data:`REQUIREMENTS` ``c`` (reachable from the LAN, no router change, no NAT)."""
    return _check_mode(lab, "c", mode)


_NOT_XML = N_({
    "net-info": "net-info prints the name, UUID, state, autostart and bridge: not the <forward> element",
    "net-list": "net-list lists networks and their state, not their mode",
    "dumpxml": "dumpxml prints a domain's XML; a network's XML has its own command",
    "net-edit": "net-edit opens an editor to change the network; the task only reads it",
    "net-dhcp-leases": "net-dhcp-leases lists the addresses dnsmasq handed out, not the mode",
})


@graded("12.3", answer=f'line = "virsh net-dumpxml {NETS["isolated"].name}"')
def check_isolated_line(conn: Any, line: object) -> Passed:
    """``line``: the virsh command that prints the isolated network's XML (it runs on ``conn``)."""
    inv = virsh_line(line, "virsh COMMAND NETWORK")
    name = inv.command.name
    if name != "net-dumpxml":
        raise ExerciseFailed(_("{name} does not show the network's XML").format(name=name),
                             hint=_(_NOT_XML[name]) if name in _NOT_XML else _(
                                 "the mode lives in the network's XML, as the <forward> element"),
                             pointer=_('print(conn.virsh("help network")) lists the command that prints a network\'s '
                                       "XML"))
    target = str(inv.values.get("network"))
    result = run_line(conn, inv)
    xml = conn.net_dumpxml(target).xml  # what libvirt holds (an --xpath line printed only a part, maybe nothing)
    mode = NetworkSpec.from_xml(xml).mode
    if mode != "isolated":
        raise ExerciseFailed(_("'{target}' has <forward mode='{mode}'>: it forwards, it is not isolated").format(
                                 target=target, mode=mode),
                             hint=_("an isolated network is the one whose XML has no <forward> element at all"),
                             pointer=_("lesson 12's isolated network is {name}").format(name=NETS["isolated"].name))
    expect(target == NETS["isolated"].name,
           _("'{target}' has no <forward> either, but it is not lesson 12's network").format(target=target),
           hint=_("the task is about the network lesson 12 measured"),
           pointer=_("lesson 12's networks are named {prefix}-MODE").format(
               prefix=NETS["nat"].name.rsplit("-", 1)[0]))
    xpath = inv.values.get("xpath")
    out = str(result).strip()
    printed = (_("{virsh}: --xpath {xpath} printed {out}").format(virsh=result.virsh, xpath=xpath,
                                                                  out=out or _("nothing"))
               if xpath else _("{virsh}: {n} lines, <bridge>, <ip> and <dhcp>, and no <forward>").format(
                   virsh=result.virsh, n=len(xml.splitlines())))
    return Passed(_("{target} has no <forward> element: nothing is forwarded").format(target=target), printed,
                  _("libvirt then rejects everything leaving or entering its bridge (LIBVIRT_FWO/FWI REJECT)"))


class _RecordingLab:
    """A lab where nothing runs: :func:`measured` gives the recording (for the answer shown on request)."""

    live = False
    reason = "the answer is read from lesson 12's recording"
