"""Whole-course run time on the embedded backend: every lesson and exercise notebook executed top to bottom.

Runs each notebook with nbclient in a fresh kernel (as nbval does), prints a table and the total
(target <= 60 s), and saves a bar chart. With ``--uri qemu:///system`` (the real lab, `kvmlab lab up`)
it runs the lessons there, then the same lessons on the embedded backend as the baseline, and its
last line is the real lab's total against the 60 s goal. Never asserts.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from plot import bars

ROOT = Path(__file__).resolve().parents[1]


def notebooks() -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "exercises").rglob("*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError:
        pass  # learner notebooks raise on purpose; timing is what counts here
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", help="run the lessons on this libvirt URI (e.g. qemu:///system after `kvmlab lab up`)")
    args = ap.parse_args()
    if args.uri:
        os.environ["KVMLAB_URI"] = args.uri  # the kernels inherit it; exercises are graded on the embedded lab
    else:
        os.environ.pop("KVMLAB_URI", None)  # the embedded backend
    backend = args.uri or "embedded backend"
    times = {}
    for path in notebooks():
        if args.uri and path.parent.name != "notebooks":
            continue
        times[str(path.relative_to(ROOT))] = run(path)
        print(f"  {times[str(path.relative_to(ROOT))]:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    lessons = sum(t for k, t in times.items() if k.startswith("notebooks/"))
    total = sum(times.values())
    print(f"lessons ({sum(k.startswith('notebooks/') for k in times)} notebooks, {backend}): {lessons:.1f} s")
    if not args.uri:
        print(f"whole course ({len(times)} notebooks: lessons and both versions of every exercise, {backend}): "
              f"{total:.1f} s (target <= 60 s)")
    short = [Path(k).stem[:22] for k in times]
    name = "course_time" if not args.uri else "course_time_" + "".join(c if c.isalnum() else "_" for c in args.uri)
    bars(name, f"course run time ({backend}), total {total:.0f} s", short, list(times.values()), "s")
    if args.uri:  # the baseline in the same run: the same lessons on the embedded backend
        os.environ.pop("KVMLAB_URI", None)
        embedded = sum(run(ROOT / k) for k in times)
        print(f"the same lessons on the embedded backend: {embedded:.1f} s")
        print(f"every lesson on {args.uri}: {lessons:.1f} s = {lessons / embedded:.2f}x the embedded lab "
              f"(goal <= 60 s: {'met' if lessons <= 60 else 'not met'})")


if __name__ == "__main__":
    main()
