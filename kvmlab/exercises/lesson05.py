"""Lesson 5 checks: virtual bridges (虚拟网桥) — the switch, its ports, and who creates it.

- :func:`check_bridge`: the Linux bridge a guest's NIC is plugged into (e.g. ``virbr0``).
- :func:`check_tap`: the host-side device of that NIC (the bridge port: ``vnet0``, ``testnet0`` …).
- :func:`check_existing_bridge`: the network whose bridge libvirt does not create.

Every right answer is read from libvirt (``dumpxml``, ``net-dumpxml``), never written in here.
"""

from __future__ import annotations

import re
from typing import Any

from ..concepts.bridges import Port, libvirt_bridge, libvirt_bridges
from .checks import ExerciseFailed, Passed, expect

__all__ = ["check_bridge", "check_tap", "check_existing_bridge", "guest_port"]

_MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$", re.I)


def _answer(answer: object, what: str, how: str) -> str:
    expect(isinstance(answer, str) and answer.strip() and answer.strip().upper() != "TODO",
           f"{what}: no answer yet", hint=how)
    return answer.strip()


def guest_port(conn: Any, guest: str) -> Port:
    """The first network NIC of a running ``guest`` as libvirt describes it (tap, MAC, network)."""
    names, running = conn.list(all=True).names, conn.list().names
    expect(guest in names, f"there is no guest '{guest}'", hint="conn.list(all=True) lists them")
    expect(guest in running, f"'{guest}' is not running, so it has no tap (no port on any bridge)",
           hint=f"start it first: conn.start('{guest}') (virsh start {guest})")
    for bridge in libvirt_bridges(conn):
        for port in bridge.ports:
            if port.domain == guest:
                return port
    raise ExerciseFailed(f"'{guest}' has no NIC on a libvirt network",
                         hint=f"conn.dumpxml('{guest}') shows its <interface> elements")


def _names(conn: Any) -> tuple[dict[str, str], set[str]]:
    """bridge name -> network name, and every guest tap name."""
    bridges = {b.bridge: b.network for b in libvirt_bridges(conn) if b.bridge}
    taps = {p.tap for b in libvirt_bridges(conn) for p in b.ports if p.tap}
    return bridges, taps


def check_bridge(conn: Any, answer: object, guest: str = "web01") -> Passed:
    """``answer``: the Linux bridge that ``guest``'s network card is plugged into."""
    text = _answer(answer, "bridge", f"conn.dumpxml('{guest}') names the network (<source network=…>); "
                   "conn.net_info(that network) names its bridge")
    port = guest_port(conn, guest)
    right = libvirt_bridge(conn, port.network).bridge if port.network else port.bridge
    if text == right:
        return Passed(f"{guest} is plugged into {right}",
                      f"its <interface type='network'> names the network '{port.network}'; "
                      f"libvirt made that network's bridge {right}",
                      "a bridge is a switch in the host kernel: every guest of the network is a port of it")
    bridges, taps = _names(conn)
    if text == port.network:
        raise ExerciseFailed(f"'{text}' is the libvirt network, not the Linux bridge",
                             hint=f"a network has a bridge with an interface name: conn.net_info('{text}') "
                                  "prints it on the Bridge: line")  # fmt: skip
    if text == port.tap or text in taps:
        raise ExerciseFailed(f"'{text}' is a tap: a guest's own port on the bridge, not the bridge itself",
                             hint="the bridge is the switch all the taps plug into; ask the network "
                                  f"(conn.net_info('{port.network}'))")  # fmt: skip
    if _MAC.match(text):
        raise ExerciseFailed(f"{text} is a MAC address (the guest NIC's hardware address)",
                             hint="the bridge has an interface name such as virbr0")
    if text in bridges:
        raise ExerciseFailed(f"{text} is the bridge of network '{bridges[text]}'",
                             hint=f"{guest}'s <source network=…> names '{port.network}', not '{bridges[text]}'")
    if text.startswith("eth") or text.startswith("ens"):
        raise ExerciseFailed(f"{text} looks like a NIC name seen inside a machine",
                             hint="inside the guest its card may be eth0; on the host it is a tap on a bridge")
    raise ExerciseFailed(f"'{text}' is not a bridge of any network here",
                         hint="conn.net_info(name) prints each network's Bridge: line")


def check_tap(conn: Any, answer: object, guest: str = "web01") -> Passed:
    """``answer``: the host-side device of ``guest``'s NIC (its ``<target dev=…>``)."""
    text = _answer(answer, "tap", f"conn.dumpxml('{guest}'): look inside <interface> for <target dev=…/>")
    port = guest_port(conn, guest)
    if text == port.tap:
        same = [p.domain for b in libvirt_bridges(conn) for p in b.ports if p.tap == text and p.domain != guest]
        notes = [f"libvirt names the host side of {guest}'s NIC {text} in <target dev='{text}'/>",
                 "QEMU holds the tap's file descriptor; the kernel treats it as a port of the bridge"]
        if same:
            notes.append(f"{', '.join(same)} also shows {text}: the test driver numbers taps per guest. On a "
                         "real host names are unique: QEMU's driver hands out vnet0, vnet1, …")
        return Passed(f"{guest}'s tap is {text}", *notes)
    bridges, _ = _names(conn)
    if text in bridges:
        raise ExerciseFailed(f"{text} is a bridge (the switch), not {guest}'s port on it",
                             hint="the tap is in the guest's XML: <interface> … <target dev=…/>")
    if _MAC.match(text):
        raise ExerciseFailed(f"{text} is the NIC's MAC address (<mac address=…/>)",
                             hint="the host-side device has an interface name: <target dev=…/>")
    if text == port.network:
        raise ExerciseFailed(f"'{text}' is the network the NIC is on (<source network=…/>)",
                             hint="the device is named in the same <interface>: <target dev=…/>")
    if re.fullmatch(r"[vsh]d[a-z]+", text):
        raise ExerciseFailed(f"{text} is a disk's target (<disk> … <target dev='{text}'/>)",
                             hint="look for <target dev=…/> inside <interface>, not inside <disk>")
    if text.startswith("eth") or text.startswith("ens"):
        raise ExerciseFailed(f"{text} is how a NIC is named inside a machine",
                             hint="the host side of a guest's NIC is a tap named by libvirt: <target dev=…/>")
    raise ExerciseFailed(f"'{text}' is not {guest}'s tap", hint="read <target dev=…/> in conn.dumpxml("
                         f"'{guest}') inside <interface>")


def check_existing_bridge(conn: Any, answer: object) -> Passed:
    """``answer``: the network whose bridge libvirt does not create (it must already exist)."""
    text = _answer(answer, "network", "conn.net_dumpxml(name) for each network: look at <forward mode=…>")
    nets = libvirt_bridges(conn)
    byname = {b.network: b for b in nets}
    right = [b for b in nets if b.mode == "bridge"]
    expect(right, "no network here is in bridge mode", hint="this check needs the embedded lab's host-bridge")
    if text in {b.network for b in right}:
        b = byname[text]
        return Passed(f"{text}: <forward mode='bridge'/> joins the existing bridge {b.bridge}",
                      "libvirt creates virbrN (with its gateway address and DHCP) for nat, route, open and "
                      "isolated networks",
                      f"in bridge mode it only plugs the guests' taps into {b.bridge}: the host's bridge with the "
                      "physical NIC, set up by the system's network configuration")
    for b in right:
        if text == b.bridge:
            raise ExerciseFailed(f"{text} is the bridge; the question asks for the network that uses it",
                                 hint=f"which network's <bridge name='{text}'/> comes with <forward mode='bridge'/>?")
    if text in byname:
        b = byname[text]
        raise ExerciseFailed(f"'{text}' is in {b.mode} mode: libvirt creates its bridge {b.bridge} when it starts",
                             hint="even an isolated network gets a bridge made by libvirt; look for mode='bridge'")
    raise ExerciseFailed(f"there is no network '{text}'", hint="conn.net_list(all=True) lists them")
