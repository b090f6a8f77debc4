"""kvmlab operations vs raw libvirt-python doing the same libvirt work: one 1,000-operation batch.

The raw side makes the same libvirt calls and builds the same facts, without kvmlab's results,
formatting, error mapping or call records. Both run in this process on test:///default-like
private connections. Prints the median of several rounds and the ratio (target <= 1.2x). Never asserts.
"""

from __future__ import annotations

import statistics
import time

import libvirt

import kvmlab
from plot import bars

ROUNDS = 7
N = 1000


def kvmlab_batch(conn: kvmlab.Connection) -> None:
    for _ in range(N // 8):
        str(conn.list(all=True))
        str(conn.dominfo("test"))
        str(conn.net_info("default"))
        str(conn.pool_info("default-pool"))
        str(conn.suspend("test"))
        str(conn.resume("test"))
        str(conn.net_list(all=True))
        str(conn.vol_list("default-pool"))


def raw_batch(c: libvirt.virConnect) -> None:
    for _ in range(N // 8):
        [(d.ID(), d.name(), d.state()) for d in c.listAllDomains(0)]
        d = c.lookupByName("test")
        (d.ID(), d.name(), d.UUIDString(), d.OSType(), d.info(), d.isPersistent(), d.autostart(),
         d.hasManagedSaveImage(0), c.getSecurityModel(), d.securityLabel())
        n = c.networkLookupByName("default")
        (n.name(), n.UUIDString(), n.isActive(), n.isPersistent(), n.autostart(), n.bridgeName())
        p = c.storagePoolLookupByName("default-pool")
        (p.name(), p.UUIDString(), p.info(), p.isPersistent(), p.autostart())
        c.lookupByName("test").suspend()
        c.lookupByName("test").resume()
        [(n.name(), n.isActive(), n.autostart(), n.isPersistent()) for n in c.listAllNetworks(0)]
        [(v.name(), v.path()) for v in c.storagePoolLookupByName("default-pool").listAllVolumes(0)]


def median_time(fn, arg) -> float:
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    conn = kvmlab.connect("test:///default")
    raw = libvirt.open("test:///default")
    kvmlab_batch(conn), raw_batch(raw)  # warm up
    t_raw, t_ops = [], []
    for _ in range(3):  # interleave rounds so noise hits both
        t_raw.append(median_time(raw_batch, raw))
        t_ops.append(median_time(kvmlab_batch, conn))
    r, k = min(t_raw), min(t_ops)
    print(f"{N}-operation batch on test:///default, best of 3 medians of {ROUNDS} rounds")
    print(f"  raw libvirt-python  {r * 1000:8.1f} ms   ({r * 1e6 / N:.1f} µs/op)")
    print(f"  kvmlab operations   {k * 1000:8.1f} ms   ({k * 1e6 / N:.1f} µs/op)")
    print(f"  ratio kvmlab/raw: {k / r:.2f}x (target <= 1.2x)")
    bars("ops_vs_libvirt", f"{N}-operation batch", ["raw libvirt-python", "kvmlab ops"], [r * 1000, k * 1000], "ms")


if __name__ == "__main__":
    main()
