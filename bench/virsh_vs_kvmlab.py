"""`kvmlab virsh` vs real `virsh` on the same N-command batch, side by side in one run.

Both run as fresh processes on test:///default (process start included, as a user would see it).
The batch is one ``;``-separated argument (default), or with ``--stdin`` one command per line on
stdin (virsh's terminal reading a pipe). Prints the median of several rounds and the ratio
(target: kvmlab <= 1.5x virsh), and whether both printed the same. Never asserts.

    .venv/bin/python bench/virsh_vs_kvmlab.py [--n 1000] [--stdin] [--rounds 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

from plot import bars
from where import ENV, KVMLAB

COMMANDS = [
    "list --all", "dominfo test", "net-info default", "pool-info default-pool",
    "suspend test", "resume test", "net-list --all", "vol-list default-pool",
]
GOAL = 1.5


def commands(n: int) -> list[str]:
    return (COMMANDS * (n // len(COMMANDS) + 1))[:n]


def batch(n: int = 1000) -> str:
    return "; ".join(commands(n))


def timed(argv: list[str], stdin: str | None) -> tuple[float, str]:
    t0 = time.perf_counter()
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=300, env=ENV)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed: {p.stderr[:500]}")
    return dt, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="commands in the batch")
    ap.add_argument("--stdin", action="store_true", help="one command per line on stdin, not one argument")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    if args.stdin:
        arg, stdin, how = [], "\n".join(commands(args.n)) + "\n", "on stdin"
    else:
        arg, stdin, how = [batch(args.n)], None, "as one argument"
    virsh = shutil.which("virsh")
    runs = {"virsh": [], "kvmlab virsh": []}
    for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
        dt, real_out = timed([virsh, "-c", "test:///default", *arg], stdin)
        runs["virsh"].append(dt)
        dt, our_out = timed([KVMLAB, "virsh", "-c", "test:///default", *arg], stdin)
        runs["kvmlab virsh"].append(dt)
    same = [l for l in real_out.splitlines() if not l.startswith("CPU time")] == [
        l for l in our_out.splitlines() if not l.startswith("CPU time")
    ]
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{args.n:,}-command batch {how} on test:///default, median of {args.rounds} rounds (process start included)")
    for k, v in med.items():
        print(f"  {k:<13} {v * 1000:8.1f} ms   ({v * 1e6 / args.n:.1f} µs/command)")
    print(f"  ratio kvmlab/virsh: {med['kvmlab virsh'] / med['virsh']:.2f}x (target <= {GOAL}x)")
    print(f"  outputs identical apart from CPU time: {same}")
    bars("virsh_vs_kvmlab", f"{args.n:,}-command batch", list(med), [v * 1000 for v in med.values()], "ms")


if __name__ == "__main__":
    main()
