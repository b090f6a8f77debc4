"""How many learners does this machine hold: each a JupyterLab server with a kernel and one running tiny guest?

Starts a classroom (`kvmlab classroom up`, its own names, port and state directory), then one learner
at a time: the server through the hub's REST API, a kernel, and in it the lab's tiny guest on the
learner's own qemu:///session (128 MiB, no NIC, TCG), waited for until its shell is ready. After each
learner it reads every process of that learner's account (server, kernel, session libvirtd and
virtlogd, QEMU) from /proc: Pss (shared pages divided among their users) and Rss, plus the hub's own
(hub, proxy, teacher's page) once. Bounded by a count (--max, default 6: this machine is shared), a
time budget and a memory floor; `classroom down` at the end, whatever happens. Prints figures and
the extrapolation to a class of --class-size (30): the hub once plus that many learners. Never asserts.

    sudo .venv/bin/python bench/classroom_density.py [--max 6] [--budget 600] [--class-size 30]
"""

from __future__ import annotations

import argparse
import os
import pwd
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = "/var/lib/kvmlab/classroom-bench"
os.environ["KVMLAB_CLASSROOM_DIR"] = STATE_DIR
PORT, PREFIX, TEACHER = 18100, "kvbench", "kvbenchteacher"

GUEST = """
import kvmlab, time
from kvmlab.lab import guest
from kvmlab.lab.console import READY_MARKER, Console
conn = kvmlab.connect("qemu:///session")  # not course_host(): that boots the lessons' three stand-ins too
t0 = time.monotonic()
conn.define(guest.domain_xml("tiny", networks=None))
conn.start("tiny")
con = Console.open(conn, "tiny")
con.wait_for(READY_MARKER, 240, seen=True)
con.close()
print(f"tiny ready in {time.monotonic() - t0:.1f} s")
"""


def kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def account_mib(name: str) -> dict[str, float]:
    """Pss and Rss (MiB) of every process of account ``name``, by kind."""
    uid = pwd.getpwnam(name).pw_uid
    out: dict[str, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        kind = ("qemu" if "qemu-system" in cmd else "kernel" if "ipykernel" in cmd else
                "server" if "singleuser" in cmd else "libvirtd" if "libvirtd" in cmd or "virtlogd" in cmd else "other")
        out[kind] = out.get(kind, 0) + kib(int(entry), "Pss") / 1024
        out["rss"] = out.get("rss", 0) + kib(int(entry), "Rss") / 1024
    out["pss"] = sum(v for k, v in out.items() if k not in ("rss",))
    return out


def hub_mib(hub_pid: int) -> float:
    pgid = os.getpgid(hub_pid)
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    total += kib(int(entry), "Pss")
            except OSError:
                pass
    return total / 1024


def mem_available_mib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


def classroom(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kvmlab.cli.main", "classroom", *args], capture_output=True,
                          text=True, env=env, timeout=900)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max", type=int, default=6, help="learners at most (default 6: a shared machine)")
    ap.add_argument("--budget", type=float, default=600, help="seconds at most for starting learners")
    ap.add_argument("--floor", type=int, default=4096, help="stop while MemAvailable (MiB) is above this")
    ap.add_argument("--class-size", type=int, default=30)
    opts = ap.parse_args()
    if os.geteuid() != 0:
        print("run as root: the classroom makes accounts", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from kvmlab.classroom import kernel, state

    before = mem_available_mib()
    up = classroom("up", "--learners", str(opts.max), "--port", str(PORT), "--prefix", PREFIX, "--teacher", TEACHER)
    if up.returncode:
        print(up.stdout, up.stderr, file=sys.stderr)
        classroom("down")
        return 1
    rows, t_start = [], time.monotonic()
    try:
        st = state.load()
        hub = kernel.Hub(f"http://127.0.0.1:{PORT}/", st["token"])
        base, after_up = hub_mib(st["hub_pid"]), mem_available_mib()
        print(f"hub + proxy + teacher's page: {base:.0f} MiB Pss; MemAvailable before up {before} MiB")
        print(f"{'learner':10} {'start s':>7} {'server':>7} {'kernel':>7} {'libvirtd':>8} {'qemu':>7} {'Pss MiB':>8} "
              f"{'Rss MiB':>8} {'MemAvail':>9}")
        for name in st["learners"]:
            if time.monotonic() - t_start > opts.budget or mem_available_mib() < opts.floor:
                print("stopping: time budget or memory floor reached")
                break
            t0 = time.monotonic()
            hub.start(name)
            k = hub.kernel(name)
            out = k.run(GUEST, timeout=300)
            if out.error:
                print(f"{name}: {out.error}\n{out.text}")
                break
            time.sleep(3)  # let the guest settle after its ready line
            m = account_mib(name)
            rows.append(m)
            print(f"{name:10} {time.monotonic() - t0:7.1f} {m.get('server', 0):7.0f} {m.get('kernel', 0):7.0f} "
                  f"{m.get('libvirtd', 0):8.0f} {m.get('qemu', 0):7.0f} {m['pss']:8.0f} {m['rss']:8.0f} "
                  f"{mem_available_mib():9d}")
        load, after_last = os.getloadavg(), mem_available_mib()
    finally:
        down = classroom("down")
        print(down.stdout.splitlines()[0] if down.stdout else down.stderr)
    if not rows:
        return 1
    # learners after the first share more pages (the same venv, the same QEMU binary): the mean of all
    per = statistics.mean(r["pss"] for r in rows)
    per_rss = statistics.mean(r["rss"] for r in rows)
    print(f"\n{len(rows)} learners held, each with a running tiny guest (load average {load[0]:.1f}); "
          f"per learner {per:.0f} MiB Pss ({per_rss:.0f} MiB Rss, the upper bound)")
    print(f"MemAvailable fell {(after_up - after_last) / len(rows):.0f} MiB per learner (the whole machine, "
          "others' work included: a cross-check only)")
    need = base + opts.class_size * per
    need_rss = base + opts.class_size * per_rss
    print(f"a class of {opts.class_size} (extrapolated from {len(rows)}, not measured): "
          f"{need / 1024:.1f} GiB Pss, {need_rss / 1024:.1f} GiB by Rss; this machine has "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
