"""RelaxNG validation with libvirt's own schemas: agreement with virt-xml-validate, explained
messages (element path, line, what was expected), local-only includes, cached compilation."""

from __future__ import annotations

import shutil
import time

import pytest
from lxml import etree

import kvmlab
from kvmlab.specs import rng
from kvmlab.specs.parser import parse_xml, serialize, try_parse, xml_parser
from kvmlab.specs.rng import rng_problems
from kvmlab.specs.rng_index import load_grammar_docs

from .virsh import xml_validate

D = "<domain type='test'><name>g</name><memory>524288</memory>{}<os><type>hvm</type>{}</os>{}</domain>"

VALID = [
    ("domain", D.format("<vcpu>2</vcpu>", "<boot dev='hd'/>", "")),
    ("domain", D.format("", "", "<devices><disk type='file' device='disk'><source file='/x.img'/>"
                                "<target dev='vda' bus='virtio'/></disk></devices>")),
    ("network", "<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                "<range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip></network>"),
    ("pool", "<pool type='dir'><name>p</name><target><path>/x</path></target></pool>"),
    ("volume", "<volume><name>v</name><capacity unit='G'>1</capacity><target><format type='qcow2'/></target></volume>"),
]

# (kind, XML, path, words in the message, words in the fix)
INVALID = [
    ("domain", D.format("", "<boot dev='floppyz'/>", ""), "/domain/os/boot", "'floppyz' is not allowed for dev",
     "one of cdrom, fd, hd, network"),
    ("domain", D.format("<vcpu>0</vcpu>", "", ""), "/domain/vcpu", "'0' is not allowed", "from 1 to 65535"),
    ("domain", D.format("<vcpu>-1</vcpu>", "", ""), "/domain/vcpu", "'-1' is not allowed", "from 1 to 65535"),
    ("domain", D.format("", "", "<bogus/>"), "/domain/bogus", "<bogus> is not allowed inside <domain>", "<vcpu>"),
    ("domain", D.format("", "", "").replace("<name>g</name>", ""), "/domain", "needs a <name> element", "<name>"),
    ("domain", D.format("", "", "").replace("'test'", "'teleport'"), "/domain", "'teleport' is not allowed for type",
     "kvm, lxc"),
    ("domain", D.format("", "", "<devices><disk type='file' device='disk' bogus='1'><source file='/x'/>"
                                "<target dev='vda'/></disk></devices>"), "/domain/devices/disk",
     "<disk> has no attribute 'bogus'", "device"),
    ("domain", D.format("", "", "<devices><disk type='file' device='disk'><source file='/x'/></disk></devices>"),
     "/domain/devices/disk", "needs a <target> element", "<target>"),
    ("domain", D.format("", "", "").replace("<memory>", "<memory unit='parsec'>"), "/domain/memory",
     "'parsec' is not allowed for unit", "KiB, MiB"),
    ("domain", D.format("", "", "").replace("524288", "lots"), "/domain/memory", "'lots' is not allowed",
     "a whole number >= 0"),
    ("network", "<network><name>n</name><forward mode='teleport'/></network>", "/network/forward",
     "'teleport' is not allowed for mode", "nat"),
    ("network", "<network><name>n</name><ip address='x.y' prefix='24'/></network>", "/network/ip",
     "'x.y' is not allowed for address", "an IPv4 address"),
    ("network", "<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2'/>"
                "</dhcp></ip></network>", "/network/ip/dhcp/range", "needs the attribute end", "end="),
    ("pool", "<pool type='dir'><name>p</name></pool>", "/pool", "needs a <target> element", "<target>"),
    ("pool", "<pool><name>p</name><target><path>/x</path></target></pool>", "/pool", "needs the attribute type",
     "dir, disk, fs"),
    ("pool", "<pool type='dir'><name>p</name><target><path>rel</path></target></pool>", "/pool/target/path",
     "'rel' is not allowed", "an absolute path"),
    ("volume", "<volume><name>a/b</name><capacity>1</capacity><target/></volume>", "/volume/name",
     "'a/b' is not allowed", "no '/'"),
    ("volume", "<volume><name>v</name><capacity>1</capacity><target><format type='teleport'/></target></volume>",
     "/volume/target/format", "'teleport' is not allowed for type", "qcow2"),
]


@pytest.mark.parametrize("kind,xml", VALID)
def test_valid_documents_pass_like_virt_xml_validate(kind, xml, tmp_path):
    assert rng_problems(kind, xml) == []
    assert xml_validate(xml, tmp_path).returncode == 0


@pytest.mark.parametrize("kind,xml,path,what,expected", INVALID, ids=[f"{i[0]}-{n}" for n, i in enumerate(INVALID)])
def test_invalid_documents_fail_with_explained_messages(kind, xml, path, what, expected, tmp_path):
    assert xml_validate(xml, tmp_path).returncode != 0  # libvirt's tool agrees it is invalid
    problems = rng_problems(kind, xml)
    assert problems and all(p.source == "schema" for p in problems)
    match = [p for p in problems if p.path == path and what in p.message]
    assert match, problems
    assert expected in match[0].fix


def test_line_numbers_point_into_the_document():
    xml = serialize(parse_xml(D.format("<vcpu>2</vcpu>", "<boot dev='floppyz'/>", "")))
    [p] = rng_problems("domain", xml)
    assert xml.splitlines()[p.line - 1].strip() == '<boot dev="floppyz"/>'


def test_valid_document_with_namespaced_metadata():
    xml = D.format("<metadata><a:b xmlns:a='http://example.com/a'/></metadata>", "", "")
    assert rng_problems("domain", xml) == []


def test_schemas_are_compiled_once():
    rng_problems("network", VALID[2][1])
    start = time.perf_counter()
    for _ in range(20):
        rng_problems("domain", VALID[0][1])
    assert time.perf_counter() - start < 1.0
    assert rng._compiled.cache_info().hits >= 20


def test_includes_must_be_local(tmp_path):
    (tmp_path / "evil.rng").write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0">'
        '<include href="http://example.com/x.rng"/><start><element name="x"><empty/></element></start></grammar>')
    with pytest.raises(ValueError, match="non-local schema"):
        load_grammar_docs(tmp_path / "evil.rng")
    docs = load_grammar_docs(rng.schema_path("domain"))
    names = {d.base.rsplit("/", 1)[-1] for d in docs}
    assert {"domain.rng", "domaincommon.rng", "basictypes.rng"} <= names


def test_missing_schemas_are_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("KVMLAB_SCHEMA_DIR", str(tmp_path))
    with pytest.raises(kvmlab.Unsupported) as exc:
        rng_problems("pool", VALID[3][1])
    assert "storagepool.rng" in exc.value.message and exc.value.hint


def test_a_copied_schema_dir_works(tmp_path, monkeypatch):
    for f in rng.schema_dir().glob("*.rng"):
        shutil.copy(f, tmp_path)
    monkeypatch.setenv("KVMLAB_SCHEMA_DIR", str(tmp_path))
    assert rng_problems("volume", VALID[4][1]) == []


def test_safe_parser_never_expands_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]><d>&x;</d>'
    root = etree.fromstring(xxe.encode(), xml_parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode") and root.xpath("string()") == ""
    laughs = "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'>" + "".join(
        f"<!ENTITY {c} '{('&' + p + ';') * 10}'>" for p, c in zip("abcdefgh", "bcdefghi")) + "]><d>&i;</d>"
    assert try_parse(laughs) is None  # libxml2's amplification limit: treated as malformed
    with pytest.raises(kvmlab.SpecError, match="not well-formed"):
        rng_problems("domain", "<domain>")
