"""Four threads running conn.virsh() on one Connection: each result holds only its own output,
and the process's own stdout/stderr (print()) are untouched afterwards."""

from __future__ import annotations

import re
import sys
import threading

from .conftest import full_inventory

# (line, a text only its own stdout has, a text only its own stderr has)
JOBS = [
    ("dominfo web01", "Name:           web01\n", None),
    ("net-info default", "Name:           default\n", None),
    ("pool-info default", "Name:           default\n", None),
    ("dominfo nosuch; net-info nonet", None, "error: failed to get network 'nonet'\n"),
]
ROUNDS = 40
CPU_TIME = re.compile(r"^(CPU time:\s+)\S+$", re.M)  # the test driver's clock moves


def seen(res) -> tuple[str, str, int]:
    return CPU_TIME.sub(r"\1-", res.stdout), res.stderr, res.exit_code


def test_four_threads_on_one_connection(lab, capsys):
    stdout, stderr = sys.stdout, sys.stderr
    before = full_inventory(lab)
    alone = {line: lab.virsh(line) for line, _, _ in JOBS}  # what each line prints with nobody else
    results: dict[str, list] = {line: [] for line, _, _ in JOBS}
    errors: list[BaseException] = []
    start = threading.Barrier(len(JOBS))

    def work(line: str) -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                results[line].append(lab.virsh(line))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(line,)) for line, _, _ in JOBS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    for line, own_out, own_err in JOBS:
        assert len(results[line]) == ROUNDS
        for res in results[line]:
            assert seen(res) == seen(alone[line]), line
            if own_out:
                assert own_out in res.stdout
            if own_err:
                assert own_err in res.stderr
    # nothing leaked to the process's streams, and print() still reaches them
    assert sys.stdout is stdout and sys.stderr is stderr
    print("still here")
    captured = capsys.readouterr()
    assert captured.out == "still here\n" and captured.err == ""
    assert full_inventory(lab) == before


def each_alone_then_together(lab, lines: list[str], rounds: int = 25) -> tuple[dict, dict]:
    """Each line run once alone, then ``rounds`` times on its own thread, all threads at once."""
    alone = {line: lab.virsh(line) for line in lines}
    out: dict[str, list] = {line: [] for line in lines}

    def work(line):
        for _ in range(rounds):
            out[line].append(lab.virsh(line))

    threads = [threading.Thread(target=work, args=(line,)) for line in lines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return alone, out


def test_threads_with_bad_input_stay_apart(lab):
    """Failures on several threads at once: each result its own error lines, none of the runner's bug text."""
    lines = ["dominfo a\0b", "net-info \udcff", "define /dev/zero", "pool-info nopool"]
    alone, out = each_alone_then_together(lab, lines)
    for line in lines:
        assert len(out[line]) == 25
        assert all((r.stdout, r.stderr) == (alone[line].stdout, alone[line].stderr) for r in out[line])
        assert "kvmlab bug" not in alone[line].stderr and alone[line].exit_code == 1


def test_threads_defining_non_utf8_files(lab, tmp_path):
    """libvirt's parser words each refusal on its own thread; nobody's error reaches another."""
    files = {kind: tmp_path / f"{kind}.xml" for kind in ("domain", "network", "pool")}
    for kind, path in files.items():
        path.write_bytes(f"<{kind}><name>caf".encode() + b"\xe9" + f"</name></{kind}>".encode())
    lines = [f"define {files['domain']}", f"net-define {files['network']}", f"pool-define {files['pool']}",
             f"net-create {files['domain']}"]
    alone, out = each_alone_then_together(lab, lines)
    for line in lines:
        assert "Input is not proper UTF-8" in alone[line].stderr
        assert len(out[line]) == 25 and all(r.stderr == alone[line].stderr for r in out[line])
