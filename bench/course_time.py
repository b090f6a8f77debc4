"""Whole-course run time on the embedded backend: every lesson and exercise notebook executed top to bottom.

Runs each notebook with nbclient in a fresh kernel (as nbval does), prints a table and the total
(target <= 60 s), and saves a bar chart. Never asserts.
"""

from __future__ import annotations

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
    os.environ.pop("KVMLAB_URI", None)  # the embedded backend
    times = {}
    for path in notebooks():
        times[str(path.relative_to(ROOT))] = run(path)
        print(f"  {times[str(path.relative_to(ROOT))]:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    total = sum(times.values())
    print(f"whole course ({len(times)} notebooks, embedded backend): {total:.1f} s (target <= 60 s)")
    short = [Path(k).stem[:22] for k in times]
    bars("course_time", f"course run time, total {total:.0f} s", short, list(times.values()), "s")


if __name__ == "__main__":
    main()
