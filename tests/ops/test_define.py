"""The one define path (kvmlab/ops/define.py): a spec is refused as spec.validate() refuses it, the
input is parsed and checked once, that same string reaches libvirt, and one rule gives the virsh
line on success and on failure alike: the file given, else NAME.xml, else KIND.xml."""

from __future__ import annotations

import pytest

import kvmlab.ops.define as define
from kvmlab import InvalidInput, KvmlabError, SpecError
from kvmlab.ops.domain_define import FilePath
from kvmlab.specs import DomainSpec, NetworkSpec, PoolSpec, parser

from ..conftest import inventory

VM = ("<domain type='test'><name>{name}</name><memory>1024</memory>"
      "<os><type>hvm</type></os></domain>")  # fmt: skip
NET = "<network><name>{name}</name></network>"
POOL = "<pool type='dir'><name>{name}</name><target><path>/var/lib/{name}</path></target></pool>"


def _refused(conn, call, *args, **kwargs) -> KvmlabError:
    before = inventory(conn)
    with pytest.raises(KvmlabError) as info:
        call(*args, **kwargs)
    assert inventory(conn) == before  # nothing changed
    return info.value


# --- a spec given to an operation is validated first ----------------------------------------------

BAD_SPECS = [
    ("define", DomainSpec(name="big", vcpus=100000, memory="512MiB")),
    ("create", DomainSpec(name="big", vcpus=100000, memory="512MiB")),
    ("define", DomainSpec(vcpus=100000)),
    ("pool_define", PoolSpec(type="dir", name="etc", target="../../etc")),
    ("pool_create", PoolSpec(target="../../etc")),
    ("net_define", NetworkSpec(name="bad", mode="bogus")),
    ("net_create", NetworkSpec()),
]


@pytest.mark.parametrize("op, spec", BAD_SPECS, ids=[f"{op}-{i}" for i, (op, _) in enumerate(BAD_SPECS)])
def test_a_spec_is_refused_exactly_as_validate_refuses_it(conn, op, spec):
    with pytest.raises(SpecError) as expected:
        spec.validate()
    err = _refused(conn, getattr(conn, op), spec)
    assert type(err) is SpecError
    assert (err.message, err.hint) == (expected.value.message, expected.value.hint)
    assert [str(p) for p in err.problems] == [str(p) for p in expected.value.problems]
    # virsh's own first line, then the same lines validate() gives
    kind = {"net": "network", "pool": "pool"}.get(op.split("_")[0], "domain")
    verb = op.split("_")[-1]
    assert err.virsh_error[0].startswith(f"Failed to {verb} {kind}")
    assert err.virsh_error[1:] == expected.value.virsh_error


def test_a_valid_spec_goes_through(conn):
    spec = PoolSpec(type="dir", name="lab", target="/var/lib/libvirt/lab")
    spec.validate()
    assert conn.pool_define(spec).pool == "lab"


# --- parsed and checked once; the same string reaches libvirt ---------------------------------------

class Spy:
    """Wraps a real function and records each call's first arguments (the function still runs)."""

    def __init__(self, monkeypatch, owner, name):
        self.calls: list[tuple] = []
        real = getattr(owner, name)

        def wrapper(*args, **kwargs):
            self.calls.append(args)
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)


@pytest.mark.parametrize("op, spec, libvirt_call", [
    ("define", DomainSpec(name="vm1", memory="512MiB", os_type="hvm"), "defineXML"),
    ("create", DomainSpec(name="vm1", memory="512MiB", os_type="hvm"), "createXML"),
    ("net_define", NetworkSpec(name="lab1"), "networkDefineXML"),
    ("net_create", NetworkSpec(name="lab1"), "networkCreateXML"),
    ("pool_define", PoolSpec(type="dir", name="lab", target="/var/lib/lab"), "storagePoolDefineXML"),
    ("pool_create", PoolSpec(type="dir", name="lab", target="/var/lib/lab"), "storagePoolCreateXML"),
])  # fmt: skip
def test_a_spec_is_serialized_parsed_and_checked_once(conn, monkeypatch, op, spec, libvirt_call):
    parses = Spy(monkeypatch, parser, "xml_parser")  # every parse in kvmlab.specs makes one parser
    serialized = Spy(monkeypatch, type(spec), "to_xml")
    checks = Spy(monkeypatch, define, "validate_xml")
    guards = Spy(monkeypatch, define, "guard_xml")
    sent = Spy(monkeypatch, conn.virconn, libvirt_call)  # the real libvirt call, observed
    getattr(conn, op)(spec)
    assert len(serialized.calls) == 1 and len(checks.calls) == 1 and len(parses.calls) == 1
    assert guards.calls == []  # the guard runs inside that one check
    assert sent.calls[0][0] is checks.calls[0][1]  # the very string that was checked


@pytest.mark.parametrize("op, xml", [
    ("define", VM.format(name="vm1")), ("net_define", NET.format(name="lab1")),
    ("pool_create", POOL.format(name="lab")),
])  # fmt: skip
def test_xml_text_is_parsed_once_by_the_guard(conn, monkeypatch, op, xml):
    parses = Spy(monkeypatch, parser, "xml_parser")
    guards = Spy(monkeypatch, define, "guard_xml")
    getattr(conn, op)(xml)
    assert len(parses.calls) == 1 and len(guards.calls) == 1


def test_a_domain_refused_by_libvirt_is_not_parsed_again_for_its_hint_on_success(conn, monkeypatch):
    parses = Spy(monkeypatch, parser, "xml_parser")
    conn.define(VM.format(name="vm1"))
    assert len(parses.calls) == 1
    err = _refused(conn, conn.define, VM.format(name="web01"))  # taken, another UUID
    assert "<name>" in err.hint


# --- one rule for the virsh line, on success and on failure --------------------------------------

@pytest.mark.parametrize("op, command, bad, file", [
    ("define", "define", VM.format(name="web01"), "web01.xml"),  # taken: libvirt refuses
    ("create", "create", "<domain type='test'><name>x</name></domain>", "x.xml"),
    ("net_define", "net-define", "<network><name>a</name><bogus", "network.xml"),  # no name readable: KIND.xml
    ("net_create", "net-create", NET.format(name="default"), "default.xml"),
    ("pool_define", "pool-define", "<pool type='dir'><name>x</name></pool>", "x.xml"),
    ("pool_create", "pool-create", POOL.format(name="default"), "default.xml"),
])  # fmt: skip
def test_the_virsh_line_names_the_file_or_the_object(conn, tmp_path, op, command, bad, file):
    call = getattr(conn, op)
    good = {"define": VM, "create": VM, "net_define": NET, "net_create": NET}.get(op, POOL)
    assert _refused(conn, call, bad).virsh == f"virsh {command} {file}"  # failure: the same rule
    path = tmp_path / "bad.xml"
    path.write_text(bad)
    assert _refused(conn, call, str(path)).virsh == f"virsh {command} {path}"
    missing = tmp_path / "missing.xml"
    assert _refused(conn, call, str(missing)).virsh == f"virsh {command} {missing}"
    assert call(good.format(name="new1")).virsh == f"virsh {command} new1.xml"  # success
    path = tmp_path / "good.xml"
    path.write_text(good.format(name="new2"))
    assert call(str(path)).virsh == f"virsh {command} {path}"


def test_options_follow_the_file_in_the_line(conn, tmp_path):
    assert conn.define(VM.format(name="vm1"), validate=True).virsh == "virsh define vm1.xml --validate"
    err = _refused(conn, conn.create, VM.format(name="vm2"), paused=True)  # the test driver lacks the flag
    assert err.virsh == "virsh create vm2.xml --paused"
    err = _refused(conn, conn.pool_create, PoolSpec(target="../../etc"), build=True)
    assert err.virsh == "virsh pool-create pool.xml --build"  # a spec without a name: KIND.xml
    err = _refused(conn, conn.pool_define, PoolSpec(type="dir", name="etc", target="../../etc"), validate=True)
    assert err.virsh == "virsh pool-define etc.xml --validate"
    path = tmp_path / "my net.xml"
    path.write_text(NET.format(name="lab1"))
    assert conn.net_create(str(path), validate=True).virsh == f"virsh net-create '{path}' --validate"


def test_an_empty_file_option_is_refused_before_reading(conn):
    for op in ("define", "create", "net_define", "pool_define", "pool_create"):
        for empty in ("", FilePath("")):  # FilePath: the CLI's file argument, exactly as typed
            err = _refused(conn, getattr(conn, op), empty)
            assert isinstance(err, InvalidInput)
            assert err.virsh_error == ["Failed to get option 'file': Option argument is empty"]
