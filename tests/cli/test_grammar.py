"""virsh's command-line grammar (vsh.c): tokenizer, option matching, whole-batch parse errors."""

import pytest

from kvmlab.virsh.parse import tokenize
from kvmlab.errors import UsageError

from ..conftest import assert_same


@pytest.mark.parametrize(
    "text, expected",
    [
        ("list --all", [["list", "--all"]]),
        ("list; list", [["list"], ["list"]]),
        ("list\nlist", [["list"], ["list"]]),
        ("; ;list;;", [["list"]]),
        ("""echo "a;b" c\\;d 'x y' # comment; echo after""", [["echo", "a;b", "c;d", "x y"]]),
        ("""echo 'a\\b' "c\\d" e\\f""", [["echo", "a\\b", "cd", "ef"]]),
        ("echo a\\\nb", [["echo", "ab"]]),
        ("echo x; #c1\necho y", [["echo", "x"], ["echo", "y"]]),
        ("""a"b c"d ''""", [["ab cd", ""]]),
        ("echo 'unterminated single", [["echo", "unterminated single"]]),
    ],
)
def test_tokenizer_matches_vsh(text, expected):
    assert tokenize(text) == expected


@pytest.mark.parametrize("text, message", [('echo "unterminated', 'missing "'), ("echo dangling\\", "dangling \\")])
def test_tokenizer_errors(text, message):
    with pytest.raises(UsageError) as info:
        tokenize(text)
    assert info.value.virsh_error == [message]


GRAMMAR_BATCHES = [
    "",
    "   ",
    "#only a comment",
    "list --al",
    "list --all=yes",
    "list --all --all",
    "list -- --all",
    "list ---x",
    "list --1",
    "list; nosuchcmd; list",
    "nosuch; alsobad",
    "list --xx --yy",
    'list "--all"',
    "list 'extra'",
    "list\nlist --inactive",
    'list "unterminated',
    "list dangling\\",
]


@pytest.mark.parametrize("batch", GRAMMAR_BATCHES)
def test_grammar_matches_virsh(batch):
    assert_same(batch)


@pytest.mark.parametrize("argv", [["list", "--all"], ["list", ";", "list"], ["list", "--inactive"]])
def test_argv_form_matches_virsh(argv):
    assert_same(argv)


def test_parse_errors_come_before_connecting():
    ours = assert_same("nosuchcmd", uri="bogus:///x")
    assert ours[2] == 1


def test_connection_failure_matches_virsh():
    assert_same("list", uri="bogus:///x")
