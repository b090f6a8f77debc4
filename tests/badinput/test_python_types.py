"""Wrong types and impossible names from Python: a KvmlabError that says what was expected,
never a bare TypeError, ValueError or UnicodeError, and nothing changed."""

from __future__ import annotations

import pathlib

import pytest

from kvmlab import InvalidInput, NotFound, UsageError
from kvmlab.specs import DomainSpec

from ..conftest import VIRSH
from .conftest import URI, refused, run, virsh_lines

NOT_XML = [None, 123, 4.5, {"name": "vm"}, ["<domain/>"], object(), True]


@pytest.mark.parametrize("value", NOT_XML, ids=[type(v).__name__ for v in NOT_XML])
@pytest.mark.parametrize("op", ["define", "create", "net_define", "net_create", "pool_define", "pool_create"])
def test_xml_source_of_the_wrong_type(lab, op, value):
    err = refused(lambda: getattr(lab, op)(value), InvalidInput)
    assert "expected XML" in err.message and type(value).__name__ in err.message
    assert "spec object" in err.hint and "path" in err.hint


def test_valid_bytes_are_xml_and_define(lab):
    xml = lab.dumpxml("backup").xml.encode()  # an inactive domain: define again = same definition
    assert str(lab.define(xml)).strip() == "Domain 'backup' defined from /dev/stdin"
    assert str(lab.define(bytearray(xml))).strip() == "Domain 'backup' defined from /dev/stdin"


def test_a_path_object_is_a_file(lab, tmp_path):
    err = refused(lambda: lab.define(pathlib.Path(tmp_path / "none.xml")), InvalidInput)
    assert err.message.startswith("Failed to open file")


@pytest.mark.parametrize("line", [None, b"list", b"", 42, ["list"]], ids=repr)
def test_virsh_line_must_be_text(lab, line):
    err = refused(lambda: lab.virsh(line), UsageError)
    assert "takes a virsh command line as text" in err.message
    assert ("decode" in err.hint) == isinstance(line, bytes)


@pytest.mark.parametrize("line", ["dominfo a\0b", "list\0", "\0", "net-info default; pool-info\0 default"])
def test_virsh_line_with_nul_runs_nothing(lab, line):
    res = lab.virsh(line)
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr.startswith("error: the command line holds a NUL character")
    assert "kvmlab bug" not in res.stderr


NAMED = [
    ("start", ()), ("dominfo", ()), ("destroy", ()), ("undefine", ()), ("dumpxml", ()),
    ("net_start", ()), ("net_info", ()), ("net_destroy", ()), ("net_dumpxml", ()),
    ("pool_start", ()), ("pool_info", ()), ("pool_destroy", ()), ("pool_dumpxml", ()),
]


@pytest.mark.parametrize("op", [n for n, _ in NAMED])
@pytest.mark.parametrize("name", ["a\0b", "\0", "web01\0", ["web01"], b"web01", 1.5])
def test_impossible_names(lab, op, name):
    err = refused(lambda: getattr(lab, op)(name), InvalidInput)
    kind = "NUL character" if isinstance(name, str) else "as text, got"
    assert kind in err.message


@pytest.mark.parametrize("kw", [dict(name="a\0b", pool="default"), dict(name="disk.qcow2", pool="de\0fault"),
                                dict(name=b"x", pool="default"), dict(name="x", pool=["default"])])
def test_impossible_volume_names(lab, kw):
    refused(lambda: lab.vol_info(kw["name"], pool=kw["pool"]), InvalidInput)


@pytest.mark.parametrize("op,kind", [("dominfo", "domain"), ("net_info", "network"), ("pool_info", "pool"),
                                     ("vol_info", "vol")])
def test_undecodable_names_are_not_found_as_in_virsh(default_host, op, kind):
    """Bytes that are not UTF-8 in a name (kept as surrogates): virsh's own not-found lines."""
    name = b"a\xffb".decode("utf-8", "surrogateescape")
    err = refused(lambda: getattr(default_host, op)(name), NotFound)
    real = run([VIRSH, "-c", URI, op.replace("_", "-"), name.encode("utf-8", "surrogateescape")])
    assert err.virsh_error == virsh_lines(real[1])


def test_a_uuid_long_undecodable_name(lab):
    name = (b"\xff" * 36).decode("utf-8", "surrogateescape")
    refused(lambda: lab.dominfo(name), NotFound)
    refused(lambda: lab.net_info(name), NotFound)


@pytest.mark.parametrize("name", ["a\x01b", "bad\udcffname"])
def test_spec_values_xml_cannot_hold(lab, name):
    """A value XML cannot carry never reaches libvirt."""
    err = refused(lambda: lab.define(DomainSpec(name=name, memory="64MiB")))
    assert isinstance(err, InvalidInput)


# --- found by a review: option values and specs of the wrong kind --------------------------------

WRONG_OPTIONS = [
    ("vol_create_as list name", lambda c: c.vol_create_as("default", ["v"], "1M"), "expected text for --name"),
    ("vol_create_as dict format", lambda c: c.vol_create_as("default", "v", "1M", format={"q": 1}),
     "expected text for --format"),
    ("dumpxml int xpath", lambda c: c.dumpxml("web01", xpath=123), "XPath expression as text"),
    ("create float fds", lambda c: c.create("<domain/>", pass_fds=[1.5]), "file descriptor numbers"),
    ("create dict fds", lambda c: c.create("<domain/>", pass_fds={1: 2}), "file descriptor numbers"),
    ("net_define a DomainSpec", lambda c: c.net_define(DomainSpec(name="x")), "describes a domain, not a network"),
    ("pool_create a DomainSpec", lambda c: c.pool_create(DomainSpec(name="x")), "describes a domain, not a pool"),
    ("a lone surrogate in XML", lambda c: c.define("<domain>\ud800</domain>"), "lone UTF-16 surrogate"),
]


@pytest.mark.parametrize("call, words", [(c, w) for _, c, w in WRONG_OPTIONS], ids=[n for n, _, _ in WRONG_OPTIONS])
def test_option_values_of_the_wrong_type_are_refused(lab, call, words):
    err = refused(lambda: call(lab), InvalidInput)
    assert words in err.message and err.hint


def test_edit_with_a_spec_is_refused_as_validate_refuses_it(lab):
    from kvmlab import SpecError

    spec = DomainSpec(name="web01", memory="512MiB", vcpus=100000)
    with pytest.raises(SpecError) as expected:
        spec.validate()
    err = refused(lambda: lab.edit("web01", xml=spec), SpecError)
    assert err.message == expected.value.message


def test_a_closed_connection_says_so():
    import kvmlab

    conn = kvmlab.connect()
    conn.close()
    with pytest.raises(kvmlab.ConnectionFailed) as info:
        conn.list(all=True)
    assert "was closed" in info.value.message and "kvmlab.connect()" in info.value.hint
