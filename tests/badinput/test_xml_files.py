"""XML files virsh refuses byte by byte: NUL bytes, UTF-16, Latin-1, junk, too large, no file at all.

virsh reads the file as a C string (it ends at the first NUL) and libvirt parses the bytes as
UTF-8. kvmlab reads the same way, so every refusal is libvirt's own text, the batch goes on,
and nothing is defined with a mangled name.
"""

from __future__ import annotations

import os

import pytest

from kvmlab import InvalidInput
from kvmlab.ops.source import MAX_XML_FILE

from ..conftest import VIRSH
from .conftest import URI, assert_batch_unchanged, refused, run, virsh_lines

DOMAIN = '<domain type="test"><name>{}</name><memory>1024</memory><os><type>hvm</type></os></domain>'

CONTENTS = {
    "nul-in-tag": DOMAIN.format("nul").replace("<memory>", "<mem\0ory>").encode(),
    "nul-first": b"\0" + DOMAIN.format("nul0").encode(),
    "all-nul": b"\0" * 64,
    "empty": b"",
    "utf16-bom": DOMAIN.format("u16").encode("utf-16"),
    "utf16-be": DOMAIN.format("u16be").encode("utf-16-be"),
    "latin1-name": DOMAIN.format("caf\xe9").encode("latin-1"),
    "latin1-declared": ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + DOMAIN.format("d\xe9cl")).encode("latin-1"),
    "bad-byte-in-comment": b"<!-- \xff -->" + DOMAIN.format("cm").encode(),
    "truncated-utf8": DOMAIN.format("cut").encode()[:-3] + b"\xc3",
    "junk": bytes(range(256)) * 4,
    "tab-and-bad-byte": b'<domain type="test">\n\t<name>x\xe9y</name>\n</domain>\n',
}
COMMANDS = ["define", "create", "net-define", "net-create", "pool-define", "pool-create"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad-xml")
    paths = {}
    for key, data in CONTENTS.items():
        paths[key] = d / f"{key}.xml"
        paths[key].write_bytes(data)
    paths["too-large"] = d / "too-large.xml"
    with open(paths["too-large"], "wb") as fh:
        fh.write(b" " * (MAX_XML_FILE + 1))
    paths["a-directory"] = d
    paths["missing"] = d / "no-such.xml"
    return {k: str(v) for k, v in paths.items()}


@pytest.mark.parametrize("key", list(CONTENTS))
@pytest.mark.parametrize("command", COMMANDS)
def test_cli_refuses_the_bytes_as_virsh_and_goes_on(files, key, command):
    # twice, then the dumps: the first refusal never ends the batch
    assert_batch_unchanged(f"{command} {files[key]}; {command} {files[key]}")


@pytest.mark.parametrize("key", ["too-large", "a-directory", "missing"])
@pytest.mark.parametrize("command", ["define", "net-define", "pool-create"])
def test_cli_unreadable_file_as_virsh(files, key, command):
    assert_batch_unchanged(f"{command} {files[key]}")


@pytest.mark.parametrize("command", ["define", "net-define", "pool-define"])
def test_cli_dev_zero_is_too_large_as_in_virsh(command):
    out, err, rc = assert_batch_unchanged(f"{command} /dev/zero")
    assert b"error: Failed to read file '/dev/zero': Value too large for defined data type\n" in err


def test_a_file_of_exactly_the_limit_is_read(files, tmp_path):
    exact = tmp_path / "exact.xml"
    exact.write_bytes(b" " * MAX_XML_FILE)  # read, then refused by libvirt's parser, as virsh does
    out, err, rc = assert_batch_unchanged(f"define {exact}")
    assert b"Failed to read file" not in err and b"Failed to define domain from" in err


API = {"define": "define", "create": "create", "net-define": "net_define", "net-create": "net_create",
       "pool-define": "pool_define", "pool-create": "pool_create"}


@pytest.mark.parametrize("key", [*CONTENTS, "too-large", "a-directory", "missing"])
@pytest.mark.parametrize("command", COMMANDS)
def test_api_refuses_with_virsh_lines(default_host, files, key, command):
    """The same file from Python: an InvalidInput whose lines are real virsh's, nothing defined."""
    err = refused(lambda: getattr(default_host, API[command])(files[key]), InvalidInput)
    real = run([VIRSH, "-c", URI, f"{command} {files[key]}"])
    assert real[2] == 1
    assert err.virsh_error == virsh_lines(real[1])


@pytest.mark.parametrize("key", list(CONTENTS))
def test_api_bytes_are_the_document_not_a_file_name(default_host, key):
    """Bytes given to define are XML, read as virsh reads `define /dev/stdin`."""
    err = refused(lambda: default_host.define(CONTENTS[key]), InvalidInput)
    real = run([VIRSH, "-c", URI, "define /dev/stdin"], stdin=CONTENTS[key])
    assert err.virsh_error == virsh_lines(real[1])


def test_api_non_utf8_is_never_defined_under_a_mangled_name(default_host, files):
    for command in ("define", "net_define", "pool_define"):
        err = refused(lambda: getattr(default_host, command)(files["latin1-name"]), InvalidInput)
        assert "Input is not proper UTF-8" in err.virsh_error[1]
        assert "UTF-8" in err.hint and "iconv" in err.hint
    assert "caf\ufffd" not in default_host.virsh("list --all --name").stdout


def test_api_nul_in_a_file_name(default_host):
    err = refused(lambda: default_host.define("/tmp/a\0b.xml"), InvalidInput)
    assert "NUL" in err.message
    refused(lambda: default_host.pool_define(os.fsencode("/tmp/a\0b.xml").decode()), InvalidInput)
