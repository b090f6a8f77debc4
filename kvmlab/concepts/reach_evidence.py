"""What the host (the lab's namespace) and the guests say about lesson 12's networks: the evidence.

Read-only commands, inside namespace ``kvmlab-lab`` only::

    ip netns exec kvmlab-lab iptables -S           # filter rules libvirt added (FORWARD, INPUT …)
    ip netns exec kvmlab-lab iptables -t nat -S    # NAT rules (MASQUERADE)
    ip -n kvmlab-lab route                          # the host's routes to each network
    ip netns exec kvmlab-lab sysctl -n net.ipv4.ip_forward
    grep dhcp-option /var/lib/libvirt/dnsmasq/kvmlab-net12-*.conf   # what dnsmasq tells the guests

plus ``ip route`` inside each pinging guest (read over its console by the measurement). Only the
lines that name the lesson's bridges or subnets are kept (and the chains' policies), so another
network's rules never show up.
"""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OperationFailed
from ..i18n import _
from ..lab import netns
from ..lab.paths import NETNS
from ..lab.reach_plan import NETS

__all__ = ["Evidence", "gather", "DNSMASQ_DIR"]

DNSMASQ_DIR = Path("/var/lib/libvirt/dnsmasq")  # where libvirt writes each network's dnsmasq conf


@dataclass
class Evidence:
    """The lines the explanations quote (every list holds a command's own output lines)."""

    filter_rules: list[str] = field(default_factory=list)  # iptables -S: policies + lines naming a lesson bridge
    nat_rules: list[str] = field(default_factory=list)  # iptables -t nat -S: lines naming a lesson subnet
    routes: list[str] = field(default_factory=list)  # ip route: the lesson networks' lines
    ip_forward: str = ""
    dnsmasq: dict[str, list[str]] = field(default_factory=dict)  # mode -> dhcp-option/range lines of its conf
    guest_routes: dict[str, list[str]] = field(default_factory=dict)  # guest -> `ip route` inside it
    commands: list[str] = field(default_factory=list)

    def rule(self, *needles: str, nat: bool = False) -> str:
        """The first rule line that contains every needle ('' when there is none)."""
        for line in self.nat_rules if nat else self.filter_rules:
            if all(n in line for n in needles):
                return line
        return ""

    def rules_naming(self, bridge: str) -> list[str]:
        """Every filter rule that names ``bridge`` (libvirt's rules for that network)."""
        return [ln for ln in self.filter_rules if f" {bridge} " in f"{ln} "]

    def for_mode(self, mode: str) -> list[str]:
        """The firewall lines of one network: filter rules naming its bridge, NAT rules naming its subnet."""
        n = NETS[mode]
        return self.rules_naming(n.bridge) + [ln for ln in self.nat_rules if n.subnet in ln]

    def text(self) -> str:
        """Each command and the lines kept from it."""
        out = []
        for title, lines in (("iptables -S", self.filter_rules), ("iptables -t nat -S", self.nat_rules),
                             ("ip route", self.routes), ("sysctl -n net.ipv4.ip_forward", [self.ip_forward])):
            out.append(f"# ip netns exec {NETNS} {title}   (lines of the lesson's networks)")
            out += lines or ["(none)"]
        for mode, lines in self.dnsmasq.items():
            out.append(f"# grep -E 'dhcp-option|dhcp-range' {DNSMASQ_DIR}/{NETS[mode].name}.conf")
            out += lines or ["(no dhcp-option line: dnsmasq sends the gateway as the router)"]
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Evidence":
        return cls(**data)


def _run(argv: list[str]) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OperationFailed(_("`{command}` did not run: {exc}").format(command=' '.join(argv), exc=exc),
                              hint=_("apt-get install iptables iproute2; reading the lab's namespace needs root")) from exc
    if p.returncode != 0:
        raise OperationFailed(_("`{command}` failed: {error}").format(command=' '.join(argv), error=p.stderr.strip()),
                              hint=_("reading the lab's namespace needs root"))
    return p.stdout


def _ns(*argv: str) -> list[str]:
    return _run([netns.ip_tool(), "netns", "exec", NETNS, *argv]).splitlines()


def gather(guest_routes: dict[str, list[str]] | None = None) -> Evidence:
    """Read the lab namespace's rules, routes and forwarding switch, and dnsmasq's options (read only)."""
    bridges = [n.bridge for n in NETS.values()]
    subnets = [n.subnet for n in NETS.values()]
    ev = Evidence(guest_routes=dict(guest_routes or {}))
    ev.filter_rules = [ln for ln in _ns("iptables", "-S")
                       if ln.startswith("-P ") or any(f" {b} " in f"{ln} " for b in bridges)]  # fmt: skip
    ev.nat_rules = [ln for ln in _ns("iptables", "-t", "nat", "-S") if any(s in ln for s in subnets)]
    ev.routes = [ln.strip() for ln in _run([netns.ip_tool(), "-n", NETNS, "route"]).splitlines()
                 if any(f" {b} " in f"{ln} " for b in bridges)]  # fmt: skip
    ev.ip_forward = "".join(_ns("sysctl", "-n", "net.ipv4.ip_forward")).strip()
    for mode, n in NETS.items():
        conf = DNSMASQ_DIR / f"{n.name}.conf"
        if n.dhcp and conf.exists():
            ev.dnsmasq[mode] = [ln for ln in conf.read_text().splitlines() if ln.startswith(("dhcp-option", "dhcp-range"))]
    ev.commands = [f"ip netns exec {NETNS} iptables -S", f"ip netns exec {NETNS} iptables -t nat -S",
                   f"ip -n {NETNS} route", f"ip netns exec {NETNS} sysctl -n net.ipv4.ip_forward",
                   f"grep -E 'dhcp-option|dhcp-range' {DNSMASQ_DIR}/kvmlab-net12-*.conf"]  # fmt: skip
    return ev
