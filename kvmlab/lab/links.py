"""Kernel links the lab makes by hand inside its namespace (a lesson's demo bridge), and their removal.

libvirt removes the bridges and taps of its own networks and guests; a bridge a lesson builds with
``ip link add`` is the kernel's alone. The lab marks such a link with an interface alias
(``ip link set DEV alias 'kvmlab-lab …'``; ``ip -d link`` prints it as ``alias``) that also names
the ports it borrowed from another bridge, so `lab reset` can put them back and delete the link
even after an interrupted demo.

Only the lab's namespace ``kvmlab-lab`` is ever looked at or changed: never the host's interfaces.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Sequence

from ..errors import OperationFailed
from ..i18n import _
from . import netns
from .paths import NETNS

__all__ = ["ALIAS_PREFIX", "DEMO_BRIDGE", "alias_for", "borrowed", "ip_in_lab", "lab_links", "owned_links",
           "remove_owned_links"]

# The mark on a link the lab made by hand; the rest of the alias lists borrowed ports: "vnet0 from kvmlab-nat0".
ALIAS_PREFIX = "kvmlab-lab demo:"
# The lessons' hand-made bridge ("br-x"): kvmlab- marks it as the lab's name, as for networks and pools.
DEMO_BRIDGE = "kvmlab-brx"

_BORROWED = re.compile(r"([^\s,]+) from ([^\s,]+)")


def alias_for(borrowed_ports: dict[str, str]) -> str:
    """The alias that marks a lab link and remembers each borrowed port's own bridge (port -> bridge)."""
    ports = ", ".join(f"{port} from {home}" for port, home in borrowed_ports.items())
    return f"{ALIAS_PREFIX} {ports or 'no borrowed ports'}"


def borrowed(alias: str) -> dict[str, str]:
    """The ports an alias says were borrowed, port -> the bridge it came from."""
    return dict(_BORROWED.findall(alias.removeprefix(ALIAS_PREFIX))) if alias.startswith(ALIAS_PREFIX) else {}


def ip_in_lab(*args: str, check: bool = True, timeout: float = 15.0) -> subprocess.CompletedProcess:
    """``ip -n kvmlab-lab ARGS``: one iproute2 command inside the lab's namespace, never on the host."""
    argv = [netns.ip_tool(), "-n", NETNS, *args]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise OperationFailed(_("`{command}` did not finish in {timeout:g} s").format(
            command=" ".join(argv), timeout=timeout)) from exc
    if check and p.returncode != 0:
        raise OperationFailed(_("`{command}` failed: {why}").format(
                                  command=" ".join(argv), why=p.stderr.strip() or p.stdout.strip()),
                              hint=_("the lab's namespace needs root: run `sudo kvmlab lab up`"))
    return p


def lab_links() -> list[dict]:
    """Every link in the lab's namespace as ``ip -j -d link show`` reports it ([] without the namespace)."""
    if not netns.exists(NETNS):
        return []
    out = ip_in_lab("-j", "-d", "link", "show").stdout
    try:
        return json.loads(out or "[]")
    except json.JSONDecodeError as exc:
        raise OperationFailed(_("`{command}` did not print JSON: {why}").format(
            command=f"ip -n {NETNS} -j -d link show", why=exc)) from exc


def owned_links(links: Sequence[dict] | None = None) -> list[dict]:
    """The links the lab made by hand (their alias carries the lab's mark), by name."""
    found = [lk for lk in (lab_links() if links is None else links)
             if str(lk.get("ifalias", "")).startswith(ALIAS_PREFIX)]  # fmt: skip
    return sorted(found, key=lambda lk: lk["ifname"])


def remove_owned_links() -> list[str]:
    """Put every borrowed port back on its own bridge, then delete the lab's hand-made links.

    Returns one line per link removed. A port that is gone (its guest stopped) or whose bridge is
    gone is left alone; the link is deleted all the same (its remaining ports just leave it).
    """
    done = []
    links = lab_links()
    names = {lk["ifname"]: lk for lk in links}
    for link in owned_links(links):
        name = link["ifname"]
        back = []
        for port, home in borrowed(link.get("ifalias", "")).items():
            if names.get(port, {}).get("master") == name and home in names:
                ip_in_lab("link", "set", port, "master", home)
                back.append(f"{port} back on {home}")
        ip_in_lab("link", "del", name)
        done.append(f"Link {name} deleted (made by a lesson in namespace {NETNS}"
                    + (f"; {', '.join(back)})" if back else ")"))
    return done
