"""Lesson 11 checks: reaching a guest (连接虚拟机).

- :func:`check_address` (11.1): the guest's IP address and MAC, found with a virsh line, checked against
  libvirt's lease (``net-dhcp-leases`` on a real host; on the embedded lab, whose test driver has no
  DHCP, against ``domifaddr``'s answer).
- :func:`check_disk` (11.2): the guest's disk: the name the guest sees it by and the file behind it,
  found with a virsh line, checked against the domain's XML.
- :func:`check_console` (11.3): the serial device the guest's kernel writes its console to (the
  ``console=`` on its ``<cmdline>``, read from libvirt) and the key that leaves ``virsh console``.

Every answer is read back from libvirt: a lease, the domain's XML, its kernel command line.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import libvirt
from lxml import etree

from ..errors import KvmlabError, attempt, libvirt_errors
from ..i18n import N_, _
from ..ops.domain_lookup import lookup_domain
from ..specs.parser import xml_parser
from .checks import ExerciseFailed, Passed, answered, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["GUEST", "check_address", "check_disk", "check_console", "guest_cards", "kernel_console"]

GUEST = "kvmlab-reach"  # the lesson's guest (kvmlab.lab.lesson_guest(conn, GUEST))

_ADDR_CONCEPT = N_("a guest's address is not in its definition: the guest asks for one by DHCP when it boots, and "
                   "the libvirt network's dnsmasq hands it out and records a lease (MAC, address, hostname)")
_ADDR_POINTER = N_("lesson 11, 'Finding the guest's address': virsh domifaddr DOMAIN (it reads the lease) or virsh "
                   "net-dhcp-leases NETWORK (the lease table itself)")
_ADDR_NOT_SHOWN = N_({
    "domiflist": "domiflist lists the guest's cards from its XML (type, network, model, MAC): the XML holds no "
                 "address",
    "dominfo": "dominfo shows the domain's state, CPUs and memory, nothing of its network",
    "dumpxml": "dumpxml prints the domain's XML: its cards' MACs are there, their addresses are not",
    "net-info": "net-info tells whether a network runs; it lists no guest",
    "net-dumpxml": "net-dumpxml prints the network's definition: its DHCP range, not who got which address",
    "domblklist": "domblklist lists disks",
    "domstate": "domstate tells the state only",
})  # fmt: skip
_DISK_CONCEPT = N_("a guest's disks are in its definition: each <disk> pairs a file (or device) on the host with the "
                   "name the guest sees it by")
_DISK_POINTER = N_("lesson 11, 'Its disks': virsh domblklist DOMAIN (Target is the guest's name, Source the host's "
                   "file)")
_CONSOLE_CONCEPT = N_("the serial console works because the guest's kernel is told to write its console to the first "
                      "serial port (a console= argument on its command line), and QEMU connects that port to a pty")
_CONSOLE_POINTER = N_("the domain's <os><cmdline> (virsh dumpxml DOMAIN --xpath //cmdline), or cat /proc/cmdline in "
                      "the guest: the value after console=")
_ESCAPE_CONCEPT = N_("virsh console puts your terminal in raw mode: every key, Ctrl-C and Ctrl-D included, goes to "
                     "the guest; only virsh's escape key ends the session")
_ESCAPE_POINTER = N_("the second line virsh console prints when it connects: 'Escape character is …'")


def _domain(conn: Any, name: str) -> tuple[libvirt.virDomain, etree._Element]:
    api: list[str] = []
    try:
        dom = lookup_domain(conn.virconn, name, api)
    except KvmlabError:
        raise ExerciseFailed(_("libvirt has no domain '{name}'").format(name=name),
                             hint=_("the exercises work on the lesson's guest: run the notebook's first cell, which "
                                    "makes it (kvmlab.lab.lesson_guest)")) from None
    with libvirt_errors():
        root = etree.fromstring(dom.XMLDesc(0).encode(), xml_parser())
    return dom, root


def guest_cards(conn: Any, name: str = GUEST) -> list[tuple[str, str, str, int]]:
    """``(mac, network, address, prefix)`` of each of the guest's cards as libvirt knows them: from the
    network's DHCP leases on a real host, from ``domifaddr`` (its made-up lease) on the test driver."""
    dom, root = _domain(conn, name)
    nets = {m.lower(): n for m, n in ((i.xpath("string(mac/@address)"), i.xpath("string(source/@network)"))
                                      for i in root.xpath("devices/interface"))}  # fmt: skip
    out: list[tuple[str, str, str, int]] = []
    with libvirt_errors():
        test = conn.virconn.getType().lower() == "test"
    if test:
        with libvirt_errors():
            found = dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0) if dom.isActive() else {}
        for card in (found or {}).values():
            mac = (card.get("hwaddr") or "").lower()
            out += [(mac, nets.get(mac, ""), a["addr"], a["prefix"]) for a in card.get("addrs") or []]
        return out
    for network in sorted(set(nets.values()) - {""}):
        net = attempt(conn.virconn.networkLookupByName, network)
        leases = attempt(net.DHCPLeases, None, 0, default=[]) if net is not None else []
        out += [(le["mac"].lower(), network, le["ipaddr"], le["prefix"]) for le in leases or []
                if (le.get("mac") or "").lower() in nets]
    return out


def _network_side(conn: Any, network: str) -> tuple[str, str]:
    """The network's own address (the guests' gateway) and its bridge's MAC, from its XML."""
    net = attempt(conn.virconn.networkLookupByName, network)
    if net is None:
        return "", ""
    with libvirt_errors():
        root = etree.fromstring(net.XMLDesc(0).encode(), xml_parser())
    return str(root.xpath("string(ip/@address)")), str(root.xpath("string(mac/@address)")).lower()


def _text(value: object, what: str, example: str) -> str:
    return answered(value, what, _("write it as text, e.g. {what} = \"{example}\"").format(what=what, example=example))


def _address_answer(name: str = GUEST, **_: Any) -> str:
    return (f'ip_line = "domifaddr {name}"   # virsh domifaddr {name}: Address is IP/prefix\n'
            f"print(conn.virsh(ip_line))\n"
            f"card = conn.domifaddr('{name}').addresses[0]\n"
            f"ip, mac = card.address, card.mac   # or read them off the table above (IP without /24)\n"
            f"# on a real host the lease table shows the same: virsh net-dhcp-leases kvmlab-nat --mac MAC")


@graded("11.1", answer=_address_answer)
def check_address(conn: Any, ip_line: object, ip: object, mac: object, name: str = GUEST) -> Passed:
    """``ip_line`` is a virsh line that shows ``name``'s address; ``ip`` and ``mac`` are its card's
    address (without the prefix) and MAC, as libvirt's lease has them."""
    inv = virsh_line(ip_line, f"virsh COMMAND {name}")
    command = inv.command.name
    if command not in ("domifaddr", "net-dhcp-leases"):
        why = _(_ADDR_NOT_SHOWN[command]) if command in _ADDR_NOT_SHOWN else _("that command shows no guest address")
        raise ExerciseFailed(_("{command}: {why}").format(command=command, why=why), hint=_(_ADDR_CONCEPT),
                             pointer=_(_ADDR_POINTER))
    cards = guest_cards(conn, name)
    expect(cards, _("libvirt knows no address of {name} yet").format(name=name),
           hint=_("a guest has an address once it booted and its DHCP request was answered: is it running?"),
           pointer=_("virsh domstate {name} --reason, then lesson 11's first cell (it waits for the lease)").format(
               name=name))
    if command == "domifaddr":
        asked = attempt(lambda: lookup_domain(conn.virconn, inv.values["domain"], []).name())
        expect(asked == name, _("that line asks about '{asked}', not {name}").format(asked=inv.values["domain"],
                                                                                       name=name),
               hint=_("domifaddr answers for the domain it is given"),
               pointer=_("the domain argument: the lesson's guest is {name} (guest.name)").format(name=name))
    else:
        expect(inv.values["network"] in {c[1] for c in cards},
               _("{name}'s card is on network {network}, not '{asked}'").format(
                   name=name, network=cards[0][1], asked=inv.values["network"]),
               hint=_("a lease lives in the network that handed it out: the one the guest's card is on"),
               pointer=_("virsh domiflist DOMAIN: its Source column names the network"))
    shown = str(run_line(conn, inv))
    ip_text, mac_text = _text(ip, "ip", "192.0.2.10"), _text(mac, "mac", "52:54:00:00:00:00").lower()
    gateway, bridge_mac = _network_side(conn, cards[0][1])
    if "/" in ip_text:
        raise ExerciseFailed(_("ip: {ip} carries the prefix length").format(ip=repr(ip_text)),
                             hint=_("/24 says how big the network is (its netmask), it is not part of the address"),
                             pointer=_("write only the part before the '/'"))
    try:
        ipaddress.ip_address(ip_text)
    except ValueError:
        raise ExerciseFailed(_("ip: {ip} is not an IP address").format(ip=repr(ip_text)),
                             hint=_("an IPv4 address is four numbers 0-255 joined by dots"),
                             pointer=_("the Address (or IP address) column of your line's table")) from None
    if ip_text == gateway:
        raise ExerciseFailed(_("ip: {ip} is the network's own address: the host's side of the bridge, which the "
                               "guests use as their gateway").format(ip=ip_text),
                             hint=_(_ADDR_CONCEPT), pointer=_(_ADDR_POINTER))
    ours = {c[2] for c in cards}
    if ip_text not in ours:
        raise ExerciseFailed(_("ip: libvirt's lease gives {name} another address than {ip}").format(name=name,
                                                                                                    ip=ip_text),
                             hint=_(_ADDR_CONCEPT), pointer=_(_ADDR_POINTER))
    expect(ip_text in shown, _("your line's output does not show {ip}").format(ip=ip_text), hint=_(_ADDR_CONCEPT),
           pointer=_("run the line and read the address it prints"))
    if mac_text == bridge_mac:
        raise ExerciseFailed(_("mac: {mac} is the network's bridge, not the guest's card").format(mac=mac_text),
                             hint=_("each card has its own MAC; the bridge (the host's side) has another"),
                             pointer=_("the MAC address column next to the guest's address"))
    card = next(c for c in cards if c[2] == ip_text)
    expect(mac_text == card[0], _("mac: the card that holds {ip} has another MAC than {mac}").format(ip=ip_text,
                                                                                                     mac=mac_text),
           hint=_("the lease pairs a card's MAC with the address it got"), pointer=_("the same row as the address"))
    where = "net-dhcp-leases" if conn.virconn.getType().lower() != "test" else _("domifaddr (the test driver's lease)")
    return Passed(_("{name} is {address}/{prefix} on {network}, card {mac}").format(
                      name=name, address=card[2], prefix=card[3], network=card[1], mac=card[0]),
                  _("read back from libvirt: {where}").format(where=where),
                  _("your line: virsh {line}").format(line=inv.line))


def _disk_answer(name: str = GUEST, **_: Any) -> str:
    return (f'disk_line = "domblklist {name}"   # virsh domblklist {name}\n'
            f"print(conn.virsh(disk_line))\n"
            f"disk = conn.domblklist('{name}').disks[0]\n"
            f"target, source = disk.target, disk.source   # vda, and the file on the host")


@graded("11.2", answer=_disk_answer)
def check_disk(conn: Any, disk_line: object, target: object, source: object, name: str = GUEST) -> Passed:
    """``disk_line`` lists ``name``'s disks; ``target`` is the name the guest sees its disk by and
    ``source`` the host's file behind it, as the domain's XML has them."""
    inv = virsh_line(disk_line, f"virsh COMMAND {name}")
    command = inv.command.name
    if command != "domblklist":
        what = N_({"domiflist": "domiflist lists network cards, not disks",
                   "dumpxml": "dumpxml shows the disks among everything else; the task wants the command that lists "
                              "them",
                   "vol-list": "vol-list lists a pool's volumes, whether a guest uses them or not"})  # fmt: skip
        why = _(what[command]) if command in what else _("that command does not list a domain's disks")
        raise ExerciseFailed(_("{command}: {why}").format(command=command, why=why),
                             hint=_(_DISK_CONCEPT), pointer=_(_DISK_POINTER))
    asked = attempt(lambda: lookup_domain(conn.virconn, inv.values["domain"], []).name())
    expect(asked == name, _("that line asks about '{asked}', not {name}").format(asked=inv.values["domain"], name=name),
           hint=_("domblklist answers for the domain it is given"),
           pointer=_("the domain argument: the lesson's guest is {name} (guest.name)").format(name=name))
    shown = str(run_line(conn, inv))
    _dom, root = _domain(conn, name)
    disks = [(str(d.xpath("string(target/@dev)")), str(d.xpath("string(source/@file|source/@dev|source/@volume)")))
             for d in root.xpath("devices/disk")]  # fmt: skip
    expect(disks, _("{name} has no disk").format(name=name), hint=_("the lesson's guest has one disk"),
           pointer=_("lesson 11's first cell"))
    t, s = _text(target, "target", "sdz"), _text(source, "source", "/path/to/file")
    targets, sources = {d[0] for d in disks}, {d[1] for d in disks}
    if t in sources and s in targets:
        raise ExerciseFailed(_("target and source are swapped"), hint=_(_DISK_CONCEPT),
                             pointer=_("Target is the guest's name for the disk; Source is the host's file"))
    if t.startswith("/dev/") and t[5:] in targets:
        t = t[5:]  # the guest's /dev/vda is the target vda
    expect(t in targets, _("target: {name}'s disk is not '{target}' for its guest").format(name=name, target=t),
           hint=_(_DISK_CONCEPT),
           pointer=_("the Target column: the name on <target dev=…> (vd… for virtio, sd… for SCSI/SATA)"))
    real = dict(disks)[t]
    if s != real and s == real.rsplit("/", 1)[-1]:
        raise ExerciseFailed(_("source: {source} is the file's name; the host finds it by its whole path").format(
                                 source=repr(s)),
                             hint=_("a <disk>'s source is a path on the host: libvirt hands QEMU exactly that path"),
                             pointer=_("the Source column, the whole path"))
    expect(s == real, _("source: the file behind {target} is not {source}").format(target=t, source=repr(s)),
           hint=_(_DISK_CONCEPT), pointer=_("the Source column, the whole path"))
    expect(t in shown and s in shown, _("your line's output does not show that disk"), hint=_(_DISK_CONCEPT),
           pointer=_("run the line and read its table"))
    return Passed(_("{name}'s {target} is {source} on the host").format(name=name, target=t, source=s),
                  _("read back from the domain's XML: <target dev='{target}'>").format(target=t),
                  _("your line: virsh {line}").format(line=inv.line))


def kernel_console(conn: Any, name: str = GUEST) -> str | None:
    """The device after the last ``console=`` on the domain's ``<os><cmdline>`` (the kernel writes its
    console there), or None when there is none."""
    _dom, root = _domain(conn, name)
    found = re.findall(r"(?:^|\s)console=([^\s,]+)", root.findtext("os/cmdline") or "")
    return found[-1] if found else None


_WRONG_DEVICE = N_({
    "tty0": "tty0 is the text screen of a graphics card; this guest has none (<video model='none'>)",
    "tty1": "tty1 is the first virtual terminal of the screen; this guest has no screen",
    "hvc0": "hvc0 is a virtio console (<console type='pty'><target type='virtio'>), a second device",
    "ttys1": "ttyS1 is the second serial port; the guest has one (<serial> port 0)",
    "pts/0": "/dev/pts/N is the host's end of the line (the pty QEMU opened), not the guest's device",
})
_WRONG_KEYS = N_({
    "ctrl-c": "Ctrl-C goes to the guest (it interrupts the guest's command); virsh stays connected",
    "ctrl-d": "Ctrl-D goes to the guest: its shell ends and a new one starts on ttyS0; virsh stays connected",
    "exit": "exit ends the guest's shell (a new one starts on ttyS0); virsh stays connected",
    "logout": "logout ends the guest's shell; virsh stays connected",
    "quit": "quit is typed into the guest like any word",
    "q": "q is typed into the guest like any letter",
    "esc": "Esc goes to the guest",
})


def _key(text: str) -> str:
    k = text.strip().lower().replace(" ", "").replace("+", "-").replace("_", "-")
    return {"^]": "ctrl-]", "\x1d": "ctrl-]", "control-]": "ctrl-]", "^c": "ctrl-c", "^d": "ctrl-d"}.get(k, k)


@graded("11.3", answer="device = 'ttyS0'   # virsh dumpxml $name --xpath //cmdline: console=ttyS0\n"
                       "key = 'Ctrl-]'     # 'Escape character is ^] (Ctrl + ])'")
def check_console(conn: Any, device: object, key: object, name: str = GUEST) -> Passed:
    """``device``: where the guest's kernel writes its console (checked against the domain's kernel
    command line, read from libvirt); ``key``: what ends ``virsh console``."""
    want = kernel_console(conn, name)
    expect(want is not None, _("{name}'s kernel command line has no console=").format(name=name),
           hint=_(_CONSOLE_CONCEPT),
           pointer=_("lesson 11's guest boots with console=ttyS0; run the notebook's first cell"))
    d = _text(device, "device", "ttyX9")
    d = d.removeprefix("console=").removeprefix("/dev/")
    if d != want and d.lower() == want.lower():
        raise ExerciseFailed(_("device: '{device}' differs from the kernel's '{want}' in case only, and Linux device "
                               "names are case-sensitive").format(device=d, want=want),
                             hint=_(_CONSOLE_CONCEPT), pointer=_(_CONSOLE_POINTER))
    if d.lower() != want.lower():
        why = (_(_WRONG_DEVICE[d.lower()]) if d.lower() in _WRONG_DEVICE
               else _("the kernel of {name} was not told to use '{device}'").format(name=name, device=d))
        raise ExerciseFailed(_("device: {why}").format(why=why), hint=_(_CONSOLE_CONCEPT), pointer=_(_CONSOLE_POINTER))
    k = "ctrl-]" if key == "\x1d" else _key(_text(key, "key", "Ctrl-X"))  # the byte itself (str.strip eats it)
    if k != "ctrl-]":
        why = _(_WRONG_KEYS[k]) if k in _WRONG_KEYS else _("{key} is typed into the guest").format(key=repr(key))
        raise ExerciseFailed(_("key: {why}").format(why=why), hint=_(_ESCAPE_CONCEPT), pointer=_(_ESCAPE_POINTER))
    return Passed(_("{name}'s kernel writes its console to {want}, and Ctrl-] leaves virsh console").format(
                      name=name, want=want),
                  _("read back from libvirt: <cmdline> holds console={want}").format(want=want),
                  _("QEMU connects the first serial port to a pty; libvirt streams the pty to virsh console"))
