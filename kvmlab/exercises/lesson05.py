"""Lesson 5 checks: virtual bridges (虚拟网桥) — the switch, its ports, and who creates it.

- :func:`check_bridge`: the Linux bridge a guest's NIC is plugged into (e.g. ``virbr0``).
- :func:`check_tap`: the host-side device of that NIC (the bridge port: ``vnet0``, ``testnet0`` …).
- :func:`check_existing_bridge`: the network whose bridge libvirt does not create.
- :func:`check_nic_network`: the network a new guest's card must name to join a given bridge, and the
  virsh line that registers the guest; the line runs on your connection, then the guest is read back.

Every right answer is read from libvirt (``dumpxml``, ``net-dumpxml``), never written in here.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from typing import Any, Iterator

from lxml import etree

from ..concepts.bridges import Port, libvirt_bridge, libvirt_bridges
from ..errors import InvalidInput
from ..specs.domain import DomainSpec
from ..specs.parser import xml_parser
from .checks import ExerciseFailed, Passed, answered, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["check_bridge", "check_tap", "check_existing_bridge", "check_nic_network", "guest_port", "web03_xml"]

_MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$", re.I)
_QEMU_TAP = re.compile(r"vnet\d+")  # QEMU's driver on a real host; the test driver names taps otherwise

# The embedded lab's bridges and their networks: only for the answers shown by show_answer();
# every check reads the real ones from libvirt.
_EMBEDDED = {"virbr0": "default", "virbr1": "isolated", "virbr2": "routed", "br0": "host-bridge"}


def _answer(answer: object, what: str, how: str) -> str:
    return answered(answer, what, how)


def guest_port(conn: Any, guest: str) -> Port:
    """The first network NIC of a running ``guest`` as libvirt describes it (tap, MAC, network)."""
    names, running = conn.list(all=True).names, conn.list().names
    expect(guest in names, f"there is no guest '{guest}'", hint="the task names a guest of this lab",
           pointer="virsh list --all lists them")
    expect(guest in running, f"'{guest}' is not running, so it has no tap (no port on any bridge)",
           hint="a tap exists only while its guest runs: QEMU opens it at start and closes it at stop",
           pointer="virsh start boots a defined guest (lesson 8 has the commands)")
    for bridge in libvirt_bridges(conn):
        for port in bridge.ports:
            if port.domain == guest:
                return port
    raise ExerciseFailed(f"'{guest}' has no NIC on a libvirt network",
                         hint="a guest joins a bridge through a network card (an <interface>) in its XML",
                         pointer=f"the <interface> elements of virsh dumpxml {guest}")


def _names(conn: Any) -> tuple[dict[str, str], set[str]]:
    """bridge name -> network name, and every guest tap name."""
    bridges = {b.bridge: b.network for b in libvirt_bridges(conn) if b.bridge}
    taps = {p.tap for b in libvirt_bridges(conn) for p in b.ports if p.tap}
    return bridges, taps


_ASK_THE_NETWORK = "the Bridge: line of virsh net-info NETWORK (or <bridge name=…> in its net-dumpxml)"


def _bridge_answer(guest: str = "web01", **_: Any) -> str:
    network = "default" if guest in ("web01", "db01") else "NETWORK"
    bridge = {v: k for k, v in _EMBEDDED.items()}.get(network, "…")
    return (f'conn.dumpxml("{guest}", xpath="/domain/devices/interface/source")   '
            f"# virsh dumpxml {guest}: <source network='{network}'/>\n"
            f'conn.net_info("{network}").bridge   # virsh net-info {network}: Bridge: {bridge}\n'
            f'bridge = "{bridge}"')


@graded("5.1", answer=_bridge_answer)
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
                             hint="a libvirt network is libvirt's object; the bridge is the switch in the host "
                                  "kernel that the network makes, with an interface name of its own",
                             pointer=_ASK_THE_NETWORK)  # fmt: skip
    if text == port.tap or text in taps or _QEMU_TAP.fullmatch(text):
        raise ExerciseFailed(f"'{text}' is a tap name: a guest's own port on the bridge, not the bridge itself",
                             hint="the bridge is the switch all the taps plug into; the network knows it",
                             pointer=_ASK_THE_NETWORK)
    if _MAC.match(text):
        raise ExerciseFailed(f"{text} is a MAC address (the guest NIC's hardware address)",
                             hint="the bridge is an interface of the host, with an interface name",
                             pointer=_ASK_THE_NETWORK)
    if text in bridges:
        raise ExerciseFailed(f"{text} is the bridge of network '{bridges[text]}'",
                             hint="the guest's card chooses its network, and the network brings its bridge",
                             pointer=f"<source network=…> inside <interface> of virsh dumpxml {guest}; then "
                                     + _ASK_THE_NETWORK)  # fmt: skip
    if text.startswith("eth") or text.startswith("ens"):
        raise ExerciseFailed(f"{text} looks like a NIC name seen inside a machine",
                             hint="inside the guest its card may be eth0; on the host it is a tap on a bridge",
                             pointer=_ASK_THE_NETWORK)
    raise ExerciseFailed(f"'{text}' is not a bridge of any network here",
                         hint="the bridge belongs to the network the guest's card is on",
                         pointer=_ASK_THE_NETWORK)


_TARGET = "<target dev=…/> inside <interface> of virsh dumpxml {guest} (the live XML: the guest runs)"


@graded("5.2", answer='conn.dumpxml("$guest", xpath="/domain/devices/interface/target")   '
                      "# virsh dumpxml $guest: <target dev='testnet0'/> (vnet0, vnet1 … under QEMU)\n"
                      'tap = "testnet0"')
def check_tap(conn: Any, answer: object, guest: str = "web01") -> Passed:
    """``answer``: the host-side device of ``guest``'s NIC (its ``<target dev=…>``)."""
    text = _answer(answer, "tap", f"conn.dumpxml('{guest}'): look inside <interface> for <target dev=…/>")
    port = guest_port(conn, guest)
    where = _TARGET.format(guest=guest)
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
                             hint="each running guest's card has its own port on the switch: a tap device",
                             pointer=where)
    if _MAC.match(text):
        raise ExerciseFailed(f"{text} is the NIC's MAC address (<mac address=…/>)",
                             hint="the host-side device is an interface of the host, with an interface name",
                             pointer=where)
    if text == port.network:
        raise ExerciseFailed(f"'{text}' is the network the NIC is on (<source network=…/>)",
                             hint="the network is where the card is plugged in; the tap is the card's own port",
                             pointer=where)
    if _QEMU_TAP.fullmatch(text):
        raise ExerciseFailed(f"'{text}' is not {guest}'s tap here: vnet0, vnet1 … is how QEMU's driver names taps "
                             "on a real host, and this lab's test driver names them differently",
                             hint="libvirt names the tap when the guest starts and writes the name into the "
                                  "guest's live XML: read it there, whatever the driver",
                             pointer=where)
    if re.fullmatch(r"[vsh]d[a-z]+", text):
        raise ExerciseFailed(f"{text} is a disk's target (<disk> … <target dev='{text}'/>)",
                             hint="disks and network cards both have a <target>; the tap is the network card's",
                             pointer=where)
    if text.startswith("eth") or text.startswith("ens"):
        raise ExerciseFailed(f"{text} is how a NIC is named inside a machine",
                             hint="the host side of a guest's NIC is a tap named by libvirt, not by the guest",
                             pointer=where)
    raise ExerciseFailed(f"'{text}' is not {guest}'s tap",
                         hint="libvirt names the tap while the guest runs, in the guest's own XML", pointer=where)


@graded("5.3", answer='conn.net_dumpxml("host-bridge", xpath="/network/forward/@mode")   '
                      "# virsh net-dumpxml host-bridge: <forward mode='bridge'/> <bridge name='br0'/>\n"
                      'existing = "host-bridge"')
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
                      "libvirt creates the bridge virbrN for nat, route, open and isolated networks (plus a "
                      "gateway address when the XML has <ip>, and DHCP when it has <dhcp>)",
                      f"in bridge mode it only plugs the guests' taps into {b.bridge}: the host's bridge with the "
                      "physical NIC, set up by the system's network configuration")
    for b in right:
        if text == b.bridge:
            raise ExerciseFailed(f"{text} is the bridge; the question asks for the network that uses it",
                                 hint="a network and its bridge have different names: the answer is the network",
                                 pointer=f"the network whose XML has <bridge name='{text}'/>")
    if text in byname:
        b = byname[text]
        raise ExerciseFailed(f"'{text}' is in {b.mode} mode: libvirt creates its bridge {b.bridge} when it starts",
                             hint="libvirt creates the bridge of every nat, route, open and isolated network "
                                  "(even an isolated one) when it starts",
                             pointer="<forward mode=…> in each network's virsh net-dumpxml")
    raise ExerciseFailed(f"there is no network '{text}'", hint="the answer is the name of a libvirt network",
                         pointer="virsh net-list --all lists them")


# -- which network a new guest's card names ---------------------------------------------------

_UUID = "5a1e0b5e-0503-4c3a-9e15-0000000000a3"  # fixed: defining web03 again replaces its definition

# What each wrong command does instead of registering a VM from a file without starting it.
_NOT_DEFINE = {
    "create": "create boots the VM from the file and keeps no definition: once it stops, libvirt forgets it "
              "(a transient VM). The task registers web03 and does not start it",
    "start": "start boots a VM libvirt knows already; web03 is new: it is registered from its file first",
    "net-define": "net-define registers a network; web03.xml describes a VM (a <domain>)",
    "net-create": "net-create starts a network; web03.xml describes a VM (a <domain>)",
    "net-start": "net-start starts a network; the network a card joins is chosen in the VM's own XML",
    "edit": "edit changes a VM libvirt knows already; web03 is new",
    "dumpxml": "dumpxml only prints a VM's XML",
    "dominfo": "dominfo only reads a VM's state",
}  # fmt: skip


def web03_xml(network: str, guest: str = "web03") -> str:
    """The new guest's XML: one card, ``<interface type='network'><source network=NETWORK/>``."""
    if not isinstance(network, str) or not network.strip():
        raise InvalidInput(f"the network must be a name, not {network!r}",
                           hint='give the network\'s name as a string, e.g. web03_xml("default")')
    spec = DomainSpec(name=guest, uuid=_UUID, memory="256MiB", vcpus=1)
    spec.add_interface(network)
    return spec.to_xml()


@contextlib.contextmanager
def _in_scratch(name: str, text: str) -> Iterator[str]:
    """Write ``text`` to ``name`` in an empty directory and work there, as virsh would in a shell."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="kvmlab-ex5-") as tmp:
        with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
            f.write(text)
        os.chdir(tmp)
        try:
            yield tmp
        finally:
            os.chdir(here)


def _card_network(conn: Any, guest: str) -> str | None:
    """``<source network=…>`` of ``guest``'s first card in the definition libvirt keeps, or None."""
    root = etree.fromstring(conn.dumpxml(guest, inactive=True).xml.encode(), xml_parser())
    nic = root.find("devices/interface[@type='network']/source")
    return None if nic is None else nic.get("network")


def _nic_answer(bridge: str = "virbr2", guest: str = "web03", **_: Any) -> str:
    network = _EMBEDDED.get(bridge, "NETWORK")
    return (f'network = "{network}"   # virsh net-info {network}: Bridge: {bridge} (the card names the network, '
            "the network its bridge)\n"
            f'line = "virsh define {guest}.xml"   # registers {guest} from the file without starting it')


@graded("5.4", answer=_nic_answer)
def check_nic_network(conn: Any, line: object, network: object, guest: str = "web03",
                      bridge: str = "virbr2") -> Passed:
    """``network``: what ``guest``'s ``<source network=…/>`` must name for its card to join ``bridge``;
    ``line``: the virsh command that registers ``guest`` from ``{guest}.xml`` without starting it.

    The network is checked against libvirt first (nothing runs for a wrong one). Then the check writes
    :func:`web03_xml` with that network to ``{guest}.xml`` in an empty directory, runs the line there
    on ``conn`` as virsh would, and reads the guest's card back from libvirt.
    """
    chosen = _answer(network, "network", "the name of the libvirt network whose bridge is " + bridge)
    inv = virsh_line(line, "virsh COMMAND FILE")
    nets = {b.network: b for b in libvirt_bridges(conn)}
    by_bridge = {b.bridge: b.network for b in nets.values() if b.bridge}
    expect(bridge in by_bridge, f"no network here has the bridge {bridge}",
           hint="this check needs the embedded lab's networks")
    ask = "virsh net-info NAME prints a network's Bridge: line; virsh net-list --all lists the networks"
    if chosen not in nets:
        if chosen in by_bridge:
            raise ExerciseFailed(f"'{chosen}' is the name of a bridge: <source network='{chosen}'/> names a "
                                 "libvirt network, and there is none by that name",
                                 hint="a guest's card names its network, and the network names its bridge",
                                 pointer=ask)  # fmt: skip
        raise ExerciseFailed(f"there is no network '{chosen}'", hint="a card joins a libvirt network by its name",
                             pointer=ask)
    if nets[chosen].bridge != bridge:
        have = nets[chosen].bridge or "no bridge"
        raise ExerciseFailed(f"the network '{chosen}' has the bridge {have}, not {bridge}: a card on it joins {have}",
                             hint="the network decides the bridge: each network has its own (<bridge name=…>)",
                             pointer=ask)  # fmt: skip
    command = inv.command.name
    if command != "define":
        raise ExerciseFailed(f"{command} does not register {guest} from its file without starting it",
                             hint=_NOT_DEFINE.get(command, "registering a VM keeps its XML in libvirt and starts "
                                                           "nothing, as net-define does for a network"),
                             pointer="lesson 4 registered a network from XML with net-define: a VM's command has "
                                     "the same name without net-")  # fmt: skip
    file = str(inv.values.get("file"))
    expect(os.path.basename(file) == f"{guest}.xml" and os.path.dirname(file) in ("", "."),
           f"the line reads '{file}'; the check writes {guest}'s XML to {guest}.xml in the directory the line runs in",
           hint="virsh reads the XML from the file the line names", pointer=f"name the file {guest}.xml")
    if guest in conn.list(all=True).names and _card_network(conn, guest) == chosen:
        return Passed(f"{guest} is registered already with its card on {chosen} (a cell run twice)",
                      f"<source network='{chosen}'/>: virsh net-info {chosen} prints Bridge: {bridge}")
    with _in_scratch(f"{guest}.xml", web03_xml(chosen, guest)):
        result = run_line(conn, inv)
    now = _card_network(conn, guest)  # read back: the definition libvirt keeps
    expect(now == chosen, f"{guest}'s card names '{now}' in libvirt", hint=f"define should have registered {chosen}")
    state = conn.dominfo(guest).state
    return Passed(f"{guest}'s card joins {bridge}: <source network='{chosen}'/>",
                  f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})",
                  f"virsh dumpxml --inactive {guest}: <source network='{chosen}'/>; "
                  f"virsh net-info {chosen}: Bridge: {bridge}",
                  f"{guest} is {state}: it has no tap yet. When it starts, libvirt plugs a new tap into {bridge} "
                  "(exercise 5.2 reads it from <target dev=…/>)")
