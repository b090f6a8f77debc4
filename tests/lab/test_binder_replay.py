"""Binder's steps replayed as a throwaway non-root user: a venv from binder/requirements.txt and
binder/postBuild, then binder/start (the session lab) wrapping nbval over every lesson and
exercise, and every lesson run on qemu:///session itself.

repo2docker builds on Ubuntu; this replays the same steps on this Debian machine, which is what
can be checked here. The user, its session libvirtd, its guests and its home are removed after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.reallab

ROOT = Path(__file__).resolve().parents[2]
USER = "kvmlab-binder"
SYSTEM_PYTHON = "/usr/bin/python3"  # Binder's user cannot read root's interpreter (pyenv under /root)

RUN_LESSONS = r'''
import os, sys, nbformat
from nbclient import NotebookClient
bad = []
for p in sys.argv[1:]:
    nb = nbformat.read(p, 4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": os.path.dirname(p)}}).execute()
    first = "".join(o.get("text", "") for o in nb.cells[1].get("outputs", []))
    print(f"== {os.path.basename(p)}\n{first}")
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []):
            if o.output_type == "error" and "raises-exception" not in c.metadata.get("tags", []):
                bad.append(f"{p} cell {i}: {o.ename}: {o.evalue}")
print("\n".join(bad) or "no errors")
sys.exit(1 if bad else 0)
'''


def as_user(command: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-l", USER, "-c", command], capture_output=True, text=True, timeout=timeout)


def _remove_user() -> None:
    subprocess.run(["pkill", "-KILL", "-u", USER], capture_output=True)  # its session libvirtd and guests
    subprocess.run(["userdel", "-r", "-f", USER], capture_output=True)


@pytest.fixture(scope="module")
def binder_home():
    if os.geteuid() != 0:
        pytest.fail("the Binder replay creates a throwaway user: run as root (CI does)", pytrace=False)
    _remove_user()
    subprocess.run(["useradd", "-m", "-s", "/bin/bash", USER], check=True)
    try:
        home = Path(os.path.expanduser(f"~{USER}"))
        files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for rel in filter(None, files.decode().split("\0")):
            if (ROOT / rel).is_file():
                (home / "repo" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, home / "repo" / rel)
        (home / "run_lessons.py").write_text(RUN_LESSONS)
        subprocess.run(["chown", "-R", f"{USER}:{USER}", str(home)], check=True)
        # repo2docker: requirements.txt, then postBuild, both as the user; `python`/`pip` are the env's
        build = as_user(f"{SYSTEM_PYTHON} -m venv ~/env && export PATH=~/env/bin:$PATH && cd ~/repo && "
                        "pip install -q -r binder/requirements.txt && binder/postBuild", timeout=900)  # fmt: skip
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        yield home
    finally:
        as_user("export PATH=~/env/bin:$PATH && timeout 120 kvmlab lab reset", timeout=180)
        _remove_user()


def test_start_then_nbval_over_lessons_and_exercises(binder_home):
    run = as_user("export PATH=~/env/bin:$PATH && cd ~/repo && binder/start python -m pytest -q --nbval "
                  "-p no:cacheprovider --nbval-sanitize-with notebooks/sanitize.cfg notebooks/ exercises/",
                  timeout=1200)  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
    log = (binder_home / ".kvmlab-lab.log").read_text()
    assert "Mode:           session" in log and "qemu:///session" in log  # start brought the session lab up


def test_every_lesson_runs_on_qemu_session(binder_home):
    run = as_user("export PATH=~/env/bin:$PATH && cd ~/repo && KVMLAB_URI=qemu:///session "
                  "python ~/run_lessons.py notebooks/[0-9][0-9]-*.ipynb", timeout=1500)  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    first = {part.split("\n", 1)[0]: part for part in run.stdout.split("== ")[1:]}  # lesson -> its first output
    assert "backend:          qemu (qemu:///session)" in first["08-managing-vms.ipynb"]
    assert "note: qemu:///session (no root): virtual networks cannot start here" in first["08-managing-vms.ipynb"]
    for lesson in ("04-network-modes.ipynb", "05-virtual-bridges.ipynb", "09-managing-networks.ipynb"):
        # the network lessons say why they switch to the embedded lab
        assert "cannot start virtual networks (no root): this lesson uses the embedded lab instead" in first[lesson]
        assert "backend:          embedded" in first[lesson]
    # lesson 15 clones on the session lab too, and says why there is no MAC to compare
    assert "note: qemu:///session: no virtual networks, so the guests have no card" in first["15-cloning.ipynb"]
    domains = as_user("export PATH=~/env/bin:$PATH && kvmlab virsh -c qemu:///session 'list --all'", timeout=60)
    assert {"web01", "db01", "build", "backup", "installer"} <= set(domains.stdout.split())
