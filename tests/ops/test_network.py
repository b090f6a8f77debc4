"""NetworkOps on the embedded lab: typed results, virsh text, .virsh/.api, HTML, and bad input.

The embedded lab has four networks: default (nat, active, autostart), isolated (inactive),
routed (active) and host-bridge (forward bridge, inactive). Expected text is never written by
hand: it comes from real virsh on the same node file, brought to the same state.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

import kvmlab
import kvmlab.ops.define as define
from kvmlab.ops.network import NetInfo, NetList, NetMessage, NetXml

from ..conftest import inventory

VIRSH = shutil.which("virsh")
MARK = "---kvmlab-mark---"
# what connect() does to a fresh embedded host, in virsh words
SHAPE = "net-destroy isolated; net-destroy host-bridge; net-autostart default"
DEFAULT_UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df"

LAB1 = """<network>
  <name>lab1</name>
  <uuid>3fd7f8f1-a37b-4c22-9e57-f3fce1360dc1</uuid>
  <bridge name='virbr9'/>
  <ip address='10.9.0.1' netmask='255.255.255.0'/>
</network>
"""


def real_virsh(command: str, before: str = "") -> str:
    """stdout of real virsh for ``command`` on the embedded node file, after SHAPE and ``before``."""
    batch = f"{SHAPE}; {before}; echo {MARK}; {command}" if before else f"{SHAPE}; echo {MARK}; {command}"
    p = subprocess.run([VIRSH, "-c", kvmlab.embedded_uri(), batch], capture_output=True, text=True, timeout=60)
    out = p.stdout.split(MARK + "\n", 1)[1]
    assert out.endswith("\n")
    return out[:-1]  # the runner's per-command separator is not part of the result


class Spec:
    """Anything with .to_xml() is accepted as a source, like the kvmlab.specs objects."""

    def to_xml(self) -> str:
        return LAB1


# -- str(result) is virsh's text -------------------------------------------------------------

CASES = [
    ("net-list", lambda c: c.net_list()),
    ("net-list --all", lambda c: c.net_list(all=True)),
    ("net-list --inactive", lambda c: c.net_list(inactive=True)),
    ("net-list --all --name", lambda c: c.net_list(all=True, name=True)),
    ("net-list --all --uuid", lambda c: c.net_list(all=True, uuid=True)),
    ("net-list --all --autostart", lambda c: c.net_list(all=True, autostart=True)),
    ("net-list --all --no-autostart", lambda c: c.net_list(all=True, no_autostart=True)),
    ("net-list --transient", lambda c: c.net_list(transient=True)),
    ("net-list --inactive --persistent --table", lambda c: c.net_list(persistent=True, inactive=True, table=True)),
    *[(f"net-info {n}", lambda c, n=n: c.net_info(n)) for n in ("default", "isolated", "routed", "host-bridge")],
    *[(f"net-dumpxml {n}", lambda c, n=n: c.net_dumpxml(n)) for n in ("default", "isolated", "host-bridge")],
    ("net-dumpxml default --xpath //ip/dhcp", lambda c: c.net_dumpxml("default", xpath="//ip/dhcp")),
    ("net-dumpxml routed --xpath //@address --wrap", lambda c: c.net_dumpxml("routed", xpath="//@address", wrap=True)),
    ("net-start isolated", lambda c: c.net_start("isolated")),
    ("net-destroy routed", lambda c: c.net_destroy("routed")),
    ("net-autostart routed", lambda c: c.net_autostart("routed")),
    ("net-autostart default --disable", lambda c: c.net_autostart("default", disable=True)),
    ("net-undefine isolated", lambda c: c.net_undefine("isolated")),
    (f"net-info {DEFAULT_UUID}", lambda c: c.net_info(DEFAULT_UUID)),
]


@pytest.mark.parametrize("command,call", CASES, ids=[c for c, _ in CASES])
def test_text_is_virsh_text(conn, command, call):
    result = call(conn)
    assert str(result) == real_virsh(command)
    assert result.virsh == f"virsh {command}"
    assert result.api and all(isinstance(line, str) and line for line in result.api)


def test_text_after_changes_is_virsh_text(conn):
    conn.net_start("host-bridge")
    conn.net_destroy("default")
    conn.net_autostart("routed")
    assert str(conn.net_list(all=True)) == real_virsh(
        "net-list --all", before="net-start host-bridge; net-destroy default; net-autostart routed"
    )


# -- typed data ---------------------------------------------------------------------------------


def test_net_list_data(conn):
    everything = conn.net_list(all=True)
    assert isinstance(everything, NetList)
    assert everything.names == ["default", "host-bridge", "isolated", "routed"]
    by_name = {n.name: n for n in everything}
    assert by_name["default"].active and by_name["default"].autostart and by_name["default"].persistent
    assert not by_name["isolated"].active and by_name["isolated"].autostart is False
    assert by_name["default"].uuid == DEFAULT_UUID
    assert conn.net_list().names == ["default", "routed"]
    assert conn.net_list(inactive=True).names == ["host-bridge", "isolated"]
    assert conn.net_list(all=True, autostart=True).names == ["default"]
    assert conn.net_list(all=True, transient=True).names == []
    assert "routed" in conn.net_list() and len(conn.net_list(all=True)) == 4


def test_net_info_data(conn):
    default = conn.net_info("default")
    assert isinstance(default, NetInfo)
    assert (default.name, default.active, default.persistent, default.autostart, default.bridge) == (
        "default", True, True, True, "virbr0",
    )  # fmt: skip
    assert default["Bridge"] == "virbr0"
    bridge = conn.net_info("host-bridge")
    assert (bridge.active, bridge.autostart, bridge.bridge) == (False, False, "br0")
    assert conn.net_info(DEFAULT_UUID).name == "default"


def test_net_dumpxml_data(conn):
    xml = conn.net_dumpxml("routed")
    assert isinstance(xml, NetXml) and xml.network == "routed"
    assert "<forward mode='route'/>" in xml.xml
    assert str(conn.net_dumpxml("default", xpath="/network/bridge/@name")) == ' name="virbr0"\n'
    assert conn.net_dumpxml("default", xpath="//ip").api[-1].startswith("lxml: ")


def test_life_of_a_persistent_network(conn):
    before = inventory(conn)
    defined = conn.net_define(LAB1)
    assert isinstance(defined, NetMessage)
    assert (str(defined), defined.network) == ("Network lab1 defined from lab1.xml\n", "lab1")
    assert defined.virsh == "virsh net-define lab1.xml"
    assert defined.api[-1] == "net = conn.networkDefineXML(xml)"
    assert conn.net_info("lab1").active is False
    assert str(conn.net_start("lab1")) == "Network lab1 started\n"
    assert conn.net_info("lab1").active is True and "lab1" in conn.net_list()
    assert str(conn.net_destroy("lab1")) == "Network lab1 destroyed\n"
    assert str(conn.net_undefine("lab1")) == "Network lab1 has been undefined\n"
    assert "lab1" not in conn.net_list(all=True)
    assert inventory(conn) == before


def test_define_from_file_and_spec(conn, tmp_path):
    path = tmp_path / "lab1.xml"
    path.write_text(LAB1)
    result = conn.net_define(str(path), validate=True)
    assert str(result) == real_virsh(f"net-define {path} --validate")
    assert result.virsh == f"virsh net-define {path} --validate"
    assert result.api == [f"xml = open({str(path)!r}).read()",
                          "net = conn.networkDefineXMLFlags(xml, libvirt.VIR_NETWORK_DEFINE_VALIDATE)"]  # fmt: skip
    conn.net_undefine("lab1")
    assert conn.net_define(path).network == "lab1"  # a PathLike works too
    conn.net_undefine("lab1")
    assert conn.net_define(Spec()).network == "lab1"


def test_transient_network_goes_away_when_destroyed(conn):
    before = inventory(conn)
    created = conn.net_create(LAB1)
    assert str(created) == "Network lab1 created from lab1.xml\n"
    info = conn.net_info("lab1")
    assert (info.active, info.persistent) == (True, False)
    assert conn.net_list(transient=True).names == ["lab1"]
    conn.net_destroy("lab1")
    assert inventory(conn) == before


def test_autostart_toggles(conn):
    on = conn.net_autostart("routed")
    assert (str(on), on.api[-1]) == ("Network routed marked as autostarted\n", "net.setAutostart(1)")
    assert conn.net_info("routed").autostart is True
    off = conn.net_autostart("routed", disable=True)
    assert str(off) == "Network routed unmarked as autostarted\n"
    assert off.virsh == "virsh net-autostart routed --disable"
    assert conn.net_info("routed").autostart is False


def test_names_are_echoed_as_typed(conn):
    result = conn.net_destroy(DEFAULT_UUID)
    assert str(result) == f"Network {DEFAULT_UUID} destroyed\n" and result.network == "default"


def test_destroy_of_a_stopped_network_is_what_libvirt_says(conn):
    # libvirt 9.0's test driver accepts it (qemu refuses): kvmlab reports what libvirt did
    assert str(conn.net_destroy("isolated")) == real_virsh("net-destroy isolated")
    assert conn.net_info("isolated").active is False


def test_repr_html(conn):
    html = conn.net_list(all=True)._repr_html_()
    assert "<table" in html and "host-bridge" in html and "inactive" in html
    assert "virsh net-list --all" in html and "listAllNetworks" in html
    names = conn.net_list(all=True, name=True)._repr_html_()
    assert "<th" in names and ">Name<" in names and "routed" in names
    info = conn.net_info("default")._repr_html_()
    assert "virbr0" in info and "networkLookupByName" in info
    assert "&lt;network&gt;" in conn.net_dumpxml("default")._repr_html_()
    assert "started" in conn.net_start("isolated")._repr_html_()


# -- bad input: the right error, virsh's lines, a hint, and nothing changed ---------------------


def _refused(conn, call, cls):
    before = inventory(conn)
    with pytest.raises(cls) as info:
        call(conn)
    assert inventory(conn) == before
    err = info.value
    assert err.hint, "every error teaches"
    assert err._repr_html_().count("<div>error: ") == len(err.virsh_error)
    return err


def test_unknown_network(conn):
    for call in (
        lambda c: c.net_info("nosuch"),
        lambda c: c.net_start("nosuch"),
        lambda c: c.net_destroy("nosuch"),
        lambda c: c.net_undefine("nosuch"),
        lambda c: c.net_autostart("nosuch", disable=True),
        lambda c: c.net_dumpxml("nosuch", xpath=""),
    ):
        err = _refused(conn, call, kvmlab.NotFound)
        assert err.virsh_error == [
            "failed to get network 'nosuch'",
            "Network not found: no network with matching name 'nosuch'",
        ]
        assert "net-list --all" in err.hint


def test_empty_name(conn):
    err = _refused(conn, lambda c: c.net_info(""), kvmlab.InvalidInput)
    assert err.virsh_error == ["Failed to get option 'network': Option argument is empty"]
    err = _refused(conn, lambda c: c.net_define(""), kvmlab.InvalidInput)
    assert err.virsh_error == ["Failed to get option 'file': Option argument is empty"]


def test_start_an_active_network(conn):
    err = _refused(conn, lambda c: c.net_start("default"), kvmlab.InvalidState)
    assert err.virsh_error == [
        "Failed to start network default",
        "Requested operation is not valid: Network 'default' is already running",
    ]
    assert "net-destroy" in err.hint


def test_undefine_a_running_network(conn):
    err = _refused(conn, lambda c: c.net_undefine("routed"), kvmlab.InvalidState)
    assert err.virsh_error[0] == "Failed to undefine network routed"
    assert "net-destroy" in err.hint


def test_undefine_a_transient_network(conn):
    conn.net_create(LAB1)
    err = _refused(conn, lambda c: c.net_undefine("lab1"), kvmlab.InvalidState)
    assert err.virsh_error[0] == "Failed to undefine network lab1"
    assert "transient" in err.hint and "net-destroy" in err.hint


@pytest.mark.parametrize(
    "xml,cls,message",
    [
        ("<network", kvmlab.InvalidInput, "(network_definition):1: Couldn't find end of Start Tag network"),
        ("<network><bridge name='x'/></network>", kvmlab.InvalidInput, "missing name information"),
        ("<domain><name>x</name></domain>", kvmlab.InvalidInput, "XML error: expecting root element of 'network'"),
        ("<network><name>default</name></network>", kvmlab.OperationFailed, "operation failed: network 'default'"),
    ],
)
@pytest.mark.parametrize("verb", ["define", "create"])
def test_bad_xml(conn, tmp_path, xml, cls, message, verb):
    path = tmp_path / "bad.xml"
    path.write_text(xml)
    err = _refused(conn, lambda c: getattr(c, f"net_{verb}")(str(path)), cls)
    assert err.virsh_error[0] == f"Failed to {verb} network from {path}"
    assert err.virsh_error[1].startswith(message)
    err = _refused(conn, lambda c: getattr(c, f"net_{verb}")(xml), cls)
    file = "default.xml" if "<name>default" in xml else "network.xml"  # NAME.xml, or KIND.xml with no name
    assert (err.virsh_error[0], err.virsh) == (f"Failed to {verb} network from {file}", f"virsh net-{verb} {file}")


def test_schema_validation(conn):
    bad = "<network><name>v1</name><bogus/></network>"
    err = _refused(conn, lambda c: c.net_define(bad, validate=True), kvmlab.InvalidInput)
    assert err.virsh_error[1].startswith("XML document failed to validate against schema")
    assert "network.rng" in err.hint


def test_unreadable_files(conn, tmp_path):
    missing = tmp_path / "nosuch.xml"
    err = _refused(conn, lambda c: c.net_define(str(missing)), kvmlab.InvalidInput)
    assert err.virsh_error == [f"Failed to open file '{missing}': No such file or directory"]
    err = _refused(conn, lambda c: c.net_create(str(tmp_path)), kvmlab.InvalidInput)
    assert err.virsh_error == [f"Failed to read file '{tmp_path}': Is a directory"]


def test_guard_runs_before_libvirt(conn, monkeypatch):
    seen = []

    def refuse(kind, root):
        seen.append((kind, root.findtext("name")))  # the tree parsed once, not the text again
        raise kvmlab.SpecError("bad value", hint="fix it", virsh_error=["bad value"])

    monkeypatch.setattr(define, "guard_xml", refuse)  # the one define path
    for verb in ("define", "create"):
        err = _refused(conn, lambda c: getattr(c, f"net_{verb}")(LAB1), kvmlab.SpecError)
        assert err.virsh_error == [f"Failed to {verb} network from lab1.xml", "bad value"]
    assert seen == [("network", "lab1"), ("network", "lab1")]


def test_list_output_forms_are_exclusive(conn):
    err = _refused(conn, lambda c: c.net_list(name=True, uuid=True), kvmlab.UsageError)
    assert err.virsh_error == ["Only one argument from --table, --name and --uuid may be specified."]


def test_dumpxml_errors(conn):
    err = _refused(conn, lambda c: c.net_dumpxml("default", inactive=True), kvmlab.Unsupported)
    assert err.virsh_error == ["unsupported flags (0x1) in function testNetworkGetXMLDesc"]
    err = _refused(conn, lambda c: c.net_dumpxml("default", xpath="count(//ip)"), kvmlab.OperationFailed)
    assert err.virsh_error == ["internal error: Incorrect xpath 'count(//ip)'"]
    err = _refused(conn, lambda c: c.net_dumpxml("default", xpath=""), kvmlab.InvalidInput)
    assert err.virsh_error == []  # virsh says nothing at all here; the hint still teaches


def test_connection_has_the_network_methods():
    for name in ("net_list", "net_define", "net_create", "net_start", "net_info", "net_dumpxml",
                 "net_destroy", "net_autostart", "net_undefine"):  # fmt: skip
        assert callable(getattr(kvmlab.Connection, name))


@pytest.mark.parametrize("verb", ["net_define", "net_create"])
@pytest.mark.parametrize("address, prefix, start, end, fits", [
    ("192.168.150.1", 24, "192.168.15.100", "192.168.15.200", "use addresses in 192.168.150.2 - 192.168.150.254"),
    ("10.0.0.1", 16, "10.1.0.10", "10.1.0.20", "use addresses in 10.0.0.2 - 10.0.255.254"),
    ("172.16.5.254", 24, "172.16.6.1", "172.16.6.9", "use addresses in 172.16.5.1 - 172.16.5.253"),
])
def test_dhcp_range_outside_the_subnet_gets_the_range_that_fits(conn, verb, address, prefix, start, end, fits):
    xml = (f"<network><name>lab</name><bridge name='virbr10'/><ip address='{address}' prefix='{prefix}'>"
           f"<dhcp><range start='{start}' end='{end}'/></dhcp></ip></network>")
    before = inventory(conn)
    with pytest.raises(kvmlab.OperationFailed) as info:
        getattr(conn, verb)(xml)
    assert info.value.virsh_error[-1].endswith(f"range {start} - {end} is not entirely within network {address}/{prefix}")
    assert info.value.hint.endswith(fits) and "<ip address=" in info.value.hint
    assert inventory(conn) == before
