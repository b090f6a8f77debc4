"""Lesson 15's guests on a real QEMU: the template's first boot (a machine-id and data written on its
disk, then shut down for good), its clones booted together, and each asked from inside over its serial
console (hostname, MAC, address, machine-id). :mod:`kvmlab.concepts.clone_lab` calls these; on
libvirt's test driver nothing boots and they are not called.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import libvirt

from ..errors import InvalidState, libvirt_errors
from ..i18n import _
from ..ops.result import Message, Table

__all__ = ["first_boot", "boot_guests", "ask_guests", "ASK"]

# in the guest: a machine-id line at the start of the disk (systemd writes /etc/machine-id at first boot the
# same way), then data from 1 MiB on, so a full copy has something to copy
_FIRST_BOOT = ("id=$(tr -d '-' < /proc/sys/kernel/random/uuid); "
               "printf 'machine-id=%s\\n' $id | dd of=/dev/vda bs=4096 count=1 conv=notrunc,fsync 2>/dev/null; "
               "yes kvmlab-template-data | head -c {size} | dd of=/dev/vda bs=1M seek=1 conv=notrunc,fsync "
               "2>/dev/null; sync; echo $id")
# in the guest: hostname, eth0's MAC and IPv4 address, the machine-id read from the disk itself ('-' for none)
ASK = ("hostname; cat /sys/class/net/eth0/address 2>/dev/null || echo -; "
       "ip -4 -o addr show dev eth0 2>/dev/null | sed -n 's/.* inet \\([0-9.]*\\).*/\\1/p' | grep . || echo -; "
       "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=4096 count=1 2>/dev/null | tr -d '\\000' "
       "| sed -n 's/^machine-id=//p' | grep . || echo -")


def first_boot(conn: Any, dom: libvirt.virDomain, name: str, timeout: float,
               progress: Callable[[str], None] | None, data_mib: int) -> None:
    """Boot the template once: it writes its machine-id and ``data_mib`` MiB on its disk; then shut it down."""
    from ..lab.console import Console
    from ..lab.lesson_guest import _wait_ready

    say = progress or (lambda _line: None)
    t0 = time.monotonic()
    say(_("first boot of {name}: it writes a machine-id and {mib} MiB on its disk, then shuts down ...").format(
        name=name, mib=data_mib))
    with libvirt_errors(f"Failed to start domain '{name}'"):
        dom.create()
    _wait_ready(conn, name, timeout, lambda _l: None, False)
    with Console.open(conn, name) as con:
        status, _lines = con.run(_FIRST_BOOT.format(size=data_mib << 20), 60.0)
    if status != 0:
        raise InvalidState(_("the template's first boot failed (exit status {status})").format(status=status),
                           hint=_("read its console: virsh console {name}").format(name=name))
    _shut_down(dom, 30.0)
    say(_("{name} is shut off ({seconds:.0f} s): the template").format(name=name, seconds=time.monotonic() - t0))


def _shut_down(dom: libvirt.virDomain, timeout: float) -> None:
    """virsh shutdown (the ACPI power button), waited for; destroy if the guest does not stop in time
    (its disk was synced already)."""
    with libvirt_errors():
        dom.shutdown()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with libvirt_errors():
            if not dom.isActive():
                return
        time.sleep(0.2)
    with libvirt_errors():
        dom.destroy()


def boot_guests(conn: Any, names: Sequence[str], network: str, backend: str, real: bool, timeout: float,
                progress: Callable[[str], None] | None) -> Message:
    """``virsh start`` each, all at once; on a real QEMU wait (bounded) for each shell and each DHCP lease."""
    say = progress or (lambda _line: None)
    for name in names:
        conn.start(name)
    line = "; ".join(f"virsh start {n}" for n in names)
    if not real:
        return Message(message=f"{len(names)} domain(s) started (test driver: nothing boots)", virsh=line,
                       api=["dom.create()  # per domain"])
    from ..lab.lesson_guest import _wait_lease, _wait_ready

    t0 = time.monotonic()
    say(_("booting {names} (the lab's tiny guest, under {backend}) ...").format(names=', '.join(names),
                                                                                 backend=backend))
    for name in names:
        _wait_ready(conn, name, max(5.0, timeout - (time.monotonic() - t0)), lambda _l: None, False)
        if network:
            with libvirt_errors():
                dom = conn.virconn.lookupByName(name)
            _wait_lease(conn.virconn, dom, network, max(5.0, timeout - (time.monotonic() - t0)), lambda _l: None)
    return Message(message=f"{len(names)} guest(s) up in {time.monotonic() - t0:.0f} s", virsh=line,
                   api=["dom.create()  # per domain", "console: wait for KVMLAB-GUEST-READY",
                        "net.DHCPLeases()  # until each MAC has a lease"])


def ask_guests(conn: Any, names: Sequence[str]) -> Table:
    """Each guest, asked over its serial console: hostname, eth0's MAC and address, the machine-id on its disk."""
    from ..lab.console import Console

    rows = []
    for name in names:
        with Console.open(conn, name) as con:
            status, lines = con.run(ASK, 30.0)
        if status != 0 or len(lines) < 4:
            raise InvalidState(_("{name} did not answer as expected: {lines}").format(name=name,
                                                                                      lines=repr(lines)[:200]),
                               hint=_("read its console: virsh console {name}").format(name=name))
        rows.append((name, *[ln.strip() for ln in lines[:4]]))
    return Table(header=("Guest", "hostname", "MAC (eth0)", "IPv4 (eth0)", "machine-id (on its disk)"),
                 rows=rows, virsh="; ".join(f"virsh console {n}" for n in names), api=["in the guest: " + ASK])
