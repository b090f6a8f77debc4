"""Teaching checks for ``<domainsnapshot>``: what libvirt refuses about the disks a snapshot names.

The schema (domainsnapshot.rng) already refuses an external memory snapshot without an absolute
``file``, a ``<source>`` on a disk that is not external, and a raw overlay (it cannot hold a
backing file). What is left is what libvirt's code refuses once it compares the request with
itself: the same disk named twice, and internal and external parts in one snapshot.
"""

from __future__ import annotations

from lxml import etree

from ..i18n import _
from .checks_devices import problem as _p
from .problems import Problem

__all__ = ["snapshot_problems"]


def snapshot_problems(root: etree._Element) -> list[Problem]:
    found: list[Problem] = []
    seen: set[str] = set()
    for disk in root.findall("disks/disk"):
        name = disk.get("name")
        if name in seen:
            found.append(_p(disk, _("disk '{name}' is named twice (libvirt: \"disk '{name}' specified twice\")"
                                    ).format(name=name),
                            _("name each disk once in <disks>")))
        seen.add(name)
    memory = root.find("memory")
    external = [d.get("name") for d in root.findall("disks/disk") if d.get("snapshot") == "external"]
    if memory is not None and memory.get("snapshot") == "internal" and external:
        found.append(_p(memory, _("the memory goes inside the qcow2 (internal) but disk '{disk}' gets an "
                                  "external overlay: libvirt's qemu driver refuses to mix them (\"mixing internal and "
                                  "external targets for a snapshot is not yet supported\")").format(disk=external[0]),
                        _("make the memory external too (<memory snapshot='external' file='/path/vm.mem'/>), "
                          "or leave out <memory> and snapshot only the disks (--disk-only)")))
    return found
