"""The classroom for real: `kvmlab classroom up --learners 2`, both servers started through the hub's
REST API, lesson 8 run in each learner's own kernel (their own qemu:///session), a graded check in
each, the teacher's page read as the teacher (logged in with the printed password), then `down` and
nothing of the classroom left.

Names and port are the test's own (kvtlearner1/2, kvtteacher, port 18000, state in
/var/lib/kvmlab/classroom-test), so a teacher's classroom on this machine is never touched.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.reallab

ROOT = Path(__file__).resolve().parents[2]
PORT = 18000
LEARNERS = ["kvtlearner1", "kvtlearner2"]
TEACHER = "kvtteacher"
STATE_DIR = "/var/lib/kvmlab/classroom-test"
ENV = {**os.environ, "KVMLAB_CLASSROOM_DIR": STATE_DIR, "PYTHONPATH": str(ROOT)}
LESSON = ROOT / "notebooks" / "08-managing-vms.ipynb"


def classroom(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kvmlab.cli.main", "classroom", *args], capture_output=True,
                          text=True, env=ENV, timeout=timeout)


@pytest.fixture(scope="module")
def room():
    if os.geteuid() != 0:
        pytest.fail("the classroom makes accounts: run as root (CI does)", pytrace=False)
    for name in [*LEARNERS, TEACHER]:
        try:
            gecos = pwd.getpwnam(name).pw_gecos
        except KeyError:
            continue
        assert gecos.startswith("kvmlab-classroom"), f"account {name} exists and is not the classroom's"
    classroom("down")  # a run that died half-way
    t0 = time.monotonic()
    up = classroom("up", "--learners", "2", "--port", str(PORT), "--prefix", "kvtlearner", "--teacher", TEACHER)
    assert up.returncode == 0, up.stdout + up.stderr
    passwords = dict(re.findall(r"^  (\S+) +(\S+)$", up.stdout, re.M))
    print(f"\nclassroom up in {time.monotonic() - t0:.1f} s")
    from kvmlab.classroom import kernel, paths, state

    os.environ["KVMLAB_CLASSROOM_DIR"] = STATE_DIR
    paths.STATE_DIR, paths.STATE_FILE = STATE_DIR, os.path.join(STATE_DIR, "state.json")
    hub = kernel.Hub(f"http://127.0.0.1:{PORT}/", state.load()["token"])
    kernels: dict = {}
    try:
        yield {"up": up, "passwords": passwords, "hub": hub, "kernels": kernels,
               "uids": {n: pwd.getpwnam(n).pw_uid for n in [*LEARNERS, TEACHER]}}
    finally:
        for k in kernels.values():
            try:
                k.close()
            except Exception:  # the server may already be gone
                pass
        classroom("down")


def test_up_prints_the_url_and_every_password_once_and_a_second_up_changes_nothing(room):
    out = room["up"].stdout
    assert f"classroom running at http://127.0.0.1:{PORT}/" in out
    assert set(room["passwords"]) == {TEACHER, *LEARNERS}
    assert all(len(p) >= 16 for p in room["passwords"].values())
    assert len(set(room["passwords"].values())) == 3  # random: no two alike
    again = classroom("up", "--learners", "2", "--port", str(PORT), "--prefix", "kvtlearner", "--teacher", TEACHER)
    assert again.returncode == 0, again.stderr
    assert "already running, nothing changed" in again.stdout
    assert not set(room["passwords"].values()) & set(again.stdout.split())  # never printed twice
    other = classroom("up", "--learners", "3", "--port", str(PORT), "--prefix", "kvtlearner", "--teacher", TEACHER)
    assert "note: it runs with 2 learners on 127.0.0.1:18000, not the 3" in other.stdout
    # the hub stopped (a reboot, a crash): `up` starts it again for the same accounts, no new passwords
    from kvmlab.classroom import hub, state

    hub._stop_group(state.load()["hub_pid"])
    restarted = classroom("up", "--learners", "2", "--port", str(PORT), "--prefix", "kvtlearner", "--teacher", TEACHER)
    assert restarted.returncode == 0, restarted.stderr
    assert "hub restarted for the existing accounts" in restarted.stdout
    assert not set(room["passwords"].values()) & set(restarted.stdout.split())
    listening = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    for port in range(PORT, PORT + 4):  # proxy, its API, the hub, the teacher's page: loopback only
        addrs = re.findall(rf"(\S+):{port}\s", listening)
        assert addrs and all(a in ("127.0.0.1", "[::1]", "[::ffff:127.0.0.1]") for a in addrs), (port, addrs)


def test_learner_accounts_have_no_privilege(room):
    for name in LEARNERS:
        pw = pwd.getpwnam(name)
        groups = subprocess.run(["id", "-nG", name], capture_output=True, text=True).stdout.split()
        assert groups == [name], groups  # no sudo, libvirt, kvm group
        assert os.stat(pw.pw_dir).st_mode & 0o777 == 0o700
        assert pw.pw_gecos.startswith("kvmlab-classroom")


def _run_lesson(room, name: str, errors: dict) -> None:
    import nbformat

    try:
        room["hub"].start(name)
        k = room["kernels"][name] = room["hub"].kernel(name)
        nb = nbformat.read(LESSON, 4)
        for i, cell in enumerate(nb.cells):  # the whole lesson, as a learner runs it top to bottom
            if cell.cell_type == "code":
                out = k.run(cell.source, timeout=240)
                if out.error and "raises-exception" not in cell.metadata.get("tags", []):
                    errors[name] = f"cell {i}: {out.error}\n{out.text[-800:]}"
                    return
    except Exception as exc:  # reported by the test
        errors[name] = repr(exc)


def test_lesson8_runs_in_each_learners_own_server_on_their_own_session(room):
    t0, errors = time.monotonic(), {}
    threads = [threading.Thread(target=_run_lesson, args=(room, n, errors)) for n in LEARNERS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(420)
    print(f"\nlesson 8 in both servers at once: {time.monotonic() - t0:.1f} s")
    assert not errors, errors
    k1, k2 = (room["kernels"][n] for n in LEARNERS)
    who = k1.run("import os, kvmlab\nprint(os.getuid(), os.environ['KVMLAB_URI'], conn.uri)")
    assert who.text.split() == [str(room["uids"][LEARNERS[0]]), "qemu:///session", "qemu:///session"], who
    mine = k1.run('print(conn.define(host.domain_xml(DomainSpec(name="only-learner1", memory="64MiB", vcpus=1))))')
    assert "only-learner1" in mine.text and not mine.error, mine
    l1 = k1.run("print(conn.list(all=True).names)").text
    l2 = k2.run("print(conn.list(all=True).names)").text
    assert "only-learner1" in l1
    assert "only-learner1" not in l2 and "web01" in l2  # each has the lesson's VMs; only learner1 has its own


def test_learner1_cannot_reach_learner2s_files_daemon_or_the_system_libvirt(room):
    k1, k2 = (room["kernels"][n] for n in LEARNERS)
    sock = k2.run("import glob, os\nprint(glob.glob(os.path.expanduser('~/.cache/libvirt/libvirt-sock')))").text
    assert "libvirt-sock" in sock, sock  # learner2's session daemon listens in learner2's home
    home2 = pwd.getpwnam(LEARNERS[1]).pw_dir
    probe = k1.run(f"""
import socket, libvirt
for what, f in [("home", lambda: os.listdir({home2!r})),
                ("progress", lambda: open({home2!r} + "/.kvmlab/progress.jsonl").read()),
                ("socket", lambda: socket.socket(socket.AF_UNIX).connect({home2!r} + "/.cache/libvirt/libvirt-sock")),
                ("system", lambda: libvirt.open("qemu:///system"))]:
    try:
        f(); print(what, "REACHED")
    except PermissionError:
        print(what, "denied")
    except libvirt.libvirtError as e:
        print(what, "refused:", e.get_error_message()[:60])
""")
    assert not probe.error, probe
    lines = dict(line.split(" ", 1) for line in probe.text.strip().splitlines())
    assert lines["home"] == lines["progress"] == lines["socket"] == "denied", lines
    assert lines["system"].startswith("refused"), lines  # the lab's libvirtd lets root only (polkit)


CHECK = '''
from kvmlab.exercises import lesson08
from kvmlab.errors import ExerciseFailed
try:
    lesson08.check_force_line(conn, "virsh shutdown db01", "db01")
except ExerciseFailed as e:
    print("first try failed, rung", e.rung)
print(lesson08.check_force_line(conn, "virsh destroy db01", "db01"))
'''


def test_checks_record_progress_that_only_the_teacher_sees(room):
    import requests

    for name in LEARNERS:
        out = room["kernels"][name].run(CHECK, timeout=120)
        assert "first try failed, rung 1" in out.text and "forced off" in out.text and not out.error, out
        f = Path(pwd.getpwnam(name).pw_dir) / ".kvmlab" / "progress.jsonl"
        st = f.stat()
        assert st.st_mode & 0o777 == 0o600 and st.st_uid == room["uids"][name]
        assert f.read_text().count('"exercise": "8.3"') == 2

    def login(name: str) -> requests.Session:
        s = requests.Session()
        s.get(f"http://127.0.0.1:{PORT}/hub/login", timeout=30)
        r = s.post(f"http://127.0.0.1:{PORT}/hub/login?next=", timeout=60,
                   data={"username": name, "password": room["passwords"][name], "_xsrf": s.cookies.get("_xsrf")})
        assert r.status_code == 200 and "jupyterhub-session-id" in s.cookies, (name, r.status_code, r.url)
        return s

    teacher = login(TEACHER)
    page = teacher.get(f"http://127.0.0.1:{PORT}/services/progress/", timeout=60)
    assert page.status_code == 200, page.text[:500]
    for name in LEARNERS:
        assert f"<th>{name}</th><td>✓ 2 tries, rung 1</td>" in page.text, page.text
    data = teacher.get(f"http://127.0.0.1:{PORT}/services/progress/api", timeout=60).json()
    assert {n: (d["8.3"]["attempts"], d["8.3"]["passed"], d["8.3"]["rung"]) for n, d in data.items()} == {
        n: (2, True, 1) for n in LEARNERS}
    learner = login(LEARNERS[0])
    denied = learner.get(f"http://127.0.0.1:{PORT}/services/progress/api", timeout=60)
    assert denied.status_code == 403 and "kvtlearner2" not in denied.text, (denied.status_code, denied.text[:300])


def test_down_leaves_no_account_process_or_file(room):
    homes = [pwd.getpwnam(n).pw_dir for n in [*LEARNERS, TEACHER]]
    t0 = time.monotonic()
    down = classroom("down")
    print(f"\nclassroom down in {time.monotonic() - t0:.1f} s")
    assert down.returncode == 0, down.stderr
    for name in [*LEARNERS, TEACHER]:
        assert f"account {name} removed" in down.stdout
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
    assert not any(os.path.exists(h) for h in homes)
    assert not os.path.exists(STATE_DIR)
    uids = set(room["uids"].values())
    left = [p for p in os.listdir("/proc") if p.isdigit() and _uid(p) in uids]
    assert not left, left
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "classroom-test/jupyterhub_config.py" not in procs
    assert not re.search(rf":{PORT}\s|:{PORT + 1}\s|:{PORT + 2}\s|:{PORT + 3}\s",
                         subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout)
    assert classroom("down").stdout.strip() == "no classroom here: nothing to stop"


def _uid(pid: str) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return -1
