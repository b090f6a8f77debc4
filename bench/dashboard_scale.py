"""The VM dashboard with 100 and 1,000 domains: time to build it, and to refresh after one change.

Baseline in the same run: the same board drawn the old way, a row of buttons per domain
(row_limit raised above the count). Median of ROUNDS rounds on the embedded lab (libvirt's test
driver, in-process). Goal: build <= 0.5 s and refresh <= 0.1 s at 1,000 domains.

    .venv/bin/python bench/dashboard_scale.py
"""

from __future__ import annotations

import statistics
import time

import kvmlab
from kvmlab.widgets import Dashboard

from plot import bars

ROUNDS = 5
SIZES = (100, 1000)


def connection(n: int):
    conn = kvmlab.connect()
    for i in range(n - len(conn.list(all=True).domains)):
        conn.virconn.defineXML(f"<domain type='test'><name>vm{i:04d}</name><memory>65536</memory>"
                               "<os><type>hvm</type></os></domain>")  # fmt: skip
    return conn


def build_and_refresh(conn, row_limit: int) -> tuple[float, float]:
    board_class = type("Board", (Dashboard,), {"row_limit": row_limit})
    t0 = time.perf_counter()
    board = board_class(conn, events=False)
    built = time.perf_counter() - t0
    dom = conn.virconn.lookupByName("vm0001")
    dom.create() if not dom.isActive() else dom.destroy()  # one change, then a refresh
    t0 = time.perf_counter()
    board.refresh("bench")
    refreshed = time.perf_counter() - t0
    board.close()
    return built, refreshed


def median(conn, row_limit: int, rounds: int) -> tuple[float, float]:
    runs = [build_and_refresh(conn, row_limit) for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    labels, values = [], []
    print(f"Dashboard build and refresh, median of {ROUNDS} rounds (embedded lab)")
    for n in SIZES:
        conn = connection(n)
        old = median(conn, n + 1, 1 if n >= 1000 else 3)  # a row of widgets each (slow: fewer rounds)
        new = median(conn, Dashboard.row_limit, ROUNDS)
        print(f"  {n:5d} domains  rows of buttons: build {old[0]:6.3f} s, refresh {old[1]:6.3f} s"
              f"   table + action bar: build {new[0]:6.3f} s, refresh {new[1]:6.3f} s   ({old[0] / new[0]:.0f}x faster to build)")
        labels += [f"{n} rows of buttons", f"{n} table"]
        values += [old[0], new[0]]
        conn.close()
    bars("dashboard_scale", "Dashboard build time", labels, values, "s")
    print(f"1,000 domains: build {new[0]:.3f} s (goal <= 0.5 s), refresh {new[1]:.3f} s (goal <= 0.1 s): "
          f"{'met' if new[0] <= 0.5 and new[1] <= 0.1 else 'NOT met'}")


if __name__ == "__main__":
    main()
