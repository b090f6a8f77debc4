"""Teaching checks for ``<domain>``: what libvirt refuses (or quietly "fixes") and the schema misses.

Each problem names the element, says what is wrong and how to fix it. Memory gets the most
attention: a bare ``<memory>`` number is KiB (1024 bytes), ``unit='KB'`` is 1000 bytes, and
``<memory>512</memory>`` (512 KiB) is the classic "I meant MiB" mistake.
"""

from __future__ import annotations

from lxml import etree

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
QEMU_REFUSES = "The QEMU driver refuses it at define:"
TEST_ACCEPTS = "the test driver accepts it"
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
        return [_p(root, "the domain has no <name> (libvirt: \"missing name information\")",
                   "add <name>vm1</name>: virsh commands find the domain by it")]
    if "/" in name:
        return [_p(root.find("name"), f"the name '{name}' contains '/'",
                   "libvirt stores the definition as NAME.xml, so '/' is refused: use letters, digits, - and _")]
    return []


def _os_type(root: etree._Element) -> list[Problem]:
    if root.find("os/type") is None or not (text_of(root.find("os/type")) or "").strip():
        return [_p(root.find("os") if root.find("os") is not None else root,
                   "<os> has no <type> (libvirt: \"an os <type> must be specified\")",
                   "add <os><type arch='x86_64'>hvm</type></os>: hvm = a full virtual machine (KVM/QEMU)")]
    return []


def _memory(root: etree._Element) -> list[Problem]:
    found = []
    mem_el, cur_el = root.find("memory"), root.find("currentMemory")
    if mem_el is None:
        if not root.xpath("./cpu/numa/cell[@memory]"):
            found.append(_p(root, "no <memory>: libvirt needs to know how much RAM the guest gets",
                            "add <memory unit='MiB'>512</memory>"))
        return found
    mem, why = scaled(mem_el, "KiB")
    raw, unit = (text_of(mem_el) or "").strip(), mem_el.get("unit")
    if why:
        return [_p(mem_el, f"<memory> is not a size libvirt accepts: {why}",
                   "write a whole number and a unit, e.g. <memory unit='MiB'>512</memory>")]
    if unit and unit.lower() in _DECIMAL_UNITS:
        found.append(_p(mem_el, f"unit='{unit}' is a power of 1000: {raw} {unit} = {mem:,} bytes "
                        f"({mem / 2**20:.1f} MiB). libvirt's KiB/MiB/GiB are powers of 1024",
                        f"if you meant binary units write unit='{_DECIMAL_UNITS[unit.lower()]}' "
                        "(the course notes' \"KB\" means KiB)", "note"))
    if mem == 0:
        found.append(_p(mem_el, "<memory> is 0 (libvirt: \"Memory size must be specified\")",
                        "give the guest RAM, e.g. <memory unit='MiB'>512</memory>"))
    elif mem < MIN_BOOT_MEMORY:
        shown = f"<memory{f' unit={unit!r}' if unit else ''}>{raw}</memory>"
        if not unit or unit.lower() in ("k", "kib"):
            # libvirt defines and starts it (only 0 is refused): the guest then boots nothing
            found.append(strict(mem_el, f"{shown} is {raw} KiB = {mem / 2**20:.2f} MiB, far too small to boot. "
                                "A bare number is KiB (1024 bytes), not MiB",
                                f"if you meant {raw} MiB write <memory unit='MiB'>{raw}</memory>"))
        else:
            found.append(strict(mem_el, f"{shown} is {mem:,} bytes, far too small to boot",
                                "give at least 64 MiB; a small Linux guest wants 128-512 MiB: "
                                "<memory unit='MiB'>512</memory>"))
    elif mem % 1024:
        found.append(_p(mem_el, f"{raw} {unit} is not a whole number of KiB; libvirt rounds it up",
                        "use KiB, MiB or GiB", "note"))
    cur, why = scaled(cur_el, "KiB")
    if why:
        found.append(_p(cur_el, f"<currentMemory> is not a size libvirt accepts: {why}",
                        "write it like <memory>, e.g. <currentMemory unit='MiB'>512</currentMemory>"))
    elif cur is not None and mem and cur > mem:
        # domain_conf.c (virDomainDefPostParseMemory) clamps it to <memory>: no driver refuses it
        found.append(strict(cur_el, f"<currentMemory> ({cur // 1024} KiB) is more than <memory> ({mem // 1024} "
                            "KiB); libvirt would quietly cut it down",
                            "<memory> is the maximum, <currentMemory> what the balloon gives now: make it <= <memory>"))
    return found


def _vcpu(root: etree._Element) -> list[Problem]:
    el = root.find("vcpu")
    if el is None:
        return []  # libvirt's default: 1
    text = (text_of(el) or "")
    count = c_uint(text)
    fix = "write how many virtual CPUs the guest gets, e.g. <vcpu>2</vcpu>"
    if text.strip().startswith("-"):
        return [_p(el, f"<vcpu>{text.strip()}</vcpu> is negative; libvirt reads it as {count} "
                   "(negative numbers wrap around)" if count is not None else
                   f"<vcpu>{text.strip()}</vcpu> is negative", fix)]
    if count is None:
        return [_p(el, f"<vcpu>{text}</vcpu> is not a whole number", fix)]
    found = []
    dom_type = root.get("type")
    if count == 0:
        found.append(_p(el, "<vcpu>0</vcpu>: a guest needs at least one vCPU", fix))
    elif count > MAX_VCPUS:
        what = f"{count} vCPUs is unreasonable: no KVM host runs more than {MAX_VCPUS} in one guest"
        if dom_type in ("kvm", "qemu"):
            found.append(_p(el, f"{what}. {QEMU_REFUSES} \"Maximum CPUs greater than specified machine type "
                            f"limit\"; {TEST_ACCEPTS}", fix + "; more vCPUs than host CPUs only adds overhead"))
        else:  # other drivers (test, …) define it: only QEMU knows its machines' limits
            found.append(strict(el, what, fix + "; more vCPUs than host CPUs only adds overhead"))
    elif dom_type in ("kvm", "qemu") and count > QEMU_MAX_VCPUS:
        found.append(_p(el, f"{count} vCPUs: QEMU 7.2's largest PC machine (q35) runs at most {QEMU_MAX_VCPUS}. "
                        f"{QEMU_REFUSES} \"Maximum CPUs greater than specified machine type limit\"; {TEST_ACCEPTS}",
                        f"use at most {QEMU_MAX_VCPUS} (and usually no more than the host's CPUs)"))
    current = el.get("current")
    if current is not None:
        cur = c_uint_positive(current)
        if cur is None or cur == 0:
            found.append(_p(el, f"current='{current}' must be a whole number from 1. libvirt's schema refuses it "
                            "(`virsh define --validate`), and the QEMU driver at define: \"Domain requires at "
                            f"least 1 vCPU\"; {TEST_ACCEPTS} without --validate",
                            "current= is how many of the vCPUs are online at boot; drop it to mean all"))
        elif count and cur > count:
            found.append(_p(el, f"current='{cur}' is more than the maximum <vcpu>{count}</vcpu>",
                            "the element's value is the maximum (hot-plug limit); current must not exceed it"))
    return found


def _boot(root: etree._Element) -> list[Problem]:
    found = []
    boots = root.findall("os/boot")
    devs = [b.get("dev") for b in boots]
    for b, dev in zip(boots, devs):
        if dev not in BOOT_DEVICES:
            found.append(_p(b, f"<boot dev='{dev}'> is not a boot device",
                            "dev is one of hd (first disk), cdrom, network (PXE) or fd (floppy)"))
    for dev in {d for d in devs if devs.count(d) > 1}:
        # domain_conf.c keeps the list as written and QEMU's boot order just repeats itself
        found.append(strict(boots[devs.index(dev)], f"boot device '{dev}' is listed twice",
                            "list each device once, in the order the firmware should try them"))
    ordered = root.xpath("./devices/*/boot[@order]")
    if boots and ordered:
        found.append(_p(ordered[0], "per-device <boot order='N'/> and <os><boot dev=…/> are both used "
                        "(libvirt refuses the mix)", "use one style: <os><boot dev='hd'/></os>, or order= on devices"))
    orders = [o.get("order") for o in ordered]
    for o, value in zip(ordered, orders):
        if c_uint_positive(value) in (None, 0):
            found.append(_p(o, f"boot order='{value}' must be a whole number from 1", "1 is tried first"))
        elif orders.count(value) > 1:
            found.append(_p(o, f"boot order {value} is used twice", "give each bootable device its own number"))
    have = {"hd": root.xpath("./devices/disk[not(@device) or @device='disk']"),
            "cdrom": root.xpath("./devices/disk[@device='cdrom']"),
            "network": root.xpath("./devices/interface"), "fd": root.xpath("./devices/disk[@device='floppy']")}
    for b, dev in zip(boots, devs):
        if dev in have and not have[dev]:
            found.append(_p(b, f"boots from '{dev}' but the domain has no such device",
                            f"add a {dev} device, or drop <boot dev='{dev}'/>", "note"))
    return found
