"""Before any lesson pings: does the lab's namespace have a way out? If it does, refuse.

The lab's guests live in the network namespace ``kvmlab-lab``. Pings from inside them must never
reach the host's own interfaces or the world, so :func:`require_contained` looks at the namespace
with iproute2 (what a learner would type) and refuses unless it is closed:

* it is a namespace of its own, not the host's (``/run/netns/NAME`` is not ``/proc/1/ns/net``);
* no route in any table is a default route (``ip -n NAME route show table all``, IPv4 and IPv6):
  nothing sends "anything I do not know" somewhere;
* every link is one that stays inside: the loopback, a bridge, a tap (``tun``: its other end is a
  QEMU process), or a veth / dummy whose peer is in the same namespace. A veth whose peer lives in
  another namespace (``link_netnsid`` in ``ip -j link``), a physical NIC moved in, a macvlan,
  vxlan or any tunnel is a way out.

Only reads: nothing here changes a link or a route.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Sequence

from ..errors import InvalidInput, InvalidState, OperationFailed
from ..i18n import _
from . import netns
from .paths import NETNS
from .process import netns_inode

__all__ = ["Containment", "inspect", "require_contained", "INSIDE_KINDS"]

# Link kinds whose other side cannot be outside the namespace (a veth/dummy only with its peer here).
INSIDE_KINDS = {"bridge": "a bridge (a switch inside the namespace)",
                "tun": "a tap (its other end is a QEMU process: a guest's card)",
                "veth": "a veth pair with both ends in this namespace",
                "dummy": "a dummy link (goes nowhere)"}  # fmt: skip


@dataclass
class Containment:
    """What the check saw in the namespace, and every way out it found (``problems``; [] = closed)."""

    namespace: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (name, what it is)
    routes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def contained(self) -> bool:
        return not self.problems

    def commands(self) -> list[str]:
        ns = self.namespace
        return [f"ip -n {ns} -j -d link show", f"ip -n {ns} -j route show table all",
                f"ip -n {ns} -6 -j route show table all"]  # fmt: skip

    def __str__(self) -> str:
        head = (f"namespace {self.namespace}: closed, no way out ({len(self.links)} links, {self.routes} routes, "
                "no default route)" if self.contained else
                f"namespace {self.namespace}: NOT closed, {len(self.problems)} way(s) out: nothing will ping")
        lines = [head, *(f"  ! {p}" for p in self.problems)]
        lines += [f"  {name:16} {what}" for name, what in self.links]
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def _ip_json(ns: str, *args: str) -> list[dict]:
    argv = [netns.ip_tool(), "-n", ns, "-j", *args]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise OperationFailed(_("`{command}` did not finish in {timeout:g} s").format(
            command=" ".join(argv), timeout=15)) from exc
    if p.returncode != 0:
        raise OperationFailed(_("`{command}` failed: {why}").format(command=" ".join(argv), why=p.stderr.strip()),
                              hint=_("reading another network namespace needs root"))
    out = p.stdout
    try:
        return json.loads(out or "[]")
    except json.JSONDecodeError as exc:
        raise OperationFailed(_("`{command}` did not print JSON: {why}").format(
            command=f"ip -n {ns} -j {' '.join(args)}", why=exc)) from exc


def judge_links(links: Sequence[dict]) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, what it is) per link, and the links that lead out of the namespace, from ``ip -j -d link``."""
    seen, problems = [], []
    for lk in links:
        name = lk.get("ifname", "?")
        kind = (lk.get("linkinfo") or {}).get("info_kind", "")
        if lk.get("link_type") == "loopback":
            seen.append((name, "the loopback"))
            continue
        if "link_netnsid" in lk:  # the kernel names the namespace the other end lives in
            peer = f"its peer is in another network namespace (nsid {lk['link_netnsid']})"
            seen.append((name, f"{kind or 'link'}: {peer}"))
            problems.append(f"{name} ({kind or 'link'}) leads out: {peer}")
        elif kind in INSIDE_KINDS:
            seen.append((name, INSIDE_KINDS[kind]))
        else:
            what = f"a {kind} link" if kind else "a physical network card (no link kind)"
            seen.append((name, what))
            problems.append(f"{name} is {what}: it can carry packets out of the namespace")
    return seen, problems


def judge_routes(routes: Sequence[dict], family: str = "IPv4") -> list[str]:
    """Every default route in ``ip -j route show table all`` output, as a problem."""
    problems = []
    for r in routes:
        if r.get("dst") in ("default", "0.0.0.0/0", "::/0") and r.get("type", "unicast") == "unicast":
            via = f" via {r['gateway']}" if r.get("gateway") else ""
            table = r.get("table", "main")
            problems.append(f"a default {family} route{via} dev {r.get('dev', '?')} (table {table}): "
                            "packets for any unknown address would leave through it")
    return problems


def inspect(ns: str = NETNS) -> Containment:
    """Look at namespace ``ns`` (read only) and say whether it is closed."""
    if not isinstance(ns, str) or not ns or "/" in ns or "\0" in ns:
        raise InvalidInput(_("{name} is not a namespace name").format(name=repr(ns)),
                           hint=_("the lab's is {name} (ip netns list)").format(name=repr(NETNS)))
    found = Containment(ns)
    if not netns.exists(ns):
        found.problems.append(f"there is no network namespace {ns} (`ip netns list`): the lab is not up in one")
        return found
    inode = netns_inode(str(netns.NETNS_DIR / ns))
    if inode is not None and inode in (netns_inode(1), netns_inode(os.getpid())):
        found.problems.append(f"{ns} is the host's own network namespace: its links are the host's")
    found.links, problems = judge_links(_ip_json(ns, "-d", "link", "show"))
    found.problems += problems
    v4, v6 = _ip_json(ns, "route", "show", "table", "all"), _ip_json(ns, "-6", "route", "show", "table", "all")
    found.routes = len(v4) + len(v6)
    found.problems += judge_routes(v4) + judge_routes(v6, "IPv6")
    return found


def require_contained(ns: str = NETNS) -> Containment:
    """:func:`inspect`, raising InvalidState (and pinging nothing) when the namespace has a way out."""
    found = inspect(ns)
    if not found.contained:
        raise InvalidState(_("refusing to ping from namespace {ns}: {problems}").format(
                               ns=ns, problems="; ".join(found.problems)),
                           hint=_("the lessons ping only inside a closed namespace. Remove the link or route "
                                  "(`ip -n {ns} link del DEV`, `ip -n {ns} route del default`), or "
                                  "`sudo kvmlab lab down` and `lab up` for a fresh namespace").format(ns=ns))
    return found
