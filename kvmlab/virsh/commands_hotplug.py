"""virsh's hot-plug and resource commands (tools/virsh-domain.c, virsh 9.0): attach-/detach-disk,
attach-/detach-interface, setmem, setmaxmem, setvcpus, vcpucount, autostart, bound to DomainOps."""

from __future__ import annotations

from .parse import ALIAS, BOOL, DATA, INT, STRING, Command, Opt, bool_options

__all__ = ["COMMANDS"]

DOMAIN = Opt("domain", DATA, required=True, help="domain name, id or uuid")
_PERSISTENT = Opt("persistent", BOOL, help="make live change persistent")
_CONFIG = Opt("config", BOOL, help="affect next boot")
_LIVE = Opt("live", BOOL, help="affect running domain")
_CURRENT = Opt("current", BOOL, help="affect current domain")
_AFFECT = [_PERSISTENT, _CONFIG, _LIVE, _CURRENT]
_WHERE = ("persistent", "config", "live", "current")


def _strings(v: dict, *names: str) -> dict:
    return {n.replace("-", "_"): v.get(n) for n in names}


_DISK_STRINGS = ("targetbus", "driver", "subdriver", "iothread", "cache", "io", "type", "mode", "sourcetype",
                 "serial", "wwn", "alias", "address", "source-protocol", "source-host-name",
                 "source-host-transport", "source-host-socket")
_IF_STRINGS = ("target", "mac", "script", "model", "alias", "inbound", "outbound", "source-mode")


def _size(help: str) -> Opt:
    return Opt("size", INT, required=True, help=help)


COMMANDS = [
    Command(
        "attach-disk",
        [
            DOMAIN,
            Opt("source", DATA, required=True, help="source of disk device or name of network disk"),
            Opt("target", DATA, required=True, help="target of disk device"),
            Opt("targetbus", STRING, help="target bus of disk device"),
            Opt("driver", STRING, help="driver of disk device"),
            Opt("subdriver", STRING, help="subdriver of disk device"),
            Opt("iothread", STRING, help="IOThread to be used by supported device"),
            Opt("cache", STRING, help="cache mode of disk device"),
            Opt("io", STRING, help="io policy of disk device"),
            Opt("type", STRING, help="target device type"),
            Opt("shareable", ALIAS, alias_of="mode=shareable"),
            Opt("mode", STRING, help="mode of device reading and writing"),
            Opt("sourcetype", STRING, help="type of source (block|file|network)"),
            Opt("serial", STRING, help="serial of disk device"),
            Opt("wwn", STRING, help="wwn of disk device"),
            Opt("alias", STRING, help="custom alias name of disk device"),
            Opt("rawio", BOOL, help="needs rawio capability"),
            Opt("address", STRING, help="address of disk device"),
            Opt("multifunction", BOOL, help="use multifunction pci under specified address"),
            Opt("print-xml", BOOL, help="print XML document rather than attach the disk"),
            Opt("source-protocol", STRING, help="protocol used by disk device source"),
            Opt("source-host-name", STRING, help="host name for source of disk device"),
            Opt("source-host-transport", STRING, help="host transport for source of disk device"),
            Opt("source-host-socket", STRING, help="host socket for source of disk device"),
            *_AFFECT,
        ],
        lambda conn, v: conn.attach_disk(v["domain"], v.get("source"), v.get("target"),
                                         **_strings(v, *_DISK_STRINGS),
                                         **bool_options(v, "rawio", "multifunction", "print-xml", *_WHERE)),
        help="attach disk device",
    ),
    Command(
        "detach-disk",
        [DOMAIN, Opt("target", DATA, required=True, help="target of disk device"), *_AFFECT,
         Opt("print-xml", BOOL, help="print XML document rather than detach the disk")],
        lambda conn, v: conn.detach_disk(v["domain"], v.get("target"), **bool_options(v, "print-xml", *_WHERE)),
        help="detach disk device",
    ),
    Command(
        "attach-interface",
        [
            DOMAIN,
            Opt("type", DATA, required=True, help="network interface type"),
            Opt("source", DATA, required=True, help="source of network interface"),
            Opt("target", STRING, help="target network name"),
            Opt("mac", STRING, help="MAC address"),
            Opt("script", STRING, help="script used to bridge network interface"),
            Opt("model", STRING, help="model type"),
            Opt("alias", STRING, help="custom alias name of interface device"),
            Opt("inbound", STRING, help="control domain's incoming traffics"),
            Opt("outbound", STRING, help="control domain's outgoing traffics"),
            *_AFFECT,
            Opt("print-xml", BOOL, help="print XML document rather than attach the interface"),
            Opt("managed", BOOL, help="libvirt will automatically detach/attach the device from/to host"),
            Opt("source-mode", STRING, help="mode attribute of <source/> element"),
        ],
        lambda conn, v: conn.attach_interface(v["domain"], v.get("type"), v.get("source"),
                                              **_strings(v, *_IF_STRINGS),
                                              **bool_options(v, "print-xml", "managed", *_WHERE)),
        help="attach network interface",
    ),
    Command(
        "detach-interface",
        [DOMAIN, Opt("type", DATA, required=True, help="network interface type"),
         Opt("mac", STRING, help="MAC address"), *_AFFECT,
         Opt("print-xml", BOOL, help="print XML document rather than detach the interface")],
        lambda conn, v: conn.detach_interface(v["domain"], v.get("type"), mac=v.get("mac"),
                                              **bool_options(v, "print-xml", *_WHERE)),
        help="detach network interface",
    ),
    Command(
        "setmem",
        [DOMAIN, _size("new memory size, as scaled integer (default KiB)"), _CONFIG, _LIVE, _CURRENT],
        lambda conn, v: conn.setmem(v["domain"], v.get("size"), **bool_options(v, "config", "live", "current")),
        help="change memory allocation",
    ),
    Command(
        "setmaxmem",
        [DOMAIN, _size("new maximum memory size, as scaled integer (default KiB)"), _CONFIG, _LIVE, _CURRENT],
        lambda conn, v: conn.setmaxmem(v["domain"], v.get("size"), **bool_options(v, "config", "live", "current")),
        help="change maximum memory limit",
    ),
    Command(
        "setvcpus",
        [DOMAIN, Opt("count", INT, required=True, help="number of virtual CPUs"),
         Opt("maximum", BOOL, help="set maximum limit on next boot"), _CONFIG, _LIVE, _CURRENT,
         Opt("guest", BOOL, help="modify cpu state in the guest"),
         Opt("hotpluggable", BOOL, help="make added vcpus hot(un)pluggable")],
        lambda conn, v: conn.setvcpus(v["domain"], v.get("count"), **bool_options(
            v, "maximum", "config", "live", "current", "guest", "hotpluggable")),
        help="change number of virtual CPUs",
    ),
    Command(
        "vcpucount",
        [DOMAIN, Opt("maximum", BOOL, help="get maximum count of vcpus"),
         Opt("active", BOOL, help="get number of currently active vcpus"),
         Opt("live", BOOL, help="get value from running domain"),
         Opt("config", BOOL, help="get value to be used on next boot"),
         Opt("current", BOOL, help="get value according to current domain state"),
         Opt("guest", BOOL, help="retrieve vcpu count from the guest instead of the hypervisor")],
        lambda conn, v: conn.vcpucount(v["domain"], **bool_options(
            v, "maximum", "active", "live", "config", "current", "guest")),
        help="domain vcpu counts",
    ),
    Command(
        "autostart",
        [DOMAIN, Opt("disable", BOOL, help="disable autostarting")],
        lambda conn, v: conn.autostart(v["domain"], **bool_options(v, "disable")),
        help="autostart a domain",
    ),
]
