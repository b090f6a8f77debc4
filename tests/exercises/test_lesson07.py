"""Lesson 7 checks: a domain read back from libvirt, the unit traps of <memory>, the broken-XML fix, and a
dumpxml --xpath line run on the learner's connection; each failure climbs the hint ladder."""

from __future__ import annotations

import re

import pytest

from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson07 as l7

from tests.conftest import VIRSH, inventory, run_cmd
from tests.exercises.conftest import climb


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


@pytest.mark.parametrize("memory, words, concept, pointer", [
    ("<memory>512</memory>", "libvirt holds 512 KiB = 0.50 MiB: <memory> got the MiB number 512",
     "a bare number is KiB", "unit='MiB'"),
    ("<memory unit='KiB'>512</memory>", "got the MiB number", "a bare number is KiB", "MiB x 1024"),
    ("<memory unit='MB'>512</memory>", "unit='MB' counts 10^6 bytes each; memory counts in powers of 1024",
     "1024 x 1024", "has an i"),
    ("<memory unit='KB'>524288</memory>", "you either wrote unit='KB'", "1 MiB = 1024 KiB", "multiply MiB by 1024"),
    ("<memory>512000</memory>", "or multiplied the MiB by 1000", "1 MiB = 1024 KiB", "multiply MiB by 1024"),
    ("<memory unit='MiB'>524288</memory>", "1024 times too much", "must agree", "say it is KiB"),
    ("<memory unit='MiB'>256</memory>", "= 256 MiB, not 512 MiB", "1 MiB = 1024 KiB", "unit="),
])  # fmt: skip
def test_memory_mistakes_are_named_from_what_libvirt_holds(conn, memory, words, concept, pointer):
    conn.define(lab7(memory))
    held = conn.dominfo("lab7").max_memory_kib  # libvirt's own arithmetic, not the test's
    first, second, answer = climb(l7.check_domain, conn)
    assert f"libvirt holds {held} KiB" in first.message and words in first.message
    if "524288" not in memory:  # the KiB number to write is the answer's (unless the learner wrote it)
        assert "524288" not in first.message.replace(f"libvirt holds {held} KiB", "")
    assert 'to try again: conn.undefine("lab7") first' in first.message  # a name in use: the way out at rung 1
    assert concept in first.hint and pointer in second.hint
    for err in (first, second):  # the element to write is the answer's, not a hint's
        assert "<memory unit='MiB'>512</memory>" not in err.hint and "524288</memory>" not in err.hint
    assert "<memory unit='MiB'>512</memory>" in answer and "virsh define lab7.xml" in answer


@pytest.mark.parametrize("kwargs, words, concept, pointer", [
    ({"vcpu": 1}, "<vcpu>1</vcpu>, the task asks for 2 vCPUs", "how many virtual CPUs", "<vcpu>N</vcpu>"),
    ({"os_type": "xen"}, "<os><type> is 'xen'", "full virtual machine", "<os><type"),
    ({"boots": ("hd", "cdrom")}, "boot order is hd, cdrom", "order the firmware tries", "read cdrom, hd"),
    ({"boots": ("hd",)}, "boot devices are hd, the task asks for cdrom, hd", "one device per <boot>", "one <boot dev"),
    ({"boots": ()}, "boot devices are hd", "one device per <boot>", "one <boot dev"),  # libvirt adds hd when none
])  # fmt: skip
def test_other_elements(conn, kwargs, words, concept, pointer):
    conn.define(lab7(**kwargs))
    first, second, answer = climb(l7.check_domain, conn)
    assert words in first.message and concept in first.hint and pointer in second.hint
    assert "<boot dev='cdrom'/>\n    <boot dev='hd'/>" in answer and "<vcpu>2</vcpu>" in answer
    assert "<boot dev='cdrom'/><boot dev='hd'/>" not in first.hint + second.hint


def test_not_defined_lists_what_is(conn):
    conn.define(lab7(name="lab07"))
    first, second, answer = climb(l7.check_domain, conn)
    assert first.message.startswith("libvirt has no domain 'lab7'") and "Defined now: " in first.message
    assert "lab07" in first.message.split("Defined now: ")[1]
    assert "registered" in first.hint and "virsh define FILE" in second.hint
    assert "conn.define(xml)" in answer


def test_memory_mistake_directly():
    assert l7.memory_mistake(2097152, 2048) is None
    _message, concept, pointer = l7.memory_mistake(2048, 2048)
    assert "2048" not in concept + pointer  # the ladder's rungs name the unit, not the number to write
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


@pytest.mark.parametrize("edit, words, source, pointer", [
    ({"two": "2"}, "3 problems left; first /domain/memory (line 3)", "kvmlab's checks", "unit= attribute"),
    ({"two": "2", "<memory>1024": "<memory unit='MiB'>1024"}, "2 problems left; first /domain/os/boot (line 7)",
     "RelaxNG schema", "dev is one of hd, cdrom"),  # one problem per element: the schema's, not kvmlab's too
    ({"two": "2", "harddisk": "hd", "  <cpus>2</cpus>\n": ""}, "1 problem left: /domain/memory", "kvmlab's checks",
     "unit= attribute of <memory>"),
    ({"two": "2", "harddisk": "hd", "<memory>1024": "<memory unit='MiB'>1024"}, "1 problem left: /domain/cpus",
     "RelaxNG schema", "lives in <vcpu>"),
])  # fmt: skip
def test_broken_xml_lists_what_is_left_and_defines_nothing(conn, edit, words, source, pointer):
    xml = l7.BROKEN_XML
    for old, new in edit.items():
        xml = xml.replace(old, new)
    before = inventory(conn)
    first, second, answer = climb(l7.check_fixed_xml, conn, xml)
    assert words in first.message and source in first.hint and pointer in second.hint
    assert "<memory unit='MiB'>1024</memory>" not in first.hint + second.hint
    assert "<memory unit='MiB'>1024</memory>" in answer and "<cpus>" not in answer.split('"""')[1]
    assert inventory(conn) == before


def test_the_untouched_broken_xml_is_diagnosed_but_does_not_climb(conn):
    for _ in range(2):
        with pytest.raises(ExerciseFailed) as info:
            l7.check_fixed_xml(conn, l7.BROKEN_XML)
        assert info.value.untried and info.value.rung == 1
    assert info.value.message.startswith("xml is still lesson07.BROKEN_XML, unchanged: 4 problems left; first "
                                         "/domain/memory (line 3)")
    assert info.value.message.endswith("(then: /domain/vcpu, /domain/os/boot, /domain/cpus)")


def test_cpus_turned_into_a_second_vcpu_is_named(conn):
    xml = FIXED.replace("</domain>", "  <vcpu>2</vcpu>\n</domain>")
    first, second, _ = climb(l7.check_fixed_xml, conn, xml)
    assert first.message.startswith("<domain> holds <vcpu> 2 times: libvirt's schema allows one")
    assert "not turned into a copy" in first.hint and "the <cpus> line goes" in second.hint


def test_the_answer_to_the_broken_xml_passes(conn):
    from kvmlab.exercises import show_answer

    code = show_answer("7.2").code
    xml = code.split('"""')[1]
    assert l7.check_fixed_xml(conn, xml)


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
    ("<memory unit='GiB'>2</memory>", "= 2048 MiB, not 1024 MiB"),
    ("<memory unit='GB'>1</memory>", "unit='GB' counts 10^9 bytes; the binary unit has an i (GiB)"),
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


# --- 7.3 a dumpxml --xpath line, run on the learner's connection, and a prediction -------------------------

def test_real_virsh_prints_an_element_its_text_or_its_attribute():
    """What the check tells apart is what real virsh prints for each kind of --xpath (test driver, domain 'test')."""
    out, err, rc = run_cmd([VIRSH, "-c", "test:///default", "dumpxml test --xpath /domain/memory; "
                            "dumpxml test --xpath '/domain/memory/text()'; dumpxml test --xpath /domain/memory/@unit"])
    assert rc == 0 and out.split() == ['<memory', 'unit="KiB">8388608</memory>', "8388608", 'unit="KiB"']
    _, err, rc = run_cmd([VIRSH, "-c", "test:///default", "dumpxml test --xpath '/domain/['"])
    assert rc == 0 and "XPath error : Invalid expression" in err  # virsh complains and succeeds


@pytest.fixture
def lab7_defined(conn):
    conn.define(lab7())
    return conn


@pytest.mark.parametrize("line", [
    "virsh dumpxml lab7 --xpath /domain/memory",
    "dumpxml --inactive lab7 --xpath //memory",
    "dumpxml --domain lab7 --xpath /domain/memory --wrap",
])  # fmt: skip
def test_memory_query_runs_the_line_and_passes(lab7_defined, line):
    done = l7.check_memory_query(lab7_defined, line, 524288)
    assert done.title.startswith("virsh dumpxml lab7 ")
    assert done.title.endswith(" prints only <memory>: <memory unit=\"KiB\">524288</memory>")
    assert "dom.XMLDesc(" in done.details[0]


def test_memory_query_by_uuid(lab7_defined):
    uuid = lab7_defined.dominfo("lab7").uuid
    assert l7.check_memory_query(lab7_defined, f"dumpxml {uuid} --xpath /domain/memory", 524288)


@pytest.mark.parametrize("line, words", [
    ("dominfo lab7", "dominfo does not print lab7's <memory> element"),
    ("net-dumpxml default", "net-dumpxml does not print"),
    ("undefine lab7", "undefine does not print"),
    ("dumpxml lab7", "'dumpxml lab7' prints the whole document"),
    ("dumpxml lab7 --xpath /memory", "selects no node of lab7's XML"),
    ("dumpxml lab7 --xpath /domain/Memory", "selects no node"),
    ("dumpxml lab7 --xpath '/domain/['", "is not an XPath libxml2 can read (virsh prints: XPath error : Invalid"),
    ("dumpxml lab7 --xpath '/domain/memory/text()'", "prints 524288, not the element"),
    ("dumpxml lab7 --xpath /domain/memory/@unit", "not the element"),
    ("dumpxml lab7 --xpath //vcpu", "prints <vcpu>, not <memory>"),
    ("dumpxml lab7 --xpath '/domain/memory|/domain/vcpu'", "prints <memory>, <vcpu>: more than <memory>"),
    ("dumpxml web01 --xpath /domain/memory", "the line names 'web01'"),
    ("dumpxml nosuch --xpath /domain/memory", "failed to get domain 'nosuch'"),
    ("dumpxml lab7 --xpth /domain/memory", "command 'dumpxml' doesn't support option --xpth"),
    ("dumpxml lab7 --xpath /domain/memory; dominfo lab7", "one line holds one command"),
    ("TODO", "virsh line"),
])  # fmt: skip
def test_memory_query_wrong_lines_change_nothing(lab7_defined, line, words):
    before = inventory(lab7_defined)
    with pytest.raises(ExerciseFailed) as info:
        l7.check_memory_query(lab7_defined, line, 524288)
    assert words in info.value.message + " " + info.value.hint
    assert inventory(lab7_defined) == before


@pytest.mark.parametrize("kib, words", [
    (512, "you predicted 512; 512 is the MiB number you wrote; libvirt does not keep your unit="),
    (512000, "a 1000 where 1024 belongs"),
    (536870912, "the size in bytes"),
    (1024, "you predicted 1024; libvirt printed <memory unit=\"KiB\">524288</memory>"),
    (None, "kib: no prediction yet"),
    ("TODO", "is not a whole number"),
    (True, "is not a whole number"),
])  # fmt: skip
def test_memory_query_predictions(lab7_defined, kib, words):
    with pytest.raises(ExerciseFailed) as info:
        l7.check_memory_query(lab7_defined, "dumpxml lab7 --xpath /domain/memory", kib)
    assert words in info.value.message


def test_memory_query_ladder(lab7_defined):
    first, second, answer = climb(l7.check_memory_query, lab7_defined, "dumpxml lab7", 524288)
    assert "XPath expression" in first.hint and "--xpath" not in first.hint
    assert "--xpath" in second.hint and "/domain/memory" not in first.hint + second.hint
    assert 'line = "virsh dumpxml lab7 --xpath /domain/memory"' in answer and "kib = 524288" in answer
    first, second, _ = climb(l7.check_memory_query, lab7_defined, "dumpxml lab7 --xpath /domain/memory", 512)
    assert "whatever unit= you wrote" in first.hint and "KiB" not in first.hint and "in KiB" in second.hint


def test_the_answer_to_the_query_passes(lab7_defined):
    from kvmlab.exercises import show_answer

    code = show_answer("7.3").code  # two assignments
    line, kib = re.search(r'line = "(.+)"', code).group(1), int(re.search(r"kib = (\d+)", code).group(1))
    assert l7.check_memory_query(lab7_defined, line, kib)


def test_the_os_type_hint_says_what_hvm_means_not_hardware_assisted(conn):
    """formatdomain: hvm is an OS 'designed to run on bare metal, so requires full virtualization' (TCG too)."""
    conn.define(lab7(os_type="xen"))
    first, second, _ = climb(l7.check_domain, conn)
    assert "whether KVM or TCG runs it" in first.hint and "hardware-assisted" not in first.hint
    assert "hvm" not in first.hint + second.hint  # the answer is show_answer's
