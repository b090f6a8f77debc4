"""Ownership: the lab's tag on domains, its kvmlab- names, and resets that spare the learner's work."""

from __future__ import annotations

import libvirt
import pytest
from lxml import etree

import kvmlab
import kvmlab.lab as lab
from kvmlab.errors import InvalidInput, Unsupported
from kvmlab.lab.resources import network_xml, pool_xml

NS = "https://kvmlab.dev/xmlns/lab/1"


def _lab_elements(xml: str) -> list:
    return etree.fromstring(xml.encode()).findall(f"metadata/{{{NS}}}lab")


def test_tag_adds_the_metadata_element_once():
    xml = "<domain type='test'><name>g</name><memory>1024</memory><os><type>hvm</type></os></domain>"
    tagged = lab.tag_domain_xml(xml)
    assert len(_lab_elements(tagged)) == 1
    assert lab.tag_domain_xml(tagged) == tagged  # idempotent
    root = etree.fromstring(tagged.encode())
    assert [el.tag for el in root][:2] == ["name", "metadata"]  # where libvirt prints it


def test_tag_keeps_other_metadata():
    xml = ("<domain type='test'><name>g</name><metadata><app:x xmlns:app='urn:app'>keep</app:x></metadata>"
           "<memory>1024</memory><os><type>hvm</type></os></domain>")
    root = etree.fromstring(lab.tag_domain_xml(xml).encode())
    assert root.find("metadata/{urn:app}x").text == "keep"
    assert len(root.findall(f"metadata/{{{NS}}}lab")) == 1


@pytest.mark.parametrize("bad", ["<network><name>n</name></network>", "<domain><name>x</domain>", "not xml"])
def test_tag_refuses_what_is_not_a_domain(bad):
    with pytest.raises(InvalidInput) as exc:
        lab.tag_domain_xml(bad)
    assert exc.value.hint


def test_tag_does_not_resolve_entities(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("TOPSECRET")
    xml = (f"<!DOCTYPE d [<!ENTITY e SYSTEM 'file://{secret}'>]>"
           "<domain type='test'><name>&e;</name><memory>1024</memory><os><type>hvm</type></os></domain>")
    assert "TOPSECRET" not in lab.tag_domain_xml(xml)


def test_names_reserved_for_the_lab():
    assert lab.is_lab_name("kvmlab-nat") and lab.is_lab_name("kvmlab-pool")
    assert not lab.is_lab_name("default") and not lab.is_lab_name("kvmlab") and not lab.is_lab_name("mykvmlab-x")


def test_is_owned_reads_the_tag_not_the_name(kvmconn, helpers):
    v = kvmconn(kvmlab.embedded_uri()).virconn
    tagged = v.defineXML(lab.tag_domain_xml(helpers.domain_xml(v, "plain-name")))
    named = v.defineXML(helpers.domain_xml(v, "kvmlab-named"))
    assert lab.is_owned(tagged) and not lab.is_owned(named)
    raw = tagged.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, NS, 0)  # `virsh metadata` sees it
    assert raw.startswith("<") and "lab" in raw


@pytest.mark.parametrize("mode,forward,address", [
    ("nat", "nat", "192.168.250.1"), ("isolated", None, "192.168.251.1"), ("routed", "route", "192.168.252.1"),
])
def test_lab_network_xml(mode, forward, address):
    root = etree.fromstring(network_xml(mode).encode())
    assert root.findtext("name") == lab.LAB_NETWORKS[mode].name and lab.is_lab_name(root.findtext("name"))
    fwd = root.find("forward")
    assert (fwd.get("mode") if fwd is not None else None) == forward
    assert root.find("ip").get("address") == address
    assert root.find("ip/dhcp/range") is not None
    assert len(root.find("bridge").get("name")) <= 15  # the kernel's limit for interface names


def test_unknown_network_mode_is_refused(kvmconn):
    c = kvmconn("test:///default")
    before = sorted(n.name() for n in c.virconn.listAllNetworks(0))
    with pytest.raises(InvalidInput) as exc:
        lab.ensure_lab_network(c, "bridged")
    assert "nat, isolated, routed" in exc.value.hint
    assert sorted(n.name() for n in c.virconn.listAllNetworks(0)) == before


def test_lab_pool_xml():
    root = etree.fromstring(pool_xml(lab.resources.POOL_DIR).encode())
    assert root.get("type") == "dir" and root.findtext("name") == "kvmlab-pool"
    assert root.findtext("target/path") == "/var/lib/kvmlab/pool"


def test_ensure_is_idempotent_on_the_test_driver(kvmconn):
    c = kvmconn("test:///default")
    try:
        first = lab.ensure_lab_network(c, "isolated")
        assert "defined, started" in first.message and "net.create()" in first.api
        second = lab.ensure_lab_network(c, "isolated")
        assert second.message.startswith("Network kvmlab-isolated exists") and second.api == [
            "net = conn.networkLookupByName('kvmlab-isolated')"]
        net = c.virconn.networkLookupByName("kvmlab-isolated")
        assert net.isActive() and net.autostart() and net.isPersistent()
        lab.ensure_lab_pool(c)
        assert lab.ensure_lab_pool(c).message.startswith("Pool kvmlab-pool exists")
    finally:
        lab.reset("test:///default")


def test_reset_spares_the_learner_on_the_test_driver(kvmconn, helpers, tmp_path):
    # test:///default is shared by every connection of this process while one stays open.
    c = kvmconn("test:///default")
    helpers.ownership_scenario(c, "test:///default", str(tmp_path / "learner-pool"))


def test_session_has_no_networks_message():
    # What a non-root learner is told (no connection needed to build the message).
    assert "virtual networks" in lab.control.SESSION_MISSING and "sudo kvmlab lab up" in lab.control.SESSION_MISSING
    assert issubclass(Unsupported, kvmlab.KvmlabError)


@pytest.mark.reallab
def test_reset_spares_the_learner_on_the_real_daemon(real_lab, kvmconn, helpers, tmp_path):
    c = kvmconn(real_lab)
    assert c.virconn.getType() == "QEMU"
    try:
        helpers.ownership_scenario(c, real_lab, str(tmp_path / "learner-pool"))
    finally:  # reset took the lab's own kvmlab-nat and kvmlab-pool too: leave the lab as the next test expects it
        lab.up()
