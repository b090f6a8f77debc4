"""Bad input to the commands that reach a guest (lesson 11): bytes and control characters on the command
line (virsh's bytes back), wrong types and impossible values from Python (a KvmlabError with a hint,
never a bare TypeError, ValueError or UnicodeError), and nothing changed afterwards."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState, NotFound, OperationFailed, Unsupported

from ..conftest import VIRSH
from .conftest import URI, assert_batch_unchanged, assert_virsh_same, refused, run, virsh_lines

FF = b"a\xffb".decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("argv", [
    ["domiflist", FF], ["domblklist", FF, "--details"], ["domifaddr", FF], ["domifaddr", "test", FF],
    ["domifaddr", "test", "--source", FF], ["domifaddr", FF, "--source", "\x01"], ["domstate", FF, "--reason"],
    ["domid", FF], ["domuuid", "\udcff" * 36], ["domname", "\udcfe\udcff"], ["net-dhcp-leases", FF],
    ["net-dhcp-leases", "default", "--mac", FF], ["net-dhcp-leases", "default", "--mac", "\x1b[2J"],
    ["console", FF], ["console", "test", "--devname", FF], ["console", "test", "--devname", "a\x01b"],
    ["domifaddr", "test", "--interface", "-"], ["domstate", "--reason", "--domain", "\x1b[31m"],
], ids=repr)
def test_argv_bytes_as_virsh(argv):
    assert_virsh_same(["-c", URI, *argv])


@pytest.mark.parametrize("batch", [
    f"domifaddr test --source {FF}", f"domiflist {FF}; domblklist {FF}", "domifaddr test 'x\x01y' --full",
    f"net-dhcp-leases default --mac {FF}", "console test --devname '\x1b[2J'", f"domstate {FF} --reason",
    "destroy nosuch; domstate test --reason",
])
def test_batch_bytes_as_virsh_and_nothing_changes(batch):
    assert_batch_unchanged(batch)


NAMED = ["domiflist", "domblklist", "domifaddr", "domstate", "domid", "domuuid", "domname", "console",
         "net_dhcp_leases"]


@pytest.mark.parametrize("op", NAMED)
@pytest.mark.parametrize("name", ["a\0b", "\0", "web01\0", ["web01"], b"web01", 1.5, {"name": "web01"}])
def test_impossible_names(lab, op, name):
    err = refused(lambda: getattr(lab, op)(name), InvalidInput)
    assert ("NUL character" if isinstance(name, str) else "as text, got") in err.message


@pytest.mark.parametrize("op,kind", [("domiflist", "domain"), ("domstate", "domain"), ("net_dhcp_leases", "network")])
def test_undecodable_names_are_not_found_as_in_virsh(default_host, op, kind):
    err = refused(lambda: getattr(default_host, op)(FF), NotFound)
    real = run([VIRSH, "-c", URI, op.replace("_", "-"), FF.encode("utf-8", "surrogateescape")])
    assert err.virsh_error == virsh_lines(real[1])


WRONG = [
    ("domifaddr source list", lambda c: c.domifaddr("web01", source=["lease"]), InvalidInput, "expected text for --source"),
    ("domifaddr source bytes", lambda c: c.domifaddr("web01", source=b"lease"), InvalidInput, "expected text"),
    ("domifaddr source typo", lambda c: c.domifaddr("web01", source="leases"), InvalidInput, "Unknown data source"),
    ("domifaddr source empty", lambda c: c.domifaddr("web01", source=""), InvalidInput, "Option argument is empty"),
    ("domifaddr interface dict", lambda c: c.domifaddr("web01", interface={"x": 1}), InvalidInput, "--interface"),
    ("leases mac bytes", lambda c: c.net_dhcp_leases("default", mac=b"52:54"), InvalidInput, "expected text for --mac"),
    ("leases mac NUL", lambda c: c.net_dhcp_leases("default", mac="52\0:54"), InvalidInput, "NUL character"),
    ("leases mac empty", lambda c: c.net_dhcp_leases("default", mac=""), InvalidInput, "Option argument is empty"),
    ("console devname NUL", lambda c: c.console("web01", devname="serial\0"), InvalidInput, "NUL character"),
    ("console devname list", lambda c: c.console("web01", devname=["serial0"]), InvalidInput, "--devname"),
    ("console devname bytes of argv", lambda c: c.console("web01", devname=FF), InvalidInput, "no character device"),
    ("console of a stopped domain", lambda c: c.console("backup"), OperationFailed, "The domain is not running"),
    ("console on the test driver", lambda c: c.console("web01"), Unsupported, "virDomainOpenConsole"),
    ("leases on the test driver", lambda c: c.net_dhcp_leases("default", mac=FF), Unsupported, "not supported"),
    ("domname from a name", lambda c: c.domname("web01"), NotFound, "failed to get domain 'web01'"),
    ("domifaddr stopped", lambda c: c.domifaddr("backup"), InvalidState, "domain is not running"),
]


@pytest.mark.parametrize("call, cls, words", [(c, k, w) for _, c, k, w in WRONG], ids=[n for n, *_ in WRONG])
def test_wrong_values_are_refused_with_a_hint(lab, call, cls, words):
    err = refused(lambda: call(lab), cls)
    assert words in err.message and err.hint


def test_lesson_guest_names_and_sessions_of_the_wrong_kind(lab):
    import kvmlab.lab

    refused(lambda: kvmlab.lab.lesson_guest(lab, "../../etc", progress=None), InvalidInput)
    refused(lambda: kvmlab.lab.lesson_guest(lab, b"kvmlab-x", progress=None), InvalidInput)


def test_the_widget_never_raises_on_bad_names(lab):
    from kvmlab.widgets import SerialConsole

    for name in ["nosuch", "a\0b", FF, ""]:
        term = SerialConsole(lab, name)
        assert not term.connected and term.error is not None and term.status.startswith("not connected")
        assert term.run("ls").startswith("(nothing ran")
