"""`kvmlab classroom`: usage, and bad arguments refused before anything is made."""

from __future__ import annotations

from kvmlab.cli.main import main


def test_usage_and_unknown_commands(capsys):
    assert main(["classroom"]) == 2
    assert "up --learners N" in capsys.readouterr().out
    assert main(["classroom", "--help"]) == 0
    assert main(["classroom", "start"]) == 2
    assert "unknown command 'start'" in capsys.readouterr().err
    assert main(["classroom", "up"]) == 2  # --learners is required
    assert main(["classroom", "up", "--learners", "two"]) == 2
    assert main(["classroom", "down", "--learners", "2"]) == 2
    assert "classroom up|status|down" in (main(["--help"]), capsys.readouterr().out)[1]


def test_bad_learner_count_is_a_clear_error(capsys):
    assert main(["classroom", "up", "--learners", "0"]) == 1
    err = capsys.readouterr().err
    assert "--learners must be a whole number from 1 to 200" in err or "as root" in err
