"""`kvmlab xml` with values XML cannot carry: a teaching error and exit 1, never a traceback."""

from __future__ import annotations

import pytest

from ..conftest import KVMLAB
from .conftest import run, sane

BAD = {
    "control": "a\x01b",
    "escape": "vm\x1b[31m",
    "bell": "\x07",
    "form-feed": "vm\x0c1",
    "undecodable": b"a\xffb".decode("utf-8", "surrogateescape"),  # argv bytes that are not UTF-8
    "latin1": b"caf\xe9".decode("utf-8", "surrogateescape"),
}

ARGV = {
    "domain --name": ["domain", "--memory", "512MiB", "--name"],
    "domain --disk": ["domain", "--name", "vm1", "--memory", "512MiB", "--disk"],
    "network --name": ["network", "--subnet", "192.168.150.0/24", "--name"],
    "network --bridge": ["network", "--name", "lab", "--mode", "bridge", "--bridge"],
    "pool --name": ["pool", "--type", "dir", "--target", "/var/lib/libvirt/images/lab", "--name"],
    "pool --target": ["pool", "--name", "lab", "--type", "dir", "--target"],
    "volume --name": ["volume", "--capacity", "1GiB", "--name"],
}


@pytest.mark.parametrize("value", list(BAD))
@pytest.mark.parametrize("where", list(ARGV))
def test_value_xml_cannot_carry(where, value):
    option = where.split()[1]
    text = BAD[value] if option not in ("--disk", "--target") else "/var/lib/" + BAD[value]
    out, err, rc = run([KVMLAB, "xml", *ARGV[where], text])
    sane((out, err, rc))
    assert rc == 1 and out == b""
    assert err.startswith(f"error: {option} ".encode()) and b"which XML cannot carry" in err
    assert b"kvmlab hint: write " + option.encode() in err


def test_a_tab_or_a_delete_is_text_xml_can_carry():
    for name in ("a\x7fb", "tab\there"):
        out, err, rc = run([KVMLAB, "xml", "volume", "--capacity", "1GiB", "--name", name])
        sane((out, err, rc))
        assert b"which XML cannot carry" not in err
