"""Lesson 7 checks: libvirt's domain XML (libvirt XML配置文件) — <name>, <vcpu>, <memory>, <os>.

- :func:`memory_mistake`: what a wrong memory size most likely came from (the unit traps).
- :func:`check_domain`: a domain you defined, read back from libvirt: name, memory, vCPUs, OS, boot order.
- :func:`check_fixed_xml`: a broken XML document, fixed so that libvirt defines it with schema validation.

The classic mistake gets the most care: ``<memory>512</memory>`` is 512 **KiB** (half a MiB), because a
bare number in ``<memory>`` counts KiB; the course notes' "KB" means KiB (1024 bytes), while libvirt's own
``unit='KB'`` is 1000 bytes. Every verdict is computed from what libvirt holds, never from your text.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import KvmlabError, libvirt_errors
from ..specs import DomainSpec, check_xml
from .checks import ExerciseFailed, Passed, expect

__all__ = ["memory_mistake", "read_domain", "check_domain", "check_fixed_xml", "BROKEN_XML"]

# Exercise 7.2: a definition with one mistake per seed element (the writer meant 1 GiB, 2 vCPUs).
BROKEN_XML = """<domain type='kvm'>
  <name>broken7</name>
  <memory>1024</memory>
  <vcpu>two</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <boot dev='harddisk'/>
  </os>
  <cpus>2</cpus>
</domain>
"""


def _mib(kib: int) -> str:
    return f"{kib // 1024} MiB" if kib % 1024 == 0 else f"{kib / 1024:.2f} MiB"


def memory_mistake(kib: int, want_mib: int, where: str = "<memory>") -> tuple[str, str] | None:
    """(message, hint) naming the unit mistake that turns ``want_mib`` MiB into ``kib`` KiB; None if right.

    ``kib`` is what libvirt holds (it always stores KiB). The known slips, in the order they happen:
    a bare MiB number (read as KiB), MB instead of MiB, KB instead of KiB or x1000 instead of x1024
    (libvirt stores the same number for both), and a KiB number under ``unit='MiB'``.
    """
    want_kib = want_mib * 1024
    if kib == want_kib:
        return None
    right = f"<memory unit='MiB'>{want_mib}</memory> (or <memory>{want_kib}</memory>: a bare number is KiB)"
    if kib == want_mib:
        return (f"libvirt holds {kib} KiB = {_mib(kib)}: {where} got the MiB number {want_mib}, "
                "and a number without unit= counts KiB (the notes' \"KB\"), not MiB",
                f"write {right}")  # fmt: skip
    if kib * 1024 == want_mib * 10**6:
        return (f"libvirt holds {kib} KiB = {_mib(kib)}: unit='MB' counts megabytes of 1000 x 1000 bytes, "
                f"so {want_mib} MB is less than {want_mib} MiB",
                f"MiB (the i) is 1024 x 1024 bytes: write {right}")  # fmt: skip
    if kib == want_mib * 1000:  # the same number both ways: libvirt stores only the result
        return (f"libvirt holds {kib} KiB = {_mib(kib)}: a 1000 where 1024 belongs. Either unit='KB' (libvirt's "
                "KB is 1000 bytes, strict about the i) or MiB x 1000",
                f"the notes' \"KB\" is KiB: 1 MiB = 1024 KiB, so {want_mib} MiB = {want_kib} KiB; "
                f"or write {right}")  # fmt: skip
    if kib == want_kib * 1024:
        return (f"libvirt holds {kib} KiB = {kib // 2**20} GiB, 1024 times too much: the number {want_kib} "
                "is already KiB (or you wrote bytes), but the unit says MiB",
                f"either <memory unit='MiB'>{want_mib}</memory> or <memory unit='KiB'>{want_kib}</memory>")  # fmt: skip
    return (f"libvirt holds {kib} KiB = {_mib(kib)}, the task asks for {want_mib} MiB = {want_kib} KiB",
            f"write {right}")


def read_domain(conn: Any, name: str) -> DomainSpec:
    """The persistent definition of ``name`` as libvirt holds it (``virsh dumpxml --inactive``)."""
    try:
        return DomainSpec.from_xml(conn.dumpxml(name, inactive=True).xml)
    except KvmlabError as err:
        names = ", ".join(conn.list(all=True).names)
        raise ExerciseFailed(f"libvirt has no domain '{name}' ({err.message})",
                             hint=f"define it: conn.define(xml) (virsh define {name}.xml). "
                                  f"Defined now: {names}") from None  # fmt: skip


def _order(devs: Sequence[str]) -> str:
    return ", ".join(devs) if devs else "(none)"


def check_domain(conn: Any, name: str = "lab7", memory_mib: int = 512, vcpus: int = 2,
                 boot: Sequence[str] = ("cdrom", "hd")) -> Passed:
    """``name`` must be defined with ``memory_mib`` MiB, ``vcpus`` vCPUs, OS type hvm and ``boot`` order."""
    spec = read_domain(conn, name)
    kib = spec.memory
    expect(isinstance(kib, int), f"libvirt shows <memory>{kib}</memory>", hint="write a whole number of MiB")
    wrong = memory_mistake(kib, memory_mib)
    if wrong:
        raise ExerciseFailed(*wrong[:1], hint=wrong[1])
    expect(spec.vcpus == vcpus, f"libvirt shows <vcpu>{spec.vcpus}</vcpu>",
           hint=f"the task asks for {vcpus} virtual CPUs: <vcpu>{vcpus}</vcpu>")
    expect(spec.os_type == "hvm", f"<os><type> is '{spec.os_type}'",
           hint="hvm = a full virtual machine (hardware-assisted): <type arch='x86_64'>hvm</type>")
    got, want = list(spec.boot), list(boot)
    if got != want:
        if sorted(got) == sorted(want):
            raise ExerciseFailed(f"the boot order is {_order(got)}: the firmware tries the <boot> elements "
                                 "in the order they are written", hint=f"write them as {_order(want)}: "
                                 + "".join(f"<boot dev='{d}'/>" for d in want))  # fmt: skip
        raise ExerciseFailed(f"the boot devices are {_order(got)}", hint="one <boot dev=…/> per device, in order: "
                             + "".join(f"<boot dev='{d}'/>" for d in want))  # fmt: skip
    return Passed(f"'{name}' is defined as asked (read back with virsh dumpxml --inactive {name})",
                  f"<memory unit='KiB'>{kib}</memory> = {memory_mib} MiB: libvirt always stores KiB",
                  f"<vcpu>{spec.vcpus}</vcpu>, <os><type>hvm</type>, boot order {_order(got)}")


def check_fixed_xml(conn: Any, xml: object, name: str = "broken7", memory_mib: int = 1024,
                    vcpus: int = 2) -> Passed:
    """``xml``: :data:`BROKEN_XML` fixed. It must pass kvmlab's checks and libvirt's schema, keep the
    writer's intent (``memory_mib`` MiB, ``vcpus`` vCPUs) and be accepted by ``define(validate=True)``."""
    expect(isinstance(xml, str) and xml.strip() and xml.strip().upper() != "TODO", "no XML yet",
           hint="start from lesson07.BROKEN_XML and fix each element")
    try:
        problems = check_xml("domain", xml)
    except KvmlabError as err:
        raise ExerciseFailed(err.message, hint=err.hint) from None
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (then: {', '.join(p.path for p in errors[1:])})" if len(errors) > 1 else ""
        head = f"{len(errors)} problems left; first " if len(errors) > 1 else "1 problem left: "
        raise ExerciseFailed(f"{head}{first}{more}",
                             hint=f"{first.fix} [found by {'libvirt' if first.source == 'schema' else 'kvmlab'}'s "
                                  f"{'RelaxNG schema' if first.source == 'schema' else 'checks'}]")  # fmt: skip
    spec = DomainSpec.from_xml(xml)
    expect(spec.name == name, f"the <name> is '{spec.name}'", hint=f"keep the name: <name>{name}</name>")
    if spec.uuid is None and name in conn.list(all=True).names:
        # a second try: the same name and UUID make define update the definition, as virsh does
        with libvirt_errors():
            spec.uuid = conn.virconn.lookupByName(name).UUIDString()
    try:
        done = conn.define(spec.to_xml(), validate=True)
    except KvmlabError as err:
        raise ExerciseFailed("libvirt refused it: " + " / ".join(err.virsh_error), hint=err.hint) from None
    held = read_domain(conn, name)
    wrong = memory_mistake(held.memory, memory_mib)
    if wrong:
        raise ExerciseFailed("valid, but not what the writer meant: " + wrong[0],
                             hint=wrong[1] + " (the broken <memory>1024</memory> meant 1024 MiB)")
    expect(held.vcpus == vcpus, f"valid, but libvirt holds <vcpu>{held.vcpus}</vcpu>",
           hint=f"the writer meant 'two': <vcpu>{vcpus}</vcpu>")
    return Passed(f"'{name}' is valid and defined: {str(done).strip()}",
                  "kvmlab's checks and libvirt's RelaxNG schema find nothing; define(validate=True) "
                  "(virsh define --validate) accepted it",
                  f"libvirt holds {held.memory} KiB = {memory_mib} MiB and {held.vcpus} vCPUs; "
                  f"boot {_order(held.boot)}")
