"""Refuse, before libvirt sees it, input that would abort the process (libvirt 9.0's test driver).

Contract: ``guard_xml(kind, xml)`` returns None or raises SpecError. Malformed XML passes through
untouched so that libvirt reports it in its own words (virsh-identical errors). Everything that
libvirt merely *rejects* also passes through: the guard refuses only what would take the whole
process (a notebook kernel, or ``kvmlab virsh``) down with it.

What was measured (libvirt 9.0.0-4+deb12u2, ``virsh -c test:///default``, each case in its own
process, under a 3 GiB address-space limit so that "huge" shows up as an abort, not as swapping):

Domains — abort:

* ``<vcpu>`` whose value libvirt reads as more than a few million. libvirt reads it with
  ``virStrToLong_ui``, which *wraps* negatives: ``-1`` is 4294967295. Define allocates one
  record per vCPU at once: ``-1`` / ``4294967295`` → "GLib-ERROR: failed to allocate 34359738360
  bytes", SIGTRAP, exit 133; ``2147483647`` the same (17 GiB); ``100000000`` takes 9 s and ~5.6 GiB
  before aborting. ``10000000`` works but costs 1.1 s and 570 MiB; ``1000000`` 0.16 s and 75 MiB.
  Leading white space counts (``<vcpu> -1</vcpu>`` aborts too), and so do internal DTD entities
  (``<vcpu>&n;</vcpu>`` with ``<!ENTITY n "-1">``): the guard reads text as libvirt does.
* ``<iothreads>`` likewise (one record per IOThread): ``4294967295`` aborts (exit 133) and
  ``100000000`` aborts after 6 s; negatives are refused by libvirt itself ("invalid iothreads count").
* ``<cpu><numa><cell><distances>`` with any error inside — a sibling ``id`` that is missing, not a
  number or not below the number of cells, a ``value`` outside 10..255, 10 for another cell or not
  10 for the cell itself, or an empty ``<distances/>``. libvirt's error path
  (``virDomainNumaDefNodeDistanceParseXML``) frees the arrays and then writes one element past
  the end of ``mem_nodes``: heap corruption. With an odd number of cells it aborts in most runs
  (the heap layout varies; 80-100% of 25 runs per case: "free(): invalid pointer", "malloc
  assertion failure", SIGABRT, exit 134); with an even number the stray write lands in malloc's
  padding, so virsh prints the error and goes on with a heap that was written out of bounds.
  Both are refused.

Limits chosen: vCPUs and IOThreads up to 2**20 (1048576) pass — cheap even on the test driver,
and far beyond any real host (QEMU 7.2's q35 machine runs at most 288 vCPUs; the teaching
checks in ``kvmlab.specs.checks_domain`` say so earlier). Above that, the guard refuses.

Not aborting (libvirt reports an error, or accepts), so not refused here: negative or huge
``<memory>``/``<currentMemory>`` (XML error / "numerical overflow"), ``current=''`` or ``current``
above the maximum, ``<vcpu>0</vcpu>``, huge cpusets/topologies/cell ids/controller indexes/ports,
XXE (libvirt never loads external entities) and "billion laughs" (libxml2 detects the entity
loop); every network oddity tried (reversed,
outside or huge DHCP ranges, prefixes 33/200/4294967295, bridge mode with ``<ip>``, long bridge
names, MTU/VLAN/bandwidth extremes, 2000 forward interfaces); every pool oddity (negative or
2**64 capacity, missing sources/targets, 3000 devices, bad ports and modes); and volumes with
negative, zero, 2**64 or 16 EiB capacity or allocation ("malformed capacity element",
"numerical overflow", "Not enough free space") or bad formats. A full sweep of every number in
a rich domain, network, pool and volume with -1, 4294967295, 2**64-1, "", "abc" and 0 found no
other abort. Volume names with '/' or '..' are accepted by the test driver and refused by real
dir pools: a teaching check (checks_storage), not a crash. The tests in
``tests/specs/test_guard.py`` re-run each refused case in a subprocess.
"""

from __future__ import annotations

from lxml import etree

from ..i18n import _
from .parser import ROOT_TAG, text_of, try_parse
from .problems import Problem, spec_error
from .values import c_uint, c_uint_positive

__all__ = ["guard_xml", "guard_problems", "MAX_COUNT"]

MAX_COUNT = 2**20  # vCPUs / IOThreads libvirt may allocate records for without risk


def guard_xml(kind: str, xml: str) -> None:
    """kind: 'domain', 'network', 'pool' or 'volume'.

    Raises:
        SpecError: the XML holds a value that would abort libvirt 9.0 (and the caller with it).
    """
    problems = guard_problems(kind, xml)
    if problems:
        raise spec_error(kind, problems)


def guard_problems(kind: str, xml: str | etree._Element) -> list[Problem]:
    """The crash hazards in ``xml``; [] for well-formed safe XML and for malformed XML."""
    root = xml if isinstance(xml, etree._Element) else try_parse(xml)
    if root is None or root.tag != ROOT_TAG.get(kind):
        return []
    if kind == "domain":
        return _count_problems(root) + _numa_distance_problems(root)
    return []


def _problem(el: etree._Element, message: str, fix: str) -> Problem:
    return Problem(el.getroottree().getpath(el), message, fix, "guard", el.sourceline)


def _count_problems(root: etree._Element) -> list[Problem]:
    found = []
    vcpu = root.find("vcpu")  # libvirt reads ./vcpu[1] only
    text = text_of(vcpu)
    value = c_uint(text)
    if value is not None and value > MAX_COUNT:
        wrapped = text.strip().startswith("-")
        why = (_("libvirt reads a negative count as {value} (it wraps around below zero)").format(value=value)
               if wrapped else _("that is {value} vCPUs").format(value=value))
        found.append(_problem(
            vcpu, _("<vcpu>{text}</vcpu> would crash libvirt 9.0: {why}, and defining the domain "
                    "allocates memory for every one of them at once, so the process aborts").format(
                text=text.strip(), why=why),
            _("write how many virtual CPUs the guest gets, a whole number from 1 (e.g. <vcpu>2</vcpu>); "
              "QEMU's largest PC machine (q35) runs at most 288"),
        ))
    iothreads = root.find("iothreads")
    text = text_of(iothreads)
    value = c_uint_positive(text)
    if value is not None and value > MAX_COUNT:
        found.append(_problem(
            iothreads, _("<iothreads>{text}</iothreads> would crash libvirt 9.0: it allocates one "
                         "record per IOThread ({value}) and the process aborts").format(text=text.strip(), value=value),
            _("IOThreads are extra QEMU threads for disk I/O: a handful is plenty (e.g. <iothreads>2</iothreads>)"),
        ))
    return found


def _numa_distance_problems(root: etree._Element) -> list[Problem]:
    """Replay libvirt's <distances> checks: any failure there corrupts libvirt's heap."""
    cells = root.xpath("./cpu/numa[1]/cell")
    found: list[Problem] = []
    seen_ids: set[int] = set()
    for index, cell in enumerate(cells):
        raw_id = cell.get("id")
        cur = index if raw_id is None else c_uint_positive(raw_id)
        if cur is None or cur >= len(cells) or cur in seen_ids:
            break  # libvirt stops at this cell with its own error, before any <distances>
        seen_ids.add(cur)
        distances = cell.find("distances")
        if distances is None:
            continue
        wrong = _distance_error(distances, cur, len(cells))
        if wrong:
            found.append(_problem(
                distances, _("{wrong}: libvirt 9.0 mishandles this error (it writes past the end of an "
                             "array while cleaning up) and the process aborts or corrupts its memory").format(wrong=wrong),
                _("in cell N, list one <sibling id='M' value='D'/> per cell M, with id from 0 to "
                  "{last}, D=10 for the cell itself and 11..255 for the others "
                  "(e.g. 20 for the next NUMA node)").format(last=len(cells) - 1),
            ))
            break  # libvirt never reads past the first error
    return found


def _distance_error(distances: etree._Element, cur: int, ncells: int) -> str | None:
    siblings = distances.findall("sibling")
    if not siblings:
        return f"cell {cur} has <distances> without any <sibling>"
    for sib in siblings:
        sib_id = c_uint_positive(sib.get("id"))
        if sib_id is None:
            return f"cell {cur}: <sibling id='{sib.get('id', '')}'> is not a cell number"
        if sib_id >= ncells:
            cells = f"{ncells} cell{'s' if ncells != 1 else ''}: 0..{ncells - 1}"
            return f"cell {cur}: <sibling id='{sib_id}'> names a cell that does not exist ({cells})"
        value = c_uint_positive(sib.get("value"))
        if value is None:
            return f"cell {cur}: <sibling id='{sib_id}'> needs a whole-number value"
        if not 10 <= value <= 255 or (sib_id == cur) != (value == 10):
            return f"cell {cur}: <sibling id='{sib_id}' value='{value}'> is not a valid distance"
    return None
