"""Connection extras: a virsh line on an open connection, and typo'd operation names that teach."""

import pytest

from .conftest import KVMLAB, run_cmd


def test_virsh_line_runs_on_this_connection(conn):
    run = conn.virsh("destroy web01; list --all")
    assert run.ok
    assert "Domain 'web01' destroyed" in run.stdout
    assert conn.virconn.lookupByName("web01").state()[0] == 5  # shut off, on this very connection


def test_virsh_line_prints_what_kvmlab_virsh_prints(conn):
    line = "list --all; dominfo nosuch; net-list --all"
    run = conn.virsh(line)
    out, err, rc = run_cmd([KVMLAB, "virsh", line])  # the CLI twin on a fresh embedded lab
    assert (run.stdout, run.stderr, run.exit_code) == (out, err, rc)


def test_virsh_line_parse_error_runs_nothing(conn):
    before = conn.list(all=True).text()
    run = conn.virsh("destroy web01; destory db01")
    assert run.exit_code == 1 and run.stdout == ""
    assert run.stderr.startswith("error: unknown command: 'destory'\nkvmlab hint: did you mean 'destroy'?")
    assert conn.list(all=True).text() == before


@pytest.mark.parametrize(
    "typo, right",
    [("destory", "destroy"), ("net_destory", "net_destroy"), ("pool_destory", "pool_destroy"), ("lst", "list")],
)
def test_typo_operation_names_teach(conn, typo, right):
    with pytest.raises(AttributeError) as info:
        getattr(conn, typo)
    assert f"did you mean conn.{right}()?" in str(info.value)


def test_unknown_names_stay_plain_attribute_errors(conn):
    assert not hasattr(conn, "no_such_thing_at_all")
    assert not hasattr(conn, "_private")
