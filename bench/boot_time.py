"""How long from `virsh define` to a shell, and to a DHCP lease, for the lab's tiny guest?

Boots the guest under libvirt (the real lab) in several variants, a few times each, and prints
median and best figures; saves a PNG when matplotlib is installed. Never asserts timings: the
machine's load (printed with the figures) moves them a lot.

    .venv/bin/python bench/boot_time.py [--runs 3] [--variants pvh,bzimage] [--plot boot_time.png]

Phases of one boot (define -> ...):
  start     libvirt's create() returns: QEMU spawned, devices set up, vCPU released
  kernel    the guest kernel's own uptime at the ready marker (kernel start -> /init -> ready)
  before    ready - start - kernel: firmware, loading kernel+initrd, decompressing the kernel
  ready     the console shows KVMLAB-GUEST-READY (modules loaded, DHCP started, shell next)
  lease     libvirt's network.DHCPLeases() lists the guest's MAC

The NIC sits on the bench's own NAT network (bridge STP off, dnsmasq --no-ping); variant pvh-stp
uses the lab's kvmlab-nat (STP on; dnsmasq pings a new address before offering it, up to 3 s).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import libvirt
from lxml import etree

import kvmlab
import kvmlab.lab as lab
from kvmlab.lab import guest
from kvmlab.lab.console import READY_MARKER, Console
from kvmlab.lab.probe import accel as probe_accel

OUT = Path(__file__).resolve().parents[1] / "artifacts" / "bench"

NAME = "kvmlab-bench-boot"
NETWORK = "kvmlab-bench"  # the bench's own NAT network: bridge STP off, dnsmasq no-ping
DNSMASQ_NS = "http://libvirt.org/schemas/network/dnsmasq/1.0"
LAB_NETWORK = "kvmlab-nat"  # the lab's network (STP on: a new port waits 2 x forward delay >= 4 s)


def bench_network(conn) -> None:
    """Define and start kvmlab-bench (192.168.190.0/24, NAT, STP off) if it is not there."""
    v = conn.virconn
    try:
        net = v.networkLookupByName(NETWORK)
    except libvirt.libvirtError:
        x = etree.Element("network", nsmap={"dnsmasq": DNSMASQ_NS})
        etree.SubElement(x, "name").text = NETWORK
        etree.SubElement(x, "forward", mode="nat")
        etree.SubElement(x, "bridge", name="kvmlab-bench0", stp="off", delay="0")
        ip = etree.SubElement(x, "ip", address="192.168.190.1", netmask="255.255.255.0")
        etree.SubElement(etree.SubElement(ip, "dhcp"), "range", start="192.168.190.100", end="192.168.190.200")
        # dnsmasq pings an address before offering it (up to 3 s); no-ping hands it out at once.
        etree.SubElement(etree.SubElement(x, f"{{{DNSMASQ_NS}}}options"), f"{{{DNSMASQ_NS}}}option", value="no-ping")
        net = v.networkDefineXML(etree.tostring(x, encoding="unicode"))
    if not net.isActive():
        net.create()


def remove_bench_network(conn) -> None:
    try:
        net = conn.virconn.networkLookupByName(NETWORK)
    except libvirt.libvirtError:
        return
    if net.isActive():
        net.destroy()
    net.undefine()


def _loader(path: str):
    def mutate(root):
        loader = etree.SubElement(root.find("os"), "loader", type="rom", readonly="yes")
        loader.text = path
    return mutate


def _machine(machine: str):
    def mutate(root):
        root.find("os/type").set("machine", machine)
    return mutate


# name -> (domain_xml keyword arguments, XML tweak, what it shows)
VARIANTS = {
    "bzimage-verbose": ({"boot": "bzimage", "fast": False}, None, "Debian's bzImage, full kernel log: the old way"),
    "bzimage": ({"boot": "bzimage"}, None, "bzImage (xz, decompressed by the guest) + fast cmdline"),
    "pvh": ({}, None, "unpacked vmlinux via PVH entry + fast cmdline (kvmlab's default)"),
    "pvh-qboot": ({}, _loader("/usr/share/qemu/qboot.rom"), "as pvh, firmware qboot instead of SeaBIOS"),
    "pvh-q35": ({}, _machine("q35"), "as pvh, machine q35 instead of pc (i440fx)"),
    "pvh-stp": ({"networks": [LAB_NETWORK]}, None, "as pvh, NIC on the lab's kvmlab-nat (STP on, dnsmasq pings first)"),
    "microvm": ({}, _machine("microvm"), "machine microvm (no PCI, no ACPI)"),
    "pvh-nomit": ({"cmdline": "mitigations=off"}, None, "as pvh, no CPU-bug mitigations (TCG translates less code)"),
    "pvh-lean": ({"cmdline": "mitigations=off pci=lastbus=0 8250.nr_uarts=1 audit=0"}, None,
                 "as pvh-nomit, and PCI bus 0 only, one UART, no audit"),
}


def boot_once(conn, image, variant: str, accel: str, timeout: float) -> dict:
    kwargs, mutate, _ = VARIANTS[variant]
    kwargs = {"networks": [NETWORK], **kwargs}
    xml = guest.domain_xml(NAME, image, accel=accel, **kwargs)
    network = kwargs["networks"][0]
    root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    if mutate:
        mutate(root)
    v = conn.virconn
    t0 = time.monotonic()
    out: dict = {}
    try:
        dom = v.defineXML(etree.tostring(root, encoding="unicode"))
    except libvirt.libvirtError as exc:
        return {"error": f"define refused: {exc.get_error_message()}"}
    try:
        dom.create()
        out["start"] = time.monotonic() - t0
        mac = etree.fromstring(dom.XMLDesc(0).encode()).find("devices/interface/mac").get("address")
        con = Console(dom)
        try:
            line = con.wait_for(READY_MARKER, timeout)
            out["ready"] = time.monotonic() - t0
            m = re.search(r"up=([\d.]+)s", line)
            if m:
                out["kernel"] = float(m.group(1))
                out["before"] = max(0.0, out["ready"] - out["start"] - out["kernel"])
            net = v.networkLookupByName(network)
            while time.monotonic() - t0 < timeout:
                if any(lease["mac"] == mac for lease in net.DHCPLeases()):
                    out["lease"] = time.monotonic() - t0
                    break
                time.sleep(0.1)
        except kvmlab.KvmlabError as exc:
            out["error"] = str(exc).splitlines()[0]
        finally:
            con.close()
    except libvirt.libvirtError as exc:
        out["error"] = exc.get_error_message()
    finally:
        if dom.isActive():
            dom.destroy()
        dom.undefine()
    return out


def summarize(results: dict[str, list[dict]]) -> list[str]:
    keys = ("start", "before", "kernel", "ready", "lease")
    lines = [f"{'variant':<16}" + "".join(f"{k:>15}" for k in keys) + "   (median / best, seconds)"]
    for variant, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        cells = []
        for k in keys:
            vals = [r[k] for r in ok if k in r]
            cells.append(f"{statistics.median(vals):6.2f} / {min(vals):5.2f}" if vals else f"{'-':>15}")
        line = f"{variant:<16}" + "".join(f"{c:>15}" for c in cells)
        errors = [r["error"] for r in runs if "error" in r]
        if errors:
            line += f"   {len(errors)} failed: {errors[0][:90]}"
        lines.append(line)
    return lines


def plot(results: dict[str, list[dict]], path: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = [v for v, runs in results.items() if any("ready" in r for r in runs)]
    med = {k: [statistics.median([r[k] for r in results[v] if k in r] or [0]) for v in names]
           for k in ("start", "before", "kernel", "lease", "ready")}
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(names) + 1.5))
    left = [0.0] * len(names)
    for k, color in (("start", "#999"), ("before", "#d62728"), ("kernel", "#1f77b4")):
        ax.barh(names, med[k], left=left, color=color, label=k)
        left = [a + b for a, b in zip(left, med[k])]
    ax.scatter(med["lease"], names, marker="|", s=300, color="k", label="DHCP lease", zorder=3)
    ax.axvline(2.5, ls="--", color="g", label="target 2.5 s")
    ax.set_xlabel("seconds from define (median)")
    ax.set_title(f"tiny guest boot under libvirt (load avg {os.getloadavg()[0]:.1f})")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return True


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--timeout", type=float, default=90.0, help="per boot, seconds")
    p.add_argument("--accel", choices=("kvm", "tcg"), help="default: the probe's verdict")
    p.add_argument("--plot", default=str(OUT / "boot_time.png"), help="PNG path ('' for none)")
    args = p.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        p.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    started = lab.mode()[0] == "down"
    st = lab.up()
    accel = args.accel or probe_accel()
    image = guest.build()
    results: dict[str, list[dict]] = {}
    try:
        with kvmlab.connect(st.uri) as conn:
            lab.ensure_lab_network(conn, "nat")
            bench_network(conn)
            for v in variants:
                print(f"== {v}: {VARIANTS[v][2]}", flush=True)
                results[v] = []
                for i in range(args.runs):
                    r = boot_once(conn, image, v, accel, args.timeout)
                    results[v].append(r)
                    print(f"   run {i + 1}: " + ", ".join(f"{k}={val:.2f}" if isinstance(val, float) else f"{k}={val}"
                                                    for k, val in r.items()) + f"  (load {os.getloadavg()[0]:.1f})",
                          flush=True)
                    if "error" in r:
                        break  # a variant that does not boot will not boot the next time either
    finally:
        if not started:
            with kvmlab.connect(st.uri) as conn:
                remove_bench_network(conn)
        else:
            lab.down()
    print(f"\naccelerator: {accel.upper()}; guest {image.kernel_version}, 128 MiB; load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("\n".join(summarize(results)))
    if args.plot and plot(results, args.plot):
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
