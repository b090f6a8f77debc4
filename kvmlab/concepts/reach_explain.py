"""Why each cell of lesson 12's matrix is what it is: the path of the ping, step by step, with the lines
(libvirt's firewall rules, routes, dnsmasq's options, the guest's own routes) that decide each step.

:func:`explain` walks one ping: can it leave its network, does anything route it on, does the
destination network let it in, and can the answer come back. Each step is a sentence that quotes the
evidence (:class:`~kvmlab.concepts.reach_evidence.Evidence`); the verdict is the AND of the steps. The
real-lab tests check that this verdict is the measured one for every cell, in both situations (the
outside with and without its route back), so the explanations cannot say one thing while the packets
do another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lab.reach_plan import NETS, OUTSIDE, OUTSIDE_GUEST, RETURN_ROUTE
from .reach_evidence import Evidence

__all__ = ["Step", "Reasoning", "explain"]

BACK = f"{RETURN_ROUTE[0]} via {RETURN_ROUTE[1]}"


@dataclass(frozen=True)
class Step:
    ok: bool
    text: str

    def __str__(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.text}"


@dataclass
class Reasoning:
    """The steps of one ping's path; ``reaches`` is True when every step passes."""

    steps: list[Step] = field(default_factory=list)

    @property
    def reaches(self) -> bool:
        return all(s.ok for s in self.steps)

    def add(self, ok: bool, text: str) -> bool:
        self.steps.append(Step(ok, text))
        return ok

    def __str__(self) -> str:
        return "\n".join(str(s) for s in self.steps)


def _quote(line: str, missing: str) -> str:
    return f"`{line}`" if line else f"(no such rule: {missing})"


def _same(r: Reasoning, mode: str, ev: Evidence) -> None:
    n = NETS[mode]
    if mode == "bridge":
        r.add(True, f"both guests are ports of {n.bridge}, the host's own bridge: it switches the frames, and "
                    "libvirt adds no rule for a bridge-mode network")
        return
    fwx = ev.rule(f"-i {n.bridge} -o {n.bridge}", "ACCEPT")
    how = (f"libvirt's rule {_quote(fwx, '')} lets a network talk to itself" if fwx else
           f"libvirt added no rule naming {n.bridge} (open mode): nothing stands in the way")
    r.add(True, f"same bridge {n.bridge}: it switches the frames between the two taps; {how}")


def _host(r: Reasoning, mode: str, ev: Evidence) -> None:
    n = NETS[mode]
    r.add(True, f"{n.host} is the host's own address on {n.bridge}: the ping is for the host itself (the INPUT "
                f"chain), which libvirt never closes (its LIBVIRT_INP lines only open DNS and DHCP; "
                f"{_quote(ev.rule('-P INPUT'), 'INPUT policy')})")


def _leaves(r: Reasoning, mode: str, ev: Evidence, guest_routes: list[str]) -> bool:
    """The ping gets out of the source guest's network (the guest routes it, the host forwards it)."""
    n = NETS[mode]
    if mode == "isolated":
        has_default = any(ln.startswith("default") for ln in guest_routes)
        opt = next((ln for ln in ev.dnsmasq.get(mode, []) if ln.strip() == "dhcp-option=3"), "")
        reject = ev.rule(f"-A LIBVIRT_FWO -i {n.bridge}", "REJECT")
        if not has_default:
            return r.add(False, f"the guest has no default route (its `ip route`: {'; '.join(guest_routes) or '?'}): "
                                f"dnsmasq tells isolated guests there is no router ({_quote(opt, 'dhcp-option=3')}), "
                                "so ping stops at once with 'Network is unreachable'. Even with a route, libvirt's "
                                f"{_quote(reject, 'FWO reject')} would refuse it: the network has no <forward>")
        return r.add(False, f"libvirt's {_quote(reject, 'FWO reject')} refuses anything leaving {n.bridge}: "
                            "the network has no <forward>")
    if mode == "bridge":
        return r.add(True, f"the bridge guest sends it to its default router, the outside ({OUTSIDE}): the LAN's "
                           "router, as on any LAN")
    fwo = ev.rule(f"-A LIBVIRT_FWO -s {n.subnet} -i {n.bridge}", "ACCEPT")
    if mode == "open":
        return r.add(True, f"the guest's default route is the host ({n.host}); libvirt added no rule for "
                           f"{n.bridge} ({len(ev.rules_naming(n.bridge))} lines name it), so the host's own "
                           f"firewall decides: {_quote(ev.rule('-P FORWARD'), 'FORWARD policy')}, and "
                           f"net.ipv4.ip_forward = {ev.ip_forward or '?'}")
    masq = ev.rule(f"-s {n.subnet} ! -d {n.subnet} -j MASQUERADE", nat=True)
    extra = (f"; then {_quote(masq, 'MASQUERADE')} rewrites its source to the host's own address on the way out"
             if mode == "nat" else "; it keeps its own address (no MASQUERADE line names "
             f"{n.subnet})")  # fmt: skip
    return r.add(True, f"the host forwards it: {_quote(fwo, 'FWO accept')}{extra}")


def _enters(r: Reasoning, mode: str, ev: Evidence) -> bool:
    """The ping gets into the destination guest's network (the host's FORWARD chain lets it out onto that bridge)."""
    n = NETS[mode]
    if mode == "bridge":
        return r.add(True, f"the host delivers it on {n.bridge}, its own LAN bridge (no rule names it)")
    if mode == "nat":
        est = ev.rule(f"-A LIBVIRT_FWI -d {n.subnet} -o {n.bridge}", "ESTABLISHED")
        rej = ev.rule(f"-A LIBVIRT_FWI -o {n.bridge}", "REJECT")
        return r.add(False, f"{_quote(est, 'FWI established')} lets only answers in, and a new ping meets "
                            f"{_quote(rej, 'FWI reject')}: NAT guests cannot be reached from outside their "
                            "network (a port forward would be needed)")
    if mode == "isolated":
        rej = ev.rule(f"-A LIBVIRT_FWI -o {n.bridge}", "REJECT")
        return r.add(False, f"{_quote(rej, 'FWI reject')}: nothing enters an isolated network")
    if mode == "route":
        acc = ev.rule(f"-A LIBVIRT_FWI -d {n.subnet} -o {n.bridge}", "ACCEPT")
        return r.add(True, f"{_quote(acc, 'FWI accept')}: a routed network takes any packet for its subnet")
    return r.add(True, f"no rule names {n.bridge}: {_quote(ev.rule('-P FORWARD'), 'FORWARD policy')} lets it in")


def _outside_knows_way_back(r: Reasoning, ev: Evidence, ok: str, fail: str) -> bool:
    """The outside's route back to the host's subnets decides this step: ``ok`` with it, ``fail`` without."""
    routes = ev.guest_routes.get(OUTSIDE_GUEST.name, [])
    if any(ln.startswith(BACK) for ln in routes):
        return r.add(True, f"the outside has a route back, `{BACK}`: {ok}")
    return r.add(False, f"the outside has no route to {RETURN_ROUTE[0]} (its `ip route`: {'; '.join(routes) or '?'}): "
                        f"{fail} (a LAN's router knows no way to a host's routed subnets unless someone adds one)")


def explain(src: str, dst: str, ev: Evidence, guest_routes: list[str] | None = None) -> Reasoning:
    """The path of a ping from ``src`` (a mode, or "outside") to ``dst`` (a mode, "host" or "outside")."""
    r = Reasoning()
    routes = guest_routes or []
    if src == dst:
        _same(r, src, ev)
    elif dst == "host":
        _host(r, src, ev)
    elif src == "outside":
        if dst == "bridge":
            r.add(True, "the outside and the bridge guest share the LAN (both ports of "
                        f"{NETS['bridge'].bridge}): no router, no firewall")
        elif _outside_knows_way_back(r, ev, "its ping goes to the host",
                                     "its ping has nowhere to go ('Network is unreachable' in the outside)"):
            _enters(r, dst, ev)
    elif dst == "outside":
        if src == "bridge":
            r.add(True, f"the bridge guest is on the outside's own LAN ({NETS['bridge'].bridge}): no router, no "
                        "firewall: bridge mode puts guests on the LAN like any machine")
        elif _leaves(r, src, ev, routes):
            if src == "nat":
                r.add(True, f"the outside saw the host's LAN address ({NETS['bridge'].host}) and answers it "
                            "directly; the host undoes the NAT and the answer is ESTABLISHED")
            else:
                to = f"its answer to the guest's own address in {NETS[src].subnet}"
                _outside_knows_way_back(r, ev, f"{to} returns", f"{to} has nowhere to go")
    else:  # guest to guest across networks: leave one, enter the other, and the answer comes back
        if _leaves(r, src, ev, routes):
            if src != "bridge" or _outside_knows_way_back(r, ev, "the router passes it on to the host",
                                                          "the router cannot pass it on to the host"):
                if _enters(r, dst, ev) and dst == "bridge" and src in ("route", "open"):
                    _outside_knows_way_back(r, ev, "the bridge guest's answer, sent to its router, returns",
                                            "the bridge guest's answer, sent to its router, goes no further")
    return r
