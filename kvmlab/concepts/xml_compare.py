"""Two domain XMLs side by side, element by element, each difference explained (lesson 17).

virt-install fills in what its ``--osinfo`` says a guest wants; ``kvmlab xml domain`` writes only what
it was given and leaves the rest to libvirt's defaults. :func:`compare` reads both documents the same
way (one row per aspect: machine, disks, controllers, RNG, guest-agent channel …) and says why each
difference is there.

    >>> xml_compare.compare(virt_install_xml, kvmlab_xml, ("virt-install", "kvmlab xml"))
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Callable

from lxml import etree

from ..errors import InvalidInput
from ..i18n import _
from ..ops.result import Result
from ..specs.parser import xml_parser
from ..units import parse_size

__all__ = ["Row", "XmlComparison", "KvmlabXml", "compare", "ASPECTS", "kvmlab_xml_argv", "kvmlab_xml"]

_NONE = "—"


def _one(root: etree._Element, xpath: str, default: str = _NONE) -> str:
    found = root.xpath(xpath)
    return str(found[0]) if found else default


def _memory(root: etree._Element) -> str:
    el = root.find("memory")
    if el is None:
        return _NONE
    return f"{parse_size((el.text or '0') + (el.get('unit') or 'KiB'), 'KiB') // (1 << 20)} MiB"


def _kernel(root: etree._Element) -> str:
    kernel = root.findtext("os/kernel")
    if not kernel:
        boots = [b.get("dev") for b in root.findall("os/boot")]
        return "boot " + ",".join(boots) if boots else "(firmware's default boot)"
    initrd = root.findtext("os/initrd")
    parts = [PurePath(kernel).name] + ([PurePath(initrd).name] if initrd else [])
    return " + ".join(parts) + (f" [{root.findtext('os/cmdline')}]" if root.findtext("os/cmdline") else "")


def _features(root: etree._Element) -> str:
    return " ".join(f"<{el.tag}/>" for el in root.findall("features/*")) or _NONE


def _clock(root: etree._Element) -> str:
    timers = [f"{t.get('name')}:{t.get('tickpolicy') or ('off' if t.get('present') == 'no' else 'on')}"
              for t in root.findall("clock/timer")]
    return (_one(root, "clock/@offset") + (" " + " ".join(timers) if timers else "")) if root.find("clock") is not None \
        else _NONE


def _disks(device: str) -> Callable[[etree._Element], str]:
    def read(root: etree._Element) -> str:
        out = [f"{d.findtext('target') or d.find('target').get('dev')} on {d.find('target').get('bus') or '?'}"
               + (" (readonly)" if d.find("readonly") is not None else "")
               for d in root.findall(f"devices/disk[@device='{device}']") if d.find("target") is not None]
        return ", ".join(out) or _NONE
    return read


def _controllers(kind: str) -> Callable[[etree._Element], str]:
    def read(root: etree._Element) -> str:
        models = Counter(c.get("model") or c.get("type") for c in root.findall(f"devices/controller[@type='{kind}']"))
        return ", ".join(f"{m} ×{n}" if n > 1 else m for m, n in models.items()) or _NONE
    return read


def _nics(root: etree._Element) -> str:
    out = [f"{i.get('type')} {i.find('source').get('network') or i.find('source').get('bridge') or ''}".strip()
           + f" ({_one(i, 'model/@type', 'hypervisor default model')})"
           for i in root.findall("devices/interface") if i.find("source") is not None]
    return ", ".join(out) or _NONE


def _devices(tag: str, attr: str = "type") -> Callable[[etree._Element], str]:
    def read(root: etree._Element) -> str:
        return ", ".join(f"{tag} {el.get(attr) or ''}".strip() for el in root.findall(f"devices/{tag}")) or _NONE
    return read


def _channel(root: etree._Element) -> str:
    return ", ".join(_one(c, "target/@name", "?") for c in root.findall("devices/channel")) or _NONE


def _rng(root: etree._Element) -> str:
    return ", ".join(f"{r.get('model')} <- {_one(r, 'backend/text()', '?')}" for r in root.findall("devices/rng")) \
        or _NONE


# (aspect, how to read it, why it differs)
ASPECTS: list[tuple[str, Callable[[etree._Element], str], str]] = [
    ("domain type", lambda r: r.get("type") or _NONE,
     "kvm = hardware-assisted, qemu = TCG emulation; virt-install picks kvm when the host offers it"),
    ("machine", lambda r: _one(r, "os/type/@machine", "(libvirt's default: pc)"),
     "q35 (PCIe, SATA, ICH9) is what libosinfo recommends for a modern OS; i440fx ('pc') is QEMU's older default"),
    ("memory", _memory, "the same --memory on both sides (a bare number is MiB)"),
    ("boot", _kernel, "direct kernel boot (<kernel>, <initrd>, <cmdline>) on both: no firmware boot loader runs"),
    ("features", _features, "virt-install adds <acpi/> <apic/> (power button, interrupt controller)"),
    ("cpu", lambda r: _one(r, "cpu/@mode", "(hypervisor default)"),
     "under kvm virt-install passes the host's CPU through; under TCG QEMU's default model is used"),
    ("clock", _clock, "virt-install tunes the timers for a Linux guest (rtc catch-up, pit delay, no hpet)"),
    ("disks", _disks("disk"), "libosinfo says the OS has virtio drivers: vda on the virtio bus"),
    ("cdroms", _disks("cdrom"), "a CD-ROM is always read-only; on q35 it sits on SATA (sda), on pc on IDE (hda)"),
    ("pci controllers", _controllers("pci"),
     "on q35 every PCIe device needs a root port: virt-install adds spare ones so devices can be hot-plugged later"),
    ("usb controllers", _controllers("usb"), "qemu-xhci (USB 3) for a modern OS; none asked on the kvmlab side"),
    ("network", _nics, "each lab's network; virtio on both (virt-install because the OS has the driver, kvmlab xml by default)"),
    ("console / serial", lambda r: ", ".join(sorted({f"{el.tag} {el.get('type')}" for el in
                                                     r.findall("devices/console") + r.findall("devices/serial")}))
     or _NONE, "--graphics none gives a serial console: the guest speaks on ttyS0"),
    ("channels", _channel, "org.qemu.guest_agent.0: a virtio-serial port for the QEMU guest agent (virsh domifaddr "
                           "--source agent, fsfreeze …); useless unless the guest runs qemu-guest-agent"),
    ("rng", _rng, "virtio-rng feeds the guest's entropy pool from the host's /dev/urandom"),
    ("memballoon", _devices("memballoon", "model"), "the balloon lets virsh setmem take memory back from a running guest"),
    ("graphics / video", lambda r: ", ".join(f"{el.tag} {el.get('type') or el.get('model') or _one(el, 'model/@type')}"
                                             for el in r.findall("devices/graphics") + r.findall("devices/video"))
     or _NONE, "--graphics none: no display at all"),
    ("osinfo metadata", lambda r: _one(r, "metadata/*[local-name()='libosinfo']/*[local-name()='os']/@id"),
     "virt-install records which OS it tuned the guest for (virt-manager shows it)"),
]


@dataclass(frozen=True)
class Row:
    aspect: str
    left: str
    right: str
    why: str

    @property
    def same(self) -> bool:
        return self.left == self.right


@dataclass
class XmlComparison(Result):
    """The rows of a comparison; ``differences`` are the rows that differ."""

    labels: tuple[str, str] = ("left", "right")
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    @property
    def differences(self) -> list[Row]:
        return [r for r in self.rows if not r.same]

    def row(self, aspect: str) -> Row:
        return next(r for r in self.rows if r.aspect == aspect)

    def text(self) -> str:
        a, b = self.labels
        out = []
        for r in self.rows:
            mark = "=" if r.same else "≠"
            out.append(f"{mark} {r.aspect}\n    {a + ':':16}{r.left}\n    {b + ':':16}{r.right}")
            if not r.same:
                out.append(f"    why: {r.why}")
        same = len(self.rows) - len(self.differences)
        tail = f"\n({len(self.differences)} aspects differ, {same} are the same)\n"
        return "\n".join(out) + tail + (f"{self.note}\n" if self.note else "")


def _parse(xml: str, label: str) -> etree._Element:
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput(_("{label}: no XML to compare").format(label=label),
                           hint=_("pass the text of a <domain> document"))
    try:
        root = etree.fromstring(xml.strip().split("</domain>")[-2].strip().encode() + b"</domain>"
                                if xml.count("</domain>") > 1 else xml.strip().encode(), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(_("{label}: the XML is not well-formed: {exc}").format(label=label, exc=exc),
                           hint=_("compare what virt-install --print-xml and kvmlab xml domain printed, unchanged")
                           ) from exc
    if root.tag != "domain":
        raise InvalidInput(_("{label}: expected <domain>, got <{tag}>").format(label=label, tag=root.tag),
                           hint=_("both sides must be domain XML"))
    return root


def compare(left: str, right: str, labels: tuple[str, str] = ("virt-install", "kvmlab xml")) -> XmlComparison:
    """Compare two domain XMLs aspect by aspect. When ``left`` holds two documents (virt-install's
    install phase then its final one), the last is compared."""
    a, b = _parse(left, labels[0]), _parse(right, labels[1])
    rows = [Row(name, read(a), read(b), why) for name, read, why in ASPECTS]
    return XmlComparison(labels=labels, rows=rows, virsh="virsh dumpxml NAME (of each, once defined)", api=[])


def kvmlab_xml_argv(name: str, disk: str, *, kernel: str, initrd: str, kernel_args: str, cdrom: str | None,
                    network: str | None, memory_mib: int = 128, virt_type: str = "qemu") -> list[str]:
    """``kvmlab xml domain`` options for the same guest as :func:`kvmlab.concepts.virt_install.command`."""
    argv = ["kvmlab", "xml", "domain", "--name", name, "--memory", str(memory_mib), "--virt-type", virt_type,
            "--kernel", kernel, "--initrd", initrd, "--kernel-args", kernel_args, "--disk", disk]
    if cdrom:
        argv += ["--disk", f"{cdrom},device=cdrom,bus=sata"]
    if network:
        argv += ["--network", network]
    return argv


@dataclass
class KvmlabXml(Result):
    """What ``kvmlab xml domain …`` printed (stdout: the XML; stderr: an error and its hint)."""

    argv: list[str] = field(default_factory=list)
    returncode: int = 0
    xml: str = ""
    error: str = ""

    def text(self) -> str:
        return f"$ {shlex.join(self.argv)}\n" + (self.xml if self.returncode == 0 else self.error)


def kvmlab_xml(argv: list[str], timeout: float = 60.0) -> KvmlabXml:
    """Run ``kvmlab xml …`` (the command line, in a child process of this Python) and keep what it printed."""
    if not isinstance(argv, list) or argv[:2] != ["kvmlab", "xml"] or not all(isinstance(a, str) and "\0" not in a
                                                                          for a in argv):
        raise InvalidInput(_("not a kvmlab xml command: {argv}").format(argv=repr(argv)),
                           hint=_("start it with ['kvmlab', 'xml', 'domain', …]"))
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-m", "kvmlab.cli.main", *argv[1:]], capture_output=True, text=True,
                         timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    return KvmlabXml(argv=argv, returncode=out.returncode, xml=out.stdout, error=out.stderr,
                     virsh="(kvmlab xml writes the XML; virsh define FILE would define it)", api=[])
