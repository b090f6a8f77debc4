"""`kvmlab virsh` vs real `virsh` on the same 1,000-command batch, side by side in one run.

Both run as fresh processes on test:///default (process start included, as a user would see it).
Prints the median of several rounds and the ratio (target: kvmlab <= 2x virsh). Never asserts.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from plot import bars

ROOT = Path(__file__).resolve().parents[1]
KVMLAB = str(ROOT / ".venv" / "bin" / "kvmlab")
COMMANDS = [
    "list --all", "dominfo test", "net-info default", "pool-info default-pool",
    "suspend test", "resume test", "net-list --all", "vol-list default-pool",
]
ROUNDS = 7


def batch(n: int = 1000) -> str:
    return "; ".join((COMMANDS * (n // len(COMMANDS) + 1))[:n])


def timed(argv: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed: {p.stderr[:500]}")
    return dt, p.stdout


def main() -> None:
    text = batch()
    virsh = shutil.which("virsh")
    runs = {"virsh": [], "kvmlab virsh": []}
    for _ in range(ROUNDS):  # interleaved, so machine noise hits both alike
        dt, real_out = timed([virsh, "-c", "test:///default", text])
        runs["virsh"].append(dt)
        dt, our_out = timed([KVMLAB, "virsh", "-c", "test:///default", text])
        runs["kvmlab virsh"].append(dt)
    same = [l for l in real_out.splitlines() if not l.startswith("CPU time")] == [
        l for l in our_out.splitlines() if not l.startswith("CPU time")
    ]
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"1,000-command batch on test:///default, median of {ROUNDS} rounds (process start included)")
    for k, v in med.items():
        print(f"  {k:<13} {v * 1000:8.1f} ms   ({v * 1000:.1f} µs/command)")
    print(f"  ratio kvmlab/virsh: {med['kvmlab virsh'] / med['virsh']:.2f}x (target <= 2x)")
    print(f"  outputs identical apart from CPU time: {same}")
    bars("virsh_vs_kvmlab", "1,000-command batch", list(med), [v * 1000 for v in med.values()], "ms")


if __name__ == "__main__":
    main()
