"""net-define and net-create: a network from a spec object, an XML string or a file, as virsh reads it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ContextManager

import libvirt

from ..errors import HintSource, libvirt_errors
from ..i18n import N_, _

if TYPE_CHECKING:
    from .define import XmlInput
    from .network_results import NetMessage
    from .source import XmlSource

__all__ = ["NetworkDefineOps"]

# Why libvirt refused a network document, and what to do about it (net-define / net-create).
_REFUSED_HINTS: dict[int | str, HintSource] = N_({
    libvirt.VIR_ERR_XML_DETAIL: "the file is not well-formed XML: fix it at the line and caret shown "
    "(`virsh net-dumpxml default` prints a well-formed example)",
    libvirt.VIR_ERR_NO_NAME: "a network needs a name: <network><name>lab</name>...</network>",
    libvirt.VIR_ERR_XML_ERROR: "libvirt expects a <network> document here; compare with `virsh net-dumpxml default`",
    libvirt.VIR_ERR_XML_INVALID_SCHEMA: "the document breaks libvirt's network schema (network.rng): fix or "
    "remove the element named above; without --validate unknown elements are silently dropped",
    libvirt.VIR_ERR_OPERATION_FAILED: "that name is taken by a network with another UUID: choose another "
    "<name>, or give the existing UUID to modify that network",
})

_RANGE = r"range (\S+) - (\S+) is not entirely within network (\S+)"  # compiled when that error comes


def dhcp_range_hint(msg: str) -> str:
    """For libvirt's "range A - B is not entirely within network GW/PREFIX": the addresses that fit."""
    import ipaddress  # only for this refusal

    m = re.search(_RANGE, msg)
    iface = ipaddress.ip_interface(m.group(3)) if m else None
    if iface is None or iface.network.num_addresses < 4:
        return _("a DHCP <range> must lie inside the subnet of its <ip address=… prefix=…>")
    net = iface.network
    first, last = net.network_address + 1, net.broadcast_address - 1
    if first == iface.ip:  # the gateway (the host's address) is not handed out
        first += 1
    elif last == iface.ip:
        last -= 1
    return _("the DHCP <range> must lie inside the subnet {net} of <ip address='{ip}' "
             "prefix='{prefix}'>: use addresses in {first} - {last}").format(
        net=net, ip=iface.ip, prefix=net.prefixlen, first=first, last=last)


_REFUSED_HINTS["is not entirely within network"] = dhcp_range_hint

_DEFINE_HINT = N_("libvirt refused this network XML; `virsh net-dumpxml default` shows one it accepts")
_CREATE_HINT = N_(
    "net-create starts a transient network (gone after net-destroy); "
    "net-define + net-start make a persistent one"
)


class NetworkDefineOps:
    """Mixin (through NetworkOps): the commands that take a network's XML."""

    virconn: libvirt.virConnect

    def net_define(self, source: XmlSource, validate: bool = False) -> NetMessage:
        """virsh net-define: define (or update) a persistent, inactive network.

        ``source`` is a spec object (``.to_xml()``), an XML string, or the path of an XML file.
        """
        return self._net_from_xml("define", source, validate)

    def net_create(self, source: XmlSource, validate: bool = False) -> NetMessage:
        """virsh net-create: start a transient network from XML (no definition is kept)."""
        return self._net_from_xml("create", source, validate)

    def _net_from_xml(self, verb: str, source: XmlSource, validate: bool) -> NetMessage:
        method = "networkDefineXML" if verb == "define" else "networkCreateXML"
        flag = f"VIR_NETWORK_{verb.upper()}_VALIDATE"

        def send(xml: str) -> libvirt.virNetwork:
            if validate:
                return getattr(self.virconn, method + "Flags")(xml, getattr(libvirt, flag))
            return getattr(self.virconn, method)(xml)

        def errors(_inp: XmlInput, failed: str) -> ContextManager[None]:
            return libvirt_errors(failed, hints=_REFUSED_HINTS, hint=_DEFINE_HINT if verb == "define" else _CREATE_HINT)

        from .define import XmlCommand  # lxml and the specs load on the first define, not before

        command = XmlCommand("network", verb, f"net-{verb}", (("validate", validate),))
        net, inp, line = command.run(source, send, errors, virconn=self.virconn)
        name = net.name()
        call = f"net = conn.{method}Flags(xml, libvirt.{flag})" if validate else f"net = conn.{method}(xml)"
        read = (f"xml = open({inp.label!r}).read()" if inp.label
                else "xml = spec.to_xml()" if hasattr(source, "to_xml")
                else "xml = '<network>...</network>'")  # fmt: skip
        past = "defined" if verb == "define" else "created"
        from .network_results import NetMessage

        return NetMessage(message=f"Network {name} {past}{inp.origin}", network=name, virsh=line, api=[read, call])
