"""Cold start of `kvmlab virsh -c test:///default list --all` against the bare-Python floor, in one run.

The floor is what any Python tool pays to answer the same question: start Python, `import libvirt`,
open test:///default, listAllDomains. Real `virsh` is shown too, for scale. Every variant runs as a
fresh process, interleaved round by round so machine noise hits all alike; the median of the rounds
is printed, with kvmlab's ratio to the floor (goal <= 1.4x). Never asserts.

    .venv/bin/python bench/cold_start.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

from plot import bars
from where import ENV, KVMLAB, PY

GOAL = 1.4
FLOOR = "import libvirt; c = libvirt.open('test:///default'); c.listAllDomains()"


def variants() -> dict[str, list[str]]:
    found = {
        "bare Python (floor)": [PY, "-c", FLOOR],
        "kvmlab virsh": [KVMLAB, "virsh", "-c", "test:///default", "list --all"],
        "python -c 'import kvmlab'": [PY, "-c", "import kvmlab"],
    }
    if shutil.which("virsh"):
        found["virsh (C)"] = [shutil.which("virsh"), "-c", "test:///default", "list --all"]
    return found


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=ENV)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {p.stderr[:400]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    runs = {name: [] for name in variants()}
    for name, argv in variants().items():  # one warm-up each: the page cache, not Python, is measured otherwise
        timed(argv)
    for _ in range(args.rounds):
        for name, argv in variants().items():
            runs[name].append(timed(argv))
    med = {k: statistics.median(v) for k, v in runs.items()}
    floor = med["bare Python (floor)"]
    print(f"cold start, `list --all` on test:///default, median of {args.rounds} rounds (fresh process each)")
    for k, v in med.items():
        print(f"  {k:<27} {v * 1000:7.1f} ms   {v / floor:5.2f}x the floor")
    bars("cold_start", "cold start: list --all on test:///default", list(med), [v * 1000 for v in med.values()], "ms")
    ratio = med["kvmlab virsh"] / floor
    print(f"kvmlab virsh cold start: {ratio:.2f}x the bare-Python floor (goal <= {GOAL}x)")


if __name__ == "__main__":
    main()
