"""Lesson 18's toolkit on the embedded lab and on text: virt-host-validate parsed and explained, the KVM check,
libvirt's default URI rule, the daemons, and a broken VM's start (the recording where the test driver starts it)."""

from __future__ import annotations

import json

import pytest

import kvmlab
from kvmlab.concepts import broken_vm, host_check, host_daemons
from kvmlab.errors import InvalidInput, KvmlabError
from tests.conftest import VIRSH, run_cmd

# virt-host-validate on a bare-metal Intel host, as printed there (libvirt's own wording; no /dev/kvm problem)
BARE_METAL = """\
  QEMU: Checking for hardware virtualization                                 : PASS
  QEMU: Checking if device /dev/kvm exists                                   : PASS
  QEMU: Checking if device /dev/kvm is accessible                            : FAIL (Check /dev/kvm is world writable or you are in a group that is allowed to access it)
  QEMU: Checking if device /dev/vhost-net exists                             : PASS
  QEMU: Checking for device assignment IOMMU support                         : WARN (No ACPI DMAR table found, IOMMU either disabled in BIOS or not supported by this hardware platform)
   LXC: Checking for Linux >= 2.6.26                                         : PASS
"""


def test_the_recording_is_parsed_line_by_line():
    v = host_check.host_validate(kvmlab.connect())
    rec = host_check.recording()
    assert v.output == rec["virt-host-validate"]["stdout"] and v.returncode == 1
    assert len(v.rows) == len(v.output.splitlines()) == 26
    assert "a recording" in v.source and "PVM" in v.source and rec["recorded"]["at"] in v.source
    first = v.rows[0]
    assert (first.driver, first.check, first.status) == ("QEMU", "for hardware virtualization", "FAIL")
    assert "HW virtualization CPU features not found" in first.detail
    assert [r.line for r in v.slow] == ["QEMU: Checking for hardware virtualization"]
    warns = {r.check: r.verdict for r in v.rows if r.status == "WARN"}
    assert set(warns.values()) == {"harmless for ordinary guests"} and len(warns) == 3
    assert "guests will be SLOW" in v.summary() and "22 PASS, 3 WARN, 1 FAIL" in v.summary()
    assert {r.driver for r in v.rows} == {"QEMU", "LXC"}
    assert all(r.matters == "LXC only" for r in v.rows if r.driver == "LXC")


def test_dev_kvm_not_accessible_is_the_slow_line_on_bare_metal():
    rows = host_check.parse_validate(BARE_METAL)
    bad = [r for r in rows if r.status in ("WARN", "FAIL")]
    assert [(r.check, r.matters) for r in bad] == [("if device /dev/kvm is accessible", host_check.SLOW),
                                                   ("for device assignment IOMMU support", "no")]
    assert "group" in bad[0].if_not and "passthrough" in bad[1].looks_at


def test_the_table_names_what_each_problem_costs():
    v = host_check.host_validate(kvmlab.connect())
    text = v.table("QEMU", problems_only=True)
    assert text.count("\n      looks at:") == 4 and "LXC" not in text
    assert "MATTERS: guests run under TCG" in text and "PCI passthrough" in text
    assert "<table" in v._repr_html_() and "virt-host-validate" in v._repr_html_()


@pytest.mark.parametrize("bad, words", [
    (None, "must be text"), (b"QEMU: x", "must be text"), ("", "no 'QEMU: Checking"),
    ("  QEMU: Checking for hardware virtualization : MAYBE", "no 'QEMU: Checking"),
])
def test_bad_output_is_refused_with_a_teaching_error(bad, words):
    with pytest.raises(InvalidInput) as info:
        host_check.parse_validate(bad)
    assert words in info.value.message and "virt-host-validate" in info.value.hint


def test_an_unknown_check_is_marked_not_guessed():
    (row,) = host_check.parse_validate("  QEMU: Checking for a brand new thing      : WARN (why)")
    assert row.matters == "unknown" and "man virt-host-validate" in row.looks_at and row.detail == "why"


def test_the_kvm_check_on_the_embedded_lab_is_the_recorded_pvm_host():
    k = host_check.kvm_check(kvmlab.connect())
    assert k.kind == "pvm" and k.modules == ["kvm", "kvm_pvm"] and k.flags == [] and k.hypervisor
    text = str(k)
    assert "PVM, no hardware virtualisation" in text and "could not get list of modules" in text
    assert "booted none in 20 s" in text and "a recording" in text


@pytest.mark.parametrize("modules, flags, opens, kind", [
    (["kvm", "kvm_intel"], ["vmx"], True, "hardware"), (["kvm", "kvm_pvm"], [], True, "pvm"),
    ([], [], False, "none"), (["kvm", "kvm_amd"], ["svm"], False, "none"), (["kvm"], [], True, "pvm"),
])
def test_the_kvm_kind(modules, flags, opens, kind):
    assert host_check._kind(modules, flags, opens) == kind


def test_a_dev_kvm_this_user_may_not_open_says_so():
    assert host_check._kind(["kvm", "kvm_intel"], ["vmx"], False, denied=True) == "no-access"
    k = host_check.KvmCheck(modules=["kvm", "kvm_intel"], flags=["vmx"], dev_kvm="exists but does not open",
                            kind="no-access")
    assert "group 'kvm'" in k.verdict() and "qemu:///session" in k.verdict() and "firmware" not in k.verdict()


@pytest.mark.parametrize("euid, env, conf, uri, why", [
    (0, {}, "", "qemu:///system", "root"),
    (1000, {}, "", "qemu:///session", "not root"),
    (1000, {"LIBVIRT_DEFAULT_URI": "qemu:///system"}, "", "qemu:///system", "LIBVIRT_DEFAULT_URI"),
    (1000, {}, 'uri_default = "qemu:///system"\n', "qemu:///system", "libvirt.conf"),
    (0, {"LIBVIRT_DEFAULT_URI": "test:///default"}, 'uri_default = "qemu:///session"', "test:///default", "LIBVIRT"),
])
def test_the_default_uri_rule(euid, env, conf, uri, why):
    got, reason = host_daemons.default_uri(euid, env, conf)
    assert got == uri and why in reason


@pytest.mark.parametrize("euid", [-1, "0", None, True, 1.0])
def test_a_bad_euid_is_refused(euid):
    with pytest.raises(InvalidInput) as info:
        host_daemons.default_uri(euid)
    assert "os.geteuid()" in info.value.hint


def test_uri_report_prints_what_virsh_uri_prints():
    out, _, rc = run_cmd([VIRSH, "-c", "test:///default", "uri"])
    r = host_daemons.uri_report(kvmlab.connect("test:///default"))
    assert rc == 0 and str(r) == out.rstrip("\n") + "\n" == "test:///default\n"
    assert r.virsh == "virsh uri" and r.api == ["conn.getURI()"]
    assert [row[1] for row in r.rows] == ["qemu:///system", "qemu:///session", "qemu:///system", "qemu:///system"]


def test_log_paths():
    assert host_daemons.log_path("qemu:///system", "vm1") == "/var/log/libvirt/qemu/vm1.log"
    assert host_daemons.log_path("qemu:///session", "vm1").endswith("/.cache/libvirt/qemu/log/vm1.log") or \
        host_daemons.log_path("qemu:///session", "vm1").endswith("/libvirt/qemu/log/vm1.log")


def test_daemons_on_the_embedded_lab_are_the_recording():
    d = host_daemons.daemons(kvmlab.connect())
    assert [r[0] for r in d.rows] == ["libvirtd", "virtlogd"] and "style: monolithic (libvirtd)" in str(d)
    assert "recording" in d.note and "no virtqemud installed" in d.note


def test_daemons_read_from_a_proc_tree(tmp_path):
    for pid, comm in ((7, "virtqemud"), (8, "virtlogd"), (9, "bash")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "comm").write_text(comm + "\n")
    d = host_daemons.daemons(proc=tmp_path)
    assert [r[:2] for r in d.rows] == [("virtqemud", 7), ("virtlogd", 8)] and "modular" in str(d)


def test_a_broken_vm_on_the_embedded_lab_starts_and_shows_the_recording():
    conn = kvmlab.connect()
    r = broken_vm.broken_vm(conn)
    assert conn.domstate(broken_vm.DEFAULT_NAME).state == "running"  # the test driver opens no file
    assert not r.live and "test driver opens no file" in r.note and "a recording" in r.source
    assert r.text() == ("error: Failed to start domain 'kvmlab-l18-broken'\nerror: unable to stat: "
                        "/var/lib/kvmlab/l18/missing/kvmlab-l18-broken.vmlinuz: No such file or directory\n")
    assert r.log == "/var/log/libvirt/qemu/kvmlab-l18-broken.log" and r.state == "shut off (failed)"
    assert "shutting down, reason=failed" in r.highlights()[-1] and "starting up" in r.highlights()[0]
    assert broken_vm.remove(conn) == "Domain 'kvmlab-l18-broken' removed"
    assert broken_vm.remove(conn) == "no domain 'kvmlab-l18-broken'"


def test_the_not_a_kernel_recording_quotes_qemu():
    r = broken_vm.recorded("not-a-kernel")
    assert "qemu: invalid kernel header" in r.error[-1] and "qemu: invalid kernel header" in r.highlights()
    data = json.loads(broken_vm.RECORDING.read_text())
    assert set(data["faults"]) == set(broken_vm.FAULTS) and data["recorded"]["uri"] == "qemu:///system"


@pytest.mark.parametrize("name, fault, words", [
    ("web01", "missing-kernel", "invalid lesson domain name"), (None, "missing-kernel", "invalid lesson"),
    ("kvmlab-x", "no-disk", "unknown fault"), ("kvmlab-x", None, "unknown fault"),
])
def test_bad_input_to_broken_vm_changes_nothing(name, fault, words):
    conn = kvmlab.connect()
    before = sorted(d.name() for d in conn.virconn.listAllDomains(0))
    with pytest.raises(KvmlabError) as info:
        broken_vm.broken_vm(conn, name, fault)
    assert isinstance(info.value, InvalidInput) and words in info.value.message and info.value.hint
    assert sorted(d.name() for d in conn.virconn.listAllDomains(0)) == before


class _Remote:
    uri, embedded = "qemu+ssh://root@hv1.example/system", False


def test_a_remote_connection_is_not_checked_here_silently():
    assert "not on hv1.example" in host_check._here(_Remote()) and "ssh hv1.example" in host_check._here(_Remote())
    assert host_check._here(kvmlab.connect()) == "(run now, on this machine)"
