"""Lesson 4 checks: virtual network modes (虚拟网络组网模式) and a network's subnet and DHCP range.

- :func:`check_modes`: which of the five network modes the course uses fits each scenario (nat, route, open
  and bridge are ``<forward mode=…>`` values; isolated is a network without ``<forward>``).
- :func:`check_dhcp_network`: the network ``lab`` as libvirt holds it — its subnet, gateway and DHCP
  range; when libvirt refused it, the attempted XML says which address lies outside which subnet.
- :func:`check_start_line`: the virsh line that starts, of four waiting networks (:func:`define_candidates`),
  the one whose mode fits a situation. The mode is read from libvirt before the line runs (a wrong
  network is not started), then the line runs on your connection and the network is read back.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping

from lxml import etree

from ..concepts.bridges import libvirt_bridge
from ..errors import KvmlabError, NotFound
from ..specs.network import NetworkSpec
from ..specs.parser import xml_parser
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, choose, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["MODES", "SCENARIOS", "check_modes", "check_dhcp_network", "TASK", "CANDIDATES", "START_TASK",
           "define_candidates", "check_start_line"]  # fmt: skip

MODES = ("nat", "route", "open", "isolated", "bridge")

# scenario -> (the situation, the mode that fits)
SCENARIOS: dict[str, tuple[str, str]] = N_({
    "internet": ("guests must reach the internet, the host has one address on the LAN, and nobody on the "
                 "LAN may open connections to the guests", "nat"),
    "lab_only": ("a test network: guests talk to each other and to the host, and nothing may leave it",
                 "isolated"),
    "office_lan": ("guests must sit on the office LAN like physical PCs and get their addresses from the "
                   "office's DHCP server", "bridge"),
    "routed": ("the office router has a route to 192.168.200.0/24 via this host; LAN machines must reach "
               "the guests at their own addresses", "route"),
    "own_firewall": ("like the routed case, but the host's firewall is managed by another tool and libvirt "
                     "must not add any rules", "open"),
})  # fmt: skip

# (scenario, wrong mode) -> why not; a missing pair falls back to _WRONG_MODE.
_HINTS = N_({
    ("internet", "route"): "routed packets keep the guests' private addresses: the LAN's router has no "
    "route back to them. Which mode rewrites them to the host's address?",
    ("internet", "bridge"): "a bridged guest is a LAN machine: anyone on the LAN can connect to it",
    ("internet", "open"): "open forwards without NAT (and without libvirt's firewall): replies would need a "
    "route back to the guests' subnet",
    ("internet", "isolated"): "isolated forwards nothing: no internet",
    ("lab_only", "nat"): "nat forwards to the outside (through the host's address); this network must not leave",
    ("lab_only", "route"): "route forwards to the outside; the lab must stay closed",
    ("lab_only", "bridge"): "bridge puts the guests on the LAN itself",
    ("lab_only", "open"): "open forwards everything the host's firewall allows",
    ("office_lan", "nat"): "with nat the guests hide behind the host's address on a private subnet; the "
    "office's DHCP server never sees them",
    ("office_lan", "route"): "routed guests live on their own subnet with libvirt's DHCP; the office DHCP "
    "server only serves its own LAN segment",
    ("office_lan", "open"): "open is routed without firewall rules: still a separate subnet",
    ("routed", "nat"): "with nat the LAN sees only the host's address; a route to the guests' subnet "
    "would point at addresses that never appear",
    ("routed", "bridge"): "bridged guests would take addresses on the LAN's own subnet, not 192.168.200.0/24",
    ("routed", "open"): "open would work too, but then libvirt adds no firewall rules at all; the "
    "scenario does not ask to switch them off",
    ("routed", "isolated"): "isolated forwards nothing to or from the LAN",
    ("own_firewall", "route"): "route makes libvirt add its own forward rules; which mode adds none?",
    ("own_firewall", "nat"): "nat needs libvirt's masquerade rules",
    ("own_firewall", "bridge"): "like the routed case the guests keep their own subnet, 192.168.200.0/24, "
    "reached through the host; bridged guests would take addresses on the LAN's own subnet",
    ("own_firewall", "isolated"): "isolated forwards nothing: LAN machines could not reach the guests",
    ("office_lan", "isolated"): "isolated guests never reach the LAN or its DHCP server",
})
_WRONG_MODE = N_("a mode decides which way traffic may cross the host, and with which address the guests appear "
               "outside: their own, the host's, or none")

# scenario -> where in lesson 4 to look (the second rung); the columns of its table of modes.
_TABLE = N_("lesson 4, the table of modes (topology.mode_rows()): ")
_WHERE = N_({
    "internet": "the columns guest → outside and outside → guest",
    "lab_only": "the column guest → outside",
    "office_lan": "the column libvirt makes: which mode uses a bridge that already exists?",
    "routed": "the column outside → guest",
    "own_firewall": "the rows route and open: the same paths, a different column libvirt makes",
})
# A wrong mode whose row differs from the right one only in another column.
_WHERE_PAIR = N_({
    ("routed", "open"): "the rows route and open: the same paths; the column libvirt makes tells them apart",
})

TASK = {"name": "lab", "subnet": "192.168.150.0/24", "gateway": "192.168.150.1",
        "dhcp": ("192.168.150.100", "192.168.150.200"), "mode": "nat"}  # fmt: skip


@graded("4.1", answer=lambda **_: "modes = {\n" + "".join(
    f'    "{key}": "{mode}",\n' for key, (_, mode) in SCENARIOS.items()) + "}   # <forward mode=…/>; isolated: none")
def check_modes(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each key of SCENARIOS to a mode name."""
    expect(isinstance(answers, Mapping), _("answers must be a dict like {example}").format(
           example="{'internet': '…', …}"), hint=_("keys: ") + ", ".join(SCENARIOS))
    missing = [k for k in SCENARIOS if k not in answers]
    expect(not missing, _("no answer for {keys}").format(keys=", ".join(missing)), hint=_("keys: ") + ", ".join(SCENARIOS))
    for key, (situation, right) in SCENARIOS.items():
        got = choose(answers[key], MODES, what=key)
        if got != right:
            raise ExerciseFailed(_("{key}: not {got} — {situation}").format(key=key, got=got, situation=_(situation)),
                                 hint=_(_HINTS.get((key, got), _WRONG_MODE)),
                                 pointer=_(_TABLE) + _(_WHERE_PAIR.get((key, got), _WHERE[key])))
    return Passed(_("every scenario has its mode"),
                  _("nat: out through the host's address; route / open: out with the guests' own addresses"),
                  _("isolated: nothing leaves; bridge: the guests are LAN machines"))


# -- the DHCP range exercise ------------------------------------------------------------------


def _ipv4(root: etree._Element) -> list[etree._Element]:
    return [ip for ip in root.findall("ip") if ip.get("family", "ipv4") == "ipv4"]


def _subnet(ip: etree._Element) -> ipaddress.IPv4Interface | None:
    mask = ip.get("netmask") or ip.get("prefix")
    try:
        return ipaddress.IPv4Interface(f"{ip.get('address')}/{mask}" if mask else ip.get("address", ""))
    except ValueError:
        return None


def _hosts(net: ipaddress.IPv4Network) -> str:
    if net.num_addresses <= 2:
        return f"{net.network_address} - {net.broadcast_address}"
    return f"{net.network_address + 2} - {net.broadcast_address - 1}"


_RANGE_IDEA = N_("dnsmasq hands out addresses on the network's own subnet, the <ip>'s address with its prefix: "
                 "a range from any other subnet is refused")


def _range_problem(ip: etree._Element, iface: ipaddress.IPv4Interface) -> tuple[str, str, str] | None:
    """(what is wrong, the idea, where to look) for the first DHCP range not inside the subnet, else None."""
    net = iface.network
    for rng in ip.findall("dhcp/range"):
        start, end = rng.get("start", ""), rng.get("end", "")
        outside = []
        for label, text in (("start", start), ("end", end)):
            try:
                addr = ipaddress.ip_address(text)
            except ValueError:
                return (_("the DHCP range's {label} '{text}' is not an IP address").format(label=label, text=text),
                        _("a DHCP range is two IPv4 addresses, its first and its last"),
                        _("<range start=… end=…/> inside <dhcp>, with addresses in {hosts}").format(hosts=_hosts(net)))
            if addr not in net:
                outside.append(f"{label} {addr}")
        if outside:
            fields = dict(start=start, end=end, net=net, gateway=iface.ip, prefix=net.prefixlen, netmask=net.netmask)
            if len(outside) == 1:
                what = _("the DHCP range {start} - {end} is outside the subnet {net} (gateway {gateway}, prefix "
                         "{prefix} = netmask {netmask}): {outside} is not in it").format(outside=outside[0], **fields)
            else:
                what = _("the DHCP range {start} - {end} is outside the subnet {net} (gateway {gateway}, prefix "
                         "{prefix} = netmask {netmask}): {first} and {second} are not in it").format(
                             first=outside[0], second=outside[1], **fields)
            return (what, _(_RANGE_IDEA),
                    _("<range start=… end=…/> inside <ip>: use addresses in {hosts}").format(hosts=_hosts(net)))
    return None


def _read_attempt(attempted: Any) -> etree._Element | None:
    if attempted is None:
        return None
    xml = attempted.to_xml() if hasattr(attempted, "to_xml") else attempted
    if not isinstance(xml, str):
        return None
    try:
        root = etree.fromstring(xml.encode(), xml_parser())
    except etree.XMLSyntaxError:
        return None
    return root if root.tag == "network" else None


def _dhcp_answer(**_: Any) -> str:
    net, name = ipaddress.IPv4Network(TASK["subnet"]), TASK["name"]
    return (f'if "{name}" in conn.net_list().names:           # an earlier try, started: stop it\n'
            f'    conn.net_destroy("{name}")                  # virsh net-destroy {name}\n'
            f'if "{name}" in conn.net_list(all=True).names:   # an earlier try, defined: libvirt keeps it\n'
            f'    conn.net_undefine("{name}")                 # virsh net-undefine {name}\n'
            f'lab = """<network>\n  <name>{name}</name>\n  <forward mode=\'{TASK["mode"]}\'/>\n'
            "  <bridge name='virbr10'/>\n"
            f"  <ip address='{TASK['gateway']}' prefix='{net.prefixlen}'>\n    <dhcp>\n"
            f"      <range start='{TASK['dhcp'][0]}' end='{TASK['dhcp'][1]}'/>\n    </dhcp>\n  </ip>\n"
            '</network>"""   # prefix 24: the first three numbers stay fixed\n'
            f"conn.net_define(lab)   # virsh net-define {name}.xml\n"
            f'# as a spec: lab = NetworkSpec(name="{name}", mode="{TASK["mode"]}", bridge="virbr10"); '
            f'lab.add_ip("{TASK["subnet"]}", dhcp=("{TASK["dhcp"][0]}", "{TASK["dhcp"][1]}"))')


_REDEFINE = N_("; to try again: conn.net_undefine(\"{name}\") first (virsh net-undefine {name}), then define the fixed "
               "network: libvirt refuses a second '{name}' without the first one's UUID")
_GATEWAY_IDEA = N_("the <ip address> is the host's own address on the bridge, the guests' gateway; a subnet's first "
                   "address (its host bits all 0) names the subnet itself and belongs to no host")


@graded("4.2", answer=_dhcp_answer)
def check_dhcp_network(conn: Any, attempted: Any = None, task: Mapping[str, Any] = TASK) -> Passed:
    """The network ``task['name']`` as libvirt holds it: mode, subnet, gateway and DHCP range.

    ``attempted`` (a NetworkSpec or XML) is what you tried to define: when libvirt holds no such
    network, it is read to tell you why libvirt refused it.
    """
    name, want_net = task["name"], ipaddress.IPv4Network(task["subnet"])
    first, last = task["dhcp"]
    try:
        xml = conn.net_dumpxml(name).xml  # what libvirt holds, not what the notebook has
    except NotFound:
        expect(attempted is not None, _("attempted: no answer yet (libvirt has no network '{name}')").format(
               name=name), hint=_("lab = the network's XML (or a NetworkSpec) you wrote from TASK, defined on conn"),
               untried=True)
        root = _read_attempt(attempted)
        if root is not None:
            for ip in _ipv4(root):
                iface = _subnet(ip)
                if iface and iface.network.prefixlen < 31 and iface.ip == iface.network.network_address:
                    raise ExerciseFailed(_("libvirt has no network '{name}': kvmlab refused the definition because "
                                           "the <ip address> {address} is the network address of {subnet}, "
                                           "not a host's").format(name=name, address=iface.ip, subnet=iface.network),
                                         hint=_(_GATEWAY_IDEA),
                                         pointer=_("<ip address=…>: the task's gateway is {gateway}").format(
                                             gateway=task["gateway"]))
                problem = iface and _range_problem(ip, iface)
                if problem:
                    raise ExerciseFailed(_("libvirt has no network '{name}': it refused the definition because "
                                           "{problem}").format(name=name, problem=problem[0]), hint=problem[1],
                                         pointer=problem[2] + _("; the task asks for {first} - {last}").format(
                                             first=first, last=last))
            if (root.findtext("name") or "").strip() == name:
                raise ExerciseFailed(_("your spec describes '{name}', but libvirt has no network '{name}': it was "
                                       "never defined").format(name=name),
                                     hint=_("a spec is only XML in the notebook: libvirt knows a network once that "
                                            "XML is defined (registered) on the connection"),
                                     pointer=_("virsh net-define FILE: conn.net_define with your spec (or its XML)"))
        raise ExerciseFailed(_("libvirt has no network '{name}'").format(name=name),
                             hint=_("a network exists for libvirt once its XML is defined (registered); "
                                    "a refused definition leaves nothing behind"),
                             pointer=_("virsh net-define FILE (conn.net_define with a NetworkSpec or XML); "
                                       "if libvirt refused it, its second error line says why"))  # fmt: skip
    except KvmlabError as err:  # any other refusal: say so, do not hide it
        raise ExerciseFailed(_("could not read network '{name}': {message}").format(name=name, message=err.message),
                             hint=err.hint) from err
    root = etree.fromstring(xml.encode(), xml_parser())
    redo = _(_REDEFINE).format(name=name)  # a practical step, not the answer: every failure below says it
    ips = _ipv4(root)
    expect(ips, _("network '{name}' has no IPv4 <ip>").format(name=name) + redo,
           hint=_("the <ip> is the host's address on the bridge (the guests' gateway) and where DHCP lives: "
                  "without it the guests get no address"),
           pointer=_("<ip address=… prefix=…> with <dhcp><range …/></dhcp> inside (IpSpec)"))
    iface = _subnet(ips[0])
    expect(iface is not None, _("the <ip> of '{name}' has no valid address/netmask").format(name=name) + redo,
           hint=_("an <ip> needs the host's address and the subnet's size (a netmask or a prefix)"),
           pointer=_("<ip address=… netmask=…> or <ip address=… prefix=…>"))
    if iface.network != want_net:
        have = iface.network
        if have.prefixlen != want_net.prefixlen:
            why = _("prefix {prefix} (netmask {netmask}) makes it {have}").format(
                prefix=have.prefixlen, netmask=have.netmask, have=have)
        else:
            why = _("the gateway {gateway} puts it in {have}").format(gateway=iface.ip, have=have)
        raise ExerciseFailed(_("the subnet of '{name}' is {have}, the task asks for {want}: {why}").format(
                                 name=name, have=have, want=want_net, why=why) + redo,
                             hint=_("the subnet is the <ip>'s address with its prefix: the prefix counts the bits "
                                    "that stay fixed (24 = the first three numbers, netmask 255.255.255.0)"),
                             pointer=_("<ip address=… prefix=…> (or netmask=…)"))
    expect(str(iface.ip) == task["gateway"], _("the gateway (the host's address) is {gateway}").format(
               gateway=iface.ip) + redo,
           hint=_("the <ip address> is the host's own address on the bridge: the guests' gateway, and the task "
                  "names it"),
           pointer=_("<ip address=…>: the task's gateway is {gateway}").format(gateway=task["gateway"]))
    problem = _range_problem(ips[0], iface)  # libvirt refuses these, but say it precisely if one slips in
    if problem:
        raise ExerciseFailed(problem[0] + redo, hint=problem[1], pointer=problem[2])
    ranges = [(r.get("start"), r.get("end")) for r in ips[0].findall("dhcp/range")]
    expect(ranges, _("'{name}' has no DHCP range: guests would get no address").format(name=name) + redo,
           hint=_("dnsmasq hands out addresses only from a DHCP range of the <ip>"),
           pointer=_("<dhcp><range start=… end=…/></dhcp> inside <ip> (IpSpec.ranges, DhcpRange)"))
    expect(ranges == [(first, last)], _("the DHCP range is {ranges}").format(
               ranges=", ".join(f"{s} - {e}" for s, e in ranges)) + redo,
           hint=_("the range's first and last address decide which addresses dnsmasq hands out"),
           pointer=_("<range start=… end=…/>: the task asks for exactly {first} - {last}").format(first=first, last=last))
    forward = root.find("forward")
    mode = "isolated" if forward is None else forward.get("mode", "nat")
    expect(mode == task["mode"], _("'{name}' is in {mode} mode").format(name=name, mode=mode) + redo,
           hint=_("a network's mode is its <forward mode=…/> element (an isolated network has none)"),
           pointer=_("the task asks for {mode}: NetworkSpec(mode=…) writes <forward mode=…/>").format(mode=task["mode"]))
    return Passed(_("network '{name}': {subnet}, gateway {gateway}, DHCP {first} - {last}").format(
                      name=name, subnet=want_net, gateway=iface.ip, first=first, last=last),
                  _("libvirt accepted it: every DHCP address lies inside the <ip>'s subnet"),
                  _("read back with {command}").format(command=conn.net_dumpxml(name).virsh))


# -- the virsh line that starts the network of the right mode ---------------------------------

# Four networks defined and left inactive, under names that do not give their mode away:
# name -> (mode, bridge, subnet).
CANDIDATES: dict[str, tuple[str, str, str]] = {
    "blue": ("route", "virbr41", "192.168.141.0/24"),
    "green": ("isolated", "virbr42", "192.168.142.0/24"),
    "amber": ("nat", "virbr43", "192.168.143.0/24"),
    "grey": ("open", "virbr44", "192.168.144.0/24"),
}

START_TASK = {
    "situation": N_("a classroom network: the guests download updates from the internet; the school's router has "
                    "no route to the guests' subnet, and nobody outside may open a connection to a guest"),
    "mode": "nat",
}  # fmt: skip

# A candidate in the wrong mode: why it does not fit the classroom.
_WHY_NOT = N_({
    "route": "routed packets leave with the guests' own addresses, and the school's router has no route back to "
             "{subnet}: the replies never arrive",
    "open": "open forwards like route, with the guests' own addresses (and without libvirt's firewall rules): "
            "the replies would need a route back to {subnet} too",
    "isolated": "nothing leaves an isolated network: no updates",
    "bridge": "bridged guests are machines on the LAN: anyone there may open a connection to them",
})  # fmt: skip
_NO_FIT = N_("it does not fit the classroom")

# What each wrong command does instead of starting a defined network.
_NOT_START = N_({
    "net-define": "net-define registers a network from an XML file; these four are registered already, and "
                  "registering starts nothing",
    "net-create": "net-create starts a new, transient network from an XML file; these four are defined already",
    "net-autostart": "net-autostart marks a network to start at every host boot; it does not start it now",
    "net-destroy": "net-destroy stops a running network",
    "net-undefine": "net-undefine deletes a network's definition",
    "net-info": "net-info only reads a network's state",
    "net-dumpxml": "net-dumpxml only prints a network's XML (that is where its mode is)",
    "net-list": "net-list only lists the networks",
    "start": "start boots a VM (a domain); a network's commands all begin with net-",
    "define": "define registers a VM (a domain); a network's commands all begin with net-",
    "create": "create starts a VM (a domain) from XML; a network's commands all begin with net-",
})  # fmt: skip
_NOT_START_OTHER = N_("the four networks are defined and inactive: the task starts one of them now")


def define_candidates(conn: Any) -> Any:
    """Define the four :data:`CANDIDATES` (inactive); one that exists already is left as it is.

    Returns ``net-list --all``, to show them.
    """
    have = set(conn.net_list(all=True).names)
    for name, (mode, bridge, subnet) in CANDIDATES.items():
        if name not in have:
            spec = NetworkSpec(name=name, mode=mode, bridge=bridge)
            spec.add_ip(subnet)
            conn.net_define(spec)
    return conn.net_list(all=True)


def _virsh_says(err: KvmlabError) -> str:
    return _("virsh says: ") + " / ".join(f"error: {e}" for e in err.virsh_error or [err.message])


def _start_answer(**_: Any) -> str:
    (name,) = [n for n, (mode, _, _) in CANDIDATES.items() if mode == START_TASK["mode"]]
    return (f'line = "virsh net-start {name}"   # {name} has <forward mode=\'{START_TASK["mode"]}\'/> '
            "(virsh net-dumpxml " + name + "): out with the host's address, no route back needed")


@graded("4.3", answer=_start_answer)
def check_start_line(conn: Any, line: object) -> Passed:
    """``line``: the virsh command that starts the candidate whose mode fits :data:`START_TASK`.

    The network's mode is read from libvirt first (a network that does not fit is not started);
    then the line runs on ``conn`` as virsh would, and the network is read back.
    """
    inv = virsh_line(line, "virsh COMMAND NETWORK")
    command = inv.command.name
    if command != "net-start":
        raise ExerciseFailed(_("{command} does not start a defined network").format(command=command),
                             hint=_(_NOT_START.get(command, _NOT_START_OTHER)),
                             pointer=_("lesson 4, 'Start one': the form's Define + start runs two virsh commands; "
                                       "the four are defined already, so you need the second"))  # fmt: skip
    target = str(inv.values.get("network"))
    try:
        name = conn.net_info(target).name  # virsh's lookup: a UUID names a network too
    except NotFound as err:
        waiting = target in CANDIDATES
        raise ExerciseFailed(_virsh_says(err) + (_(": the four networks are not defined yet") if waiting else ""),
                             hint=_("the task starts one of the four waiting networks: {names}").format(
                                 names=", ".join(CANDIDATES)),
                             pointer=_("run the cell with lesson04.define_candidates(conn) first") if waiting
                             else _("virsh net-list --all lists them")) from None  # fmt: skip
    except KvmlabError as err:
        raise ExerciseFailed(_virsh_says(err), hint=err.hint) from None
    expect(name in CANDIDATES, _("'{name}' is not one of the four waiting networks").format(name=name),
           hint=_("the task starts one of: {names}").format(names=", ".join(CANDIDATES)),
           pointer=_("virsh net-list --all lists them"))
    net = libvirt_bridge(conn, name)  # its mode as libvirt holds it, read before anything runs
    if net.mode != START_TASK["mode"]:
        subnet = CANDIDATES[name][2]
        element = _("no <forward>") if net.mode == "isolated" else f"<forward mode='{net.mode}'/>"
        raise ExerciseFailed(_("'{name}' is in {mode} mode ({element}): {why}. Nothing was started").format(
                                 name=name, mode=net.mode, element=element,
                                 why=_(_WHY_NOT.get(net.mode, _NO_FIT)).format(subnet=subnet)),
                             hint=_("the school's router knows no way back to the guests' subnet: only a mode that "
                                    "rewrites the guests' addresses to the host's own on the way out gets the replies "
                                    "back, and it lets nobody in"),
                             pointer=_("read <forward mode=…> of each of the four with virsh net-dumpxml NAME; "
                                       "lesson 4's table, columns guest → outside and outside → guest"))  # fmt: skip
    if net.active:
        info = f"virsh net-info {name}: Active: yes, Bridge: {net.bridge}"  # virsh's own lines: not translated
        return Passed(_("'{name}' ({mode}) is running already: this line ran before (a cell run twice)").format(
                          name=name, mode=net.mode), info,
                      _("run again, virsh would say: {said}").format(said=f"error: Failed to start network {name}"))
    result = run_line(conn, inv)
    after = libvirt_bridge(conn, name)
    expect(after.active, _("'{name}' is still inactive").format(name=name), hint=_("net-start should have started it"))
    ran = f"{str(result).strip()}  ({result.virsh}; {'; '.join(result.api)})"  # virsh's output and the calls
    return Passed(_("'{name}' runs: {element}").format(name=name, element=f"<forward mode='{after.mode}'/>"), ran,
                  _("virsh net-info {name}: Active: yes, Bridge: {bridge} (libvirt made it at net-start)").format(
                      name=name, bridge=after.bridge),
                  _("nat: the guests leave with the host's address, so the replies come back without any route to "
                    "{subnet}; from outside, nobody can open a connection to a guest").format(subnet=CANDIDATES[name][2]))
