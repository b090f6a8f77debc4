"""`kvmlab virsh` with no command is virsh's interactive terminal: the same bytes for the same input.

Input comes from a pipe, as in a script or a notebook's `!kvmlab virsh < lines`; virsh (readline)
then echoes each line after its prompt, and so does kvmlab.
"""

from __future__ import annotations

import pytest

import kvmlab

from ..conftest import HINT, KVMLAB, VIRSH, run_cmd, sanitize

SESSIONS = [
    "list\nquit\n",
    "list\n",  # end of input without quit
    "exit\n",
    "\n\nlist; dominfo test\nquit\n",  # empty lines; a batch on one line
    "destory test\nlist --all\nquit\n",  # an unknown command does not end the session
    "dominfo nosuch\nlist\n",
    "list --bogus\nquit\n",
    "quit\nlist\n",  # nothing after quit runs
    "quit; list\nlist\n",
    "  \nquit now\n",  # quit takes no argument
    "suspend test\nresume test\nresume test\n",  # state persists between lines; the exit status stays 0
    "list #comment\nquit\n",
    "",
]


def session(argv: list[str], text: str):
    out, err, rc = run_cmd(argv, input=text)
    return sanitize(out), HINT.sub("", err), rc


@pytest.mark.parametrize("text", SESSIONS, ids=[repr(s)[:40] for s in SESSIONS])
def test_interactive_session_is_virsh(text):
    real = session([VIRSH, "-c", "test:///default"], text)
    ours = session([KVMLAB, "virsh", "-c", "test:///default"], text)
    assert ours == real


@pytest.mark.parametrize("batch", ["list; quit; list", "quit", "exit", "exit; list --al", "quit now"])
def test_quit_in_a_batch_is_virsh(batch):
    real = run_cmd([VIRSH, "-c", "test:///default", batch])
    ours = run_cmd([KVMLAB, "virsh", "-c", "test:///default", batch])
    assert (ours[0], HINT.sub("", ours[1]), ours[2]) == real


def test_embedded_lab_keeps_its_state_for_the_whole_session():
    text = "suspend web01\nlist\ndestory db01\nquit\n"
    real = session([VIRSH, "-c", kvmlab.embedded_uri()], text)
    out, err, rc = run_cmd([KVMLAB, "virsh"], input=text)  # no -c: the embedded lab
    assert (sanitize(out), HINT.sub("", err), rc) == real
    assert " 1    web01   paused" in out
    assert "kvmlab hint: did you mean 'destroy'?" in err  # the teaching line, in the terminal too


# --- help ---
from kvmlab.virsh.run import COMMANDS  # noqa: E402


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_for_a_command_is_virsh(name):
    real = run_cmd([VIRSH, "-c", "test:///default", f"help {name}"])
    ours = run_cmd([KVMLAB, "virsh", "-c", "test:///default", f"help {name}"])
    assert ours == real


def _only_kvmlabs(text: str) -> str:
    """virsh's grouped help with the commands kvmlab does not run (and groups left empty) taken out."""
    out, group = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("    "):
            if line.split()[0] in COMMANDS:
                group.append(line)
        elif line.startswith(" ") and line.rstrip().endswith("):"):
            group = [line]
        elif line == "\n" and group:
            out += group + [line] if len(group) > 1 else []
            group = []
        else:
            out.append(line)
    return "".join(out)


@pytest.mark.parametrize("words", ["help", "help network", "help domain", "help monitor", "help virsh"])
def test_help_lists_kvmlabs_commands_as_virsh_lists_them(words):
    real_out, real_err, real_rc = run_cmd([VIRSH, "-c", "test:///default", words])
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", words])
    assert (out, rc) == (_only_kvmlabs(real_out), real_rc)
    assert "    net-start                      start a (previously defined) inactive network\n" in out or \
        words != "help"  # fmt: skip
    if words == "help":
        assert err == "kvmlab hint: these are the virsh commands kvmlab runs; `virsh help` lists all of virsh's\n"


def test_help_for_an_unknown_topic_is_virsh():
    real = run_cmd([VIRSH, "-c", "test:///default", "help nosuch"])
    out, err, rc = run_cmd([KVMLAB, "virsh", "-c", "test:///default", "help nosuch"])
    assert (out, HINT.sub("", err), rc) == real
