"""conn.clone with bad input: a KvmlabError with a hint (never a bare TypeError), and nothing changed
(the ``lab`` fixture compares the whole inventory, volumes included)."""

from __future__ import annotations

import pytest

from kvmlab import InvalidInput, InvalidState, NotFound

from .conftest import refused

FF = b"a\xffb".decode("utf-8", "surrogateescape")

CASES = [
    ("source as a list", lambda c: c.clone(["backup"], "x"), InvalidInput, "domain name as text"),
    ("source with NUL", lambda c: c.clone("back\0up", "x"), InvalidInput, "NUL character"),
    ("source undecodable", lambda c: c.clone(FF, "x"), NotFound, "failed to get domain"),
    ("name as bytes", lambda c: c.clone("backup", b"x"), InvalidInput, "invalid name for the clone"),
    ("name with a newline", lambda c: c.clone("backup", "a\nb"), InvalidInput, "invalid name for the clone"),
    ("name too long", lambda c: c.clone("backup", "x" * 5000), InvalidInput, "invalid name for the clone"),
    ("name with quotes", lambda c: c.clone("backup", "a'b"), InvalidInput, "invalid name for the clone"),
    ("name cjk", lambda c: c.clone("backup", "名前"), InvalidInput, "invalid name for the clone"),
    ("name traversal", lambda c: c.clone("backup", "../../etc"), InvalidInput, "invalid name for the clone"),
    ("disks as a bool", lambda c: c.clone("backup", "x", disks=True), InvalidInput, "'copy' or 'overlay'"),
    ("macs as a dict", lambda c: c.clone("backup", "x", macs={"a": 1}), InvalidInput, "MAC addresses"),
    ("macs with a newline", lambda c: c.clone("backup", "x", macs="52:54:00:00:00:01\n"), InvalidInput, "MAC"),
    ("a running source", lambda c: c.clone("web01", "x"), InvalidState, "must be shutoff"),
]


@pytest.mark.parametrize("call, cls, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_clone_input_is_refused(lab, call, cls, words):
    err = refused(lambda: call(lab), cls)
    assert words in err.message
