"""Hot-plug and resource operations (lesson 16) with bad input: from Python a KvmlabError that says what
was expected and nothing changed; from the command line virsh's own bytes."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, KvmlabError, NotFound, Unsupported

from .conftest import URI, assert_virsh_same, refused

FF = b"a\xffb".decode("utf-8", "surrogateescape")  # argv bytes that are not UTF-8, as Python holds them

WRONG = [
    ("target as a list", lambda c: c.attach_disk("web01", "/tmp/x", ["vdb"], print_xml=True), "text for --target"),
    ("driver as a dict", lambda c: c.attach_disk("web01", "/tmp/x", "vdb", driver={"q": 1}), "text for --driver"),
    ("source as bytes", lambda c: c.attach_disk("web01", b"/tmp/x", "vdb"), "text for --source"),
    ("empty target", lambda c: c.attach_disk("web01", "/tmp/x", ""), "Option argument is empty"),
    ("bad mode", lambda c: c.attach_disk("web01", "/tmp/x", "vdb", mode="rw"), "No support for rw"),
    ("bad wwn", lambda c: c.attach_disk("web01", "/tmp/x", "vdb", wwn="12"), "Malformed wwn"),
    ("live and current", lambda c: c.attach_disk("web01", "/tmp/x", "vdb", live=True, current=True),
     "mutually exclusive"),
    ("interface type None", lambda c: c.attach_interface("web01", None, "default"), "needs a type"),
    ("interface type unknown", lambda c: c.attach_interface("web01", "wifi", "default"), "No support for wifi"),
    ("interface mac as int list", lambda c: c.attach_interface("web01", "network", "x", mac=[1]), "text for --mac"),
    ("inbound not numbers", lambda c: c.attach_interface("web01", "network", "x", inbound="fast"), "malformed"),
    ("detach type as a list", lambda c: c.detach_interface("web01", ["network"]), "text for --type"),
    ("detach target empty", lambda c: c.detach_disk("web01", ""), "Option argument is empty"),
    ("setmem as a float", lambda c: c.setmem("web01", 1.5), "expected a size for --size"),
    ("setmem as a list", lambda c: c.setmem("web01", [512]), "expected a size for --size"),
    ("setmem unknown unit", lambda c: c.setmem("web01", "5 parsecs"), "Scaled numeric value"),
    ("setmem negative", lambda c: c.setmem("web01", -5), "Scaled numeric value"),
    ("setmaxmem bool", lambda c: c.setmaxmem("web01", True), "expected a size"),
    ("setvcpus text", lambda c: c.setvcpus("web01", "two"), "Numeric value 'two' for <count>"),
    ("setvcpus zero", lambda c: c.setvcpus("web01", 0), "Can't set 0 processors"),
    ("setvcpus float", lambda c: c.setvcpus("web01", 1.0), "<count>"),
    ("setvcpus maximum without config", lambda c: c.setvcpus("web01", 2, maximum=True), "--config is required"),
    ("vcpucount active and maximum", lambda c: c.vcpucount("web01", active=True, maximum=True), "mutually exclusive"),
]


@pytest.mark.parametrize("call, words", [(c, w) for _, c, w in WRONG], ids=[n for n, _, _ in WRONG])
def test_bad_values_are_refused_and_change_nothing(lab, call, words):
    err = refused(lambda: call(lab), InvalidInput)
    assert words in err.message or words in " ".join(err.virsh_error)


def test_address_is_not_written_by_kvmlab(lab):
    err = refused(lambda: lab.attach_disk("web01", "/tmp/x", "vdb", address="pci:0000.00.0a.0"), Unsupported)
    assert "attach-device" in err.hint


def test_a_missing_domain_is_not_found(lab):
    for call in (lambda: lab.setmem("nosuch", "1M"), lambda: lab.autostart("nosuch"),
                 lambda: lab.detach_disk("nosuch", "vda"), lambda: lab.attach_interface("nosuch", "network", "x")):
        err = refused(call, NotFound)
        assert err.virsh_error == ["failed to get domain 'nosuch'"]


def test_undecodable_bytes_never_reach_libvirt(lab):
    err = refused(lambda: lab.attach_disk("web01", FF, "vdb", config=True), InvalidInput)
    assert "not UTF-8" in err.message and err.virsh_error == ["Failed to attach disk"]


def test_print_xml_changes_nothing_even_for_a_missing_domain(lab):
    res = lab.attach_disk("nosuch", "/tmp/x", "vdb", print_xml=True)
    assert res.printed and "<target dev='vdb'/>" in res.text()


@pytest.mark.parametrize("argv", [
    ["attach-disk", "test", FF, "vdb", "--print-xml"], ["attach-disk", "test", "/x", FF, "--print-xml"],
    ["attach-interface", "test", "network", FF, "--print-xml"], ["detach-disk", "test", FF],
    ["detach-interface", "test", FF], ["detach-interface", "test", "network", "--mac", FF],
    ["setmem", "test", FF], ["setvcpus", "test", FF], ["autostart", FF], ["vcpucount", FF],
    ["attach-disk", "test", "a\x1bb", "vdb", "--print-xml"], ["attach-interface", "test", "network", "x\x01y",
                                                                "--print-xml"],
], ids=repr)
def test_argv_bytes_as_virsh(argv):
    assert_virsh_same(["-c", URI, *argv])


def test_errors_are_kvmlab_errors(lab):
    with pytest.raises(KvmlabError):
        lab.setmaxmem("web01", "1P")
