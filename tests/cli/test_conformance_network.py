"""`kvmlab virsh` vs real virsh on test:///default: the network commands.

Every batch runs through both; stdout, stderr (kvmlab's hint lines aside) and the exit code must
be identical. ``{d}`` in a batch is a folder of XML files written by the ``xmldir`` fixture.
"""

from __future__ import annotations

import pytest

from ..conftest import assert_same

UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df"  # test:///default's network "default"

FILES = {
    "lab1.xml": "<network>\n  <name>lab1</name>\n  <uuid>3fd7f8f1-a37b-4c22-9e57-f3fce1360dc1</uuid>\n"
    "  <bridge name='virbr9'/>\n  <ip address='10.9.0.1' netmask='255.255.255.0'>\n"
    "    <dhcp>\n      <range start='10.9.0.2' end='10.9.0.254'/>\n    </dhcp>\n  </ip>\n</network>\n",
    "nat2.xml": "<network><name>Nat2</name><uuid>3fd7f8f1-a37b-4c22-9e57-f3fce1360dc2</uuid>"
    "<forward mode='nat'/><bridge name='virbr8'/><ip address='10.8.0.1' prefix='24'/></network>",
    "nobridge.xml": "<network><name>nb</name><uuid>11111111-2222-3333-4444-555555555556</uuid>"
    "<forward mode='bridge'><interface dev='eth0'/></forward></network>",
    "bad.xml": "<network",
    "empty.xml": "",
    "noname.xml": "<network><bridge name='x'/></network>",
    "wrongroot.xml": "<domain><name>x</name></domain>",
    "invalid.xml": "<network><name>v1</name><uuid>11111111-2222-3333-4444-555555555555</uuid><bogus/></network>",
    "dup.xml": "<network><name>default</name></network>",
}


@pytest.fixture(scope="module")
def xmldir(tmp_path_factory):
    d = tmp_path_factory.mktemp("netxml")
    for name, text in FILES.items():
        (d / name).write_text(text)
    return d


LIST = [
    "net-list",
    "net-list --all",
    "net-list --inactive",
    "net-list --all --name",
    "net-list --all --uuid",
    "net-list --name",
    "net-list --table",
    "net-list --table --all",
    "net-list --name --uuid",
    "net-list --table --name",
    "net-list --persistent",
    "net-list --transient",
    "net-list --autostart",
    "net-list --no-autostart --all",
    "net-list --inactive --all",
    "net-list --all --persistent --no-autostart --name",
]

INFO_AND_XML = [
    "net-info default",
    f"net-info {UUID}",
    "net-info --network default",
    "net-info nosuch",
    "net-info 00000000-0000-0000-0000-000000000000",
    "net-info ''",
    "net-dumpxml default",
    f"net-dumpxml {UUID}",
    "net-dumpxml default --inactive",
    "net-dumpxml nosuch",
    "net-dumpxml default --xpath /network/name",
    "net-dumpxml default --xpath //ip",
    "net-dumpxml default --xpath //ip --wrap",
    "net-dumpxml default --xpath //@name",
    "net-dumpxml default --xpath //@name --wrap",
    "net-dumpxml default --xpath //name/text()",
    "net-dumpxml default --xpath /nothing",
    "net-dumpxml default --xpath /nothing --wrap",
    "net-dumpxml default --xpath 'count(//ip)'",
    "net-dumpxml default --xpath 'string(/network/name)'",
    "net-dumpxml default --xpath ''",
    "net-dumpxml nosuch --xpath ''",
    "net-dumpxml default --wrap",
    "net-dumpxml --xpath //bridge --network default",
    "net-dumpxml default --xpath '///['; net-info default",
    "net-dumpxml default --xpath '///[' --wrap",
    "net-dumpxml default --xpath '//ip[' --wrap; net-list",
    "net-dumpxml default --xpath 'foo(1)'",
]

STATE = [
    "net-start default",
    "net-start nosuch",
    "net-start ''",
    f"net-start {UUID}",
    "net-destroy default; net-info default; net-list --all; net-start default; net-info default",
    f"net-destroy {UUID}; net-list --inactive",
    "net-destroy default; net-destroy default",  # the test driver does not refuse this one
    "net-destroy nosuch",
    "net-undefine default",
    "net-undefine nosuch",
    "net-destroy default; net-undefine default; net-list --all; net-info default",
    "net-autostart default; net-info default; net-list --autostart",
    "net-autostart default; net-autostart default --disable; net-list --all",
    f"net-autostart {UUID}",
    "net-autostart nosuch",
    "net-autostart --disable nosuch",
]

PARSE = [
    "net-info",
    "net-info a b",
    "net-info default --network x",
    "net-start",
    "net-list extra",
    "net-list --bogus",
    "net-list --all=yes",
    "net-list --all --all",
    "net-start default --force",
    "net-destory default",
    "net-list; net-destory default",
    "net-list; net-start",
    "net-define",
    "net-create",
    "net-dumpxml default /network/name",
    "net-dumpxml default --xpath",
    "net-autostart default --disable=yes",
    "net-undefine default default",
    "net-list --al",
    "net-list; net-info default extra; net-list",
]

PART_WAY = [
    "net-list; net-start nosuch; net-list",
    "net-info default; net-start default",
    "net-start default; net-info default",
    "net-destroy nosuch; net-list --all; net-undefine nosuch",
    "net-info nosuch; net-info default",
]


@pytest.mark.parametrize("batch", LIST)
def test_net_list(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", INFO_AND_XML)
def test_info_and_dumpxml(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", STATE)
def test_state_changes_and_errors(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", PARSE)
def test_parse_errors(batch):
    assert_same(batch)


@pytest.mark.parametrize("batch", PART_WAY)
def test_batches_failing_part_way(batch):
    assert_same(batch)


FILE_BATCHES = [
    # the full life of a persistent network
    "net-define {d}/lab1.xml; net-list --all; net-info lab1; net-start lab1; net-list; net-dumpxml lab1; "
    "net-start lab1; net-destroy lab1; net-info lab1; net-undefine lab1; net-list --all; net-info lab1",
    # a transient one: no definition to undefine, gone once destroyed
    "net-create {d}/lab1.xml; net-list --all; net-list --transient --name; net-info lab1; "
    "net-undefine lab1; net-destroy lab1; net-info lab1; net-list --all",
    "net-define --file {d}/lab1.xml --validate; net-start --network lab1; net-list --uuid",
    "net-define {d}/lab1.xml; net-define {d}/lab1.xml; net-list --all",
    "net-define {d}/nat2.xml; net-define {d}/lab1.xml; net-list --all; net-list --inactive --name",
    "net-define {d}/nat2.xml; net-autostart Nat2; net-list --all --autostart; net-list --all --no-autostart",
    "net-define {d}/lab1.xml; net-dumpxml lab1 --xpath //range; net-dumpxml lab1 --xpath //dhcp --wrap",
    "net-define {d}/nobridge.xml; net-info nb; net-start nb; net-info nb; net-dumpxml nb",
    "net-create {d}/lab1.xml; net-create {d}/lab1.xml",
    "net-define {d}/bad.xml",
    "net-create {d}/bad.xml",
    "net-define {d}/empty.xml",
    "net-define {d}/noname.xml",
    "net-define {d}/wrongroot.xml",
    "net-define {d}/invalid.xml --validate",
    "net-create {d}/invalid.xml --validate",
    "net-define {d}/invalid.xml; net-dumpxml v1",
    "net-define {d}/dup.xml",
    "net-create {d}/dup.xml",
    "net-define {d}/nosuch.xml",
    "net-define {d}",
    "net-define ''",
    "net-create ''",
    "net-define {d}/bad.xml; net-define {d}/lab1.xml; net-info lab1",
    "net-define {d}/lab1.xml; net-start lab1; net-undefine lab1; net-destroy lab1; net-undefine lab1",
    "net-define {d}/lab1.xml {d}/nat2.xml",
]


@pytest.mark.parametrize("batch", FILE_BATCHES)
def test_batches_with_files(batch, xmldir):
    assert_same(batch.format(d=xmldir))


def test_relative_file_name_is_echoed_as_typed(xmldir, monkeypatch):
    monkeypatch.chdir(xmldir)
    ours = assert_same("net-define lab1.xml; net-create ./nat2.xml; net-define bad.xml; net-list --all")
    assert "Network lab1 defined from lab1.xml\n" in ours[0]


def test_argv_form():
    assert_same(["net-info", "default"])
    assert_same(["net-list", "--all", "--name"])
    assert_same(["net-dumpxml", "default", "--xpath", "//ip/@address"])


def test_typo_gets_a_hint():
    ours = assert_same("net-destory default")
    assert ours[3] == [
        "kvmlab hint: did you mean 'net-destroy'? "
        "(net-destroy stops a network; net-undefine deletes its definition)\n"
    ]


def test_state_errors_teach():
    ours = assert_same("net-start default; net-undefine default; net-info nosuch")
    hints = "".join(ours[3])
    assert "net-destroy" in hints and "net-list --all" in hints
    assert len(ours[3]) == 3


def test_transient_undefine_hint(xmldir):
    ours = assert_same(f"net-create {xmldir}/lab1.xml; net-undefine lab1")
    assert "transient" in ours[3][0]


def test_option_typo_hint():
    ours = assert_same("net-list --al")
    assert ours[3] == ["kvmlab hint: did you mean --all? (`virsh help net-list` lists its options)\n"]
