"""Cold start of `kvmlab virsh -c test:///default list --all` against the bare-Python floor, in one run.

The floor is what any Python tool pays to answer the same question: start Python, `import libvirt`,
open test:///default, listAllDomains. Real `virsh` is shown too, for scale. Every variant runs as a
fresh process, interleaved round by round so machine noise hits all alike; the median of the rounds
is printed, with kvmlab's ratio to the floor (goal <= 1.4x). Never asserts.

With PYTHONDONTWRITEBYTECODE set (as in some sandboxes), no .pyc of kvmlab is ever written, so every
run compiles the sources it imports; libvirt and the standard library keep the .pyc they were
installed with. A second kvmlab row then shows the same command with its bytecode cached (in a
temporary PYTHONPYCACHEPREFIX, written by the warm-up run), which is what an installed kvmlab pays.
The first row is measured as before.

    .venv/bin/python bench/cold_start.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from plot import bars
from where import ENV, KVMLAB, PY

GOAL = 1.4
FLOOR = "import libvirt; c = libvirt.open('test:///default'); c.listAllDomains()"
VIRSH_LIST = ["virsh", "-c", "test:///default", "list --all"]
CACHED = "kvmlab virsh, .pyc cached"


def variants(pycache: str | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    found = {
        "bare Python (floor)": ([PY, "-c", FLOOR], ENV),
        "kvmlab virsh": ([KVMLAB, *VIRSH_LIST], ENV),
        "python -c 'import kvmlab'": ([PY, "-c", "import kvmlab"], ENV),
    }
    if pycache:
        cached = {k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}
        found[CACHED] = ([KVMLAB, *VIRSH_LIST], {**cached, "PYTHONPYCACHEPREFIX": pycache})
    if shutil.which("virsh"):
        found["virsh (C)"] = ([shutil.which("virsh"), *VIRSH_LIST[1:]], ENV)
    return found


def timed(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {p.stderr[:400]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kvmlab-pyc-") as tmp:
        found = variants(tmp if ENV.get("PYTHONDONTWRITEBYTECODE") else None)
        runs: dict[str, list[float]] = {name: [] for name in found}
        for argv, env in found.values():  # one warm-up each: the page cache (and the .pyc), not Python, is measured
            timed(argv, env)
        for _ in range(args.rounds):
            for name, (argv, env) in found.items():
                runs[name].append(timed(argv, env))
    med = {k: statistics.median(v) for k, v in runs.items()}
    floor = med["bare Python (floor)"]
    print(f"cold start, `list --all` on test:///default, median of {args.rounds} rounds (fresh process each)")
    for k, v in med.items():
        print(f"  {k:<27} {v * 1000:7.1f} ms   {v / floor:5.2f}x the floor")
    if CACHED in med:
        print("  (PYTHONDONTWRITEBYTECODE is set: 'kvmlab virsh' compiles kvmlab's sources on every run;"
              f" '{CACHED}' reads them compiled, as an installed kvmlab does)")
    bars("cold_start", "cold start: list --all on test:///default", list(med), [v * 1000 for v in med.values()], "ms")
    ratio = med["kvmlab virsh"] / floor
    print(f"kvmlab virsh cold start: {ratio:.2f}x the bare-Python floor (goal <= {GOAL}x)")
    if CACHED in med:
        print(f"kvmlab virsh cold start, .pyc cached: {med[CACHED] / floor:.2f}x the floor")


if __name__ == "__main__":
    main()
