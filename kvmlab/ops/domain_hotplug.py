"""Hot-plug: virsh attach-disk / detach-disk / attach-interface / detach-interface.

Each builds (or finds) one device's XML and hands it to virDomainAttachDeviceFlags /
virDomainDetachDeviceFlags with the *affect* flags (virsh 9.0, tools/virsh-domain.c):

* ``live=True`` — the running guest only: gone at its next boot (``--live``);
* ``config=True`` — the saved definition only: the running guest sees nothing until it boots again;
* ``persistent=True`` — the definition, and the running guest too when it runs (``--persistent``);
* ``current=True`` or nothing — whichever the domain is in now: live when running, config when shut off.

``print_xml=True`` prints the XML and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, KvmlabError, Unsupported, libvirt_errors
from ..i18n import L_, N_, _
from .calls import virsh_line
from .domain_lookup import lookup_domain
from .vsh import encodable, exclusive, require_option

if TYPE_CHECKING:  # the results and the XML writer load with the first attach/detach, not at start-up
    from .hotplug_results import DeviceChange

__all__ = ["DomainHotplugOps", "DeviceChange", "affect_flags"]


def __getattr__(name: str):
    if name == "DeviceChange":
        from .hotplug_results import DeviceChange

        return DeviceChange
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown

_AFFECT = {0: "libvirt.VIR_DOMAIN_AFFECT_CURRENT", 1: "libvirt.VIR_DOMAIN_AFFECT_LIVE",
           2: "libvirt.VIR_DOMAIN_AFFECT_CONFIG", 3: "libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG"}
_WHERE = {0: [], 1: ["live"], 2: ["config"], 3: ["live", "config"]}


def affect_flags(persistent: bool, config: bool, live: bool, current: bool, *, has_persistent: bool = True) -> int:
    """virsh's checks and flags for --persistent/--config/--live/--current (VSH_EXCLUSIVE_OPTIONS)."""
    why = N_("--current means 'whatever the domain is in now'; --live/--config/--persistent name it yourself")
    if has_persistent:
        exclusive("persistent", persistent, "current", current, why)
    exclusive("current", current, "live", live, why)
    exclusive("current", current, "config", config, why)
    flags = libvirt.VIR_DOMAIN_AFFECT_CURRENT
    if config or persistent:
        flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
    if live:
        flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
    return flags


_HOTPLUG_HINTS = N_({
    libvirt.VIR_ERR_NO_SUPPORT: "libvirt's test driver cannot hot-plug; on the real lab (qemu:///system) it works. "
                                "`--print-xml` shows the XML without changing anything",
    "no network with matching name": "the card's source network does not exist on this host: `virsh net-list "
                                     "--all` lists them (qemu:///session has no libvirt networks: no root)",
    "not running": "--live needs a running domain: start it, or use --config to change the next boot only",
    "duplicated": "the definition has a disk with that target already: `virsh domblklist DOMAIN --inactive` lists "
                  "them; pick another target",
    "already exists": "the domain has a device with that target already: `virsh domblklist DOMAIN` (or domiflist) "
                      "lists them; pick another target, or use --live/--config to change only the other one",
})


def _texts(values: dict[str, object]) -> dict[str, str | None]:
    """vshCommandOptStringReq for each optional text option: None when not given, an error when ''."""
    return {k: None if v is None else require_option(v, k.replace("_", "-")) for k, v in values.items()}


class DomainHotplugOps:
    """Mixin for kvmlab.Connection: add and remove disks and network cards, live or in the definition."""

    virconn: libvirt.virConnect

    def _change(self, dom: libvirt.virDomain, verb: str, xml: str, flags: int, plain: bool, what: str,
                api: list[str], failed: str) -> None:
        """virsh's call: the plain API when no affect option was given, else the ...Flags one."""
        call = {"attach": "attachDevice", "detach": "detachDevice"}[verb]
        if not encodable(xml):
            raise InvalidInput(_("the {what} XML holds bytes that are not UTF-8").format(what=what), virsh_error=[failed],
                               hint=_("an option held bytes that are not UTF-8 (from the shell?): libvirt reads "
                                      "XML as UTF-8; retype the value"))
        with libvirt_errors(failed, hints=_HOTPLUG_HINTS,
                            hint=L_("libvirt refused to {verb} the {what}: the line above says why", verb=verb, what=what)):
            if plain:
                api.append(f"dom.{call}(xml)")
                getattr(dom, call)(xml)
            else:
                api.append(f"dom.{call}Flags(xml, {_AFFECT[flags]})")
                getattr(dom, call + "Flags")(xml, flags)

    def attach_disk(self, domain: str, source: str, target: str, *, targetbus: str | None = None,
                    driver: str | None = None, subdriver: str | None = None, iothread: str | None = None,
                    cache: str | None = None, io: str | None = None, type: str | None = None,
                    mode: str | None = None, sourcetype: str | None = None, serial: str | None = None,
                    wwn: str | None = None, alias: str | None = None, rawio: bool = False,
                    address: str | None = None, multifunction: bool = False, print_xml: bool = False,
                    source_protocol: str | None = None, source_host_name: str | None = None,
                    source_host_transport: str | None = None, source_host_socket: str | None = None,
                    persistent: bool = False, config: bool = False, live: bool = False,
                    current: bool = False) -> DeviceChange:
        """virsh attach-disk DOMAIN SOURCE TARGET: give the guest a disk (``target`` is its name
        inside, e.g. ``vdb``; ``subdriver="qcow2"`` for a qcow2 file). See the module for ``live`` …"""
        flags = affect_flags(persistent, config, live, current)
        for opt, needed in (("source-host-name", "source-protocol"), ("source-host-transport", "source-protocol"),
                            ("source-host-socket", "source-protocol"),
                            ("source-host-socket", "source-host-transport")):
            if locals()[opt.replace("-", "_")] and not locals()[needed.replace("-", "_")]:
                raise InvalidInput(f"Option --{needed} is required by option --{opt}",  # i18n: virsh's own words
                                   hint=_("--{opt} describes a network disk: give --{needed} too").format(
                                       opt=opt, needed=needed))
        exclusive("source-host-name", source_host_name, "source-host-socket", source_host_socket,
                  N_("a network disk's host is a name[:port] or a unix socket, not both"))
        source = "" if source is None else source
        if not isinstance(source, str):
            require_option(source, "source")  # the type check; '' is allowed for a source (an empty cdrom)
        target = require_option(target, "target")
        opts = _texts(dict(driver=driver, subdriver=subdriver, type=type, mode=mode, iothread=iothread, cache=cache,
                           io=io, serial=serial, wwn=wwn, address=address, targetbus=targetbus, alias=alias,
                           sourcetype=sourcetype, source_protocol=source_protocol,
                           source_host_name=source_host_name, source_host_transport=source_host_transport,
                           source_host_socket=source_host_socket))
        if opts.pop("address") is not None:
            raise Unsupported(_("kvmlab does not write --address"), hint=_("libvirt picks a free address itself; "
                              "to choose one, write the <disk> XML with <address …/> and use `virsh attach-device`"))
        from .domain_hotplug_xml import disk_xml

        xml = disk_xml(source, target, rawio=rawio, **opts)
        virsh = virsh_line("attach-disk", domain, source, target, **{k: v for k, v in opts.items()}, rawio=rawio,
                           multifunction=multifunction, print_xml=print_xml, persistent=persistent, config=config,
                           live=live, current=current)
        return self._attach(domain, xml, flags, persistent, current, print_xml, "disk", virsh)

    def attach_interface(self, domain: str, type: str, source: str, *, target: str | None = None,
                         mac: str | None = None, script: str | None = None, model: str | None = None,
                         alias: str | None = None, inbound: str | None = None, outbound: str | None = None,
                         persistent: bool = False, config: bool = False, live: bool = False,
                         current: bool = False, print_xml: bool = False, managed: bool = False,
                         source_mode: str | None = None) -> DeviceChange:
        """virsh attach-interface DOMAIN TYPE SOURCE: a new network card, e.g. ``("vm", "network",
        "default", model="virtio")``. See the module for ``live`` / ``config`` / ``persistent``."""
        flags = affect_flags(persistent, config, live, current)
        opts = _texts(dict(type=type, source=source, target=target, mac=mac, script=script, model=model,
                           alias=alias, inbound=inbound, outbound=outbound, source_mode=source_mode))
        if opts["type"] is None or opts["source"] is None:
            raise InvalidInput(_("attach-interface needs a type and a source"),
                               hint=_("e.g. attach_interface('vm', 'network', 'default')"))
        from .domain_hotplug_xml import interface_xml

        xml = interface_xml(opts.pop("type"), opts.pop("source"), managed=managed, **opts)
        virsh = virsh_line("attach-interface", domain, type, source, **opts, persistent=persistent, config=config,
                           live=live, current=current, print_xml=print_xml, managed=managed)
        return self._attach(domain, xml, flags, persistent, current, print_xml, "interface", virsh)

    def _attach(self, domain: str, xml: str, flags: int, persistent: bool, current: bool, print_xml: bool,
                what: str, virsh: str) -> DeviceChange:
        from .hotplug_results import DeviceChange

        if print_xml:  # virsh prints before it looks the domain up
            return DeviceChange(name=str(domain), xml=xml, affects=[], printed=True, virsh=virsh, api=[])
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        if persistent and dom.isActive() == 1:
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        self._change(dom, "attach", xml, flags, not (flags or current), what, api, f"Failed to attach {what}")
        return DeviceChange(f"{what.capitalize()} attached successfully", name=dom.name(), xml=xml,
                            affects=_WHERE[flags], virsh=virsh, api=api)

    def detach_disk(self, domain: str, target: str, *, persistent: bool = False, config: bool = False,
                    live: bool = False, current: bool = False, print_xml: bool = False) -> DeviceChange:
        """virsh detach-disk DOMAIN TARGET: take a disk away, named by its target (vdb) or its source file."""
        from .domain_hotplug_xml import find_disk, node_text
        from .hotplug_results import DeviceChange

        flags = affect_flags(persistent, config, live, current)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        target = require_option(target, "target")
        if persistent and dom.isActive() == 1:
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        inactive = flags == libvirt.VIR_DOMAIN_AFFECT_CONFIG
        xml = node_text(find_disk(self._domain_xml(domain, inactive, api), target))
        virsh = virsh_line("detach-disk", domain, target, persistent=persistent, config=config, live=live,
                           current=current, print_xml=print_xml)
        if print_xml:
            return DeviceChange(name=dom.name(), xml=xml, affects=[], printed=True, virsh=virsh, api=api)
        self._change(dom, "detach", xml, flags, not (flags or current), "disk", api, "Failed to detach disk")
        return DeviceChange("Disk detached successfully", name=dom.name(), xml=xml, affects=_WHERE[flags],
                            virsh=virsh, api=api)

    def detach_interface(self, domain: str, type: str, *, mac: str | None = None, persistent: bool = False,
                         config: bool = False, live: bool = False, current: bool = False,
                         print_xml: bool = False) -> DeviceChange:
        """virsh detach-interface DOMAIN TYPE [--mac MAC]: take a network card away (``mac`` picks one
        of several). With live and config, virsh finds the card in each definition and detaches it twice."""
        from .domain_hotplug_xml import find_interface, node_text
        from .hotplug_results import DeviceChange

        flags = affect_flags(persistent, config, live, current)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        failed = "Failed to detach interface"
        try:
            type = require_option(type, "type")
            mac = None if mac is None else require_option(mac, "mac")
        except KvmlabError as err:
            err.virsh_error = [*err.virsh_error, failed]
            raise
        if persistent and dom.isActive() == 1:
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        live_bit, config_bit = libvirt.VIR_DOMAIN_AFFECT_LIVE, libvirt.VIR_DOMAIN_AFFECT_CONFIG
        passes = ([(True, flags & ~live_bit)] if flags & config_bit else []) + \
            ([(False, flags & ~config_bit)] if not flags & config_bit or flags & live_bit else [])
        virsh = virsh_line("detach-interface", domain, type, mac=mac, persistent=persistent, config=config,
                           live=live, current=current, print_xml=print_xml)
        sent = []
        for inactive, pass_flags in passes:
            try:
                xml = node_text(find_interface(self._domain_xml(domain, inactive, api), type, mac))
            except KvmlabError as err:
                if not print_xml:
                    err.virsh_error = [*err.virsh_error, failed]
                raise
            sent.append(xml)
            if not print_xml:
                self._change(dom, "detach", xml, pass_flags, not (pass_flags or current), "interface", api, failed)
        if print_xml:
            return DeviceChange(name=dom.name(), xml="".join(sent), affects=[], printed=True, virsh=virsh, api=api)
        return DeviceChange("Interface detached successfully", name=dom.name(), xml="".join(sent),
                            affects=_WHERE[flags], virsh=virsh, api=api)
