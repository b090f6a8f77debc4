"""Lesson 7 checks: libvirt's domain XML (libvirt XML配置文件) — <name>, <vcpu>, <memory>, <os>.

- :func:`memory_mistake`: what a wrong memory size most likely came from (the unit traps).
- :func:`check_domain` (7.1): a domain you defined, read back from libvirt: name, memory, vCPUs, OS, boot order.
- :func:`check_fixed_xml` (7.2): a broken XML document, fixed so that libvirt defines it with schema validation.
- :func:`check_memory_query` (7.3): a virsh line that prints only a domain's ``<memory>`` (``dumpxml --xpath``),
  run on your connection, and your prediction of the number libvirt prints.

The classic mistake gets the most care: ``<memory>512</memory>`` is 512 **KiB** (half a MiB), because a
bare number in ``<memory>`` counts KiB; the course notes' "KB" means KiB (1024 bytes), while libvirt's own
``unit='KB'`` is 1000 bytes. Every verdict is computed from what libvirt holds, never from your text.
A failure names the idea first, then the element (the hint ladder); ``show_answer("7.1")`` gives the code.
"""

from __future__ import annotations

import io
from typing import Any, Sequence

from lxml import etree

from ..errors import KvmlabError, libvirt_errors
from ..i18n import N_, _
from ..specs import DomainSpec, check_xml
from ..virsh.streams import HINT_PREFIX, bound
from .checks import ExerciseFailed, Passed, expect, run_line, virsh_line
from .ladder import graded

__all__ = ["memory_mistake", "read_domain", "check_domain", "check_fixed_xml", "check_memory_query", "BROKEN_XML"]

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

UNITS = N_("lesson 7, '<memory>: KiB, and the \"KB\" trap'")


def _mib(kib: int) -> str:
    return f"{kib // 1024} MiB" if kib % 1024 == 0 else f"{kib / 1024:.2f} MiB"


def memory_mistake(kib: int, want_mib: int, where: str = "<memory>") -> tuple[str, str, str] | None:
    """(message, concept, pointer) naming the unit mistake that turns ``want_mib`` MiB into ``kib`` KiB;
    None if right.

    ``kib`` is what libvirt holds (it always stores KiB). The known slips, in the order they happen:
    a bare MiB number (read as KiB), MB instead of MiB, KB instead of KiB or x1000 instead of x1024
    (libvirt stores the same number for both), and a KiB number under ``unit='MiB'``. The concept and
    the pointer are the first two rungs of the hint ladder: neither gives the number to write.
    The texts are worded in the learner's language when a mistake is found.
    """
    want_kib = want_mib * 1024
    if kib == want_kib:
        return None
    units, held = _(UNITS), _mib(kib)
    if kib == want_mib:
        return (_("libvirt holds {kib} KiB = {held}: {where} got the MiB number {want_mib}, "
                  "and a number without unit= counts KiB (the notes' \"KB\"), not MiB").format(
                    kib=kib, held=held, where=where, want_mib=want_mib),
                _("{where} counts KiB unless unit= names another unit; a bare number is KiB").format(where=where),
                _("give {where} a unit='MiB' attribute, or write the size in KiB (MiB x 1024); {units}").format(
                    where=where, units=units))  # fmt: skip
    if kib * 1024 == want_mib * 10**6:
        cause = (_("either unit='MB' (10^6 bytes each) or {gb} GB taken as {kib} KB").format(gb=want_mib // 1024, kib=kib)
                 if want_mib % 1024 == 0 else _("unit='MB' counts 10^6 bytes each"))
        return (_("libvirt holds {kib} KiB = {held}: a power of 1000 where 1024 belongs: {cause}; memory "
                  "counts in powers of 1024").format(kib=kib, held=held, cause=cause),
                _("MiB (with the i) is 1024 x 1024 bytes; MB is 1000 x 1000"),
                _("the unit= of {where}: the binary unit has an i; {units}").format(where=where, units=units))  # fmt: skip
    if kib == want_mib * 1000:  # the same number both ways: libvirt stores only the result
        return (_("libvirt holds {kib} KiB = {held}: a 1000 where 1024 belongs: you either wrote unit='KB' "
                  "(libvirt's KB is 1000 bytes; KiB has the i) or multiplied the MiB by 1000").format(kib=kib, held=held),
                _("the notes' \"KB\" is KiB: 1 MiB = 1024 KiB, and libvirt's unit='KB' is 1000 bytes"),
                _("multiply MiB by 1024 for a KiB number (unit='KiB' or none), or write unit='MiB'; {units}").format(
                    units=units))  # fmt: skip
    if kib == want_kib * 1024:
        return (_("libvirt holds {kib} KiB = {gib} GiB, 1024 times too much: the number {want_kib} "
                  "is already KiB (or you wrote bytes), but the unit says MiB").format(
                    kib=kib, gib=kib // 2**20, want_kib=want_kib),
                _("the number and its unit= must agree: a KiB count under unit='MiB' is read as MiB"),
                _("keep the number and say it is KiB, or keep unit='MiB' and write the MiB number; {units}").format(
                    units=units))  # fmt: skip
    if want_mib % 1024 == 0 and abs(kib * 1024 - want_mib // 1024 * 10**9) < 1024:  # libvirt rounds up to KiB
        return (_("libvirt holds {kib} KiB = {held}: unit='GB' counts 10^9 bytes; the binary unit has an i "
                  "(GiB)").format(kib=kib, held=held),
                _("MiB and GiB (with the i) are powers of 1024; MB and GB are powers of 1000"),
                _("the unit= of {where}: the binary unit has an i; {units}").format(where=where, units=units))
    return (_("libvirt holds {kib} KiB = {held}, not {want_mib} MiB").format(kib=kib, held=held, want_mib=want_mib),
            _("libvirt stores memory in KiB: 1 MiB = 1024 KiB"),
            _("the number and unit= of {where}; {units}").format(where=where, units=units))


def read_domain(conn: Any, name: str) -> DomainSpec:
    """The persistent definition of ``name`` as libvirt holds it (``virsh dumpxml --inactive``)."""
    try:
        return DomainSpec.from_xml(conn.dumpxml(name, inactive=True).xml)
    except KvmlabError as err:
        names = ", ".join(conn.list(all=True).names)
        raise ExerciseFailed(_("libvirt has no domain '{name}' ({message}). Defined now: {names}").format(
                                 name=name, message=err.message, names=names),
                             hint=_("a VM exists for libvirt once its XML is registered: defined"),
                             pointer=_("virsh define FILE registers a definition (conn.define(xml) in kvmlab); "
                                       "lesson 8")) from None  # fmt: skip


def _order(devs: Sequence[str]) -> str:
    return ", ".join(devs) if devs else _("(none)")


def _domain_xml(name: str, memory_mib: int, vcpus: int, boot: Sequence[str], arch: bool = True) -> str:
    boots = "".join(f"\n    <boot dev='{d}'/>" for d in boot)
    return (f"<domain type='kvm'>\n  <name>{name}</name>\n  <memory unit='MiB'>{memory_mib}</memory>\n"
            f"  <vcpu>{vcpus}</vcpu>\n  <os>\n    <type arch='x86_64'>hvm</type>{boots}\n  </os>\n</domain>")


def _redo(name: str) -> str:
    """Before defining ``name`` again: an earlier try is stopped and undefined (the answer's first lines)."""
    return (f'if "{name}" in conn.list().names:           # an earlier try, running: stop it\n'
            f'    conn.destroy("{name}")                  # virsh destroy {name}\n'
            f'if "{name}" in conn.list(all=True).names:   # an earlier try, defined: libvirt keeps it\n'
            f'    conn.undefine("{name}")                 # virsh undefine {name}\n')


def _retry(name: str) -> str:
    """How to define ``name`` again, for every failure's message: a practical step, not the answer."""
    return _(" — to try again: conn.undefine(\"{name}\") first (virsh undefine {name}), then define the fixed XML "
             "(libvirt refuses a second '{name}' without the first one's UUID)").format(name=name)


@graded("7.1", answer=lambda name="lab7", memory_mib=512, vcpus=2, **_: (
    _redo(name) + f'xml = """{_domain_xml(name, memory_mib, vcpus, ("cdrom", "hd"))}\n"""\n'
    f"conn.define(xml)   # virsh define {name}.xml"))
def check_domain(conn: Any, name: str = "lab7", memory_mib: int = 512, vcpus: int = 2,
                 boot: Sequence[str] = ("cdrom", "hd")) -> Passed:
    """``name`` must be defined with ``memory_mib`` MiB, ``vcpus`` vCPUs, OS type hvm and ``boot`` order."""
    spec = read_domain(conn, name)
    kib, redo = spec.memory, _retry(name)
    expect(isinstance(kib, int), _("libvirt shows <memory>{kib}</memory>").format(kib=kib) + redo,
           hint=_("write a whole number of MiB"))
    wrong = memory_mistake(kib, memory_mib)
    if wrong:
        raise ExerciseFailed(wrong[0] + redo, hint=wrong[1], pointer=wrong[2])
    expect(spec.vcpus == vcpus, _("libvirt shows <vcpu>{got}</vcpu>, the task asks for {vcpus} vCPUs").format(
               got=spec.vcpus, vcpus=vcpus) + redo,
           hint=_("one element holds how many virtual CPUs the guest gets"),
           pointer=_("<vcpu>N</vcpu> (lesson 7, '<vcpu> and <os>')"))
    expect(spec.os_type == "hvm", _("<os><type> is '{os_type}'").format(os_type=spec.os_type) + redo,
           hint=_("<os><type> names the kind of guest: a full virtual machine, for an OS made to run on real "
                  "hardware, whether KVM or TCG runs it (formatdomain: 'designed to run on bare metal, so requires "
                  "full virtualization'); 'linux' would be a Xen paravirtual guest"),
           pointer=_("the text of <os><type arch='x86_64'>…</type> (lesson 7, '<vcpu> and <os>'), formatdomain's word "
                     "for full virtualization"))
    got, want = list(spec.boot), list(boot)
    if got != want:
        if sorted(got) == sorted(want):
            raise ExerciseFailed(_("the boot order is {got}: the firmware tries the <boot> elements "
                                   "in the order they are written").format(got=_order(got)) + redo,
                                 hint=_("the order of the <boot> elements is the order the firmware tries"),
                                 pointer=_("swap the <boot dev=…/> elements inside <os> so they read {want}").format(
                                     want=_order(want)))
        raise ExerciseFailed(_("the boot devices are {got}, the task asks for {want}").format(
                                 got=_order(got), want=_order(want)) + redo,
                             hint=_("the firmware tries one device per <boot> element, in the order written"),
                             pointer=_("one <boot dev=…/> per device inside <os>; dev is hd, cdrom, network or fd"))
    return Passed(_("'{name}' is defined as asked (read back with virsh dumpxml --inactive {name})").format(name=name),
                  _("<memory unit='KiB'>{kib}</memory> = {memory_mib} MiB: libvirt always stores KiB").format(
                      kib=kib, memory_mib=memory_mib),
                  _("<vcpu>{vcpus}</vcpu>, <os><type>hvm</type>, boot order {order}").format(
                      vcpus=spec.vcpus, order=_order(got)))


# Exercise 7.2: the idea behind each element the validators name first, then where to look ({units}: UNITS).
_FIXES = N_({
    "/domain/memory": ("a bare number in <memory> counts KiB", "the unit= attribute of <memory>; {units}"),
    "/domain/vcpu": ("<vcpu> holds a count of virtual CPUs, written in digits", "the text of <vcpu>"),
    "/domain/os/boot": ("<boot dev=…> names a kind of device from a fixed list, not a description",
                        "dev is one of hd, cdrom, network, fd (lesson 7, '<vcpu> and <os>')"),
    "/domain/cpus": ("libvirt's schema lists every element <domain> may hold; without validation libvirt drops an "
                     "unknown one without a word",
                     "<domain> has no <cpus>: the vCPU count lives in <vcpu> (lesson 7, 'Three validators')"),
})


def _by_line(problems: list) -> list:
    """One problem per element (the schema and kvmlab's checks may both name it), in the order of the lines."""
    seen: dict[str, Any] = {}
    for p in sorted(problems, key=lambda p: p.line if p.line is not None else 10**9):
        seen.setdefault(p.path.split("[")[0], p)
    return list(seen.values())


def _one_vcpu(xml: str) -> None:
    """<cpus> turned into a second <vcpu>: say so, before the schema's "Extra element vcpu in interleave"."""
    try:
        root = etree.fromstring(xml.encode())
    except etree.XMLSyntaxError:
        return  # check_xml said it already
    if len(root.findall("vcpu")) > 1:
        raise ExerciseFailed(_("<domain> holds <vcpu> {n} times: libvirt's schema allows one "
                               "(it says: Extra element vcpu in interleave)").format(n=len(root.findall("vcpu"))),
                             hint=_("one element holds the vCPU count; a line the schema does not know is removed, "
                                    "not turned into a copy of another element"),
                             pointer=_("<vcpu> once, with the count in digits; the <cpus> line goes"))


@graded("7.2", answer=lambda name="broken7", memory_mib=1024, vcpus=2, **_: (
    f'xml = """{_domain_xml(name, memory_mib, vcpus, ("hd",))}\n"""   # <cpus> removed: <vcpu> says it\n'
    "lesson07.check_fixed_xml(conn, xml)   # defines it: virsh define --validate"))
def check_fixed_xml(conn: Any, xml: object, name: str = "broken7", memory_mib: int = 1024,
                    vcpus: int = 2) -> Passed:
    """``xml``: :data:`BROKEN_XML` fixed. It must pass kvmlab's checks and libvirt's schema, keep the
    writer's intent (``memory_mib`` MiB, ``vcpus`` vCPUs) and be accepted by ``define(validate=True)``."""
    expect(isinstance(xml, str) and xml.strip() and xml.strip().upper() != "TODO", _("no XML yet"),
           hint=_("start from lesson07.BROKEN_XML and fix each element"), untried=True)
    untried = xml.strip() == BROKEN_XML.strip()  # the cell as shipped: a diagnosis, but no attempt yet
    try:
        problems = check_xml("domain", xml)
    except KvmlabError as err:
        raise ExerciseFailed(err.message, hint=err.hint) from None
    _one_vcpu(xml)
    errors = _by_line([p for p in problems if p.severity == "error"])
    if errors:
        first = errors[0]
        more = (_(" (then: {paths})").format(paths=", ".join(p.path for p in errors[1:])) if len(errors) > 1
                else "")
        head = _("{n} problems left; first ").format(n=len(errors)) if len(errors) > 1 else _("1 problem left: ")
        head = (_("xml is still lesson07.BROKEN_XML, unchanged: ") if untried else "") + head
        by = _("libvirt's RelaxNG schema") if first.source == "schema" else _("kvmlab's checks")
        if first.path in _FIXES:
            concept, pointer = _(_FIXES[first.path][0]), _(_FIXES[first.path][1]).format(units=_(UNITS))
        else:  # the validator's own fix (worded by kvmlab.specs)
            concept, pointer = _("each validator says what the element may hold"), first.fix
        raise ExerciseFailed(f"{head}{first}{more}",
                             hint=_("{concept} [found by {by}]").format(concept=concept, by=by), pointer=pointer,
                             untried=untried)
    spec = DomainSpec.from_xml(xml)
    expect(spec.name == name, _("the <name> is '{got}', the check defines '{name}'").format(got=spec.name, name=name),
           hint=_("the check defines the writer's VM under the writer's name"), pointer=_("the text of <name>"))
    if spec.uuid is None and name in conn.list(all=True).names:
        # a second try: the same name and UUID make define update the definition, as virsh does
        with libvirt_errors():
            spec.uuid = conn.virconn.lookupByName(name).UUIDString()
    try:
        done = conn.define(spec.to_xml(), validate=True)
    except KvmlabError as err:
        raise ExerciseFailed(_("libvirt refused it: ") + " / ".join(err.virsh_error), hint=err.hint) from None
    held = read_domain(conn, name)
    wrong = memory_mistake(held.memory, memory_mib)
    if wrong:
        raise ExerciseFailed(_("valid, but not what the writer meant: {wrong} (the broken <memory>1024</memory> "
                               "meant {memory_mib} MiB)").format(wrong=wrong[0], memory_mib=memory_mib),
                             hint=wrong[1], pointer=wrong[2])
    expect(held.vcpus == vcpus, _("valid, but libvirt holds <vcpu>{got}</vcpu>; the writer meant 'two'").format(
               got=held.vcpus),
           hint=_("<vcpu> holds the number of virtual CPUs the writer meant"), pointer=_("the text of <vcpu>"))
    return Passed(_("'{name}' is valid and defined: {done}").format(name=name, done=str(done).strip()),
                  _("kvmlab's checks and libvirt's RelaxNG schema find nothing; define(validate=True) "
                    "(virsh define --validate) accepted it"),
                  _("libvirt holds {kib} KiB = {memory_mib} MiB and {vcpus} vCPUs; boot {order}").format(
                      kib=held.memory, memory_mib=memory_mib, vcpus=held.vcpus, order=_order(held.boot)))


# Exercise 7.3: what other commands do instead of printing a VM's <memory> element.
_NOT_DUMPXML = N_({
    "dominfo": "dominfo prints a summary (Max memory: … KiB), not the XML element libvirt holds",
    "edit": "edit opens the definition in an editor to change it; the task only reads",
    "define": "define registers XML; the task reads what libvirt made of it",
    "net-dumpxml": "net-dumpxml prints a virtual network's XML; a VM's is another command",
    "pool-dumpxml": "pool-dumpxml prints a storage pool's XML; a VM's is another command",
    "vol-dumpxml": "vol-dumpxml prints a volume's XML; a VM's is another command",
    "list": "list shows the VMs, not their XML",
})
XPATH = N_("dumpxml's --xpath option (lesson 7 used it as conn.dumpxml(NAME, xpath=…))")


def _nodes(text: str) -> list[Any]:
    """The nodes an ``--xpath`` printed: elements, or strings for text and attributes."""
    body = text.strip()
    if not body:
        return []
    try:
        root = etree.fromstring(body if body.startswith("<nodes") else f"<nodes>{body}</nodes>")
    except etree.XMLSyntaxError:
        return body.split()
    return [*([root.text.strip()] if root.text and root.text.strip() else []), *root]


def _run_capturing(conn: Any, inv: Any) -> tuple[Any, str]:
    """Run ``inv`` as virsh would: its result, and what it wrote on stderr (libxml2's XPath complaint)."""
    out, err = io.StringIO(), io.StringIO()
    with bound(out, err):
        result = run_line(conn, inv)
    return result, err.getvalue()


@graded("7.3", answer=lambda name="lab7", memory_mib=512, **_: (
    f'line = "virsh dumpxml {name} --xpath /domain/memory"\n'
    f"kib = {memory_mib * 1024}   # {memory_mib} MiB x 1024: libvirt stores <memory> in KiB, whatever unit= you wrote"))
def check_memory_query(conn: Any, line: object, kib: object, name: str = "lab7", memory_mib: int = 512) -> Passed:
    """``line``: the virsh command that prints only ``name``'s ``<memory>`` element; it is parsed as virsh
    does and run on ``conn``. ``kib``: your prediction of the number inside it (you wrote ``memory_mib`` MiB)."""
    inv = virsh_line(line, f"virsh COMMAND {name} --OPTION VALUE")
    cmd = inv.command.name
    if cmd != "dumpxml":
        raise ExerciseFailed(_("{cmd} does not print {name}'s <memory> element").format(cmd=cmd, name=name),
                             hint=(_(_NOT_DUMPXML[cmd]) if cmd in _NOT_DUMPXML
                                   else _("the task prints part of a VM's XML as libvirt holds it")),
                             pointer=_("virsh dumpxml prints a VM's XML (lesson 7, 'A real definition')"))
    target = str(inv.values.get("domain"))
    try:
        real = conn.dominfo(target).name  # virsh's lookup: an id or UUID names a domain too
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: error: {message}").format(message=err.message), hint=err.hint) from None
    expect(real == name, _("the line names '{name}'").format(name=real) if real == target
           else _("'{target}' is {name}").format(target=target, name=real),
           hint=_("the task reads '{name}'").format(name=name), pointer=_("name '{name}' on the line").format(name=name))
    xpath = inv.values.get("xpath")
    if not xpath:
        raise ExerciseFailed(_("'{line}' prints the whole document; the task wants only <memory>").format(line=inv.line),
                             hint=_("virsh can pick nodes out of the XML itself, with an XPath expression"),
                             pointer=_("{how}: a path from the root element down to <memory>").format(how=_(XPATH)))
    result, stderr = _run_capturing(conn, inv)
    nodes = _nodes(str(result))
    elements = [n for n in nodes if not isinstance(n, str)]
    complaint = " ".join(ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith(HINT_PREFIX))
    if complaint:  # virsh prints libxml2's complaint and still exits 0, with nothing on stdout
        raise ExerciseFailed(_("--xpath '{xpath}' is not an XPath libxml2 can read (virsh prints: {complaint})").format(
                                 xpath=xpath, complaint=complaint),
                             hint=_("an XPath is a path of element names from the root, /a/b/c; [ ] hold a condition"),
                             pointer=_("<memory> sits directly under <domain>: virsh dumpxml {name} shows the tree").format(
                                 name=name))
    if not nodes:
        raise ExerciseFailed(_("the line printed nothing: --xpath '{xpath}' selects no node of {name}'s XML").format(
                                 xpath=xpath, name=name),
                             hint=_("an XPath walks the tree from the root element down, one /name per level; "
                                    "names are case-sensitive"),
                             pointer=_("<memory> sits directly under <domain>: virsh dumpxml {name} shows the tree").format(
                                 name=name))
    if not elements:
        raise ExerciseFailed(_("--xpath '{xpath}' prints {nodes}, not the element: "
                               "a number of memory means nothing without its unit").format(
                                 xpath=xpath, nodes=" ".join(map(str, nodes))),
                             hint=_("the element carries both the number and its unit="),
                             pointer=_("select the element itself, not its text() or an @attribute"))
    tags = [e.tag for e in elements]
    if "memory" not in tags:
        raise ExerciseFailed(_("--xpath '{xpath}' prints {tags}, not <memory>").format(
                                 xpath=xpath, tags="<" + ">, <".join(tags) + ">"),
                             hint=_("the <memory> element holds the RAM the guest boots with"),
                             pointer=_("a path to the <memory> child of <domain>"))
    if tags != ["memory"]:
        raise ExerciseFailed(_("--xpath '{xpath}' prints {tags}: more than <memory>").format(
                                 xpath=xpath, tags="<" + ">, <".join(tags) + ">"),
                             hint=_("an XPath selects every node that matches it"),
                             pointer=_("select only the <memory> child of <domain>"))
    memory = elements[0]
    shown = etree.tostring(memory, encoding="unicode").strip()
    expect(kib is not None, _("kib: no prediction yet"), untried=True,
           hint=_("the whole number you expect inside <memory>, before you look"))
    expect(isinstance(kib, int) and not isinstance(kib, bool), _("kib: {kib} is not a whole number").format(kib=repr(kib)),
           hint=_("the whole number you expect inside <memory>, before you look"))
    held = int(memory.text)
    if kib != held:
        why = _("libvirt printed {shown}").format(shown=shown)
        if kib * 1024 == held:
            why = _("{kib} is the MiB number you wrote; libvirt does not keep your unit=: it printed {shown}").format(
                kib=kib, shown=shown)
        elif kib == held // 1024 * 1000:
            why = _("a 1000 where 1024 belongs: libvirt printed {shown}").format(shown=shown)
        elif kib == held * 1024:
            why = _("{kib} is the size in bytes; libvirt printed {shown}").format(kib=kib, shown=shown)
        raise ExerciseFailed(_("you predicted {kib}; {why}").format(kib=kib, why=why),
                             hint=_("libvirt converts <memory> to one unit when it stores a definition, "
                                    "whatever unit= you wrote"),
                             pointer=_("lesson 7, 'Build one, validated at every step': libvirt wrote memory back "
                                       "in KiB"))  # fmt: skip
    return Passed(_("{virsh} prints only <memory>: {shown}").format(virsh=result.virsh, shown=shown),
                  _("libvirt API: {calls}").format(calls='; '.join(result.api)),
                  _("you predicted {kib}: libvirt stores <memory> in KiB, whatever unit= the XML had").format(kib=kib))
