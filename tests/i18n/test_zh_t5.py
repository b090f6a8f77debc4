"""The operations' teaching errors and hints in Chinese (issue 12 item 2): a failing call made after
set_language("zh") carries a Chinese hint, while virsh's own lines (``failed to get domain 'nope'``,
``Domain is already active``) stay exactly as virsh prints them; after set_language(None) the hint is
the English it always was. ``kvmlab virsh`` under KVMLAB_LANG=zh prints virsh's error lines unchanged,
then kvmlab's hint in Chinese."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.errors import InvalidInput, InvalidState, NotFound

from ..conftest import KVMLAB, run_cmd
from .conftest import has_chinese as _has_chinese


def _failure(call) -> Exception:
    with pytest.raises(kvmlab.KvmlabError) as info:
        call()
    return info.value


def test_a_missing_domain_has_a_chinese_hint_and_virsh_s_own_line(conn):
    kvmlab.set_language("zh")
    err = _failure(lambda: conn.dominfo("nope"))
    assert isinstance(err, NotFound)
    assert err.virsh_error == ["failed to get domain 'nope'"]  # virsh's words: libvirt's catalog translates them
    assert err.message == "failed to get domain 'nope'"
    assert _has_chinese(err.hint) and "`virsh list --all`" in err.hint and "conn.list(all=True)" in err.hint

    kvmlab.set_language(None)
    err = _failure(lambda: conn.dominfo("nope"))
    assert err.virsh_error == ["failed to get domain 'nope'"]
    assert err.hint == ("no domain has that id or UUID or name; list them with `virsh list --all` "
                        "(kvmlab: conn.list(all=True))")


def test_a_wrong_state_hint_prepared_before_the_call_is_worded_in_the_language_of_the_failure(conn):
    kvmlab.set_language("zh")
    err = _failure(lambda: conn.start("web01"))  # running already
    assert isinstance(err, InvalidState) and err.virsh_error == ["Domain is already active"]
    assert _has_chinese(err.hint) and "`virsh shutdown web01`" in err.hint and "`virsh destroy web01`" in err.hint

    # a hint made with L_() before libvirt is called (the pool's name in it) is worded when it fails
    err = _failure(lambda: conn.pool_start("default"))  # active already
    assert err.virsh_error[0] == "Failed to start pool default" and not _has_chinese(err.virsh_error[1])
    assert _has_chinese(err.hint) and "`virsh pool-info default`" in err.hint
    err = _failure(lambda: conn.resume("web01"))  # a table marked N_(), worded on failure
    assert _has_chinese(err.hint) and "`virsh suspend`" in err.hint

    kvmlab.set_language(None)
    err = _failure(lambda: conn.start("web01"))
    assert err.hint == ("'web01' is already running; stop it with `virsh shutdown web01` (graceful) "
                        "or `virsh destroy web01` (forced power-off)")
    err = _failure(lambda: conn.pool_start("default"))
    assert err.hint == "pool 'default' is already running (`virsh pool-info default` shows its state)"


def test_kvmlab_s_own_messages_are_chinese_too(conn):
    kvmlab.set_language("zh")
    err = _failure(lambda: conn.dumpxml("web01", xpath=""))
    assert isinstance(err, InvalidInput) and _has_chinese(err.message) and "--xpath" in err.message
    err = _failure(lambda: conn.setvcpus("web01", 2, current=True, live=True))
    assert err.virsh_error == ["Options --current and --live are mutually exclusive"]  # virsh's
    assert _has_chinese(err.hint)

    kvmlab.set_language(None)
    err = _failure(lambda: conn.dumpxml("web01", xpath=""))
    assert err.message == "--xpath needs an expression"
    err = _failure(lambda: conn.setvcpus("web01", 2, current=True, live=True))
    assert err.hint == "--current means 'as the domain is now'"


def test_the_cli_prints_virsh_s_lines_unchanged_and_kvmlab_s_hint_in_chinese():
    line = "dominfo nope; start test"
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", line], env={"KVMLAB_LANG": "zh"})
    lines = err.splitlines()
    assert rc == 1
    assert "error: failed to get domain 'nope'" in lines and "error: Domain is already active" in lines
    hints = [x for x in lines if not x.startswith("error:")]
    assert len(hints) == 2 and all(_has_chinese(x) for x in hints)
    assert "`virsh list --all`" in hints[0] and "`virsh destroy test`" in hints[1]

    out, err_en, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", line], env={"KVMLAB_LANG": "en"})
    assert [x for x in err_en.splitlines() if x.startswith("error:")] == [x for x in lines if x.startswith("error:")]
    assert not _has_chinese(err_en)
