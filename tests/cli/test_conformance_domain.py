"""`kvmlab virsh` vs real virsh on libvirt's test driver: the domain commands.

Every batch runs through both programs; stdout, stderr (kvmlab's hint lines aside) and the exit
code must be identical. ``{d}`` in a batch is the test's temp folder (XML files, editor scripts).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from ..conftest import ROOT, assert_same, both, sanitize

VM1 = """<domain type='test'>
  <name>vm1</name>
  <uuid>1e34a988-2c25-47f8-9355-53db9f65dfc2</uuid>
  <title>First VM</title>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""
ALPHA = """<domain type='test'>
  <name>Alpha</name>
  <uuid>c4045b45-4c17-49b5-ac62-30325710992e</uuid>
  <memory unit='MiB'>256</memory>
  <os><type>hvm</type></os>
  <bogus/>
</domain>
"""
BETA = ALPHA.replace("Alpha", "beta").replace("c4045b45", "0e1c8736").replace("  <bogus/>\n", "")
OTHER_UUID = VM1.replace("1e34a988", "2e34a988")  # same name, another UUID
FILES = {
    "vm1.xml": VM1,
    "alpha.xml": ALPHA,
    "beta.xml": BETA,
    "other.xml": OTHER_UUID,
    "bad.xml": "<domain",
    "empty.xml": "",
    "noos.xml": "<domain type='test'><name>noos</name><memory>1024</memory></domain>",
    "net.xml": "<network><name>n1</name></network>",
}
EDITORS = {
    # a non-interactive "editor": writes broken XML
    "broken.sh": "#!/bin/sh\nprintf '<domain' > \"$1\"\n",
    # adds an element the schema does not know (fails validation, passes --skip-validate)
    "bogus.sh": "#!/bin/sh\nsed -i 's#</devices>#<bogus/></devices>#' \"$1\"\n",
    # renames the domain: a second domain with the same UUID, which libvirt refuses
    "rename.sh": "#!/bin/sh\nsed -i 's#<name>test</name>#<name>test2</name>#' \"$1\"\n",
    "noexec.sh": "#!/bin/sh\nexit 0\n",
}


@pytest.fixture
def d(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "adir").mkdir()
    for name, text in EDITORS.items():
        p = tmp_path / name
        p.write_text(text)
        if name != "noexec.sh":
            p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return tmp_path


@pytest.fixture
def host_uri(tmp_path: Path) -> str:
    """The embedded lab's node file, opened by both programs as is (no kvmlab shaping)."""
    copy = tmp_path / "host.xml"
    shutil.copy(ROOT / "kvmlab" / "data" / "embedded-host.xml", copy)
    return f"test://{copy}"


BATCHES = [
    # list and its filters
    "list",
    "list --all",
    "list --inactive",
    "list --all; list --inactive; list",
    "list --name; list --uuid; list --id; list --table",
    "list --name --table",
    "list --table --uuid",
    "list --id --table",
    "list --all --title; list --title --name",
    "list foo",
    "list --bogus",
    "list --all=yes",
    "list --al",
    "define {d}/vm1.xml; define {d}/alpha.xml; define {d}/beta.xml; start vm1; list --all",
    "define {d}/vm1.xml; define {d}/beta.xml; list --all --name; list --uuid --all; list --id --all; "
    "list --uuid --name --id --all; list --inactive --name; list --all --title",
    "define {d}/vm1.xml; list --state-shutoff; list --state-running --state-paused; list --state-other --all; "
    "suspend test; list --state-paused; list --state-running",
    "define {d}/vm1.xml; create {d}/beta.xml; list --persistent --all; list --transient --all; "
    "list --all --autostart; list --all --no-autostart",
    "list --all --with-snapshot; list --all --without-snapshot; list --all --with-checkpoint; "
    "list --all --without-checkpoint; list --all --with-managed-save; list --all --without-managed-save; "
    "list --all --managed-save",
    # define / create
    "define {d}/vm1.xml; define --file {d}/vm1.xml; define {d}/vm1.xml --validate",
    "define {d}/alpha.xml --validate",
    "define {d}/alpha.xml; dumpxml Alpha",
    "define {d}/bad.xml",
    "define {d}/empty.xml",
    "define {d}/noos.xml",
    "define {d}/net.xml",
    "define {d}/nonexistent.xml",
    "define {d}/adir",
    "define ''",
    "define",
    "define --file",
    "define {d}/vm1.xml {d}/beta.xml",
    "define {d}/vm1.xml; define {d}/other.xml",
    "define {d}/vm1.xml; create {d}/vm1.xml",
    "create {d}/vm1.xml; list; destroy vm1; list --all",
    "create {d}/vm1.xml --paused",
    "create {d}/vm1.xml --validate; create {d}/alpha.xml --validate",
    "create {d}/vm1.xml --autodestroy; list",
    "create {d}/vm1.xml --pass-fds x",
    "create {d}/vm1.xml --pass-fds 0; list",
    "create {d}/vm1.xml --pass-fds ''; list",
    "create {d}/vm1.xml --console; list",
    "create {d}/bad.xml; create {d}/nonexistent.xml; create {d}/net.xml",
    # start and the wrong-state errors
    "start test",
    "start 1",
    "start 6695eb01-f6a4-8304-79aa-97f2502e193f",
    "define {d}/vm1.xml; start vm1; start vm1; list",
    "define {d}/vm1.xml; start 1e34a988-2c25-47f8-9355-53db9f65dfc2; dominfo 2",
    "define {d}/vm1.xml; start vm1 --paused",
    "define {d}/vm1.xml; start vm1 --force-boot; list",
    "define {d}/vm1.xml; start vm1 --console; list",
    "define {d}/vm1.xml; start vm1 --pass-fds 1,x",
    "define {d}/vm1.xml; start vm1 --pass-fds 0; list",
    "suspend test; start test",
    "start",
    "start --domain test extra",
    "start test --pass-fds",
    # dominfo and lookups
    "dominfo test",
    "dominfo 1; dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f; dominfo --domain test",
    "dominfo nosuch",
    "dominfo 99; dominfo 00000000-0000-0000-0000-000000000000",
    "dominfo ' 1'; dominfo +1; dominfo 1x; dominfo -1; dominfo 99999999999999",
    "dominfo ''",
    "dominfo",
    "dominfo a b",
    "dominfo test --domain x",
    "dominfo --bogus x",
    "define {d}/vm1.xml; dominfo vm1",
    # suspend / resume / shutdown / reboot / destroy
    "suspend test; dominfo test; resume test; dominfo test",
    "suspend test; suspend test",
    "resume test",
    "suspend 1; resume 1",
    "define {d}/vm1.xml; suspend vm1; resume vm1; shutdown vm1; reboot vm1; destroy vm1",
    "shutdown test; list --all; shutdown test",
    "shutdown test --mode acpi",
    "shutdown test acpi",
    "shutdown test --mode bogus; reboot test --mode bogus",
    "shutdown test --mode acpi,,agent; shutdown test --mode ''",
    "reboot test; reboot test --mode acpi; reboot test --mode agent,signal",
    "destroy test; destroy test; start test; destroy 2",
    "destroy test --graceful; start test; destroy test --remove-logs",
    "destory test",
    "list; destory test",
    "shutdwon test",
    "suspend",
    "resume test extra",
    "shutdown test --mode",
    "reboot test --mode acpi extra",
    # undefine
    "undefine test; list --all; dominfo test",
    "define {d}/vm1.xml; undefine vm1; undefine vm1",
    "undefine nosuch",
    "undefine ''",
    "undefine test --delete-snapshots",
    "undefine test --delete-storage-volume-snapshots",
    "undefine test --nvram --keep-nvram",
    "undefine test --tpm --keep-tpm",
    "undefine test --wipe-storage",
    "undefine test --storage '' --wipe-storage",
    "undefine test --remove-all-storage",
    "destroy test; undefine test --remove-all-storage; list --all",
    "destroy test; undefine test --storage vda,vdb",
    "undefine test --storage",
    "undefine test vda --nvram",
    "undefine test --delete-snapshots=1",
    "undefine test --managed-save --snapshots-metadata --checkpoints-metadata; list --all",
    # dumpxml
    "dumpxml test",
    "dumpxml test --inactive",
    "dumpxml test --security-info --migratable",
    "dumpxml test --update-cpu",
    "dumpxml 1 --xpath //disk; dumpxml test --xpath //disk --wrap",
    "dumpxml test --xpath //vcpu/@placement; dumpxml test --xpath //@dev --wrap",
    "dumpxml test --xpath //name/text(); dumpxml test --xpath name --wrap",
    "dumpxml test --xpath /nothing; dumpxml test --xpath /nothing --wrap",
    "dumpxml test --xpath 'count(//disk)'",
    "dumpxml test --xpath ''",
    "dumpxml test --xpath '///['; dumpxml test --xpath '//a['",
    "dumpxml test --xpath 'foo()'; dumpxml test --xpath 'bar:x'",
    "dumpxml test /domain/name",
    "dumpxml test --xpath",
    "dumpxml nosuch --xpath ''",
    # batches that fail part-way: virsh goes on, the exit code is the last command's
    "list; dominfo nosuch; list",
    "list; dominfo nosuch",
    "start test; suspend test; resume test; resume test; list",
    "define {d}/bad.xml; define {d}/vm1.xml; start vm1; start vm1; destroy vm1; undefine vm1; list --all",
    # a parse error anywhere runs nothing
    "list; nosuchcmd; list",
    "list; dominfo test extra",
    "destroy test; dominfo --domain",
    "destroy test; define",
]


@pytest.mark.parametrize("batch", BATCHES)
def test_batch_matches_virsh(batch, d):
    assert_same(batch.replace("{d}", str(d)))


@pytest.mark.parametrize("argv", [["dominfo", "test"], ["list", "--all"], ["start", "test"],
                                  ["dominfo", "test", ";", "list"], ["suspend", "nosuch"]])
def test_argv_form_matches_virsh(argv):
    assert_same(argv)


def test_typo_gets_a_hint():
    ours = assert_same("destory test")
    assert ours[3] == ["kvmlab hint: did you mean 'destroy'? (destroy = forced power-off; shutdown = graceful)\n"]


def test_wrong_state_errors_carry_hints():
    ours = assert_same("start test; suspend test; suspend test; resume test; resume test")
    assert len(ours[3]) == 3
    assert "already running" in ours[3][0] and "destroy" in ours[3][0]
    assert "already paused" in ours[3][1] and "resume" in ours[3][1]
    assert "not paused" in ours[3][2]
    ours = assert_same("destroy test; destroy test; shutdown test")
    assert "undefine" in ours[3][0] and "destroy = forced" in ours[3][1]


EMBEDDED_BATCHES = [
    "list --all; dominfo build; dominfo backup; dominfo 3",
    "undefine backup --remove-all-storage; vol-list default",
    "undefine backup --storage /var/lib/libvirt/images/backup.qcow2; vol-list default",
    "undefine web01 --storage vda",
    "destroy db01; undefine db01 --storage vdb,vda --wipe-storage; list --all",
    "destroy db01; undefine db01 --storage vda --wipe-storage; list --all",
    "destroy db01; undefine db01 --remove-all-storage --delete-storage-volume-snapshots",
    "undefine installer --remove-all-storage; list --all",
    "undefine backup --storage vda --remove-all-storage",
    "resume build; suspend 1; list; shutdown web01 --mode acpi; reboot db01 --mode acpi",
    "shutdown backup; reboot backup; suspend backup; resume backup; start backup; start build; start web01",
    "start build; resume backup; suspend build",
    "undefine web01; list --all --persistent; list --transient",
]


@pytest.mark.parametrize("batch", EMBEDDED_BATCHES)
def test_embedded_node_matches_virsh(batch, host_uri):
    assert_same(batch, uri=host_uri)


# --- edit: the editor comes from $VISUAL / $EDITOR, exactly as virsh picks it ---

_TMP = re.compile(r"virsh[A-Za-z0-9]{6}\.xml")


def assert_same_tmpname(batch: str, env: dict) -> tuple:
    """assert_same, except that the random temp-file name virsh prints may differ."""
    real, ours = both(batch, env=env)
    norm = lambda s: _TMP.sub("virshXXXXXX.xml", sanitize(s))  # noqa: E731
    assert norm(ours[0]) == norm(real[0])
    assert norm(ours[1]) == norm(real[1])
    assert ours[2] == real[2]
    return ours


EDIT_CASES = [
    # (batch, env)
    ("edit test; dumpxml test --inactive; dominfo test", {"VISUAL": "sed -i s/8388608/4194304/"}),
    ("edit test", {"VISUAL": "true"}),
    ("edit test; list", {"VISUAL": "{d}/broken.sh"}),
    ("edit test; start test", {"VISUAL": "{d}/broken.sh"}),
    ("edit test; suspend test; suspend test", {"VISUAL": "{d}/broken.sh"}),
    ("edit test", {"VISUAL": "{d}/bogus.sh"}),
    ("edit --skip-validate test; dumpxml test --inactive", {"VISUAL": "{d}/bogus.sh"}),
    ("edit test; list --all", {"VISUAL": "sed -i s/test/foo/"}),
    ("edit test; list --all", {"VISUAL": "{d}/rename.sh"}),
    ("edit test", {"VISUAL": "nonexistent-editor"}),
    ("edit test", {"VISUAL": ""}),
    ("edit test", {"VISUAL": "true", "EDITOR": "false"}),
    ("edit nosuch", {"VISUAL": "true"}),
    ("edit", {"VISUAL": "true"}),
    ("edit test extra", {"VISUAL": "true"}),
    ("edit test", {"VISUAL": "true", "TMPDIR": "{d}/nonexistent"}),
]


@pytest.mark.parametrize("batch,env", EDIT_CASES)
def test_edit_matches_virsh(batch, env, d):
    (d / "with space").mkdir(exist_ok=True)
    assert_same(batch, env={k: v.replace("{d}", str(d)) for k, v in env.items()})


def test_edit_with_editor_only(d, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    assert_same("edit test; dumpxml test --inactive", env={"EDITOR": "sed -i s/2097152/1048576/"})


@pytest.mark.parametrize("editor", ["false", "/nonexistent/ed", "{d}/noexec.sh", "sh -c 'exit 3'",
                                    "kill -9 $$; :", "rm", "sed -i s/<vcpu/<vcpux/"])
def test_failing_editor_matches_virsh(editor, d):
    """These messages name the temp file, whose random part differs run to run."""
    ours = assert_same_tmpname("edit test; dominfo test", {"VISUAL": editor.replace("{d}", str(d))})
    assert ours[2] == 0 and "error: " in ours[1]


def test_edit_refuses_a_tmpdir_with_shell_characters(d):
    (d / "with space").mkdir()
    ours = assert_same_tmpname("edit test", {"VISUAL": "rm -f", "TMPDIR": f"{d}/with space"})
    assert "temporary filename contains shell meta" in ours[1]
    assert os.listdir(d / "with space") == []


def test_broken_edit_reports_failed_and_virsh_quirk(d):
    ours = assert_same("edit test", env={"VISUAL": f"{d}/broken.sh"})
    assert ours[0] == "Domain '(null)' XML configuration edited.\n\n"
    assert ours[1] == "error: Failed.\n"
    assert ours[3] and "(domain_definition)" in ours[3][0]
