"""Real XML from libvirt's own test suite (tests/specs/corpus; MANIFEST.tsv names each file's source
repository, path and commit; libvirt is LGPL and its files are kept as test data).

Every document must round-trip through the specs losslessly, validate without a crash (a SpecError is
the only exception allowed), and draw no refusal that libvirt would not make: kvmlab's verdict is
compared with libvirt's own RelaxNG verdict (xmllint with the schemas virt-xml-validate uses) and,
where the schema accepts but libvirt's parser refuses, with what real virsh says.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from kvmlab.errors import SpecError
from kvmlab.specs import DomainSpec, NetworkSpec, PoolSpec, VolumeSpec, check_xml
from kvmlab.specs.parser import canonical, xml_parser
from kvmlab.specs.rng import schema_path

from .virsh import define

CORPUS = Path(__file__).parent / "corpus"
SPECS = {"domain": DomainSpec, "network": NetworkSpec, "pool": PoolSpec, "volume": VolumeSpec}
MANIFEST = list(csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
DOCS = [(row["kind"], row["file"]) for row in MANIFEST]

# Documents libvirt's own schema (this machine's copy, libvirt 9.0) rejects, and why. Kept, not dropped:
# kvmlab must reject them too, with the schema's verdict first.
SCHEMA_REJECTS = {
    "domain/genericxml2xmlindata--controller-nvme.xml": "NVMe controllers are newer than libvirt 9.0",
    "domain/genericxml2xmlindata--disk-nvme.xml": "NVMe controllers are newer than libvirt 9.0",
    "domain/genericxml2xmlindata--disk-nvme-invalid-serials.xml": "bus='nvme' is newer than libvirt 9.0",
    "domain/genericxml2xmlindata--energytune.xml": "<energytune> is newer than libvirt 9.0",
    "domain/genericxml2xmlindata--iommufd.xml": "<iommufd> is newer than libvirt 9.0",
    "domain/genericxml2xmlindata--iothreadids.xml": "iothread thread pools and <poll> are newer than libvirt 9.0",
    "domain/genericxml2xmlindata--resctrl-wholeprocess-layering.xml": "a <cachetune> without vcpus= is newer",
    "network/networkxml2xmlin--hostdev-pf-driver-model.xml": "<driver model=…> is newer than libvirt 9.0",
    "volume/storage--vol-raw.xml": "an old example: its <storage> wrapper was never in the schema",
}

# Documents the schema accepts but libvirt's parser refuses, with libvirt's words (real virsh on
# test:///default prints them): here kvmlab must refuse too.
LIBVIRT_REFUSES = {
    "domain/domainschemadata--domain-openvz-simple.xml": "Memory size must be specified",
    "domain/domainschemadata--domain-perf-simple.xml": "Memory size must be specified",
    "domain/genericxml2xmlindata--generic-name-slash-fail.xml": "name foo/bar cannot contain '/'",
    "domain/qemuxml2argvdata--boot-dev+order.xml": "per-device boot elements cannot be used together with os/boot",
    "volume/storagevolxml2xmlin--vol-qcow2-nocapacity.xml": "missing capacity element",
}


def read(file: str) -> str:
    return (CORPUS / file).read_bytes().decode("utf-8")


@lru_cache(maxsize=None)
def schema_verdicts(kind: str) -> dict[str, bool]:
    """libvirt's RelaxNG verdict for every corpus document of ``kind``: one xmllint run per schema."""
    files = [f for k, f in DOCS if k == kind]
    run = subprocess.run([shutil.which("xmllint") or "xmllint", "--noout", "--relaxng", str(schema_path(kind)),
                          *files], cwd=CORPUS, capture_output=True, text=True, timeout=300)
    verdicts = {m.group(1): m.group(2) == "validates"
                for m in re.finditer(r"^(\S+) (validates|fails to validate)$", run.stderr, re.M)}
    assert set(verdicts) == set(files), run.stderr[-2000:]
    return verdicts


def test_the_corpus_is_large_mixed_small_and_traceable():
    on_disk = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.xml"))
    assert sorted(f for _, f in DOCS) == on_disk  # every file has its provenance, and no row is stale
    counts = {kind: sum(k == kind for k, _ in DOCS) for kind in SPECS}
    assert len(DOCS) >= 200 and counts["domain"] >= 70 and counts["network"] >= 45, counts
    assert counts["pool"] >= 40 and counts["volume"] >= 30, counts
    for row in MANIFEST:
        assert row["file"].startswith(row["kind"] + "/")
        assert row["repo"] == "libvirt/libvirt" and re.fullmatch(r"[0-9a-f]{40}", row["commit"]), row
        assert row["path"].startswith(("tests/", "examples/")) and row["path"].endswith(".xml"), row
        assert (CORPUS / row["file"]).stat().st_size < 16 * 1024  # small documents only
    assert set(SCHEMA_REJECTS) | set(LIBVIRT_REFUSES) <= set(on_disk)


@pytest.mark.parametrize("kind,file", DOCS, ids=[f for _, f in DOCS])
def test_round_trip_is_lossless(kind, file):
    xml = read(file)
    spec = SPECS[kind].from_xml(xml)
    original = etree.fromstring(xml.encode(), xml_parser())
    assert canonical(etree.fromstring(spec.to_xml().encode(), xml_parser())) == canonical(original)


@pytest.mark.parametrize("kind,file", DOCS, ids=[f for _, f in DOCS])
def test_validate_never_crashes(kind, file):
    spec = SPECS[kind].from_xml(read(file))
    try:
        spec.validate()
    except SpecError as err:  # the one exception validate() may raise, listing every problem
        assert err.problems and all(p.message for p in err.problems)
    problems = spec.problems()
    assert all(p.severity in ("error", "note") and p.path.startswith("/") for p in problems)


@pytest.mark.parametrize("kind,file", DOCS, ids=[f for _, f in DOCS])
def test_no_refusal_that_libvirt_would_not_make(kind, file, tmp_path):
    xml = read(file)
    libvirt_schema_accepts = schema_verdicts(kind)[file]
    errors = [p for p in check_xml(kind, xml) if p.severity == "error"]
    if file in SCHEMA_REJECTS:
        assert not libvirt_schema_accepts, f"libvirt's schema accepts it now: drop {file} from SCHEMA_REJECTS"
        assert errors and errors[0].source == "schema", errors  # libvirt's verdict, reported first
        return
    assert libvirt_schema_accepts, f"libvirt's schema rejects {file}: record why in SCHEMA_REJECTS"
    if file in LIBVIRT_REFUSES:
        assert errors, "libvirt refuses this document, so kvmlab must too"
        run = define(kind, xml, tmp_path)  # the evidence: real virsh refuses it with these words
        assert run.returncode == 1 and LIBVIRT_REFUSES[file] in run.stderr, run.stderr
        return
    assert errors == [], "\n".join(f"[{p.source}] {p} (fix: {p.fix})" for p in errors)


# Namespaced and unknown XML is read, kept and validated, never a crash (lxml raised
# "XPathEvalError: Undefined namespace prefix" from libxml2's error paths such as /domain/test:runstate).
NAMESPACED = [
    ("domain", "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>t</name>"
               "<memory unit='MiB'>512</memory><os><type>hvm</type></os><test:runstate>5</test:runstate>"
               "<test:hasmanagedsave>yes</test:hasmanagedsave></domain>", "runstate"),
    ("domain", read("domain/qemuxml2argvdata--qemu-ns.xml").replace("<qemu:arg value='-unknown'/>",
                                                                    "<qemu:arg nope='-unknown'/>"), "commandline"),
    ("pool", read("pool/storagepoolxml2xmlin--pool-rbd-ns-configopts.xml").replace(
        "<rbd:option name='client_mount_timeout' value='45'/>", "<rbd:option bogus='45'/>"), "config_opts"),
    ("pool", read("pool/storagepoolxml2xmlin--pool-netfs-ns-mountopts.xml").replace("<name>nfsimages</name>",
                                                                                    "<name>n</name><extra/>"), "extra"),
    ("network", read("network/networkxml2confdata--dnsmasq-options.xml").replace(
        "<dnsmasq:option value=\"foo=bar\"/>", "<dnsmasq:opt/>"), "options"),
]


@pytest.mark.parametrize("kind,xml,where", NAMESPACED, ids=[w for *_, w in NAMESPACED])
def test_namespaced_xml_that_libvirt_rejects_is_explained_not_crashed(kind, xml, where):
    spec = SPECS[kind].from_xml(xml)
    assert canonical(etree.fromstring(spec.to_xml().encode(), xml_parser())) == canonical(
        etree.fromstring(xml.encode(), xml_parser()))  # kept as written
    with pytest.raises(SpecError) as exc:
        spec.validate()
    schema = [p for p in exc.value.problems if p.source == "schema"]
    assert schema and exc.value.problems[0] is schema[0]
    assert all(p.path.startswith(f"/{kind}") for p in schema)


def test_a_schema_error_is_never_hidden_behind_a_teaching_error():
    """Both kvmlab and the schema object to the second IPv6 DHCP range: libvirt's verdict comes first."""
    xml = ("<network><name>v6</name><ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp>"
           "<range start='2001:db8::10' end='2001:db8::20'/><range start='2001:db8::x' end='2001:db8::40'/>"
           "</dhcp></ip></network>")
    found = check_xml("network", xml)
    assert [p.source for p in found] == ["schema", "check"]
    assert found[0].path == found[1].path == "/network/ip/dhcp/range[2]"
    assert "2001:db8::x" in found[0].message and "is not two IP addresses" in found[1].message
