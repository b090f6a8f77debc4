"""Lesson 7 checks: a domain read back from libvirt, the unit traps of <memory>, and the broken-XML fix."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson07 as l7

from tests.conftest import inventory


def lab7(memory: str = "<memory unit='MiB'>512</memory>", vcpu: int = 2, boots=("cdrom", "hd"),
         os_type: str = "hvm", name: str = "lab7") -> str:
    boot = "".join(f"<boot dev='{d}'/>" for d in boots)
    return (f"<domain type='kvm'><name>{name}</name>{memory}<vcpu>{vcpu}</vcpu>"
            f"<os><type arch='x86_64'>{os_type}</type>{boot}</os></domain>")


def test_right_domain_passes(conn):
    conn.define(lab7())
    done = l7.check_domain(conn)
    assert "<memory unit='KiB'>524288</memory> = 512 MiB" in done.details[0]
    conn.undefine("lab7")
    conn.define(lab7("<memory>524288</memory>"))  # a bare number is KiB: right
    assert l7.check_domain(conn)


@pytest.mark.parametrize("memory, words, hint", [
    ("<memory>512</memory>", "libvirt holds 512 KiB = 0.50 MiB: <memory> got the MiB number 512", "unit='MiB'"),
    ("<memory unit='KiB'>512</memory>", "got the MiB number", "a bare number is KiB"),
    ("<memory unit='MB'>512</memory>", "unit='MB' counts megabytes of 1000 x 1000 bytes", "1024 x 1024"),
    ("<memory unit='KB'>524288</memory>", "Either unit='KB'", "1 MiB = 1024 KiB"),
    ("<memory>512000</memory>", "or MiB x 1000", "1 MiB = 1024 KiB"),
    ("<memory unit='MiB'>524288</memory>", "1024 times too much", "<memory unit='KiB'>524288</memory>"),
    ("<memory unit='MiB'>256</memory>", "the task asks for 512 MiB = 524288 KiB", "unit='MiB'"),
])  # fmt: skip
def test_memory_mistakes_are_named_from_what_libvirt_holds(conn, memory, words, hint):
    conn.define(lab7(memory))
    held = conn.dominfo("lab7").max_memory_kib  # libvirt's own arithmetic, not the test's
    with pytest.raises(ExerciseFailed) as info:
        l7.check_domain(conn)
    assert f"libvirt holds {held} KiB" in info.value.message
    assert words in info.value.message
    assert hint in info.value.hint


@pytest.mark.parametrize("kwargs, words, hint", [
    ({"vcpu": 1}, "<vcpu>1</vcpu>", "<vcpu>2</vcpu>"),
    ({"boots": ("hd", "cdrom")}, "boot order is hd, cdrom", "<boot dev='cdrom'/><boot dev='hd'/>"),
    ({"boots": ("hd",)}, "boot devices are hd", "<boot dev='cdrom'/>"),
    ({"boots": ()}, "boot devices are hd", "<boot dev='cdrom'/>"),  # libvirt adds hd when none is given
])  # fmt: skip
def test_other_elements(conn, kwargs, words, hint):
    conn.define(lab7(**kwargs))
    with pytest.raises(ExerciseFailed) as info:
        l7.check_domain(conn)
    assert words in info.value.message and hint in info.value.hint


def test_not_defined_lists_what_is(conn):
    conn.define(lab7(name="lab07"))
    with pytest.raises(ExerciseFailed) as info:
        l7.check_domain(conn)
    assert info.value.message.startswith("libvirt has no domain 'lab7'")
    assert "lab07" in info.value.hint and "conn.define(xml)" in info.value.hint


def test_memory_mistake_directly():
    assert l7.memory_mistake(2097152, 2048) is None
    assert "got the MiB number" in l7.memory_mistake(2048, 2048)[0]
    assert "<memory> got" in l7.memory_mistake(2048, 2048)[0]
    assert "<currentMemory> got" in l7.memory_mistake(2048, 2048, "<currentMemory>")[0]


FIXED = l7.BROKEN_XML.replace("<memory>1024</memory>", "<memory unit='MiB'>1024</memory>") \
    .replace("two", "2").replace("harddisk", "hd").replace("  <cpus>2</cpus>\n", "")


def test_fixed_xml_passes_and_is_defined(conn):
    done = l7.check_fixed_xml(conn, FIXED)
    assert done.title == "'broken7' is valid and defined: Domain 'broken7' defined from /dev/stdin"
    info = conn.dominfo("broken7")
    assert (info.max_memory_kib, info.cpus) == (1024 * 1024, 2)
    assert l7.check_fixed_xml(conn, FIXED)  # running the cell again updates the same definition


@pytest.mark.parametrize("edit, words, source", [
    ({}, "5 problems left; first /domain/os/boot", "RelaxNG schema"),  # libvirt's verdict first
    ({"two": "2"}, "4 problems left", "RelaxNG schema"),
    ({"two": "2", "harddisk": "hd", "  <cpus>2</cpus>\n": ""}, "1 problem left: /domain/memory", "kvmlab's checks"),
    ({"two": "2", "harddisk": "hd", "<memory>1024": "<memory unit='MiB'>1024"}, "1 problem left: /domain/cpus",
     "RelaxNG schema"),
])  # fmt: skip
def test_broken_xml_lists_what_is_left_and_defines_nothing(conn, edit, words, source):
    xml = l7.BROKEN_XML
    for old, new in edit.items():
        xml = xml.replace(old, new)
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l7.check_fixed_xml(conn, xml)
    assert words in info.value.message and source in info.value.hint
    assert inventory(conn) == before


def test_cpus_is_what_libvirt_ignores_without_validation(conn):
    """Why the exercise validates: libvirt silently drops the unknown <cpus> unless asked to validate."""
    almost = FIXED.replace("</os>\n", "</os>\n  <cpus>2</cpus>\n")
    conn.define(almost)  # accepted, <cpus> dropped
    assert "<cpus>" not in conn.dumpxml("broken7").xml
    conn.undefine("broken7")
    with pytest.raises(ExerciseFailed) as info:
        l7.check_fixed_xml(conn, almost)
    assert "/domain/cpus" in info.value.message


@pytest.mark.parametrize("memory, words", [
    ("<memory unit='MB'>1024</memory>", "valid, but not what the writer meant: libvirt holds 1000000 KiB"),
    ("<memory unit='GiB'>2</memory>", "the task asks for 1024 MiB"),
])  # fmt: skip
def test_valid_but_not_meant(conn, memory, words):
    with pytest.raises(ExerciseFailed) as info:
        l7.check_fixed_xml(conn, FIXED.replace("<memory unit='MiB'>1024</memory>", memory))
    assert words in info.value.message


def test_fixed_xml_other_refusals(conn):
    for xml, words in [("TODO", "no XML yet"), ("<domain", "not well-formed"),
                       (FIXED.replace("broken7", "other7"), "the <name> is 'other7'"),
                       (FIXED.replace("<vcpu>2</vcpu>", "<vcpu>3</vcpu>"), "libvirt holds <vcpu>3</vcpu>")]:
        with pytest.raises(ExerciseFailed) as info:
            l7.check_fixed_xml(conn, xml)
        assert words in info.value.message, xml
