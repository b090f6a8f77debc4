"""binder/ as repo2docker uses it: start hands over to the server, the packages match pyproject.

(The full replay — a non-root user, a venv from requirements.txt and postBuild, the lessons run
through binder/start — is tests/lab/test_binder_replay.py.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from .notebooks import ROOT

BINDER = ROOT / "binder"


def _names(lines) -> set[str]:
    """Distribution names (normalized) from requirement lines, comments and blanks aside."""
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(re.split(r"[<>=!~\[;\s]", line, 1)[0].lower().replace("_", "-"))
    return out


def test_scripts_are_executable_bash_and_start_ends_with_exec():
    for name in ("start", "postBuild"):
        path = BINDER / name
        assert os.access(path, os.X_OK), f"binder/{name} must be executable"
        assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, f"binder/{name}: bash syntax"
    last = [ln.strip() for ln in (BINDER / "start").read_text().splitlines() if ln.strip()][-1]
    assert last == 'exec "$@"', f"binder/start must end with exec \"$@\" (repo2docker's ENTRYPOINT), not {last!r}"


def test_requirements_cover_pyproject_and_the_app():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    wanted = _names(project["dependencies"]) | _names(extras.get("course", [])) | _names(extras.get("test", []))
    wanted.discard("playwright")  # the browser tests are not run on Binder
    have = _names((BINDER / "requirements.txt").read_text().splitlines())
    assert wanted <= have, f"binder/requirements.txt lacks {sorted(wanted - have)}"
    assert "voila" in have, "the app (kvmlab/app) needs voila on Binder"


def test_apt_has_what_libvirt_python_and_the_session_lab_need():
    apt = set((BINDER / "apt.txt").read_text().split())
    for pkg in ("gcc", "pkg-config", "libvirt-dev", "libvirt-clients", "libvirt-daemon", "qemu-system-x86"):
        assert pkg in apt, f"binder/apt.txt lacks {pkg}"


def test_start_runs_the_command_it_is_given_even_when_the_lab_cannot_start(tmp_path):
    """Without kvmlab on PATH, `kvmlab lab up` fails: start says so and still execs the command
    with its arguments and exit code (the notebook server must always start)."""
    path = "/usr/bin:/bin"
    if shutil.which("kvmlab", path=path):
        pytest.skip("a kvmlab on the system PATH would start a real lab here")
    env = {"PATH": path, "HOME": str(tmp_path)}
    code = "import sys; print(sys.argv[1:]); sys.exit(7)"
    p = subprocess.run([str(BINDER / "start"), sys.executable, "-c", code, "a b", "c"],
                       capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert p.returncode == 7
    assert p.stdout == "['a b', 'c']\n"
    assert "real lab not started" in p.stderr and "embedded lab works" in p.stderr
    assert (tmp_path / ".kvmlab-lab.log").exists()


def test_readme_binder_badge_launches_this_repository_on_the_lessons():
    import tomllib

    repo = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    owner_name = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", repo).group(1)
    badges = re.findall(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\((\S+?)\)", (ROOT / "README.md").read_text())
    assert badges, "README.md has no Binder badge"
    m = re.fullmatch(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/(\w+)\?urlpath=lab/tree/(\S+)", badges[0])
    assert m, f"not a mybinder launch link: {badges[0]}"
    assert m.group(1) == owner_name, f"the badge launches {m.group(1)}, pyproject says {owner_name}"
    assert (ROOT / m.group(3)).exists(), f"the badge opens {m.group(3)}, which is not in the repository"
