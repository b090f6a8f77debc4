"""kvmlab operations vs raw libvirt-python doing the same libvirt work: one 1,000-operation batch.

The raw side makes the same libvirt calls and builds the same facts, without kvmlab's results,
formatting, error mapping or call records. Prints the median of several rounds and the ratio. Never asserts.

    .venv/bin/python bench/ops_vs_libvirt.py          # test:///default, in-process (goal <= 2x)
    .venv/bin/python bench/ops_vs_libvirt.py --lab    # the real daemon: the lab's qemu:///system (goal <= 1.2x)

With --lab (root, `kvmlab lab up`), the batch works on the bench's own guest kvmlab-bench-ops (the
lab's tiny guest, no NIC, tagged: removed afterwards), the lab's network kvmlab-nat and pool kvmlab-pool.
"""

from __future__ import annotations

import statistics
import sys
import time

import libvirt

import kvmlab
from plot import bars

ROUNDS = 7
N = 1000
NAMES = {"domain": "test", "network": "default", "pool": "default-pool"}  # test:///default's


def kvmlab_batch(conn: kvmlab.Connection) -> None:
    for _ in range(N // 8):
        str(conn.list(all=True))
        str(conn.dominfo(NAMES["domain"]))
        str(conn.net_info(NAMES["network"]))
        str(conn.pool_info(NAMES["pool"]))
        str(conn.suspend(NAMES["domain"]))
        str(conn.resume(NAMES["domain"]))
        str(conn.net_list(all=True))
        str(conn.vol_list(NAMES["pool"]))


def raw_batch(c: libvirt.virConnect) -> None:
    for _ in range(N // 8):
        [(d.ID(), d.name(), d.state()) for d in c.listAllDomains(0)]
        d = c.lookupByName(NAMES["domain"])
        (d.ID(), d.name(), d.UUIDString(), d.OSType(), d.info(), d.isPersistent(), d.autostart(),
         d.hasManagedSaveImage(0), c.getSecurityModel(), d.securityLabel())
        n = c.networkLookupByName(NAMES["network"])
        (n.name(), n.UUIDString(), n.isActive(), n.isPersistent(), n.autostart(), n.bridgeName())
        p = c.storagePoolLookupByName(NAMES["pool"])
        (p.name(), p.UUIDString(), p.info(), p.isPersistent(), p.autostart())
        c.lookupByName(NAMES["domain"]).suspend()
        c.lookupByName(NAMES["domain"]).resume()
        [(n.name(), n.isActive(), n.autostart(), n.isPersistent()) for n in c.listAllNetworks(0)]
        [(v.name(), v.path()) for v in c.storagePoolLookupByName(NAMES["pool"]).listAllVolumes(0)]


def median_time(fn, arg, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def lab_guest(uri: str):
    """The bench's own running guest on the real lab (booted, waited for with progress)."""
    import kvmlab.lab

    conn = kvmlab.connect(uri)
    guest = kvmlab.lab.lesson_guest(conn, "kvmlab-bench-ops", progress=print)
    NAMES.update(domain=guest.name, network="kvmlab-nat", pool="kvmlab-pool")
    return conn, guest


def main() -> None:
    real = "--lab" in sys.argv[1:]
    uri = "qemu:///system" if real else "test:///default"
    guest = None
    if real:
        conn, guest = lab_guest(uri)
    else:
        conn = kvmlab.connect(uri)
    raw = libvirt.open(uri)
    try:
        kvmlab_batch(conn), raw_batch(raw)  # warm up
        t_raw, t_ops = [], []
        rounds = 3 if real else ROUNDS
        for _ in range(3):  # interleave rounds so noise hits both
            t_raw.append(median_time(raw_batch, raw, rounds))
            t_ops.append(median_time(kvmlab_batch, conn, rounds))
    finally:
        if guest is not None:
            guest.remove(conn)
    r, k = min(t_raw), min(t_ops)
    goal = 1.2 if real else 2.0
    print(f"{N}-operation batch on {uri}{' (the real daemon)' if real else ''}, best of 3 medians")
    print(f"  raw libvirt-python  {r * 1000:8.1f} ms   ({r * 1e6 / N:.1f} µs/op)")
    print(f"  kvmlab operations   {k * 1000:8.1f} ms   ({k * 1e6 / N:.1f} µs/op)")
    name = "ops_vs_libvirt_lab" if real else "ops_vs_libvirt"
    bars(name, f"{N}-operation batch, {uri}", ["raw libvirt-python", "kvmlab ops"], [r * 1000, k * 1000], "ms")
    print(f"ratio kvmlab/raw on {uri}: {k / r:.2f}x (goal <= {goal}x)")


if __name__ == "__main__":
    main()
