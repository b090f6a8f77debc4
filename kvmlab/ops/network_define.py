"""net-define and net-create: a network from a spec object, an XML string or a file, as virsh reads it."""

from __future__ import annotations

import libvirt

from ..errors import SpecError
from ..specs.guard import guard_xml
from .network_lookup import DEFINE_HINTS, empty_option, network_failure, prefix_error
from .network_results import NetMessage, virsh_line
from .source import XmlSource, read_xml_source

__all__ = ["NetworkDefineOps"]

_DEFINE_HINT = "libvirt refused this network XML; `virsh net-dumpxml default` shows one it accepts"
_CREATE_HINT = (
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
        if isinstance(source, str) and source == "":
            raise empty_option("file", f"net-{verb} network.xml")
        xml, label = read_xml_source(source)
        origin = f" from {label}" if label else ""
        failed = f"Failed to {verb} network{origin}"
        try:
            guard_xml("network", xml)
        except SpecError as err:
            raise prefix_error(err, failed) from err
        flag = f"VIR_NETWORK_{verb.upper()}_VALIDATE"
        method = "networkDefineXML" if verb == "define" else "networkCreateXML"
        with network_failure(failed, hints=DEFINE_HINTS, hint=_DEFINE_HINT if verb == "define" else _CREATE_HINT):
            if validate:
                net = getattr(self.virconn, method + "Flags")(xml, getattr(libvirt, flag))
            else:
                net = getattr(self.virconn, method)(xml)
        name = net.name()
        call = f"net = conn.{method}Flags(xml, libvirt.{flag})" if validate else f"net = conn.{method}(xml)"
        read = (
            f"xml = open({label!r}).read()"
            if label
            else "xml = spec.to_xml()"
            if hasattr(source, "to_xml")
            else "xml = '<network>...</network>'"
        )
        past = "defined" if verb == "define" else "created"
        return NetMessage(
            message=f"Network {name} {past}{origin}",
            network=name,
            virsh=virsh_line(f"net-{verb}", label or f"{name}.xml", *(["--validate"] if validate else [])),
            api=[read, call],
        )
