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
from ..i18n import N_, _
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
    expect(guest in names, _("there is no guest '{guest}'").format(guest=guest),
           hint=_("the task names a guest of this lab"), pointer=_("virsh list --all lists them"))
    expect(guest in running, _("'{guest}' is not running, so it has no tap (no port on any bridge)").format(guest=guest),
           hint=_("a tap exists only while its guest runs: QEMU opens it at start and closes it at stop"),
           pointer=_("virsh start boots a defined guest (lesson 8 has the commands)"))
    for bridge in libvirt_bridges(conn):
        for port in bridge.ports:
            if port.domain == guest:
                return port
    raise ExerciseFailed(_("'{guest}' has no NIC on a libvirt network").format(guest=guest),
                         hint=_("a guest joins a bridge through a network card (an <interface>) in its XML"),
                         pointer=_("the <interface> elements of virsh dumpxml {guest}").format(guest=guest))


def _names(conn: Any) -> tuple[dict[str, str], set[str]]:
    """bridge name -> network name, and every guest tap name."""
    bridges = {b.bridge: b.network for b in libvirt_bridges(conn) if b.bridge}
    taps = {p.tap for b in libvirt_bridges(conn) for p in b.ports if p.tap}
    return bridges, taps


_ASK_THE_NETWORK = N_("the Bridge: line of virsh net-info NETWORK (or <bridge name=…> in its net-dumpxml)")


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
    text = _answer(answer, "bridge", _("conn.dumpxml('{guest}') names the network (<source network=…>); "
                                       "conn.net_info(that network) names its bridge").format(guest=guest))
    port = guest_port(conn, guest)
    right = libvirt_bridge(conn, port.network).bridge if port.network else port.bridge
    if text == right:
        return Passed(_("{guest} is plugged into {bridge}").format(guest=guest, bridge=right),
                      _("its <interface type='network'> names the network '{network}'; "
                        "libvirt made that network's bridge {bridge}").format(network=port.network, bridge=right),
                      _("a bridge is a switch in the host kernel: every guest of the network is a port of it"))
    bridges, taps = _names(conn)
    if text == port.network:
        raise ExerciseFailed(_("'{text}' is the libvirt network, not the Linux bridge").format(text=text),
                             hint=_("a libvirt network is libvirt's object; the bridge is the switch in the host "
                                    "kernel that the network makes, with an interface name of its own"),
                             pointer=_(_ASK_THE_NETWORK))  # fmt: skip
    if text == port.tap or text in taps or _QEMU_TAP.fullmatch(text):
        raise ExerciseFailed(_("'{text}' is a tap name: a guest's own port on the bridge, not the bridge itself")
                             .format(text=text),
                             hint=_("the bridge is the switch all the taps plug into; the network knows it"),
                             pointer=_(_ASK_THE_NETWORK))
    if _MAC.match(text):
        raise ExerciseFailed(_("{text} is a MAC address (the guest NIC's hardware address)").format(text=text),
                             hint=_("the bridge is an interface of the host, with an interface name"),
                             pointer=_(_ASK_THE_NETWORK))
    if text in bridges:
        raise ExerciseFailed(_("{text} is the bridge of network '{network}'").format(text=text, network=bridges[text]),
                             hint=_("the guest's card chooses its network, and the network brings its bridge"),
                             pointer=_("<source network=…> inside <interface> of virsh dumpxml {guest}; then ")
                                     .format(guest=guest) + _(_ASK_THE_NETWORK))  # fmt: skip
    if text.startswith("eth") or text.startswith("ens"):
        raise ExerciseFailed(_("{text} looks like a NIC name seen inside a machine").format(text=text),
                             hint=_("inside the guest its card may be eth0; on the host it is a tap on a bridge"),
                             pointer=_(_ASK_THE_NETWORK))
    raise ExerciseFailed(_("'{text}' is not a bridge of any network here").format(text=text),
                         hint=_("the bridge belongs to the network the guest's card is on"),
                         pointer=_(_ASK_THE_NETWORK))


_TARGET = N_("<target dev=…/> inside <interface> of virsh dumpxml {guest} (the live XML: the guest runs)")


@graded("5.2", answer='conn.dumpxml("$guest", xpath="/domain/devices/interface/target")   '
                      "# virsh dumpxml $guest: <target dev='testnet0'/> (vnet0, vnet1 … under QEMU)\n"
                      'tap = "testnet0"')
def check_tap(conn: Any, answer: object, guest: str = "web01") -> Passed:
    """``answer``: the host-side device of ``guest``'s NIC (its ``<target dev=…>``)."""
    text = _answer(answer, "tap", _("conn.dumpxml('{guest}'): look inside <interface> for <target dev=…/>")
                   .format(guest=guest))
    port = guest_port(conn, guest)
    where = _(_TARGET).format(guest=guest)
    if text == port.tap:
        same = [p.domain for b in libvirt_bridges(conn) for p in b.ports if p.tap == text and p.domain != guest]
        notes = [_("libvirt names the host side of {guest}'s NIC {text} in <target dev='{text}'/>").format(
                     guest=guest, text=text),
                 _("QEMU holds the tap's file descriptor; the kernel treats it as a port of the bridge")]
        if same:
            notes.append(_("{others} also shows {text}: the test driver numbers taps per guest. On a "
                           "real host names are unique: QEMU's driver hands out vnet0, vnet1, …").format(
                               others=", ".join(same), text=text))
        return Passed(_("{guest}'s tap is {text}").format(guest=guest, text=text), *notes)
    bridges, _taps = _names(conn)
    if text in bridges:
        raise ExerciseFailed(_("{text} is a bridge (the switch), not {guest}'s port on it").format(text=text, guest=guest),
                             hint=_("each running guest's card has its own port on the switch: a tap device"),
                             pointer=where)
    if _MAC.match(text):
        raise ExerciseFailed(_("{text} is the NIC's MAC address (<mac address=…/>)").format(text=text),
                             hint=_("the host-side device is an interface of the host, with an interface name"),
                             pointer=where)
    if text == port.network:
        raise ExerciseFailed(_("'{text}' is the network the NIC is on (<source network=…/>)").format(text=text),
                             hint=_("the network is where the card is plugged in; the tap is the card's own port"),
                             pointer=where)
    if _QEMU_TAP.fullmatch(text):
        raise ExerciseFailed(_("'{text}' is not {guest}'s tap here: vnet0, vnet1 … is how QEMU's driver names taps "
                               "on a real host, and this lab's test driver names them differently").format(
                                 text=text, guest=guest),
                             hint=_("libvirt names the tap when the guest starts and writes the name into the "
                                    "guest's live XML: read it there, whatever the driver"),
                             pointer=where)
    if re.fullmatch(r"[vsh]d[a-z]+", text):
        raise ExerciseFailed(_("{text} is a disk's target (<disk> … <target dev='{text}'/>)").format(text=text),
                             hint=_("disks and network cards both have a <target>; the tap is the network card's"),
                             pointer=where)
    if text.startswith("eth") or text.startswith("ens"):
        raise ExerciseFailed(_("{text} is how a NIC is named inside a machine").format(text=text),
                             hint=_("the host side of a guest's NIC is a tap named by libvirt, not by the guest"),
                             pointer=where)
    raise ExerciseFailed(_("'{text}' is not {guest}'s tap").format(text=text, guest=guest),
                         hint=_("libvirt names the tap while the guest runs, in the guest's own XML"), pointer=where)


@graded("5.3", answer='conn.net_dumpxml("host-bridge", xpath="/network/forward/@mode")   '
                      "# virsh net-dumpxml host-bridge: <forward mode='bridge'/> <bridge name='br0'/>\n"
                      'existing = "host-bridge"')
def check_existing_bridge(conn: Any, answer: object) -> Passed:
    """``answer``: the network whose bridge libvirt does not create (it must already exist)."""
    text = _answer(answer, "network", _("conn.net_dumpxml(name) for each network: look at <forward mode=…>"))
    nets = libvirt_bridges(conn)
    byname = {b.network: b for b in nets}
    right = [b for b in nets if b.mode == "bridge"]
    expect(right, _("no network here is in bridge mode"), hint=_("this check needs the embedded lab's host-bridge"))
    if text in {b.network for b in right}:
        b = byname[text]
        return Passed(_("{text}: <forward mode='bridge'/> joins the existing bridge {bridge}").format(
                          text=text, bridge=b.bridge),
                      _("libvirt creates the bridge virbrN for nat, route, open and isolated networks (plus a "
                        "gateway address when the XML has <ip>, and DHCP when it has <dhcp>)"),
                      _("in bridge mode it only plugs the guests' taps into {bridge}: the host's bridge with the "
                        "physical NIC, set up by the system's network configuration").format(bridge=b.bridge))
    for b in right:
        if text == b.bridge:
            raise ExerciseFailed(_("{text} is the bridge; the question asks for the network that uses it").format(
                                     text=text),
                                 hint=_("a network and its bridge have different names: the answer is the network"),
                                 pointer=_("the network whose XML has <bridge name='{text}'/>").format(text=text))
    if text in byname:
        b = byname[text]
        raise ExerciseFailed(_("'{text}' is in {mode} mode: libvirt creates its bridge {bridge} when it starts")
                             .format(text=text, mode=b.mode, bridge=b.bridge),
                             hint=_("libvirt creates the bridge of every nat, route, open and isolated network "
                                    "(even an isolated one) when it starts"),
                             pointer=_("<forward mode=…> in each network's virsh net-dumpxml"))
    raise ExerciseFailed(_("there is no network '{text}'").format(text=text),
                         hint=_("the answer is the name of a libvirt network"),
                         pointer=_("virsh net-list --all lists them"))


# -- which network a new guest's card names ---------------------------------------------------

_UUID = "5a1e0b5e-0503-4c3a-9e15-0000000000a3"  # fixed: defining web03 again replaces its definition

# What each wrong command does instead of registering a VM from a file without starting it.
_NOT_DEFINE = N_({
    "create": "create boots the VM from the file and keeps no definition: once it stops, libvirt forgets it "
              "(a transient VM). The task registers web03 and does not start it",
    "start": "start boots a VM libvirt knows already; web03 is new: it is registered from its file first",
    "net-define": "net-define registers a network; web03.xml describes a VM (a <domain>)",
    "net-create": "net-create starts a network; web03.xml describes a VM (a <domain>)",
    "net-start": "net-start starts a network; the network a card joins is chosen in the VM's own XML",
    "edit": "edit changes a VM libvirt knows already; web03 is new",
    "dumpxml": "dumpxml only prints a VM's XML",
    "dominfo": "dominfo only reads a VM's state",
})  # fmt: skip
_NOT_DEFINE_OTHER = N_("registering a VM keeps its XML in libvirt and starts nothing, as net-define does for a network")


def web03_xml(network: str, guest: str = "web03") -> str:
    """The new guest's XML: one card, ``<interface type='network'><source network=NETWORK/>``."""
    if not isinstance(network, str) or not network.strip():
        raise InvalidInput(_("the network must be a name, not {network}").format(network=repr(network)),
                           hint=_('give the network\'s name as a string, e.g. web03_xml("default")'))
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
    chosen = _answer(network, "network", _("the name of the libvirt network whose bridge is {bridge}").format(
                     bridge=bridge))
    inv = virsh_line(line, "virsh COMMAND FILE")
    nets = {b.network: b for b in libvirt_bridges(conn)}
    by_bridge = {b.bridge: b.network for b in nets.values() if b.bridge}
    expect(bridge in by_bridge, _("no network here has the bridge {bridge}").format(bridge=bridge),
           hint=_("this check needs the embedded lab's networks"))
    ask = _("virsh net-info NAME prints a network's Bridge: line; virsh net-list --all lists the networks")
    if chosen not in nets:
        if chosen in by_bridge:
            raise ExerciseFailed(_("'{chosen}' is the name of a bridge: <source network='{chosen}'/> names a "
                                   "libvirt network, and there is none by that name").format(chosen=chosen),
                                 hint=_("a guest's card names its network, and the network names its bridge"),
                                 pointer=ask)  # fmt: skip
        raise ExerciseFailed(_("there is no network '{text}'").format(text=chosen),
                             hint=_("a card joins a libvirt network by its name"),
                             pointer=ask)
    if nets[chosen].bridge != bridge:
        have = nets[chosen].bridge or _("no bridge")
        raise ExerciseFailed(_("the network '{chosen}' has the bridge {have}, not {bridge}: a card on it joins {have}")
                             .format(chosen=chosen, have=have, bridge=bridge),
                             hint=_("the network decides the bridge: each network has its own (<bridge name=…>)"),
                             pointer=ask)  # fmt: skip
    command = inv.command.name
    if command != "define":
        raise ExerciseFailed(_("{command} does not register {guest} from its file without starting it").format(
                                 command=command, guest=guest),
                             hint=_(_NOT_DEFINE.get(command, _NOT_DEFINE_OTHER)),
                             pointer=_("lesson 4 registered a network from XML with net-define: a VM's command has "
                                       "the same name without net-"))  # fmt: skip
    file = str(inv.values.get("file"))
    expect(os.path.basename(file) == f"{guest}.xml" and os.path.dirname(file) in ("", "."),
           _("the line reads '{file}'; the check writes {guest}'s XML to {guest}.xml in the directory the line runs in")
           .format(file=file, guest=guest),
           hint=_("virsh reads the XML from the file the line names"),
           pointer=_("name the file {guest}.xml").format(guest=guest))
    if guest in conn.list(all=True).names and _card_network(conn, guest) == chosen:
        return Passed(_("{guest} is registered already with its card on {chosen} (a cell run twice)").format(
                          guest=guest, chosen=chosen),
                      _("<source network='{chosen}'/>: virsh net-info {chosen} prints Bridge: {bridge}").format(
                          chosen=chosen, bridge=bridge))
    with _in_scratch(f"{guest}.xml", web03_xml(chosen, guest)):
        result = run_line(conn, inv)
    now = _card_network(conn, guest)  # read back: the definition libvirt keeps
    expect(now == chosen, _("{guest}'s card names '{now}' in libvirt").format(guest=guest, now=now),
           hint=_("define should have registered {chosen}").format(chosen=chosen))
    state = conn.dominfo(guest).state
    ran = f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"  # virsh's output and the calls
    read = (f"virsh dumpxml --inactive {guest}: <source network='{chosen}'/>; "  # virsh's own lines
            f"virsh net-info {chosen}: Bridge: {bridge}")
    return Passed(_("{guest}'s card joins {bridge}: {element}").format(
                      guest=guest, bridge=bridge, element=f"<source network='{chosen}'/>"), ran, read,
                  _("{guest} is {state}: it has no tap yet. When it starts, libvirt plugs a new tap into {bridge} "
                    "(exercise 5.2 reads it from <target dev=…/>)").format(guest=guest, state=state, bridge=bridge))
