"""The command line and the terminal with bytes that are not text: virsh's bytes back, never a traceback."""

from __future__ import annotations

import pytest

from ..conftest import KVMLAB
from .conftest import DUMPS, URI, assert_batch_unchanged, assert_virsh_same, kvmlab_virsh, run, sane

FF = b"a\xffb".decode("utf-8", "surrogateescape")  # how Python's argv holds the bytes a, 0xFF, b


@pytest.mark.parametrize("argv", [
    [f"list{FF}"], ["list", f"--na{FF}me"], ["dominfo", FF], ["net-info", FF], ["pool-info", FF],
    ["vol-info", FF], ["vol-info", "--pool", "default-pool", FF], ["dominfo", "\udcff" * 36],
    ["net-dumpxml", "\udcfe\udcff"], ["define", f"/tmp/{FF}.xml"], ["start", "x\x01y"], ["dominfo", "\x1b[31m"],
], ids=repr)
def test_argv_bytes_as_virsh(argv):
    assert_virsh_same(["-c", URI, *argv])


@pytest.mark.parametrize("batch", [f"{FF}; list", f"list --{FF}; list", f"dominfo test --{FF}; list", "list\x01; list"],
                         ids=repr)
def test_batch_of_bytes_virsh_refuses_whole(batch):
    """A batch virsh's parser refuses runs nothing at all: the same error, nothing changed."""
    out, err, rc = assert_virsh_same(["-c", URI, batch])
    assert out == b"" and rc == 1


@pytest.mark.parametrize("xpath", ["\udcff//name", "a\udcffb", "\udcff", "ab\udcc3"], ids=repr)
def test_xpath_of_bytes_is_libxml2s_encoding_error(xpath):
    """libxml2 words it once or twice; kvmlab once, and like virsh prints no nodes and succeeds."""
    out, err, rc = kvmlab_virsh(["-c", URI, f"net-dumpxml default --xpath {xpath}; {DUMPS}"])
    assert err.startswith(b"XPath error : Encoding error\n") and rc == 0
    assert out.endswith(kvmlab_virsh(["-c", URI, DUMPS])[0])


@pytest.mark.parametrize("batch", [
    f"dominfo {FF}", f"undefine {FF}", f"net-destroy {FF}", f"pool-undefine {FF}", f"vol-delete {FF} --pool default-pool",
    "dumpxml test --xpath //name\udcff", "dumpxml test --xpath 'a\x01b'", "net-dumpxml default --xpath '\x1b[2J'",
    f"vol-create-as default-pool ab 1M --backing-vol {FF}", "vol-create-as default-pool ab 1M --backing-vol 'q\x01'", "dominfo \x01", f"net-undefine {FF}; pool-undefine {FF}",
])
def test_batch_bytes_as_virsh_and_nothing_changes(batch):
    assert_batch_unchanged(batch)


STDIN = [
    b"\x00\xff\xfe junk\n",  # the issue's own example
    b"\xff\n",
    b"dominfo te\x00st\nlist --name\n",  # readline drops NUL: the line reads `dominfo test`
    b"\x00\n",
    b"list \x00--name\n",
    b"dominfo \xff\nnet-info a\xffb\n",
    b"\xef\xbb\xbflist\n",  # a UTF-8 byte-order mark is part of the command's name
    b"\xfe\xff\x00l\x00i\x00s\x00t\n",  # UTF-16 text on stdin
    bytes(range(0x80, 0xC0)) + b"\xfe\xff x\n",  # bytes that never start UTF-8 (readline keeps them;
    # a UTF-8 lead byte whose sequence breaks off is readline's own business, not emulated)
    b"list\r\n",  # a Windows line end: readline ends the line at the carriage return
    b"list\rlist --name\r\n",
]


@pytest.mark.parametrize("stdin", STDIN, ids=repr)
def test_terminal_bytes_as_virsh_and_the_session_goes_on(stdin):
    # after the junk: the dumps, one per line, prove the session went on and nothing changed
    text = stdin + "\n".join(DUMPS.split("; ")).encode() + b"\n"
    out, err, rc = assert_virsh_same(["-c", URI], stdin=text)
    assert rc == 0 and b"virsh # pool-dumpxml default-pool\n<pool type='dir'>" in out


@pytest.mark.parametrize("argv", [["-c"], ["--connect"], ["-c", URI, "-c"], ["--connect", URI, "--connect"]],
                         ids=repr)
def test_connect_without_an_argument_as_virsh(argv):
    out, err, rc = assert_virsh_same(argv)
    assert err == b"error: option '-c'/'--connect' requires an argument\n" and rc == 1


@pytest.mark.parametrize("stdin", [bytes(range(1, 32)) + b"\n", b"list \x1b[A\n", b"\x7f\x08list\n"], ids=repr)
def test_terminal_control_bytes_never_end_the_session(stdin):
    """readline's editing keys (Ctrl-A, arrows ...) are not emulated; the session still goes on."""
    out, err, rc = kvmlab_virsh(["-c", URI], stdin=stdin + b"list --name\n")
    assert rc == 0 and out.endswith(b"virsh # list --name\ntest\n\nvirsh # \n")


def test_kvmlab_entry_point_passes_bytes_through():
    """`kvmlab` itself: an unknown subcommand of bytes is written back as the same bytes."""
    out, err, rc = run([KVMLAB, FF])
    sane((out, err, rc))
    assert rc == 2 and err.startswith(b"kvmlab: unknown command 'a\xffb'")
