"""Lesson 4 checks: modes for scenarios; the network 'lab' read back from libvirt, and why libvirt refused it;
the virsh line that starts the waiting network whose mode fits, run on the connection and read back."""

from __future__ import annotations

import ast

import pytest
from lxml import etree

import kvmlab
from kvmlab.exercises import ExerciseFailed, show_answer
from kvmlab.exercises import lesson04 as l4
from kvmlab.specs import DhcpRange, IpSpec, NetworkSpec

from tests.conftest import VIRSH, inventory, run_cmd
from tests.exercises.conftest import climb

RIGHT = {key: mode for key, (_, mode) in l4.SCENARIOS.items()}


def test_modes_pass_case_insensitive():
    assert l4.check_modes(RIGHT)
    assert l4.check_modes({k: f" {v.upper()} " for k, v in RIGHT.items()})


@pytest.mark.parametrize("key", list(RIGHT))
@pytest.mark.parametrize("wrong", l4.MODES)
def test_each_wrong_mode_is_named_with_a_hint(key, wrong):
    if RIGHT[key] == wrong:
        return
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, key: wrong})
    assert info.value.message.startswith(f"{key}: not {wrong} — ")
    assert info.value.hint == l4._HINTS.get((key, wrong), l4._WRONG_MODE)


def test_modes_ladder_concept_then_the_table_then_the_dict():
    first, second, answer = climb(l4.check_modes, {**RIGHT, "routed": "nat"})
    assert first.message.startswith("routed: not nat — ") and first.hint == l4._HINTS[("routed", "nat")]
    assert "'route'" not in first.hint + second.hint  # neither rung names the mode as the answer
    assert "the table of modes" in second.hint and "outside → guest" in second.hint
    assert all(f'"{key}": "{mode}"' in answer for key, mode in RIGHT.items())
    assert l4.check_modes(ast.literal_eval(answer.split("=", 1)[1].split("#")[0]))  # the shown code passes


@pytest.mark.parametrize("key, wrong, words", [
    ("own_firewall", "bridge", "bridged guests would take addresses on the LAN's own subnet"),
    ("own_firewall", "isolated", "isolated forwards nothing"),
    ("office_lan", "isolated", "never reach the LAN"),
])  # fmt: skip
def test_likely_wrong_modes_get_their_own_reason(key, wrong, words):
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, key: wrong})
    assert words in info.value.hint


def test_route_and_open_are_told_apart_by_what_libvirt_makes():
    for key, wrong in (("routed", "open"), ("own_firewall", "route")):
        _, second, _ = climb(l4.check_modes, {**RIGHT, key: wrong})
        assert "the rows route and open" in second.hint and "libvirt makes" in second.hint


def test_modes_missing_todo_and_typos():
    with pytest.raises(ExerciseFailed, match="no answer for lab_only"):
        l4.check_modes({k: v for k, v in RIGHT.items() if k != "lab_only"})
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, "internet": "TODO"})
    assert "choose one of: nat, route, open, isolated, bridge" in info.value.hint
    with pytest.raises(ExerciseFailed) as info:
        l4.check_modes({**RIGHT, "routed": "routed"})  # the embedded network's name, not the mode
    assert "did you mean 'route'?" in info.value.hint


def _lab(dhcp=("192.168.150.100", "192.168.150.200"), prefix=24, gateway="192.168.150.1", mode="nat"):
    spec = NetworkSpec(name="lab", mode=mode, bridge="virbr10")
    ip = IpSpec(address=gateway, prefix=prefix)
    if dhcp:
        ip.ranges.append(DhcpRange(start=dhcp[0], end=dhcp[1]))
    spec.ips.append(ip)
    return spec


def _define(conn, spec):
    try:
        conn.net_define(spec)
    except kvmlab.KvmlabError as err:
        return err
    return None


def test_the_solution_passes_reading_libvirt(conn):
    assert _define(conn, _lab()) is None
    done = l4.check_dhcp_network(conn)
    assert "192.168.150.0/24, gateway 192.168.150.1, DHCP 192.168.150.100 - 192.168.150.200" in done.title
    assert "virsh net-dumpxml lab" in str(done)


@pytest.mark.parametrize("dhcp, outside", [
    (("192.168.15.100", "192.168.15.200"), "start 192.168.15.100 and end 192.168.15.200 are not in it"),
    (("192.168.150.100", "192.168.151.200"), ": end 192.168.151.200 is not in it"),
    (("10.0.0.100", "192.168.150.200"), ": start 10.0.0.100 is not in it"),
])  # fmt: skip
def test_a_range_outside_the_subnet_names_the_address_and_the_subnet(conn, dhcp, outside):
    before = inventory(conn)
    err = _define(conn, _lab(dhcp))
    # a spec is checked before libvirt sees it (as spec.validate() would refuse it), so kvmlab refuses it
    assert isinstance(err, kvmlab.SpecError) and err.virsh_error[0] == "Failed to define network from lab.xml"
    assert "is not inside the subnet 192.168.150.0/24" in err.virsh_error[-1]
    assert inventory(conn) == before  # refused: nothing to read back
    first, second, answer = climb(l4.check_dhcp_network, conn, attempted=_lab(dhcp))
    msg = first.message
    assert msg.startswith("libvirt has no network 'lab': it refused the definition because the DHCP range")
    assert outside in msg
    assert "outside the subnet 192.168.150.0/24 (gateway 192.168.150.1, prefix 24 = netmask 255.255.255.0)" in msg
    assert "own subnet" in first.hint and "192.168.150" not in first.hint  # rung 1: the idea, no addresses
    assert "use addresses in 192.168.150.2 - 192.168.150.254" in second.hint
    assert "192.168.150.100 - 192.168.150.200" in second.hint and "DhcpRange(" not in second.hint
    assert "<range start='192.168.150.100' end='192.168.150.200'/>" in answer
    # the XML text of the attempt works as well as the spec
    with pytest.raises(ExerciseFailed) as again:
        l4.check_dhcp_network(conn, attempted=_lab(dhcp).to_xml())
    assert again.value.message == msg


def test_nothing_defined_and_nothing_attempted(conn):
    for _ in range(2):  # the untouched cell (lab = None) is no attempt: it never climbs
        with pytest.raises(ExerciseFailed) as info:
            l4.check_dhcp_network(conn)
        assert info.value.untried and info.value.rung == 1 and "no answer yet" in info.value.message
    other = NetworkSpec(name="test", mode="route", bridge="virbr11")
    other.add_ip("172.16.0.0/16")  # a valid spec of another network: it says nothing about lab
    first, second, answer = climb(l4.check_dhcp_network, conn, attempted=other)
    assert first.message == "libvirt has no network 'lab'"
    assert "defined" in first.hint and "net_define" not in first.hint
    assert "virsh net-define FILE" in second.hint and "conn.net_define(lab)" not in second.hint
    assert "conn.net_define(lab)   # virsh net-define lab.xml" in answer


def test_a_spec_never_defined_is_named_so(conn):
    first, second, _ = climb(l4.check_dhcp_network, conn, attempted=_lab())
    assert first.message == "your spec describes 'lab', but libvirt has no network 'lab': it was never defined"
    assert "only XML in the notebook" in first.hint and "conn.net_define" in second.hint
    # the colleague's network of the notebook is another network: it says nothing about lab
    other = NetworkSpec(name="test", mode="route", bridge="virbr11")
    with pytest.raises(ExerciseFailed) as info:
        l4.check_dhcp_network(conn, attempted=other)
    assert info.value.message == "libvirt has no network 'lab'"


def test_the_subnets_own_address_as_gateway_is_refused_and_named(conn):
    err = _define(conn, _lab(gateway="192.168.150.0"))
    assert isinstance(err, kvmlab.SpecError) and "is the network address of 192.168.150.0/24" in err.virsh_error[-1]
    first, second, answer = climb(l4.check_dhcp_network, conn, attempted=_lab(gateway="192.168.150.0"))
    assert first.message == ("libvirt has no network 'lab': kvmlab refused the definition because the <ip address> "
                             "192.168.150.0 is the network address of 192.168.150.0/24, not a host's")
    assert "names the subnet itself" in first.hint and "192.168.150.1" not in first.hint
    assert "the task's gateway is 192.168.150.1" in second.hint


def test_the_notebooks_example_is_refused_in_libvirts_words_too():
    """Exercise 4.2 quotes what real virsh prints for the colleague's network (libvirt 9.0, src/util/virsocketaddr.c)."""
    import shutil
    import subprocess

    virsh = shutil.which("virsh")
    if virsh is None:
        pytest.skip("virsh is not installed")
    spec = NetworkSpec(name="test", mode="route", bridge="virbr11")
    spec.ips.append(IpSpec(address="172.16.0.1", prefix=16)).ranges.append(
        DhcpRange(start="172.61.10.1", end="172.61.10.254"))
    p = subprocess.run([virsh, "-c", "test:///default", "net-define", "/dev/stdin"], input=spec.to_xml(),
                       capture_output=True, text=True, env={"LANG": "C", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert p.stderr.splitlines()[1] == ("error: internal error: range 172.61.10.1 - 172.61.10.254 is not entirely "
                                        "within network 172.16.0.1/16")


def test_the_answer_defines_a_network_that_passes(conn):
    code = show_answer("4.2").code
    exec(code.split("\n# ")[0], {"conn": conn, "NetworkSpec": NetworkSpec, "IpSpec": IpSpec, "DhcpRange": DhcpRange})
    assert l4.check_dhcp_network(conn)


@pytest.mark.parametrize("kwargs, message, concept, pointer", [
    ({"prefix": 16}, "the subnet of 'lab' is 192.168.0.0/16, the task asks for 192.168.150.0/24: prefix 16 "
     "(netmask 255.255.0.0) makes it 192.168.0.0/16", "the prefix counts the bits", "<ip address=… prefix=…>"),
    ({"dhcp": ("192.168.150.10", "192.168.150.200")}, "the DHCP range is 192.168.150.10 - 192.168.150.200",
     "which addresses dnsmasq hands out", "exactly 192.168.150.100 - 192.168.150.200"),
    ({"dhcp": None}, "'lab' has no DHCP range: guests would get no address", "only from a DHCP range",
     "<dhcp><range"),
    ({"mode": "route"}, "'lab' is in route mode", "<forward mode=…/>", "the task asks for nat"),
    ({"mode": "isolated"}, "'lab' is in isolated mode", "has none", "the task asks for nat"),
    ({"gateway": "192.168.150.254", "dhcp": ("192.168.150.100", "192.168.150.200")},
     "the gateway (the host's address) is 192.168.150.254", "the guests' gateway", "192.168.150.1"),
])  # fmt: skip
def test_accepted_by_libvirt_but_not_the_task(conn, kwargs, message, concept, pointer):
    assert _define(conn, _lab(**kwargs)) is None
    first, second, answer = climb(l4.check_dhcp_network, conn)
    assert first.message.startswith(message + "; to try again: conn.net_undefine(\"lab\") first")
    assert concept in first.hint and pointer in second.hint
    assert "net-undefine" not in second.pointer  # the way out of a name in use is in the message, at every rung
    for line in answer.splitlines()[:3]:  # the code itself is only in the answer
        assert line not in first.hint + second.hint


def test_the_check_reads_libvirt_not_the_notebook(conn):
    """A right spec in the notebook does not pass while libvirt holds a wrong network."""
    assert _define(conn, _lab(prefix=16)) is None
    with pytest.raises(ExerciseFailed, match="192.168.0.0/16"):
        l4.check_dhcp_network(conn, attempted=_lab())
    conn.net_undefine("lab")
    assert _define(conn, _lab()) is None
    assert l4.check_dhcp_network(conn, attempted=_lab(prefix=16))


# -- 4.3: the virsh line that starts the waiting network whose mode fits ----------------------


def _modes(conn) -> dict:
    """name -> (mode, active) of the four candidates, read with libvirt-python directly."""
    out = {}
    for name in l4.CANDIDATES:
        net = conn.virconn.networkLookupByName(name)
        forward = etree.fromstring(net.XMLDesc(0).encode()).find("forward")
        out[name] = ("isolated" if forward is None else forward.get("mode"), bool(net.isActive()))
    return out


def test_the_four_candidates_wait_inactive_in_four_modes(conn):
    l4.define_candidates(conn)
    modes = _modes(conn)
    assert modes == {name: (mode, False) for name, (mode, _, _) in l4.CANDIDATES.items()}
    assert [name for name, (mode, _) in modes.items() if mode == l4.START_TASK["mode"]] == ["amber"]
    before = inventory(conn)
    l4.define_candidates(conn)  # a second run (the cell run twice) changes nothing
    assert inventory(conn) == before


def test_start_line_runs_on_the_connection_and_is_read_back(conn):
    l4.define_candidates(conn)
    done = l4.check_start_line(conn, "virsh net-start amber")
    assert _modes(conn)["amber"] == ("nat", True)  # libvirt itself says it runs
    assert not any(active for name, (_, active) in _modes(conn).items() if name != "amber")
    assert done.title == "'amber' runs: <forward mode='nat'/>"
    assert done.details[0].startswith("Network amber started  (virsh net-start amber; ")
    assert "Bridge: virbr43" in done.details[1]
    again = l4.check_start_line(conn, "net-start amber")  # the cell run a second time
    assert again.title.startswith("'amber' (nat) is running already")


def test_start_line_by_uuid_and_named_option(conn):
    l4.define_candidates(conn)
    uuid = conn.virconn.networkLookupByName("amber").UUIDString()
    assert l4.check_start_line(conn, f"net-start --network {uuid}")
    assert _modes(conn)["amber"] == ("nat", True)


@pytest.mark.parametrize("name, why", [
    ("blue", "'blue' is in route mode (<forward mode='route'/>): routed packets leave with the guests' own "
             "addresses, and the school's router has no route back to 192.168.141.0/24"),
    ("green", "'green' is in isolated mode (no <forward>): nothing leaves an isolated network"),
    ("grey", "'grey' is in open mode (<forward mode='open'/>): open forwards like route"),
])  # fmt: skip
def test_a_network_in_the_wrong_mode_is_named_and_not_started(conn, name, why):
    l4.define_candidates(conn)
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l4.check_start_line(conn, f"virsh net-start {name}")
    assert info.value.message.startswith(why) and info.value.message.endswith("Nothing was started")
    assert inventory(conn) == before


def test_wrong_mode_ladder(conn):
    l4.define_candidates(conn)
    first, second, answer = climb(l4.check_start_line, conn, "net-start blue")
    assert "rewrites the guests' addresses" in first.hint
    for err in (first, second):
        assert "amber" not in str(err) and "nat" not in err.hint  # no rung names the network or the mode
    assert "virsh net-dumpxml NAME" in second.hint and "outside → guest" in second.hint
    assert answer.startswith('line = "virsh net-start amber"')


@pytest.mark.parametrize("line, words", [
    ("net-define amber", "registers a network from an XML file"),
    ("net-create amber", "transient"),
    ("net-autostart amber", "does not start it now"),
    ("start amber", "boots a VM (a domain)"),
    ("net-info amber", "only reads"),
    ("net-start default", "'default' is not one of the four waiting networks"),
    ("net-start nosuch", "failed to get network 'nosuch'"),
    ("net-start", "network"),
    ("net-start amber; net-start blue", "one line holds one command"),
    ("TODO", "virsh line"),
])  # fmt: skip
def test_wrong_lines_change_nothing(conn, line, words):
    l4.define_candidates(conn)
    before = inventory(conn)
    with pytest.raises(ExerciseFailed) as info:
        l4.check_start_line(conn, line)
    assert words in info.value.message + " " + info.value.hint
    assert inventory(conn) == before


def test_a_wrong_command_points_at_lesson_4s_define_and_start(conn):
    l4.define_candidates(conn)
    first, second, _ = climb(l4.check_start_line, conn, "net-define amber")
    assert first.message == "net-define does not start a defined network"
    assert "Define + start" in second.hint and "net-start" not in first.hint + second.hint


def test_a_misspelt_command_is_refused_as_virsh_refuses_it(conn):
    _, real_err, rc = run_cmd([VIRSH, "-c", "test:///default", "net-strat default"])
    assert rc != 0
    l4.define_candidates(conn)
    with pytest.raises(ExerciseFailed) as info:
        l4.check_start_line(conn, "virsh net-strat amber")
    assert info.value.message == "virsh says: " + real_err.strip().replace("default", "amber")
    assert "exact name" in info.value.hint and "did you mean 'net-start'?" in info.value.pointer


def test_before_the_four_are_defined(conn):
    first, second, _ = climb(l4.check_start_line, conn, "net-start amber")
    assert first.message.endswith(": the four networks are not defined yet")
    assert "Network not found" in first.message and "define_candidates(conn)" in second.hint
