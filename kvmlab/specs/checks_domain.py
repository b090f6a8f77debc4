"""Teaching checks for ``<domain>``: what libvirt refuses (or quietly "fixes") and the schema misses.

Each problem names the element, says what is wrong and how to fix it. Memory gets the most
attention: a bare ``<memory>`` number is KiB (1024 bytes), ``unit='KB'`` is 1000 bytes, and
``<memory>512</memory>`` (512 KiB) is the classic "I meant MiB" mistake.
"""

from __future__ import annotations

from lxml import etree

from ..i18n import N_, _
from .checks_devices import device_problems, problem as _p, strict
from .parser import text_of
from .problems import Problem
from .values import c_uint, c_uint_positive, scaled

__all__ = ["domain_problems", "MIN_BOOT_MEMORY", "MAX_VCPUS", "QEMU_MAX_VCPUS", "BOOT_DEVICES"]

MIN_BOOT_MEMORY = 16 * 2**20  # below this nothing boots (a small Linux guest wants 128 MiB+)
MAX_VCPUS = 4096  # no KVM host runs more in one guest
QEMU_MAX_VCPUS = 288  # QEMU 7.2: q35 runs at most 288 vCPUs (pc/i440fx 255)
BOOT_DEVICES = ("hd", "cdrom", "network", "fd")
# who refuses what the test driver accepts: qemu_validate.c (qemuValidateDomainVCpuTopology), at define
QEMU_REFUSES = N_("The QEMU driver refuses it at define:")
TEST_ACCEPTS = N_("the test driver accepts it")
_DECIMAL_UNITS = {"kb": "KiB", "mb": "MiB", "gb": "GiB", "tb": "TiB", "pb": "PiB", "eb": "EiB"}


def domain_problems(root: etree._Element) -> list[Problem]:
    """Every teaching-check problem in a ``<domain>`` document."""
    found: list[Problem] = []
    found += _name(root)
    found += _os_type(root)
    found += _memory(root)
    found += _vcpu(root)
    found += _boot(root)
    found += device_problems(root)
    return found


def _name(root: etree._Element) -> list[Problem]:
    name = text_of(root.find("name"))
    if not name:
        return [_p(root, _("the domain has no <name> (libvirt: \"missing name information\")"),
                   _("add <name>vm1</name>: virsh commands find the domain by it"))]
    if "/" in name:
        return [_p(root.find("name"), _("the name '{name}' contains '/'").format(name=name),
                   _("libvirt stores the definition as NAME.xml, so '/' is refused: use letters, digits, - and _"))]
    return []


def _os_type(root: etree._Element) -> list[Problem]:
    if root.find("os/type") is None or not (text_of(root.find("os/type")) or "").strip():
        return [_p(root.find("os") if root.find("os") is not None else root,
                   _("<os> has no <type> (libvirt: \"an os <type> must be specified\")"),
                   _("add <os><type arch='x86_64'>hvm</type></os>: hvm = a full virtual machine (KVM/QEMU)"))]
    return []


def _memory(root: etree._Element) -> list[Problem]:
    found = []
    mem_el, cur_el = root.find("memory"), root.find("currentMemory")
    if mem_el is None:
        if not root.xpath("./cpu/numa/cell[@memory]"):
            found.append(_p(root, _("no <memory>: libvirt needs to know how much RAM the guest gets"),
                            _("add <memory unit='MiB'>512</memory>")))
        return found
    mem, why = scaled(mem_el, "KiB")
    raw, unit = (text_of(mem_el) or "").strip(), mem_el.get("unit")
    if why:
        return [_p(mem_el, _("<memory> is not a size libvirt accepts: {why}").format(why=why),
                   _("write a whole number and a unit, e.g. <memory unit='MiB'>512</memory>"))]
    if unit and unit.lower() in _DECIMAL_UNITS:
        found.append(_p(mem_el, _("unit='{unit}' is a power of 1000: {raw} {unit} = {bytes} bytes "
                                  "({mib} MiB). libvirt's KiB/MiB/GiB are powers of 1024").format(
                            unit=unit, raw=raw, bytes=f"{mem:,}", mib=f"{mem / 2**20:.1f}"),
                        _("if you meant binary units write unit='{binary}' "
                          "(the course notes' \"KB\" means KiB)").format(binary=_DECIMAL_UNITS[unit.lower()]), "note"))
    if mem == 0:
        found.append(_p(mem_el, _("<memory> is 0 (libvirt: \"Memory size must be specified\")"),
                        _("give the guest RAM, e.g. <memory unit='MiB'>512</memory>")))
    elif mem < MIN_BOOT_MEMORY:
        shown = f"<memory{f' unit={unit!r}' if unit else ''}>{raw}</memory>"
        if not unit or unit.lower() in ("k", "kib"):
            # libvirt defines and starts it (only 0 is refused): the guest then boots nothing
            found.append(strict(mem_el, _("{shown} is {raw} KiB = {mib} MiB, far too small to boot. "
                                          "A bare number is KiB (1024 bytes), not MiB").format(
                                    shown=shown, raw=raw, mib=f"{mem / 2**20:.2f}"),
                                _("if you meant {raw} MiB write <memory unit='MiB'>{raw}</memory>").format(raw=raw)))
        else:
            found.append(strict(mem_el, _("{shown} is {bytes} bytes, far too small to boot").format(
                                    shown=shown, bytes=f"{mem:,}"),
                                _("give at least 64 MiB; a small Linux guest wants 128-512 MiB: "
                                  "<memory unit='MiB'>512</memory>")))
    elif mem % 1024:
        found.append(_p(mem_el, _("{raw} {unit} is not a whole number of KiB; libvirt rounds it up").format(
                            raw=raw, unit=unit), _("use KiB, MiB or GiB"), "note"))
    cur, why = scaled(cur_el, "KiB")
    if why:
        found.append(_p(cur_el, _("<currentMemory> is not a size libvirt accepts: {why}").format(why=why),
                        _("write it like <memory>, e.g. <currentMemory unit='MiB'>512</currentMemory>")))
    elif cur is not None and mem and cur > mem:
        # domain_conf.c (virDomainDefPostParseMemory) clamps it to <memory>: no driver refuses it
        found.append(strict(cur_el, _("<currentMemory> ({current} KiB) is more than <memory> ({memory} "
                                      "KiB); libvirt would quietly cut it down").format(
                                current=cur // 1024, memory=mem // 1024),
                            _("<memory> is the maximum, <currentMemory> what the balloon gives now: make it <= <memory>")))
    return found


def _vcpu(root: etree._Element) -> list[Problem]:
    el = root.find("vcpu")
    if el is None:
        return []  # libvirt's default: 1
    text = (text_of(el) or "")
    count = c_uint(text)
    fix = N_("write how many virtual CPUs the guest gets, e.g. <vcpu>2</vcpu>")  # worded only when it is shown
    if text.strip().startswith("-"):
        return [_p(el, _("<vcpu>{text}</vcpu> is negative; libvirt reads it as {count} "
                         "(negative numbers wrap around)").format(text=text.strip(), count=count) if count is not None
                   else _("<vcpu>{text}</vcpu> is negative").format(text=text.strip()), _(fix))]
    if count is None:
        return [_p(el, _("<vcpu>{text}</vcpu> is not a whole number").format(text=text), _(fix))]
    found = []
    dom_type = root.get("type")
    if count == 0:
        found.append(_p(el, _("<vcpu>0</vcpu>: a guest needs at least one vCPU"), _(fix)))
    elif count > MAX_VCPUS:
        what = _("{count} vCPUs is unreasonable: no KVM host runs more than {most} in one guest").format(
            count=count, most=MAX_VCPUS)
        overhead = _(fix) + _("; more vCPUs than host CPUs only adds overhead")
        if dom_type in ("kvm", "qemu"):
            found.append(_p(el, _("{what}. {refuses} \"Maximum CPUs greater than specified machine type "
                                  "limit\"; {accepts}").format(what=what, refuses=_(QEMU_REFUSES),
                                                                accepts=_(TEST_ACCEPTS)), overhead))
        else:  # other drivers (test, …) define it: only QEMU knows its machines' limits
            found.append(strict(el, what, overhead))
    elif dom_type in ("kvm", "qemu") and count > QEMU_MAX_VCPUS:
        found.append(_p(el, _("{count} vCPUs: QEMU 7.2's largest PC machine (q35) runs at most {most}. "
                              "{refuses} \"Maximum CPUs greater than specified machine type limit\"; {accepts}").format(
                            count=count, most=QEMU_MAX_VCPUS, refuses=_(QEMU_REFUSES), accepts=_(TEST_ACCEPTS)),
                        _("use at most {most} (and usually no more than the host's CPUs)").format(most=QEMU_MAX_VCPUS)))
    current = el.get("current")
    if current is not None:
        cur = c_uint_positive(current)
        if cur is None or cur == 0:
            found.append(_p(el, _("current='{current}' must be a whole number from 1. libvirt's schema refuses it "
                                  "(`virsh define --validate`), and the QEMU driver at define: \"Domain requires at "
                                  "least 1 vCPU\"; {accepts} without --validate").format(
                                current=current, accepts=_(TEST_ACCEPTS)),
                            _("current= is how many of the vCPUs are online at boot; drop it to mean all")))
        elif count and cur > count:
            found.append(_p(el, _("current='{current}' is more than the maximum <vcpu>{count}</vcpu>").format(
                                current=cur, count=count),
                            _("the element's value is the maximum (hot-plug limit); current must not exceed it")))
    return found


def _boot(root: etree._Element) -> list[Problem]:
    found = []
    boots = root.findall("os/boot")
    devs = [b.get("dev") for b in boots]
    for b, dev in zip(boots, devs):
        if dev not in BOOT_DEVICES:
            found.append(_p(b, _("<boot dev='{dev}'> is not a boot device").format(dev=dev),
                            _("dev is one of hd (first disk), cdrom, network (PXE) or fd (floppy)")))
    for dev in {d for d in devs if devs.count(d) > 1}:
        # domain_conf.c keeps the list as written and QEMU's boot order just repeats itself
        found.append(strict(boots[devs.index(dev)], _("boot device '{dev}' is listed twice").format(dev=dev),
                            _("list each device once, in the order the firmware should try them")))
    ordered = root.xpath("./devices/*/boot[@order]")
    if boots and ordered:
        found.append(_p(ordered[0], _("per-device <boot order='N'/> and <os><boot dev=…/> are both used "
                                      "(libvirt refuses the mix)"),
                        _("use one style: <os><boot dev='hd'/></os>, or order= on devices")))
    orders = [o.get("order") for o in ordered]
    for o, value in zip(ordered, orders):
        if c_uint_positive(value) in (None, 0):
            found.append(_p(o, _("boot order='{value}' must be a whole number from 1").format(value=value),
                            _("1 is tried first")))
        elif orders.count(value) > 1:
            found.append(_p(o, _("boot order {value} is used twice").format(value=value),
                            _("give each bootable device its own number")))
    have = {"hd": root.xpath("./devices/disk[not(@device) or @device='disk']"),
            "cdrom": root.xpath("./devices/disk[@device='cdrom']"),
            "network": root.xpath("./devices/interface"), "fd": root.xpath("./devices/disk[@device='floppy']")}
    for b, dev in zip(boots, devs):
        if dev in have and not have[dev]:
            found.append(_p(b, _("boots from '{dev}' but the domain has no such device").format(dev=dev),
                            _("add a {dev} device, or drop <boot dev='{dev}'/>").format(dev=dev), "note"))
    return found
