"""A domain's memory and vCPUs, and autostart: virsh setmem, setmaxmem, setvcpus, vcpucount, autostart.

Two ceilings are set at boot (virsh 9.0, tools/virsh-domain.c; libvirt formatdomain "Memory Allocation"):

* ``<memory>`` (setmaxmem) is the most RAM the guest can ever have: QEMU sizes the guest's RAM at start,
  so it changes only in the definition (``config=True``) and the guest sees it at its next boot.
* ``<currentMemory>`` (setmem) is what the guest is left with: on a running guest the *balloon* driver
  inside gives RAM back to the host (or takes it again, up to ``<memory>``) — live, no reboot.
* ``<vcpu>`` (setvcpus --maximum --config) is the most vCPUs; ``<vcpu current=…>`` (setvcpus) how many
  are plugged in. Live changes stay at or below the maximum, and need a guest that can hot-plug CPUs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, KvmlabError, libvirt_errors
from ..units import unit_bytes
from ..i18n import N_, _
from .calls import virsh_line
from .domain_hotplug import affect_flags
from .domain_lookup import lookup_domain
from .vsh import exclusive

if TYPE_CHECKING:  # the results load with the first of these commands
    from .domain_results import DomainMessage
    from .hotplug_results import ResourceChange, VcpuCount

__all__ = ["DomainResourceOps", "ResourceChange", "VcpuCount", "scaled_kib"]


def __getattr__(name: str):
    if name in ("ResourceChange", "VcpuCount"):
        from . import hotplug_results

        return getattr(hotplug_results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown

_ULONG_MAX = 2**64 - 1
_STRTOULL = r"[ \t\n\v\f\r]*([+-]?)([0-9]+)"
_AFFECT = {0: "libvirt.VIR_DOMAIN_AFFECT_CURRENT", 1: "libvirt.VIR_DOMAIN_AFFECT_LIVE",
           2: "libvirt.VIR_DOMAIN_AFFECT_CONFIG", 3: "libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG"}
_SIZE_HINT = N_("a size is a whole number with an optional unit: 512M = 512MiB, 1G; a bare number is KiB "
              "(KiB = 1024 bytes, KB = 1000 bytes)")

_MEMORY_HINTS = N_({
    "higher than max memory": "setmem stays at or below the maximum (dominfo's Max memory): raise it first with "
                              "`virsh setmaxmem DOMAIN SIZE --config`, then shut the guest down and start it",
    "maximum memory on an active domain": "the maximum is fixed while QEMU runs: `virsh setmaxmem DOMAIN SIZE "
                                          "--config` changes the definition, and a shutdown + start applies it",
    "max allowable vcpus": "a running guest's vCPUs stay at or below its maximum (`virsh vcpucount DOMAIN`): "
                           "raise it with `virsh setvcpus DOMAIN N --maximum --config` and restart the guest",
    "exceeds maximum": "the count stays at or below the maximum (`virsh vcpucount DOMAIN`): raise it with "
                       "`virsh setvcpus DOMAIN N --maximum --config` and restart the guest",
    "balloon": "a running guest's memory shrinks through the balloon: the domain needs <memballoon "
               "model='virtio'/> and the guest its virtio_balloon driver; --config changes the next boot instead",
    "not running": "--live (or no option on a shut-off domain) changes a running guest only: use --config to "
                   "change the next boot",
    "unsupported flags": "libvirt's test driver knows fewer options than a real QEMU host",
})


def scaled_kib(value: object, option: str = "size") -> int:
    """vshCommandOptScaledInt(…, 1024, ULONG_MAX) then VIR_DIV_UP(bytes, 1024): ``"512M"`` -> 524288 KiB.

    A bare number is KiB; the units are libvirt's (any case). An int is read as its digits.

    Raises:
        InvalidInput: virsh's ``Scaled numeric value … is malformed or out of range`` (+ libvirt's reason).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(_("expected a size for --{option}, got {type}: {value}").format(
            option=option, type=type(value).__name__, value=f"{value!r:.60}"),
                           hint=_("pass --{option} as text such as '512M' or an int of KiB").format(option=option))
    text = str(value)
    first = f"Scaled numeric value '{text}' for <{option}> option is malformed or out of range"
    m = re.match(_STRTOULL, text)
    if not m or m.group(1) == "-" or int(m.group(2)) > _ULONG_MAX:
        raise InvalidInput(first, hint=_(_SIZE_HINT))
    number, suffix = int(m.group(2)), text[m.end():]
    scale = 1024 if suffix == "" else unit_bytes(suffix)
    if scale is None:
        raise InvalidInput(first, hint=_(_SIZE_HINT), virsh_error=[first, f"invalid argument: unknown suffix '{suffix}'"])
    if number and number > _ULONG_MAX // scale:
        raise InvalidInput(first, hint=_(_SIZE_HINT),
                           virsh_error=[first, f"numerical overflow: value too large: {number}{suffix}"])
    return -(-number * scale // 1024)


def _count(value: object) -> int:
    """vshCommandOptUInt: a whole unsigned 32-bit number, no wrap of ``-N``."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    m = re.fullmatch(r"[ \t\n\v\f\r]*\+?([0-9]+)", text or "")
    if not m or int(m.group(1)) > 2**32 - 1:
        raise InvalidInput(f"Numeric value '{value}' for <count> option is malformed or out of range",  # i18n: virsh's own words
                           hint=_("--count is a whole number of vCPUs, e.g. 2"))
    return int(m.group(1))


def _where(flags: int) -> list[str]:
    return [w for bit, w in ((libvirt.VIR_DOMAIN_AFFECT_LIVE, "live"), (libvirt.VIR_DOMAIN_AFFECT_CONFIG, "config"))
            if flags & bit]


class DomainResourceOps:
    """Mixin for kvmlab.Connection: memory, vCPUs and autostart of a domain."""

    virconn: libvirt.virConnect

    def _memory(self, command: str, domain: str, size: object, config: bool, live: bool, current: bool,
                maximum: bool) -> ResourceChange:
        from .hotplug_results import ResourceChange

        flags = affect_flags(False, config, live, current, has_persistent=False)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        kib = scaled_kib(size)
        prefix = ("Unable to change MaxMemorySize",) if maximum else ()
        if not (config or live or current or maximum):
            flags = libvirt.VIR_DOMAIN_AFFECT_LIVE  # virsh 9.0: setmem without an option changes the running guest
        with libvirt_errors(*prefix, hints=_MEMORY_HINTS, hint=N_("the line above is libvirt's reason")):
            mem_flags = flags | (libvirt.VIR_DOMAIN_MEM_MAXIMUM if maximum else 0)
            text = _AFFECT[flags] + (" | libvirt.VIR_DOMAIN_MEM_MAXIMUM" if maximum else "")
            api.append(f"dom.setMemoryFlags({kib}, {text})")
            dom.setMemoryFlags(kib, mem_flags)
        virsh = virsh_line(command, domain, size, config=config, live=live, current=current)
        return ResourceChange(name=dom.name(), what="max memory" if maximum else "memory", value=kib,
                              affects=_where(flags), virsh=virsh, api=api)

    def setmem(self, domain: str, size: str | int, *, config: bool = False, live: bool = False,
               current: bool = False) -> ResourceChange:
        """virsh setmem DOMAIN SIZE: the guest's current RAM (a bare number is KiB; "512M" works).
        Live, the balloon driver in the guest gives memory back or takes it again, up to the maximum."""
        return self._memory("setmem", domain, size, config, live, current, maximum=False)

    def setmaxmem(self, domain: str, size: str | int, *, config: bool = False, live: bool = False,
                  current: bool = False) -> ResourceChange:
        """virsh setmaxmem DOMAIN SIZE: the most RAM the guest may have. A running QEMU cannot grow it:
        use ``config=True`` and boot the guest again."""
        return self._memory("setmaxmem", domain, size, config, live, current, maximum=True)

    def setvcpus(self, domain: str, count: str | int, *, maximum: bool = False, config: bool = False,
                 live: bool = False, current: bool = False, guest: bool = False,
                 hotpluggable: bool = False) -> ResourceChange:
        """virsh setvcpus DOMAIN COUNT: how many vCPUs are plugged in; ``maximum=True, config=True``
        sets the ceiling for the next boot."""
        from .hotplug_results import ResourceChange

        exclusive("current", current, "live", live, N_("--current means 'as the domain is now'"))
        exclusive("current", current, "config", config, N_("--current means 'as the domain is now'"))
        exclusive("guest", guest, "config", config, N_("--guest asks the running guest's agent; no definition involved"))
        if maximum and not config:
            raise InvalidInput("Option --config is required by option --maximum",  # i18n: virsh's own words
                               hint=_("the maximum is read at boot: set it with --maximum --config, then restart"))
        flags = 0
        names = []
        for on, flag in ((config, "VIR_DOMAIN_AFFECT_CONFIG"), (live, "VIR_DOMAIN_AFFECT_LIVE"),
                         (guest, "VIR_DOMAIN_VCPU_GUEST"), (maximum, "VIR_DOMAIN_VCPU_MAXIMUM"),
                         (hotpluggable, "VIR_DOMAIN_VCPU_HOTPLUGGABLE")):
            if on:
                flags |= getattr(libvirt, flag)
                names.append(f"libvirt.{flag}")
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        n = _count(count)
        if n == 0:
            raise InvalidInput("Can't set 0 processors for a VM", hint=_("a guest needs at least one vCPU"))  # i18n: virsh's own words
        with libvirt_errors(hints=_MEMORY_HINTS, hint=N_("the line above is libvirt's reason")):
            if not current and flags == 0:
                api.append(f"dom.setVcpus({n})")
                dom.setVcpus(n)
            else:
                api.append(f"dom.setVcpusFlags({n}, {' | '.join(names) or 'libvirt.VIR_DOMAIN_AFFECT_CURRENT'})")
                dom.setVcpusFlags(n, flags)
        virsh = virsh_line("setvcpus", domain, count, maximum=maximum, config=config, live=live, current=current,
                           guest=guest, hotpluggable=hotpluggable)
        return ResourceChange(name=dom.name(), what="max vcpus" if maximum else "vcpus", value=n,
                              affects=_where(flags), virsh=virsh, api=api)

    def vcpucount(self, domain: str, *, maximum: bool = False, active: bool = False, live: bool = False,
                  config: bool = False, current: bool = False, guest: bool = False) -> VcpuCount:
        """virsh vcpucount DOMAIN: maximum and current vCPUs, in the definition (config) and the running
        guest (live). One flag (``maximum``, ``active``, ``live`` …) asks for one number."""
        from .hotplug_results import VcpuCount

        everything = not (maximum or active or current or config or live or guest)
        if not maximum and not active and current:
            current = False  # virsh: the old '--current' meant '--active'
        exclusive("live", live, "config", config)
        exclusive("current", current, "live", live)
        exclusive("current", current, "config", config)
        exclusive("active", active, "maximum", maximum, N_("--maximum is the ceiling, --active the vCPUs plugged in"))
        exclusive("guest", guest, "config", config)
        flags = 0
        for on, flag in ((live, libvirt.VIR_DOMAIN_AFFECT_LIVE), (config, libvirt.VIR_DOMAIN_AFFECT_CONFIG),
                         (maximum, libvirt.VIR_DOMAIN_VCPU_MAXIMUM), (guest, libvirt.VIR_DOMAIN_VCPU_GUEST)):
            if on:
                flags |= flag
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        virsh = virsh_line("vcpucount", domain, maximum=maximum, active=active, live=live, config=config,
                           current=current, guest=guest)
        if not everything:
            return VcpuCount(value=self._vcpus(dom, flags, api), virsh=virsh, api=api)
        counts = {}
        running, persistent = dom.isActive() == 1, dom.isPersistent() == 1
        asked = {}
        for which, state in (("maximum", "config"), ("current", "config"), ("maximum", "live"), ("current", "live")):
            if (state == "live" and not running) or (state == "config" and not persistent):
                continue
            f = (libvirt.VIR_DOMAIN_AFFECT_LIVE if state == "live" else libvirt.VIR_DOMAIN_AFFECT_CONFIG) | (
                libvirt.VIR_DOMAIN_VCPU_MAXIMUM if which == "maximum" else 0)
            asked[(which, state)] = self._vcpus(dom, f, api)
        for key in (("maximum", "config"), ("maximum", "live"), ("current", "config"), ("current", "live")):
            if asked.get(key, 0) > 0:
                counts[key] = asked[key]
        return VcpuCount(counts=counts, virsh=virsh, api=api)

    @staticmethod
    def _vcpus(dom: libvirt.virDomain, flags: int, api: list[str]) -> int:
        api.append(f"dom.vcpusFlags({flags})")
        try:
            with libvirt_errors(hints=_MEMORY_HINTS):
                return dom.vcpusFlags(flags)
        except KvmlabError as err:
            if flags & libvirt.VIR_DOMAIN_VCPU_GUEST and "unsupported" in err.message:
                err.virsh_error = ["Failed to retrieve vCPU count from the guest", *err.virsh_error]
                err.hint = _("--guest asks the QEMU guest agent inside the guest; libvirt could not")
            raise

    def autostart(self, domain: str, disable: bool = False) -> DomainMessage:
        """virsh autostart DOMAIN [--disable]: start the domain (or not) when libvirtd starts at host boot.
        It does not start it now; ``dominfo`` shows ``Autostart: enable``."""
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        verb = "unmark" if disable else "mark"
        with libvirt_errors(f"Failed to {verb} domain '{domain}' as autostarted",
                            hint=N_("autostart applies to persistent (defined) domains: `virsh dominfo` says which")):
            api.append(f"dom.setAutostart({0 if disable else 1})")
            dom.setAutostart(0 if disable else 1)
        from .domain_results import DomainMessage

        return DomainMessage(f"Domain '{domain}' {verb}ed as autostarted", name=dom.name(),
                             virsh=lambda: virsh_line("autostart", domain, disable=disable), api=api)
