"""How many tiny guests run at once here, and what does each cost in host memory?

Starts transient lab guests one after another (128 MiB unless --memory, no NIC, 32 MiB TCG cache unless --tb-cache), waits for each
to reach its shell, and reads every QEMU's resident memory (Rss, and Pss: shared pages divided among their users). Bounded three ways: a count
(--max), a time budget (--budget) and a memory floor (stops while MemAvailable is above --floor).
Destroys every guest it started, whatever happens. Prints figures; saves a PNG when matplotlib is
installed; never asserts.

    .venv/bin/python bench/density.py [--max 24] [--budget 600] [--plot density.png]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import libvirt

import kvmlab
import kvmlab.lab as lab
from kvmlab.lab import guest
from kvmlab.lab.console import READY_MARKER, Console
from kvmlab.lab.probe import accel as probe_accel

OUT = Path(__file__).resolve().parents[1] / "artifacts" / "bench"

PREFIX = "kvmlab-dense-"


def mem_available_mib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


def qemu_mem_mib(name: str) -> tuple[float, float] | None:
    """(Rss, Pss) of the domain's QEMU process in MiB, from libvirt's pid file and smaps_rollup.

    Rss counts pages shared with other QEMUs (the binary, libraries, a mapped kernel file) in full;
    Pss divides each shared page among its users: the sum of Pss is what the guests really cost.
    """
    try:
        pid = int(Path(f"/run/libvirt/qemu/{name}.pid").read_text().strip())
        fields = dict(line.split()[:2] for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
        return int(fields["Rss:"]) / 1024, int(fields["Pss:"]) / 1024
    except (OSError, ValueError, KeyError):
        return None


def idle_cpu(doms: list[libvirt.virDomain], seconds: float = 5.0) -> float:
    """Guest CPU seconds per wall second, summed over ``doms`` (TCG idles are not free)."""
    before = [d.info()[4] for d in doms]
    time.sleep(seconds)
    return sum(d.info()[4] - b for d, b in zip(doms, before)) / 1e9 / seconds


def cleanup(v: libvirt.virConnect) -> int:
    """Destroy (and undefine) every domain named kvmlab-dense-*; return how many were running."""
    n = 0
    for dom in v.listAllDomains(0):
        if dom.name().startswith(PREFIX):
            try:
                if dom.isActive():
                    dom.destroy()
                    n += 1
                if dom.isPersistent():
                    dom.undefine()
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:  # already gone is fine
                    print(f"cleanup: {dom.name()}: {exc.get_error_message()}", file=sys.stderr)
    return n


def plot(rows: list[tuple[int, float, float, float]], path: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4))
    n = [r[0] for r in rows]
    ax.plot(n, [r[1] for r in rows], "o-", label="RSS per guest, mean (MiB)")
    ax.plot(n, [r[2] for r in rows], "^-", label="PSS per guest, mean (MiB)")
    ax.plot(n, [r[3] for r in rows], "s--", label="boot to shell (s)")
    ax.axhline(120, ls=":", color="r", label="120 MiB target")
    ax.set_xlabel("guests running")
    ax.set_title("tiny guest density (TCG, 128 MiB each)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return True


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--max", type=int, default=24, help="at most this many guests")
    p.add_argument("--budget", type=float, default=600.0, help="seconds for the whole run")
    p.add_argument("--boot-timeout", type=float, default=120.0, help="seconds for one guest to reach its shell")
    p.add_argument("--floor", type=int, default=2048, help="stop when MemAvailable would drop below (MiB)")
    p.add_argument("--accel", choices=("kvm", "tcg"), help="default: the probe's verdict")
    p.add_argument("--boot", choices=("pvh", "bzimage"), default="pvh",
                   help="pvh boots faster; bzimage keeps no 57 MiB kernel mapping in each QEMU")
    p.add_argument("--tb-cache", type=int, default=32, help="TCG translation cache per guest (MiB)")
    p.add_argument("--memory", type=int, default=128, help="guest RAM (MiB; the tiny guest boots in 64)")
    p.add_argument("--plot", default=str(OUT / "density.png"), help="PNG path ('' for none)")
    args = p.parse_args(argv)
    started = lab.mode()[0] == "down"
    st = lab.up(resources=False)
    accel = args.accel or probe_accel()
    image = guest.build()
    t0 = time.monotonic()
    rows: list[tuple[int, float, float, float]] = []  # (n, mean rss, mean pss, boot seconds)
    doms: list[libvirt.virDomain] = []
    stop = "reached --max"
    conn = kvmlab.connect(st.uri)
    try:
        cleanup(conn.virconn)
        for i in range(1, args.max + 1):
            if time.monotonic() - t0 > args.budget:
                stop = "time budget spent"
                break
            if mem_available_mib() < args.floor + 256:
                stop = f"MemAvailable {mem_available_mib()} MiB near the floor"
                break
            name = f"{PREFIX}{i:02d}"
            xml = guest.domain_xml(name, image, networks=None, accel=accel, boot=args.boot,
                                   tb_cache_mib=args.tb_cache, memory_mib=args.memory)
            b0 = time.monotonic()
            dom = conn.virconn.createXML(xml, 0)  # transient: destroy removes it
            doms.append(dom)
            with Console(dom) as con:
                try:
                    con.wait_for(READY_MARKER, min(args.boot_timeout, max(5.0, args.budget - (b0 - t0))))
                except kvmlab.KvmlabError as exc:
                    stop = f"guest {i} did not reach its shell: {str(exc).splitlines()[0]}"
                    break
            boot = time.monotonic() - b0
            mem = [m for m in (qemu_mem_mib(d.name()) for d in doms) if m is not None]
            rows.append((i, statistics.mean(m[0] for m in mem), statistics.mean(m[1] for m in mem), boot))
            print(f"{i:3d} guests: per guest RSS {rows[-1][1]:6.1f} MiB, PSS {rows[-1][2]:6.1f} MiB; "
                  f"boot {boot:5.1f} s; MemAvailable {mem_available_mib()} MiB; load {os.getloadavg()[0]:.1f}",
                  flush=True)
        running = [d for d in doms if d.isActive()]
        idle = idle_cpu(running) if running else 0.0
    finally:
        removed = cleanup(conn.virconn)
        conn.close()
        if started:
            lab.down()
    print(f"\nstopped: {stop}; removed {removed} guests")
    if rows:
        n, rss, pss, _ = rows[-1]
        print(f"accelerator {accel.upper()}, boot {args.boot}, memory {args.memory} MiB, tb-cache {args.tb_cache} MiB: {n} guests at once; "
              f"per guest RSS {rss:.1f} MiB, PSS {pss:.1f} MiB (mean); idle guests used {idle:.2f} host CPUs together; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        first = rows[0][3]
        k = min(5, len(rows))  # one boot is noisy on a busy host: the median of five is the steadier figure
        late = statistics.median(r[3] for r in rows[-k:]) / statistics.median(r[3] for r in rows[:k])
        print(f"{n} guests at once, PSS {pss:.1f} MiB each, boot of guest {n} {rows[-1][3] / first:.2f}x the first's, "
              f"median of the last {k} boots {late:.2f}x the first {k}'s (goal >= 50 at PSS <= 100 MiB, boot <= 2x)")
    if rows and args.plot and plot(rows, args.plot):
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
