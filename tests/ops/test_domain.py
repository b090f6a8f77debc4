"""DomainOps on the embedded lab: typed results, .virsh/.api, HTML, and bad input that changes nothing.

The embedded lab: web01 (running, autostart), db01 (running), build (paused), backup and
installer (shut off).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import kvmlab
from kvmlab import InvalidInput, InvalidState, KvmlabError, NotFound, OperationFailed, SpecError
from kvmlab.ops import define
from kvmlab.specs import guard as spec_guard
from kvmlab.errors import EditRejected
from kvmlab.ops.xpath import XPathSyntax
from kvmlab.ops.editor import run_editor

from ..conftest import inventory

VM = """<domain type='test'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""
VM1 = VM.format(name="vm1", uuid="1e34a988-2c25-47f8-9355-53db9f65dfc2")


class Spec:
    """The smallest spec: anything with .to_xml() is accepted where XML is."""

    def __init__(self, xml: str):
        self.xml = xml

    def to_xml(self) -> str:
        return self.xml


def refuses(conn, exc_type, call, *args, **kwargs) -> KvmlabError:
    """Assert ``call`` raises ``exc_type`` and leaves the lab exactly as it was."""
    before = inventory(conn)
    with pytest.raises(exc_type) as info:
        call(*args, **kwargs)
    assert inventory(conn) == before
    err = info.value
    assert err.hint, f"{type(err).__name__} without a hint: {err.virsh_error}"
    return err


def state(conn, name: str) -> str:
    return conn.dominfo(name).state


# --- list ---

def test_list_running_and_all(conn):
    running = conn.list()
    assert running.names == ["web01", "db01", "build"]
    everything = conn.list(all=True)
    assert everything.names == ["web01", "db01", "build", "backup", "installer"]
    assert "backup" in everything and len(everything) == 5
    assert [d.id for d in everything] == [1, 2, 3, None, None]
    assert conn.list(inactive=True).names == ["backup", "installer"]
    assert str(everything).splitlines()[:2] == [" Id   Name        State", "----------------------------"]
    assert " 3    build       paused" in str(everything).splitlines()


def test_list_filters_and_bare_lines(conn):
    assert conn.list(all=True, autostart=True).names == ["web01"]
    assert conn.list(state_paused=True).names == ["build"]
    assert conn.list(state_shutoff=True).names == ["backup", "installer"]
    assert str(conn.list(all=True, name=True)) == "web01\ndb01\nbuild\nbackup\ninstaller\n"
    assert str(conn.list(all=True, id=True)) == "1\n2\n3\n"
    lines = str(conn.list(all=True, uuid=True, name=True)).splitlines()
    assert lines[0] == "4dea22b3-1d52-d8f3-2516-782e98ab3fa0 web01"


def test_list_records_virsh_api_and_html(conn):
    res = conn.list(all=True)
    assert res.virsh == "virsh list --all"
    assert res.api[0] == "conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE | " \
                         "libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)"
    html = res._repr_html_()
    assert "<table" in html and "installer" in html and "virsh list --all" in html
    assert "<td style='text-align:left'>db01</td>" in conn.list(name=True)._repr_html_()


def test_list_table_with_name_is_refused(conn):
    err = refuses(conn, InvalidInput, conn.list, table=True, name=True)
    assert err.virsh_error == ["Options --table and --name are mutually exclusive"]


# --- dominfo ---

def test_dominfo_typed_fields(conn):
    info = conn.dominfo("web01")
    assert (info.id, info.name, info.state, info.cpus) == (1, "web01", "running", 2)
    assert info.max_memory_kib == 1048576 and info.used_memory_kib == 1048576
    assert info.persistent is True and info.autostart is True and info.managed_save is False
    assert info["Max memory"] == "1048576 KiB" and info.running
    text = str(info)
    assert text.startswith("Id:             1\nName:           web01\n")
    assert "Autostart:      enable\n" in text and "Security DOI:   \n" in text
    assert info.virsh == "virsh dominfo web01"
    assert info.api[0] == "dom = conn.lookupByName('web01')"
    assert "<th style='text-align:left'>State</th>" in info._repr_html_()


def test_dominfo_shut_off_and_lookup_by_id_and_uuid(conn):
    off = conn.dominfo("backup")
    assert off.id is None and off.state == "shut off" and not off.running
    assert str(off).startswith("Id:             -\n")
    assert conn.dominfo("3").name == "build"
    assert conn.dominfo("3").api[0] == "dom = conn.lookupByID(3)"
    assert conn.dominfo("4dea22b3-1d52-d8f3-2516-782e98ab3fa1").name == "db01"


@pytest.mark.parametrize("ref", ["nosuch", "99", "00000000-0000-0000-0000-000000000000"])
def test_dominfo_unknown_domain(conn, ref):
    err = refuses(conn, NotFound, conn.dominfo, ref)
    assert err.virsh_error == [f"failed to get domain '{ref}'"]
    assert "list --all" in err.hint


def test_empty_domain_name_is_refused(conn):
    err = refuses(conn, InvalidInput, conn.suspend, "")
    assert err.virsh_error == ["Failed to get option 'domain': Option argument is empty"]


# --- define / create ---

def test_define_from_xml_text_file_and_spec(conn, tmp_path):
    res = conn.define(VM1)
    assert str(res) == "Domain 'vm1' defined from /dev/stdin\n" and res.name == "vm1"
    assert res.api == ["dom = conn.defineXML(xml)"]
    path = tmp_path / "vm2.xml"
    path.write_text(VM.format(name="vm2", uuid="2e34a988-2c25-47f8-9355-53db9f65dfc2"))
    res = conn.define(str(path))
    assert str(res) == f"Domain 'vm2' defined from {path}\n" and res.virsh == f"virsh define {path}"
    res = conn.define(Spec(VM.format(name="vm3", uuid="3e34a988-2c25-47f8-9355-53db9f65dfc2")), validate=True)
    assert res.api == ["dom = conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)"]
    listed = conn.list(inactive=True)
    assert listed.names == ["backup", "installer", "vm1", "vm2", "vm3"]
    assert conn.dominfo("vm1").persistent is True and state(conn, "vm1") == "shut off"


def test_define_missing_file(conn, tmp_path):
    path = tmp_path / "nope.xml"
    err = refuses(conn, InvalidInput, conn.define, str(path))
    assert err.virsh_error == [f"Failed to open file '{path}': No such file or directory"]


def test_define_directory(conn, tmp_path):
    err = refuses(conn, InvalidInput, conn.define, str(tmp_path))
    assert err.virsh_error == [f"Failed to read file '{tmp_path}': Is a directory"]


@pytest.mark.parametrize("xml,message", [
    ("<domain", "Couldn't find end of Start Tag domain"),
    ("<domain type='test'><name>x</name><memory>1024</memory></domain>", "an os <type> must be specified"),
    ("<network><name>n</name></network>", "expecting root element of 'domain', not 'network'"),
])
def test_define_bad_xml(conn, xml, message):
    err = refuses(conn, InvalidInput, conn.define, xml)
    assert err.virsh_error[0] == "Failed to define domain from /dev/stdin"
    assert message in err.virsh_error[1]


def test_define_validate_refuses_unknown_elements(conn):
    xml = VM1.replace("</domain>", "<bogus/></domain>")
    err = refuses(conn, InvalidInput, conn.define, xml, validate=True)
    assert "failed to validate against schema" in err.virsh_error[1]


def test_define_name_taken_by_another_uuid(conn):
    xml = VM.format(name="web01", uuid="9e34a988-2c25-47f8-9355-53db9f65dfc2")
    err = refuses(conn, OperationFailed, conn.define, xml)
    assert "already exists with uuid 4dea22b3-1d52-d8f3-2516-782e98ab3fa0" in err.virsh_error[1]
    assert "<name>" in err.hint


def test_define_runs_the_guard_first(conn, monkeypatch):
    seen = []

    def guard(kind, xml):
        seen.append(kind)
        raise SpecError("refused by the guard", hint="fix the value")

    monkeypatch.setattr(define, "guard_xml", guard)  # the one define path
    refuses(conn, SpecError, conn.define, VM1)
    refuses(conn, SpecError, conn.create, VM1)
    assert seen == ["domain", "domain"]


def test_create_is_transient(conn):
    res = conn.create(VM1)
    assert str(res) == "Domain 'vm1' created from /dev/stdin\n"
    info = conn.dominfo("vm1")
    assert info.state == "running" and info.persistent is False and info.id == 4
    conn.destroy("vm1")
    assert "vm1" not in conn.list(all=True)


def test_create_existing_name_hints_start(conn):
    xml = VM.format(name="backup", uuid="9dea22b3-1d52-d8f3-2516-782e98ab3fa3")
    err = refuses(conn, OperationFailed, conn.create, xml)
    assert err.virsh_error[0] == "Failed to create domain from /dev/stdin"
    assert "virsh start backup" in err.hint


def test_create_from_a_defined_domain_starts_it(conn):
    # same name and UUID as the shut-off "backup": libvirt boots it with this XML, as transient config
    res = conn.create(VM.format(name="backup", uuid="4dea22b3-1d52-d8f3-2516-782e98ab3fa3"))
    assert res.name == "backup" and state(conn, "backup") == "running"
    err = refuses(conn, InvalidState, conn.create, VM.format(name="web01", uuid="4dea22b3-1d52-d8f3-2516-782e98ab3fa0"))
    assert err.virsh_error[1] == "Requested operation is not valid: domain 'web01' is already active"


def test_create_paused_is_refused_by_the_test_driver(conn):
    err = refuses(conn, KvmlabError, conn.create, VM1, paused=True)
    assert err.virsh_error[1] == "unsupported flags (0x1) in function testDomainCreateXML"


def test_bad_pass_fds(conn):
    err = refuses(conn, InvalidInput, conn.create, VM1, pass_fds="1,x")
    assert err.virsh_error == ["Unable to parse FD number 'x'"]


# --- start and the power states ---

def test_start_suspend_resume_shutdown(conn):
    res = conn.start("backup")
    assert str(res) == "Domain 'backup' started\n" and res.api[-1] == "dom.create()"
    assert res.virsh == "virsh start backup" and state(conn, "backup") == "running"
    assert str(conn.suspend("backup")) == "Domain 'backup' suspended\n"
    assert state(conn, "backup") == "paused"
    res = conn.resume("4")
    assert str(res) == "Domain '4' resumed\n" and res.name == "backup"  # virsh echoes what was typed
    assert str(conn.shutdown("backup")) == "Domain 'backup' is being shutdown\n"
    assert state(conn, "backup") == "shut off"


def test_start_running_domain(conn):
    err = refuses(conn, InvalidState, conn.start, "web01")
    assert err.virsh_error == ["Domain is already active"]
    assert "shutdown" in err.hint and "destroy" in err.hint


def test_start_paused_domain_hints_resume(conn):
    err = refuses(conn, InvalidState, conn.start, "build")
    assert "virsh resume build" in err.hint


def test_start_takes_no_id(conn):
    err = refuses(conn, NotFound, conn.start, "1")
    assert err.virsh_error == ["failed to get domain '1'"] and "never an id" in err.hint


def test_suspend_paused_domain(conn):
    err = refuses(conn, InvalidState, conn.suspend, "build")
    assert err.virsh_error == ["Failed to suspend domain 'build'", "internal error: domain 'build' not running"]
    assert "resume" in err.hint


def test_resume_running_and_shut_off(conn):
    err = refuses(conn, InvalidState, conn.resume, "web01")
    assert err.virsh_error == ["Failed to resume domain 'web01'", "internal error: domain 'web01' not paused"]
    err = refuses(conn, InvalidState, conn.resume, "backup")
    assert "virsh start backup" in err.hint


def test_destroy_and_shutdown_of_shut_off_domain(conn):
    err = refuses(conn, InvalidState, conn.destroy, "backup")
    assert err.virsh_error == ["Failed to destroy domain 'backup'",
                               "Requested operation is not valid: domain is not running"]
    assert "undefine" in err.hint
    err = refuses(conn, InvalidState, conn.shutdown, "installer")
    assert "destroy = forced" in err.hint


def test_destroy_and_reboot(conn):
    res = conn.destroy("db01")
    assert str(res) == "Domain 'db01' destroyed\n" and res.api[-1] == "dom.destroy()"
    assert state(conn, "db01") == "shut off"
    res = conn.reboot("web01", mode="acpi")
    assert str(res) == "Domain 'web01' is being rebooted\n"
    assert res.api[-1] == "dom.reboot(libvirt.VIR_DOMAIN_REBOOT_ACPI_POWER_BTN)"
    assert res.virsh == "virsh reboot web01 --mode acpi"


@pytest.mark.parametrize("call,comma", [("shutdown", ","), ("reboot", "")])
def test_unknown_mode(conn, call, comma):
    err = refuses(conn, InvalidInput, getattr(conn, call), "web01", mode="acpi,bogus")
    assert err.virsh_error == [
        f"Unknown mode bogus value, expecting 'acpi', 'agent', 'initctl', 'signal'{comma} or 'paravirt'"]


def test_shutdown_mode_refused_by_test_driver(conn):
    err = refuses(conn, KvmlabError, conn.shutdown, "web01", mode=["acpi"])
    assert err.virsh_error == ["Failed to shutdown domain 'web01'",
                               "unsupported flags (0x1) in function testDomainShutdownFlags"]


# --- undefine ---

def test_undefine_running_domain_becomes_transient(conn):
    assert str(conn.undefine("web01")) == "Domain 'web01' has been undefined\n"
    info = conn.dominfo("web01")
    assert info.persistent is False and info.state == "running"


def test_undefine_with_storage_removes_the_volume(conn):
    pool = conn.virconn.storagePoolLookupByName("default")
    assert "backup.qcow2" in pool.listVolumes()
    res = conn.undefine("backup", remove_all_storage=True)
    assert str(res) == ("Domain 'backup' has been undefined\n"
                        "Volume 'vda'(/var/lib/libvirt/images/backup.qcow2) removed.\n")
    assert res.removed == ["/var/lib/libvirt/images/backup.qcow2"]
    assert "backup.qcow2" not in pool.listVolumes() and "backup" not in conn.list(all=True)


def test_undefine_unmanaged_disk_is_a_warning(conn):
    # installer's ISO sits in the stopped "iso" pool: libvirt does not know the path, virsh warns
    res = conn.undefine("installer", remove_all_storage=True)
    assert res.removed == [] and res.warnings == [
        "Storage volume 'sda'(/var/lib/libvirt/iso/debian-12-netinst.iso) is not managed by libvirt. "
        "Remove it manually.\n"]


def test_undefine_storage_of_running_domain(conn):
    err = refuses(conn, InvalidInput, conn.undefine, "web01", remove_all_storage=True)
    assert err.virsh_error == ["Storage volume deletion is supported only on stopped domains"]


def test_undefine_unknown_volume(conn):
    err = refuses(conn, InvalidInput, conn.undefine, "backup", storage=["vda", "vdz"])
    assert err.virsh_error == ["Volume 'vdz' was not found in domain's definition.\n"]


@pytest.mark.parametrize("kwargs,message", [
    ({"nvram": True, "keep_nvram": True}, "Options --nvram and --keep-nvram are mutually exclusive"),
    ({"wipe_storage": True}, "'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'"),
    ({"delete_storage_volume_snapshots": True},
     "Option --remove-all-storage is required by option --delete-storage-volume-snapshots"),
])
def test_undefine_option_conflicts(conn, kwargs, message):
    err = refuses(conn, InvalidInput, conn.undefine, "backup", **kwargs)
    assert err.virsh_error == [message]


# --- dumpxml ---

def test_dumpxml_live_and_inactive(conn):
    live = conn.dumpxml("web01")
    assert str(live).startswith("<domain type='test' id='1'>\n") and str(live).endswith("</domain>\n")
    inactive = conn.dumpxml("web01", inactive=True)
    assert str(inactive).startswith("<domain type='test'>\n")
    assert inactive.api[-1] == "dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)"
    assert inactive.virsh == "virsh dumpxml web01 --inactive"
    assert "&lt;domain" in live._repr_html_()


def test_dumpxml_xpath(conn):
    assert str(conn.dumpxml("web01", xpath="/domain/name")) == "<name>web01</name>\n"
    assert str(conn.dumpxml("build", xpath="//target/@dev", wrap=True)) == '<nodes dev="vda"/>\n'
    assert str(conn.dumpxml("web01", xpath="/nothing")) == ""


def test_dumpxml_bad_xpath(conn):
    err = refuses(conn, OperationFailed, conn.dumpxml, "web01", xpath="count(//disk)")
    assert err.virsh_error == ["internal error: Incorrect xpath 'count(//disk)'"]
    err = refuses(conn, XPathSyntax, conn.dumpxml, "web01", xpath="///[")
    assert err.stderr_text == "XPath error : Invalid expression\n///[\n   ^\n"


def test_dumpxml_update_cpu_is_refused_by_test_driver(conn):
    err = refuses(conn, KvmlabError, conn.dumpxml, "web01", update_cpu=True)
    assert err.virsh_error == ["unsupported flags (0x4) in function testDomainGetXMLDesc"]


# --- edit ---

def test_edit_with_xml(conn):
    xml = str(conn.dumpxml("backup", inactive=True, security_info=True))
    res = conn.edit("backup", xml=xml.replace("524288", "262144"))
    assert str(res) == "Domain 'backup' XML configuration edited.\n"
    assert res.api[-1] == "conn.defineXMLFlags(edited, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)"
    assert conn.dominfo("backup").max_memory_kib == 262144
    same = conn.edit("backup", xml=str(conn.dumpxml("backup", inactive=True, security_info=True)))
    assert str(same) == "Domain 'backup' XML configuration not changed.\n"


def test_edit_with_a_non_interactive_editor(conn):
    res = conn.edit("web01", editor="sed -i s/1048576/2097152/g")
    assert str(res) == "Domain 'web01' XML configuration edited.\n"
    assert conn.dumpxml("web01", inactive=True, xpath="/domain/memory").xml == "<memory unit=\"KiB\">2097152</memory>\n"
    # the live domain keeps its memory until the next boot
    assert conn.dominfo("web01").max_memory_kib == 1048576


def test_edit_broken_xml_changes_nothing(conn):
    err = refuses(conn, EditRejected, conn.edit, "db01", xml="<domain")
    assert err.reason == "Failed." and err.edited == "<domain"
    assert "Couldn't find end of Start Tag" in err.virsh_error[0]


def test_edit_validation_and_skip_validate(conn):
    xml = str(conn.dumpxml("backup", inactive=True, security_info=True)).replace(
        "</devices>", "<bogus/></devices>")
    err = refuses(conn, EditRejected, conn.edit, "backup", xml=xml)
    assert "skip_validate=True" in err.hint
    assert str(conn.edit("backup", xml=xml, skip_validate=True)).endswith("edited.\n")


def test_edit_runs_the_guard(conn, monkeypatch):
    def guard(kind, xml):
        raise SpecError("refused by the guard", hint="fix the value")

    monkeypatch.setattr(spec_guard, "guard_xml", guard)  # edit imports it when it runs (lxml loads then)
    xml = str(conn.dumpxml("backup", inactive=True, security_info=True)).replace("524288", "262144")
    err = refuses(conn, EditRejected, conn.edit, "backup", xml=xml)
    assert err.virsh_error == ["refused by the guard"]


def test_edit_failing_editor_changes_nothing(conn):
    err = refuses(conn, OperationFailed, conn.edit, "web01", editor="false")
    assert err.virsh_error[0].startswith("internal error: Child process (false /tmp/virsh")
    assert err.virsh_error[0].endswith(".xml) unexpected exit status 1")
    err = refuses(conn, OperationFailed, conn.edit, "web01", editor="no-such-editor-here")
    assert err.virsh_error == ["Cannot find 'no-such-editor-here' in path: No such file or directory"]


# --- run_editor: virsh's temp file and editor choice ---

@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    """An editor that records its argv, the file's mode, and appends a comment to the file."""
    script = tmp_path / "rec.sh"
    script.write_text('#!/bin/sh\nfor f; do :; done\n'  # f = the last argument: the temp file
                      'echo "$0 $*" > "$REC"\nstat -c %a "$f" >> "$REC"\necho "<!--x-->" >> "$f"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_run_editor_temp_file(recorder, tmp_path, monkeypatch):
    monkeypatch.setenv("REC", str(tmp_path / "rec.txt"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert run_editor("<a/>\n", editor=str(recorder)) == "<a/>\n<!--x-->\n"
    argv, mode = (tmp_path / "rec.txt").read_text().splitlines()
    path = argv.split()[-1]
    assert os.path.dirname(path) == str(tmp_path) and len(os.path.basename(path)) == len("virshXXXXXX.xml")
    assert mode == "600" and not os.path.exists(path)


def test_run_editor_prefers_visual_then_editor(recorder, tmp_path, monkeypatch):
    monkeypatch.setenv("REC", str(tmp_path / "rec.txt"))
    monkeypatch.setenv("VISUAL", str(recorder))
    monkeypatch.setenv("EDITOR", "false")
    assert run_editor("<a/>").endswith("<!--x-->\n")
    monkeypatch.delenv("VISUAL")
    monkeypatch.setenv("EDITOR", f"{recorder} --flag")  # a space: virsh runs it through sh -c
    assert run_editor("<a/>").endswith("<!--x-->\n")
    assert (tmp_path / "rec.txt").read_text().split()[1] == "--flag"


def test_run_editor_refuses_unsafe_tmpdir_for_shell_editors(tmp_path, monkeypatch):
    odd = tmp_path / "a b"
    odd.mkdir()
    monkeypatch.setenv("TMPDIR", str(odd))
    with pytest.raises(InvalidInput) as info:
        run_editor("<a/>", editor="sed -i s/a/b/")
    assert "temporary filename contains shell meta" in info.value.virsh_error[0]
    assert os.listdir(odd) == []
    assert run_editor("<a/>", editor="true") == "<a/>"  # a plain editor name needs no shell


def test_connection_exposes_every_domain_command():
    for name in ("list", "define", "create", "start", "dominfo", "suspend", "resume", "edit", "shutdown",
                 "destroy", "reboot", "undefine", "dumpxml"):
        assert callable(getattr(kvmlab.Connection, name))
