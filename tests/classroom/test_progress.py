"""Progress records: written only where KVMLAB_PROGRESS says, 0600, read back safely (no symlink, owner
checked), summarised per exercise, and shown as the teacher's table. No hub needed."""

from __future__ import annotations

import json
import os

import pytest

from kvmlab.classroom import hubconfig, progress, table
from kvmlab.errors import ExerciseFailed, InvalidInput, InvalidState
from kvmlab.exercises import ladder


@pytest.fixture
def journal(tmp_path, monkeypatch):
    path = tmp_path / "home" / ".kvmlab" / "progress.jsonl"
    monkeypatch.setenv(progress.ENV, str(path))
    return path


def test_nothing_is_written_unless_kvmlab_progress_names_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for value in (None, "", "off", "0"):
        if value is None:
            monkeypatch.delenv(progress.ENV, raising=False)
        else:
            monkeypatch.setenv(progress.ENV, value)
        assert progress.target() == ""
        assert progress.record("8.3", 1, True, 0) is False
    assert list(tmp_path.iterdir()) == []


def test_a_record_is_one_line_in_a_0600_file(journal):
    assert progress.record("8.3", 2, False, 1)
    assert progress.record("8.3", 3, True, 1)
    assert journal.stat().st_mode & 0o777 == 0o600
    assert journal.parent.stat().st_mode & 0o777 == 0o700
    lines = [json.loads(x) for x in journal.read_text().splitlines()]
    assert [(r["exercise"], r["attempts"], r["passed"], r["rung"]) for r in lines] == [("8.3", 2, False, 1),
                                                                                        ("8.3", 3, True, 1)]
    recs = progress.read(str(journal.parents[1]), os.getuid())
    assert progress.summary(recs)["8.3"] == {"attempts": 3, "passed": True, "rung": 1, "time": recs[-1]["time"]}


def test_the_reader_follows_no_symlink_and_takes_only_the_owners_file(tmp_path, journal):
    secret = tmp_path / "secret"
    secret.write_text('{"exercise": "stolen"}\n')
    journal.parent.mkdir(parents=True)
    journal.symlink_to(secret)
    assert progress.read(str(journal.parents[1]), os.getuid()) == []
    journal.unlink()
    progress.record("1.1", 1, True, 0)
    assert progress.read(str(journal.parents[1]), os.getuid() + 1) == []  # not the learner's own file
    (tmp_path / "link-home").symlink_to(journal.parents[1])
    assert progress.read(str(tmp_path / "link-home"), os.getuid()) == []


def test_a_graded_check_records_attempts_and_rung(journal):
    ladder.PROGRESS.reset()

    @ladder.graded("99.1", answer="x = 1")
    def check(x):
        if x != 1:
            raise ExerciseFailed("x is not 1", hint="the concept", pointer="the pointer")
        return "ok"

    try:
        with pytest.raises(ExerciseFailed):
            check(2)
        with pytest.raises(ExerciseFailed):
            check(3)
        assert check(1) == "ok"
        ladder.show_answer("99.1")
    finally:
        del ladder.ANSWERS["99.1"]
        ladder.PROGRESS.reset()
    recs = [json.loads(x) for x in journal.read_text().splitlines()]
    assert [(r["attempts"], r["passed"], r["rung"]) for r in recs] == [(1, False, 1), (2, False, 2), (3, True, 2),
                                                                       (3, True, 3)]


def test_the_teachers_table_shows_learners_by_exercises():
    html = table.html({"learner1": {"8.3": {"attempts": 2, "passed": True, "rung": 1, "time": 3600 * 9 + 60 * 5}},
                       "learner2": {"8.1": {"attempts": 1, "passed": False, "rung": 1, "time": 0}},
                       "learner3": {}})
    assert "<tr><th>learner</th><th>8.1</th><th>8.3</th><th>last check (UTC)</th></tr>" in html
    assert "<tr><th>learner1</th><td>·</td><td>✓ 2 tries, rung 1</td><td>09:05</td></tr>" in html
    assert "<tr><th>learner2</th><td>✗ 1 try, rung 1</td><td>·</td><td>·</td></tr>" in html
    assert "<tr><th>learner3</th><td>·</td><td>·</td><td>·</td></tr>" in html
    assert "&lt;b&gt;" in table.html({"<b>": {}})


def test_the_hub_config_keeps_everything_on_loopback_and_the_learners_env_their_own():
    conf = hubconfig.render({"port": 8000, "ip": "127.0.0.1", "learners": ["learner1"], "teacher": "teacher",
                             "token": "t" * 64}, "/env/bin")
    ns: dict = {}
    exec(compile(conf, "jupyterhub_config.py", "exec"), {"get_config": lambda: _Config(ns)})
    assert ns["JupyterHub.ip"] == ns["JupyterHub.hub_ip"] == "127.0.0.1"
    assert ns["ConfigurableHTTPProxy.api_url"] == "http://127.0.0.1:8001"
    assert ns["Spawner.env_keep"] == ["LANG", "LC_ALL"]  # no PYTHONPATH from whoever ran `up`
    assert ns["Spawner.environment"]["KVMLAB_URI"] == "qemu:///session"
    assert ns["Spawner.environment"]["KVMLAB_PROGRESS"] == "~/.kvmlab/progress.jsonl"
    assert ns["Authenticator.allowed_users"] == {"learner1", "teacher"}


class _Config:
    """Just enough of traitlets' config object: c.Section.name = value -> ns["Section.name"]."""

    def __init__(self, ns: dict) -> None:
        object.__setattr__(self, "ns", ns)

    def __getattr__(self, section: str):
        ns = self.ns

        class Section:
            def __setattr__(self, name, value):
                ns[f"{section}.{name}"] = value

        return Section()


def test_bad_input_to_up_is_a_teaching_error_and_changes_nothing(monkeypatch):
    from kvmlab import classroom
    from kvmlab.classroom import state

    monkeypatch.setattr(state, "load", lambda: pytest.fail("up read the state before checking its input"))
    if os.geteuid() != 0:
        with pytest.raises(InvalidState, match="as root"):
            classroom.up(2)
        return
    for bad in (0, -1, 201, "2", 2.5):
        with pytest.raises(InvalidInput, match="--learners"):
            classroom.up(bad)
    with pytest.raises(InvalidInput, match="--port"):
        classroom.up(2, port=80)
